"""The daemon's Prometheus endpoint (``prometheus-client``, default ``127.0.0.1:9731``).

What an on-call dashboard needs from stormguard, in its own registry (no default process
collectors from other libraries mixed in, except the standard ``process_*`` ones):

* runs: ``stormguard_runs_total{job,status}``, ``stormguard_run_duration_seconds{job}`` (histogram),
  ``stormguard_last_run_timestamp_seconds{job}``, ``stormguard_last_run_status{job,status}`` (1 for
  the status of the last run), ``stormguard_next_run_timestamp_seconds{job}``;
* collection: ``stormguard_collection_devices{job,result}`` (collected, changed, unchanged,
  skipped, failed) and ``stormguard_collection_failures{job,failure_class}`` of the last run;
* findings of the last audited run: ``stormguard_findings{severity}``,
  ``stormguard_findings_by_rule{rule}``, ``stormguard_devices_audited``;
* sniffers: ``stormguard_sniffer_frames_read_total{iface}``, ``..._dropped_total``,
  ``..._kernel_frames_total`` (capture coverage), ``stormguard_storm_active{iface}``,
  ``stormguard_storm_pps{iface}`` (rate of the open storm), ``stormguard_storm_peak_pps{iface}``,
  ``stormguard_storm_events_total{iface}``;
* sniffer health: ``stormguard_sniffer_up{iface}`` (1 while the interface is watched),
  ``stormguard_sniffer_state{iface,state}`` (1 for the current state: watching, link-down,
  missing, error), ``stormguard_sniffer_state_since_timestamp_seconds{iface}``;
* daemon health: ``stormguard_component_up{component}`` (sniffer, alerts, scheduler, metrics:
  0 while a dead component waits for its restart).

Gauges of the last run are refreshed from the store at start-up, so a restarted daemon does not
report zero findings until the next night.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, Histogram
from prometheus_client import Counter as PCounter
from prometheus_client.core import CounterMetricFamily
from prometheus_client.process_collector import ProcessCollector

from stormguard.findings import SEVERITIES

log = logging.getLogger("stormguard.metrics")

RUN_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200)
COLLECT_RESULTS = ("collected", "changed", "unchanged", "skipped", "failed")
RUN_STATUSES = ("ok", "partial", "failed", "interrupted")


class _SnifferCollector:
    """Reads the capture counters of the running sniffer engines at scrape time."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Any:
        read = CounterMetricFamily("stormguard_sniffer_frames_read",
                                   "Broadcast/multicast frames read by the sniffer",
                                   labels=["iface"])
        dropped = CounterMetricFamily("stormguard_sniffer_frames_dropped",
                                      "Frames the kernel dropped before the sniffer read them",
                                      labels=["iface"])
        kernel = CounterMetricFamily("stormguard_sniffer_kernel_frames",
                                     "Frames the kernel passed the sniffer's filter",
                                     labels=["iface"])
        for engine in list(self.metrics.engines):
            try:
                cov = engine.coverage()
            except Exception:
                continue
            for iface, c in cov.items():
                read.add_metric([iface], float(c.get("read") or 0))
                dropped.add_metric([iface], float(c.get("dropped") or 0))
                kernel.add_metric([iface], float(c.get("kernel") or 0))
        yield read
        yield dropped
        yield kernel
        from prometheus_client.core import GaugeMetricFamily

        from stormguard.sniffer.engine import STATES

        up = GaugeMetricFamily("stormguard_sniffer_up",
                               "1 while the sniffer is watching the interface", labels=["iface"])
        state = GaugeMetricFamily("stormguard_sniffer_state",
                                  "1 for the sniffer's current state on the interface",
                                  labels=["iface", "state"])
        since = GaugeMetricFamily("stormguard_sniffer_state_since_timestamp_seconds",
                                  "When the interface entered its current sniffer state",
                                  labels=["iface"])
        for engine in list(self.metrics.engines):
            try:
                states = engine.states()
            except Exception:
                continue
            for st in states:
                iface = st["iface"]
                up.add_metric([iface], 1.0 if st["state"] == "watching" else 0.0)
                for name in STATES:
                    state.add_metric([iface, name], 1.0 if st["state"] == name else 0.0)
                since.add_metric([iface], float(st["since"]))
        yield up
        yield state
        yield since


