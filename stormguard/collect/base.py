"""The collection contract: what a collector driver returns, and how it fails.

A driver (``netmiko``, ``napalm``, ``ovs``, ``linux_bridge``) takes one inventory
:class:`stormguard.inventory.Host` and a recipe (``collectors/<platform>.yaml``) and returns a
:class:`Collected`. ``Collected.config`` is exactly the text the platform's parser consumes
(``stormguard.parsers.parse_config``): the running configuration for switches, a JSON bundle of
the vSwitch state for ``ovs`` and ``linux_bridge``. ``Collected.state`` holds the extra evidence
(STP state, storm-control status, LLDP/CDP neighbours, counters), raw and, where a TextFSM
template exists, parsed.

Every failure is a :class:`CollectError` with one of :data:`FAILURE_CLASSES`; its message is one
line, names the host, and never contains a secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

FAILURE_CLASSES: tuple[str, ...] = (
    "auth",  # wrong credentials: never retried
    "timeout",  # connected, then the device stopped answering in time
    "unreachable",  # connection refused / no route / DNS
    "host-key",  # the SSH host key does not match the pinned one (or strict and unknown)
    "protocol",  # SSH or CLI protocol trouble: unexpected prompt, channel closed
    "parse",  # collected, but the output is truncated or unreadable
    "unsupported",  # no driver or recipe for the platform
)
RETRYABLE: frozenset[str] = frozenset({"timeout", "unreachable", "protocol"})


class CollectError(Exception):
    def __init__(self, host: str, failure_class: str, message: str) -> None:
        if failure_class not in FAILURE_CLASSES:
            raise ValueError(f"unknown failure class {failure_class!r}")
        self.host = host
        self.failure_class = failure_class
        self.message = message
        super().__init__(f"{host}: {failure_class}: {message}")

    @property
    def retryable(self) -> bool:
        return self.failure_class in RETRYABLE


@dataclass
class Collected:
    host: str  # inventory name
    platform: str  # Netmiko device_type, or ovs / linux_bridge
    config: str  # what the platform's parser consumes
    driver: str  # netmiko | napalm | ovs | linux_bridge
    state: dict[str, Any] = field(default_factory=dict)  # command/getter -> output
    collected_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    duration_s: float = 0.0
