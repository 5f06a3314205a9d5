"""Issue 10, lab: a real storm in the storm lab, seen by the daemon's sniffer, while the lab's
two "switches" (Linux bridges in their own namespaces) log MAC flaps over syslog — sent with
the system's `logger` from inside each switch's namespace over a management link — is one
incident naming both switches, paged once and resolved once.

Everything stays inside the namespaces this test creates: the storm (rate-limited, bounded),
the management links (198.51.100.0/30 and /30 inside the lab), the daemon, the webhook receiver.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from stormguard.testing.stormlab import StormLab

pytestmark = [pytest.mark.netns, pytest.mark.slow]

RECEIVERS = Path(__file__).resolve().parents[1] / "alerts" / "receivers.py"
SYSLOG_PORT = 15514


def _wait(pred, timeout: float, step: float = 0.1) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


class _Proc:
    def __init__(self, lab: StormLab, *cmd: str) -> None:
        self.p = lab.net.popen(lab.listener_ns, *cmd, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               env=dict(os.environ, PYTHONUNBUFFERED="1"))
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(iter(self.p.stdout.readline, "")),
                         daemon=True).start()

    def seen(self, text: str) -> bool:
        return any(text in ln for ln in self.lines)

    def stop(self) -> int:
        if self.p.poll() is None:
            self.p.terminate()
        try:
            return self.p.wait(20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return self.p.wait(5)


def _hooks(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(x)["body"] for x in path.read_text().splitlines() if x.strip()]


def test_lab_storm_plus_switch_syslog_is_one_incident(tmp_path: Path) -> None:
    got = tmp_path / "hooks.jsonl"
    db = tmp_path / "store.db"
    inv = tmp_path / "inventory.yaml"
    inv.write_text("hosts:\n"
                   "  sw-a: {hostname: 198.51.100.1, platform: linux_bridge, site: lab}\n"
                   "  sw-b: {hostname: 198.51.100.5, platform: linux_bridge, site: lab}\n")
    cfg = tmp_path / "stormguard.yaml"
    cfg.write_text(f"""
database_url: sqlite:///{db}
inventory: {inv}
site: lab
jobs: []
metrics: {{enabled: false}}
syslog:
  enabled: true
  listen: ["udp://0.0.0.0:{SYSLOG_PORT}"]
incidents: {{window_s: 30, quiet_s: 4}}
sniffer:
  interfaces: [l0]
  threshold_pps: 2000
  update_interval_s: 1
  evidence_frames: 0
alerts:
  reminder_minutes: 60
  max_backoff_s: 0.5
  channels:
    - {{name: hook, type: webhook, url: "http://127.0.0.1:18080/hook", timeout_s: 1}}
""")
    procs: list[_Proc] = []
    with StormLab(rate_limit=True) as lab:
        n = lab.net
        try:
            n.ip(lab.listener_ns, "link", "set", "lo", "up")
            # out-of-band management links from each switch to the collector
            for sw_ns, sw_if, l_if, sw_ip, l_ip in ((lab.a, "mga", "lma", "198.51.100.1",
                                                     "198.51.100.2"),
                                                    (lab.b, "mgb", "lmb", "198.51.100.5",
                                                     "198.51.100.6")):
                n.add_veth(sw_if, sw_ns, l_if, lab.listener_ns, up=True)
                n.ip(sw_ns, "addr", "add", f"{sw_ip}/30", "dev", sw_if)
                n.ip(lab.listener_ns, "addr", "add", f"{l_ip}/30", "dev", l_if)
            hook = _Proc(lab, sys.executable, str(RECEIVERS), "webhook", "18080", str(got))
            procs.append(hook)
            assert _wait(lambda: hook.seen("ready"), 20), hook.lines
            daemon = _Proc(lab, sys.executable, "-m", "stormguard", "daemon", "--config",
                           str(cfg))
            procs.append(daemon)
            assert _wait(lambda: daemon.seen("syslog listening") and daemon.seen("l0"), 30), \
                daemon.lines
            time.sleep(0.5)
            lab.close_loop()
            assert _wait(lambda: len(_hooks(got)) >= 1, 15), daemon.lines  # the sniffer pages
            # the switches log the flapping host, as a switch's syslog would
            for sw_ns, dst, ports in ((lab.a, "198.51.100.2", ("a1", "a2")),
                                      (lab.b, "198.51.100.6", ("b1", "b2"))):
                for _ in range(3):
                    n.run(sw_ns, "logger", "-n", dst, "-P", str(SYSLOG_PORT), "-d",
                          "--rfc3164", "-t", "bridge",
                          f"%SW_MATM-4-MACFLAP_NOTIF: Host 0253.4700.0001 in vlan 1 is "
                          f"flapping between port {ports[0]} and port {ports[1]}")
            time.sleep(2)
            assert len(_hooks(got)) == 1  # still one page: the syslog joined the incident
            lab.break_loop()
            assert _wait(lambda: len(_hooks(got)) == 2, 30), daemon.lines
            time.sleep(1)
        finally:
            rcs = [p.stop() for p in reversed(procs)]
    assert rcs[0] == 0, daemon.lines  # the daemon exits cleanly on SIGTERM
    firing, resolved = _hooks(got)
    assert (firing["status"], resolved["status"]) == ("firing", "resolved")
    assert firing["key"] == resolved["key"] and firing["key"].startswith("incident-")
    assert {"sw-a", "sw-b", socket.gethostname()} <= set(resolved["devices"])
    assert resolved["sites"] == ["lab"]
    from stormguard.signals.store import SignalStore
    from stormguard.store import Store

    with Store.open(f"sqlite:///{db}") as store:
        (inc,) = SignalStore(store).incidents()
        assert inc.ended_at is not None
        assert inc.evidence["syslog"] == {"mac-flap": 6}
        assert inc.evidence["sniffer"]["storm"] >= 2  # start ... end
        assert {"sw-a/a1", "sw-b/b1"} <= set(inc.ports)
        (storm,) = store.storm_events()  # the sniffer's storm is still recorded as such
        assert storm.ended_at is not None
