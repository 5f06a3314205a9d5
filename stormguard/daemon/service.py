"""The daemon's main loop: ``stormguard daemon``.

Start-up, in order (each step logged):

1. open the store: upgrade the schema, then mark the runs whose owner process is gone
   (a daemon killed with SIGKILL, a host that lost power) as interrupted;
2. the Prometheus endpoint (``metrics.listen``), seeded with the last runs from the store;
3. the sniffers the config lists, their events going to the :class:`~stormguard.alerts.
   dispatcher.Alerter` (storm events into the store, alerts through the outbox) and to the
   metrics; an interface that is missing, down or cannot be opened (no CAP_NET_RAW) is
   logged, shown in the metrics and ``stormguard status``, retried with backoff, and alerted
   on after ``sniffer.down_alert_after_s`` (:mod:`stormguard.daemon.health`); an evidence
   directory that cannot be written is a warning naming it;
4. the scheduler, and a start-up catch-up of a night missed while the host was down.

Every second the main loop checks the components (sniffer, alert delivery, scheduler, metrics
endpoint): a dead one is logged as one line, ``stormguard_component_up`` drops to 0, and it is
restarted with backoff. An exception that ends any thread is one structured log line.

SIGTERM / SIGINT: the scheduler stops firing, the running pipeline stops taking new devices and
gives the ones in flight ``shutdown_timeout_s`` to finish, the run is marked interrupted, the
locks are released, the sniffers end their open storm events, and the process exits 0. If a
run is still not done a few seconds after that (a device that ignores every timeout), the daemon
marks it interrupted itself and leaves anyway.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time
from typing import Any

from stormguard.daemon.logging import kv
from stormguard.daemon.pipeline import register_config_secrets

log = logging.getLogger("stormguard.daemon")

EXTRA_GRACE_S = 5.0


class Daemon:
    def __init__(self, cfg: Any, *, install_signals: bool = True) -> None:
        self.cfg = cfg
        self.install_signals = install_signals
        self.stop_requested = threading.Event()  # set by a signal: leave the main loop
        self.pipeline_stop = threading.Event()  # tells running pipelines to stop
        self.store: Any = None
        self.metrics: Any = None
        self.scheduler: Any = None
        self.runner: Any = None
        self.alerter: Any = None
        self.engines: list[Any] = []
        self.metrics_address: tuple[str, int] | None = None
        self.signal_name = ""
        self.supervisor: Any = None
        self.sniffer_watch: Any = None
        self.signals: Any = None  # switch syslog + SNMP + incidents (daemon/signals.py)
        self._old_excepthook: Any = None

    # -- signals ---------------------------------------------------------------------------
    def _on_signal(self, signum: int, _frame: Any) -> None:
        name = signal.Signals(signum).name
        if self.stop_requested.is_set():
            log.warning("%s again: still shutting down", name)
            return
        self.signal_name = name
        self.stop_requested.set()
        self.pipeline_stop.set()

    def request_stop(self) -> None:
        self.stop_requested.set()
        self.pipeline_stop.set()

    # -- start-up --------------------------------------------------------------------------
    def start(self) -> None:
        from stormguard.daemon.health import Supervisor, install_thread_hook
        from stormguard.daemon.metrics import Metrics
        from stormguard.daemon.scheduler import JobRunner, Scheduler
        from stormguard.store import Store

        cfg = self.cfg
        register_config_secrets(cfg)
        if self._old_excepthook is None:
            self._old_excepthook = install_thread_hook()
        url = cfg.resolved_database_url()
        self.store = Store.open(url, upgrade=True, recover=False,
                                keep_secrets=cfg.store.keep_secrets)
        orphans = self.store.mark_orphaned_runs()
        log.info("store %s ready", self.store.url, extra=kv(dialect=self.store.dialect))
        for rid in orphans:
            log.warning("run %d was left running by a process that is gone: "
                        "marked interrupted", rid, extra=kv(run=rid))

        self.metrics = Metrics()
        jobs = [j.name for j in cfg.jobs]
        try:
            self.metrics.load_from_store(self.store, jobs, getattr(cfg, "site", None))
        except Exception as exc:
            log.warning("metrics: cannot load the last runs: %s", exc)
        if cfg.metrics.enabled:
            host, port = self.metrics.serve(cfg.metrics.listen)
            self.metrics_address = (host, port)
            log.info("metrics on http://%s:%d/metrics", host, port)

        self._start_sniffers()

        self.runner = JobRunner(cfg, self.store, stop=self.pipeline_stop,
                                on_result=self._on_result)
        self.scheduler = Scheduler(cfg, self.runner)
        caught = self.scheduler.start()
        self._watch_job_errors()
        self.supervisor = Supervisor(self.metrics)
        self._supervise()
        nxt = self.scheduler.next_fire_times()
        self.metrics.next_runs(nxt)
        for job, t in nxt.items():
            log.info("job %s: next run %s", job, t.isoformat() if t else "never",
                     extra=kv(job=job, catch_up=job in caught))
        log.info("daemon started (pid %d)", os.getpid(),
                 extra=kv(jobs=jobs, sniffers=[i for e in self.engines for i in e.status]))

    # -- health ----------------------------------------------------------------------------
    def _supervise(self) -> None:
        sup = self.supervisor
        for n, engine in enumerate(self.engines):
            name = "sniffer" if n == 0 else f"sniffer{n + 1}"
            sup.add(name, lambda e=engine: e.thread is not None and e.thread.is_alive(),
                    engine.restart)
        if self.alerter is not None:
            a = self.alerter

            def restart_alerts() -> None:
                a._thread = None
                a.start()

            sup.add("alerts", lambda: a._thread is not None and a._thread.is_alive(),
                    restart_alerts)
        if self.signals is not None:
            sig = self.signals
            for name in ("syslog", "snmp"):
                if (name == "syslog" and sig.listener is not None) or (
                        name == "snmp" and sig.poller is not None):
                    sup.add(name, lambda n=name: n not in sig.dead(),
                            lambda n=name: sig.restart(n))
        sup.add("scheduler", self._scheduler_alive, self._restart_scheduler)
        if self.metrics_address is not None:
            sup.add("metrics", self.metrics.alive, self.metrics.restart)

    def _scheduler_alive(self) -> bool:
        sched = getattr(self.scheduler, "_sched", None)
        thread = getattr(sched, "_thread", None)
        return bool(sched is not None and sched.running
                    and (thread is None or thread.is_alive()))

    def _restart_scheduler(self) -> None:
        from stormguard.daemon.scheduler import Scheduler

        with contextlib.suppress(Exception):
            self.scheduler.shutdown()
        self.scheduler = Scheduler(self.cfg, self.runner)
        self.scheduler.start()
        self._watch_job_errors()

    def _watch_job_errors(self) -> None:
        """A job that raises is one structured line (not APScheduler's traceback)."""
        from apscheduler.events import EVENT_JOB_ERROR

        def on_error(ev: Any) -> None:
            exc = ev.exception
            log.error("job %s raised %s: %s", ev.job_id, type(exc).__name__, exc,
                      extra=kv(component="scheduler", job=ev.job_id,
                               error=type(exc).__name__))

        logging.getLogger("apscheduler.executors").setLevel(logging.CRITICAL)
        self.scheduler._sched.add_listener(on_error, EVENT_JOB_ERROR)

    def tick(self) -> None:
        """Once a second from the main loop: restart dead components, sniffer alerts."""
        if self.supervisor is not None:
            self.supervisor.check()
        if self.sniffer_watch is not None:
            for engine in self.engines:
                try:
                    self.sniffer_watch.check(engine.states())
                except Exception as exc:
                    log.error("sniffer watch: %s: %s", type(exc).__name__, exc)

    def _on_result(self, result: Any) -> None:
        self.metrics.on_result(result)
        if self.scheduler is not None:
            self.metrics.next_runs(self.scheduler.next_fire_times())

    def sniffer_plan(self) -> list[tuple[Any, str]]:
        """(engine settings, alert severity) per engine to start: the ``sniffer:`` section,
        one engine for all its interfaces (so a MAC flapping between them is seen)."""
        cfg = self.cfg
        plan = []
        if cfg.sniffer:
            settings = cfg.sniffer_config()
            if settings.interfaces:
                plan.append((settings, cfg.alerts.severity))
        return plan

    def _start_signals(self) -> None:
        """Switch syslog and SNMP, folded with the sniffer's storms into incidents."""
        from stormguard.daemon.signals import SignalSources

        cfg = self.cfg
        hosts: list[Any] = []
        try:
            from stormguard.inventory import load_inventory

            inv = load_inventory(cfg.inventory)
            site = getattr(cfg, "site", None)
            hosts = inv.select(f"site:{site}" if site else None)
        except Exception as exc:  # senders then count as unknown; SNMP has no targets
            log.warning("syslog/snmp: inventory %s not loaded (%s): senders will not be "
                        "matched to devices", cfg.inventory, exc)
        self.signals = SignalSources(cfg, self.store, self.alerter, hosts)
        try:
            self.signals.start()
        except Exception as exc:
            log.error("syslog/snmp not started: %s", exc, extra=kv(component="signals"))
            self.signals.stop()
            self.signals = None

    def _start_sniffers(self) -> None:
        cfg = self.cfg
        plan = self.sniffer_plan()
        incidents = bool(cfg.syslog.enabled or cfg.snmp.enabled)
        if not plan and not cfg.alerts.channels and not incidents:
            return
        from stormguard.alerts.dispatcher import Alerter

        self.alerter = Alerter(self.store, cfg.alerts, severity=cfg.alerts.severity)
        self.alerter.start()  # also delivers what an earlier run left in the outbox
        if incidents:
            self._start_signals()
        if not plan:
            return
        from stormguard.sniffer.engine import Engine

        for settings, severity in plan:
            def sink(ev: Any, _sev: str = severity, _a: Any = self.alerter,
                     _m: Any = self.metrics) -> None:
                _m.on_storm(ev)
                d = ev.to_dict()
                d.setdefault("severity", _sev)
                signals = self.signals
                if signals is not None:  # stored as a storm, paged through its incident
                    _a.on_event(d, page=False)
                    signals.on_storm_event(d)
                else:
                    _a.on_event(d)
                log.warning("storm %s on %s: %.0f pps", d.get("event"), d.get("iface"),
                            float(d.get("pps") or 0), extra=kv(storm=d.get("id"),
                                                               evidence=d.get("evidence")))

            ifaces = list(dict.fromkeys(settings.interfaces))
            if settings.evidence_dir:
                from stormguard.sniffer.evidence import writable_problem

                problem = writable_problem(settings.evidence_dir)
                if problem:
                    log.warning("evidence directory %s is not writable (%s): storms will be "
                                "detected and alerted, but their frames not kept",
                                settings.evidence_dir, problem,
                                extra=kv(evidence_dir=settings.evidence_dir))
            try:
                engine = Engine(settings, sink)
                # missing, down or unopenable interfaces are waited for, not fatal
                engine.open_live(ifaces, wait=True)
            except Exception as exc:
                log.error("sniffer on %s not started: %s", ", ".join(ifaces), exc,
                          extra=kv(ifaces=ifaces))
                continue
            engine.start()
            self.engines.append(engine)
            self.metrics.add_engine(engine, ifaces)
            for iface, st in engine.status.items():
                if st.state == "watching":
                    log.info("sniffer listening on %s", iface, extra=kv(iface=iface))
            if self.sniffer_watch is None:
                from stormguard.daemon.health import SnifferWatch

                self.sniffer_watch = SnifferWatch(self.alerter, severity,
                                                  settings.down_alert_after_s)

    # -- main loop and shutdown ------------------------------------------------------------
    def run(self) -> int:
        old = {}
        if self.install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                old[sig] = signal.signal(sig, self._on_signal)
        try:
            self.start()
            while not self.stop_requested.wait(1.0):
                self.tick()
            log.info("%s received: shutting down", self.signal_name or "stop",
                     extra=kv(timeout_s=self.cfg.shutdown_timeout_s))
        finally:
            self.shutdown()
            for sig, handler in old.items():
                signal.signal(sig, handler)
        return 0

    def shutdown(self) -> None:
        self.pipeline_stop.set()
        if self.scheduler is not None:
            self.scheduler.shutdown()
        if self.runner is not None:
            done = self.runner.wait_idle(self.cfg.shutdown_timeout_s + EXTRA_GRACE_S)
            if not done:
                self._abandon_runs()
        for engine in self.engines:
            try:
                engine.stop()
                engine.close()
            except Exception as exc:
                log.warning("sniffer stop: %s", exc)
        self.engines.clear()
        if self.signals is not None:
            try:
                self.signals.stop()
            except Exception as exc:
                log.warning("syslog/snmp stop: %s", exc)
        if self.alerter is not None:
            with contextlib.suppress(Exception):
                self.alerter.deliver_due()  # one last try for what the storms just queued
            self.alerter.stop()
        if self.metrics is not None:
            self.metrics.close()
        if self.store is not None:
            self.store.close()
        log.info("daemon stopped")
        if self._old_excepthook is not None:
            threading.excepthook = self._old_excepthook
            self._old_excepthook = None

    def _abandon_runs(self) -> None:
        """Runs still going after the grace period: mark them interrupted, drop their locks."""
        from stormguard.daemon.scheduler import lock_name

        for rid, job in list(self.runner.active.items()):
            try:
                row = self.store.get_run(rid)
                if row is not None and row.status == "running":
                    summary = dict(row.summary or {})
                    summary["interrupted_reason"] = "shutdown timeout: run abandoned"
                    self.store.finish_run(rid, "interrupted", summary)
                    log.warning("run %d abandoned after %.0f s: marked interrupted", rid,
                                self.cfg.shutdown_timeout_s, extra=kv(run=rid, job=job))
                self.store.release_lock(lock_name(job, self.runner.site), self.runner.holder)
            except Exception as exc:
                log.error("cannot mark run %d interrupted: %s", rid, exc)


def leave_if_stuck(code: int) -> int:
    """Exit now when worker threads are still alive (a device that ignored every timeout).

    concurrent.futures joins its workers at interpreter exit, daemon threads or not, so one
    stuck SSH read would keep a stopped daemon (or run-now) alive. Their runs are marked
    already; flush the output and leave. Returns `code` when nothing is stuck.
    """
    if any(t.is_alive() for t in threading.enumerate() if t is not threading.current_thread()):
        time.sleep(0.2)
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def run_daemon(cfg: Any) -> int:
    """Run until SIGTERM/SIGINT; exit code 0 on a clean stop."""
    return leave_if_stuck(Daemon(cfg).run())
