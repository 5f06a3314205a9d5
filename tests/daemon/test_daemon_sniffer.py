"""The daemon's sniffer: a real bridge loop (the storm lab, rate-limited), the daemon running
in the listener's namespace, the storm stored, alerted once at start and once at the end, and
visible on the metrics endpoint while it lasts."""

from __future__ import annotations

import json
import os
import signal
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from daemon_kit import DaemonProc, open_store, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.netns,
              pytest.mark.skipif(os.geteuid() != 0, reason="needs root for namespaces")]


def _metric(body: str, prefix: str) -> float | None:
    for line in body.splitlines():
        if line.startswith(prefix + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_daemon_sniffer_stores_alerts_and_exports_a_storm(tmp_path: Path, daemons) -> None:
    """The `sniffer:` section runs inside the daemon: storm stored, alerted, exported."""
    from stormguard.testing.netns import enter_netns
    from stormguard.testing.stormlab import StormLab

    alerts: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            alerts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_a: Any) -> None:
            pass

    with StormLab(rate_limit=True) as lab:
        with enter_netns(lab.listener_ns):  # the receiver lives where the daemon runs
            hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        threading.Thread(target=hook.serve_forever, daemon=True).start()
        metrics_port = hook.server_address[1] + 1  # the namespace is empty: any port is free
        doc = {
            "database_url": f"sqlite:///{tmp_path / 'sg.db'}",
            "alerts": {"channels": [{"name": "hook", "type": "webhook",
                                     "url": f"http://127.0.0.1:{hook.server_address[1]}/a"}]},
            "metrics": {"enabled": True, "listen": f"127.0.0.1:{metrics_port}"},
            "sniffer": {"interfaces": [lab.listener_if], "threshold_pps": 2000},
        }
        cfg = tmp_path / "stormguard.yaml"
        cfg.write_text(yaml.safe_dump(doc))
        d = DaemonProc(cfg, prefix=["ip", "netns", "exec", lab.listener_ns])
        daemons.append(d)
        try:
            d.wait_for(f"sniffer listening on {lab.listener_if}", 30)
            lab.close_loop()
            d.wait_for("storm storm-start", 10)
            url = f"http://127.0.0.1:{metrics_port}/metrics"
            with enter_netns(lab.listener_ns), urllib.request.urlopen(url, timeout=10) as resp:
                body = resp.read().decode()
            assert _metric(body, 'stormguard_storm_active{iface="l0"}') == 1.0
            assert _metric(body, 'stormguard_storm_events_total{iface="l0"}') == 1.0
            assert (_metric(body, 'stormguard_storm_pps{iface="l0"}') or 0) > 2000
            assert (_metric(body, 'stormguard_sniffer_frames_read_total{iface="l0"}') or 0) > 2000
        finally:
            lab.break_loop()
        d.wait_for("storm storm-end", 15)
        wait_until(lambda: len(alerts) >= 2, 15, what="the firing and resolved alerts")
        d.signal(signal.SIGTERM)
        assert d.wait(30) == 0
        hook.shutdown()
        hook.server_close()

    assert [a["status"] for a in alerts] == ["firing", "resolved"]
    assert alerts[0]["iface"] == "l0" and alerts[0]["key"] == alerts[1]["key"]
    store = open_store(cfg)
    try:
        [event] = store.storm_events()
    finally:
        store.close()
    assert event.iface == "l0" and event.ended_at is not None
    assert event.peak_pps > 2000
    assert "duplicate-frames" in event.evidence


def _metrics_body(ns: str, port: int) -> str:
    from stormguard.testing.netns import enter_netns

    with enter_netns(ns), urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics",
                                                 timeout=10) as resp:
        return resp.read().decode()


