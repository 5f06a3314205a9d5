"""Huawei VRP (S-series campus, CloudEngine) against captured configurations."""

from __future__ import annotations

from stormguard.parsers import huawei, parse_config
from stormguard.vlans import VlanSet

S5720 = "huawei_s5720.cfg"
CE = "huawei_ce6881.cfg"


def parse(text: str):
    (dev,) = huawei.parse(text, source="sw.cfg")
    return dev


def test_s5720_globals_and_vlans(load, line_of):
    text = load(S5720)
    dev = parse(text)
    assert dev.platform == "huawei"
    assert dev.hostname == "S5720-R07-ACC2"
    assert dev.line_of("hostname") == line_of(text, "sysname S5720-R07-ACC2")
    assert dev.extra["version"] == "V200R019C10SPC500"
    stp = dev.stp
    assert stp.enabled is True  # Huawei default; nothing says otherwise
    assert stp.mode == "rstp" and stp.line_of("mode") == line_of(text, "stp mode rstp")
    assert stp.bpdu_guard_default is True
    assert stp.line_of("bpdu_guard_default") == line_of(text, "stp bpdu-protection")
    assert stp.edge_default is True and stp.edge_default_trunk is True
    assert stp.line_of("edge_default") == line_of(text, "stp edged-port default")
    batch = line_of(text, "vlan batch 10 20 30 100 to 105 200 999")
    assert sorted(dev.vlans) == [10, 20, 30, 100, 101, 102, 103, 104, 105, 200, 999]
    assert dev.vlans[104].line == batch
    assert dev.vlans[10].name == "MGMT"
    assert dev.vlans[10].line_of("name") == line_of(text, "name MGMT")
    assert dev.vlans[20].name == "storage-iscsi"  # `description` when there is no `name`
    assert dev.warnings == [
        f"line {line_of(text, 'storm-control broadcast min-rate 64 max-rate bogus')}: "
        "cannot read storm-control thresholds: storm-control broadcast min-rate 64 max-rate bogus"
    ]


def test_s5720_trunk_accumulates_allow_pass_and_undo(load, line_of):
    text = load(S5720)
    dev = parse(text)
    port = dev.interfaces["GigabitEthernet0/0/1"]
    assert port.line == line_of(text, "interface GigabitEthernet0/0/1")
    assert port.description == "esx-03 vmnic1"
    assert port.mode == "trunk" and port.switched is True
    # VLAN 1 is there by default, 100-103 and 200 added, 101 removed again
    assert port.allowed_vlans == VlanSet.parse("1,100,102-103,200")
    assert port.line_of("allowed_vlans") == line_of(text, "undo port trunk allow-pass vlan 101")
    assert port.native_vlan == 999
    assert port.line_of("native_vlan") == line_of(text, "port trunk pvid vlan 999")
    assert port.edge is False
    assert port.line_of("edge") == line_of(text, "stp edged-port disable", after=port.line)


def test_s5720_storm_control_units_and_actions(load, line_of):
    text = load(S5720)
    dev = parse(text)
    port = dev.interfaces["GigabitEthernet0/0/1"]
    bc = port.storm_control["broadcast"]
    assert (bc.level, bc.falling, bc.unit) == (3000.0, 1000.0, "pps")
    assert bc.line == line_of(text, "storm-control broadcast min-rate 1000 max-rate 3000")
    mc = port.storm_control["multicast"]
    assert (mc.level, mc.falling, mc.unit) == (5.0, 2.0, "percent")
    uu = port.storm_control["unknown-unicast"]
    assert (uu.level, uu.falling, uu.unit) == (10_000_000.0, 5_000_000.0, "bps")  # cir kbit/s
    assert port.storm_actions == {"shutdown", "trap", "log"}
    assert port.line_of("storm_actions") == line_of(text, "storm-control action error-down")
    assert port.line_of("storm_action_trap") == line_of(text, "storm-control enable trap")
    assert port.line_of("storm_action_log") == line_of(text, "storm-control enable log")


