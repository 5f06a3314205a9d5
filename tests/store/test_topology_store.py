"""The topology each audit computes is stored with its run (table ``run_topology``, revision
0005) and the report reads the newest one up to the run it shows, without parsing a snapshot:
a round trip through the real store audit, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from stormguard.collect.netmiko_driver import parse_textfsm
from stormguard.policy import load_policy
from stormguard.report import build_report_data, render_html, render_markdown
from stormguard.store.audit import audit_snapshots
from stormguard.store.topology import latest_topology, save_topology

FIXTURES = Path(__file__).parents[1] / "vswitch" / "fixtures"
TODAY = date(2026, 12, 4)


def _ios(name: str) -> str:
    ports = "".join(f"interface GigabitEthernet1/0/{i}\n switchport mode trunk\n"
                    " switchport trunk allowed vlan 10,20,30\n!\n" for i in (1, 2, 3))
    return (f"version 15.2\nhostname {name}\n!\nspanning-tree mode rapid-pvst\n!\n{ports}"
            "interface GigabitEthernet1/0/48\n switchport mode trunk\n!\nend\n")


LLDP = """\
Capability codes:
    (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device
    (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other

Device ID           Local Intf     Hold-time  Capability      Port ID
hv01                Gi1/0/1        120        B               {hv01}
hv02                Gi1/0/2        120        B               {hv02}
{peer}                 Gi1/0/48       120        B,R             Gi1/0/48

Total entries displayed: 3"""


def _state(name: str) -> dict:
    peer = "sw2" if name == "sw1" else "sw1"
    raw = LLDP.format(hv01="eth5" if name == "sw1" else "eth6",
                      hv02="eth3" if name == "sw1" else "eth4", peer=peer)
    rows = parse_textfsm("cisco_ios", "show lldp neighbors", raw)
    assert rows and len(rows) == 3
    return {"lldp": {"command": "show lldp neighbors", "raw": raw, "parsed": rows}}


def _collect(store, *, site: str | None = None) -> int:
    run = store.start_run("nightly", site=site)
    for sw in ("sw1", "sw2"):
        store.save_snapshot(run, sw, "cisco_ios", _ios(sw), state=_state(sw))
    store.save_snapshot(run, "hv01", "ovs", (FIXTURES / "ovs-hv01.json").read_text())
    store.save_snapshot(run, "hv02", "ovs", (FIXTURES / "ovs-hv02.json").read_text())
    return run


def test_audit_stores_the_topology_and_the_report_draws_it(store) -> None:
    earlier = store.start_run("nightly")
    store.finish_run(earlier, "ok")
    run = _collect(store)
    result = audit_snapshots(store, run, load_policy([]), today=TODAY)
    store.finish_run(run, "ok", result.summary())
    assert not [e for e in result.errors if "topolog" in e], result.errors
    assert result.summary()["topology"] == {"nodes": 5, "links": 5, "loops": 1, "unknown": 0}

    got = latest_topology(store, run)
    assert got is not None and got[0] == run and got[1] == result.topology
    [loop] = got[1]["loops"]
    assert loop["rules"] == ["SG501", "SG502"] and loop["vlans"] == "10,20"
    assert {n["name"] for n in got[1]["nodes"] if n["risky"]} == {"sw1", "sw2", "hv01/br-loop"}

    data = build_report_data(store, run)
    assert data.topology is not None and data.topology["run_id"] == run
    assert data.topology["loops"] == got[1]["loops"]
    html = render_html(data)
    assert '<li class="loop" data-rules="SG501 SG502"' in html
    assert html.count('<g class="link risky"') == 3
    assert '<g class="node" data-node="hv02"' in html  # the bonded host: not red
    assert "## Topology" in render_markdown(data)

    # a later run whose audit stored none (an older stormguard): the newest one before it
    later = store.start_run("nightly")
    store.save_findings(later, [])
    store.finish_run(later, "ok", {"devices": [], "rules": []})
    assert build_report_data(store, later).topology["run_id"] == run
    # ... and an earlier run never sees a later one
    assert latest_topology(store, earlier) is None


def test_topology_is_per_site_and_replaced_on_re_audit(store) -> None:
    run1 = store.start_run("nightly", site="dc1")
    save_topology(store, run1, {"totals": {"nodes": 1, "loops": 0}, "nodes": [{"name": "a"}]})
    run2 = store.start_run("nightly", site="dc2")
    save_topology(store, run2, {"totals": {"nodes": 2, "loops": 1}, "nodes": []})
    run3 = store.start_run("nightly", site="dc1")
    assert latest_topology(store, run3) == (run1, {"totals": {"nodes": 1, "loops": 0},
                                                   "nodes": [{"name": "a"}]})
    assert latest_topology(store, run2)[0] == run2
    save_topology(store, run1, {"totals": {"nodes": 3, "loops": 0}, "nodes": []})
    assert latest_topology(store, run3)[1]["totals"]["nodes"] == 3
    unsited = store.start_run("nightly")
    assert latest_topology(store, unsited) is None
