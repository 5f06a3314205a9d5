"""The nightly pipeline: collect -> audit -> report -> notify, as one run in the store.

One run (kind = the job's name, e.g. ``nightly``) holds the snapshots, the collection failures
and the findings, so the report of a night is exactly what was collected that night. Each stage
is recorded in ``run.summary["stages"]`` (status, duration, what it did) as it ends, so
``stormguard status`` and the report can tell where a night went wrong.

Status of the run: ``ok`` (every device collected and audited), ``partial`` (some devices
failed, or the report could not be written), ``failed`` (nothing could be collected),
``interrupted`` (stopped by a signal or a crash; the store's snapshots of an interrupted run are
never read as current). The run is finished right after the audit, so the report and the
notifications see a finished run; they only add to its summary. A notification that cannot be
delivered is retried and recorded (``stormguard.notify``) and never changes the run's status.

Stopping (``stop`` event, set by SIGTERM/SIGINT): devices not yet started are skipped, devices
in flight get up to ``grace_s`` to finish (each is bounded by its own timeout anyway), then the
run is marked interrupted and the later stages do not run.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stormguard.daemon.logging import kv

log = logging.getLogger("stormguard.pipeline")

HEARTBEAT_EVERY_S = 20.0
STAGES = ("collect", "audit", "report", "notify")


class PipelineInterrupted(Exception):
    """The run was stopped (signal) before it could finish; it is marked interrupted.
    ``result`` holds what was done until then."""

    result: PipelineResult | None = None


@dataclass
class PipelineResult:
    run_id: int
    job: str
    status: str = "running"
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    collected: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: dict[str, int] = field(default_factory=dict)  # failure class -> devices
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # device, class, msg
    findings: dict[str, int] = field(default_factory=dict)  # severity -> active findings
    findings_by_rule: dict[str, int] = field(default_factory=dict)
    devices_audited: int = 0
    report_paths: dict[str, str] = field(default_factory=dict)  # format -> file
    notify: list[dict[str, Any]] = field(default_factory=list)
    duration_s: float = 0.0
    error: str = ""

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())

    @property
    def html_report(self) -> str | None:
        return self.report_paths.get("html")


class _Keepalive:
    """Calls ``beat`` every ``every_s`` in a thread while a run is going (heartbeat, lock)."""

    def __init__(self, beat: Callable[[], None], every_s: float) -> None:
        self._beat = beat
        self._every = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="stormguard-keepalive",
                                        daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self._beat()
            except Exception as exc:  # a busy store must not kill the run
                log.warning("heartbeat failed: %s: %s", type(exc).__name__, exc)

    def __enter__(self) -> _Keepalive:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def job_limit(job: Any) -> str | None:
    """The inventory selection of a job: its ``limit`` glob and its ``groups``, combined."""
    terms = []
    if job.limit:
        terms.append(job.limit)
    terms += [f"group:{g}" for g in job.groups]
    return ",".join(terms) or None


def _pool_settings(cfg: Any) -> Any:
    from stormguard.collect.pool import PoolSettings

    c = cfg.collect
    explicit = c.model_fields_set
    return PoolSettings(workers=c.workers,
                        timeout_override=c.timeout_s if "timeout_s" in explicit else None,
                        retries_override=c.retries if "retries" in explicit else None)


def config_site(cfg: Any) -> str | None:
    """The daemon's site (``site:`` in stormguard.yaml, ``--site``), or None (no sites)."""
    return getattr(cfg, "site", None)


