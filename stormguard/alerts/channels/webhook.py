"""Generic JSON webhook: the whole alert as a JSON object."""

from __future__ import annotations

from stormguard.alerts.channels.http import post_json
from stormguard.alerts.model import Alert
from stormguard.config import AlertChannel


def body(alert: Alert) -> dict:
    return {"source": "stormguard", "title": alert.title, **alert.to_payload()}


def send(channel: AlertChannel, alert: Alert) -> None:
    assert channel.url
    post_json(channel.url, body(alert), channel.timeout_s)
