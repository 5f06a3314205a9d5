"""Signals and incidents in the store (tables ``signals`` and ``incidents``).

Kept beside the signals rather than in :mod:`stormguard.store.core` so the store's core stays
about runs and snapshots; it goes through the same transaction helper, so driver errors become
the same one-line :class:`~stormguard.store.core.StoreError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update

from stormguard.signals import Signal
from stormguard.store import models as m
from stormguard.store.core import Store

sig_t = m.SignalModel.__table__
inc_t = m.IncidentModel.__table__


def _dt(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(float(ts), UTC)


@dataclass
class IncidentRow:
    key: str
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    sites: list[str]
    devices: list[str]
    ports: list[str]
    vlans: list[int]
    evidence: dict[str, dict[str, int]]
    peak_pps: float
    signals: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.key,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "duration_s": round(((self.ended_at or self.updated_at) - self.started_at)
                                .total_seconds(), 1),
            "sites": self.sites, "devices": self.devices, "ports": self.ports,
            "vlans": self.vlans, "evidence": self.evidence, "peak_pps": round(self.peak_pps, 1),
            "signals": self.signals,
        }


class SignalStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, sig: Signal, incident_key: str | None = None) -> int:
        with self.store._tx() as c:
            res = c.execute(insert(sig_t).values(
                ts=_dt(sig.ts), kind=sig.kind, device=sig.device[:255],
                interface=(sig.interface or None) and sig.interface[:128], vlan=sig.vlan,
                macs=list(sig.macs), interfaces=list(sig.interfaces),
                message_id=sig.message_id[:128],
                raw=sig.raw[:8192], source=sig.source, platform=sig.platform,
                known_sender=sig.known_sender, detail=dict(sig.detail), incident_key=incident_key))
            return int(res.inserted_primary_key[0])

    def signals(self, since: datetime | None = None, *, device: str | None = None,
                limit: int = 10_000) -> list[Signal]:
        q = select(sig_t).order_by(sig_t.c.ts, sig_t.c.id).limit(limit)
        if since is not None:
            q = q.where(sig_t.c.ts >= since)
        if device is not None:
            q = q.where(sig_t.c.device == device)
        with self.store._tx(write=False) as c:
            rows = c.execute(q).all()
        return [Signal(kind=r.kind, device=r.device, interface=r.interface, vlan=r.vlan,
                       macs=list(r.macs or []), ts=r.ts.replace(tzinfo=UTC).timestamp()
                       if r.ts.tzinfo is None else r.ts.timestamp(),
                       message_id=r.message_id, raw=r.raw, source=r.source, platform=r.platform,
                       known_sender=bool(r.known_sender), interfaces=list(r.interfaces or []),
                       detail=dict(r.detail or {})) for r in rows]

    def save_incident(self, event: dict[str, Any]) -> None:
        """Insert or update the incident an incident event (from the correlator) describes."""
        values = dict(
            updated_at=_dt(event["ts"]), ended_at=_dt(event.get("ended_at"))
            if event.get("event") == "storm-end" else None,
            sites=list(event.get("sites") or []), devices=list(event.get("devices") or []),
            ports=list(event.get("ports") or []),
            vlans=[v["vlan"] for v in event.get("vlans") or []],
            evidence=dict(event.get("sources") or {}), peak_pps=float(event.get("peak_pps") or 0),
            signals=int(event.get("signals") or 0))
        with self.store._tx() as c:
            res = c.execute(update(inc_t).where(inc_t.c.key == event["id"]).values(**values))
            if res.rowcount == 0:
                c.execute(insert(inc_t).values(key=event["id"],
                                               started_at=_dt(event["started_at"]), **values))

    def incidents(self, since: datetime | None = None, limit: int = 1000) -> list[IncidentRow]:
        q = select(inc_t).order_by(inc_t.c.started_at.desc(), inc_t.c.id.desc()).limit(limit)
        if since is not None:
            q = q.where(inc_t.c.updated_at >= since)
        with self.store._tx(write=False) as c:
            rows = c.execute(q).all()
        return [IncidentRow(key=r.key, started_at=_aware(r.started_at),
                            updated_at=_aware(r.updated_at),
                            ended_at=_aware(r.ended_at) if r.ended_at else None,
                            sites=list(r.sites or []), devices=list(r.devices or []),
                            ports=list(r.ports or []), vlans=list(r.vlans or []),
                            evidence=dict(r.evidence or {}), peak_pps=float(r.peak_pps or 0),
                            signals=int(r.signals or 0)) for r in rows]


def _aware(d: datetime) -> datetime:
    return d if d.tzinfo else d.replace(tzinfo=UTC)