def load_hosts(cfg: Any, job: Any) -> list[Any]:
    """The job's hosts from the config's inventory (a ConfigError names file and line); with a
    ``site:``, only the hosts of that site (``site`` of the host, its groups or defaults)."""
    from stormguard.errors import ConfigError
    from stormguard.inventory import load_inventory

    inv = load_inventory(cfg.relative(cfg.inventory))
    for w in inv.warnings:
        log.warning("inventory: %s", w)
    hosts = inv.select(job_limit(job))
    site = config_site(cfg)
    if site is not None:
        everywhere = len(hosts)
        hosts = [h for h in hosts if h.site == site]
        if not hosts:
            raise ConfigError(f"job {job.name}: no device of site {site} in the inventory "
                              f"({everywhere} selected by the job, none with site: {site})")
    if not hosts:
        raise ConfigError(f"job {job.name}: no device in the inventory matches "
                          f"{job_limit(job) or 'the inventory (it is empty)'}")
    return hosts


def register_host_secrets(hosts: list[Any]) -> None:
    """Make the log filter mask every password the collection will use."""
    from stormguard.daemon.logging import register_secret

    for h in hosts:
        # an unset variable is reported by the collector, per device
        with contextlib.suppress(Exception):
            register_secret(h.credentials.password_value(h.name))


def register_config_secrets(cfg: Any) -> None:
    """Mask the config's own secrets (SMTP/alert passwords, webhook tokens) in log lines."""
    from stormguard.daemon.logging import register_secret

    refs = [cfg.notify.email] if cfg.notify.email else []
    refs += list(cfg.alerts.channels)
    for ref in refs:
        with contextlib.suppress(Exception):
            register_secret(ref.resolve_password("config"))
    urls = [h.url for h in cfg.notify.webhooks]
    urls += [c.url for c in cfg.alerts.channels if c.type in ("slack", "webhook")]
    for url in urls:  # a chat webhook's path is its token; short paths ("/alert") are not
        path = (url or "").split("://", 1)[-1].partition("/")[2]
        if len(path) >= 16:
            register_secret(path)


# ------------------------------------------------------------------------------- stages
def _collect(store: Any, run_id: int, hosts: list[Any], cfg: Any, result: PipelineResult,
             stop: threading.Event, grace_s: float, known_hosts: Any) -> bool:
    """Collect `hosts` into run `run_id`. Returns False when stopped before the end."""
    from stormguard.collect.pool import DeviceResult, collect_one
    from stormguard.collect.run import store_result

    settings = _pool_settings(cfg)
    store.upsert_hosts(hosts)
    failed: Counter[str] = Counter()
    pending = list(hosts)
    total = len(pending)
    workers = max(1, min(settings.workers, total))

    def task(host: Any) -> DeviceResult | None:
        if stop.is_set():  # stop taking new devices
            return None
        return collect_one(host, known_hosts, settings, stop=stop)

    def record(res: DeviceResult) -> None:
        stored = store_result(store, run_id, res)
        name = res.host.name
        if stored.failure_class is None:
            result.collected += 1
            if stored.changed:
                result.changed += 1
            else:
                result.unchanged += 1
            log.info("collected %s", name, extra=kv(run=run_id, device=name,
                                                     changed=stored.changed,
                                                     duration_s=round(res.duration_s, 2)))
        else:
            cls = stored.failure_class
            failed[cls] += 1
            result.failures.append((name, cls, stored.message))
            log.warning("collection failed: %s: %s", name, stored.message,
                        extra=kv(run=run_id, device=name, failure_class=cls))

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sg-pipeline")
    futures: dict[Future[DeviceResult | None], Any] = {pool.submit(task, h): h for h in pending}
    outstanding = set(futures)
    deadline: float | None = None
    try:
        while outstanding:
            if stop.is_set() and deadline is None:
                deadline = time.monotonic() + grace_s
                log.warning("stopping: no new devices; %d in flight get %.0f s to finish",
                            sum(1 for f in outstanding if f.running()), grace_s,
                            extra=kv(run=run_id))
            timeout = 0.5 if deadline is None else max(0.0, min(0.5, deadline - time.monotonic()))
            done, outstanding = wait(outstanding, timeout=timeout, return_when=FIRST_COMPLETED)
            for fut in done:
                res = fut.result()
                if res is None:
                    result.skipped += 1
                else:
                    record(res)
            if deadline is not None and time.monotonic() >= deadline and outstanding:
                log.warning("abandoning %d device(s) still in flight", len(outstanding),
                            extra=kv(run=run_id))
                result.skipped += len(outstanding)
                break
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        result.failed = dict(sorted(failed.items()))
    return not stop.is_set() and not outstanding


