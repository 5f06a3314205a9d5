"""Issue 5, test 5: a real storm pages once at start and once at resolution, through a real
webhook receiver, an aiosmtpd server and a syslog listener; a webhook that is down during the
storm receives both alerts once it comes back.

Everything runs inside the lab's own listener namespace (its loopback), so no frame and no
alert leaves the namespaces this test creates. The storm is rate-limited (tc tbf) and bounded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from stormguard.testing.stormlab import StormLab

pytestmark = [pytest.mark.netns, pytest.mark.slow]

RECEIVERS = Path(__file__).with_name("receivers.py")


def read_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(ln) for ln in path.read_text().splitlines() if ln.strip()]


def wait_for(pred, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


class Proc:
    """A process in a namespace whose output is drained by threads."""

    def __init__(self, lab: StormLab, *cmd: str) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.p = lab.net.popen(lab.listener_ns, *cmd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, sink in ((self.p.stdout, self.out), (self.p.stderr, self.err)):
            threading.Thread(target=lambda s=stream, k=sink: k.extend(iter(s.readline, "")),
                             daemon=True).start()

    def wait_text(self, text: str, timeout: float = 20) -> None:
        assert wait_for(lambda: any(text in ln for ln in self.out + self.err), timeout), (
            self.out, self.err)

    def stop(self) -> int:
        if self.p.poll() is None:
            self.p.terminate()
        try:
            return self.p.wait(15)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return self.p.wait(5)


def test_real_storm_alerts_once_at_start_and_once_at_resolution(tmp_path: Path) -> None:
    got = tmp_path / "received.jsonl"
    db = tmp_path / "store.db"
    cfg = tmp_path / "stormguard.yaml"
    cfg.write_text(f"""
database_url: sqlite:///{db}
alerts:
  reminder_minutes: 60
  max_backoff_s: 0.5
  channels:
    - {{name: hook, type: webhook, url: "http://127.0.0.1:18080/hook", timeout_s: 1}}
    - {{name: mail, type: email, host: 127.0.0.1, port: 18025, to: [oncall@example.com]}}
    - {{name: log, type: syslog, host: 127.0.0.1, port: 18514, protocol: udp}}
sniffer:
  threshold_pps: 2000
  update_interval_s: 1
""")
    procs: list[Proc] = []
    with StormLab(rate_limit=True) as lab:
        try:
            lab.net.ip(lab.listener_ns, "link", "set", "lo", "up")
            for kind, port in (("smtp", 18025), ("syslog", 18514)):
                r = Proc(lab, sys.executable, str(RECEIVERS), kind, str(port), str(got))
                procs.append(r)
                r.wait_text("ready")
            # the webhook receiver is down for now
            sniffer = Proc(lab, sys.executable, "-m", "stormguard", "sniff", "--iface",
                           lab.listener_if, "--config", str(cfg), "--format", "json",
                           "--no-evidence", "--duration", "60")
            procs.append(sniffer)
            sniffer.wait_text("listening on")
            time.sleep(0.5)
            closed = lab.close_loop()

            def alerts(kind: str) -> list[dict]:
                return [x for x in read_lines(got) if x["kind"] == kind]

            assert wait_for(lambda: alerts("smtp") and alerts("syslog"), 10), sniffer.err
            first_alert = time.time()
            time.sleep(2.0)  # the storm goes on: no second page
            assert len(alerts("smtp")) == 1 and len(alerts("syslog")) == 1
            lab.break_loop()
            assert wait_for(lambda: len(alerts("smtp")) == 2 and len(alerts("syslog")) == 2, 10)
            # the webhook receiver comes back: it gets both alerts, once each
            hook = Proc(lab, sys.executable, str(RECEIVERS), "webhook", "18080", str(got))
            procs.append(hook)
            hook.wait_text("ready")
            assert wait_for(lambda: len(alerts("webhook")) == 2, 15), sniffer.err
            time.sleep(1.5)  # nothing more arrives
        finally:
            rcs = [p.stop() for p in procs]
    assert rcs[2] == 0, sniffer.err  # the sniffer exits cleanly on SIGTERM
    smtp = [x["subject"] for x in alerts("smtp")]
    assert smtp[0].startswith("[STORM] broadcast storm on") and smtp[1].startswith("[RESOLVED]")
    syslog = [x["line"] for x in alerts("syslog")]
    assert 'status="firing"' in syslog[0] and 'status="resolved"' in syslog[1]
    assert "duplicate-frames" in syslog[0]
    hooks = [x["body"] for x in alerts("webhook")]
    assert [h["status"] for h in hooks] == ["firing", "resolved"]
    assert hooks[0]["key"] == hooks[1]["key"]
    # alerted within a second or two of the loop closing (delivery included)
    assert first_alert - closed < 3.0
    # the storm is in the store, ended, with its evidence; the outbox is all sent
    from stormguard.store import Store

    with Store.open(f"sqlite:///{db}") as store:
        (event,) = store.storm_events()
        assert event.ended_at is not None and "duplicate-frames" in event.evidence
        assert event.peak_pps > 2000
        assert {o.status for o in store.outbox()} == {"sent"} and len(store.outbox()) == 6
