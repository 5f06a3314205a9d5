"""Arista EOS: a leaf with MLAG uplinks, value by value."""

from __future__ import annotations

import pytest

from stormguard.parsers import arista_eos
from stormguard.vlans import VlanSet


@pytest.fixture
def dev(eos_text):
    return arista_eos.parse(eos_text, source="dc2-leaf-7.cfg")[0]


def test_device_and_globals(dev, eos_text, find_line):
    assert dev.platform == "arista_eos"
    assert dev.hostname == "dc2-leaf-7"
    stp = dev.stp
    assert stp.enabled is True and stp.mode == "mstp"
    assert stp.disabled_vlans == VlanSet.of([300, 301])
    assert stp.line_of("disabled_vlans") == find_line(eos_text, "no spanning-tree vlan-id 300-301")
    assert stp.bpdu_guard_default is True
    assert stp.line_of("bpdu_guard_default") == find_line(
        eos_text, "spanning-tree edge-port bpduguard default"
    )
    assert dev.warnings == []


def test_vlans(dev):
    assert sorted(dev.vlans) == [10, 20, 21, 300]
    assert dev.vlans[20].name == dev.vlans[21].name == "DB"


def test_banner_ends_at_eof_line(dev):
    # the login banner quotes `interface Ethernet1` / `spanning-tree portfast` /
    # `switchport trunk allowed vlan all`: none of it may reach the model
    e1 = dev.interfaces["Ethernet1"]
    assert e1.allowed_vlans == VlanSet.parse("10,20-21")
    assert next(iter(dev.interfaces)) == "Port-Channel10"


def test_portfast_covers_trunks(dev, eos_text, find_line):
    e1 = dev.interfaces["Ethernet1"]
    hdr = "   description esx-11 vmnic0"  # `interface Ethernet1` also appears in the banner
    assert e1.description == "esx-11 vmnic0"
    assert e1.mode == "trunk"
    assert e1.edge is True and e1.edge_trunk is True
    assert e1.line_of("edge") == find_line(eos_text, "spanning-tree portfast", hdr)
    assert e1.extra["native_vlan_tagged"] is True and e1.native_vlan is None


def test_storm_control_all_and_specific(dev, eos_text, find_line):
    e1 = dev.interfaces["Ethernet1"]
    hdr = "   description esx-11 vmnic0"  # `interface Ethernet1` also appears in the banner
    bc = e1.storm_control["broadcast"]
    # the per-class statement wins over `all`, whatever the order
    assert (bc.level, bc.unit) == (1.5, "percent")
    assert bc.line == find_line(eos_text, "storm-control broadcast level 1.5", hdr)
    all_line = find_line(eos_text, "storm-control all level pps 5000", hdr)
    for traffic in ("multicast", "unknown-unicast"):
        sc = e1.storm_control[traffic]
        assert (sc.level, sc.unit, sc.line) == (5000.0, "pps", all_line)
    assert e1.storm_actions == set()


def test_portfast_auto_is_auto_edge_not_admin_edge(dev, eos_text, find_line):
    # `spanning-tree portfast auto` (EOS auto-edge) is its own knob: admin edge stays unset
    e2 = dev.interfaces["Ethernet2"]
    assert e2.edge is None and e2.line_of("edge") is None
    assert e2.extra["edge_auto"] is True
    assert e2.line_of("edge_auto") == find_line(
        eos_text, "spanning-tree portfast auto", "interface Ethernet2"
    )
    assert e2.bpdu_guard is False
    assert e2.allowed_vlans is None
    assert e2.storm_control["unknown-unicast"].level == 30.0
    assert "broadcast" not in e2.storm_control


def test_access_port_with_bpdufilter(dev):
    e3 = dev.interfaces["Ethernet3"]
    assert e3.access_vlan == 10 and e3.edge is True
    assert e3.bpdu_filter is True and e3.loop_guard is True
    e4 = dev.interfaces["Ethernet4"]
    assert e4.shutdown is True and e4.edge is False


