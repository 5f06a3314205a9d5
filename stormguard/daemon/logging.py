"""Structured log lines on stdout for the daemon (journald, docker and k8s collect stdout).

Two shapes, one content:

* ``text``: ``2026-11-25T02:00:00.123Z INFO  stormguard.pipeline: run 12 started job=nightly``
* ``json``: one object per line, ``{"ts", "level", "logger", "msg", ...extra fields}``, for
  Loki/Elastic without a parsing rule.

Extra fields are passed with ``log.info("...", extra={"fields": {...}})`` (see :func:`kv`).

Secrets never reach a log line: every record goes through :class:`SecretFilter`, which masks the
values registered with :func:`register_secret` (passwords resolved from the inventory and the
config's references) and anything shaped like ``password=...`` or ``user:pass@`` in a URL. The
filter runs on the final message text, so it also catches secrets inside exception messages of
third-party libraries.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from typing import Any

_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
MASK = "***"
_PATTERNS = (
    # password=..., "password": "...", secret: ..., token=...
    re.compile(r"(?i)((?:password|passwd|secret|token|api[_-]?key)[\"']?\s*[=:]\s*[\"']?)"
               r"[^\s\"',;&]+"),
    # scheme://user:password@host
    re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+(?=@)"),
)


def register_secret(value: str | None) -> None:
    """Mask `value` wherever it would appear in a log line (ignored when too short to matter)."""
    if value and len(value) >= 4:
        with _SECRETS_LOCK:
            _SECRETS.add(value)


def scrub(text: str) -> str:
    """`text` with every registered secret and password-shaped value masked."""
    with _SECRETS_LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for s in secrets:
        if s in text:
            text = text.replace(s, MASK)
    for pat in _PATTERNS:
        text = pat.sub(lambda m: m.group(1) + MASK, text)
    return text


def kv(**fields: Any) -> dict[str, Any]:
    """``log.info("run finished", extra=kv(run=12, status="ok"))``."""
    return {"fields": fields}


class SecretFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = {k: scrub(v) if isinstance(v, str) else v for k, v in fields.items()}
        if record.exc_info and record.exc_info[1] is not None:
            # keep the type and the (scrubbed) message, never a traceback with locals
            exc = record.exc_info[1]
            record.msg = f"{record.msg}: {type(exc).__name__}: {scrub(str(exc))}"
            record.exc_info = None
            record.exc_text = None
        return True


def _ts(record: logging.LogRecord) -> str:
    return (datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"))


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = f"{_ts(record)} {record.levelname:<7} {record.name}: {record.getMessage()}"
        fields = getattr(record, "fields", None)
        if fields:
            line += " " + " ".join(f"{k}={_text_value(v)}" for k, v in fields.items())
        return line


def _text_value(v: Any) -> str:
    if isinstance(v, str):
        return v if v and " " not in v and "=" not in v else json.dumps(v)
    if isinstance(v, dict | list):
        return json.dumps(v, separators=(",", ":"), default=str)
    return str(v)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {"ts": _ts(record), "level": record.levelname.lower(),
                               "logger": record.name, "msg": record.getMessage()}
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for k, v in fields.items():
                doc.setdefault(k, v)
        return json.dumps(doc, default=str, separators=(",", ":"))


def setup_logging(fmt: str = "text", level: str = "info", stream: Any = None) -> logging.Handler:
    """Route every ``stormguard.*`` logger (and warnings of libraries) to one stdout handler."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(SecretFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_stormguard", False):
            root.removeHandler(old)
    handler._stormguard = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("stormguard").setLevel(getattr(logging, level.upper(), logging.INFO))
    # chatty libraries: their warnings are enough (and paramiko logs hostnames per packet)
    for name in ("apscheduler", "paramiko", "netmiko", "napalm", "fakenos", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("apscheduler.executors").setLevel(logging.ERROR)
    return handler
