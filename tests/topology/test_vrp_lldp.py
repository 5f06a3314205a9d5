"""Huawei VRP LLDP neighbours: ntc-templates has no template for `display lldp neighbor`
(detail) or `display lldp neighbor brief`, so stormguard reads their text itself. The fixtures
are in the formats VRP prints: CE-series (VRP8) and S-series (VRP5), both tables' layouts.

And the point of it: a Huawei switch's neighbours reach the fleet graph, the loop rules and the
roles from facts exactly as a Cisco switch's do."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stormguard.collect.netmiko_driver import parse_textfsm
from stormguard.collect.recipes import load_recipe
from stormguard.effective import effective_device
from stormguard.engine import audit_fleet
from stormguard.parsers import parse_config
from stormguard.policy import load_policy
from stormguard.testing.fakenet import render_config, show_outputs
from stormguard.testing.lldp_text import ios_lldp_state
from stormguard.topology.fact_roles import neighbor_role_source
from stormguard.topology.fleet import collect_facts, neighbors_from_state
from stormguard.topology.vrp_lldp import (
    BRIEF_COMMAND,
    DETAIL_COMMAND,
    from_vrp_state,
    parse_brief,
    parse_detail,
    parse_vrp_lldp,
)

FIX = Path(__file__).parent / "fixtures"
VSWITCH = Path(__file__).parents[1] / "vswitch" / "fixtures"
TODAY = dt.date(2026, 12, 4)


def _rows(facts) -> list[tuple[str, str, str]]:
    return [(n.local_port, n.remote_name, n.remote_port) for n in facts.neighbors]


# -- the parsers -------------------------------------------------------------------------------


def test_detail_ce_reads_capabilities_chassis_and_several_neighbours_per_port() -> None:
    facts = parse_detail((FIX / "vrp_lldp_detail_ce.txt").read_text(), "leaf-3")
    assert facts.warnings == []
    assert _rows(facts) == [("10GE1/0/1", "spine-2.dc3.example.net", "10GE1/0/48"),
                            ("10GE1/0/2", "esx-07.dc3.example.net", "vmnic2"),
                            ("10GE1/0/3", "hv01", "3cfd-fe00-0505"),
                            ("10GE1/0/3", "", "5254-0012-3456")]
    spine, esx, hv, anon = facts.neighbors
    assert spine.is_bridge and spine.capabilities == {"bridge", "router"}
    assert spine.remote_chassis == "d849-0b94-6501" and spine.protocol == "lldp"
    assert spine.remote_port_descr == ""  # "--": not advertised
    # the multi-line system description is read by its first line, the TLVs after it skipped
    assert spine.remote_platform == "Huawei Versatile Routing"
    assert esx.remote_platform == "VMware ESX Releasebuild-22380479"
    assert esx.far_ports()[0] == "vmnic2"
    # a port ID that is a MAC: the port description names the far port
    assert hv.capabilities == {"station"} and hv.far_ports() == ["eth5"]
    assert anon.capabilities == frozenset() and anon.remote_chassis == "5254-0012-3456"


def test_detail_s_series_older_block_header_and_wlan() -> None:
    facts = parse_detail((FIX / "vrp_lldp_detail_s.txt").read_text(), "access-3")
    assert facts.warnings == []
    assert _rows(facts) == [("GigabitEthernet0/0/24", "core-1", "XGigabitEthernet0/0/1"),
                            ("GigabitEthernet0/0/5", "ap-3f", "0017-c8a4-5d04")]
    core, ap = facts.neighbors
    assert core.capabilities == {"bridge", "router"} and core.remote_chassis == "4c1f-cc00-0001"
    assert core.remote_port_descr == "to access-3"
    assert ap.capabilities == {"wlan"} and not ap.is_bridge  # enabled, not supported, counts


@pytest.mark.parametrize("fixture, expected", [
    ("vrp_lldp_brief_s.txt", [("GE0/0/1", "hv41", "eth0"),
                              ("GE0/0/5", "ap 3f lobby", "0017-c8a4-5d04"),
                              ("XGE0/0/1", "core-1", "XGE0/0/24")]),
    ("vrp_lldp_brief_ce.txt", [("10GE1/0/1", "spine-2.dc3.example.net", "10GE1/0/48"),
                               ("10GE1/0/2", "esx-07.dc3.example.net", "vmnic2"),
                               ("100GE1/0/49", "leaf-4", "100GE1/0/49")]),
])
def test_brief_both_layouts(fixture: str, expected: list) -> None:
    facts = parse_brief((FIX / fixture).read_text(), "sw9")
    assert facts.warnings == [] and _rows(facts) == expected
    assert all(n.capabilities == frozenset() and n.protocol == "lldp" for n in facts.neighbors)


def test_the_text_says_which_output_it_is() -> None:
    detail = (FIX / "vrp_lldp_detail_s.txt").read_text()
    brief = (FIX / "vrp_lldp_brief_s.txt").read_text()
    # a snapshot of the older recipe stored `brief`; the command stored does not decide
    assert len(parse_vrp_lldp(detail, "a", BRIEF_COMMAND).neighbors) == 2
    assert len(parse_vrp_lldp(brief, "a", DETAIL_COMMAND).neighbors) == 3


def test_garbled_output_is_a_warning_naming_device_and_command() -> None:
    odd = parse_vrp_lldp("Error: Unrecognized command found at '^' position.\n", "vrp7",
                         DETAIL_COMMAND)
    assert odd.neighbors == []
    [w] = odd.warnings
    assert w.startswith("vrp7: `display lldp neighbor`") and "not in the topology" in w

    brief = (FIX / "vrp_lldp_brief_ce.txt").read_text().replace(
        "leaf-4", "leaf-4\n\x00\x1b[7m--More--\x1b[0m garbage line")
    got = parse_brief(brief, "vrp7")
    assert len(got.neighbors) == 3
    [w] = got.warnings
    assert "vrp7: `display lldp neighbor brief`: 1 line(s) not understood" in w

    cut = (FIX / "vrp_lldp_detail_ce.txt").read_text()
    cut = cut[:cut.index("Neighbor index                     :2")]  # the session dropped
    got = parse_detail(cut, "vrp7")
    assert [n.remote_name for n in got.neighbors][-1] == "hv01"
    assert got.warnings == ["vrp7: `display lldp neighbor`: 10GE1/0/3 announces 2 "
                            "neighbour(s), 1 could be read: the others are not in the topology"]

    empty = parse_detail("GE0/0/1 has 1 neighbor(s):\n\nNeighbor index :1\nSystem name :--\n",
                         "vrp7")
    assert empty.neighbors == [] and "advertises no system name" in empty.warnings[0]
    assert parse_vrp_lldp("", "vrp7") .warnings == []  # no neighbour at all: nothing to say


def test_state_entries_errors_and_old_snapshots() -> None:
    failed = from_vrp_state("vrp7", {"lldp": {"command": DETAIL_COMMAND,
                                              "error": "timeout after 60 s"}})
    assert failed.neighbors == [] and failed.warnings == [
        "vrp7: `display lldp neighbor` failed (timeout after 60 s): its neighbours are not in "
        "the topology"]
    odd = from_vrp_state("vrp7", {"lldp": {"command": DETAIL_COMMAND, "raw": 42}})
    assert "not text" in odd.warnings[0]
    assert from_vrp_state("vrp7", {}).neighbors == []
    # a snapshot collected by the older recipe (`brief`, no "parsed"): read, not a warning
    old = {"lldp": {"command": BRIEF_COMMAND, "raw": show_outputs("huawei")[BRIEF_COMMAND]}}
    facts = neighbors_from_state("vrp7", "huawei", old)
    assert facts.warnings == [] and {n.remote_name for n in facts.neighbors} == {
        "hv41", "hv42", "core1"}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    "GE0/0/1 has 1 neighbor(s):", "GE0/0/2 has 3 neighbors:", "Neighbor index :1",
    "System name :sw1", "Port ID :GE0/0/9", "Chassis ID :--", "System description :",
    "System capabilities enabled :bridge", "Local Intf Neighbor Dev Neighbor Intf Exptime",
    "Local Interface Exptime(s) Neighbor Interface Neighbor Device", "GE0/0/3 x y 12",
    "GE0/0/4 12 y", "-----", ":::", "has has has", "\x00\x1b[0m", ""]) | st.text(max_size=40),
    max_size=25))
def test_never_raises_on_any_text(lines: list[str]) -> None:
    text = "\n".join(lines)
    for facts in (parse_vrp_lldp(text, "fz"), parse_brief(text, "fz"), parse_detail(text, "fz")):
        assert all(w.startswith("fz: ") for w in facts.warnings)
        assert all(n.local_host == "fz" and n.local_port for n in facts.neighbors)


def test_random_cuts_of_real_output_never_raise() -> None:
    rnd = random.Random(9)
    texts = [(FIX / f).read_text() for f in ("vrp_lldp_detail_ce.txt", "vrp_lldp_detail_s.txt",
                                              "vrp_lldp_brief_s.txt", "vrp_lldp_brief_ce.txt")]
    for _ in range(300):
        text = rnd.choice(texts)
        a, b = sorted(rnd.randrange(len(text) + 1) for _ in range(2))
        parse_vrp_lldp(text[a:b], "cut")


def test_the_recipe_collects_the_detail_and_the_fake_serves_it() -> None:
    recipe = load_recipe("huawei")
    [lldp] = [c for c in recipe.commands if c.name == "lldp"]
    assert lldp.command == DETAIL_COMMAND and not lldp.textfsm
    shows = show_outputs("huawei")
    # why stormguard reads the text itself: ntc-templates' template gives up on a CE-series
    # output, and where it does match it files the port description as the far interface
    ce = (FIX / "vrp_lldp_detail_ce.txt").read_text()
    assert parse_textfsm("huawei", DETAIL_COMMAND, ce) is None
    rows = parse_textfsm("huawei", DETAIL_COMMAND, shows[DETAIL_COMMAND])
    assert rows[-1]["neighbor_interface"] == "uplink access-vrp"
    both = {"lldp": {"command": DETAIL_COMMAND, "raw": shows[DETAIL_COMMAND], "parsed": rows}}
    assert [n.remote_port for n in from_vrp_state("sw9", both).neighbors][-1] == (
        "GigabitEthernet1/0/3")
    detail = parse_vrp_lldp(shows[DETAIL_COMMAND], "sw9")
    brief = parse_vrp_lldp(shows[BRIEF_COMMAND], "sw9")
    assert detail.warnings == brief.warnings == []
    # the same neighbours either way (ports spelt long in the detail, short in the table)
    assert [(n.remote_name, n.remote_port.replace("GigabitEthernet", "GE"))
            for n in detail.neighbors] == [(n.remote_name, n.remote_port)
                                           for n in brief.neighbors]


# -- through the fleet: a Huawei switch's neighbours count like a Cisco switch's ------------


VRP_BLOCK = """\
{port} has 1 neighbor(s):