def test_daemon_sniffer_states_alerts_and_status(tmp_path: Path, daemons) -> None:
    """A missing interface does not stop the others; it is shown (log, metrics, status),
    alerted on after down_alert_after_s, picked up when it appears (alert resolved); a flap
    of the watched one is one line per change and detection resumes; an unwritable evidence
    directory is a warning at start; every log line stays JSON."""
    import subprocess
    import sys
    import time

    from stormguard.testing.netns import enter_netns
    from stormguard.testing.stormlab import StormLab

    alerts: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            alerts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_a: Any) -> None:
            pass

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the evidence directory's parent should be\n")
    evidence = blocker / "evidence"
    with StormLab(rate_limit=True) as lab:
        with enter_netns(lab.listener_ns):
            hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        threading.Thread(target=hook.serve_forever, daemon=True).start()
        metrics_port = hook.server_address[1] + 1
        doc = {
            "database_url": f"sqlite:///{tmp_path / 'sg.db'}",
            "alerts": {"channels": [{"name": "hook", "type": "webhook",
                                     "url": f"http://127.0.0.1:{hook.server_address[1]}/a"}]},
            "metrics": {"enabled": True, "listen": f"127.0.0.1:{metrics_port}"},
            "sniffer": {"interfaces": ["l0", "l2"], "threshold_pps": 2000,
                        "down_alert_after_s": 2, "retry_max_s": 2,
                        "evidence_dir": str(evidence)},
        }
        cfg = tmp_path / "stormguard.yaml"
        cfg.write_text(yaml.safe_dump(doc))
        d = DaemonProc(cfg, prefix=["ip", "netns", "exec", lab.listener_ns])
        daemons.append(d)
        try:
            warn = d.wait_for("evidence directory", 30)
            assert warn["level"] == "warning" and str(evidence) in warn["msg"]
            d.wait_for("sniffer listening on l0", 30)
            missing = d.wait_for("sniffer not watching l2", 10)
            assert missing["state"] == "missing" and missing["level"] == "warning"
            d.wait_for("daemon started", 30)
            body = _metrics_body(lab.listener_ns, metrics_port)
            assert _metric(body, 'stormguard_sniffer_up{iface="l0"}') == 1.0
            assert _metric(body, 'stormguard_sniffer_up{iface="l2"}') == 0.0
            assert _metric(body, 'stormguard_sniffer_state{iface="l2",state="missing"}') == 1.0
            for comp in ("sniffer", "alerts", "scheduler", "metrics"):
                assert _metric(body, f'stormguard_component_up{{component="{comp}"}}') == 1.0

            # `stormguard status` (same namespace, same config) shows the sniffer states.
            proc = subprocess.run(["ip", "netns", "exec", lab.listener_ns, sys.executable,
                                   "-m", "stormguard", "status", "--config", str(cfg),
                                   "--format", "json"], capture_output=True, text=True,
                                  timeout=60, cwd=tmp_path)
            assert proc.returncode == 0, proc.stderr
            daemon = json.loads(proc.stdout)["daemon"]
            states = {s["iface"]: s["state"] for s in daemon["sniffers"]}
            assert states == {"l0": "watching", "l2": "missing"}, daemon
            assert daemon["components"]["sniffer"] is True
            text = subprocess.run(["ip", "netns", "exec", lab.listener_ns, sys.executable,
                                   "-m", "stormguard", "status", "--config", str(cfg)],
                                  capture_output=True, text=True, timeout=60, cwd=tmp_path)
            assert text.returncode == 0, text.stderr
            assert any(line.split()[:2] == ["l2", "missing"]
                       for line in text.stdout.splitlines()), text.stdout

            # Not watched for longer than down_alert_after_s: an alert of its own.
            wait_until(lambda: any(a.get("kind") == "sniffer-down" for a in alerts), 15,
                       what="the sniffer-down alert")
            down = next(a for a in alerts if a.get("kind") == "sniffer-down")
            assert down["status"] == "firing" and down["iface"] == "l2"
            assert "storm detection off" in down["title"]

            # l2 appears: watched at once, the alert resolved.
            lab.add_listener("l2", peer="lc")
            d.wait_for("sniffer watching l2", 10)
            wait_until(lambda: any(a.get("kind") == "sniffer-down"
                                   and a["status"] == "resolved" for a in alerts), 15,
                       what="the sniffer-down resolution")

            # l0 flaps: one line down, one line back, then a storm is still detected.
            lab.net.link_down(lab.listener_ns, "l0")
            d.wait_for("sniffer not watching l0", 10)
            time.sleep(0.5)
            lab.net.link_up(lab.listener_ns, "l0")
            d.wait_for("sniffer watching l0 after", 10)
            lab.close_loop()
            d.wait_for("storm storm-start", 10)
        finally:
            lab.break_loop()
        d.wait_for("storm storm-end", 15)
        d.signal(signal.SIGTERM)
        assert d.wait(30) == 0
        hook.shutdown()
        hook.server_close()

    raw = [r for r in d.records if r.get("level") == "raw"]
    assert raw == [], raw  # every line JSON: no traceback, no stray print
    l0_lines = [r["msg"] for r in d.records if r.get("iface") == "l0"
                and ("sniffer watching" in r["msg"] or "sniffer not watching" in r["msg"])]
    assert len(l0_lines) == 3, l0_lines
    assert l0_lines[0] == "sniffer watching l0"
    assert l0_lines[1] == "sniffer not watching l0: link-down (administratively down)"
    assert l0_lines[2].startswith("sniffer watching l0 after")
    storm_alerts = [a for a in alerts if a.get("kind") == "storm"]
    assert [a["status"] for a in storm_alerts][:1] == ["firing"]