def _audit(store: Any, run_id: int, cfg: Any, job: Any, result: PipelineResult,
           hosts: list[Any]) -> Any:
    from stormguard.policy import load_policy
    from stormguard.store.audit import audit_snapshots

    policy = load_policy([cfg.relative(p) for p in cfg.policies])
    glob = job.limit if job.limit and not any(c in job.limit for c in ":,") else None
    audit = audit_snapshots(store, run_id, policy, device_glob=glob,
                            devices=[h.name for h in hosts],
                            baseline=getattr(cfg, "baseline", None))
    for err in audit.errors:
        log.warning("audit: %s", err, extra=kv(run=run_id))
    _page_drifts(store, run_id, cfg)
    result.devices_audited = audit.devices
    result.findings = audit.by_severity()
    by_rule: Counter[str] = Counter(f.rule for f in audit.findings if not f.waived)
    result.findings_by_rule = dict(sorted(by_rule.items()))
    return audit


def _page_drifts(store: Any, run_id: int, cfg: Any) -> None:
    """SG601: page new drifts (outside change windows) and resolved ones, once each, through
    the alert outbox; deliver now (the daemon's alert loop retries what fails)."""
    from stormguard.baseline.drift import page_and_deliver

    try:
        queued, sent, failed = page_and_deliver(store, cfg.alerts, cfg.baseline)
        if queued:
            log.info("drift alerts: %d queued, %d sent, %d failed (retried)", queued, sent,
                     failed, extra=kv(run=run_id))
    except Exception as exc:  # alerting never fails the run
        log.error("drift alerts of run %d: %s: %s", run_id, type(exc).__name__, exc,
                  extra=kv(run=run_id))


def report_dir(cfg: Any) -> Path:
    return Path(cfg.relative(cfg.report.dir))