def test_s5720_other_ports(load, line_of):
    text = load(S5720)
    dev = parse(text)
    ge = dev.interfaces
    kvm = ge["GigabitEthernet0/0/2"]
    assert kvm.allowed_vlans is not None and kvm.allowed_vlans.is_all
    assert kvm.bpdu_filter is True
    assert kvm.line_of("bpdu_filter") == line_of(text, "stp bpdu-filter enable")
    bs = kvm.storm_control["broadcast"]
    assert (bs.level, bs.unit) == (8.0, "percent")
    assert bs.line == line_of(text, "broadcast-suppression 8")
    assert kvm.storm_actions == set()

    printer = ge["GigabitEthernet0/0/3"]
    assert printer.mode == "access" and printer.access_vlan == 30
    assert printer.line_of("access_vlan") == line_of(text, "port default vlan 30")
    assert printer.root_guard is True
    assert printer.storm_control["broadcast"].level == 500
    assert printer.storm_control["broadcast"].unit == "pps"
    assert printer.storm_control["multicast"].level == 2_000_000
    assert printer.storm_control["multicast"].unit == "bps"

    spare = ge["GigabitEthernet0/0/4"]  # trunk with no allow-pass line: VLAN 1 only
    assert spare.shutdown is True
    assert spare.allowed_vlans == VlanSet.of([1])
    assert spare.line_of("allowed_vlans") is None
    assert spare.extra["allowed_vlans_default"] is True

    camera = ge["GigabitEthernet0/0/5"]  # hybrid, untagged only: an access port in its PVID
    assert camera.mode == "access" and camera.access_vlan == 20
    assert camera.extra["link_type"] == "hybrid"
    assert camera.stp_disabled is True
    assert camera.line_of("stp_disabled") == line_of(text, "stp disable")

    ap = ge["GigabitEthernet0/0/6"]  # hybrid with tagged VLANs: a trunk
    assert ap.mode == "trunk"
    assert ap.allowed_vlans == VlanSet.parse("1,30,100-102")
    assert ap.native_vlan == 30
    assert ap.loop_guard is True
    assert "broadcast" not in ap.storm_control  # the unreadable line is a warning, not a value

    assert ge["GigabitEthernet0/0/7"].channel_group == "Eth-Trunk1"
    assert ge["GigabitEthernet0/0/7"].line_of("channel_group") == line_of(
        text, "eth-trunk 1", after=line_of(text, "interface GigabitEthernet0/0/7")
    )
    trunk = ge["Eth-Trunk1"]
    assert trunk.kind == "aggregate"
    assert trunk.extra["members"] == ["GigabitEthernet0/0/7", "GigabitEthernet0/0/8"]
    assert trunk.allowed_vlans == VlanSet.parse("10,20,30,100-105,200")  # VLAN 1 undone first
    assert trunk.line_of("allowed_vlans") == line_of(text, "port trunk allow-pass vlan 200")

    routed = ge["GigabitEthernet0/0/10"]
    assert routed.switched is False
    assert routed.line_of("switched") == line_of(text, "undo portswitch")
    xge = ge["XGigabitEthernet0/0/1"]
    assert xge.allowed_vlans is not None and xge.allowed_vlans.covers_all()
    assert ge["Vlanif10"].kind == "vlan" and ge["Vlanif10"].switched is False
    assert ge["MEth0/0/1"].kind == "management"
    assert ge["NULL0"].kind == "other"
    # the login banner holds `interface GigabitEthernet0/0/9` / `port link-type trunk`
    assert "GigabitEthernet0/0/9" not in ge


