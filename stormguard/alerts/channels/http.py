"""POST JSON with the standard library (no extra dependency), errors as DeliveryError."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from typing import Any

from stormguard.alerts.channels import DeliveryError


def post_json(url: str, body: Any, timeout: float) -> int:
    data = json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json",
                                          "User-Agent": "stormguard"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"{_safe(url)}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise DeliveryError(f"{_safe(url)}: {exc.reason}") from None
    except (TimeoutError, OSError) as exc:
        raise DeliveryError(f"{_safe(url)}: {exc}") from None
    except (ValueError, http.client.HTTPException) as exc:  # e.g. InvalidURL quotes the path
        raise DeliveryError(f"{_safe(url)}: invalid URL or response "
                            f"({type(exc).__name__})") from None


def _safe(url: str) -> str:
    """Only ``scheme://host:port`` of a URL, for messages, logs and the outbox's last_error:
    tokens live in the userinfo, the query *and the path* (Slack, Teams, Discord webhooks)."""
    from urllib.parse import urlsplit

    try:
        p = urlsplit(url)
        host = p.hostname or ""
        port = f":{p.port}" if p.port else ""
    except ValueError:  # a bad port or IPv6 literal: say nothing more than the scheme
        return url.split(":", 1)[0] + "://?"
    return f"{p.scheme}://{host}{port}"
