"""Cisco IOS / IOS-XE: a whole captured-looking access-stack config, value by value."""

from __future__ import annotations

import pytest

from stormguard.parsers import cisco_ios, parse_config
from stormguard.vlans import VlanSet


@pytest.fixture
def dev(ios_text):
    return cisco_ios.parse(ios_text, source="configs/acc-b2-fl3-sw01.cfg")[0]


def test_device_and_global_spanning_tree(dev, ios_text, find_line):
    assert dev.platform == "cisco_ios"
    assert dev.source == "configs/acc-b2-fl3-sw01.cfg"
    # the banner says `hostname HACKED`: it must not be read
    assert dev.hostname == "acc-b2-fl3-sw01"
    assert dev.lines["hostname"] == find_line(ios_text, "hostname acc-b2-fl3-sw01") == 14
    assert dev.extra["version"] == "15.2"
    stp = dev.stp
    assert stp.enabled is True
    assert stp.mode == "rapid-pvst"
    assert stp.line_of("mode") == find_line(ios_text, "spanning-tree mode rapid-pvst")
    assert stp.bpdu_guard_default is True
    assert stp.line_of("bpdu_guard_default") == find_line(
        ios_text, "spanning-tree portfast bpduguard default"
    )
    assert stp.edge_default is False and "edge_default" not in stp.lines
    assert stp.bpdu_filter_default is False and stp.loop_guard_default is False
    # only VLAN 999; the banner's `no spanning-tree vlan 1-4094` is text
    assert stp.disabled_vlans == VlanSet.of([999])
    assert stp.line_of("disabled_vlans") == find_line(ios_text, "no spanning-tree vlan 999")


def test_vlans(dev, ios_text, find_line):
    assert sorted(dev.vlans) == [10, 20, 110, 120, 121, 122, 999]
    assert dev.vlans[10].name == "USERS-FL3"
    assert dev.vlans[10].line == find_line(ios_text, "vlan 10")
    assert dev.vlans[10].line_of("name") == find_line(ios_text, "name USERS-FL3")
    assert dev.vlans[121].name is None
    assert dev.vlans[121].line == find_line(ios_text, "vlan 110,120-122")
    assert dev.vlans[999].name == "PARKING"


def test_interface_order_and_kinds(dev):
    kinds = {n: i.kind for n, i in dev.interfaces.items()}
    assert list(kinds)[:3] == ["Port-channel1", "GigabitEthernet0/0", "GigabitEthernet1/0/1"]
    assert kinds["Port-channel1"] == "aggregate"
    assert kinds["GigabitEthernet0/0"] == "management"  # vrf forwarding Mgmt-vrf
    assert kinds["GigabitEthernet1/0/1"] == "physical"
    assert kinds["Vlan10"] == "vlan"
    assert kinds["Loopback0"] == "loopback"
    assert kinds["Tunnel0"] == "tunnel"
    # the certificate and banner mention Gi1/0/9 and Gi1/0/10: neither is an interface
    assert "GigabitEthernet1/0/9" not in dev.interfaces
    assert "GigabitEthernet1/0/10" not in dev.interfaces


def test_access_port(dev, ios_text, find_line):
    gi1 = dev.interfaces["GigabitEthernet1/0/1"]
    hdr = "interface GigabitEthernet1/0/1"
    assert gi1.line == find_line(ios_text, hdr)
    assert gi1.description == "desk 3-101"
    assert gi1.mode == "access" and gi1.access_vlan == 10
    assert gi1.line_of("access_vlan") == find_line(ios_text, "switchport access vlan 10", hdr)
    assert gi1.line_of("mode") == find_line(ios_text, "switchport mode access", hdr)
    assert gi1.switched is True and gi1.shutdown is False
    assert gi1.extra["voice_vlan"] == "20"
    assert gi1.edge is True and gi1.edge_trunk is False
    assert gi1.line_of("edge") == find_line(ios_text, "spanning-tree portfast", hdr)
    bc = gi1.storm_control["broadcast"]
    assert (bc.level, bc.unit, bc.falling) == (5.0, "percent", 3.0)
    assert bc.line == bc.line_of("level") == find_line(
        ios_text, "storm-control broadcast level 5.00 3.00", hdr
    )
    mc = gi1.storm_control["multicast"]
    assert (mc.level, mc.unit, mc.falling) == (2000.0, "pps", 1000.0)
    assert "unknown-unicast" not in gi1.storm_control
    assert gi1.storm_actions == {"trap"}
    assert gi1.line_of("storm_actions") == find_line(ios_text, "storm-control action trap", hdr)


