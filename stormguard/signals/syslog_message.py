"""Parse one syslog message: RFC 5424, RFC 3164 and the variants switches really send.

Switches are loose about RFC 3164. What this accepts, after the ``<PRI>``:

* RFC 5424: ``1 2026-12-04T18:22:01.123Z host app procid msgid [sd] msg``
* RFC 3164: ``Dec  4 18:22:01 host tag[pid]: msg``
* Cisco IOS/IOS-XE without a hostname, with a sequence number and a ``*`` or ``.`` clock mark:
  ``123: *Dec  4 18:22:01.345 UTC: %SW_MATM-4-MACFLAP_NOTIF: ...``
* NX-OS: ``: 2026 Dec  4 18:22:01 UTC: %ETHPORT-5-...`` (year first)
* Huawei VRP: ``Dec  4 2026 18:22:01 HW-SW1 %%01L2IFPPI/4/MFLPVLANALARM(l)[0]:...`` (year after day)
* H3C Comware: ``Dec  4 18:22:01:123 2026 H3C %%10LPDT/4/LPDT_LOOPED: ...`` (year after time)

The parser never raises: what it cannot read becomes the message text with no hostname, so a
catalogue match on the text still works. The device's clock is not trusted for RFC 3164 (no
year, no zone): ``ts`` is the time of receipt unless RFC 5424 gives a full timestamp.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

_PRI = re.compile(rb"<(\d{1,3})>")
_RFC5424 = re.compile(
    r"1 (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) (?P<msgid>\S+) (?P<rest>.*)\Z",
    re.S,
)
_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
# A 3164-style clock in any of the vendors' spellings, optionally preceded by a sequence number
# and followed by a zone and a colon. Anchored at the start of what follows <PRI>.
_CLOCK = re.compile(
    r"(?:\d+:\s*)?[*.]?"
    r"(?:\d{4}\s+)?" + _MONTHS + r"\s+\d{1,2}(?:\s+\d{4})?\s+\d{1,2}:\d{2}:\d{2}(?:[.:]\d{1,6})?"
    r"(?:\s+\d{4})?(?:\s+[A-Z]{2,5}(?:[+-]\d{1,2}(?::\d{2})?)?)?:?\s+"
)
# A relay's file format (rsyslog RSYSLOG_FileFormat): an RFC 3339 stamp, then the sender.
_ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?\s+")
_SEQ_ONLY = re.compile(
    r"(?:\d+:|:)\s+(?:(?P<host>[A-Za-z][\w.\-]*):\s+(?=[*.]?(?:\d{4}\s+)?[A-Z][a-z]{2}\s))?")
# A hostname token: no colon at its end, not a vendor message marker.
_HOST = re.compile(r"(?P<host>[A-Za-z0-9][A-Za-z0-9._\-]{0,253})\s+")
_TAG = re.compile(r"(?P<tag>[A-Za-z0-9_.\-]{1,48})(?:\[(?P<pid>\d+)\])?:\s+")


@dataclass
class SyslogMessage:
    facility: int | None
    severity: int | None
    hostname: str | None  # as the message names its sender (None: it does not)
    app: str | None  # RFC 3164 tag / RFC 5424 APP-NAME
    msgid: str | None  # RFC 5424 MSGID
    text: str  # the message proper (what the vendor catalogue reads)
    ts: float  # epoch seconds
    rfc: str  # "5424" | "3164" | "raw"


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", "replace")


def _rfc5424_time(value: str) -> float | None:
    if value == "-":
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _skip_structured_data(rest: str) -> str:
    """Drop RFC 5424 STRUCTURED-DATA (``-`` or ``[id k="v"]...``, with ``\\]`` escapes)."""
    if rest.startswith("-"):
        return rest[2:] if rest.startswith("- ") else rest[1:]
    i, n = 0, len(rest)
    while i < n and rest[i] == "[":
        i += 1
        in_quotes = False
        while i < n:
            c = rest[i]
            if c == "\\" and in_quotes:
                i += 2
                continue
            if c == '"':
                in_quotes = not in_quotes
            elif c == "]" and not in_quotes:
                i += 1
                break
            i += 1
    return rest[i + 1:] if i < n and rest[i] == " " else rest[i:]


def parse(data: bytes | str, received_at: float) -> SyslogMessage:
    """One message (one datagram, or one frame of a TCP stream) → :class:`SyslogMessage`."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "replace")
    facility = severity = None
    m = _PRI.match(raw)
    if m and int(m.group(1)) <= 191:
        pri = int(m.group(1))
        facility, severity = pri >> 3, pri & 7
        raw = raw[m.end():]
    s = _decode(raw).rstrip("\r\n\x00")

    m5 = _RFC5424.match(s)
    if m5:
        ts = _rfc5424_time(m5.group("ts"))
        host = m5.group("host")
        app = m5.group("app")
        msgid = m5.group("msgid")
        text = _skip_structured_data(m5.group("rest"))
        if text.startswith("\ufeff"):
            text = text[1:]
        return SyslogMessage(facility, severity, None if host == "-" else host,
                             None if app == "-" else app, None if msgid == "-" else msgid,
                             text, ts if ts is not None else received_at, "5424")

    rfc = "raw"
    host: str | None = None
    app: str | None = None
    rest = s
    mc = _CLOCK.match(rest) or _ISO_STAMP.match(rest)
    if mc:
        rfc = "3164"
        rest = rest[mc.end():]
    else:
        ms = _SEQ_ONLY.match(rest)
        if ms:
            host = ms.group("host")  # IOS `logging origin-id hostname`: `12: sw1: *Dec ...`
            rest = rest[ms.end():]
            mc = _CLOCK.match(rest)
            if mc:
                rfc = "3164"
                rest = rest[mc.end():]
    if rfc == "3164" and host is None and not rest.startswith("%"):
        mh = _HOST.match(rest)
        # `host tag: msg` or `host %%01...` or `host msg`; a lone `tag: msg` has no host.
        if mh and not mh.group("host").endswith(":"):
            after = rest[mh.end():]
            if not _TAG.match(rest) or _TAG.match(after) or after.startswith("%"):
                host = mh.group("host")
                rest = after
        mt = _TAG.match(rest)
        if mt and not rest.startswith("%"):
            app = mt.group("tag")
            rest = rest[mt.end():]
    return SyslogMessage(facility, severity, host, app, None, rest, received_at, rfc)
