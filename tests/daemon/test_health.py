"""Daemon health without namespaces: the supervisor restarting real threads with backoff, the
thread hook's one structured line, and the sniffer-down alert through a real store's outbox
(delivered to a real webhook receiver on loopback)."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from stormguard.daemon.health import SnifferWatch, Supervisor, install_thread_hook
from stormguard.daemon.logging import setup_logging
from stormguard.daemon.metrics import Metrics


@pytest.fixture
def json_log() -> Any:
    buf = io.StringIO()
    handler = setup_logging("json", "info", stream=buf)
    try:
        yield buf
    finally:
        logging.getLogger().removeHandler(handler)


def _records(buf: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buf.getvalue().splitlines() if line]


def test_dead_thread_is_one_line_then_restarted_with_backoff(json_log: io.StringIO) -> None:
    old = install_thread_hook()
    metrics = Metrics()
    runs: list[threading.Thread] = []
    failures = [2]  # the first two runs die at once, the third one stays up

    def work() -> None:
        if failures[0] > 0:
            failures[0] -= 1
            raise ValueError("worker broke")
        time.sleep(30)

    def start() -> None:
        t = threading.Thread(target=work, name="stormguard-alerts", daemon=True)
        t.start()
        runs.append(t)

    try:
        start()
        sup = Supervisor(metrics, backoff_max_s=4)
        sup.add("alerts", lambda: runs[-1].is_alive(), start)
        gauge = metrics.registry.get_sample_value
        seen_down = False
        end = time.monotonic() + 15
        while len(runs) < 3 or not runs[-1].is_alive() or sup.components["alerts"].restart_at:
            assert time.monotonic() < end, _records(json_log)
            sup.check()
            if gauge("stormguard_component_up", {"component": "alerts"}) == 0:
                seen_down = True
            time.sleep(0.05)
        sup.check()
    finally:
        threading.excepthook = old
    assert seen_down
    assert gauge("stormguard_component_up", {"component": "alerts"}) == 1
    recs = _records(json_log)
    died = [r for r in recs if r["msg"].startswith("thread stormguard-alerts died")]
    assert len(died) == 2 and died[0]["component"] == "alerts"
    assert died[0]["error"] == "ValueError" and "worker broke" in died[0]["msg"]
    downs = [r["msg"] for r in recs if "is down" in r["msg"]]
    assert downs == ["component alerts is down; restarting in 1 s",
                     "component alerts is down; restarting in 2 s"], downs
    assert sum("component alerts restarted" in r["msg"] for r in recs) == 2


def test_sniffer_down_alert_fires_once_and_resolves(tmp_path: Path,
                                                    json_log: io.StringIO) -> None:
    from stormguard.alerts.dispatcher import Alerter
    from stormguard.config import AlertsConfig
    from stormguard.store import Store

    got: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_a: Any) -> None:
            pass

    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    store = Store.open(f"sqlite:///{tmp_path / 'sg.db'}")
    try:
        cfg = AlertsConfig(channels=[
            {"name": "noc", "type": "webhook",
             "url": f"http://127.0.0.1:{hook.server_address[1]}/h"},
            {"name": "pager", "type": "webhook", "url": "http://127.0.0.1:9/never",
             "min_severity": "critical"}])
        alerter = Alerter(store, cfg, host="sg1", severity="warning")
        watch = SnifferWatch(alerter, "warning", after_s=60, host="sg1")
        t0 = 1_800_000_000.0
        down = {"iface": "eth1", "state": "link-down", "since": t0, "down_since": t0,
                "detail": "no carrier"}
        watch.check([down], now=t0 + 59)
        assert store.outbox() == []  # not yet: 59 s
        watch.check([down], now=t0 + 61)
        watch.check([{**down, "state": "missing", "since": t0 + 62}], now=t0 + 70)
        rows = store.outbox()
        assert [(r.channel, r.kind) for r in rows] == [("noc", "firing")]  # once; no pager
        watch.check([{"iface": "eth1", "state": "watching", "since": t0 + 90,
                      "down_since": None}], now=t0 + 90)
        assert alerter.deliver_due() == (2, 0)
    finally:
        store.close()
        hook.shutdown()
        hook.server_close()
    assert [(a["kind"], a["status"], a["iface"]) for a in got] == [
        ("sniffer-down", "firing", "eth1"), ("sniffer-down", "resolved", "eth1")]
    assert got[0]["title"] == "[SNIFFER DOWN] storm detection off on sg1/eth1"
    assert "link-down (no carrier) for 1.0 min" in got[0]["summary"]
    assert got[0]["key"] == got[1]["key"]
    assert got[1]["title"].startswith("[SNIFFER BACK]")
    lines = [r for r in _records(json_log) if r["msg"].startswith("sniffer alert")]
    assert [r["state"] for r in lines] == ["link-down", "watching"]
