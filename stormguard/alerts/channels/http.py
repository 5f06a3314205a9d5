"""POST JSON with the standard library (no extra dependency), errors as DeliveryError."""

from __future__ import annotations

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


def _safe(url: str) -> str:
    """Drop userinfo and query (tokens live there) from a URL for messages."""
    from urllib.parse import urlsplit

    p = urlsplit(url)
    host = p.hostname or ""
    port = f":{p.port}" if p.port else ""
    return f"{p.scheme}://{host}{port}{p.path}"
