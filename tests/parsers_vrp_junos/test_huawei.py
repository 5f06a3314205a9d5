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


# -- issue 8: port-groups, CloudEngine storm control, LNP, VBST, unreadable lines --------------

PG = "huawei_s5735_portgroup.cfg"
CE_SC = "huawei_ce6857_stormcontrol.cfg"


def findings(dev, rule: str):
    import datetime as dt

    from stormguard.engine import audit
    from stormguard.policy import load_policy

    result = audit([dev], load_policy(), today=dt.date(2026, 11, 25))
    return [f for f in result.findings if f.rule == rule]


def test_port_group_settings_land_on_every_member(load, line_of):
    text = load(PG)
    dev = parse(text)
    header = line_of(text, "port-group desks-floor2")  # the first of the two blocks
    src = {"kind": "port-group", "name": "desks-floor2", "line": header,
           "header": "port-group desks-floor2"}
    members = ["GigabitEthernet0/0/1", "GigabitEthernet0/0/3", "GigabitEthernet0/0/4",
               "GigabitEthernet0/0/6"]
    for name in members:
        port = dev.interfaces[name]
        assert port.line == line_of(text, f"interface {name}")  # its own header, not the group
        assert port.mode == "access" and port.access_vlan == 20
        assert port.line_of("access_vlan") == line_of(text, "port default vlan 20")
        assert port.edge is True
        assert port.line_of("edge") == line_of(text, "stp edged-port enable")
        bc = port.storm_control["broadcast"]
        assert (bc.level, bc.falling, bc.unit) == (1500.0, 500.0, "pps")
        assert bc.line == line_of(text, "storm-control broadcast min-rate 500 max-rate 1500")
        assert port.storm_actions == {"block"}
        inherited = port.extra["inherited"]
        for field in ("mode", "access_vlan", "edge", "storm_control.broadcast", "storm_actions"):
            assert inherited[field] == src, (name, field)
        assert "description" not in inherited  # the port's own line
    # GigabitEthernet0/0/5 is not in the group (0/0/1 to 0/0/4, then 0/0/6)
    assert "GigabitEthernet0/0/5" not in dev.interfaces
    printers = dev.interfaces["GigabitEthernet0/0/10"]
    assert printers.access_vlan == 30
    assert printers.extra["inherited"]["access_vlan"]["name"] == "printers"
    assert dev.extra["variant"] == "huawei-s"


def test_a_port_line_after_the_group_wins_and_is_its_own(load, line_of):
    text = load(PG)
    port = parse(text).interfaces["GigabitEthernet0/0/2"]
    assert port.access_vlan == 10
    assert port.line_of("access_vlan") == line_of(text, "port default vlan 10")
    bc = port.storm_control["broadcast"]
    assert bc.level == 3000.0
    assert bc.line == line_of(text, "storm-control broadcast min-rate 1000 max-rate 3000")
    inherited = port.extra["inherited"]
    assert "access_vlan" not in inherited and "storm_control.broadcast" not in inherited
    assert inherited["edge"]["name"] == "desks-floor2"  # still from the group


def test_a_group_line_after_the_port_wins():
    text = "\n".join([
        "sysname a",                                          # 1
        "#",                                                  # 2
        "interface GigabitEthernet0/0/1",                     # 3
        " port link-type access",                             # 4
        " port default vlan 10",                              # 5
        "#",                                                  # 6
        "port-group pg",                                      # 7
        " group-member GigabitEthernet 0/0/1 to GigabitEthernet 0/0/2",  # 8
        " port default vlan 20",                              # 9
        "#",
    ])
    dev = parse(text)
    port = dev.interfaces["GigabitEthernet0/0/1"]
    assert port.access_vlan == 20 and port.line_of("access_vlan") == 9
    assert port.extra["inherited"]["access_vlan"] == {
        "kind": "port-group", "name": "pg", "line": 7, "header": "port-group pg"}
    assert "mode" not in port.extra["inherited"]
    # a member the config names only in the group: its line is the group-member line
    other = dev.interfaces["GigabitEthernet0/0/2"]
    assert other.line == 8 and other.access_vlan == 20 and other.kind == "physical"


