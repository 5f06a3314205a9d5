"""The report across sites shows each site's own topology: the one its latest audited run stored
(``run_topology``), drawn per site in HTML, listed per site in Markdown and JSON; a site whose
daemon missed its night (or whose run was interrupted) shows its last known topology labelled
with that run's date. Real store audits on SQLite and PostgreSQL (the `store` fixture)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from stormguard.policy import load_policy
from stormguard.report.render import render
from stormguard.report.sites import build_sites_report
from stormguard.store import Store
from stormguard.store.audit import audit_snapshots
from stormguard.testing.fakenet import render_config
from stormguard.testing.lldp_text import ios_lldp_state
from stormguard.testing.runs import set_run_times
from stormguard.topology.vrp_lldp import DETAIL_COMMAND

NOW = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
TODAY = date(2026, 12, 4)
OVS = Path(__file__).parents[1] / "vswitch" / "fixtures"

VRP_ISL = """\
GigabitEthernet0/0/24 has 1 neighbor(s):

Neighbor index                     :1
Chassis type                       :MAC address
Chassis ID                         :00a0-c9aa-0b01
Port ID type                       :Interface name
Port ID                            :GigabitEthernet1/0/48
Port description                   :--
System name                        :b-sw1.dc2.example.net
System description                 :Cisco IOS Software, C2960X Software
System capabilities supported      :bridge router
System capabilities enabled        :bridge router
Expired time                       :104s
"""


def _ios(name: str) -> str:
    ports = "".join(f"interface GigabitEthernet1/0/{i}\n switchport mode trunk\n"
                    " switchport trunk allowed vlan 10,20,30\n!\n" for i in (1, 2, 3))
    return (f"version 15.2\nhostname {name}\n!\nspanning-tree mode rapid-pvst\n!\n{ports}"
            "interface GigabitEthernet1/0/48\n switchport mode trunk\n!\nend\n")


def _lldp(rows: list[tuple[str, str, str, str]]) -> dict:
    state = ios_lldp_state(rows)
    assert state["lldp"]["parsed"] and len(state["lldp"]["parsed"]) == len(rows)
    return state


def _pair(p: str, *, hosts: bool) -> list[tuple[str, str, str, dict]]:
    """Two IOS switches `p`-sw1 / `p`-sw2 joined on Gi1/0/48; with `hosts`, OVS `p`-hv01's
    STP-less br-loop with one loose uplink into each (the loop) and `p`-hv02 bonded."""
    snaps = []
    for me, peer, up1, up2 in ((f"{p}-sw1", f"{p}-sw2", "eth5", "eth3"),
                               (f"{p}-sw2", f"{p}-sw1", "eth6", "eth4")):
        rows = [(peer, "Gi1/0/48", "B,R", "Gi1/0/48")]
        if hosts:
            rows += [(f"{p}-hv01", "Gi1/0/1", "B", up1), (f"{p}-hv02", "Gi1/0/2", "B", up2)]
        snaps.append((me, "cisco_ios", _ios(me), _lldp(rows)))
    if hosts:
        snaps += [(f"{p}-hv01", "ovs", (OVS / "ovs-hv01.json").read_text(), {}),
                  (f"{p}-hv02", "ovs", (OVS / "ovs-hv02.json").read_text(), {})]
    return snaps


def _dc2() -> list[tuple[str, str, str, dict]]:
    """An IOS switch and a Huawei one joined by a trunk; the VRP side's LLDP is the detailed
    `display lldp neighbor` text, which only stormguard's own parser reads."""
    return [("b-sw1", "cisco_ios", _ios("b-sw1"),
             _lldp([("b-vrp", "Gi1/0/48", "B,R", "GE0/0/24")])),
            ("b-vrp", "huawei", render_config("huawei", "b-vrp"),
             {"lldp": {"command": DETAIL_COMMAND, "raw": VRP_ISL}})]


