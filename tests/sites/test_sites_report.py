"""The report across sites, from runs written by several sites' daemons into one store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from stormguard.cli import main
from stormguard.findings import Finding
from stormguard.report.render import render
from stormguard.report.sites import build_sites_report
from stormguard.store import Store
from stormguard.testing.runs import set_run_times

NOW = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)


def _finding(device: str, rule: str, interface: str, severity: str = "high") -> Finding:
    return Finding(rule=rule, severity=severity, device=device, platform="cisco_ios",
                   interface=interface, line=10, message=f"{rule} on {interface}")


def _night(store: Store, site: str, devices: list[str], findings: list[Finding],
           started: datetime, status: str = "ok") -> int:
    rid = store.start_run("nightly", "schedule", site=site)
    for d in devices:
        store.upsert_device(d, "cisco_ios", site=site)
    if status in ("ok", "partial"):
        store.save_findings(rid, findings)
        store.update_run_summary(rid, {"audited_devices": devices})
    store.finish_run(rid, status, {**(store.get_run(rid).summary or {}),
                                   **({"interrupted_reason": "owner process gone"}
                                      if status == "interrupted" else {})})
    set_run_times(store, rid, started, timedelta(minutes=5))
    return rid


@pytest.fixture
def sites_store(store: Store) -> Store:
    y, t = NOW - timedelta(days=1), NOW - timedelta(hours=3)
    # dc1: a trunk opened between the nights (new), one fixed (resolved), one kept (persisting)
    _night(store, "dc1", ["dc1-sw1", "dc1-sw2"],
           [_finding("dc1-sw1", "SG301", "Gi1/0/1", "medium"),
            _finding("dc1-sw2", "SG204", "Gi1/0/9", "medium")], y)
    _night(store, "dc1", ["dc1-sw1", "dc1-sw2"],
           [_finding("dc1-sw1", "SG301", "Gi1/0/1", "medium"),
            _finding("dc1-sw1", "SG101", "Po1")], t)
    # dc2: clean both nights
    _night(store, "dc2", ["dc2-sw1"], [], y)
    _night(store, "dc2", ["dc2-sw1"], [], t + timedelta(minutes=1))
    # dc3: good yesterday, its daemon killed tonight
    _night(store, "dc3", ["dc3-sw1"], [_finding("dc3-sw1", "SG201", "")], y)
    _night(store, "dc3", ["dc3-sw1"], [], t + timedelta(minutes=2), status="interrupted")
    # dc4: its collector has not run for three days
    _night(store, "dc4", ["dc4-sw1"], [_finding("dc4-sw1", "SG203", "Gi1/0/4")],
           NOW - timedelta(days=3))
    # a run without a site (a daemon without `site:`) is not part of the view across sites
    _night(store, None, ["lab-sw1"], [_finding("lab-sw1", "SG101", "Gi1/0/1")], t)
    return store


def test_sites_report_shows_each_sites_night(sites_store: Store) -> None:
    data = build_sites_report(sites_store, now=NOW)
    states = {s.site: s.state for s in data.sites}
    assert states == {"dc1": "ok", "dc2": "ok", "dc3": "interrupted", "dc4": "missed"}
    by_site = {s.site: s for s in data.sites}
    assert "owner process gone" in by_site["dc3"].note
    # dc3's findings are those of its last audited night, and the note says which
    assert by_site["dc3"].reported_run_id != by_site["dc3"].run_id
    assert f"run #{by_site['dc3'].reported_run_id}" in by_site["dc3"].note
    assert "missed its night" in by_site["dc4"].note
    devices = {d.name for d in data.devices}
    assert devices == {"dc1-sw1", "dc1-sw2", "dc2-sw1", "dc3-sw1", "dc4-sw1"}  # no lab-sw1
    active = sorted((f.device, f.rule, f.change) for f in data.findings)
    assert ("dc1-sw1", "SG101", "new") in active
    assert ("dc1-sw1", "SG301", "persisting") in active
    assert ("dc4-sw1", "SG203", "") in active  # dc4's only night: neither new nor persisting
    assert data.changes.new == 1  # dc1's opened trunk
    assert [r.rule for r in data.changes.resolved_items] == ["SG204"]
    assert data.changes.new >= 1 and data.changes.persisting >= 1
    # the trend: one point per night, summed over the sites
    assert [p.at for p in data.trend] == [
        (NOW - timedelta(days=3)).date().isoformat(), (NOW - timedelta(days=1)).date().isoformat(),
        (NOW - timedelta(hours=3)).date().isoformat()]
    assert data.trend[1].total == 3  # dc1 2 + dc3 1 (dc2 clean)
    assert {r.name for r in data.site_compliance} == {"dc1", "dc2", "dc3", "dc4"}

    md = render(data, "md")
    assert "## Sites (4)" in md and "| dc4 | missed |" in md and "| dc3 | interrupted |" in md
    html = render(data, "html")
    assert 'data-site="dc3" data-state="interrupted"' in html
    doc = json.loads(render(data, "json"))
    assert {s["site"]: s["state"] for s in doc["sites"]} == states


def test_report_command_defaults_to_the_view_across_sites(sites_store: Store, db_url: str,
                                                          tmp_path, capsys) -> None:
    sites_store.close()
    out = tmp_path / "all.json"
    assert main(["report", "--db", db_url, "-o", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert {s["site"] for s in doc["sites"]} == {"dc1", "dc2", "dc3", "dc4"}
    assert "4 sites" in capsys.readouterr().err
    one = tmp_path / "dc1.json"
    assert main(["report", "--db", db_url, "--site", "dc1", "-o", str(one)]) == 0
    doc = json.loads(one.read_text())
    assert doc["sites"] == [] and {d["site"] for d in doc["devices"]} == {"dc1"}
    assert doc["changes"]["new"] == 1 and doc["changes"]["resolved"] == 1
    assert main(["report", "--db", db_url, "--site", "nowhere"]) == 2
    assert "site nowhere: no audited run" in capsys.readouterr().err


def test_site_daemons_deliver_only_their_own_alert_channels(store: Store) -> None:
    """Two sites' daemons share the store's outbox: an alert queued for dc1's channel is left
    for dc1's daemon by dc2's (which does not have that channel), never marked dead."""
    import http.server
    import threading

    from stormguard.alerts.dispatcher import Alerter
    from stormguard.config import AlertChannel, AlertsConfig

    got: list[bytes] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *a: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        dc1 = Alerter(store, AlertsConfig(channels=[
            AlertChannel(name="dc1-noc", type="webhook", url=url)]), host="dc1-hv1")
        dc2 = Alerter(store, AlertsConfig(channels=[
            AlertChannel(name="dc2-noc", type="webhook", url=url + "/dc2")]), host="dc2-hv1")
        dc1.on_event({"event": "storm-start", "id": "s-dc1", "iface": "eth1", "ts": 1.79e9,
                      "pps": 25000.0, "peak_pps": 26000.0, "frames": 5, "vlans": [10],
                      "classes": {}, "top_sources": [], "evidence": [], "coverage": 1.0})
        assert dc2.deliver_due() == (0, 0)  # not its channel: untouched
        (item,) = store.outbox()
        assert item.status == "pending" and item.channel == "dc1-noc" and item.attempts == 0
        assert dc1.deliver_due() == (1, 0)
        assert [i.status for i in store.outbox()] == ["sent"] and len(got) == 1
    finally:
        server.shutdown()
