"""One incident per storm: fold sniffer events, switch syslog signals and SNMP rate events.

A storm floods a whole layer-2 domain, so during one storm every switch in it has something to
say: the sniffer sees the surge, switches log MAC flaps and storm-control drops, SNMP counters
climb. Paging once per signal would page dozens of times for one storm; paging once per
*incident* is what on-call wants, with the blast radius (devices, ports, VLANs) and the
evidence of every source in one place.

Rules (pure, no I/O; the clock is the evidence's own ``ts`` and ``tick(now)``):

* A piece of evidence joins an open incident when it arrives within ``window_s`` of that
  incident's latest evidence **and** it is connected to it: the same device; or, where the
  topology is known, a device in the same layer-2 component (``components``: device → component
  id, from :mod:`stormguard.topology` when collected); or, where it is not, a device of the same
  site whose VLANs overlap the incident's (evidence without VLANs — storm-control drops say
  none — matches on site alone; devices without a site count as one site of their own).
* Evidence that joins no incident opens a new one.
* An incident ends when no evidence arrived for ``quiet_s`` and no storm that opened inside it
  (a sniffer or SNMP storm) is still running.

:meth:`Correlator.add` and :meth:`Correlator.tick` return incident events shaped like the
sniffer's storm events (``{"event": "storm-start"|"storm-update"|"storm-end", "id", "iface",
"ts", "started_at", "pps", "peak_pps", "vlans", "evidence", ...}``) plus ``devices``, ``ports``,
``sites``, so the existing :class:`~stormguard.alerts.dispatcher.Alerter` pages once per incident
with its dedupe, reminders, resolution and outbox.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

START, UPDATE, END = "storm-start", "storm-update", "storm-end"


@dataclass(frozen=True)
class Evidence:
    source: str  # syslog | sniffer | snmp
    device: str
    interface: str | None
    vlans: frozenset[int]
    ts: float
    kind: str  # a signal kind (mac-flap ...) or "storm" for a rate event
    site: str | None = None
    pps: float = 0.0
    storm_id: str | None = None  # a sniffer/SNMP storm this belongs to
    storm_ending: bool = False  # that storm ended with this evidence


@dataclass
class Incident:
    key: str
    started_at: float
    updated_at: float
    ended_at: float | None = None
    devices: list[str] = field(default_factory=list)
    ports: list[str] = field(default_factory=list)  # "device/interface"
    vlans: set[int] = field(default_factory=set)
    sites: list[str] = field(default_factory=list)
    evidence: dict[str, dict[str, int]] = field(default_factory=dict)  # source -> kind -> n
    peak_pps: float = 0.0
    pps: float = 0.0
    signals: int = 0
    running_storms: set[str] = field(default_factory=set)
    components: set[Any] = field(default_factory=set)
    site_keys: set[str | None] = field(default_factory=set)  # None: devices with no site

    def summary_iface(self) -> str:
        if not self.ports:
            return ", ".join(self.devices[:3]) + (f" +{len(self.devices) - 3}"
                                                 if len(self.devices) > 3 else "")
        head = ", ".join(self.ports[:3])
        return head + (f" +{len(self.ports) - 3} more" if len(self.ports) > 3 else "")

    def to_event(self, event: str, ts: float) -> dict[str, Any]:
        kinds = sorted({k for per in self.evidence.values() for k in per})
        return {
            "event": event,
            "id": self.key,
            "iface": self.summary_iface(),
            "ts": ts,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "pps": self.pps,
            "peak_pps": self.peak_pps,
            "frames": 0,
            "vlans": [{"vlan": v} for v in sorted(self.vlans)],
            "evidence": kinds,
            "devices": list(self.devices),
            "ports": list(self.ports),
            "sites": list(self.sites),
            "sources": {s: dict(per) for s, per in self.evidence.items()},
            "signals": self.signals,
        }


@dataclass
class Correlator:
    window_s: float = 60.0
    quiet_s: float = 120.0
    #: device -> layer-2 component id, where the topology is known.
    components: Mapping[str, Any] = field(default_factory=dict)
    #: device -> site, from the inventory.
    sites: Mapping[str, str | None] = field(default_factory=dict)
    open: list[Incident] = field(default_factory=list)
    _storm_to_incident: dict[str, Incident] = field(default_factory=dict)

    def _connected(self, inc: Incident, ev: Evidence) -> bool:
        if ev.storm_id is not None and self._storm_to_incident.get(ev.storm_id) is inc:
            return True
        if ev.ts - inc.updated_at > self.window_s:
            return False
        if ev.device in inc.devices:
            return True
        comp = self.components.get(ev.device)
        if comp is not None and inc.components:
            return comp in inc.components
        # No site at all (a fleet that does not use sites) is one site of its own.
        site = ev.site if ev.site is not None else self.sites.get(ev.device)
        if site not in inc.site_keys:
            return False
        return not ev.vlans or not inc.vlans or bool(ev.vlans & inc.vlans)

    def add(self, ev: Evidence) -> list[dict[str, Any]]:
        out = self.tick(ev.ts)
        inc = next((i for i in self.open if self._connected(i, ev)), None)
        opened = inc is None
        if inc is None:
            seed = f"{ev.source}|{ev.device}|{ev.interface}|{ev.ts:.6f}|{ev.kind}"
            inc = Incident(key="incident-" + hashlib.blake2b(seed.encode(), digest_size=6)
                           .hexdigest(), started_at=ev.ts, updated_at=ev.ts)
            self.open.append(inc)
        self._fold(inc, ev)
        out.append(inc.to_event(START if opened else UPDATE, ev.ts))
        return out

    def _fold(self, inc: Incident, ev: Evidence) -> None:
        inc.updated_at = max(inc.updated_at, ev.ts)
        if ev.device not in inc.devices:
            inc.devices.append(ev.device)
        if ev.interface:
            port = f"{ev.device}/{ev.interface}"
            if port not in inc.ports:
                inc.ports.append(port)
        inc.vlans |= ev.vlans
        site = ev.site if ev.site is not None else self.sites.get(ev.device)
        inc.site_keys.add(site)
        if site is not None and site not in inc.sites:
            inc.sites.append(site)
        comp = self.components.get(ev.device)
        if comp is not None:
            inc.components.add(comp)
        per = inc.evidence.setdefault(ev.source, {})
        per[ev.kind] = per.get(ev.kind, 0) + 1
        if ev.kind != "storm":
            inc.signals += 1
        if ev.pps:
            inc.pps = ev.pps
            inc.peak_pps = max(inc.peak_pps, ev.pps)
        if ev.storm_id is not None:
            if ev.storm_ending:
                inc.running_storms.discard(ev.storm_id)
                self._storm_to_incident.pop(ev.storm_id, None)
            else:
                inc.running_storms.add(ev.storm_id)
                self._storm_to_incident[ev.storm_id] = inc

    def tick(self, now: float) -> list[dict[str, Any]]:
        """End the incidents that have been quiet for `quiet_s` with no storm running."""
        out = []
        for inc in list(self.open):
            if not inc.running_storms and now - inc.updated_at >= self.quiet_s:
                inc.ended_at = inc.updated_at
                self.open.remove(inc)
                out.append(inc.to_event(END, now))
        return out

    def close_all(self, now: float) -> list[dict[str, Any]]:
        out = []
        for inc in list(self.open):
            inc.ended_at = now
            self.open.remove(inc)
            out.append(inc.to_event(END, now))
        self._storm_to_incident.clear()
        return out


# -- adapters: each source's own record → Evidence -----------------------------------------
def from_signal(sig: Any, site: str | None = None) -> Evidence:
    """A :class:`~stormguard.signals.Signal` (syslog or SNMP)."""
    return Evidence(source=sig.source, device=sig.device, interface=sig.interface,
                    vlans=frozenset([sig.vlan]) if sig.vlan is not None else frozenset(),
                    ts=sig.ts, kind=sig.kind, site=site,
                    pps=float(sig.detail.get("pps") or 0.0),
                    storm_id=sig.detail.get("storm_id"),
                    storm_ending=bool(sig.detail.get("storm_ending")))


def from_storm_event(event: Any, device: str, site: str | None = None,
                     source: str = "sniffer") -> Evidence:
    """A sniffer :class:`~stormguard.sniffer.events.StormEvent` (or its dict) seen on
    `device` (the sniffer host, or the switch the sniffed interface hangs off)."""
    d = event if isinstance(event, dict) else event.to_dict()
    vlans = frozenset(v["vlan"] for v in d.get("vlans") or []
                      if isinstance(v, dict) and v.get("vlan") is not None)
    iface = d.get("iface")
    if source == "snmp" and iface and iface.startswith(device + "/"):
        iface = iface[len(device) + 1:]  # SNMP storms are named device/port
    return Evidence(source=source, device=device, interface=iface, vlans=vlans,
                    ts=float(d.get("ts") or 0.0), kind="storm", site=site,
                    pps=float(d.get("pps") or 0.0), storm_id=str(d.get("id")),
                    storm_ending=d.get("event") == END)