def _night(store: Store, site: str, snaps: list, started: datetime,
           status: str = "ok") -> int:
    rid = store.start_run("nightly", "schedule", site=site)
    for name, platform, text, state in snaps:
        store.upsert_device(name, platform, site=site)
        store.save_snapshot(rid, name, platform, text, state=state)
    summary = None
    if status in ("ok", "partial"):
        result = audit_snapshots(store, rid, load_policy([]), today=TODAY,
                                 devices=[s[0] for s in snaps])
        assert not [e for e in result.errors if "topolog" in e], result.errors
        summary = result.summary()
    else:
        summary = {"interrupted_reason": "owner process gone"}
    store.finish_run(rid, status, summary)
    set_run_times(store, rid, started, timedelta(minutes=5))
    return rid


@pytest.fixture
def runs(store: Store) -> dict[str, int]:
    y, t = NOW - timedelta(days=1), NOW - timedelta(hours=3)
    got = {}
    # dc1: no host cabled yesterday; tonight hv01's loose uplinks close a loop
    got["dc1-y"] = _night(store, "dc1", _pair("a", hosts=False), y)
    got["dc1"] = _night(store, "dc1", _pair("a", hosts=True), t)
    # dc2: an IOS and a Huawei switch, no loop
    got["dc2"] = _night(store, "dc2", _dc2(), t + timedelta(minutes=1))
    # dc3: its daemon has not run for three days: its last known topology, with its date
    got["dc3"] = _night(store, "dc3", _pair("c", hosts=False), NOW - timedelta(days=3))
    # dc4: audited yesterday (with a loop), its run killed tonight
    got["dc4-y"] = _night(store, "dc4", _pair("d", hosts=True), y + timedelta(minutes=2))
    got["dc4"] = _night(store, "dc4", _pair("d", hosts=False), t + timedelta(minutes=2),
                        status="interrupted")
    return got


def _blocks(html: str) -> dict[str, str]:
    """site -> the HTML of its block in the topology section."""
    section = html[html.index('<section id="topology">'):]
    section = section[:section.index("</section>")]
    parts = re.split(r'(?=<div class="site-topology)', section)[1:]
    return {re.search(r'data-site="([^"]+)"', p).group(1): p for p in parts}


def _md_sites(md: str) -> dict[str, str]:
    section = md[md.index("## Topology by site"):]
    section = re.split(r"\n## (?!Topology by site)", section)[0]
    parts = re.split(r"\n### Site ", section)[1:]
    return {p.split("\n", 1)[0].strip(): p for p in parts}