def test_hypervisor_trunk_with_wrapped_allowed_list(dev, ios_text, find_line):
    gi2 = dev.interfaces["GigabitEthernet1/0/2"]
    hdr = "interface GigabitEthernet1/0/2"
    assert gi2.description == "esx-01 vmnic0"
    assert gi2.mode == "trunk" and gi2.is_trunk
    assert gi2.native_vlan == 999
    odd = list(range(11, 100, 2))
    expected = (set(range(2, 10)) | set(odd) | set(range(100, 1001))) - set(range(500, 600))
    assert set(gi2.allowed_vlans) == expected
    assert not gi2.allowed_vlans.is_all
    first = find_line(ios_text, "switchport trunk allowed vlan 2-9,11,13,15,17,19,21,23,25,27,"
                      "29,31,33,35,37,39,41,43", hdr)
    assert gi2.line_of("allowed_vlans") == first
    assert gi2.extra["allowed_vlans_lines"] == [first, first + 1, first + 2, first + 3]
    assert gi2.edge is True and gi2.edge_trunk is True
    assert gi2.line_of("edge_trunk") == find_line(ios_text, "spanning-tree portfast trunk", hdr)
    assert gi2.bpdu_filter is True
    assert gi2.line_of("bpdu_filter") == find_line(
        ios_text, "spanning-tree bpdufilter enable", hdr
    )
    assert gi2.bpdu_guard is None
    bc = gi2.storm_control["broadcast"]
    assert (bc.level, bc.unit, bc.falling) == (100e6, "bps", 50e6)
    uu = gi2.storm_control["unknown-unicast"]  # IOS spells it `unicast`
    assert (uu.level, uu.unit, uu.falling) == (20.0, "percent", None)
    assert gi2.storm_actions == {"shutdown", "trap"}
    assert gi2.line_of("storm_actions") == find_line(ios_text, "storm-control action shutdown", hdr)


def test_trunk_without_allowed_list_and_portfast_edge_trunk(dev):
    gi3 = dev.interfaces["GigabitEthernet1/0/3"]
    assert gi3.mode == "trunk"
    assert gi3.allowed_vlans is None  # no list: all VLANs, decided by the rules
    assert gi3.edge is True and gi3.edge_trunk is True  # portfast edge trunk
    assert gi3.bpdu_guard is True
    assert gi3.storm_control == {} and gi3.storm_actions == set()


def test_shutdown_portfast_disable_root_guard(dev, ios_text, find_line):
    gi4 = dev.interfaces["GigabitEthernet1/0/4"]
    hdr = "interface GigabitEthernet1/0/4"
    assert gi4.shutdown is True
    assert gi4.line_of("shutdown") == find_line(ios_text, "shutdown", hdr)
    assert gi4.edge is False
    assert gi4.line_of("edge") == find_line(ios_text, "spanning-tree portfast disable", hdr)
    assert gi4.root_guard is True and gi4.loop_guard is None


def test_unreadable_statements_become_warnings(dev, ios_text, find_line):
    gi5 = dev.interfaces["GigabitEthernet1/0/5"]
    hdr = "interface GigabitEthernet1/0/5"
    assert gi5.access_vlan is None and gi5.allowed_vlans is None
    assert gi5.storm_control == {} and gi5.bpdu_guard is None
    assert gi5.switched is None  # nothing readable said so
    expected = [
        find_line(ios_text, "switchport access vlan 5000", hdr),
        find_line(ios_text, "switchport trunk allowed vlan 10,abc", hdr),
        find_line(ios_text, "storm-control broadcast level 150", hdr),
        find_line(ios_text, "spanning-tree bpduguard maybe", hdr),
    ]
    assert [w.split(":")[0] for w in dev.warnings] == [f"line {n}" for n in expected]
    assert "switchport access vlan 5000" in dev.warnings[0]


def test_except_none_add_and_nested_blocks(dev):
    gi6 = dev.interfaces["GigabitEthernet1/0/6"]
    assert gi6.allowed_vlans == VlanSet.from_range(6, 4094)
    assert gi6.loop_guard is True and gi6.root_guard is False
    gi7 = dev.interfaces["GigabitEthernet1/0/7"]
    assert gi7.allowed_vlans == VlanSet.of([30])
    # `shutdown` nested under `hsrp 1` is not the port's admin state
    assert gi7.shutdown is False and "shutdown" not in gi7.lines


def test_port_channel_membership(dev, ios_text, find_line):
    po1 = dev.interfaces["Port-channel1"]
    assert po1.description == "uplink to dist-1 Po11"
    assert po1.allowed_vlans == VlanSet.parse("10,20,110,120-122")
    assert po1.extra["members"] == ["GigabitEthernet1/0/23", "GigabitEthernet2/0/23"]
    for name in po1.extra["members"]:
        m = dev.interfaces[name]
        assert m.channel_group == "Port-channel1"
        assert m.line_of("channel_group") == find_line(
            ios_text, "channel-group 1 mode active", f"interface {name}"
        )
        assert m.extra["lacp_mode"] == "active"