Neighbor index                     :1
Chassis type                       :MAC address
Chassis ID                         :{chassis}
Port ID type                       :Interface name
Port ID                            :{far}
Port description                   :--
System name                        :{name}
System description                 :{descr}
System capabilities supported      :bridge router
System capabilities enabled        :{caps}
Expired time                       :104s
"""

#: the second switch's ports on each platform: (hv01's uplink, the inter-switch link)
PORTS = {"cisco_ios": ("GigabitEthernet1/0/1", "GigabitEthernet1/0/48", "Gi1/0/1", "Gi1/0/48"),
         "huawei": ("GigabitEthernet0/0/1", "GigabitEthernet0/0/24", "GE0/0/1", "GE0/0/24")}


def ios(name: str) -> str:
    ports = "".join(f"interface GigabitEthernet1/0/{i}\n switchport mode trunk\n"
                    f" switchport trunk allowed vlan 10,20,30\n" for i in (1, 2, 3))
    return (f"hostname {name}\nspanning-tree mode rapid-pvst\n{ports}"
            "interface GigabitEthernet1/0/48\n switchport mode trunk\nend\n")


def _ios_state(rows: list[tuple[str, str, str, str]]) -> dict:
    state = ios_lldp_state(rows)
    assert state["lldp"]["parsed"] and len(state["lldp"]["parsed"]) == 2
    return state


def snapshots(platform: str) -> list[tuple]:
    """sw1 (IOS) and sw2 (`platform`) joined by a trunk, spanning tree on both; OVS hv01's
    STP-less br-loop with one loose uplink into each (eth5 -> sw1, eth6 -> sw2): a loop spanning
    tree cannot break, known only from the switches' LLDP tables (hv01 runs no lldpd here)."""
    up, isl, up_short, isl_short = PORTS[platform]
    sw1 = _ios_state([("hv01", "Gi1/0/1", "S", "eth5"), ("sw2", "Gi1/0/48", "B,R", isl_short)])
    if platform == "cisco_ios":
        sw2_state, sw2_text = _ios_state([("hv01", up_short, "S", "eth6"),
                                          ("sw1", isl_short, "B,R", "Gi1/0/48")]), ios("sw2")
    else:
        raw = (VRP_BLOCK.format(port=up, chassis="3cfd-fe00-0606", far="eth6", name="hv01",
                                descr="Debian GNU/Linux 12", caps="stationOnly")
               + "\n" + VRP_BLOCK.format(port=isl, chassis="00a0-c9aa-0001",
                                         far="GigabitEthernet1/0/48", name="sw1.dc1.example.net",
                                         descr="Cisco IOS Software", caps="bridge router"))
        sw2_state = {"lldp": {"command": DETAIL_COMMAND, "raw": raw}}
        sw2_text = render_config("huawei", "sw2")
    return [("sw1", "cisco_ios", sw1, ios("sw1")), ("sw2", platform, sw2_state, sw2_text),
            ("hv01", "ovs", {}, (VSWITCH / "ovs-hv01.json").read_text())]