def test_ce6881_crlf_bpdu_filter_default_and_storm_suppression(load, line_of):
    text = load(CE)
    assert "\r\n" in text
    dev = parse(text)
    assert dev.hostname == "CE6881-DC1-LEAF07"
    assert dev.stp.bpdu_filter_default is True
    assert dev.stp.line_of("bpdu_filter_default") == line_of(text, "stp bpdu-filter default")
    assert dev.stp.mode == "mstp"
    assert len(dev.vlans) == 4093  # vlan batch 2 to 4094
    assert dev.vlans[2001].name == "vm-tenant-a"
    peer = dev.interfaces["Eth-Trunk10"]
    assert peer.allowed_vlans is not None and peer.allowed_vlans.covers_all()
    assert peer.extra["members"] == ["100GE1/0/1", "100GE1/0/2"]
    esx = dev.interfaces["Eth-Trunk20"]
    assert esx.allowed_vlans == VlanSet.parse("2001-2010,2020")
    assert esx.edge is True and esx.edge_trunk is True
    assert esx.storm_control["broadcast"].level == 2.0
    assert esx.storm_control["broadcast"].unit == "percent"
    port = dev.interfaces["10GE1/0/2"]
    # 2001 2003 2005 added to the default VLAN 1, then VLAN 1 undone, then 2007-2009 added
    assert port.allowed_vlans == VlanSet.parse("2001,2003,2005,2007-2009")
    assert port.line_of("allowed_vlans") == line_of(text, "port trunk allow-pass vlan 2007 to 2009")
    assert port.storm_control["broadcast"].level == 500e6  # cir 500 mbps
    assert port.storm_control["broadcast"].unit == "bps"
    member = dev.interfaces["10GE1/0/1"]
    assert member.channel_group == "Eth-Trunk20"
    assert member.storm_control["broadcast"].unit == "pps"
    backup = dev.interfaces["10GE1/0/3"]
    assert backup.mode == "access" and backup.access_vlan == 2001
    assert backup.line_of("mode") == line_of(text, "port default vlan 2001")
    assert dev.interfaces["10GE1/0/48"].switched is False
    assert dev.warnings == []


def test_auto_detection(load):
    for name in (S5720, CE):
        (dev,) = parse_config(load(name), source=name)
        assert dev.platform == "huawei"


def test_global_stp_off_and_undo_forms():
    dev = parse("sysname a\n#\nstp disable\n#\n")
    assert dev.stp.enabled is False and dev.stp.line_of("enabled") == 3
    dev = parse("sysname a\n#\nundo stp enable\n#\n")
    assert dev.stp.enabled is False and dev.stp.line_of("enabled") == 3
    dev = parse("sysname a\n#\nstp disable\nstp enable\n#\n")
    assert dev.stp.enabled is True and dev.stp.line_of("enabled") == 4


def test_port_undo_lines_clear_settings():
    text = "\n".join([
        "interface GigabitEthernet0/0/1",             # 1
        " port link-type trunk",                      # 2
        " port trunk allow-pass vlan all",            # 3
        " undo port trunk allow-pass vlan all",       # 4
        " port trunk allow-pass vlan 10",             # 5
        " stp edged-port enable",                     # 6
        " undo stp edged-port",                       # 7
        " storm-control broadcast min-rate 10 max-rate 20",  # 8
        " undo storm-control broadcast",              # 9
        " storm-control action block",                # 10
        " undo shutdown",                             # 11
        "#",
    ])
    port = parse(text).interfaces["GigabitEthernet0/0/1"]
    assert port.allowed_vlans == VlanSet.of([10]) and port.line_of("allowed_vlans") == 5
    assert port.edge is False and port.line_of("edge") == 7
    assert port.storm_control == {}
    assert port.storm_actions == {"block"}
    assert port.shutdown is False


def test_views_we_do_not_read_are_skipped():
    text = "\n".join([
        "sysname a",
        "aaa",
        " local-user port password irreversible-cipher x",
        " port link-type trunk",
        "user-interface vty 0 4",
        " stp disable",
        "#",
    ])
    dev = parse(text)
    assert dev.stp.enabled is True
    assert dev.interfaces == {}
