"""The bulk reads the report is built from answer exactly what the per-device / full reads do
(`Store.snapshot_states` vs `snapshot_at`, `findings(brief=True)` vs `findings`), on SQLite
and on the real PostgreSQL."""

from __future__ import annotations

from stormguard.findings import Finding, Waiver


def test_snapshot_states_match_snapshot_at_per_device(store):
    r1 = store.start_run("collect")
    store.save_snapshot(r1, "sw1", "cisco_ios", "hostname sw1\n", state={"ports": {"a": 1}})
    store.save_snapshot(r1, "sw2", "arista_eos", "hostname sw2\n")
    store.finish_run(r1, "ok")
    r2 = store.start_run("collect")
    store.save_snapshot(r2, "sw1", "cisco_ios", "hostname sw1\n!\n", state={"ports": {"a": 2}})
    store.finish_run(r2, "failed")  # not committed: only r2 itself sees its snapshot
    r3 = store.start_run("collect")
    store.save_snapshot(r3, "sw3", "cisco_ios", "hostname sw3\n", state={"x": [1, 2]})
    for rid in (r1, r2, r3):
        states = store.snapshot_states(rid)
        expected = {}
        for name in ("sw1", "sw2", "sw3"):
            snap = store.snapshot_at(name, rid)
            if snap is not None:
                expected[name] = (snap.id, snap.platform, snap.state)
        assert states == expected, rid
    assert store.snapshot_states(r2)["sw1"][2] == {"ports": {"a": 2}}
    assert store.snapshot_states(r3)["sw1"][2] == {"ports": {"a": 1}}  # r2 failed
    assert "sw3" not in store.snapshot_states(r1)


def test_findings_round_trip_and_brief(store):
    store.upsert_device("sw1", "cisco_ios", site="dc1")
    store.upsert_device("sw2", "cisco_ios")
    rid = store.start_run("audit")
    w = Waiver(rule="SG101", device="sw1", interface="Gi1", reason="lab", owner="ops",
               expires="2030-01-01", source="p.yaml:3")
    saved = [
        Finding("SG101", "high", "sw1", "cisco_ios", "Gi1", 10, "msg é", "exp", "act",
                "interface Gi1\n x", "a.cfg", waived=True, waiver=w,
                extra={"role": "hypervisor-esxi", "classes": ["multicast"]}),
        Finding("SG301", "medium", "sw2", "cisco_ios", None, None, "m2"),
    ]
    store.save_findings(rid, saved)
    full = store.findings(rid)
    assert [f.key for f in full] == [f.key for f in saved]
    a, b = full
    assert a.waiver == w and a.waived
    assert a.extra == {"role": "hypervisor-esxi", "classes": ["multicast"], "site": "dc1"}
    assert (a.message, a.expected, a.actual, a.remediation, a.source, a.line) == (
        "msg é", "exp", "act", "interface Gi1\n x", "a.cfg", 10)
    assert b.waiver is None and b.extra == {} and not b.waived
    brief = store.findings(rid, brief=True)
    assert [(f.key, f.severity, f.platform, f.line, f.waived) for f in brief] == [
        (f.key, f.severity, f.platform, f.line, f.waived) for f in full]
    assert all(f.message == "" and f.remediation == "" for f in brief)
    assert [f.key for f in store.findings(rid, device="sw2")] == [b.key]