def test_each_site_shows_its_own_topology(store: Store, runs: dict[str, int]) -> None:
    data = build_sites_report(store, now=NOW)
    by = {s.site: s for s in data.sites}
    assert {s: r.state for s, r in by.items()} == {"dc1": "ok", "dc2": "ok", "dc3": "missed",
                                                   "dc4": "interrupted"}
    assert data.topology is None  # no fleet-wide graph: sites are separate L2 domains

    dc1 = by["dc1"].topology
    assert dc1["run_id"] == runs["dc1"] and by["dc1"].topology_current
    assert by["dc1"].topology_note == ""
    [loop] = dc1["loops"]
    assert loop["rules"] == ["SG501", "SG502"] and loop["vlans"] == "10,20"
    assert {n["name"] for n in dc1["nodes"] if n["risky"]} == {"a-sw1", "a-sw2",
                                                                "a-hv01/br-loop"}
    assert all(n["name"].startswith("a-") for n in dc1["nodes"])

    dc2 = by["dc2"].topology
    assert dc2["loops"] == [] and by["dc2"].topology_current
    assert {n["name"] for n in dc2["nodes"]} == {"b-sw1", "b-vrp"}
    [isl] = dc2["links"]
    assert "lldp@b-vrp" in isl["seen_by"] and not isl["risky"]  # the Huawei side counted

    dc3 = by["dc3"]
    assert dc3.topology["run_id"] == runs["dc3"] and not dc3.topology_current
    three_days = (NOW - timedelta(days=3)).isoformat().replace("+00:00", "Z")
    assert dc3.topology["at"] == three_days
    assert dc3.topology_note.startswith("missed its night")
    assert f"last known topology from run #{runs['dc3']} of {three_days}" in dc3.topology_note

    dc4 = by["dc4"]
    assert dc4.topology["run_id"] == runs["dc4-y"] and not dc4.topology_current
    assert dc4.topology_note.startswith(f"run #{runs['dc4']} interrupted: last known "
                                        f"topology from run #{runs['dc4-y']} of ")
    assert len(dc4.topology["loops"]) == 1  # yesterday's loop, still shown (labelled)

    # HTML: each site's block draws its own graph; the red loop is dc1's alone
    html = render(data, "html")
    blocks = _blocks(html)
    assert list(blocks) == ["dc1", "dc2", "dc3", "dc4"]
    assert blocks["dc1"].count('<g class="link risky"') == 3
    assert '<li class="loop" data-rules="SG501 SG502"' in blocks["dc1"]
    assert 'data-current="true"' in blocks["dc1"] and "site-topology-note" not in blocks["dc1"]
    assert '<g class="link risky"' not in blocks["dc2"] and "<svg" in blocks["dc2"]
    assert 'data-node="b-vrp"' in blocks["dc2"] and "a-hv01" not in blocks["dc2"]
    assert "a-hv01" not in blocks["dc3"] and '<g class="link risky"' not in blocks["dc3"]
    assert 'class="site-topology stale"' in blocks["dc3"] and three_days in blocks["dc3"]
    assert "missed its night" in blocks["dc3"]
    assert "interrupted" in blocks["dc4"] and 'data-current="false"' in blocks["dc4"]
    assert html.count('id="topology-loops"') == 0  # the single-site list is not there

    md = render(data, "md")
    sites = _md_sites(md)
    assert list(sites) == ["dc1", "dc2", "dc3", "dc4"]
    assert "SG501 + SG502" in sites["dc1"] and "**1 risky loop(s)**" in sites["dc1"]
    assert "SG501" not in sites["dc2"] and "**0 risky loop(s)**" in sites["dc2"]
    assert "b-sw1/GigabitEthernet1/0/48 — b-vrp/GigabitEthernet0/0/24" in sites["dc2"]
    assert "missed its night" in sites["dc3"] and "a-hv01" not in sites["dc3"]
    assert "\n## Topology\n" not in md

    doc = json.loads(render(data, "json"))
    assert doc["topology"] is None
    js = {s["site"]: s for s in doc["sites"]}
    assert js["dc1"]["topology"]["loops"][0]["rules"] == ["SG501", "SG502"]
    assert js["dc2"]["topology"]["loops"] == []
    assert [js[s]["topology_current"] for s in ("dc1", "dc2", "dc3", "dc4")] == [
        True, True, False, False]
    assert js["dc3"]["topology_note"] == dc3.topology_note


def test_a_site_without_a_stored_topology_says_so(store: Store) -> None:
    """A site whose only audit predates revision 0005 (no row in run_topology), and a site of
    the inventory that never ran: no drawing, a sentence instead."""
    rid = store.start_run("nightly", "schedule", site="old")
    store.upsert_device("o-sw1", "cisco_ios", site="old")
    store.save_findings(rid, [])
    store.finish_run(rid, "ok", {"audited_devices": ["o-sw1"], "rules": []})
    data = build_sites_report(store, now=NOW, expected_sites=["new"])
    by = {s.site: s for s in data.sites}
    assert by["old"].topology is None and "no topology stored" in by["old"].topology_note
    assert by["new"].topology is None and by["new"].topology_note == (
        "no run from this site's daemon yet")
    blocks = _blocks(render(data, "html"))
    assert "No topology to show for this site." in blocks["old"] and "<svg" not in blocks["old"]
    md = _md_sites(render(data, "md"))
    assert "no run from this site" in md["new"]
