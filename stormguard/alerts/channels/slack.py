"""Slack-compatible incoming webhook (also Mattermost, Rocket.Chat): `text` + one attachment."""

from __future__ import annotations

from stormguard.alerts.channels.http import post_json
from stormguard.alerts.model import Alert
from stormguard.config import AlertChannel

_COLOR = {"firing": "danger", "reminder": "warning", "resolved": "good", "test": "#439FE0"}


def body(alert: Alert) -> dict:
    fields = [{"title": "Where", "value": f"{alert.host} {alert.iface}", "short": True}]
    if alert.kind == "storm":  # a sniffer-down alert has no rate
        fields.append({"title": "Rate", "value": f"{alert.pps:,.0f} fps "
                       f"(peak {alert.peak_pps:,.0f})", "short": True})
    if alert.evidence:
        fields.append({"title": "Loop evidence", "value": ", ".join(alert.evidence),
                       "short": False})
    if alert.vlans:
        fields.append({"title": "VLANs", "value": alert.vlan_text(), "short": True})
    if alert.top_sources:
        fields.append({"title": "Top sources", "value": alert.sources_text(), "short": False})
    return {
        "text": alert.title,
        "attachments": [{"color": _COLOR[alert.status], "title": alert.title,
                         "text": alert.summary, "fields": fields,
                         "ts": int(alert.sent_at.timestamp())}],
    }


def send(channel: AlertChannel, alert: Alert) -> None:
    assert channel.url
    post_json(channel.url, body(alert), channel.timeout_s)
