"""When jobs run: APScheduler cron triggers, a catch-up after downtime, and a lock per job.

* Each enabled job of ``stormguard.yaml`` gets a cron trigger in local time
  (:mod:`stormguard.daemon.cron`), with ``coalesce=True`` (a backlog of missed fire times runs
  once), ``max_instances=1`` (a job never overlaps itself in one daemon) and the job's
  ``misfire_grace_s``.
* APScheduler 3 keeps its jobs in memory, so a night missed while the host was *down* is found
  by looking at the store instead: if the newest fire time within the grace period is later
  than the start of the job's last run, the job runs once at start-up (trigger
  ``startup-catchup``). A job that never ran is not "missed" (a fresh install does not start
  with a nightly run at 10:00).
* Several daemons may share one store (HA pair, or a second one started by mistake): a job runs
  under the store lock ``job:<name>`` (``job:<site>:<name>`` for a daemon with ``site:``: one
  collector per site, one store; sites never wait for each other and catch up on their own
  runs), renewed while the run lasts, so only one of them runs it.
  The holder names host, PID and process start, so a lock left by a daemon killed with SIGKILL
  on this host is taken over at once instead of waiting for its TTL. After taking the lock the
  runner also checks that no run already exists for the same scheduled fire time, so a second
  daemon that fires a moment after the first finished does not repeat the night.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from stormguard.daemon.cron import cron_trigger, last_fire_time, local_timezone
from stormguard.daemon.logging import kv
from stormguard.daemon.pipeline import (
    PipelineInterrupted,
    PipelineResult,
    config_site,
    run_pipeline,
)

log = logging.getLogger("stormguard.scheduler")

LOCK_TTL_S = 90.0
LOCK_RENEW_S = 20.0


def lock_name(job: str, site: str | None = None) -> str:
    """``job:<job>``, or ``job:<site>:<job>`` for a site's daemon: sites never wait for each
    other, two daemons of one site never run its job twice."""
    return f"job:{site}:{job}" if site else f"job:{job}"


def _proc_start(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat[stat.rfind(")") + 2:].split()
    if fields and fields[0] == "Z":
        return ""
    return fields[19] if len(fields) > 19 else ""


def make_holder() -> str:
    """``host:pid:process-start:token``: unique per daemon, and checkable on this host."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_proc_start(pid)}:{secrets.token_hex(3)}"


def holder_dead(holder: str) -> bool:
    """True when `holder` is a process on this host that no longer exists."""
    parts = holder.split(":")
    if len(parts) < 4 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass
    start = _proc_start(pid)
    return start == "" or (parts[2] != "" and start != parts[2])


def acquire_job_lock(store: Any, job: str, holder: str, ttl_s: float = LOCK_TTL_S, *,
                     site: str | None = None) -> bool:
    name = lock_name(job, site)
    if store.acquire_lock(name, holder, ttl_s):
        return True
    row = store.get_lock(name)
    if row is not None and row.holder != holder and holder_dead(row.holder):
        log.warning("taking over lock %s from %s (process gone)", name, row.holder)
        store.release_lock(name, row.holder)
        return store.acquire_lock(name, holder, ttl_s)
    return False


def missed_fire(trigger: Any, last_started: datetime | None, now: datetime,
                grace_s: float) -> datetime | None:
    """The fire time to catch up on at start-up, or None (see the module docstring)."""
    if last_started is None:
        return None
    t = last_fire_time(trigger, now, timedelta(seconds=grace_s))
    if t is None:
        return None
    if last_started.astimezone(UTC) >= t.astimezone(UTC):
        return None
    return t


class LockBusy(Exception):
    """Another daemon (or run-now) holds the job's lock."""

    def __init__(self, job: str, holder: str) -> None:
        super().__init__(f"job {job} is already running ({holder})")
        self.holder = holder


