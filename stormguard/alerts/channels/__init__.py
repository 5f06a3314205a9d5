"""Alert channels, one module each, registered by type name.

Every module exposes ``send(channel: AlertChannel, alert: Alert) -> None`` and raises
:class:`DeliveryError` with a one-line reason (never a secret) when the receiver did not
accept the alert.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stormguard.alerts.model import Alert
    from stormguard.config import AlertChannel

CHANNEL_MODULES = {
    "webhook": "webhook",
    "slack": "slack",
    "alertmanager": "alertmanager",
    "email": "email",
    "syslog": "syslog",
}


class DeliveryError(Exception):
    pass


def send(channel: AlertChannel, alert: Alert) -> None:
    mod = importlib.import_module(f"{__name__}.{CHANNEL_MODULES[channel.type]}")
    mod.send(channel, alert)
