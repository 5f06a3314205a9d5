"""The snapshot store: run history, config snapshots, findings, storm events and the alert outbox.

One :class:`Store` over SQLAlchemy 2, on SQLite (default; WAL, busy_timeout, foreign keys) or
PostgreSQL (``postgresql+psycopg://...``). The schema is managed by Alembic
(``stormguard/store/migrations``) and upgraded automatically by :meth:`Store.open`.
Every method runs in its own short transaction and returns plain dataclasses from
:mod:`stormguard.store.records` (``RunRow``, ``DeviceRow``, ``SnapshotRow``, ``FailureRow``,
``StormEventRow``, ``OutboxItem``, ``LockRow``) -- never live ORM objects. Datetimes are
timezone-aware UTC. A Store is safe to share between threads (a collector's worker pool).
Secrets never reach the store: devices keep name/platform/site/hostname only.

Public API (stable; the collectors, the report, the alerts and the daemon code against it)
------------------------------------------------------------------------------------------
Opening::

    Store.open(url: str | None = None, *, upgrade: bool = True, recover: bool = True) -> Store
        url None -> stormguard.settings.database_url(). Upgrades the schema (Alembic) and, with
        recover=True, marks orphaned runs interrupted (see mark_orphaned_runs).
    store.close();  with Store.open(...) as store: ...
    store.url -> str (password masked);  store.dialect -> "sqlite" | "postgresql"
    Errors opening/using the database: StoreError (a StormguardError: one line, no password).

Runs::

    start_run(kind: str, trigger: str = "manual", *, site: str | None = None) -> int
        status "running"; `site`: the site whose daemon runs it (many sites, one store)
    heartbeat(run_id: int) -> None    # proves the owner is alive (save_snapshot and
                                      # record_failure beat too); call it during long runs
    finish_run(run_id, status: "ok"|"partial"|"failed"|"interrupted", summary: dict | None = None)
    update_run_summary(run_id, patch: dict) -> dict    # merge keys into the run's summary
    mark_orphaned_runs(stale_after_s: float = 900) -> list[int]
        "running" runs whose owner process on this host is gone, or (other hosts) whose
        heartbeat is older than stale_after_s, become "interrupted". Returns their ids.
    list_runs(limit: int = 50, kind: str | None = None, site: str | None = None)
        -> list[RunRow]   # newest first; site None: every site
    run_sites(kind: str | None = None) -> list[str]   # the sites that have runs
    get_run(run_id) -> RunRow | None
    latest_run(kind: str | None = None, committed: bool = True, site=None) -> RunRow | None
    previous_run(run_id, *, same_kind: bool = True, audited: bool | None = None) -> RunRow | None
        the newest committed ("ok"/"partial") run older than run_id (same_kind: of the same
        job and the same site).

Devices (inventory name is the key; credentials are never stored)::

    upsert_device(name, platform, site=None, hostname=None) -> int
    upsert_hosts(hosts: Iterable[inventory.Host]) -> dict[str, int]
    devices() -> list[DeviceRow];  get_device(name) -> DeviceRow | None

Snapshots (content-addressed blobs: sha256 of the UTF-8 text, zlib-compressed, deduplicated)::

    save_snapshot(run_id, device: str, platform: str, config_text: str,
                  state: dict | None = None, collected_at: datetime | None = None)
        -> tuple[int, bool]      # (snapshot_id, changed vs. the previous committed snapshot)
        One transaction: blob (only if new) + device upsert + snapshot row. A snapshot becomes
        "current" only once its run is finished as "ok"/"partial".
    latest_snapshots(device_glob: str | None = None, *, run_id: int | None = None)
        -> list[SnapshotRow]     # with text and state; one per device, sorted by device
        run_id given: as of that run (its own snapshots count even while it is running).
    snapshot_history(device: str, limit: int | None = None) -> list[SnapshotRow]  # newest first,
        every run (run_status tells whether it is committed), text not loaded
    snapshot_at(device: str, run_id: int) -> SnapshotRow | None   # device config as of run_id
    get_snapshot(snapshot_id) -> SnapshotRow | None               # with text and state
    config_text(snapshot_id) -> str
    blob_stats() -> dict  {"blobs", "raw_bytes", "stored_bytes", "snapshots"}

Collection failures::

    record_failure(run_id, device: str, failure_class: str, message: str) -> int
    failures(run_id) -> list[FailureRow]

Findings and waivers (stormguard.findings.Finding / Waiver round-trip)::

    save_findings(run_id, findings: list[Finding]) -> int    # replaces that run's findings;
        marks the run audited (even with an empty list)
    findings(run_id, *, device: str | None = None) -> list[Finding]
    finding_counts(by: "severity"|"rule"|"site"|"device" = "severity", *, runs: int = 30,
                   include_waived: bool = False, up_to: int | None = None,
                   site: str | None = None)
        -> list[tuple[RunRow, dict[str, int]]]
        for the last `runs` audited committed runs, oldest first (trend charts); with up_to,
        runs with id <= up_to, and run up_to itself even while it is still running; only the
        runs of `site`, or of up_to's site when up_to's run has one.
        Findings' `site` comes from the devices table ("hv1/br0" -> host "hv1"); findings()
        puts it in Finding.extra["site"].
    save_waivers(run_id, waivers: list[Waiver]) -> None;  waivers(run_id) -> list[Waiver]

Audit helper (stormguard.store.audit)::

    audit_snapshots(store, run_id, policy, *, device_glob=None, today=None) -> AuditResult
        latest snapshots as of run_id -> parse_config -> engine.audit -> save_findings and
        save_waivers on run_id. Devices are named by inventory name ("hv1/br0" for bridges).
        AuditResult.summary() gives the keys the report reads from run.summary: "devices"
        (audited names), "rules" (active rule ids), plus "audit" counts.

Storm events (the sniffer)::

    create_storm_event(iface, host, started_at, *, key=None, **fields) -> int
    update_storm_event(event_id, **fields) -> None       # fields: pps, peak_pps, frames, vlans,
        classes, top_sources, evidence, coverage, pcap_path, updated_at
    end_storm_event(event_id, ended_at, **fields) -> None
    get_storm_event(event_id) -> StormEventRow | None;  storm_event_by_key(key) -> ... | None
    storm_events(since=None, until=None, *, iface=None, open_only=False) -> list[StormEventRow]
        events overlapping [since, until], oldest first.

Alert outbox (at-least-once delivery; rows are never deleted)::

    enqueue(channel, kind, payload: dict, dedupe_key: str, *, not_before=None) -> tuple[int, bool]
        idempotent on (channel, dedupe_key): returns (id, created).
    claim_due(now=None, limit=50, *, lease_s: float = 60, channels=None) -> list[OutboxItem]
        pending items with next_attempt_at <= now and no live lease; leases them for lease_s
        (another claimer skips them) and increments attempts. `channels`: only those channels
        (a daemon claims only what it can deliver; other sites' daemons share the outbox).
    mark_sent(item_id) -> None
    mark_failed(item_id, error: str, next_attempt_at: datetime | None) -> None
        None: give up (status "dead", kept for the record); else pending again at that time.
    outbox(status: str | None = None, limit: int = 500) -> list[OutboxItem]

Named locks (one job across several daemons sharing a store)::

    acquire_lock(name, holder, ttl_s: float) -> bool    # also True if holder already holds it
    renew_lock(name, holder, ttl_s) -> bool             # False if lost (expired and taken)
    release_lock(name, holder) -> bool
    get_lock(name) -> LockRow | None
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stormguard.store.records import (
    COMMITTED_STATUSES,
    RUN_STATUSES,
    DeviceRow,
    FailureRow,
    LockRow,
    OutboxItem,
    RunRow,
    SnapshotRow,
    StormEventRow,
)

if TYPE_CHECKING:
    from stormguard.store.core import Store, StoreError


def __getattr__(name: str) -> Any:
    """Import SQLAlchemy only when the Store is used (keeps `stormguard lint` and --help fast)."""
    if name in ("Store", "StoreError"):
        from stormguard.store import core

        return getattr(core, name)
    raise AttributeError(f"module 'stormguard.store' has no attribute {name!r}")


__all__ = [
    "COMMITTED_STATUSES",
    "RUN_STATUSES",
    "DeviceRow",
    "FailureRow",
    "LockRow",
    "OutboxItem",
    "RunRow",
    "SnapshotRow",
    "Store",
    "StoreError",
    "StormEventRow",
]
