"""The alert as every channel sees it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

AlertStatus = Literal["firing", "reminder", "resolved", "test"]
SEVERITY_ORDER = {"info": 0, "warning": 1, "critical": 2}


@dataclass
class Alert:
    key: str  # the storm event's id: one incident, one key
    status: AlertStatus
    severity: str  # info | warning | critical
    host: str
    iface: str
    summary: str
    started_at: datetime
    ended_at: datetime | None = None
    pps: float = 0.0
    peak_pps: float = 0.0
    frames: int = 0
    vlans: list[Any] = field(default_factory=list)
    classes: dict[str, Any] = field(default_factory=dict)
    top_sources: list[Any] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    coverage: Any = None
    sent_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: "storm", or "sniffer-down": storm detection is off on ``iface`` (link down, missing)
    kind: str = "storm"
    # An incident (syslog + SNMP + sniffer folded) names its blast radius.
    devices: list[str] = field(default_factory=list)
    ports: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    # Labels that identify an incident to Alertmanager: its scope as first paged, unchanged by
    # reminders and the resolution (a changed label set would be a different alert there).
    scope_labels: dict[str, str] = field(default_factory=dict)
    #: kind "drift" (SG601): the unified diff from the approved configuration (capped)
    detail: str = ""

    @property
    def title(self) -> str:
        if self.kind == "drift":
            state = {"firing": "DRIFT", "reminder": "DRIFT (ongoing)", "resolved": "RESOLVED",
                     "test": "TEST"}[self.status]
            return f"[{state}] unapproved configuration change on {self.host}"
        if self.kind == "sniffer-down":
            state = {"firing": "SNIFFER DOWN", "reminder": "SNIFFER DOWN (ongoing)",
                     "resolved": "SNIFFER BACK", "test": "TEST"}[self.status]
            return f"[{state}] storm detection off on {self.host}/{self.iface}"
        state = {"firing": "STORM", "reminder": "STORM (ongoing)", "resolved": "RESOLVED",
                 "test": "TEST"}[self.status]
        if self.devices:
            where = ", ".join(self.devices[:3]) + (f" +{len(self.devices) - 3}"
                                                   if len(self.devices) > 3 else "")
            site = f" ({', '.join(self.sites)})" if self.sites else ""
            return f"[{state}] broadcast storm on {where}{site}"
        return f"[{state}] broadcast storm on {self.host}/{self.iface}"

    def duration_s(self, now: datetime | None = None) -> float:
        end = self.ended_at or now or datetime.now(UTC)
        return max(0.0, (end - self.started_at).total_seconds())

    def text(self) -> str:
        lines = [self.title, self.summary,
                 f"started {self.started_at.isoformat(timespec='seconds')}"
                 + (f", ended {self.ended_at.isoformat(timespec='seconds')}"
                    if self.ended_at else "")
                 + f", duration {self.duration_s():.0f} s"]
        if self.kind == "drift" and self.detail:
            lines.append(self.detail.rstrip("\n"))
        if self.kind != "storm":
            return "\n".join(lines)
        lines += [f"rate {self.pps:,.0f} fps (peak {self.peak_pps:,.0f}), {self.frames:,} frames"]
        if self.evidence:
            lines.append("loop evidence: " + ", ".join(self.evidence))
        if self.ports:
            lines.append("ports: " + ", ".join(self.ports[:20])
                         + (f" (+{len(self.ports) - 20} more)" if len(self.ports) > 20 else ""))
        if self.vlans:
            lines.append("VLANs: " + self.vlan_text())
        if self.top_sources:
            lines.append("top sources: " + self.sources_text())
        return "\n".join(lines)

    def vlan_text(self, limit: int = 20) -> str:
        """VLANs as the sniffer reports them ({"vlan": 10, "frames": N}) or plain IDs."""
        out = []
        for v in self.vlans[:limit]:
            vid = v.get("vlan") if isinstance(v, dict) else v
            out.append("untagged" if vid is None else str(vid))
        return ", ".join(out)

    def sources_text(self, limit: int = 5) -> str:
        out = []
        for s in self.top_sources[:limit]:
            if isinstance(s, dict):
                vlan = f" vlan {s['vlan']}" if s.get("vlan") is not None else ""
                out.append(f"{s.get('mac')}{vlan} ({s.get('frames', 0):,} frames)")
            else:
                out.append(str(s))
        return ", ".join(out)

    def to_payload(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("started_at", "ended_at", "sent_at"):
            if d[k] is not None:
                d[k] = d[k].isoformat()
        return d

    @classmethod
    def from_payload(cls, d: dict[str, Any]) -> Alert:
        d = dict(d)
        for k in ("started_at", "ended_at", "sent_at"):
            if d.get(k):
                d[k] = datetime.fromisoformat(d[k])
        return cls(**d)