def _report(store: Any, run_id: int, cfg: Any, result: PipelineResult) -> tuple[Any, str | None]:
    from stormguard.report import build_report_data, render

    data = build_report_data(store, run_id)
    out = report_dir(cfg)
    out.mkdir(parents=True, exist_ok=True)
    html = None
    ext = {"html": "html", "md": "md", "json": "json"}
    for fmt in cfg.report.formats:
        text = render(data, fmt)
        if fmt == "html":
            html = text
        path = out / f"report-run-{run_id}.{ext[fmt]}"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        latest = out / f"latest.{ext[fmt]}"
        tmp = latest.with_name(f".{latest.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(latest)
        result.report_paths[fmt] = str(path)
    _prune_reports(out, cfg.report.keep_runs)
    return data, html


def _prune_reports(out: Path, keep: int) -> None:
    """Keep the reports of the newest `keep` runs (the store keeps the data for all of them)."""
    if keep <= 0:
        return
    runs: dict[int, list[Path]] = {}
    for p in out.glob("report-run-*.*"):
        num = p.name.removeprefix("report-run-").split(".", 1)[0]
        if num.isdigit():
            runs.setdefault(int(num), []).append(p)
    for rid in sorted(runs)[:-keep]:
        for p in runs[rid]:
            p.unlink(missing_ok=True)


def _notify(store: Any, cfg: Any, data: Any, html: str | None,
            result: PipelineResult) -> None:
    from stormguard.notify import notify_run

    report_url = None
    if result.html_report:
        report_url = Path(result.html_report).resolve().as_uri()
    results = notify_run(cfg.notify, data, html=html, store=store, report_url=report_url)
    for r in results:
        entry = {"channel": r.channel, "target": r.target, "ok": r.ok,
                 "attempts": len(r.attempts), "error": r.error}
        result.notify.append(entry)
        (log.info if r.ok else log.error)(
            "notify %s to %s: %s", r.channel, r.target, "delivered" if r.ok else r.error,
            extra=kv(run=result.run_id, attempts=len(r.attempts)))


# ------------------------------------------------------------------------------- the run
def run_pipeline(cfg: Any, job: Any, store: Any, *, trigger: str = "manual",
                 stop: threading.Event | None = None, grace_s: float | None = None,
                 known_hosts: Any = None, hosts: list[Any] | None = None,
                 scheduled_for: datetime | None = None,
                 on_start: Callable[[int], None] | None = None,
                 keepalive: Callable[[], None] | None = None) -> PipelineResult:
    """Run `job` (a :class:`stormguard.config.JobConfig`) once; returns what happened.

    Raises :class:`PipelineInterrupted` when `stop` was set during the collection (the run is
    already marked interrupted then). ``on_start(run_id)`` lets the caller track the run (the
    daemon marks it interrupted if it has to exit before the pipeline returns).
    """
    from stormguard.collect.hostkeys import KnownHosts

    stop = stop or threading.Event()
    grace_s = cfg.shutdown_timeout_s if grace_s is None else grace_s
    if hosts is None:
        try:
            hosts = load_hosts(cfg, job)
        except Exception as exc:  # recorded, so `stormguard status` shows why the night failed
            rid = store.start_run(job.name, trigger, site=config_site(cfg))
            store.finish_run(rid, "failed", {"job": job.name, "trigger": trigger,
                                             "error": str(exc), "stages": {}})
            raise
    register_host_secrets(hosts)
    register_config_secrets(cfg)
    if known_hosts is None:
        known_hosts = KnownHosts(cfg.relative(cfg.collect.known_hosts)
                                 if cfg.collect.known_hosts else None)
    steps = [s for s in STAGES if s in job.pipeline]
    t0 = time.monotonic()
    site = config_site(cfg)
    run_id = store.start_run(job.name, trigger, site=site)
    result = PipelineResult(run_id=run_id, job=job.name)
    if on_start is not None:
        on_start(run_id)
    base_summary: dict[str, Any] = {"job": job.name, "trigger": trigger,
                                    "pipeline": steps, "stages": {}}
    if site is not None:
        base_summary["site"] = site
    if scheduled_for is not None:
        base_summary["scheduled_for"] = scheduled_for.astimezone(UTC).isoformat()
    store.update_run_summary(run_id, base_summary)
    log.info("run %d started: job %s (%s), %d device(s)%s", run_id, job.name, trigger,
             len(hosts), f" at site {site}" if site else "",
             extra=kv(run=run_id, job=job.name, trigger=trigger, devices=len(hosts),
                      **({"site": site} if site else {})))

    def beat() -> None:
        store.heartbeat(run_id)
        if keepalive is not None:
            keepalive()

    def stage_done(name: str, started: float, status: str, **info: Any) -> None:
        result.stages[name] = {"status": status, "duration_s": round(time.monotonic() - started,
                                                                     3), **info}
        store.update_run_summary(run_id, {"stages": result.stages})

    def collect_summary() -> dict[str, Any]:
        return {"total": len(hosts), "collected": result.collected, "changed": result.changed,
                "unchanged": result.unchanged, "skipped": result.skipped,
                "failed": dict(result.failed)}

    try:
        with _Keepalive(beat, HEARTBEAT_EVERY_S):
            if "collect" in steps:
                s0 = time.monotonic()
                complete = _collect(store, run_id, hosts, cfg, result, stop, grace_s,
                                    known_hosts)
                stage_done("collect", s0, "ok" if complete and not result.failed else
                           ("interrupted" if not complete else "partial"), **collect_summary())
                if not complete:
                    raise PipelineInterrupted(f"run {run_id}: stopped during collection")
            if "audit" in steps:
                s0 = time.monotonic()
                audit = _audit(store, run_id, cfg, job, result, hosts)
                store.update_run_summary(run_id, audit.summary())
                stage_done("audit", s0, "partial" if audit.errors else "ok",
                           devices=audit.devices, findings=result.findings,
                           errors=len(audit.errors))
            if stop.is_set():
                raise PipelineInterrupted(f"run {run_id}: stopped after the audit")
    except BaseException as exc:
        result.duration_s = time.monotonic() - t0
        interrupted = isinstance(exc, PipelineInterrupted | KeyboardInterrupt | SystemExit)
        result.status = "interrupted" if interrupted else "failed"
        result.error = str(exc) if interrupted else f"{type(exc).__name__}: {exc}"
        reason = "stopped by signal" if interrupted else result.error
        try:
            _finish(store, run_id, result.status, {"collect": collect_summary(),
                                                   "interrupted_reason" if interrupted
                                                   else "error": reason,
                                                   "duration_s": round(result.duration_s, 3)})
        except Exception as store_exc:  # keep the original error; the daemon retries marking
            log.error("run %d: cannot mark it %s: %s", run_id, result.status, store_exc)
        if isinstance(exc, PipelineInterrupted):
            exc.result = result
        log.warning("run %d %s: %s", run_id, result.status, reason,
                    extra=kv(run=run_id, job=job.name, status=result.status))
        raise

    if "collect" in steps:
        status = "ok" if not result.failed else ("partial" if result.collected else "failed")
    else:
        status = "ok"
    if result.stages.get("audit", {}).get("status") == "partial" and status == "ok":
        status = "partial"
    result.status = status
    _finish(store, run_id, status, {"collect": collect_summary(),
                                    "duration_s": round(time.monotonic() - t0, 3)})

    data = html = None
    if "report" in steps:
        s0 = time.monotonic()
        try:
            data, html = _report(store, run_id, cfg, result)
            stage_done("report", s0, "ok", files=result.report_paths)
        except Exception as exc:
            log.error("report of run %d failed: %s: %s", run_id, type(exc).__name__, exc,
                      extra=kv(run=run_id))
            stage_done("report", s0, "failed", error=f"{type(exc).__name__}: {exc}")
            if result.status == "ok":
                result.status = "partial"
                _finish(store, run_id, "partial", None)
    if "notify" in steps:
        s0 = time.monotonic()
        try:
            if data is None:
                from stormguard.report import build_report_data

                data = build_report_data(store, run_id)
            _notify(store, cfg, data, html, result)
            ok = all(n["ok"] for n in result.notify)
            stage_done("notify", s0, "ok" if ok else "failed", deliveries=result.notify)
        except Exception as exc:  # notification never fails the run
            log.error("notify of run %d failed: %s: %s", run_id, type(exc).__name__, exc,
                      extra=kv(run=run_id))
            stage_done("notify", s0, "failed", error=f"{type(exc).__name__}: {exc}")
    result.duration_s = time.monotonic() - t0
    store.update_run_summary(run_id, {"duration_s": round(result.duration_s, 3)})
    log.info("run %d %s in %.1f s: %d collected, %d failed, %d finding(s)", run_id,
             result.status, result.duration_s, result.collected, result.failed_total,
             sum(result.findings.values()),
             extra=kv(run=run_id, job=job.name, status=result.status,
                      findings=result.findings, failed=result.failed,
                      report=result.html_report))
    return result


def _finish(store: Any, run_id: int, status: str, patch: dict[str, Any] | None) -> None:
    """finish_run keeping what the stages already wrote into the summary."""
    if patch:
        store.update_run_summary(run_id, patch)
    row = store.get_run(run_id)
    store.finish_run(run_id, status, row.summary if row else None)