def test_temporary_groups_and_abbreviated_member_names():
    text = "\n".join([
        "sysname a",                                          # 1
        "interface GigabitEthernet0/0/1",                     # 2
        "#",                                                  # 3
        "port-group group-member GE0/0/1 to GE0/0/2 XGE0/0/1",  # 4
        " stp edged-port enable",                             # 5
        "#",
        "interface XGigabitEthernet0/0/1",                    # 7
        "#",
    ])
    dev = parse(text)
    assert sorted(dev.interfaces) == [
        "GigabitEthernet0/0/1", "GigabitEthernet0/0/2", "XGigabitEthernet0/0/1"]
    for port in dev.interfaces.values():
        assert port.edge is True and port.line_of("edge") == 5
        assert port.extra["inherited"]["edge"]["kind"] == "interface-range"
        assert port.extra["inherited"]["edge"]["header"] == (
            "port-group group-member GE0/0/1 to GE0/0/2 XGE0/0/1")
    assert dev.interfaces["XGigabitEthernet0/0/1"].line == 7
    assert dev.warnings == []


def test_unreadable_group_member_lists_warn_and_apply_nothing():
    text = "\n".join([
        "sysname a",                                          # 1
        "port-group pg",                                      # 2
        " group-member GigabitEthernet0/0/9 to GigabitEthernet0/0/3",  # 3: backwards
        " stp edged-port enable",                             # 4: no members: not applied
        "#",
        "interface GigabitEthernet0/0/3",                     # 6
        "#",
    ])
    dev = parse(text)
    assert dev.interfaces["GigabitEthernet0/0/3"].edge is None
    assert dev.warnings == [
        "line 3: cannot read interface list: "
        "group-member GigabitEthernet0/0/9 to GigabitEthernet0/0/3",
        "line 4: port-group pg has no members yet: line not applied: stp edged-port enable",
    ]


def test_lnp_negotiated_link_type(load, line_of):
    text = load(PG)
    dev = parse(text)
    spare = dev.interfaces["GigabitEthernet0/0/8"]
    assert spare.negotiation == "desirable" and spare.mode is None and spare.switched is True
    assert spare.line_of("negotiation") == line_of(text, "port link-type negotiation-desirable")
    lab = dev.interfaces["GigabitEthernet0/0/9"]
    assert lab.negotiation == "auto"
    assert lab.line_of("negotiation") == line_of(text, "port link-type negotiation-auto")
    # static ports do not negotiate
    assert dev.interfaces["XGigabitEthernet0/0/1"].negotiation is None
    assert dev.interfaces["GigabitEthernet0/0/1"].negotiation is None
    # a static link-type line after the negotiated one ends the negotiation
    text = ("interface GigabitEthernet0/0/1\n port link-type negotiation-auto\n"
            " port link-type access\n#\n")
    port = parse(text).interfaces["GigabitEthernet0/0/1"]
    assert port.negotiation is None and port.line_of("negotiation") == 3
    assert port.mode == "access" and "link_type" not in port.extra


def test_vbst_per_vlan_disable(load, line_of):
    text = load(PG)
    dev = parse(text)
    assert dev.stp.mode == "vbst"
    assert dev.stp.disabled_vlans == VlanSet.of([30])
    assert dev.stp.line_of("disabled_vlans") == line_of(text, "stp vlan 30 disable")
    dev = parse("sysname a\n#\nstp vlan 10 to 12 disable\nundo stp vlan 11 disable\n#\n")
    assert dev.stp.disabled_vlans == VlanSet.parse("10,12")
    assert dev.stp.line_of("disabled_vlans") == 4
    dev = parse("sysname a\n#\nstp vlan 10 priority 4096\n#\n")  # not a disable
    assert not dev.stp.disabled_vlans and dev.warnings == []


def test_cloudengine_storm_control(load, line_of):
    text = load(CE_SC)
    dev = parse(text)
    assert dev.extra["variant"] == "huawei-ce"
    kvm = dev.interfaces["10GE1/0/1"]
    bc = kvm.storm_control["broadcast"]
    assert (bc.level, bc.falling, bc.unit) == (3.0, 1.0, "percent")
    assert bc.line == line_of(text, "storm control broadcast min-rate percent 1 max-rate percent 3")
    mc = kvm.storm_control["multicast"]
    assert (mc.level, mc.falling, mc.unit) == (20_000_000.0, 10_000_000.0, "bps")  # kbps
    assert kvm.storm_actions == {"block", "trap", "log"}
    assert kvm.line_of("storm_action_trap") == line_of(text, "storm control enable trap")
    assert kvm.extra["storm_syntax"] == {"broadcast": "storm control",
                                         "multicast": "storm control"}
    backup = dev.interfaces["10GE1/0/2"]
    assert backup.storm_control["broadcast"].unit == "pps"
    assert backup.storm_actions == set()
    suppress = dev.interfaces["10GE1/0/3"]
    assert suppress.storm_actions == {"block"}
    assert suppress.extra["storm_action_keyword"] == "suppress"
    assert dev.interfaces["10GE1/0/4"].storm_control == {}  # `undo storm control all`
    bad = dev.interfaces["10GE1/0/5"]
    assert bad.storm_control == {}
    assert dev.warnings == [
        f"line {line_of(text, 'storm control broadcast min-rate 1000 max-rate lots')}: "
        "cannot read storm-control thresholds: storm control broadcast min-rate 1000 max-rate lots",
        f"line {line_of(text, 'storm control frobnicate 3')}: "
        "cannot read storm-control setting: storm control frobnicate 3",
    ]
    assert dev.stp.disabled_vlans == VlanSet.parse("130-131")