def test_routed_ports(dev):
    assert dev.interfaces["GigabitEthernet1/1/1"].switched is False
    assert dev.interfaces["GigabitEthernet1/1/1"].shutdown is True
    assert dev.interfaces["Vlan10"].description == "USERS-FL3 gateway"
    assert dev.interfaces["Vlan1"].shutdown is True


def test_cisco_xe_is_parsed_by_the_ios_module(ios_text):
    dev = parse_config(ios_text, "cisco_xe", source="x")[0]
    assert dev.platform == "cisco_xe"
    assert dev.hostname == "acc-b2-fl3-sw01"
    assert len(dev.interfaces) == 16


def test_global_defaults_spellings():
    text = "\n".join([
        "hostname s",
        "spanning-tree mode mst",
        "spanning-tree portfast edge default",
        "spanning-tree portfast edge bpduguard default",
        "spanning-tree portfast edge bpdufilter default",
        "spanning-tree loopguard default",
        "no spanning-tree vlan 10,20",
        "no spanning-tree vlan 30-31",
        "no spanning-tree vlan 40 priority",
    ])
    stp = cisco_ios.parse(text)[0].stp
    assert stp.mode == "mst"
    assert stp.edge_default is True and stp.edge_default_trunk is False
    assert stp.bpdu_guard_default and stp.bpdu_filter_default and stp.loop_guard_default
    assert stp.lines == {
        "mode": 2, "edge_default": 3, "bpdu_guard_default": 4, "bpdu_filter_default": 5,
        "loop_guard_default": 6, "disabled_vlans": 7,
    }
    assert stp.disabled_vlans == VlanSet.of([10, 20, 30, 31])
    classic = cisco_ios.parse("spanning-tree portfast default\n")[0].stp
    assert classic.edge_default is True
    net = cisco_ios.parse("spanning-tree portfast network default\n")[0].stp
    assert net.edge_default is False and net.lines["edge_default"] == 1


@pytest.mark.parametrize(
    ("stmt", "edge", "edge_trunk"),
    [
        ("spanning-tree portfast", True, False),
        ("spanning-tree portfast trunk", True, True),
        ("spanning-tree portfast edge", True, False),
        ("spanning-tree portfast edge trunk", True, True),
        ("spanning-tree portfast disable", False, False),
        ("spanning-tree portfast network", False, False),
        ("spanning-tree portfast normal", False, False),
        ("no spanning-tree portfast", False, False),
    ],
)
def test_port_edge_spellings(stmt, edge, edge_trunk):
    text = f"interface GigabitEthernet1/0/1\n switchport mode trunk\n {stmt}\n"
    gi = cisco_ios.parse(text)[0].interfaces["GigabitEthernet1/0/1"]
    assert (gi.edge, gi.edge_trunk) == (edge, edge_trunk)
    assert gi.line_of("edge") == 3


@pytest.mark.parametrize(
    ("stmt", "traffic", "level", "unit", "falling"),
    [
        ("storm-control broadcast level 10.00", "broadcast", 10.0, "percent", None),
        ("storm-control broadcast level 0.50 0.25", "broadcast", 0.5, "percent", 0.25),
        ("storm-control multicast level bps 1g 500m", "multicast", 1e9, "bps", 5e8),
        ("storm-control unicast level pps 2k 1k", "unknown-unicast", 2000.0, "pps", 1000.0),
        ("storm-control broadcast level pps 1.5k", "broadcast", 1500.0, "pps", None),
        ("storm-control broadcast level bps 64000", "broadcast", 64000.0, "bps", None),
    ],
)
def test_storm_control_spellings(stmt, traffic, level, unit, falling):
    gi = cisco_ios.parse(f"interface Gi1/0/1\n {stmt}\n")[0].interfaces["Gi1/0/1"]
    sc = gi.storm_control[traffic]
    assert (sc.level, sc.unit, sc.falling) == (level, unit, falling)
    assert sc.line == 2


@pytest.mark.parametrize(
    "stmt",
    [
        "storm-control broadcast level",
        "storm-control broadcast level bps",
        "storm-control broadcast level 10x",
        "storm-control broadcast level 101",
        "storm-control broadcast level 5 2 1",
        "storm-control broadcast level pps 1k abc",
        "storm-control action explode",
        "spanning-tree guard sideways",
        "spanning-tree portfast sometimes",
        "switchport trunk native vlan 0",
        "switchport trunk allowed vlan add",
        "switchport trunk allowed vlan remove 10-5000",
        "channel-group x mode active",
    ],
)
def test_bad_statements_warn_with_line_number(stmt):
    dev = cisco_ios.parse(f"hostname s\ninterface Gi1/0/1\n {stmt}\n")[0]
    assert len(dev.warnings) == 1
    assert dev.warnings[0].startswith("line 3: ")
    gi = dev.interfaces["Gi1/0/1"]
    assert gi.storm_control == {} and gi.storm_actions == set()
    assert gi.native_vlan is None and gi.allowed_vlans is None and gi.channel_group is None


