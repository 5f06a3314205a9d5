"""ReportData arithmetic (pure) and building it from a real SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stormguard.errors import InputError
from stormguard.findings import Finding, Waiver
from stormguard.report.build import build_report_data
from stormguard.report.data import device_anchor, finding_anchor

from .conftest import NOW, XSS_IMG, finding


def test_headline_counts_and_changes(hostile_report):
    r = hostile_report
    assert r.devices_audited == 5
    assert r.devices_failed == 1 and r.failures_by_class == {"timeout": 1}
    assert r.severity_counts == {"info": 1, "low": 1, "medium": 2, "high": 2, "critical": 1}
    assert r.total_findings == 7
    # previous: trunk core-1 Gi1/0/1 (persists), storm edge-2 Ethernet2 (persists),
    # edge-port hv-3 vnet9 (resolved)
    assert (r.changes.new, r.changes.persisting, r.changes.resolved) == (5, 2, 1)
    assert [(x.rule, x.device, x.interface) for x in r.changes.resolved_items] == [
        ("edge-port-on-hypervisor", "hv-3", "vnet9")]
    changes = {(f.rule, f.device, f.interface): f.change for f in r.findings}
    assert changes[("trunk-allowed-vlans", "core-1", "Gi1/0/1")] == "persisting"
    assert changes[("stp-enabled", "core-1", None)] == "new"


def test_waived_apart_with_reason_and_expiring(hostile_report):
    r = hostile_report
    assert [(w.rule, w.device, w.waiver_owner) for w in r.waived] == [
        ("bpdu-guard", "edge-2", "netops <ops@example.net>")]
    assert all(f.rule != "bpdu-guard" or f.device != "edge-2" for f in r.findings)
    # only the waiver within 14 days is listed; 40 days away is not
    assert [(w.rule, w.days_left) for w in r.expiring_waivers] == [("bpdu-guard", 5)]
    edge = next(d for d in r.devices if d.name == "edge-2")
    assert edge.waived == 1 and len(edge.findings) == 2


def test_compliance_per_rule_and_site(hostile_report):
    rules = {row.name: row for row in hostile_report.rule_compliance}
    assert rules["trunk-allowed-vlans"].failing == 2 and rules["trunk-allowed-vlans"].checked == 5
    assert rules["trunk-allowed-vlans"].percent == 60.0
    assert rules["edge-port-on-hypervisor"].percent == 100.0  # evaluated, no finding
    assert rules["bpdu-guard"].failing == 1  # the waived one does not count
    sites = {row.name: row for row in hostile_report.site_compliance}
    assert (sites["ams"].checked, sites["ams"].failing) == (2, 1)  # ok-4 is clean
    assert (sites["fra"].checked, sites["fra"].failing) == (2, 2)
    assert "lon" not in sites  # its only device failed to collect: not audited


def test_devices_status_and_anchors(hostile_report):
    by_name = {d.name: d for d in hostile_report.devices}
    assert by_name["sw-down-9"].status == "failed"
    assert by_name["sw-down-9"].failure_class == "timeout"
    assert by_name["ok-4"].status == "ok" and not by_name["ok-4"].findings
    assert by_name["core-1"].worst == "critical"
    assert by_name["core-1"].anchor == "dev-core-1"
    odd = device_anchor(XSS_IMG)
    assert odd.startswith("dev-") and all(c.isalnum() or c in "-_.~" for c in odd)
    assert device_anchor("sw/1") != device_anchor("sw_1")
    f = by_name["core-1"].findings[0]
    assert f.id == finding_anchor("stp-enabled", "core-1", None)  # stable across runs


def test_no_previous_run_means_nothing_new(hostile_report):
    from stormguard.report.build import DeviceRef, compose_report

    r = compose_report(run=None, findings=[finding("a", "low", "d", "e")],
                       devices=[DeviceRef("d")], now=NOW)
    assert r.changes.previous_run_id is None
    assert r.changes.new == 0 and r.findings[0].change == ""


def _seed_store(store):
    """Two audited runs and one collection failure, as the pipeline would leave them."""
    store.upsert_device("sw1", "cisco_ios", site="ams")
    store.upsert_device("sw2", "arista_eos", site="fra")
    store.upsert_device("hv1", "ovs", site="fra")
    r1 = store.start_run("nightly", "schedule")
    for name, plat in (("sw1", "cisco_ios"), ("sw2", "arista_eos"), ("hv1", "ovs")):
        store.save_snapshot(r1, name, plat, f"hostname {name}\n")
    store.save_findings(r1, [
        Finding("trunk-allowed-vlans", "high", "sw1", "cisco_ios", "Gi1/0/1", 5, "all VLANs"),
        Finding("stp-enabled", "critical", "sw2", "arista_eos", None, 2, "STP off"),
    ])
    old = datetime.now(UTC) - timedelta(hours=2)  # before run 1 ended: not in run 2's period
    store.end_storm_event(store.create_storm_event("eth9", "hv1", old, key="e0"),
                          old + timedelta(seconds=5))
    store.finish_run(r1, "ok", {"devices": 3})  # a count: the snapshots tell which devices
    r2 = store.start_run("nightly", "schedule")
    for name, plat in (("sw1", "cisco_ios"), ("hv1", "ovs")):
        store.save_snapshot(r2, name, plat, f"hostname {name}\ninterface x\n")
    store.record_failure(r2, "sw2", "auth", "sw2: authentication failed")
    waiver = Waiver("bpdu-guard", "hv1", "vnet0", reason="lab", owner="ana",
                    expires=(datetime.now(UTC) + timedelta(days=3)).date().isoformat())
    store.save_findings(r2, [
        Finding("trunk-allowed-vlans", "high", "sw1", "cisco_ios", "Gi1/0/1", 5, "all VLANs",
                expected="10,20", actual="all", remediation="switchport trunk allowed vlan 10,20"),
        Finding("storm-control-broadcast", "medium", "hv1/br0", "ovs", "vnet1", None, "no limit"),
        Finding("bpdu-guard", "low", "hv1/br0", "ovs", "vnet0", None, "no guard", waived=True,
                waiver=waiver),
    ])
    store.save_waivers(r2, [waiver])
    started = datetime.now(UTC)
    ev = store.create_storm_event("vnet1", "hv1", started, key="e1", peak_pps=9000.0,
                                  frames=123456)
    store.end_storm_event(ev, started + timedelta(seconds=42))
    store.finish_run(r2, "partial", {"audited_devices": ["sw1", "hv1"], "devices": 2})
    return r1, r2


def test_build_from_real_store(store):
    r1, r2 = _seed_store(store)
    data = build_report_data(store)  # default: newest audited run
    assert data.run.id == r2 and data.run.status == "partial"
    assert data.devices_audited == 2  # sw1, and hv1 as its bridge hv1/br0 (not twice)
    assert [(f.device, f.failure_class, f.site) for f in data.failures] == [("sw2", "auth", "fra")]
    assert data.severity_counts["high"] == 1 and data.severity_counts["medium"] == 1
    assert data.changes.previous_run_id == r1
    # sw2's STP finding is not "resolved": sw2 failed to collect this time, so it is unknown
    assert (data.changes.new, data.changes.persisting, data.changes.resolved) == (1, 1, 0)
    assert [w.device for w in data.waived] == ["hv1/br0"]
    assert [w.owner for w in data.expiring_waivers] == ["ana"]
    assert [t.run_id for t in data.trend] == [r1, r2]
    assert data.trend[0].counts["critical"] == 1 and data.trend[1].counts["medium"] == 1
    assert [(s.where, round(s.duration_s)) for s in data.storm_events] == [("hv1:vnet1", 42)]
    bridge = next(d for d in data.devices if d.name == "hv1/br0")
    assert bridge.site == "fra"  # the bridge inherits its host's site
    older = build_report_data(store, r1)
    assert older.run.id == r1 and older.changes.previous_run_id is None
    assert older.devices_audited == 3  # from the run's snapshots: sw1, sw2, hv1
    assert [t.run_id for t in older.trend] == [r1]


def test_build_errors_are_one_line(store):
    with pytest.raises(InputError, match="no audited run"):
        build_report_data(store)
    rid = store.start_run("collect", "manual")
    store.finish_run(rid, "ok")
    with pytest.raises(InputError, match=f"run {rid}: was not audited"):
        build_report_data(store, rid)
    with pytest.raises(InputError, match="run 999: no such run"):
        build_report_data(store, 999)
