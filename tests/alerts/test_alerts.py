"""Alert delivery through the store's outbox to real receivers on loopback."""

from __future__ import annotations

import email
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stormguard.alerts.dispatcher import Alerter
from stormguard.config import AlertChannel, AlertsConfig

T0 = 1_790_000_000.0


def ev(kind: str, t: float, key: str = "s1", **kw: object) -> dict:
    return {"event": kind, "id": key, "iface": "eth1", "ts": t, "pps": kw.get("pps", 25000.0),
            "peak_pps": kw.get("peak", 26000.0), "frames": 50000, "vlans": [10],
            "classes": {"ipv6-nd": 50000}, "top_sources": ["02:00:00:00:00:01"],
            "evidence": ["duplicate-frames"], "coverage": 1.0}


def storm(alerter: Alerter, key: str = "s1", minutes: float = 0.0) -> None:
    """start, updates over `minutes`, end."""
    alerter.on_event(ev("storm-start", T0, key))
    steps = max(1, int(minutes * 60))
    for i in range(1, steps + 1):
        alerter.on_event(ev("storm-update", T0 + i, key))
    alerter.on_event(ev("storm-end", T0 + steps + 1, key, pps=10.0))


def drain(alerter: Alerter, rounds: int = 5) -> None:
    for _ in range(rounds):
        alerter.deliver_due()


def test_one_storm_is_one_alert_then_one_resolution(store, webhook) -> None:
    cfg = AlertsConfig(channels=[AlertChannel(name="hook", type="webhook", url=webhook.url)],
                       reminder_minutes=60)
    a = Alerter(store, cfg, host="hv-01")
    storm(a, minutes=0.5)  # 30 updates, no reminder due
    drain(a)
    statuses = [b["status"] for b in webhook.bodies()]
    assert statuses == ["firing", "resolved"]
    first = webhook.bodies()[0]
    assert first["iface"] == "eth1" and first["host"] == "hv-01"
    assert first["evidence"] == ["duplicate-frames"]
    # the storm is in the store as one event with its end
    (row,) = store.storm_events()
    assert row.key == "s1" and row.ended_at is not None and row.peak_pps == 26000.0
    # replaying the same events (a restarted sniffer, a second sniffer) pages nobody again
    storm(Alerter(store, cfg, host="hv-01"), minutes=0.5)
    drain(a)
    assert len(webhook.bodies()) == 2


def test_reminders_while_the_storm_lasts(store, webhook) -> None:
    cfg = AlertsConfig(channels=[AlertChannel(name="hook", type="webhook", url=webhook.url)],
                       reminder_minutes=1)
    a = Alerter(store, cfg)
    storm(a, minutes=3.5)  # updates every second for 210 s -> reminders at 60, 120, 180 s
    drain(a)
    statuses = [b["status"] for b in webhook.bodies()]
    assert statuses == ["firing", "reminder", "reminder", "reminder", "resolved"]


def test_routing_by_severity(store, webhook) -> None:
    cfg = AlertsConfig(channels=[
        AlertChannel(name="pager", type="webhook", url=webhook.url.replace("/hook", "/pager"),
                     min_severity="critical"),
        AlertChannel(name="chat", type="webhook", url=webhook.url.replace("/hook", "/chat"),
                     min_severity="warning"),
    ])
    a = Alerter(store, cfg, severity="warning")
    storm(a, key="minor")
    b = Alerter(store, cfg, severity="critical")
    storm(b, key="major")
    drain(a)
    got = sorted((path, body["key"], body["status"]) for path, body in webhook.requests)
    assert got == [("/chat", "major", "firing"), ("/chat", "major", "resolved"),
                   ("/chat", "minor", "firing"), ("/chat", "minor", "resolved"),
                   ("/pager", "major", "firing"), ("/pager", "major", "resolved")]


def test_receiver_down_gets_everything_when_back_even_after_restart(store, webhook) -> None:
    cfg = AlertsConfig(channels=[AlertChannel(name="hook", type="webhook", url=webhook.url,
                                              timeout_s=2)],
                       reminder_minutes=60, max_backoff_s=0.2)
    webhook.stop()
    a = Alerter(store, cfg)
    storm(a)
    sent, failed = a.deliver_due()
    assert (sent, failed) == (0, 2)
    pending = store.outbox("pending")
    assert len(pending) == 2 and all("Connection refused" in (p.last_error or "")
                                     for p in pending)
    # the daemon restarts (a new Alerter on the same store), the receiver comes back
    webhook.start()
    b = Alerter(store, cfg)
    deadline = time.monotonic() + 10
    while len(webhook.bodies()) < 2 and time.monotonic() < deadline:
        b.deliver_due()
        time.sleep(0.1)
    assert [x["status"] for x in webhook.bodies()] == ["firing", "resolved"]
    assert store.outbox("pending") == [] and len(store.outbox("sent")) == 2


def test_background_delivery_thread(store, webhook) -> None:
    cfg = AlertsConfig(channels=[AlertChannel(name="hook", type="webhook", url=webhook.url)])
    a = Alerter(store, cfg)
    a.start(interval_s=0.05)
    try:
        t = time.monotonic()
        a.on_event(ev("storm-start", time.time()))
        while not webhook.bodies() and time.monotonic() - t < 5:
            time.sleep(0.01)
        latency = time.monotonic() - t
    finally:
        a.stop()
    assert webhook.bodies() and latency < 1.0


