"""Prometheus Alertmanager: ``POST {url}/api/v2/alerts``.

A firing alert carries ``endsAt`` a few reminder intervals ahead, so Alertmanager keeps it
active while reminders keep coming and resolves it on its own if the daemon dies; the
resolution sends ``endsAt`` = the storm's end, which resolves it at once.
"""

from __future__ import annotations

from datetime import timedelta

from stormguard.alerts.channels.http import post_json
from stormguard.alerts.model import Alert
from stormguard.config import AlertChannel

HOLD = timedelta(minutes=45)
#: A drift (SG601) pages once and sends no reminders: it stays active until its resolution (an
#: approval or a revert), or at most this long.
DRIFT_HOLD = timedelta(days=30)
_ALERTNAME = {"storm": "BroadcastStorm", "sniffer-down": "StormguardSnifferDown",
              "drift": "StormguardConfigDrift"}


def body(alert: Alert) -> list[dict]:
    ends = alert.ended_at if alert.status == "resolved" and alert.ended_at else (
        alert.sent_at + (DRIFT_HOLD if alert.kind == "drift" else HOLD))
    return [{
        "labels": {"alertname": _ALERTNAME.get(alert.kind, "StormguardSnifferDown"),
                   "severity": alert.severity,
                   "host": alert.host, "iface": alert.iface, "storm_id": alert.key,
                   "source": "stormguard", **alert.scope_labels},
        "annotations": {"summary": alert.title, "description": alert.text()},
        "startsAt": alert.started_at.isoformat(),
        "endsAt": ends.isoformat(),
    }]


def send(channel: AlertChannel, alert: Alert) -> None:
    assert channel.url
    post_json(channel.url.rstrip("/") + "/api/v2/alerts", body(alert), channel.timeout_s)