def test_mlag_members_and_kinds(dev):
    po = dev.interfaces["Port-Channel10"]
    assert po.kind == "aggregate"
    assert po.extra["members"] == ["Ethernet49/1", "Ethernet50/1"]
    assert dev.interfaces["Ethernet49/1"].channel_group == "Port-Channel10"
    assert dev.interfaces["Management1"].kind == "management"
    assert dev.interfaces["Management1"].extra["vrf"] == "MGMT"
    assert dev.interfaces["Vxlan1"].kind == "tunnel"
    assert dev.interfaces["Loopback0"].kind == "loopback"
    assert dev.interfaces["Vlan10"].kind == "vlan"


@pytest.mark.parametrize(
    "text", ["hostname a\nspanning-tree mode none\n", "hostname a\nno spanning-tree\n"]
)
def test_spanning_tree_off(text):
    stp = arista_eos.parse(text)[0].stp
    assert stp.enabled is False and stp.line_of("enabled") == 2


def test_global_portfast_bpduguard_and_port_stp_off():
    text = (
        "hostname a\n"
        "spanning-tree portfast bpduguard default\n"
        "spanning-tree edge-port bpdufilter default\n"
        "interface Ethernet5\n"
        "   no spanning-tree\n"
        "interface Ethernet6\n"
        "   spanning-tree disable\n"
        "interface Ethernet7\n"
        "   storm-control all level 3\n"
        "   storm-control multicast level 20\n"
    )
    dev = arista_eos.parse(text)[0]
    assert dev.stp.bpdu_guard_default is True and dev.stp.bpdu_filter_default is True
    assert dev.interfaces["Ethernet5"].stp_disabled is True
    assert dev.interfaces["Ethernet5"].line_of("stp_disabled") == 5
    assert dev.interfaces["Ethernet6"].stp_disabled is True
    e7 = dev.interfaces["Ethernet7"]
    assert {k: (v.level, v.line) for k, v in e7.storm_control.items()} == {
        "broadcast": (3.0, 9), "multicast": (20.0, 10), "unknown-unicast": (3.0, 9)
    }


def test_ios_portfast_does_not_cover_trunks_but_eos_does():
    from stormguard.parsers import cisco_ios

    body = "interface Ethernet1\n   switchport mode trunk\n   spanning-tree portfast\n"
    assert arista_eos.parse(body)[0].interfaces["Ethernet1"].edge_trunk is True
    assert cisco_ios.parse(body)[0].interfaces["Ethernet1"].edge_trunk is False


# -- a campus aggregation switch with spanning tree switched off --------------------------------


@pytest.fixture
def campus(read_fixture):
    text = read_fixture("eos_campus_stp_off.cfg")
    return text, arista_eos.parse(text, source="campus-ag-3.cfg")[0]


def test_campus_stp_off(campus, find_line):
    text, dev = campus
    assert dev.warnings == []
    assert dev.stp.enabled is False and dev.stp.mode == "none"
    assert dev.stp.line_of("enabled") == find_line(text, "spanning-tree mode none")
    assert dev.stp.bpdu_guard_default is True
    assert sorted(dev.vlans) == [10, 11, 12, 20]


def test_campus_ports(campus, find_line):
    text, dev = campus
    po = dev.interfaces["Port-Channel1"]
    assert po.allowed_vlans == VlanSet.from_range(2, 4094) and po.allowed_vlans.covers_all()
    ap = dev.interfaces["Ethernet1"]
    assert ap.native_vlan == 20
    hdr = "interface Ethernet1"
    assert {k: (v.level, v.line) for k, v in ap.storm_control.items()} == {
        "broadcast": (0.5, find_line(text, "storm-control broadcast level 0.5", hdr)),
        "multicast": (2.0, find_line(text, "storm-control all level 2", hdr)),
        "unknown-unicast": (2.0, find_line(text, "storm-control all level 2", hdr)),
    }
    desk = dev.interfaces["Ethernet2"]
    assert desk.mode is None and desk.access_vlan == 10  # EOS prints no `mode access`
    assert desk.edge is True and desk.storm_control["broadcast"].unit == "pps"
    prn = dev.interfaces["Ethernet3"]
    # admin edge and auto-edge are separate knobs: `portfast auto` after `portfast` leaves
    # the port an admin edge port (EOS prints both under `show running-config all`)
    assert prn.edge is True and prn.edge_trunk is True
    assert prn.line_of("edge") == find_line(text, "spanning-tree portfast", "interface Ethernet3")
    assert prn.extra["edge_auto"] is True
    assert prn.line_of("edge_auto") == find_line(text, "spanning-tree portfast auto")