@pytest.mark.parametrize("platform", ["cisco_ios", "huawei"])
def test_a_huawei_switch_joins_the_fleet_like_a_cisco_one(platform: str) -> None:
    snaps = snapshots(platform)
    devices = [d for name, plat, _s, text in snaps for d in parse_config(text, plat, source=name)]
    facts = collect_facts(snaps)
    assert not [w for w in facts.warnings if "sw2" in w], facts.warnings
    assert {(n.local_host, n.protocol) for n in facts.neighbors} == {("sw1", "lldp"),
                                                                    ("sw2", "lldp")}
    up, isl, _u, _i = PORTS[platform]
    res = audit_fleet(devices, load_policy(), facts.neighbors, today=TODAY,
                      warnings=facts.warnings)
    assert res.errors == []
    graph = res.fleet.graph
    links = {frozenset((e.a.label, e.b.label)): e for e in graph.edges}
    # the inter-switch link, seen from both sides, and hv01's uplink into sw2 from sw2's table
    assert list(links[frozenset(("sw1/GigabitEthernet1/0/48", f"sw2/{isl}"))].seen_by) == [
        "lldp@sw1", "lldp@sw2"]
    assert "lldp@sw2" in links[frozenset((f"sw2/{up}", "hv01/br-loop:eth6"))].seen_by
    assert graph.unknown == []
    # the loop through sw2 is found: SG501 and SG502 name sw2's port
    [sg502] = [f for f in res.findings if f.rule == "SG502"]
    assert sg502.device == "hv01/br-loop"
    assert sg502.extra["switch_ports"] == ["sw1/GigabitEthernet1/0/1", f"sw2/{up}"]
    [sg501] = [f for f in res.findings if f.rule == "SG501"]
    assert f"sw2/{up}" in sg501.message or f"sw2/{isl}" in sg501.message
    # roles from facts on sw2's ports: from sw2's own LLDP table
    policy = load_policy()
    source = neighbor_role_source(facts.neighbors, devices, [r.name for r in policy.roles])
    sw2 = effective_device(next(d for d in devices if d.hostname == "sw2"), policy,
                           fact_sources=[source])
    assert (sw2.port(up).role, sw2.port(up).role_source) == ("hypervisor", "LLDP: hv01 eth6")
    assert sw2.port(isl).role == "inter-switch"
    assert sw2.port(isl).role_source.startswith("LLDP: sw1 ")


def test_an_uncollected_bridge_behind_a_huawei_port_is_an_inter_switch_port() -> None:
    """Only the detailed output carries the Bridge capability: an uncollected switch behind a
    Huawei port makes it inter-switch, as `show lldp neighbors`' B does on a Cisco."""
    raw = (FIX / "vrp_lldp_detail_s.txt").read_text()
    text = render_config("huawei", "access-3")
    [dev] = parse_config(text, "huawei", source="access-3")
    facts = collect_facts([("access-3", "huawei", {"lldp": {"command": DETAIL_COMMAND,
                                                              "raw": raw}}, text)])
    policy = load_policy()
    source = neighbor_role_source(facts.neighbors, [dev], [r.name for r in policy.roles])
    eff = effective_device(dev, policy, fact_sources=[source])
    port = eff.port("GigabitEthernet0/0/24")
    assert port.role == "inter-switch"
    assert port.role_source == ("LLDP: core-1 XGigabitEthernet0/0/1 (advertises the Bridge "
                                "capability)")
