"""Cisco NX-OS: a vPC leaf, value by value."""

from __future__ import annotations

import pytest

from stormguard.parsers import cisco_nxos
from stormguard.vlans import VlanSet


@pytest.fixture
def dev(nxos_text):
    return cisco_nxos.parse(nxos_text, source="dc1-leaf-101.cfg")[0]


def test_device_and_globals(dev, nxos_text, find_line):
    assert dev.platform == "cisco_nxos"
    assert dev.hostname == "dc1-leaf-101"  # older `switchname`
    assert dev.lines["hostname"] == find_line(nxos_text, "switchname dc1-leaf-101")
    assert dev.extra["version"].startswith("9.3(10)")
    assert dev.extra["default_switchport"] is True
    assert dev.lines["default_switchport"] == find_line(nxos_text, "system default switchport")
    stp = dev.stp
    assert stp.mode == "mst"
    assert stp.bpdu_guard_default is True
    assert stp.line_of("bpdu_guard_default") == find_line(
        nxos_text, "spanning-tree port type edge bpduguard default"
    )
    assert stp.edge_default is False
    assert stp.line_of("edge_default") == find_line(
        nxos_text, "spanning-tree port type network default"
    )
    assert dev.extra["port_type_default"] == "network"
    assert stp.loop_guard_default is True
    assert stp.disabled_vlans == VlanSet.parse("100-102,105")
    assert dev.warnings == []


def test_vlans(dev, nxos_text, find_line):
    assert sorted(dev.vlans) == [1, 10, 20, 30, 100, 101, 102, 103, 104, 105, 3000]
    assert dev.vlans[10].line == find_line(nxos_text, "vlan 1,10,20,30,100-105,3000")
    assert dev.vlans[10].name == "PROD-WEB"
    assert dev.vlans[10].line_of("name") == find_line(nxos_text, "name PROD-WEB")
    assert dev.vlans[3000].name == "VPC-KEEPALIVE"
    assert dev.vlans[30].name is None


def test_kinds(dev):
    kinds = {n: i.kind for n, i in dev.interfaces.items()}
    assert kinds == {
        "Vlan1": "vlan", "Vlan10": "vlan", "port-channel1": "aggregate",
        "port-channel20": "aggregate", "Ethernet1/1": "physical", "Ethernet1/2": "physical",
        "Ethernet1/3": "physical", "Ethernet1/4": "physical", "Ethernet1/49": "physical",
        "Ethernet1/50": "physical", "mgmt0": "management", "loopback0": "loopback",
        "nve1": "tunnel",
    }


def test_peer_link(dev):
    po1 = dev.interfaces["port-channel1"]
    assert po1.extra["vpc_peer_link"] is True
    assert po1.allowed_vlans == VlanSet.from_range(1, 4094)
    assert po1.allowed_vlans.covers_all()
    assert po1.edge is False and po1.extra["port_type"] == "network"
    assert po1.extra["members"] == ["Ethernet1/49"]
    assert dev.interfaces["Ethernet1/49"].channel_group == "port-channel1"


def test_hypervisor_bond(dev, nxos_text, find_line):
    po20 = dev.interfaces["port-channel20"]
    hdr = "interface port-channel20"
    assert po20.description == "kvm-compute-12 bond0"
    assert po20.switched is True
    assert po20.line_of("switched") == find_line(nxos_text, "switchport", hdr)
    assert po20.native_vlan == 2 and po20.allowed_vlans == VlanSet.of([10, 20, 30])
    assert po20.edge is True and po20.edge_trunk is True
    assert po20.line_of("edge") == find_line(nxos_text, "spanning-tree port type edge trunk", hdr)
    assert po20.storm_control["broadcast"].level == 10.0
    assert po20.storm_actions == {"trap"}
    assert po20.extra["vpc"] == "20"
    eth2 = dev.interfaces["Ethernet1/2"]
    assert eth2.channel_group == "port-channel20"
    assert eth2.storm_control == {}


def test_wrapped_list_and_storm_classes(dev, nxos_text, find_line):
    e1 = dev.interfaces["Ethernet1/1"]
    hdr = "interface Ethernet1/1"
    assert e1.description == "esx-02 vmnic2"
    expected = {10, 20, 30, *range(100, 106), *range(200, 251, 2)}
    assert set(e1.allowed_vlans) == expected
    first = find_line(
        nxos_text,
        "switchport trunk allowed vlan 10,20,30,100-105,200,202,204,206,208,210,212,214,216,218",
        hdr,
    )
    assert e1.line_of("allowed_vlans") == first
    assert e1.extra["allowed_vlans_lines"] == [first, first + 1, first + 2]
    assert {k: (v.level, v.unit) for k, v in e1.storm_control.items()} == {
        "broadcast": (2.5, "percent"),
        "multicast": (5.0, "percent"),
        "unknown-unicast": (5.0, "percent"),
    }
    assert e1.storm_actions == {"shutdown"}
    assert e1.shutdown is False
    assert e1.line_of("shutdown") == find_line(nxos_text, "no shutdown", hdr)


def test_access_port_without_mode(dev):
    e3 = dev.interfaces["Ethernet1/3"]
    assert e3.mode is None and e3.access_vlan == 20 and e3.switched is True
    assert e3.edge is True and e3.edge_trunk is False
    assert e3.bpdu_filter is True
    sc = e3.storm_control["broadcast"]
    assert (sc.level, sc.unit, sc.falling) == (1000.0, "pps", 500.0)
    assert e3.storm_actions == set()