def test_slack_shape(store, webhook) -> None:
    cfg = AlertsConfig(channels=[AlertChannel(name="chat", type="slack", url=webhook.url)])
    a = Alerter(store, cfg)
    storm(a)
    drain(a)
    first, last = webhook.bodies()
    assert first["text"].startswith("[STORM]") and first["attachments"][0]["color"] == "danger"
    assert last["text"].startswith("[RESOLVED]") and last["attachments"][0]["color"] == "good"


def test_smtp_email(store, smtp) -> None:
    ch = AlertChannel(name="mail", type="email", host="127.0.0.1", port=smtp.port,
                      to=["oncall@example.com"], sender="stormguard@example.com")
    a = Alerter(store, AlertsConfig(channels=[ch]))
    storm(a)
    drain(a)
    assert len(smtp.messages) == 2
    subjects = [email.message_from_bytes(m[2])["Subject"] for m in smtp.messages]
    assert subjects[0].startswith("[STORM] broadcast storm on")
    assert subjects[1].startswith("[RESOLVED]")
    assert smtp.messages[0][1] == ["oncall@example.com"]


def test_syslog_rfc5424(store, syslog) -> None:
    ch = AlertChannel(name="log", type="syslog", host="127.0.0.1", port=syslog.port,
                      protocol=syslog.protocol)
    a = Alerter(store, AlertsConfig(channels=[ch]))
    storm(a)
    drain(a)
    deadline = time.monotonic() + 5
    while len(syslog.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    first, last = (m.decode() for m in syslog.messages)
    # <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG ; local0.crit = 16*8+2
    assert first.startswith("<130>1 ")
    parts = first.split(" ", 7)
    assert parts[3] == "stormguard" and parts[5] == "STORM"
    assert '[storm@32473 status="firing" storm="s1" iface="eth1"' in first
    assert last.startswith("<133>1 ") and 'status="resolved"' in last


@pytest.mark.slow
def test_real_alertmanager_fires_and_resolves(store, alertmanager) -> None:
    ch = AlertChannel(name="am", type="alertmanager", url=alertmanager.url)
    a = Alerter(store, AlertsConfig(channels=[ch]))
    now = time.time()
    a.on_event(ev("storm-start", now, key="am1"))
    drain(a)
    active = alertmanager.alerts()
    assert [x["labels"]["storm_id"] for x in active] == ["am1"]
    assert active[0]["labels"]["alertname"] == "BroadcastStorm"
    assert active[0]["status"]["state"] == "active"
    a.on_event(ev("storm-end", time.time(), key="am1"))
    drain(a)
    deadline = time.monotonic() + 10
    while alertmanager.alerts() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alertmanager.alerts() == []


def test_cli_alerts_test(tmp_path: Path, webhook) -> None:
    cfg = tmp_path / "stormguard.yaml"
    cfg.write_text(
        f"database_url: sqlite:///{tmp_path / 'x.db'}\n"
        "alerts:\n  channels:\n"
        f"    - {{name: up, type: webhook, url: '{webhook.url}'}}\n"
        "    - {name: down, type: webhook, url: 'http://127.0.0.1:9/hook', timeout_s: 2}\n"
    )
    proc = subprocess.run([sys.executable, "-m", "stormguard", "alerts", "test", "--config",
                           str(cfg)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == "ok   up (webhook)"
    assert lines[1].startswith("FAIL down (webhook): http://127.0.0.1:9:")
    assert webhook.bodies()[0]["status"] == "test"
    assert "Traceback" not in proc.stderr


def test_after_an_outage_alerts_arrive_in_event_order(store, webhook) -> None:
    cfg = AlertsConfig(channels=[AlertChannel(name="hook", type="webhook", url=webhook.url,
                                              timeout_s=2)],
                       reminder_minutes=1, max_backoff_s=0.2)
    webhook.stop()
    a = Alerter(store, cfg)
    a.on_event(ev("storm-start", T0))
    a.deliver_due()  # fails: the firing alert backs off first
    for i in range(1, 70):
        a.on_event(ev("storm-update", T0 + i))
    a.on_event(ev("storm-end", T0 + 71, pps=10.0))
    for _ in range(3):
        a.deliver_due()
        time.sleep(0.3)
    webhook.start()
    deadline = time.monotonic() + 10
    while len(webhook.bodies()) < 3 and time.monotonic() < deadline:
        a.deliver_due()
        time.sleep(0.05)
    assert [b["status"] for b in webhook.bodies()] == ["firing", "reminder", "resolved"]


def test_credentials_in_the_url_become_basic_auth_and_never_show(store, webhook) -> None:
    url = webhook.url.replace("http://", "http://svc:p%40ss-9f3@")
    cfg = AlertsConfig(channels=[AlertChannel(name="hook", type="webhook", url=url)])
    a = Alerter(store, cfg)
    storm(a)
    drain(a)
    assert len(webhook.bodies()) == 2
    import base64

    assert webhook.auth[0] == "Basic " + base64.b64encode(b"svc:p@ss-9f3").decode()
    webhook.stop()
    a.on_event(ev("storm-start", T0 + 500, key="s2"))
    a.deliver_due()
    errors = " ".join(o.last_error or "" for o in store.outbox())
    assert "p%40ss" not in errors and "p@ss" not in errors and "svc" not in errors
