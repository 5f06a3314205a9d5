"""Storm signals from the switches themselves: syslog messages (and SNMP counters) that say a
loop or a storm is happening somewhere in the fleet.

A :class:`Signal` is one recognised vendor message, in vendor-neutral terms: what kind of
storm evidence it is, which device and port, which VLAN and MACs, when. The sniffer's storm
events, syslog signals and SNMP rate events all meet in :mod:`stormguard.signals.incidents`,
which folds the ones that belong to the same storm into one incident.

Pure data here; parsing is in :mod:`.syslog_message` and :mod:`.catalogue`, I/O in
:mod:`.listener`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

#: Signal kinds, in the order an on-call engineer reads them (strongest loop evidence first).
KINDS: tuple[str, ...] = (
    "loop-detect",  # the switch saw its own loop-detection frame come back
    "mac-flap",  # one MAC learnt on two ports in turn
    "storm-control",  # a storm-control threshold was crossed (filtering or shutting down)
    "bpdu-guard",  # an edge port received a BPDU and was blocked
    "err-disable",  # a port was err-disabled (cause in `detail`)
    "loop-guard",  # loop guard blocked a port that stopped receiving BPDUs
)


@dataclass
class Signal:
    """One piece of storm evidence reported by a device."""

    kind: str  # one of KINDS
    device: str  # inventory name when the sender is known, else its hostname / address
    interface: str | None
    vlan: int | None
    macs: list[str]
    ts: float  # epoch seconds (when the device says it happened, else when it was received)
    message_id: str  # the vendor's own name, e.g. SW_MATM-4-MACFLAP_NOTIF
    raw: str  # the message text as received (without the syslog header)
    source: str = "syslog"  # syslog | snmp | sniffer
    platform: str | None = None  # the vendor family the message was recognised as
    known_sender: bool = True  # the sender matched an inventory device
    interfaces: list[str] = field(default_factory=list)  # every port named (flaps name two)
    detail: dict[str, Any] = field(default_factory=dict)  # e.g. {"cause": "bpduguard"}

    def to_dict(self) -> dict[str, Any]:
        """The JSON line of ``stormguard syslog --format json``."""
        return {
            "kind": self.kind,
            "device": self.device,
            "interface": self.interface,
            "vlan": self.vlan,
            "macs": list(self.macs),
            "ts": round(self.ts, 3),
            "message_id": self.message_id,
            "raw": self.raw,
            "interfaces": list(self.interfaces),
            "source": self.source,
            "platform": self.platform,
            "known_sender": self.known_sender,
            "detail": dict(self.detail),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)

    def to_text(self) -> str:
        from datetime import UTC, datetime

        when = datetime.fromtimestamp(self.ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        parts = [when, self.kind, self.device]
        if self.interfaces:
            parts.append(",".join(self.interfaces))
        elif self.interface:
            parts.append(self.interface)
        if self.vlan is not None:
            parts.append(f"vlan={self.vlan}")
        if self.macs:
            parts.append("macs=" + ",".join(self.macs))
        if self.detail.get("cause"):
            parts.append(f"cause={self.detail['cause']}")
        parts.append(f"[{self.message_id}]")
        if not self.known_sender:
            parts.append("(unknown sender)")
        return " ".join(parts)