class _Lines:
    """A stream for the JSON log handler that keeps every line (thread-safe enough)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._buf = ""

    def write(self, text: str) -> int:
        self._buf += text
        *done, self._buf = self._buf.split("\n")
        self.lines.extend(done)
        return len(text)

    def flush(self) -> None:
        pass

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in list(self.lines) if line]

    def find(self, text: str) -> dict[str, Any] | None:
        return next((r for r in self.records() if text in r["msg"]), None)


def test_component_failures_are_logged_and_restarted(tmp_path: Path) -> None:
    """Failures injected into real components of an in-process daemon: a storm sink that
    raises once (one line, detection and alerting carry on), the capture thread and the alert
    delivery thread dying (one structured line each, component_up 0, restarted, and the
    sniffer detects the next storm)."""
    import logging
    import time

    from stormguard.config import load_config
    from stormguard.daemon.logging import setup_logging
    from stormguard.daemon.service import Daemon
    from stormguard.testing.netns import enter_netns
    from stormguard.testing.stormlab import StormLab

    out = _Lines()
    handler = setup_logging("json", "info", stream=out)
    try:
        with StormLab(rate_limit=True) as lab:
            doc = {
                "database_url": f"sqlite:///{tmp_path / 'sg.db'}",
                "alerts": {"channels": [{"name": "hook", "type": "webhook",
                                         "url": "http://127.0.0.1:9/unused"}]},
                "metrics": {"enabled": True, "listen": "127.0.0.1:19731"},  # in the lab ns
                "sniffer": {"interfaces": ["l0"], "update_interval_s": 1,
                            "evidence_frames": 0},
            }
            cfg_path = tmp_path / "stormguard.yaml"
            cfg_path.write_text(yaml.safe_dump(doc))
            d = Daemon(load_config(cfg_path, environ={}), install_signals=False)

            def run() -> None:
                with enter_netns(lab.listener_ns):  # every daemon thread lives there
                    d.run()

            runner = threading.Thread(target=run, name="test-daemon", daemon=True)
            runner.start()
            try:
                wait_until(lambda: out.find("daemon started"), 30, what="daemon start")
                engine = d.engines[0]
                up = d.metrics.registry.get_sample_value

                # 1. the storm sink raises once: logged, the storm is still stored.
                sink = engine.on_event
                raised: list[str] = []

                def flaky(ev: Any) -> None:
                    if not raised:
                        raised.append(ev.event)
                        raise RuntimeError("injected sink failure")
                    sink(ev)

                engine.on_event = flaky
                lab.close_loop()
                wait_until(lambda: out.find("not handed over"), 10, what="the sink error line")
                wait_until(lambda: d.store.storm_events(), 10, what="the storm in the store")
                lab.break_loop()
                wait_until(lambda: engine.detectors["l0"].open is None, 10, what="storm end")

                # 2. the capture thread dies on the next link notification.
                monitor = engine._monitor
                drain = monitor.drain
                crashed: list[bool] = []

                def crash_once() -> int:
                    if not crashed:
                        crashed.append(True)
                        raise RuntimeError("injected capture failure")
                    return drain()

                monitor.drain = crash_once
                lab.net.link_down(lab.a, "la")
                lab.net.link_up(lab.a, "la")
                wait_until(lambda: up("stormguard_component_up", {"component": "sniffer"})
                           == 0, 10, step=0.05, what="component_up{sniffer} = 0")
                wait_until(lambda: out.find("component sniffer restarted"), 10,
                           what="the sniffer restart")
                assert up("stormguard_component_up", {"component": "sniffer"}) == 1
                wait_until(lambda: engine.status["l0"].state == "watching", 10,
                           what="watching again")
                starts_before = len(d.store.storm_events())
                closed = time.time()
                lab.close_loop()
                wait_until(lambda: len(d.store.storm_events()) > starts_before, 10, step=0.05,
                           what="a storm detected after the restart")
                latency = time.time() - closed  # an upper bound: stored, polled every 50 ms
                lab.break_loop()

                # 3. the alert delivery thread dies once.
                alerter = d.alerter

                class Flaky(threading.Event):
                    tripped = False

                    def wait(self, timeout: float | None = None) -> bool:
                        if not Flaky.tripped:
                            Flaky.tripped = True
                            raise RuntimeError("injected delivery failure")
                        return super().wait(timeout)

                alerter._wake = Flaky()
                alerter._wake.set()
                wait_until(lambda: out.find("component alerts restarted"), 10,
                           what="the alerts restart")
                assert up("stormguard_component_up", {"component": "alerts"}) == 1

                # 4. a scheduler job that raises: one structured line, the scheduler runs on.
                from datetime import datetime

                def boom() -> None:
                    raise RuntimeError("injected job failure")

                d.scheduler._sched.add_job(boom, trigger="date", run_date=datetime.now(
                    d.scheduler.tz), id="injected")
                wait_until(lambda: out.find("job injected raised"), 10, what="the job error")

                # 5. a scrape whose collector raises once: a 500 and one line; then fine.
                class Bad:
                    fired = False

                    def describe(self) -> list[Any]:
                        return []

                    def collect(self) -> Any:
                        if not Bad.fired:
                            Bad.fired = True
                            raise RuntimeError("injected scrape failure")
                        return iter(())

                d.metrics.registry.register(Bad())
                codes = []
                for _ in range(2):
                    try:
                        with enter_netns(lab.listener_ns), urllib.request.urlopen(
                                "http://127.0.0.1:19731/metrics", timeout=10) as resp:
                            codes.append(resp.status)
                    except urllib.error.HTTPError as exc:
                        codes.append(exc.code)
                assert codes == [500, 200], codes
                assert up("stormguard_component_up", {"component": "metrics"}) == 1

                # 6. the endpoint's serving loop ends: restarted on the same address.
                d.metrics._server.shutdown()
                wait_until(lambda: out.find("component metrics restarted"), 10,
                           what="the metrics restart")
                with enter_netns(lab.listener_ns), urllib.request.urlopen(
                        "http://127.0.0.1:19731/metrics", timeout=10) as resp:
                    assert b'stormguard_component_up{component="metrics"} 1.0' in resp.read()
                assert up("stormguard_component_up", {"component": "scheduler"}) == 1
            finally:
                d.request_stop()
                runner.join(60)
    finally:
        logging.getLogger().removeHandler(handler)

    recs = out.records()  # every line parsed as JSON: nothing else was written
    died = [r for r in recs if r["msg"].startswith("thread ")]
    assert {(r["component"], r["error"]) for r in died} == {
        ("sniffer", "RuntimeError"), ("alerts", "RuntimeError")}, died
    assert all("Traceback" not in r["msg"] for r in recs)
    sink_err = out.find("not handed over")
    assert sink_err is not None and sink_err["level"] == "error"
    assert sink_err["event"] == raised[0] == "storm-start"
    job = out.find("job injected raised")
    assert job is not None and job["component"] == "scheduler" and job["level"] == "error"
    scrape = out.find("metrics scrape failed")
    assert scrape is not None and scrape["error"] == "RuntimeError"
    downs = [r for r in recs if "is down; restarting" in r["msg"]]
    assert {r["component"] for r in downs} == {"sniffer", "alerts", "metrics"}
    assert latency < 1.5, latency
    for r in [*died, *downs, sink_err]:
        print(json.dumps(r))
    print(f"[component-restart] storm latency after the sniffer restart: {latency:.3f} s")
