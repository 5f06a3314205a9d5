"""The :class:`Store` implementation (the API is documented in :mod:`stormguard.store`).

Design notes, the *why*:

* Every public method is one short transaction on a pooled connection, so a Store can be
  shared by a collector's worker threads, and a crash loses at most the statement in flight.
* On SQLite, pysqlite's own implicit transactions are switched off and we emit ``BEGIN`` or
  ``BEGIN IMMEDIATE`` ourselves: a write transaction takes the write lock up front, so two
  processes never deadlock upgrading a read lock, and ``busy_timeout`` makes the loser wait
  instead of failing. WAL lets readers (the report, ``stormguard history``) run during writes.
* A run's snapshots are written as the run goes, but only runs finished ``ok``/``partial``
  count as "current": the status flip is one UPDATE, so all of a run's snapshots become
  visible at once, and a crashed run's rows are never read as the fleet's latest state.
* Outbox claims and locks are single guarded UPDATEs (plus ``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL), which is what makes them safe between processes and hosts.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import socket
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import (
    Connection,
    Text,
    cast,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from stormguard.errors import StormguardError
from stormguard.findings import Finding, Waiver
from stormguard.store import models as m
from stormguard.store.records import (
    COMMITTED_STATUSES,
    DeviceRow,
    FailureRow,
    LockRow,
    OutboxItem,
    RunRow,
    SnapshotRow,
    StormEventRow,
)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
FINISH_STATUSES = ("ok", "partial", "failed", "interrupted")
STORM_FIELDS = frozenset(
    {"pps", "peak_pps", "frames", "vlans", "classes", "top_sources", "evidence", "coverage",
     "pcap_path", "updated_at", "host", "iface"}
)
COUNT_KEYS = {"severity": m.FindingModel.severity, "rule": m.FindingModel.rule,
              "site": m.FindingModel.site, "device": m.FindingModel.device}
_WAIVER_FIELDS = frozenset(Waiver.__dataclass_fields__)


def _json_column(value: Any) -> Any:
    """A JSON column read as text (None or JSON ``null`` when empty)."""
    if value is None or value == "null":
        return None
    if not isinstance(value, str):  # a driver that decodes JSON itself
        return value
    return json.loads(value)


_PG_MIGRATION_LOCK = 0x5747_0001  # pg_advisory_xact_lock key: one schema upgrade at a time

runs_t = m.RunModel.__table__
devices_t = m.DeviceModel.__table__
blobs_t = m.BlobModel.__table__
snaps_t = m.SnapshotModel.__table__
fail_t = m.FailureModel.__table__
find_t = m.FindingModel.__table__
waiv_t = m.WaiverModel.__table__
storm_t = m.StormEventModel.__table__
outbox_t = m.OutboxModel.__table__
locks_t = m.LockModel.__table__


class StoreError(StormguardError):
    """The database cannot be opened or used (message names the URL, never its password)."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message


def _reason(exc: SQLAlchemyError) -> str:
    """One line from a driver error: its first line, without SQLAlchemy's SQL, parameters and
    background link (parameters may hold config text, and the DETAIL line key values)."""
    orig = getattr(exc, "orig", None)
    text_ = (str(orig) if orig is not None else str(exc)).strip()
    return (text_.splitlines() or [type(exc).__name__])[0].strip() or type(exc).__name__


def utcnow() -> datetime:
    return datetime.now(UTC)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, set | frozenset | tuple):
        return sorted(obj, key=str) if isinstance(obj, set | frozenset) else list(obj)
    if isinstance(obj, bytes):
        return obj.decode("utf-8", "replace")
    raise TypeError(f"cannot store a {type(obj).__name__} as JSON")


def _lenient_default(obj: Any) -> Any:
    try:
        return _json_default(obj)
    except TypeError:
        return str(obj)  # e.g. a VlanSet in Finding.extra: its text form is what a reader wants


def _jsonable(obj: Any, *, lenient: bool = False) -> Any:
    """A deep copy of `obj` made of JSON types only. Strict mode raises TypeError on anything
    odd (callers' own data: summaries, storm fields); lenient mode stores its str()."""
    return json.loads(json.dumps(obj, default=_lenient_default if lenient else _json_default))


