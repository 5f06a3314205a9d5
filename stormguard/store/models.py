"""SQLAlchemy 2 tables of the store. Alembic migrations (``migrations/versions``) must match.

Why these shapes:
* config text lives in ``blobs`` keyed by its sha256 and zlib-compressed, so a nightly run over
  an unchanged fleet costs one ``snapshots`` row per device, not another copy of each config;
* ``snapshots.state`` (counters, STP state...) changes every night, so it is kept compressed on
  the row itself rather than deduplicated;
* datetimes are stored as naive UTC on every backend (``UTCDateTime``) so that comparisons in
  SQL behave the same on SQLite and PostgreSQL;
* the outbox and the locks only ever change through single UPDATE statements guarded by WHERE
  clauses, which is what makes them safe between processes on both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in Python, naive UTC in the database (same on SQLite and PostgreSQL)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):  # type: ignore[override]
        if value is None:
            return None
        if isinstance(value, str):  # defensive: raw SQLite text
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class DeviceModel(Base):
    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    platform: Mapped[str] = mapped_column(String(64))
    site: Mapped[str | None] = mapped_column(String(255))
    hostname: Mapped[str | None] = mapped_column(String(255))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())


class RunModel(Base):
    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_kind_site", "kind", "site"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    site: Mapped[str | None] = mapped_column(String(255))  # the daemon's `site:` (0002)
    trigger: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    owner_host: Mapped[str] = mapped_column(String(255))
    owner_pid: Mapped[int] = mapped_column(Integer)
    owner_start: Mapped[int | None] = mapped_column(BigInteger)  # /proc start time: PID reuse
    audited: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)


class BlobModel(Base):
    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)  # uncompressed bytes
    compression: Mapped[str] = mapped_column(String(16))  # zlib
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SnapshotModel(Base):
    __tablename__ = "snapshots"
    __table_args__ = (Index("ix_snapshots_device_run", "device_id", "run_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(64))
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    changed: Mapped[bool] = mapped_column(Boolean)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[bytes | None] = mapped_column(LargeBinary)  # zlib(JSON)


class FailureModel(Base):
    __tablename__ = "collection_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    device: Mapped[str] = mapped_column(String(255))
    failure_class: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class FindingModel(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    device: Mapped[str] = mapped_column(String(255))
    site: Mapped[str | None] = mapped_column(String(255))
    platform: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    interface: Mapped[str | None] = mapped_column(String(255))
    line: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    expected: Mapped[str] = mapped_column(Text, default="")
    actual: Mapped[str] = mapped_column(Text, default="")
    remediation: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    waived: Mapped[bool] = mapped_column(Boolean, default=False)
    waiver: Mapped[dict | None] = mapped_column(JSON)
    extra: Mapped[dict | None] = mapped_column(JSON)


class WaiverModel(Base):
    __tablename__ = "waivers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(255))
    interface: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(255), default="")
    expires: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(Text, default="")


class StormEventModel(Base):
    __tablename__ = "storm_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str | None] = mapped_column(String(128), unique=True)
    iface: Mapped[str] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pps: Mapped[float] = mapped_column(Float, default=0.0)
    peak_pps: Mapped[float] = mapped_column(Float, default=0.0)
    frames: Mapped[int] = mapped_column(BigInteger, default=0)
    vlans: Mapped[list] = mapped_column(JSON, default=list)
    classes: Mapped[dict] = mapped_column(JSON, default=dict)
    top_sources: Mapped[list] = mapped_column(JSON, default=list)
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    coverage: Mapped[dict] = mapped_column(JSON, default=dict)
    pcap_path: Mapped[str | None] = mapped_column(Text)


class OutboxModel(Base):
    __tablename__ = "alert_outbox"
    __table_args__ = (
        UniqueConstraint("channel", "dedupe_key", name="uq_alert_outbox_channel_dedupe"),
        Index("ix_alert_outbox_due", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    dedupe_key: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))  # pending | sent | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class LockModel(Base):
    __tablename__ = "locks"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SignalModel(Base):
    """One storm signal heard from a device (syslog, SNMP) — see :mod:`stormguard.signals`."""

    __tablename__ = "signals"
    __table_args__ = (Index("ix_signals_device_ts", "device", "ts"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    device: Mapped[str] = mapped_column(String(255))
    interface: Mapped[str | None] = mapped_column(String(128))
    vlan: Mapped[int | None] = mapped_column(Integer)
    macs: Mapped[list] = mapped_column(JSON, default=list)
    interfaces: Mapped[list] = mapped_column(JSON, default=list)
    message_id: Mapped[str] = mapped_column(String(128))
    raw: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str | None] = mapped_column(String(32))
    known_sender: Mapped[bool] = mapped_column(Boolean, default=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    incident_key: Mapped[str | None] = mapped_column(String(128), index=True)


class IncidentModel(Base):
    """One storm as seen by every source: signals, sniffer events and SNMP rates folded."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sites: Mapped[list] = mapped_column(JSON, default=list)
    devices: Mapped[list] = mapped_column(JSON, default=list)
    ports: Mapped[list] = mapped_column(JSON, default=list)
    vlans: Mapped[list] = mapped_column(JSON, default=list)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    peak_pps: Mapped[float] = mapped_column(Float, default=0.0)
    signals: Mapped[int] = mapped_column(Integer, default=0)


class BaselineApprovalModel(Base):
    """One approval of a device's configuration (append-only: the newest is the baseline)."""

    __tablename__ = "baseline_approvals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device: Mapped[str] = mapped_column(String(255), index=True)
    platform: Mapped[str] = mapped_column(String(64))
    snapshot_id: Mapped[int | None] = mapped_column(
        ForeignKey("snapshots.id", ondelete="SET NULL"))
    run_id: Mapped[int | None] = mapped_column(Integer)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    approved_by: Mapped[str] = mapped_column(String(255))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")


class BaselineDriftModel(Base):
    """One unapproved configuration of a device (SG601): opened by an audit, closed by an
    approval, a revert or a further change; remembers what was paged for it."""

    __tablename__ = "baseline_drifts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device: Mapped[str] = mapped_column(String(255), index=True)
    approval_id: Mapped[int] = mapped_column(
        ForeignKey("baseline_approvals.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    snapshot_id: Mapped[int | None] = mapped_column(Integer)
    run_id: Mapped[int | None] = mapped_column(Integer)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    in_window: Mapped[bool] = mapped_column(Boolean, default=False)
    window: Mapped[str | None] = mapped_column(String(255))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_reason: Mapped[str | None] = mapped_column(Text)
    paged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_paged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RunTopologyModel(Base):
    """The fleet's L2 topology as one audit saw it (0005): what the report draws, computed once
    at audit time so that building a report never parses every snapshot again. ``data`` is
    :func:`stormguard.topology.render.report_topology`'s dict, zlib-compressed JSON."""

    __tablename__ = "run_topology"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"),
                                        primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    nodes: Mapped[int] = mapped_column(Integer)
    loops: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
