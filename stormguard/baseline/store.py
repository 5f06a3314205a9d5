"""Approvals and drifts in the store (tables ``baseline_approvals`` and ``baseline_drifts``).

Kept beside the baselines rather than in :mod:`stormguard.store.core` (as the signals do); it
goes through the store's transaction helper, so driver errors become the same one-line
:class:`~stormguard.store.core.StoreError` on SQLite and PostgreSQL.

Approvals are only ever inserted: the newest approval of a device (highest id) is its baseline,
the older ones are its history. A drift row is one unapproved configuration (by the sha256 of
its configuration view) of a device against one approval; it is open until an approval, a
revert or a further change closes it, and records when its page and its resolution were queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from stormguard.errors import InputError
from stormguard.store import models as m
from stormguard.store.core import Store, _unpack
from stormguard.store.records import COMMITTED_STATUSES

appr_t = m.BaselineApprovalModel.__table__
drift_t = m.BaselineDriftModel.__table__
blobs_t = m.BlobModel.__table__


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class ApprovalRow:
    id: int
    device: str
    platform: str
    snapshot_id: int | None
    run_id: int | None
    sha256: str  # of the approved snapshot's text (its blob)
    approved_by: str
    approved_at: datetime
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "device": self.device, "platform": self.platform,
                "snapshot": self.snapshot_id, "run": self.run_id, "sha256": self.sha256,
                "approved_by": self.approved_by, "approved_at": self.approved_at.isoformat(),
                "reason": self.reason}


@dataclass
class DriftRow:
    id: int
    device: str
    approval_id: int
    sha256: str  # of the drifted configuration view
    snapshot_id: int | None  # the first snapshot that showed it
    run_id: int | None  # the run whose audit opened it
    collected_at: datetime
    opened_at: datetime
    in_window: bool
    window: str | None
    closed_at: datetime | None
    closed_reason: str | None
    paged_at: datetime | None
    resolved_paged_at: datetime | None

    @property
    def open(self) -> bool:
        return self.closed_at is None


def _approval(r: Any) -> ApprovalRow:
    return ApprovalRow(id=r.id, device=r.device, platform=r.platform, snapshot_id=r.snapshot_id,
                       run_id=r.run_id, sha256=r.blob_sha256, approved_by=r.approved_by,
                       approved_at=r.approved_at, reason=r.reason or "")


def _drift(r: Any) -> DriftRow:
    return DriftRow(id=r.id, device=r.device, approval_id=r.approval_id, sha256=r.sha256,
                    snapshot_id=r.snapshot_id, run_id=r.run_id, collected_at=r.collected_at,
                    opened_at=r.opened_at, in_window=bool(r.in_window), window=r.window,
                    closed_at=r.closed_at, closed_reason=r.closed_reason, paged_at=r.paged_at,
                    resolved_paged_at=r.resolved_paged_at)


class BaselineStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- approvals -----------------------------------------------------------------------
    def approve(self, device: str, *, by: str, reason: str = "",
                now: datetime | None = None) -> ApprovalRow:
        """Approve the device's latest committed snapshot; closes its open drifts.
        InputError (one line) for a device the store does not know or has no snapshot of."""
        if self.store.get_device(device) is None:
            raise InputError(f"unknown device {device!r}: not in the store "
                             "(collect it first: `stormguard collect`)")
        snap = next((s for s in self.store.snapshot_history(device)
                     if s.run_status in COMMITTED_STATUSES), None)
        if snap is None:
            raise InputError(f"device {device!r} has no committed snapshot yet: nothing to "
                             "approve (its collection has not completed a run)")
        now = now or utcnow()
        with self.store._tx() as c:
            res = c.execute(insert(appr_t).values(
                device=device, platform=snap.platform, snapshot_id=snap.id, run_id=snap.run_id,
                blob_sha256=snap.sha256, approved_by=by[:255], approved_at=now,
                reason=reason))
            aid = int(res.inserted_primary_key[0])
            note = f"approved by {by}" + (f": {reason}" if reason else "")
            c.execute(update(drift_t)
                      .where(drift_t.c.device == device, drift_t.c.closed_at.is_(None))
                      .values(closed_at=now, closed_reason=note[:2000]))
            row = c.execute(select(appr_t).where(appr_t.c.id == aid)).one()
        return _approval(row)

    def approvals(self, device: str | None = None) -> list[ApprovalRow]:
        """Every approval, newest first (of one device, or of all)."""
        q = select(appr_t).order_by(appr_t.c.id.desc())
        if device is not None:
            q = q.where(appr_t.c.device == device)
        with self.store._tx(write=False) as c:
            return [_approval(r) for r in c.execute(q)]

    def current(self) -> dict[str, ApprovalRow]:
        """The baseline of each approved device: its newest approval."""
        newest = select(func.max(appr_t.c.id).label("aid")).group_by(appr_t.c.device).subquery()
        q = select(appr_t).join(newest, newest.c.aid == appr_t.c.id).order_by(appr_t.c.device)
        with self.store._tx(write=False) as c:
            return {r.device: _approval(r) for r in c.execute(q)}

    def approved_text(self, approval: ApprovalRow) -> str:
        with self.store._tx(write=False) as c:
            r = c.execute(select(blobs_t.c.data, blobs_t.c.compression)
                          .where(blobs_t.c.sha256 == approval.sha256)).one()
        return _unpack(r.data, r.compression)

    # -- drifts --------------------------------------------------------------------------
    def drifts(self, device: str | None = None, *, open_only: bool = False) -> list[DriftRow]:
        """Drifts, newest first."""
        q = select(drift_t).order_by(drift_t.c.id.desc())
        if device is not None:
            q = q.where(drift_t.c.device == device)
        if open_only:
            q = q.where(drift_t.c.closed_at.is_(None))
        with self.store._tx(write=False) as c:
            return [_drift(r) for r in c.execute(q)]

    def open_drift(self, device: str, approval_id: int, sha256: str, *, snapshot_id: int,
                   run_id: int, collected_at: datetime, window: str | None,
                   now: datetime | None = None) -> DriftRow:
        """The open drift of `device` for this configuration, opened now unless it is open
        already; any other open drift of the device is closed as superseded."""
        now = now or utcnow()
        with self.store._tx() as c:
            rows = [_drift(r) for r in c.execute(
                select(drift_t).where(drift_t.c.device == device, drift_t.c.closed_at.is_(None))
                .order_by(drift_t.c.id))]
            same = [d for d in rows if d.approval_id == approval_id and d.sha256 == sha256]
            stale = [d.id for d in rows if d not in same[:1]]
            if stale:
                c.execute(update(drift_t).where(drift_t.c.id.in_(stale)).values(
                    closed_at=now, closed_reason="superseded by a further change"))
            if same:
                return same[0]
            res = c.execute(insert(drift_t).values(
                device=device, approval_id=approval_id, sha256=sha256, snapshot_id=snapshot_id,
                run_id=run_id, collected_at=collected_at, opened_at=now,
                in_window=window is not None, window=window))
            return _drift(c.execute(select(drift_t).where(
                drift_t.c.id == int(res.inserted_primary_key[0]))).one())

    def close_drifts(self, device: str, reason: str, now: datetime | None = None) -> int:
        with self.store._tx() as c:
            res = c.execute(update(drift_t)
                            .where(drift_t.c.device == device, drift_t.c.closed_at.is_(None))
                            .values(closed_at=now or utcnow(), closed_reason=reason[:2000]))
            return int(res.rowcount or 0)

    def to_page(self) -> tuple[list[DriftRow], list[DriftRow]]:
        """(open drifts outside change windows never paged, paged drifts closed since without
        a resolution queued)."""
        with self.store._tx(write=False) as c:
            fire = c.execute(select(drift_t).where(
                drift_t.c.closed_at.is_(None), drift_t.c.paged_at.is_(None),
                drift_t.c.in_window.is_(False)).order_by(drift_t.c.id)).all()
            resolve = c.execute(select(drift_t).where(
                drift_t.c.closed_at.is_not(None), drift_t.c.paged_at.is_not(None),
                drift_t.c.resolved_paged_at.is_(None)).order_by(drift_t.c.id)).all()
        return [_drift(r) for r in fire], [_drift(r) for r in resolve]

    def mark_paged(self, drift_id: int, *, resolved: bool, now: datetime | None = None) -> None:
        col = "resolved_paged_at" if resolved else "paged_at"
        with self.store._tx() as c:
            c.execute(update(drift_t).where(drift_t.c.id == drift_id)
                      .values({col: now or utcnow()}))
