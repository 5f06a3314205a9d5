"""Plain rows handed out by :class:`stormguard.store.Store` (no SQLAlchemy objects escape).

They are dataclasses so that the report, the daemon and the alerts code can use them without
importing SQLAlchemy or holding a session open. All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

RUN_STATUSES: tuple[str, ...] = ("running", "ok", "partial", "failed", "interrupted")
#: A run in one of these states has committed its snapshots: they may be read as "current".
COMMITTED_STATUSES: tuple[str, ...] = ("ok", "partial")


@dataclass
class RunRow:
    id: int
    kind: str  # collect | audit | nightly | ... (free-form, chosen by the caller)
    trigger: str  # schedule | manual | cli | startup-catchup ...
    status: str  # one of RUN_STATUSES
    started_at: datetime
    finished_at: datetime | None
    heartbeat_at: datetime | None
    owner: str  # "host:pid" of the process that started it
    summary: dict[str, Any] = field(default_factory=dict)
    audited: bool = False  # save_findings() was called for this run (even with no findings)
    site: str | None = None  # the site whose daemon ran it (None: a daemon without `site:`)

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


@dataclass
class DeviceRow:
    id: int
    name: str
    platform: str
    site: str | None
    hostname: str | None
    first_seen: datetime
    last_seen: datetime


@dataclass
class SnapshotRow:
    id: int
    run_id: int
    device: str
    platform: str
    sha256: str  # of the config text (UTF-8)
    changed: bool  # differs from the device's previous committed snapshot (True for the first)
    collected_at: datetime
    size: int  # bytes of config text
    site: str | None = None
    run_status: str | None = None
    text: str | None = None  # filled by latest_snapshots()/snapshot_at(); None in histories
    state: dict[str, Any] | None = None  # likewise


@dataclass
class FailureRow:
    id: int
    run_id: int
    device: str
    failure_class: str  # one of stormguard.collect.base.FAILURE_CLASSES
    message: str
    at: datetime


@dataclass
class StormEventRow:
    id: int
    iface: str
    host: str
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    pps: float = 0.0  # last decision window
    peak_pps: float = 0.0
    frames: int = 0
    vlans: list[Any] = field(default_factory=list)
    classes: dict[str, Any] = field(default_factory=dict)
    top_sources: list[Any] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    coverage: dict[str, Any] | float = field(default_factory=dict)  # seen vs. missed
    pcap_path: str | None = None
    key: str | None = None  # the sniffer's own event id, unique when given

    @property
    def duration_s(self) -> float | None:
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()


@dataclass
class OutboxItem:
    id: int
    channel: str
    kind: str
    payload: dict[str, Any]
    dedupe_key: str
    status: str  # pending | sent | dead
    attempts: int  # delivery attempts started (claim_due increments it)
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None = None
    last_error: str | None = None


@dataclass
class LockRow:
    name: str
    holder: str
    acquired_at: datetime
    expires_at: datetime