def _process_start(pid: int) -> int | None:
    """Start time of `pid` in clock ticks since boot (Linux), to tell a reused PID apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    if fields and fields[0] == "Z":  # zombie: dead, just not reaped yet
        return -1
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


def _pid_alive(pid: int, start: int | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    now_start = _process_start(pid)
    if now_start == -1:
        return False
    return not (start is not None and now_start is not None and now_start != start)


_SECRET_QUERY_KEYS = ("pass", "secret", "token", "key")


def _masked(url: str) -> str:
    """The URL for messages: password, secret-looking query values (``?password=``) and, for a
    password with a bare ``@`` (which makes the rest of it look like the host), all but the
    scheme hidden."""
    try:
        u = make_url(url)
        if u.host and "@" in u.host:
            return f"{u.drivername}://***"
        if u.query:
            u = u.set(query={k: ("***" if any(s in k.lower() for s in _SECRET_QUERY_KEYS)
                                 else v) for k, v in u.query.items()})
        return u.render_as_string(hide_password=True).replace("%2A%2A%2A", "***")
    except Exception:  # an unparsable URL: show only its scheme
        return url.split(":", 1)[0] + ":..."


class Store:
    """Handle on one stormguard database. Create with :meth:`Store.open`."""

    def __init__(self, engine: Engine, url: str, *, keep_secrets: bool = False) -> None:
        self._engine = engine
        self.url = _masked(url)
        self.dialect = engine.dialect.name
        self._me_host = socket.gethostname()
        #: store configs as collected (``store: keep_secrets: true``); else masked on the way in
        self.keep_secrets = keep_secrets
        #: a SQLite file or directory this process cannot write: opened for reading only
        self.read_only = bool(getattr(engine, "sg_read_only", False))

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, url: str | None = None, *, upgrade: bool = True, recover: bool = True,
             keep_secrets: bool | None = None) -> Store:
        """`keep_secrets` None: the ``store.keep_secrets`` setting in effect (default: mask)."""
        if url is None:
            from stormguard.settings import database_url

            url = database_url()
        if keep_secrets is None:
            from stormguard.errors import ConfigError
            from stormguard.secrets_mask import keep_secrets_setting

            try:
                keep_secrets = keep_secrets_setting()
            except ConfigError:  # a broken setting never keeps secrets (callers that load the
                keep_secrets = False  # config themselves pass the value and see the error)
        engine = _make_engine(url)
        store = cls(engine, url, keep_secrets=keep_secrets)
        try:
            if store.read_only:  # reads (report, history, diff) work; nothing is written
                if upgrade:
                    store.check_schema_current()
            else:
                if upgrade:
                    store.upgrade()
                if recover and (upgrade or store.current_revision() is not None):
                    store.mark_orphaned_runs()
        except (SQLAlchemyError, StoreError) as exc:  # unreachable server, not a database...
            engine.dispose()
            reason = exc.reason if isinstance(exc, StoreError) else _reason(exc)
            raise StoreError(f"cannot open the store at {store.url}: {reason}", reason) from None
        except Exception as exc:
            engine.dispose()
            from alembic.util.exc import CommandError

            if isinstance(exc, CommandError):  # e.g. a schema newer than this stormguard
                raise StoreError(f"cannot upgrade the store at {store.url}: {exc} "
                                 "(is the database from a newer stormguard?)") from None
            raise
        return store

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        """For tools and tests (Alembic, dumps); application code uses the methods."""
        return self._engine

    def alembic_config(self):  # -> alembic.config.Config
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", "")
        return cfg

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to `revision`; concurrent openers wait for each other."""
        from alembic import command

        cfg = self.alembic_config()
        with self._tx(write=True) as conn:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

    def check_schema_current(self) -> None:
        """For a read-only store: refuse, in one line, a schema this stormguard cannot read."""
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self.alembic_config()).get_current_head()
        current = self.current_revision()
        if current != head:
            raise StoreError(f"the store is read-only and its schema is at revision "
                             f"{current or '(empty)'}, not {head}: run `stormguard db upgrade` "
                             "as a user who can write it")

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self._tx(write=False) as conn:
            return MigrationContext.configure(conn).get_current_revision()

    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[Connection]:
        # Every method goes through here, so this is the one place where a driver error (server
        # gone, disk full, read-only file, locked too long) becomes a one-line StoreError.
        try:
            with self._engine.connect() as conn:
                if self.dialect == "sqlite":
                    conn.execution_options(sg_immediate=write)
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            reason = _reason(exc)
            raise StoreError(f"database error at {self.url}: {reason}", reason) from exc

    # ------------------------------------------------------------------ runs
    def start_run(self, kind: str, trigger: str = "manual", *, site: str | None = None) -> int:
        """A new run of `kind`; `site` is the site whose daemon runs it (None: no sites)."""
        now = utcnow()
        with self._tx() as c:
            res = c.execute(insert(runs_t).values(
                kind=kind, site=site, trigger=trigger, status="running", started_at=now,
                finished_at=None, heartbeat_at=now, owner_host=self._me_host,
                owner_pid=os.getpid(), owner_start=_process_start(os.getpid()),  # fork-safe
                audited=False, summary={}))
            return int(res.inserted_primary_key[0])

    def heartbeat(self, run_id: int) -> None:
        with self._tx() as c:
            c.execute(update(runs_t).where(runs_t.c.id == run_id, runs_t.c.status == "running")
                      .values(heartbeat_at=utcnow()))

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any] | None = None) -> None:
        if status not in FINISH_STATUSES:
            raise ValueError(f"finish_run: status must be one of {FINISH_STATUSES}, not {status!r}")
        values: dict[str, Any] = {"status": status, "finished_at": utcnow()}
        if summary is not None:
            values["summary"] = _jsonable(summary)
        with self._tx() as c:
            res = c.execute(update(runs_t).where(runs_t.c.id == run_id).values(**values))
            if res.rowcount != 1:
                raise StoreError(f"run {run_id} does not exist")

    def update_run_summary(self, run_id: int, patch: dict[str, Any]) -> dict[str, Any]:
        """Merge `patch` into the run's summary (top-level keys replaced); returns the result.
        Used when a later step (audit, report, notify) adds to a run it did not start."""
        patch = _jsonable(patch)
        with self._tx() as c:
            row = c.execute(select(runs_t.c.summary).where(runs_t.c.id == run_id)).first()
            if row is None:
                raise StoreError(f"run {run_id} does not exist")
            summary = {**(row.summary or {}), **patch}
            c.execute(update(runs_t).where(runs_t.c.id == run_id).values(summary=summary))
        return summary

    def mark_orphaned_runs(self, stale_after_s: float = 900.0) -> list[int]:
        now = utcnow()
        with self._tx(write=False) as c:
            rows = c.execute(select(runs_t.c.id, runs_t.c.owner_host, runs_t.c.owner_pid,
                                    runs_t.c.owner_start, runs_t.c.heartbeat_at)
                             .where(runs_t.c.status == "running")).all()
        orphans = []
        for rid, host, pid, start, beat in rows:
            if host == self._me_host:
                dead = not _pid_alive(pid, start)
            else:
                dead = beat is None or (now - beat).total_seconds() > stale_after_s
            if dead:
                orphans.append(rid)
        if orphans:
            with self._tx() as c:
                for rid in orphans:
                    row = c.execute(select(runs_t.c.summary).where(runs_t.c.id == rid)).scalar()
                    summary = dict(row or {})
                    summary.setdefault("interrupted_reason", "owner process gone")
                    c.execute(update(runs_t)
                              .where(runs_t.c.id == rid, runs_t.c.status == "running")
                              .values(status="interrupted", finished_at=now, summary=summary))
        return orphans

    @staticmethod
    def _run_row(r: Any) -> RunRow:
        return RunRow(id=r.id, kind=r.kind, trigger=r.trigger, status=r.status,
                      started_at=r.started_at, finished_at=r.finished_at,
                      heartbeat_at=r.heartbeat_at, owner=f"{r.owner_host}:{r.owner_pid}",
                      summary=dict(r.summary or {}), audited=bool(r.audited),
                      site=r.site)

    def list_runs(self, limit: int = 50, kind: str | None = None,
                  site: str | None = None) -> list[RunRow]:
        """Newest first; `site` None means every site."""
        q = select(runs_t).order_by(runs_t.c.id.desc()).limit(limit)
        if kind is not None:
            q = q.where(runs_t.c.kind == kind)
        if site is not None:
            q = q.where(runs_t.c.site == site)
        with self._tx(write=False) as c:
            return [self._run_row(r) for r in c.execute(q)]

    def run_sites(self, kind: str | None = None) -> list[str]:
        """The sites that have runs (of `kind`), sorted; runs without a site are left out."""
        q = select(runs_t.c.site).where(runs_t.c.site.is_not(None)).distinct()
        if kind is not None:
            q = q.where(runs_t.c.kind == kind)
        with self._tx(write=False) as c:
            return sorted(r[0] for r in c.execute(q))

    def get_run(self, run_id: int) -> RunRow | None:
        with self._tx(write=False) as c:
            r = c.execute(select(runs_t).where(runs_t.c.id == run_id)).first()
        return self._run_row(r) if r is not None else None

    def latest_run(self, kind: str | None = None, committed: bool = True,
                   site: str | None = None) -> RunRow | None:
        q = select(runs_t).order_by(runs_t.c.id.desc()).limit(1)
        if kind is not None:
            q = q.where(runs_t.c.kind == kind)
        if site is not None:
            q = q.where(runs_t.c.site == site)
        if committed:
            q = q.where(runs_t.c.status.in_(COMMITTED_STATUSES))
        with self._tx(write=False) as c:
            r = c.execute(q).first()
        return self._run_row(r) if r is not None else None

    def previous_run(self, run_id: int, *, same_kind: bool = True,
                     audited: bool | None = None) -> RunRow | None:
        q = (select(runs_t).where(runs_t.c.id < run_id,
                                  runs_t.c.status.in_(COMMITTED_STATUSES))
             .order_by(runs_t.c.id.desc()).limit(1))
        with self._tx(write=False) as c:
            if same_kind:  # the same job at the same site (a site's night follows its own)
                row = c.execute(select(runs_t.c.kind, runs_t.c.site)
                                .where(runs_t.c.id == run_id)).first()
                if row is None:
                    return None
                q = q.where(runs_t.c.kind == row.kind)
                q = q.where(runs_t.c.site.is_(None) if row.site is None
                            else runs_t.c.site == row.site)
            if audited is not None:
                q = q.where(runs_t.c.audited == audited)
            r = c.execute(q).first()
        return self._run_row(r) if r is not None else None

    # ------------------------------------------------------------------ devices
    def _device_id(self, c: Connection, name: str, platform: str | None,
                   site: str | None = None, hostname: str | None = None) -> int:
        now = utcnow()
        row = c.execute(select(devices_t.c.id).where(devices_t.c.name == name)).first()
        if row is None:
            c.execute(_insert_ignore(self.dialect, devices_t).values(
                name=name, platform=platform or "unknown", site=site, hostname=hostname,
                first_seen=now, last_seen=now))
            return int(c.execute(select(devices_t.c.id)
                                 .where(devices_t.c.name == name)).scalar_one())
        values: dict[str, Any] = {"last_seen": now}
        if platform:
            values["platform"] = platform
        if site is not None:
            values["site"] = site
        if hostname is not None:
            values["hostname"] = hostname
        c.execute(update(devices_t).where(devices_t.c.id == row.id).values(**values))
        return int(row.id)

    def upsert_device(self, name: str, platform: str, site: str | None = None,
                      hostname: str | None = None) -> int:
        with self._tx() as c:
            return self._device_id(c, name, platform, site, hostname)

    def upsert_hosts(self, hosts: Iterable[Any]) -> dict[str, int]:
        """Record inventory hosts (name, platform, site, hostname -- nothing else)."""
        out: dict[str, int] = {}
        with self._tx() as c:
            for h in hosts:
                out[h.name] = self._device_id(c, h.name, h.platform, h.site, h.hostname)
        return out

    @staticmethod
    def _device_row(r: Any) -> DeviceRow:
        return DeviceRow(id=r.id, name=r.name, platform=r.platform, site=r.site,
                         hostname=r.hostname, first_seen=r.first_seen, last_seen=r.last_seen)

    def devices(self) -> list[DeviceRow]:
        with self._tx(write=False) as c:
            return [self._device_row(r) for r in c.execute(select(devices_t)
                                                            .order_by(devices_t.c.name))]

    def get_device(self, name: str) -> DeviceRow | None:
        with self._tx(write=False) as c:
            r = c.execute(select(devices_t).where(devices_t.c.name == name)).first()
        return self._device_row(r) if r is not None else None

    # ------------------------------------------------------------------ snapshots
    def save_snapshot(self, run_id: int, device: str, platform: str, config_text: str,
                      state: dict[str, Any] | None = None,
                      collected_at: datetime | None = None) -> tuple[int, bool]:
        if not self.keep_secrets:  # communities, keys, hashes: masked before they are stored
            from stormguard.secrets_mask import mask_config

            config_text = mask_config(config_text, platform)
        raw = config_text.encode("utf-8")
        sha = hashlib.sha256(raw).hexdigest()
        # JSON-encode before the transaction: a bad state dict fails without touching the DB.
        state_blob = zlib.compress(json.dumps(state or {}, default=_json_default,
                                              sort_keys=True).encode("utf-8"), 6)
        now = utcnow()
        with self._tx() as c:
            if c.execute(select(blobs_t.c.sha256).where(blobs_t.c.sha256 == sha)).first() is None:
                # ON CONFLICT: a concurrent writer (PostgreSQL) may insert the same text first.
                c.execute(_insert_ignore(self.dialect, blobs_t).values(
                    sha256=sha, size=len(raw), compression="zlib", data=zlib.compress(raw, 6),
                    created_at=now))
            dev_id = self._device_id(c, device, platform)
            prev = c.execute(
                select(snaps_t.c.blob_sha256)
                .join(runs_t, runs_t.c.id == snaps_t.c.run_id)
                .where(snaps_t.c.device_id == dev_id,
                       or_(runs_t.c.status.in_(COMMITTED_STATUSES), runs_t.c.id == run_id))
                .order_by(snaps_t.c.id.desc()).limit(1)).scalar()
            changed = prev != sha
            res = c.execute(insert(snaps_t).values(
                run_id=run_id, device_id=dev_id, platform=platform, blob_sha256=sha,
                changed=changed, collected_at=collected_at or now, state=state_blob))
            c.execute(update(runs_t).where(runs_t.c.id == run_id, runs_t.c.status == "running")
                      .values(heartbeat_at=now))
            return int(res.inserted_primary_key[0]), changed

    def _snap_query(self, with_data: bool):
        cols = [snaps_t.c.id, snaps_t.c.run_id, devices_t.c.name.label("device"),
                devices_t.c.site, snaps_t.c.platform, snaps_t.c.blob_sha256, snaps_t.c.changed,
                snaps_t.c.collected_at, blobs_t.c.size, runs_t.c.status.label("run_status")]
        if with_data:
            cols += [blobs_t.c.data, blobs_t.c.compression, snaps_t.c.state]
        return (select(*cols)
                .join(devices_t, devices_t.c.id == snaps_t.c.device_id)
                .join(blobs_t, blobs_t.c.sha256 == snaps_t.c.blob_sha256)
                .join(runs_t, runs_t.c.id == snaps_t.c.run_id))

    @staticmethod
    def _snap_row(r: Any, with_data: bool) -> SnapshotRow:
        row = SnapshotRow(id=r.id, run_id=r.run_id, device=r.device, platform=r.platform,
                          sha256=r.blob_sha256, changed=bool(r.changed),
                          collected_at=r.collected_at, size=int(r.size), site=r.site,
                          run_status=r.run_status)
        if with_data:
            row.text = _unpack(r.data, r.compression)
            row.state = json.loads(zlib.decompress(r.state)) if r.state else {}
        return row

    def _visible(self, run_id: int | None):
        committed = runs_t.c.status.in_(COMMITTED_STATUSES)
        if run_id is None:
            return committed
        return or_(snaps_t.c.run_id == run_id, committed & (snaps_t.c.run_id <= run_id))

    def latest_snapshots(self, device_glob: str | None = None, *,
                         run_id: int | None = None) -> list[SnapshotRow]:
        latest = (select(func.max(snaps_t.c.id).label("sid"))
                  .join(runs_t, runs_t.c.id == snaps_t.c.run_id)
                  .where(self._visible(run_id))
                  .group_by(snaps_t.c.device_id)).subquery()
        q = (self._snap_query(True).join(latest, latest.c.sid == snaps_t.c.id)
             .order_by(devices_t.c.name))
        with self._tx(write=False) as c:
            if device_glob:
                names = [n for n in c.execute(select(devices_t.c.name)).scalars()
                         if fnmatch.fnmatchcase(n, device_glob)]
                if not names:
                    return []
                q = q.where(devices_t.c.name.in_(names))
            rows = c.execute(q).all()
        return [self._snap_row(r, True) for r in rows]

    def snapshot_history(self, device: str, limit: int | None = None) -> list[SnapshotRow]:
        q = (self._snap_query(False).where(devices_t.c.name == device)
             .order_by(snaps_t.c.id.desc()))
        if limit:
            q = q.limit(limit)
        with self._tx(write=False) as c:
            return [self._snap_row(r, False) for r in c.execute(q)]

    def snapshot_at(self, device: str, run_id: int) -> SnapshotRow | None:
        q = (self._snap_query(True)
             .where(devices_t.c.name == device, self._visible(run_id))
             .order_by(snaps_t.c.id.desc()).limit(1))
        with self._tx(write=False) as c:
            r = c.execute(q).first()
        return self._snap_row(r, True) if r is not None else None

    def snapshot_states(self, run_id: int) -> dict[str, tuple[int, str, dict[str, Any]]]:
        """Every device's snapshot as of `run_id` (what :meth:`snapshot_at` answers, device by
        device) in one query, without the config text: name -> (snapshot id, platform,
        stored operational state)."""
        latest = (select(func.max(snaps_t.c.id).label("sid"))
                  .join(runs_t, runs_t.c.id == snaps_t.c.run_id)
                  .join(blobs_t, blobs_t.c.sha256 == snaps_t.c.blob_sha256)
                  .where(self._visible(run_id))
                  .group_by(snaps_t.c.device_id)).subquery()
        q = (select(snaps_t.c.id, devices_t.c.name, snaps_t.c.platform, snaps_t.c.state)
             .join(devices_t, devices_t.c.id == snaps_t.c.device_id)
             .join(latest, latest.c.sid == snaps_t.c.id))
        with self._tx(write=False) as c:
            rows = c.execute(q).all()
        return {name: (sid, platform, json.loads(zlib.decompress(state)) if state else {})
                for sid, name, platform, state in rows}

    def get_snapshot(self, snapshot_id: int) -> SnapshotRow | None:
        with self._tx(write=False) as c:
            r = c.execute(self._snap_query(True).where(snaps_t.c.id == snapshot_id)).first()
        return self._snap_row(r, True) if r is not None else None

    def config_text(self, snapshot_id: int) -> str:
        snap = self.get_snapshot(snapshot_id)
        if snap is None:
            raise StoreError(f"snapshot {snapshot_id} does not exist")
        assert snap.text is not None
        return snap.text

    def blob_stats(self) -> dict[str, int]:
        with self._tx(write=False) as c:
            n, raw, stored = c.execute(select(
                func.count(), func.coalesce(func.sum(blobs_t.c.size), 0),
                func.coalesce(func.sum(func.length(blobs_t.c.data)), 0))).one()
            snaps = c.execute(select(func.count()).select_from(snaps_t)).scalar_one()
        return {"blobs": int(n), "raw_bytes": int(raw), "stored_bytes": int(stored),
                "snapshots": int(snaps)}

    # ------------------------------------------------------------------ failures
    def record_failure(self, run_id: int, device: str, failure_class: str, message: str) -> int:
        now = utcnow()
        with self._tx() as c:
            res = c.execute(insert(fail_t).values(run_id=run_id, device=device,
                                                  failure_class=failure_class,
                                                  message=message[:4000], at=now))
            c.execute(update(runs_t).where(runs_t.c.id == run_id, runs_t.c.status == "running")
                      .values(heartbeat_at=now))
            return int(res.inserted_primary_key[0])

    def failures(self, run_id: int) -> list[FailureRow]:
        with self._tx(write=False) as c:
            rows = c.execute(select(fail_t).where(fail_t.c.run_id == run_id)
                             .order_by(fail_t.c.device, fail_t.c.id)).all()
        return [FailureRow(id=r.id, run_id=r.run_id, device=r.device,
                           failure_class=r.failure_class, message=r.message, at=r.at)
                for r in rows]

    # ------------------------------------------------------------------ findings & waivers
    def save_findings(self, run_id: int, findings: list[Finding]) -> int:
        with self._tx(write=False) as c:
            sites = dict(c.execute(select(devices_t.c.name, devices_t.c.site)).all())
        rows = []
        for f in findings:
            rows.append({
                "run_id": run_id, "device": f.device,
                # a vSwitch bridge "hv1/br0" lives where its host "hv1" lives
                "site": sites.get(f.device) or sites.get(f.device.split("/", 1)[0]),
                "platform": f.platform, "rule": f.rule, "severity": f.severity,
                "interface": f.interface, "line": f.line, "message": f.message,
                "expected": f.expected or "", "actual": f.actual or "",
                "remediation": f.remediation or "", "source": f.source or "",
                "waived": bool(f.waived),
                "waiver": (_jsonable(asdict(f.waiver), lenient=True)
                           if f.waiver is not None else None),
                "extra": _jsonable(f.extra, lenient=True) if f.extra else None,
            })
        with self._tx() as c:
            if c.execute(select(runs_t.c.id).where(runs_t.c.id == run_id)).first() is None:
                raise StoreError(f"run {run_id} does not exist")
            c.execute(delete(find_t).where(find_t.c.run_id == run_id))
            if rows:
                c.execute(insert(find_t), rows)
            c.execute(update(runs_t).where(runs_t.c.id == run_id).values(audited=True))
        return len(rows)

    def findings(self, run_id: int, *, device: str | None = None, brief: bool = False
                 ) -> list[Finding]:
        """The findings of a run, in the order they were saved. `brief`: only what tells
        findings apart across runs (rule, severity, device, platform, interface, line,
        waived), texts left empty: for comparing a run with the one before it."""
        t = find_t.c
        head = [t.rule, t.severity, t.device, t.platform, t.interface, t.line]
        if brief:
            q = select(*head, t.waived)
        else:
            # The JSON columns come back as their text and are decoded here, only when they
            # hold something: a JSON result processor on every row and column (most are empty)
            # was most of the cost of reading a 50,000-finding run.
            q = select(*head, t.message, t.expected, t.actual, t.remediation, t.source,
                       t.waived, t.site, cast(t.waiver, Text), cast(t.extra, Text))
        q = q.where(t.run_id == run_id).order_by(t.id)
        if device is not None:
            q = q.where(t.device == device)
        with self._tx(write=False) as c:
            rows = c.execute(q).all()
        if brief:
            return [Finding(rule=rule, severity=sev, device=dev, platform=plat, interface=iface,
                            line=line, message="", waived=bool(waived))
                    for rule, sev, dev, plat, iface, line, waived in rows]
        out = []
        for (rule, sev, dev, plat, iface, line, message, expected, actual, remediation, source,
             waived, site, waiver_text, extra_text) in rows:
            w = _json_column(waiver_text)
            waiver = (Waiver(**{k: v for k, v in w.items() if k in _WAIVER_FIELDS})
                      if w else None)
            extra = _json_column(extra_text)
            out.append(Finding(rule=rule, severity=sev, device=dev, platform=plat,
                               interface=iface, line=line, message=message, expected=expected,
                               actual=actual, remediation=remediation, source=source,
                               waived=bool(waived), waiver=waiver,
                               extra=dict(extra or {}, site=site) if site
                               else dict(extra or {})))
        return out

    def finding_counts(self, by: str = "severity", *, runs: int = 30,
                       include_waived: bool = False, up_to: int | None = None,
                       site: str | None = None) -> list[tuple[RunRow, dict[str, int]]]:
        if by not in COUNT_KEYS:
            raise ValueError(f"finding_counts: by must be one of {sorted(COUNT_KEYS)}")
        key = COUNT_KEYS[by]
        rq = select(runs_t).where(runs_t.c.audited.is_(True))
        if up_to is None:
            rq = rq.where(runs_t.c.status.in_(COMMITTED_STATUSES))
        else:
            rq = rq.where(runs_t.c.id <= up_to,
                          or_(runs_t.c.status.in_(COMMITTED_STATUSES), runs_t.c.id == up_to))
        if site is not None:
            rq = rq.where(runs_t.c.site == site)
        rq = rq.order_by(runs_t.c.id.desc()).limit(runs)
        with self._tx(write=False) as c:
            if up_to is not None and site is None:  # a site's trend is its own runs only
                up_site = c.execute(select(runs_t.c.site).where(runs_t.c.id == up_to)).scalar()
                if up_site is not None:
                    rq = rq.where(runs_t.c.site == up_site)
            run_rows = [self._run_row(r) for r in c.execute(rq)][::-1]
            ids = [r.id for r in run_rows]
            cq = (select(find_t.c.run_id, key, func.count())
                  .where(find_t.c.run_id.in_(ids)).group_by(find_t.c.run_id, key))
            if not include_waived:
                cq = cq.where(find_t.c.waived.is_(False))
            counts: dict[int, dict[str, int]] = {i: {} for i in ids}
            for rid, k, n in c.execute(cq):
                counts[rid][k if k is not None else ""] = int(n)
        return [(r, counts[r.id]) for r in run_rows]

    def save_waivers(self, run_id: int, waivers: list[Waiver]) -> None:
        rows = [{"run_id": run_id, "rule": w.rule, "device": w.device, "interface": w.interface,
                 "reason": w.reason, "owner": w.owner, "expires": w.expires, "source": w.source}
                for w in waivers]
        with self._tx() as c:
            c.execute(delete(waiv_t).where(waiv_t.c.run_id == run_id))
            if rows:
                c.execute(insert(waiv_t), rows)

    def waivers(self, run_id: int) -> list[Waiver]:
        with self._tx(write=False) as c:
            rows = c.execute(select(waiv_t).where(waiv_t.c.run_id == run_id)
                             .order_by(waiv_t.c.id)).all()
        return [Waiver(rule=r.rule, device=r.device, interface=r.interface, reason=r.reason,
                       owner=r.owner, expires=r.expires, source=r.source) for r in rows]

    # ------------------------------------------------------------------ storm events
    @staticmethod
    def _storm_values(fields: dict[str, Any]) -> dict[str, Any]:
        bad = set(fields) - STORM_FIELDS
        if bad:
            raise ValueError(f"unknown storm event field(s): {', '.join(sorted(bad))}")
        out = {}
        for k, v in fields.items():
            out[k] = _jsonable(v) if k in {"vlans", "classes", "top_sources", "evidence",
                                          "coverage"} else v
        return out

    def create_storm_event(self, iface: str, host: str, started_at: datetime, *,
                           key: str | None = None, **fields: Any) -> int:
        values = {"pps": 0.0, "peak_pps": 0.0, "frames": 0, "vlans": [], "classes": {},
                  "top_sources": [], "evidence": [], "coverage": {}, "pcap_path": None,
                  "updated_at": started_at}
        values.update(self._storm_values(fields))
        with self._tx() as c:
            res = c.execute(insert(storm_t).values(iface=iface, host=host, key=key,
                                                   started_at=started_at, ended_at=None,
                                                   **values))
            return int(res.inserted_primary_key[0])

    def update_storm_event(self, event_id: int, **fields: Any) -> None:
        values = self._storm_values(fields)
        values.setdefault("updated_at", utcnow())
        with self._tx() as c:
            res = c.execute(update(storm_t).where(storm_t.c.id == event_id).values(**values))
            if res.rowcount != 1:
                raise StoreError(f"storm event {event_id} does not exist")

    def end_storm_event(self, event_id: int, ended_at: datetime, **fields: Any) -> None:
        values = self._storm_values(fields)
        values.setdefault("updated_at", ended_at)
        with self._tx() as c:
            res = c.execute(update(storm_t).where(storm_t.c.id == event_id)
                            .values(ended_at=ended_at, **values))
            if res.rowcount != 1:
                raise StoreError(f"storm event {event_id} does not exist")

    @staticmethod
    def _storm_row(r: Any) -> StormEventRow:
        return StormEventRow(id=r.id, iface=r.iface, host=r.host, started_at=r.started_at,
                             updated_at=r.updated_at, ended_at=r.ended_at, pps=r.pps,
                             peak_pps=r.peak_pps, frames=int(r.frames), vlans=list(r.vlans or []),
                             classes=dict(r.classes or {}), top_sources=list(r.top_sources or []),
                             evidence=list(r.evidence or []),
                             coverage=r.coverage if r.coverage is not None else {},
                             pcap_path=r.pcap_path, key=r.key)

    def get_storm_event(self, event_id: int) -> StormEventRow | None:
        with self._tx(write=False) as c:
            r = c.execute(select(storm_t).where(storm_t.c.id == event_id)).first()
        return self._storm_row(r) if r is not None else None

    def storm_event_by_key(self, key: str) -> StormEventRow | None:
        with self._tx(write=False) as c:
            r = c.execute(select(storm_t).where(storm_t.c.key == key)).first()
        return self._storm_row(r) if r is not None else None

    def storm_events(self, since: datetime | None = None, until: datetime | None = None, *,
                     iface: str | None = None, open_only: bool = False) -> list[StormEventRow]:
        q = select(storm_t).order_by(storm_t.c.started_at, storm_t.c.id)
        if until is not None:
            q = q.where(storm_t.c.started_at <= until)
        if since is not None:
            q = q.where(or_(storm_t.c.ended_at.is_(None), storm_t.c.ended_at >= since))
        if iface is not None:
            q = q.where(storm_t.c.iface == iface)
        if open_only:
            q = q.where(storm_t.c.ended_at.is_(None))
        with self._tx(write=False) as c:
            return [self._storm_row(r) for r in c.execute(q)]

    # ------------------------------------------------------------------ alert outbox
    def enqueue(self, channel: str, kind: str, payload: dict[str, Any], dedupe_key: str, *,
                not_before: datetime | None = None) -> tuple[int, bool]:
        now = utcnow()
        with self._tx() as c:
            res = c.execute(_insert_ignore(self.dialect, outbox_t,
                                           ["channel", "dedupe_key"]).values(
                channel=channel, kind=kind, payload=_jsonable(payload), dedupe_key=dedupe_key,
                status="pending", attempts=0, next_attempt_at=not_before or now,
                lease_until=None, created_at=now, sent_at=None, last_error=None)
                .returning(outbox_t.c.id))
            created = res.first() is not None
            item_id = c.execute(select(outbox_t.c.id).where(
                outbox_t.c.channel == channel, outbox_t.c.dedupe_key == dedupe_key)).scalar_one()
        return int(item_id), created

    @staticmethod
    def _outbox_row(r: Any) -> OutboxItem:
        return OutboxItem(id=r.id, channel=r.channel, kind=r.kind, payload=dict(r.payload),
                          dedupe_key=r.dedupe_key, status=r.status, attempts=int(r.attempts),
                          next_attempt_at=r.next_attempt_at, created_at=r.created_at,
                          sent_at=r.sent_at, last_error=r.last_error)

    def claim_due(self, now: datetime | None = None, limit: int = 50, *,
                  lease_s: float = 60.0,
                  channels: Iterable[str] | None = None) -> list[OutboxItem]:
        """Lease due outbox items; `channels` restricts it to the channels this process can
        deliver (several daemons share one store, each with its own channels)."""
        now = now or utcnow()
        q = (select(outbox_t.c.id)
             .where(outbox_t.c.status == "pending", outbox_t.c.next_attempt_at <= now,
                    or_(outbox_t.c.lease_until.is_(None), outbox_t.c.lease_until < now))
             .order_by(outbox_t.c.id).limit(limit))
        if channels is not None:
            names = list(channels)
            if not names:
                return []
            q = q.where(outbox_t.c.channel.in_(names))
        if self.dialect == "postgresql":
            q = q.with_for_update(skip_locked=True)
        with self._tx() as c:
            ids = list(c.execute(q).scalars())
            if not ids:
                return []
            c.execute(update(outbox_t).where(outbox_t.c.id.in_(ids))
                      .values(lease_until=now + timedelta(seconds=lease_s),
                              attempts=outbox_t.c.attempts + 1))
            rows = c.execute(select(outbox_t).where(outbox_t.c.id.in_(ids))
                             .order_by(outbox_t.c.id)).all()
        return [self._outbox_row(r) for r in rows]

    def mark_sent(self, item_id: int) -> None:
        with self._tx() as c:
            c.execute(update(outbox_t).where(outbox_t.c.id == item_id)
                      .values(status="sent", sent_at=utcnow(), lease_until=None))

    def mark_failed(self, item_id: int, error: str, next_attempt_at: datetime | None) -> None:
        values: dict[str, Any] = {"last_error": error[:2000], "lease_until": None}
        if next_attempt_at is None:
            values["status"] = "dead"
        else:
            values.update(status="pending", next_attempt_at=next_attempt_at)
        with self._tx() as c:
            c.execute(update(outbox_t).where(outbox_t.c.id == item_id).values(**values))

    def outbox(self, status: str | None = None, limit: int = 500) -> list[OutboxItem]:
        q = select(outbox_t).order_by(outbox_t.c.id).limit(limit)
        if status is not None:
            q = q.where(outbox_t.c.status == status)
        with self._tx(write=False) as c:
            return [self._outbox_row(r) for r in c.execute(q)]

    # ------------------------------------------------------------------ locks
    def acquire_lock(self, name: str, holder: str, ttl_s: float) -> bool:
        now = utcnow()
        exp = now + timedelta(seconds=ttl_s)
        with self._tx() as c:
            res = c.execute(update(locks_t)
                            .where(locks_t.c.name == name,
                                   or_(locks_t.c.expires_at < now, locks_t.c.holder == holder))
                            .values(holder=holder, acquired_at=now, expires_at=exp))
            if res.rowcount == 1:
                return True
            res = c.execute(_insert_ignore(self.dialect, locks_t).values(
                name=name, holder=holder, acquired_at=now, expires_at=exp)
                .returning(locks_t.c.name))
            return res.first() is not None

    def renew_lock(self, name: str, holder: str, ttl_s: float) -> bool:
        exp = utcnow() + timedelta(seconds=ttl_s)
        with self._tx() as c:
            res = c.execute(update(locks_t)
                            .where(locks_t.c.name == name, locks_t.c.holder == holder)
                            .values(expires_at=exp))
            return res.rowcount == 1

    def release_lock(self, name: str, holder: str) -> bool:
        with self._tx() as c:
            res = c.execute(delete(locks_t).where(locks_t.c.name == name,
                                                  locks_t.c.holder == holder))
            return res.rowcount == 1

    def get_lock(self, name: str) -> LockRow | None:
        with self._tx(write=False) as c:
            r = c.execute(select(locks_t).where(locks_t.c.name == name)).first()
        if r is None:
            return None
        return LockRow(name=r.name, holder=r.holder, acquired_at=r.acquired_at,
                       expires_at=r.expires_at)


