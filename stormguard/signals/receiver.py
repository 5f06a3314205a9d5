"""From bytes on the wire to :class:`~stormguard.signals.Signal`: parse, recognise, name the
sender. Pure apart from the clock; the sockets are in :mod:`.listener`.

Senders are matched to inventory devices by source address first (the inventory's
``hostname:`` is usually the management address the switch sends from), then by the hostname
the message carries (against inventory names and hostnames, case-insensitive, with or without
the domain). A sender that matches nothing is still heard: its signals carry the name it gave
(or its address) with ``known_sender = False``, and it is counted per address in
:attr:`Receiver.unknown_senders` so the operator can see who is sending and add it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from stormguard.signals import Signal
from stormguard.signals.catalogue import match
from stormguard.signals.syslog_message import parse


@dataclass
class SenderMap:
    """Source address / hostname → inventory device name (and its platform and site)."""

    by_address: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)
    platform: dict[str, str] = field(default_factory=dict)
    site: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def from_hosts(cls, hosts: Iterable[object]) -> SenderMap:
        """From inventory :class:`~stormguard.inventory.Host` objects."""
        sm = cls()
        for h in hosts:
            name = h.name  # type: ignore[attr-defined]
            addr = h.hostname  # type: ignore[attr-defined]
            sm.by_address[addr] = name
            for alias in (name, addr, name.split(".")[0], addr.split(".")[0]):
                sm.by_name.setdefault(alias.lower(), name)
            sm.platform[name] = h.platform  # type: ignore[attr-defined]
            sm.site[name] = getattr(h, "site", None)
        return sm

    def resolve(self, address: str | None, hostname: str | None) -> str | None:
        if address and address in self.by_address:
            return self.by_address[address]
        if hostname:
            h = hostname.lower()
            return self.by_name.get(h) or self.by_name.get(h.split(".")[0])
        return None


@dataclass
class Receiver:
    senders: SenderMap = field(default_factory=SenderMap)
    received: int = 0
    recognised: int = 0
    unknown_senders: Counter[str] = field(default_factory=Counter)

    def feed(self, data: bytes, address: str | None, received_at: float | None = None
             ) -> Signal | None:
        """One message from `address` → a signal, or None when it is not storm evidence."""
        self.received += 1
        now = time.time() if received_at is None else received_at
        msg = parse(data, now)
        m = match(msg)
        device = self.senders.resolve(address, msg.hostname)
        known = device is not None
        if not known:
            self.unknown_senders[address or msg.hostname or "?"] += 1
            device = msg.hostname or address or "unknown"
        if m is None:
            return None
        self.recognised += 1
        return Signal(
            kind=m.kind,
            device=device,
            interface=m.interfaces[0] if m.interfaces else None,
            vlan=m.vlan,
            macs=m.macs,
            ts=msg.ts,
            message_id=m.message_id,
            raw=m.text,
            source="syslog",
            platform=self.senders.platform.get(device) or (m.platforms[0] if m.platforms else None),
            known_sender=known,
            interfaces=m.interfaces,
            detail=m.detail,
        )
