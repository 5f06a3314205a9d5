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
    url, auth = _split_userinfo(url)
    headers = {"Content-Type": "application/json", "User-Agent": "stormguard"}
    if auth:
        headers["Authorization"] = auth
    req = urllib.request.Request(url, data=data, method="POST", headers=headers)
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


def _split_userinfo(url: str) -> tuple[str, str | None]:
    """``https://user:pass@host/x`` -> (``https://host/x``, a Basic Authorization header):
    urllib does not send credentials written into the URL."""
    import base64
    from urllib.parse import unquote, urlsplit, urlunsplit

    try:
        p = urlsplit(url)
    except ValueError:
        return url, None
    if "@" not in p.netloc:
        return url, None
    userinfo, _, hostport = p.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode()
    return urlunsplit((p.scheme, hostport, p.path, p.query, p.fragment)), f"Basic {token}"