class Metrics:
    def __init__(self) -> None:
        from stormguard import __version__

        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        ProcessCollector(registry=r)
        self.engines: list[Any] = []
        self._lock = threading.Lock()
        Gauge("stormguard_info", "stormguard build", ["version"], registry=r).labels(
            __version__).set(1)
        self.runs = PCounter("stormguard_runs", "Pipeline runs finished", ["job", "status"],
                             registry=r)
        self.duration = Histogram("stormguard_run_duration_seconds", "Pipeline run duration",
                                  ["job"], buckets=RUN_BUCKETS, registry=r)
        self.last_ts = Gauge("stormguard_last_run_timestamp_seconds",
                             "When the last run of the job finished", ["job"], registry=r)
        self.last_status = Gauge("stormguard_last_run_status",
                                 "1 for the status of the job's last run", ["job", "status"],
                                 registry=r)
        self.last_duration = Gauge("stormguard_last_run_duration_seconds",
                                   "Duration of the job's last run", ["job"], registry=r)
        self.next_ts = Gauge("stormguard_next_run_timestamp_seconds",
                             "Next scheduled fire time of the job", ["job"], registry=r)
        self.devices = Gauge("stormguard_collection_devices",
                             "Devices of the job's last run by result", ["job", "result"],
                             registry=r)
        self.failures = Gauge("stormguard_collection_failures",
                              "Devices that failed in the job's last run, by failure class",
                              ["job", "failure_class"], registry=r)
        self.findings = Gauge("stormguard_findings",
                              "Active findings of the last audited run by severity",
                              ["severity"], registry=r)
        self.findings_rule = Gauge("stormguard_findings_by_rule",
                                   "Active findings of the last audited run by rule", ["rule"],
                                   registry=r)
        self.audited = Gauge("stormguard_devices_audited",
                             "Devices audited in the last audited run", registry=r)
        self.storm_active = Gauge("stormguard_storm_active",
                                  "1 while a broadcast storm is open on the interface",
                                  ["iface"], registry=r)
        self.storm_pps = Gauge("stormguard_storm_pps",
                               "Broadcast+multicast frames/s of the open storm (0 when none)",
                               ["iface"], registry=r)
        self.storm_peak = Gauge("stormguard_storm_peak_pps", "Peak rate of the last storm",
                                ["iface"], registry=r)
        self.storm_events = PCounter("stormguard_storm_events",
                                     "Storm events opened on the interface", ["iface"],
                                     registry=r)
        self.components = Gauge("stormguard_component_up",
                                "1 while the daemon component runs (0: dead, restart pending)",
                                ["component"], registry=r)
        r.register(_SnifferCollector(self))
        self._server: Any = None
        self._thread: Any = None
        self.listen: str | None = None

    # -- updates -------------------------------------------------------------------------
    def run_finished(self, job: str, status: str, duration_s: float | None,
                     collect: dict[str, Any] | None, findings: dict[str, int] | None,
                     by_rule: dict[str, int] | None, audited: int | None,
                     finished_at: float | None = None, count: bool = True) -> None:
        with self._lock:
            if count:
                self.runs.labels(job, status).inc()
                if duration_s is not None:
                    self.duration.labels(job).observe(duration_s)
            self.last_ts.labels(job).set(finished_at or time.time())
            if duration_s is not None:
                self.last_duration.labels(job).set(duration_s)
            for s in RUN_STATUSES:
                self.last_status.labels(job, s).set(1 if s == status else 0)
            if collect:
                failed = collect.get("failed") or {}
                for res in COLLECT_RESULTS:
                    val = sum(failed.values()) if res == "failed" else collect.get(res, 0)
                    self.devices.labels(job, res).set(float(val or 0))
                self.failures.clear()
                for cls, n in failed.items():
                    self.failures.labels(job, cls).set(n)
            if findings is not None:
                for sev in SEVERITIES:
                    self.findings.labels(sev).set(findings.get(sev, 0))
            if by_rule is not None:
                self.findings_rule.clear()
                for rule, n in by_rule.items():
                    self.findings_rule.labels(rule).set(n)
            if audited is not None:
                self.audited.set(audited)

    def on_result(self, result: Any) -> None:
        """A :class:`~stormguard.daemon.pipeline.PipelineResult` has come back."""
        collect = {"collected": result.collected, "changed": result.changed,
                   "unchanged": result.unchanged, "skipped": result.skipped,
                   "failed": result.failed}
        audited = "audit" in result.stages
        self.run_finished(result.job, result.status, result.duration_s, collect,
                          result.findings if audited else None,
                          result.findings_by_rule if audited else None,
                          result.devices_audited if audited else None)

    def next_runs(self, times: dict[str, Any]) -> None:
        for job, t in times.items():
            if t is not None:
                self.next_ts.labels(job).set(t.timestamp())

    def on_storm(self, event: Any) -> None:
        d = event.to_dict() if hasattr(event, "to_dict") else dict(event)
        iface = str(d.get("iface", "?"))
        kind = d.get("event")
        with self._lock:
            if kind == "storm-start":
                self.storm_events.labels(iface).inc()
            if kind in ("storm-start", "storm-update"):
                self.storm_active.labels(iface).set(1)
                self.storm_pps.labels(iface).set(float(d.get("pps") or 0))
            elif kind == "storm-end":
                self.storm_active.labels(iface).set(0)
                self.storm_pps.labels(iface).set(0)
            self.storm_peak.labels(iface).set(float(d.get("peak_pps") or 0))

    def component_up(self, component: str, up: bool) -> None:
        self.components.labels(component).set(1 if up else 0)

    def alive(self) -> bool:
        """The endpoint's serving thread is running (or the endpoint is off)."""
        return self._server is None or (self._thread is not None and self._thread.is_alive())

    def restart(self) -> None:
        """Serve again on the address bound before (after its thread died)."""
        if self._server is None or self.listen is None:
            return
        host, port = self._server.server_address[:2]
        self.close()
        self.serve(f"[{host}]:{port}" if ":" in host else f"{host}:{port}")

    def add_engine(self, engine: Any, ifaces: list[str]) -> None:
        self.engines.append(engine)
        for iface in ifaces:
            self.storm_active.labels(iface).set(0)
            self.storm_pps.labels(iface).set(0)

    def load_from_store(self, store: Any, jobs: list[str], site: str | None = None) -> None:
        """Last-run gauges from the store, so a restart does not zero the dashboard (a site's
        daemon: its own site's runs)."""
        newest_audited = None
        for job in jobs:
            runs = store.list_runs(limit=1, kind=job, site=site)
            if not runs:
                continue
            r = runs[0]
            if r.status == "running":
                continue
            s = r.summary or {}
            fin = r.finished_at.timestamp() if r.finished_at else None
            self.run_finished(job, r.status, r.duration_s, s.get("collect"), None, None, None,
                              finished_at=fin, count=False)
            if r.audited and (newest_audited is None or r.id > newest_audited.id):
                newest_audited = r
        if newest_audited is not None:
            findings = store.findings(newest_audited.id)
            active = [f for f in findings if not f.waived]
            sev = Counter(f.severity for f in active)
            rules = Counter(f.rule for f in active)
            audited = len((newest_audited.summary or {}).get("devices") or [])
            self.run_finished(newest_audited.kind, newest_audited.status,
                              newest_audited.duration_s, None, dict(sev), dict(rules), audited,
                              count=False,
                              finished_at=newest_audited.finished_at.timestamp()
                              if newest_audited.finished_at else None)

    # -- the endpoint ----------------------------------------------------------------------
    def serve(self, listen: str) -> tuple[str, int]:
        """Start the HTTP endpoint on ``host:port``; returns the address actually bound."""
        from prometheus_client import start_http_server

        from stormguard.errors import ConfigError

        host, _, port_s = listen.rpartition(":")
        host = host.strip("[]") or "127.0.0.1"
        try:
            port = int(port_s)
        except ValueError:
            raise ConfigError(f"metrics.listen {listen!r}: expected HOST:PORT") from None
        try:
            server, _thread = start_http_server(port, addr=host, registry=self.registry)
        except OSError as exc:
            raise ConfigError(f"metrics.listen {listen}: cannot listen: {exc.strerror or exc}"
                              ) from None
        _guard(server)
        self._server = server
        self._thread = _thread
        _thread.name = "stormguard-metrics"
        self.listen = listen
        return host, server.server_address[1]

    def close(self) -> None:
        if self._server is not None:
            if self._thread is not None and self._thread.is_alive():
                self._server.shutdown()
            self._server.server_close()
            self._server = None
            self._thread = None


def _guard(server: Any) -> None:
    """A scrape that fails is one log line and a 500, never a traceback on stderr."""
    app = server.get_app()

    def guarded(environ: dict[str, Any], start_response: Any) -> Any:
        try:
            return app(environ, start_response)
        except Exception as exc:
            log.error("metrics scrape failed: %s: %s", type(exc).__name__, exc,
                      extra={"fields": {"component": "metrics", "error": type(exc).__name__}})
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [b"metrics unavailable, see the daemon log\n"]

    def handle_error(_request: Any, client: Any) -> None:
        import sys

        exc = sys.exc_info()[1]
        log.warning("metrics connection from %s failed: %s: %s", client[0] if client else "?",
                    type(exc).__name__, exc, extra={"fields": {"component": "metrics"}})

    server.set_app(guarded)
    server.handle_error = handle_error