def _unpack(data: bytes, compression: str) -> str:
    if compression != "zlib":
        raise StoreError(f"unknown blob compression {compression!r}")
    return zlib.decompress(data).decode("utf-8")


def _insert_ignore(dialect: str, table: Any, conflict_cols: list[str] | None = None):
    """INSERT ... ON CONFLICT DO NOTHING, on either backend. Add ``.returning(...)`` to learn
    whether it inserted: rowcount is not reliable for this statement on every driver."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(table)
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table)
    else:
        raise StoreError(f"unsupported database dialect {dialect!r} (use SQLite or PostgreSQL)")
    if conflict_cols:
        return stmt.on_conflict_do_nothing(index_elements=conflict_cols)
    return stmt.on_conflict_do_nothing()


def _make_engine(url: str) -> Engine:
    try:
        u = make_url(url)
    except Exception:
        raise StoreError(f"invalid database URL {_masked(url)!r}") from None
    if u.host and "@" in u.host:  # a password with a bare '@': never let the driver echo it
        raise StoreError(f"invalid database URL {_masked(url)!r}: a reserved character in the "
                         "user name or password ('@', ':', '/', '#', '?') must be "
                         "percent-encoded (e.g. '@' as %40)")
    backend = u.get_backend_name()
    try:
        if backend == "sqlite":
            return _sqlite_engine(u)
        if backend == "postgresql":
            if u.drivername == "postgresql":
                u = u.set(drivername="postgresql+psycopg")
            return create_engine(u, pool_pre_ping=True, pool_size=4, max_overflow=36,
                                 pool_timeout=60, hide_parameters=True)
    except (SQLAlchemyError, ImportError) as exc:
        raise StoreError(f"cannot use database URL {_masked(url)}: {exc}") from None
    raise StoreError(f"unsupported database {backend!r} in {_masked(url)} "
                     "(use sqlite:///PATH or postgresql+psycopg://...)")


def _sqlite_engine(u: Any) -> Engine:
    db = u.database
    memory = not db or db == ":memory:"
    read_only = False
    if not memory:
        path = Path(db).expanduser()
        _create_private(path)
        read_only = _sqlite_read_only(path)
        if read_only:
            # SQLite's URI form: mode=ro never writes; in a directory nobody may write, a WAL
            # database without its -wal/-shm files can only be opened as immutable.
            params = "mode=ro"
            if not os.access(path.parent, os.W_OK) and not Path(f"{path}-shm").exists():
                params += "&immutable=1"
            u = u.set(database=f"file:{quote(str(path))}?{params}", query={"uri": "true"})
        else:
            u = u.set(database=str(path))
    # hide_parameters: bound values (config text, finding messages) never reach an exception.
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30},
                              "hide_parameters": True}
    if memory:
        kwargs["poolclass"] = StaticPool
    else:  # a collector's worker pool (up to ~40 threads) shares one Store
        kwargs.update(pool_size=4, max_overflow=36, pool_timeout=60)
    engine = create_engine(u, **kwargs)
    engine.sg_read_only = read_only  # type: ignore[attr-defined]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see module docstring)
        cur = dbapi_conn.cursor()
        if not memory and not read_only:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sg_immediate", True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# ---------------------------------------------------------------------- file permissions
#: The store holds configurations (and, with keep_secrets, their secrets): owner only.
DIR_MODE = 0o700
FILE_MODE = 0o600


def _create_private(path: Path) -> None:
    """Create the store's directory (0700) and an empty database file (0600) when missing,
    whatever the umask: SQLite would create the file 0644 minus the umask, and SQLite gives
    its -wal and -shm files the mode of the database file."""
    parent = path.parent
    if not parent.exists():
        try:
            parent.mkdir(parents=True, exist_ok=True)
            os.chmod(parent, DIR_MODE)
        except OSError as exc:
            raise StoreError(f"cannot create the directory for {path}: {exc.strerror}") from None
    if path.exists() or not os.access(parent, os.W_OK):
        return  # an existing store is left as it is (`stormguard db upgrade` tightens it)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    except FileExistsError:  # another process created it first
        return
    except OSError as exc:
        raise StoreError(f"cannot create the store file {path}: {exc.strerror}") from None
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def _sqlite_read_only(path: Path) -> bool:
    """True when this process cannot write the database (file or directory read-only, or a
    read-only mount): it is then opened for reading only."""
    if not path.exists():
        return False
    return not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK)


def tighten_permissions(url: str) -> list[str]:
    """Make an existing SQLite store private (directory 0700, files 0600); one message per
    change, naming the path and the old and new mode. A directory that holds other files is
    left as it is (it is not the store's own: /tmp, a home directory) and said so."""
    try:
        u = make_url(url)
    except Exception:
        return []
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return []
    path = Path(u.database).expanduser()
    if not path.exists():
        return []
    said: list[str] = []
    files = [path, *(Path(f"{path}{s}") for s in ("-wal", "-shm", "-journal"))]
    for f in files:
        if not f.exists():
            continue
        mode = stat_mode(f)
        if mode & 0o077:
            os.chmod(f, FILE_MODE)
            said.append(f"{f}: permissions tightened from {mode:04o} to {FILE_MODE:04o}")
    parent = path.parent
    mode = stat_mode(parent)
    if mode & 0o077:
        own = {p.name for p in files}
        others = [e for e in os.listdir(parent) if e not in own]
        if others:
            said.append(f"{parent}: left at {mode:04o}: the directory also holds other files "
                        "(the store's own files are private)")
        else:
            os.chmod(parent, DIR_MODE)
            said.append(f"{parent}: permissions tightened from {mode:04o} to {DIR_MODE:04o}")
    return said


def stat_mode(path: Path) -> int:
    import stat

    return stat.S_IMODE(os.stat(path).st_mode)