def test_port_type_normal_and_none_list(dev):
    e4 = dev.interfaces["Ethernet1/4"]
    assert e4.allowed_vlans == VlanSet.none()
    assert e4.edge is False and e4.extra["port_type"] == "normal"
    assert e4.root_guard is True and e4.shutdown is True


def test_routed_and_nested(dev):
    assert dev.interfaces["Ethernet1/50"].switched is False
    assert dev.interfaces["Ethernet1/50"].description == "uplink to spine-1 Eth1/1"
    # `ip 10.10.10.1` nested under `hsrp 10` is ignored; `no shutdown` on the SVI is read
    assert dev.interfaces["Vlan10"].shutdown is False
    assert dev.interfaces["mgmt0"].extra["vrf"] == "management"


@pytest.mark.parametrize(
    ("stmt", "edge", "edge_trunk", "port_type"),
    [
        ("spanning-tree port type edge", True, False, None),
        ("spanning-tree port type edge trunk", True, True, None),
        ("spanning-tree port type network", False, False, "network"),
        ("spanning-tree port type normal", False, False, "normal"),
    ],
)
def test_port_type_spellings(stmt, edge, edge_trunk, port_type):
    text = f"interface Ethernet1/7\n  switchport\n  {stmt}\n"
    e = cisco_nxos.parse(text)[0].interfaces["Ethernet1/7"]
    assert (e.edge, e.edge_trunk, e.extra.get("port_type")) == (edge, edge_trunk, port_type)
    assert e.line_of("edge") == 3


def test_global_port_type_defaults():
    text = (
        "hostname n\n"
        "spanning-tree port type edge default\n"
        "spanning-tree port type edge bpdufilter default\n"
        "no system default switchport\n"
    )
    dev = cisco_nxos.parse(text)[0]
    assert dev.stp.edge_default is True and dev.stp.line_of("edge_default") == 2
    assert dev.stp.edge_default_trunk is False
    assert dev.stp.bpdu_filter_default is True and dev.stp.line_of("bpdu_filter_default") == 3
    assert dev.extra["default_switchport"] is False


def test_interface_breakout_is_not_an_interface():
    dev = cisco_nxos.parse(
        "hostname n\ninterface breakout module 1 port 49-52 map 10g-4x\ninterface Ethernet1/49/1\n"
        "  switchport\n"
    )[0]
    assert list(dev.interfaces) == ["Ethernet1/49/1"]


# -- an older Nexus 5000 with a FEX: edge by default, tabs, `except` --------------------------


@pytest.fixture
def n5k(read_fixture):
    text = read_fixture("nxos_n5k_fex.cfg")
    return text, cisco_nxos.parse(text, source="dc0-n5k-a.cfg")[0]


def test_n5k_globals(n5k, find_line):
    text, dev = n5k
    assert dev.hostname == "dc0-n5k-a" and dev.warnings == []
    stp = dev.stp
    assert stp.mode is None  # not printed: the platform default
    assert stp.edge_default is True and stp.edge_default_trunk is False
    assert stp.line_of("edge_default") == find_line(text, "spanning-tree port type edge default")
    assert stp.bpdu_filter_default is True and stp.bpdu_guard_default is True
    assert stp.disabled_vlans == VlanSet.of([72])
    assert "default_switchport" not in dev.extra
    assert sorted(dev.vlans) == [1, 50, 60, 70, 71, 72]


def test_n5k_fex_and_uplinks(n5k, find_line):
    text, dev = n5k
    fab = dev.interfaces["Ethernet1/1"]
    assert fab.mode is None and fab.extra["switchport_mode"] == "fex-fabric"
    assert fab.channel_group == "port-channel101" and "lacp_mode" not in fab.extra
    po = dev.interfaces["port-channel200"]
    assert po.extra["members"] == ["Ethernet1/31", "Ethernet1/32"]
    assert po.loop_guard is True and po.edge is False
    # Ethernet1/32 is indented with tabs
    e32 = dev.interfaces["Ethernet1/32"]
    assert e32.description == "uplink to agg-2 Eth2/1"
    assert e32.allowed_vlans == VlanSet.parse("50,60,70-72")
    assert e32.line_of("channel_group") == find_line(
        text, "channel-group 200 mode active", "interface Ethernet1/32"
    )


def test_n5k_host_ports(n5k):
    _, dev = n5k
    esx = dev.interfaces["Ethernet101/1/1"]
    assert esx.allowed_vlans == VlanSet.from_range(2, 3999)  # except 1,4000-4094
    assert esx.edge is True and esx.edge_trunk is True
    assert esx.storm_actions == {"trap"}
    app = dev.interfaces["Ethernet101/1/2"]
    assert app.edge is False and app.storm_actions == {"shutdown", "trap"}
    app3 = dev.interfaces["Ethernet101/1/3"]
    assert app3.edge is None  # the global edge default applies (in stormguard.effective)
    assert app3.bpdu_guard is False and app3.bpdu_filter is False
    assert dev.interfaces["Ethernet101/1/4"].shutdown is True
    # the banner line `spanning-tree port type edge trunk` is text
    assert not any(i.edge_trunk for n, i in dev.interfaces.items() if n != "Ethernet101/1/1")