def test_cloudengine_interface_range(load, line_of):
    text = load(CE_SC)
    dev = parse(text)
    header = line_of(text, "interface range 10GE1/0/20 to 10GE1/0/23")
    for n in range(20, 24):
        port = dev.interfaces[f"10GE1/0/{n}"]
        assert port.mode == "trunk"
        assert port.allowed_vlans == VlanSet.parse("1,100-110")
        assert port.storm_control["broadcast"].level == 8000.0
        assert port.extra["inherited"]["storm_control.broadcast"] == {
            "kind": "interface-range", "name": "10GE1/0/20 to 10GE1/0/23", "line": header,
            "header": "interface range 10GE1/0/20 to 10GE1/0/23"}
    assert dev.interfaces["10GE1/0/20"].storm_actions == {"shutdown"}  # error-down
    # one action per port: the port's own `block` replaces the range's error-down
    own = dev.interfaces["10GE1/0/21"]
    assert own.storm_actions == {"block"}
    assert "storm_actions" not in own.extra["inherited"]
    assert "interface range 10GE1/0/20 to 10GE1/0/23" not in dev.interfaces


def test_cloudengine_storm_rules(load):
    dev = parse(load(CE_SC))
    assert "10GE1/0/1" not in {f.interface for f in findings(dev, "SG301")}
    sg301 = {f.interface for f in findings(dev, "SG301")}
    assert {"10GE1/0/4", "10GE1/0/5"} <= sg301  # storm control undone / unreadable
    sg303 = {f.interface for f in findings(dev, "SG303")}
    assert "10GE1/0/2" in sg303  # thresholds, no action, no trap
    assert "10GE1/0/1" not in sg303 and "10GE1/0/20" not in sg303


def test_port_group_members_are_judged_with_the_group_settings(load):
    dev = parse(load(PG))
    sg301 = {f.interface for f in findings(dev, "SG301")}
    assert "GigabitEthernet0/0/3" not in sg301  # storm-control from the group
    assert "GigabitEthernet0/0/10" in sg301  # the printers group sets none


def test_unreadable_lines_that_carry_port_settings_warn():
    text = "\n".join([
        "sysname a",                                          # 1
        "stp pathcost-standard legacy",                       # 2: nothing we model
        "stp instance 0 root primary",                        # 3
        "stp frobnicate",                                     # 4
        "#",
        "interface GigabitEthernet0/0/1",                     # 6
        " port hybrid frob vlan 10",                          # 7
        " port trunk allow-pass",                             # 8
        " stp cost 200",                                      # 9: nothing we model
        " stp edged-port sometimes",                          # 10
        " stp foo",                                           # 11
        " port link-type mystery",                            # 12
        " port vlan-stacking vlan 100 stack-vlan 99",         # 13
        " storm-control interval 10",                         # 14: nothing we model
        " port link-flap trigger error-down",                 # 15: not ours
        "#",
        "port-group",                                         # 17
        " stp edged-port enable",                             # 18
        "#",
    ])
    dev = parse(text)
    assert [w.split(":")[0] for w in dev.warnings] == [
        "line 4", "line 7", "line 8", "line 10", "line 11", "line 12", "line 13", "line 17"]
    assert dev.warnings[-1] == "line 17: port-group not read: port-group"
    assert dev.interfaces["GigabitEthernet0/0/1"].edge is None


def test_member_names_resolve_to_the_headers_spelling_even_with_a_space():
    text = "\n".join([
        "sysname a",
        "interface GigabitEthernet 0/0/1",      # 2: hand-written candidate, with a space
        "#",
        "port-group pg",                        # 4
        " group-member GE0/0/1",
        " stp edged-port enable",               # 6
        "#",
    ])
    dev = parse(text)
    assert list(dev.interfaces) == ["GigabitEthernet 0/0/1"]
    assert dev.interfaces["GigabitEthernet 0/0/1"].line_of("edge") == 6
