"""Approved baselines and SG601 drift, on SQLite and PostgreSQL: `stormguard baseline`
approve/list/show, a real Linux bridge collected night after night by the real pipeline (a
change by hand opens SG601 with the diff and pages a real webhook once; approving closes it and
sends the resolution), and change windows (reported at low severity, never paged)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from stormguard.cli import main


class Webhook:
    """A real HTTP receiver on loopback that records JSON POSTs."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length", 0))
                bodies.append(json.loads(self.rfile.read(n)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_a: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    w = Webhook()
    try:
        yield w
    finally:
        w.close()


IOS = "hostname sw1\n!Time: {t}\ninterface Gi1/0/1\n switchport mode access\n"


def _snapshot(store, device: str, text: str, platform: str = "cisco_ios", *,
              collected_at: datetime | None = None, status: str = "ok") -> int:
    run = store.start_run("nightly")
    store.save_snapshot(run, device, platform, text, collected_at=collected_at)
    store.finish_run(run, status)
    return run


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


# -- approve / list / show ------------------------------------------------------------------
def test_approve_list_show_and_one_line_errors(store, db_url, capsys) -> None:
    _snapshot(store, "sw1", IOS.format(t="1"))
    store.upsert_device("sw2", "cisco_ios")  # known, never collected
    run = store.start_run("nightly")  # sw3: only a snapshot of a run still running
    store.save_snapshot(run, "sw3", "cisco_ios", IOS.format(t="x"))
    db = ["--db", db_url]

    for argv, needle in ((["baseline", "approve", *db], "name at least one device"),
                         (["baseline", "approve", "nope", *db], "unknown device 'nope'"),
                         (["baseline", "approve", "sw1", "sw2", *db],
                          "device 'sw2' has no committed snapshot yet; nothing approved"),
                         (["baseline", "approve", "sw3", *db], "'sw3' has no committed"),
                         (["baseline", "approve", "sw1", "--all", *db], "not both"),
                         (["baseline", "show", "sw1", *db], "no approved baseline"),
                         (["baseline", "show", "ghost", *db], "unknown device 'ghost'")):
        rc, out, err = _cli(capsys, *argv)
        assert rc == 2, argv
        assert needle in err and len(err.strip().splitlines()) == 1, err
        assert "Traceback" not in err
    from stormguard.baseline.store import BaselineStore

    assert BaselineStore(store).approvals() == []  # all or nothing: sw1 was not approved

    rc, out, _ = _cli(capsys, "baseline", "list", *db)
    assert rc == 0 and "no approved baselines" in out
    rc, out, _ = _cli(capsys, "baseline", "approve", "sw1", "--reason", "CHG-1 initial",
                      "--by", "alice", *db)
    assert rc == 0 and out.startswith("approved sw1: snapshot 1") and "by alice" in out
    rc, out, err = _cli(capsys, "baseline", "approve", "--all", "--by", "bob", *db)
    assert rc == 0 and "approved sw1" in out and "sw2" not in out
    assert "skipped sw2: no committed snapshot yet" in err

    rc, out, _ = _cli(capsys, "baseline", "list", *db)
    lines = out.splitlines()
    assert lines[0].split() == ["DEVICE", "STATUS", "APPROVED", "BY", "RUN", "SHA256", "REASON"]
    assert lines[2].startswith("sw1") and "approved" in lines[2] and "bob" in lines[2]
    assert "2 device(s) in the store have no approved baseline: sw2, sw3" in out
    rc, out, _ = _cli(capsys, "baseline", "show", "sw1", "--format", "json", *db)
    doc = json.loads(out)
    assert doc["status"] == "approved" and doc["baseline"]["approved_by"] == "bob"
    # history is kept: both approvals, newest first, with who and why
    assert [(a["approved_by"], a["reason"]) for a in doc["approvals"]] == [
        ("bob", ""), ("alice", "CHG-1 initial")]
    import getpass

    rc, out, _ = _cli(capsys, "baseline", "approve", "sw1", *db)  # default: the OS user
    assert f"by {getpass.getuser()}" in out


# -- drift in the nightly pipeline, a real Linux bridge, a real webhook ----------------------
@pytest.fixture
def bridge_lab():
    from stormguard.testing import linuxbridge

    why = linuxbridge.missing_requirements()
    if why:
        pytest.fail(f"Linux bridge lab unavailable: {why}")
    lab = linuxbridge.BridgeLab()
    lab.start()
    try:
        yield lab
    finally:
        lab.close()


def _setup(tmp_path: Path, db_url: str, lab: Any, hook: Webhook, **baseline: Any) -> Path:
    (tmp_path / "inventory.yaml").write_text(yaml.safe_dump({"hosts": {"hv-lb": {
        "platform": "linux_bridge", "transport": "local", "netns": lab.ns,
        "data": {"physical_uplinks": ["up*"]}}}}))
    cfg = {"database_url": db_url, "inventory": "inventory.yaml",
           "jobs": [{"name": "nightly", "pipeline": ["collect", "audit"]}],
           "alerts": {"channels": [{"name": "hook", "type": "webhook", "url": hook.url}]},
           "report": {"dir": str(tmp_path / "out")}}
    if baseline:
        cfg["baseline"] = baseline
    path = tmp_path / "stormguard.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def _night(cfg: Any, store: Any) -> tuple[Any, list[Any]]:
    from stormguard.daemon.pipeline import run_pipeline

    result = run_pipeline(cfg, cfg.jobs[0], store, trigger="test")
    assert result.status == "ok", result
    return result, [f for f in store.findings(result.run_id) if f.rule == "SG601"]


@pytest.mark.netns
@pytest.mark.slow
def test_drift_pages_once_and_approval_resolves(store, db_url, tmp_path, bridge_lab, webhook,
                                                capsys) -> None:
    from stormguard.config import load_config

    lab = bridge_lab
    lab.add_bridge("br0", stp=True)
    lab.add_uplink("br0", "up1")
    lab.add_guest("br0", "vm1")
    cfg_path = _setup(tmp_path, db_url, lab, webhook)
    cfg = load_config(cfg_path, environ={})

    _, drift = _night(cfg, store)
    assert drift == []  # nothing approved yet
    rc, out, _ = _cli(capsys, "baseline", "approve", "hv-lb", "--reason", "CHG-7 reviewed",
                      "--db", db_url, "--config", str(cfg_path))
    assert rc == 0, out
    lab.ip("link", "set", "vm1", "down")  # state, not configuration, moves between nights...
    lab.ip("link", "set", "vm1", "up")
    _, drift = _night(cfg, store)
    assert drift == []  # ...and an unchanged bridge never drifts by itself
    assert webhook.bodies == []

    lab.add_uplink("br0", "up2")  # a second uplink, by hand: the loop SG601 exists for
    night3, drift = _night(cfg, store)
    (f,) = drift
    assert f.device == "hv-lb" and f.severity == "high" and not f.waived
    assert "configuration changed since it was approved" in f.message
    assert "CHG-7 reviewed" in f.message and "baseline approve hv-lb" in f.message
    assert f.actual.startswith("--- hv-lb approved #")
    added = [ln for ln in f.actual.splitlines() if ln.startswith("+") and "up2" in ln]
    assert added, f.actual
    assert f.extra["in_change_window"] is False
    assert len(webhook.bodies) == 1  # paged once, with the diff
    page = webhook.bodies[0]
    assert page["status"] == "firing" and page["kind"] == "drift"
    assert page["title"] == "[DRIFT] unapproved configuration change on hv-lb"
    assert "up2" in page["detail"]

    # the report shows it like any finding, the diff escaped inside <pre>
    from stormguard.report import build_report_data, render

    html = render(build_report_data(store, night3.run_id), "html")
    assert "SG601" in html and "links up2: {&#34;" in html
    assert 'links up2: {"' not in html.split('id="sg-data"')[0]

    _, drift = _night(cfg, store)  # the next night: still reported, not paged again
    assert len(drift) == 1 and len(webhook.bodies) == 1

    rc, out, _ = _cli(capsys, "baseline", "show", "hv-lb", "--diff", "--db", db_url)
    assert rc == 0 and "DRIFT since run" in out and "+links up2" in out
    rc, out, _ = _cli(capsys, "baseline", "approve", "hv-lb", "--reason", "CHG-8 second uplink",
                      "--db", db_url, "--config", str(cfg_path))
    assert rc == 0 and "closed 1 open drift(s)" in out and "1 sent" in out
    assert [b["status"] for b in webhook.bodies] == ["firing", "resolved"]
    assert "approved by" in webhook.bodies[1]["summary"]
    _, drift = _night(cfg, store)
    assert drift == [] and len(webhook.bodies) == 2


# -- change windows --------------------------------------------------------------------------
def test_change_window_reports_low_and_does_not_page(store, webhook) -> None:
    from stormguard.baseline.drift import page_and_deliver
    from stormguard.baseline.store import BaselineStore
    from stormguard.config import StormguardConfig
    from stormguard.daemon.cron import local_timezone
    from stormguard.policy import load_policy
    from stormguard.store.audit import audit_snapshots

    cfg = StormguardConfig.model_validate({
        "alerts": {"channels": [{"name": "hook", "type": "webhook", "url": webhook.url}]},
        "baseline": {"change_windows": [{"cron": "0 22 * * 6", "duration_minutes": 240,
                                         "name": "saturday-maintenance"}]}})
    tz = local_timezone()
    _snapshot(store, "sw1", IOS.format(t="1"), collected_at=datetime(2026, 12, 4, 2, tzinfo=tz))
    BaselineStore(store).approve("sw1", by="alice")
    inside = datetime(2026, 12, 5, 23, 30, tzinfo=tz)  # a Saturday, 23:30
    changed = IOS.format(t="2") + " spanning-tree bpdufilter enable\n"
    run = _snapshot(store, "sw1", changed, collected_at=inside)
    res = audit_snapshots(store, run, load_policy(), baseline=cfg.baseline)
    (f,) = [f for f in res.findings if f.rule == "SG601"]
    assert f.severity == "low" and "[in change window saturday-maintenance" in f.message
    assert f.extra["in_change_window"] is True
    assert "+ spanning-tree bpdufilter enable" in f.actual
    assert "!Time" not in f.actual  # the time of the show is not a change
    assert page_and_deliver(store, cfg.alerts, cfg.baseline) == (0, 0, 0)
    # the same change seen again the next night, outside the window: still the same drift
    run = _snapshot(store, "sw1", changed.replace("Time: 2", "Time: 3"),
                    collected_at=inside + timedelta(days=2))
    res = audit_snapshots(store, run, load_policy(), baseline=cfg.baseline)
    (f,) = [f for f in res.findings if f.rule == "SG601"]
    assert f.severity == "low"
    assert page_and_deliver(store, cfg.alerts, cfg.baseline) == (0, 0, 0)
    # a further change outside the window is a new drift: paged
    run = _snapshot(store, "sw1", changed + "snmp-server community S3cr3tC0mm RO\n",
                    collected_at=inside + timedelta(days=3))
    res = audit_snapshots(store, run, load_policy(), baseline=cfg.baseline)
    (f,) = [f for f in res.findings if f.rule == "SG601"]
    assert f.severity == "high"
    assert "+snmp-server community <removed> RO" in f.actual  # secrets stay masked
    assert page_and_deliver(store, cfg.alerts, cfg.baseline) == (1, 1, 0)
    assert [b["status"] for b in webhook.bodies] == ["firing"]
    assert "<removed>" in webhook.bodies[0]["detail"]
    assert "S3cr3tC0mm" not in json.dumps(webhook.bodies) + f.actual + f.message
    # reverting to the approved configuration closes it, with a resolution
    run = _snapshot(store, "sw1", IOS.format(t="9"), collected_at=inside + timedelta(days=4))
    res = audit_snapshots(store, run, load_policy(), baseline=cfg.baseline)
    assert [f for f in res.findings if f.rule == "SG601"] == []
    assert page_and_deliver(store, cfg.alerts, cfg.baseline) == (1, 1, 0)
    assert [b["status"] for b in webhook.bodies] == ["firing", "resolved"]
    assert "reverted" in webhook.bodies[1]["summary"]


def test_window_bounds_and_disabled_rule(store, tmp_path) -> None:
    from stormguard.baseline.store import BaselineStore
    from stormguard.baseline.windows import window_at
    from stormguard.config import ChangeWindow
    from stormguard.daemon.cron import local_timezone
    from stormguard.errors import ConfigError
    from stormguard.policy import load_policy
    from stormguard.store.audit import audit_snapshots

    tz = local_timezone()
    w = ChangeWindow(cron="0 22 * * 6", duration_minutes=240)
    at = [datetime(2026, 12, 5, 21, 59, tzinfo=tz), datetime(2026, 12, 5, 22, 0, tzinfo=tz),
          datetime(2026, 12, 6, 1, 59, tzinfo=tz), datetime(2026, 12, 6, 2, 0, tzinfo=tz)]
    assert [window_at(t, [w]) is not None for t in at] == [False, True, True, False]
    with pytest.raises(ConfigError, match=r"baseline\.change_windows\.0\.cron"):
        from stormguard.config import load_config

        load_config(None, environ={"STORMGUARD_BASELINE__CHANGE_WINDOWS":
                                   '[{cron: "61 * * * *", duration_minutes: 5}]'})
    _snapshot(store, "sw1", IOS.format(t="1"))
    BaselineStore(store).approve("sw1", by="alice")
    run = _snapshot(store, "sw1", IOS.format(t="1") + " shutdown\n")
    pack = tmp_path / "off.yaml"
    pack.write_text("rules:\n  SG601: false\n")
    res = audit_snapshots(store, run, load_policy([str(pack)]))
    assert [f for f in res.findings if f.rule == "SG601"] == []


def test_vswitch_view_ignores_counters_and_uuids() -> None:
    from stormguard.baseline.normalize import config_view

    def bundle(stats: int, uuid: str, trunks: list[int]) -> str:
        return json.dumps({"kind": "ovs", "version": 1, "hostname": "hv1", "tables": {
            "Bridge": {"headings": ["_uuid", "name", "ports", "stp_enable"],
                       "data": [[["uuid", "b1"], "br0", ["set", [["uuid", uuid]]], False]]},
            "Port": {"headings": ["_uuid", "name", "trunks", "statistics"],
                     "data": [[["uuid", uuid], "eth1", ["set", trunks],
                               ["map", [["rx_packets", stats]]]]]},
            "Interface": {"headings": ["_uuid", "name", "link_state", "statistics"],
                          "data": [[["uuid", "i1"], "eth1", "up",
                                    ["map", [["rx_packets", stats]]]]]}}})

    a = config_view(bundle(10, "p1", [10, 20]), "ovs")
    assert a == config_view(bundle(99999, "p2", [20, 10]), "ovs")  # counters, re-created port
    assert "Bridge br0:" in a and '"ports": ["eth1"]' in a
    assert a != config_view(bundle(10, "p1", [10, 20, 30]), "ovs")
    lb = {"kind": "linux_bridge", "version": 1, "hostname": "hv2", "links": [
        {"ifname": "eth1", "flags": ["UP", "LOWER_UP"], "operstate": "UP", "mtu": 1500,
         "stats64": {"rx": {"packets": 5}}, "master": "br0"}]}
    moved = json.loads(json.dumps(lb))
    moved["links"][0].update(flags=["UP", "NO-CARRIER"], operstate="DOWN",
                             stats64={"rx": {"packets": 7}})
    assert config_view(json.dumps(lb), "linux_bridge") == config_view(json.dumps(moved),
                                                                      "linux_bridge")
    moved["links"][0]["mtu"] = 9000
    assert config_view(json.dumps(lb), "linux_bridge") != config_view(json.dumps(moved),
                                                                      "linux_bridge")
    assert config_view("{not json", "ovs") == "{not json\n"  # unreadable: compared as text


@pytest.mark.ovs
@pytest.mark.netns
def test_real_ovs_state_is_no_drift_a_setting_is(store, tmp_path) -> None:
    """A real user-space Open vSwitch collected by the driver: link flaps, counters and a port
    re-created with the same settings (new OVSDB UUIDs) are no drift; a changed trunk list is."""
    from stormguard.baseline.store import BaselineStore
    from stormguard.collect.ovs import collect
    from stormguard.policy import load_policy
    from stormguard.store.audit import audit_snapshots
    from stormguard.testing.ovs import OvsLab, missing_requirements

    why = missing_requirements()
    if why:
        pytest.fail(f"Open vSwitch lab unavailable: {why}")
    with OvsLab() as lab:
        lab.add_bridge("br-bl", rstp=True)
        lab.add_port("br-bl", "eth7", "trunks=10,20")

        def night() -> list[Any]:
            got = collect(lab.host("hv-bl"))
            run = store.start_run("nightly")
            store.save_snapshot(run, "hv-bl", "ovs", got.config, got.state)
            store.finish_run(run, "ok")
            res = audit_snapshots(store, run, load_policy(), devices=["hv-bl"])
            return [f for f in res.findings if f.rule == "SG601"]

        assert night() == []
        BaselineStore(store).approve("hv-bl", by="alice")
        import subprocess

        subprocess.run(["ip", "-n", lab.netns, "link", "set", "eth7-far", "down"], check=True)
        subprocess.run(["ip", "-n", lab.netns, "link", "set", "eth7", "down"], check=True)
        lab.vsctl("del-port", "br-bl", "eth7")
        lab.vsctl("add-port", "br-bl", "eth7", "--", "set", "port", "eth7", "trunks=10,20")
        subprocess.run(["ip", "-n", lab.netns, "link", "set", "eth7", "up"], check=True)
        subprocess.run(["ip", "-n", lab.netns, "link", "set", "eth7-far", "up"], check=True)
        assert night() == []
        # the snapshot text did change (UUIDs, link state): the configuration did not
        (approved,) = BaselineStore(store).approvals("hv-bl")
        assert store.latest_snapshots("hv-bl")[0].sha256 != approved.sha256
        lab.vsctl("set", "port", "eth7", "trunks=10,20,30")
        (f,) = night()
        assert "-Port eth7:" in f.actual and "+Port eth7:" in f.actual
        assert "30" in next(ln for ln in f.actual.splitlines() if ln.startswith("+Port eth7"))


def test_esxi_view_ignores_clients_and_links() -> None:
    from stormguard.baseline.normalize import config_view
    from stormguard.parsers.esxi import bundle

    shown = yaml.safe_load((Path(__file__).resolve().parents[2] / "stormguard" / "testing" /
                            "configs" / "esxi.show.yaml").read_text())
    outs = {k: v for k, v in shown.items() if k.startswith("esxcli")}
    pg = "esxcli network vswitch standard portgroup list"
    moved = dict(outs)
    moved[pg] = moved[pg].replace("VM Network          vSwitch0                     4",
                                  "VM Network          vSwitch0                    17")
    moved["esxcli network nic list"] = moved["esxcli network nic list"].replace(
        "Up            Down             0  Half", "Up            Up           25000  Full")
    sw = "esxcli network vswitch standard list"
    moved[sw] = moved[sw].replace("Used Ports: 9", "Used Ports: 12")
    a, b = bundle("esx-07", outs), bundle("esx-07", moved)
    assert a != b and config_view(a, "esxi") == config_view(b, "esxi")
    view = config_view(a, "esxi")
    assert "VM Network          vSwitch0             20" in view  # VLAN ID column kept
    vlan = dict(outs)
    vlan[pg] = vlan[pg].replace("VM Network          vSwitch0                     4       20",
                                "VM Network          vSwitch0                     4       21")
    assert config_view(bundle("esx-07", vlan), "esxi") != view


def test_drift_alert_in_alertmanager_and_email_shape() -> None:
    from datetime import UTC

    from stormguard.alerts.channels import alertmanager
    from stormguard.alerts.model import Alert

    now = datetime.now(UTC)
    alert = Alert(key="drift-1", status="firing", severity="warning", host="hv-07",
                  iface="config", summary="unapproved configuration change on hv-07",
                  started_at=now, sent_at=now, kind="drift", detail="--- a\n+++ b\n+x\n")
    (body,) = alertmanager.body(alert)
    assert body["labels"]["alertname"] == "StormguardConfigDrift"
    # no reminders for a drift: it stays active until it is resolved, not 45 minutes
    assert datetime.fromisoformat(body["endsAt"]) - now >= timedelta(days=7)
    assert alert.text().endswith("--- a\n+++ b\n+x")
    again = Alert.from_payload(alert.to_payload())
    assert again.detail == alert.detail and again.title == alert.title