class JobRunner:
    """Runs one job at a time per job name, under the store lock. Thread-safe."""

    def __init__(self, cfg: Any, store: Any, *, stop: threading.Event | None = None,
                 holder: str | None = None,
                 on_result: Callable[[PipelineResult], None] | None = None,
                 on_run_start: Callable[[str, int], None] | None = None) -> None:
        self.cfg = cfg
        self.store = store
        self.stop = stop or threading.Event()
        self.holder = holder or make_holder()
        self.on_result = on_result
        self.on_run_start = on_run_start
        self.jobs = {j.name: j for j in cfg.jobs}
        self.site: str | None = config_site(cfg)  # runs and locks are per site
        self.active: dict[int, str] = {}  # run id -> job, while the pipeline runs
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._busy: set[str] = set()

    def run(self, name: str, trigger: str, scheduled_for: datetime | None = None,
            *, interactive: bool = False) -> PipelineResult | None:
        """Run job `name` now if no one else is running it. ``interactive`` (run-now): raise
        :class:`LockBusy` when it is busy and let pipeline errors through."""
        job = self.jobs[name]
        if self.stop.is_set():
            return None
        with self._lock:
            if name in self._busy:
                log.info("job %s: already running in this daemon, skipped", name)
                return None
            self._busy.add(name)
        try:
            if not acquire_job_lock(self.store, name, self.holder, site=self.site):
                row = self.store.get_lock(lock_name(name, self.site))
                who = row.holder if row else "?"
                if interactive:
                    raise LockBusy(name, who)
                log.info("job %s: skipped, another process holds its lock (%s)", name, who,
                         extra=kv(job=name, trigger=trigger, holder=who))
                return None
            try:
                if scheduled_for is not None and self._already_ran(name, scheduled_for):
                    log.info("job %s: the run for %s exists already, skipped", name,
                             scheduled_for.isoformat(), extra=kv(job=name))
                    return None
                return self._run_locked(job, trigger, scheduled_for, interactive)
            finally:
                try:
                    self.store.release_lock(lock_name(name, self.site), self.holder)
                except Exception as exc:
                    log.warning("job %s: cannot release the lock: %s", name, exc)
        finally:
            with self._lock:
                self._busy.discard(name)
                self._idle.notify_all()

    def _already_ran(self, name: str, scheduled_for: datetime) -> bool:
        want = scheduled_for.astimezone(UTC).isoformat()
        return any((r.summary or {}).get("scheduled_for") == want
                   for r in self.store.list_runs(limit=5, kind=name, site=self.site))

    def _run_locked(self, job: Any, trigger: str, scheduled_for: datetime | None,
                    interactive: bool = False) -> PipelineResult | None:
        lost = threading.Event()

        def renew() -> None:
            if not self.store.renew_lock(lock_name(job.name, self.site), self.holder,
                                         LOCK_TTL_S):
                if not lost.is_set():
                    log.error("job %s: lost its lock (expired and taken); finishing anyway",
                              job.name)
                lost.set()

        def started(run_id: int) -> None:
            with self._lock:
                self.active[run_id] = job.name
            if self.on_run_start is not None:
                self.on_run_start(job.name, run_id)

        result = None
        run_id = None
        try:
            result = run_pipeline(self.cfg, job, self.store, trigger=trigger, stop=self.stop,
                                  scheduled_for=scheduled_for, on_start=started,
                                  keepalive=renew)
            run_id = result.run_id
        except PipelineInterrupted as exc:
            log.warning("job %s: %s", job.name, exc)
            result = exc.result
        except Exception as exc:
            if interactive:
                raise
            log.error("job %s failed: %s: %s", job.name, type(exc).__name__, exc,
                      extra=kv(job=job.name))
        finally:
            with self._lock:
                for rid, jn in list(self.active.items()):
                    if jn == job.name:
                        run_id = run_id or rid
                        del self.active[rid]
        if result is None and run_id is not None:  # interrupted or failed: what the store says
            row = self.store.get_run(run_id)
            if row is not None:
                result = PipelineResult(run_id=run_id, job=job.name, status=row.status,
                                        duration_s=row.duration_s or 0.0,
                                        error=str((row.summary or {}).get(
                                            "interrupted_reason", "")))
        if self.on_result is not None and result is not None:
            try:
                self.on_result(result)
            except Exception as exc:
                log.warning("metrics update failed: %s", exc)
        return result

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job runs; False on timeout."""
        end = datetime.now().timestamp() + timeout
        with self._lock:
            while self._busy:
                left = end - datetime.now().timestamp()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True


class Scheduler:
    """The cron side: an APScheduler BackgroundScheduler firing :class:`JobRunner` jobs."""

    def __init__(self, cfg: Any, runner: JobRunner) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self.cfg = cfg
        self.runner = runner
        self.tz = local_timezone()
        self.jobs = [j for j in cfg.jobs if j.enabled]
        self.triggers = {j.name: cron_trigger(j.cron, self.tz) for j in self.jobs}
        self._sched = BackgroundScheduler(
            timezone=self.tz,
            executors={"default": ThreadPoolExecutor(max(2, len(self.jobs) + 1))},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        for job in self.jobs:
            self._sched.add_job(self._fire, trigger=self.triggers[job.name], args=[job.name],
                                id=job.name, name=job.name, coalesce=True, max_instances=1,
                                misfire_grace_time=job.misfire_grace_s)

    def _fire(self, name: str) -> None:
        job = self.runner.jobs[name]
        now = datetime.now(self.tz)
        scheduled = last_fire_time(self.triggers[name], now + timedelta(seconds=1),
                                   timedelta(seconds=max(60, job.misfire_grace_s)))
        self.runner.run(name, "schedule", scheduled)

    def _catch_up(self, name: str, scheduled: datetime) -> None:
        self.runner.run(name, "startup-catchup", scheduled)

    def start(self) -> list[str]:
        """Start firing; returns the jobs queued for a start-up catch-up."""
        self._sched.start()
        caught = []
        now = datetime.now(self.tz)
        for job in self.jobs:
            last = self.runner.store.list_runs(limit=1, kind=job.name, site=self.runner.site)
            started = last[0].started_at if last else None
            missed = missed_fire(self.triggers[job.name], started, now, job.misfire_grace_s)
            if missed is not None:
                log.info("job %s: missed its run of %s while down; running it now", job.name,
                         missed.isoformat(), extra=kv(job=job.name))
                self._sched.add_job(self._catch_up, trigger="date", run_date=now,
                                    args=[job.name, missed], id=f"{job.name}-catchup",
                                    misfire_grace_time=None)
                caught.append(job.name)
        return caught

    def next_fire_times(self) -> dict[str, datetime | None]:
        out = {}
        for job in self.jobs:
            j = self._sched.get_job(job.name)
            out[job.name] = j.next_run_time if j else None
        return out

    def shutdown(self) -> None:
        """Stop firing (running jobs are stopped through the runner's stop event)."""
        if self._sched.running:
            self._sched.shutdown(wait=False)


def next_fire_times(cfg: Any, now: datetime | None = None) -> dict[str, datetime | None]:
    """Next fire time per enabled job, computed from the config alone (for `status`)."""
    tz = local_timezone()
    now = now or datetime.now(tz)
    return {j.name: cron_trigger(j.cron, tz).get_next_fire_time(None, now)
            for j in cfg.jobs if j.enabled}
