"""Syslog, RFC 5424, over UDP or TCP (RFC 6587 octet-counting framing)."""

from __future__ import annotations

import socket
from datetime import UTC

from stormguard.alerts.channels import DeliveryError
from stormguard.alerts.model import Alert
from stormguard.config import AlertChannel

FACILITY_LOCAL0 = 16
_SEVERITY = {"critical": 2, "warning": 4, "info": 6}  # crit, warning, informational
_SD_ESCAPE = str.maketrans({"\\": "\\\\", '"': '\\"', "]": "\\]"})


def format_5424(alert: Alert, hostname: str | None = None) -> bytes:
    sev = 5 if alert.status == "resolved" else _SEVERITY.get(alert.severity, 4)  # notice
    pri = FACILITY_LOCAL0 * 8 + sev
    ts = alert.sent_at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    host = (hostname or socket.gethostname() or "-")[:255]
    params = {
        "status": alert.status, "storm": alert.key, "iface": alert.iface, "host": alert.host,
        "pps": f"{alert.pps:.0f}", "peak": f"{alert.peak_pps:.0f}",
        "evidence": ",".join(alert.evidence),
    }
    sd = "[storm@32473 " + " ".join(
        f'{k}="{str(v).translate(_SD_ESCAPE)}"' for k, v in params.items()) + "]"
    msg = f"{alert.title}: {alert.summary}"
    line = f"<{pri}>1 {ts} {host} stormguard - STORM {sd} \ufeff{msg}"
    return line.encode("utf-8")


def send(channel: AlertChannel, alert: Alert) -> None:
    host = channel.host or "127.0.0.1"
    port = channel.port or 514
    data = format_5424(alert)
    try:
        if channel.protocol == "tcp":
            with socket.create_connection((host, port), timeout=channel.timeout_s) as s:
                s.sendall(f"{len(data)} ".encode() + data)
        else:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.sendto(data, (host, port))
    except OSError as exc:
        raise DeliveryError(f"syslog {channel.protocol}://{host}:{port}: {exc}") from None