# -- a Catalyst 9300 on IOS-XE 17, captured through a Windows terminal (CRLF, prompt lines) ----


@pytest.fixture
def xe(read_fixture):
    text = read_fixture("iosxe_c9300_crlf.cfg")
    assert "\r\n" in text
    return text, parse_config(text, None, source="iosxe_c9300_crlf.cfg")[0]


def test_xe_detected_and_edge_defaults(xe, find_line):
    text, dev = xe
    assert dev.platform == "cisco_xe" and dev.hostname == "sw-c9300-b1"
    assert dev.warnings == []
    stp = dev.stp
    assert stp.edge_default is True and stp.edge_default_trunk is False
    assert stp.bpdu_guard_default is True and stp.bpdu_filter_default is True
    assert stp.line_of("edge_default") == find_line(text, "spanning-tree portfast edge default")
    assert stp.line_of("bpdu_filter_default") == find_line(
        text, "spanning-tree portfast edge bpdufilter default"
    )
    assert sorted(dev.vlans) == [10, 20, 100, 101, 102, 103, 104]


def test_xe_wrapped_list_with_remove_on_bundle_and_member(xe, find_line):
    text, dev = xe
    want = VlanSet.parse(
        "10,20,100-104,200,210,220,230,240,250,260,270,280,290,300,310,320,330,340,350,"
        "360,370,380,390,400-424,426-450"
    )
    po, member = dev.interfaces["Port-channel10"], dev.interfaces["TwentyFiveGigE1/1/1"]
    assert po.allowed_vlans == member.allowed_vlans == want
    first = find_line(
        text,
        "switchport trunk allowed vlan 10,20,100-104,200,210,220,230,240,250,260,270,280,290,300",
        "interface Port-channel10",
    )
    assert po.extra["allowed_vlans_lines"] == [first, first + 1, first + 2]
    assert member.channel_group == "Port-channel10"
    assert member.kind == "physical"


def test_xe_ports(xe):
    _, dev = xe
    te1 = dev.interfaces["TenGigabitEthernet1/0/1"]
    assert te1.edge is False and te1.extra["port_type"] == "network"
    assert te1.native_vlan == 104 and te1.allowed_vlans == VlanSet.parse("100-103")
    sc = te1.storm_control["broadcast"]
    assert (sc.level, sc.unit, sc.falling) == (1000.0, "pps", 800.0)
    te2 = dev.interfaces["TenGigabitEthernet1/0/2"]
    assert te2.description == "hv-host-02 (hyper-v) nic 2"
    assert te2.edge is True and te2.edge_trunk is True
    assert te2.bpdu_guard is False and te2.bpdu_filter is False
    assert te2.storm_control["broadcast"].level == 50e6 and te2.storm_actions == set()
    te3 = dev.interfaces["TenGigabitEthernet1/0/3"]
    assert sorted(te3.storm_control) == ["broadcast", "multicast", "unknown-unicast"]
    assert te3.storm_actions == {"shutdown"}
    # the login banner quotes `switchport mode trunk` under Te1/0/3
    assert te3.mode == "access"
    te4 = dev.interfaces["TenGigabitEthernet1/0/4"]
    assert te4.mode is None and te4.extra["switchport_mode"] == "dynamic desirable"
    assert te4.switched is True
    assert dev.interfaces["AppGigabitEthernet1/0/1"].kind == "internal"
    assert dev.interfaces["GigabitEthernet0/0"].kind == "management"
    assert "sw-c9300-b1#" not in dev.interfaces


@pytest.mark.parametrize(
    "stmt", ["vlan 5000", "vlan 10,x", "no spanning-tree vlan 0", "no spanning-tree vlan 1-9999"]
)
def test_bad_global_vlan_lists_warn(stmt):
    dev = cisco_ios.parse(f"hostname s\n{stmt}\n name SHOULD-NOT-LAND\n")[0]
    assert len(dev.warnings) == 1 and dev.warnings[0].startswith("line 2: cannot read VLAN list")
    assert dev.vlans == {} and not dev.stp.disabled_vlans


def test_non_vlan_statements_starting_with_vlan_are_ignored():
    text = (
        "hostname s\nvlan internal allocation policy ascending\nvlan dot1q tag native\n"
        "vlan access-map BLOCK 10\n action drop\nvlan configuration 10\n name X\n"
    )
    dev = cisco_ios.parse(text)[0]
    assert dev.vlans == {} and dev.warnings == []
