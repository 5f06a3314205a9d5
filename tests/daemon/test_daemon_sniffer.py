"""The daemon's sniffer: a real bridge loop (the storm lab, rate-limited), the daemon running
in the listener's namespace, the storm stored, alerted once at start and once at the end, and
visible on the metrics endpoint while it lasts."""

from __future__ import annotations

import json
import os
import signal
import threading
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
