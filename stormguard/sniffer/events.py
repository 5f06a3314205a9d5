"""Storm events as the sniffer hands them to its sink (store, alerts, CLI output).

One storm is one ``id`` with a ``storm-start``, zero or more ``storm-update`` and one
``storm-end``. The sniffer depends on nothing downstream: whoever runs it passes a callback
``on_event(event: StormEvent)``; :meth:`StormEvent.to_dict` is the JSON line format of
``stormguard sniff --format json`` and is what the store and alert code should read.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

START, UPDATE, END = "storm-start", "storm-update", "storm-end"

#: Loop evidence names, strongest last.
DUPLICATE_FRAMES, MAC_FLAP, TCN_BURST = "duplicate-frames", "mac-flap", "tcn-burst"


@dataclass
class StormEvent:
    event: str  # storm-start | storm-update | storm-end
    id: str
    iface: str
    ts: float  # epoch seconds of this message (packet time for pcaps)
    started_at: float  # epoch seconds of the first bucket over the threshold
    pps: float  # broadcast+multicast frames/s over the last 1 s window
    peak_pps: float
    frames: int  # frames during the event (read + known dropped)
    vlans: list[dict[str, Any]] = field(default_factory=list)  # [{"vlan": 10|None, "frames"}]
    classes: dict[str, int] = field(default_factory=dict)
    top_sources: list[dict[str, Any]] = field(default_factory=list)  # [{"mac", "vlan", "frames"}]
    evidence: list[str] = field(default_factory=list)
    evidence_detail: dict[str, Any] = field(default_factory=dict)
    #: {"read", "dropped", "kernel", "ratio", "iface_rx"}: ratio = read / (read + dropped)
    coverage: dict[str, Any] = field(default_factory=dict)
    trigger: str = ""  # which threshold opened it, e.g. "pps 23110 >= 2000"
    ended_at: float | None = None
    reason: str | None = None  # for storm-end: "below-threshold" | "stopped" | "end-of-capture"
    pcap: str | None = None  # evidence pcap path, once written

    @property
    def duration_s(self) -> float:
        return (self.ended_at if self.ended_at is not None else self.ts) - self.started_at

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["duration_s"] = round(self.duration_s, 3)
        for key in ("pps", "peak_pps"):
            d[key] = round(d[key], 1)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=False, separators=(",", ":"))

    def to_text(self) -> str:
        when = datetime.fromtimestamp(self.ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        parts = [when, self.event, self.iface, f"id={self.id}", f"pps={self.pps:.0f}",
                 f"peak={self.peak_pps:.0f}", f"frames={self.frames}"]
        if self.classes:
            top = sorted(self.classes.items(), key=lambda kv: -kv[1])[:3]
            parts.append("classes=" + ",".join(f"{k}:{v}" for k, v in top))
        vl = [str(v["vlan"]) for v in self.vlans if v["vlan"] is not None]
        if vl:
            parts.append("vlans=" + ",".join(vl[:8]))
        if self.top_sources:
            parts.append("top=" + self.top_sources[0]["mac"])
        parts.append("evidence=" + (",".join(self.evidence) or "none"))
        ratio = self.coverage.get("ratio")
        if ratio is not None:
            parts.append(f"coverage={ratio * 100:.1f}%")
        if self.event == END:
            parts.append(f"duration={self.duration_s:.1f}s")
            if self.reason:
                parts.append(f"reason={self.reason}")
        if self.pcap:
            parts.append(f"pcap={self.pcap}")
        return " ".join(parts)
