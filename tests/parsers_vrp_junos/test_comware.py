"""H3C Comware v7 and v5 against captured configurations."""

from __future__ import annotations

from stormguard.parsers import hp_comware, parse_config
from stormguard.vlans import VlanSet

V7 = "comware7_s5130.cfg"
V5 = "comware5_s5120.cfg"


def parse(text: str):
    (dev,) = hp_comware.parse(text, source="sw.cfg")
    return dev


def test_v7_globals_indented_system_view(load, line_of):
    text = load(V7)
    dev = parse(text)
    assert dev.platform == "hp_comware"
    # Comware prints system-view commands indented by one space after `#`
    assert dev.hostname == "S5130-HQ-F3-ACC1"
    assert dev.line_of("hostname") == line_of(text, "sysname S5130-HQ-F3-ACC1")
    assert dev.extra["version"] == "7.1.070, Release 3208P03"
    assert dev.stp.enabled is True
    assert dev.stp.line_of("enabled") == line_of(text, "stp global enable")
    assert dev.stp.mode == "rstp"
    assert dev.stp.bpdu_guard_default is True
    assert dev.stp.line_of("bpdu_guard_default") == line_of(text, "stp bpdu-protection")
    assert sorted(dev.vlans) == [1, 10, 20, 21, 22, 23, 100]
    assert dev.vlans[22].line == line_of(text, "vlan 20 to 23")
    assert dev.vlans[10].name == "MGMT"
    assert dev.vlans[100].name == "vm-prod"
    assert dev.warnings == []


def test_v7_trunk_accumulation_suppression_and_storm_constrain(load, line_of):
    text = load(V7)
    dev = parse(text)
    port = dev.interfaces["GigabitEthernet1/0/1"]
    assert port.line == line_of(text, "interface GigabitEthernet1/0/1")
    assert port.switched is True
    assert port.line_of("switched") == line_of(text, "port link-type trunk", after=port.line)
    assert port.mode == "trunk"
    assert port.allowed_vlans == VlanSet.parse("1,20,22,100")
    assert port.line_of("allowed_vlans") == line_of(text, "undo port trunk permit vlan 21")
    assert port.native_vlan == 20
    assert port.bpdu_guard is True
    assert port.line_of("bpdu_guard") == line_of(text, "stp port bpdu-protection enable")
    assert port.loop_guard is True
    # storm-constrain (a later line) replaces the broadcast-suppression value for broadcast
    bc = port.storm_control["broadcast"]
    assert (bc.level, bc.falling, bc.unit) == (2000.0, 1000.0, "pps")
    assert bc.line == line_of(text, "storm-constrain broadcast pps 2000 1000")
    mc = port.storm_control["multicast"]
    assert (mc.level, mc.unit) == (4_096_000.0, "bps")
    assert port.storm_actions == {"shutdown", "log", "trap"}
    control = line_of(text, "storm-constrain control shutdown")
    assert port.line_of("storm_action_shutdown") == control


def test_v7_other_ports(load, line_of):
    text = load(V7)
    dev = parse(text)
    ifs = dev.interfaces
    kvm = ifs["GigabitEthernet1/0/2"]
    assert kvm.allowed_vlans == VlanSet.of([1]) and kvm.line_of("allowed_vlans") is None
    assert kvm.extra["allowed_vlans_default"] is True
    assert kvm.stp_disabled is True
    assert kvm.line_of("stp_disabled") == line_of(text, "undo stp enable")

    desk = ifs["GigabitEthernet1/0/3"]  # no `port link-type`: access (the default)
    assert desk.mode == "access" and desk.access_vlan == 23
    assert desk.line_of("mode") == line_of(text, "port access vlan 23")
    assert desk.edge is True
    assert desk.line_of("edge") == line_of(text, "stp edged-port", after=desk.line)
    bc = desk.storm_control["broadcast"]
    assert (bc.level, bc.falling, bc.unit) == (20.0, 10.0, "percent")
    assert desk.storm_actions == {"block"}

    esx = ifs["GigabitEthernet1/0/4"]  # hybrid: VLAN 1 removed, 20-22 tagged, 10 untagged
    assert esx.mode == "trunk" and esx.extra["link_type"] == "hybrid"
    assert esx.allowed_vlans == VlanSet.parse("10,20-22")
    assert esx.native_vlan == 10
    assert esx.root_guard is True
    assert esx.storm_control["broadcast"].level == 100_000_000
    assert esx.storm_control["broadcast"].unit == "bps"

    assert ifs["GigabitEthernet1/0/5"].shutdown is True
    assert ifs["GigabitEthernet1/0/6"].switched is False
    assert ifs["GigabitEthernet1/0/6"].line_of("switched") == line_of(text, "port link-mode route")

    bagg = ifs["Bridge-Aggregation1"]
    assert bagg.kind == "aggregate"
    assert bagg.allowed_vlans == VlanSet.parse("10,20-23,100")
    assert bagg.extra["members"] == ["Ten-GigabitEthernet1/0/49", "Ten-GigabitEthernet1/0/50"]
    te = ifs["Ten-GigabitEthernet1/0/49"]
    assert te.channel_group == "Bridge-Aggregation1"
    assert te.line_of("channel_group") == line_of(
        text, "port link-aggregation group 1", after=te.line
    )
    lag = ifs["Bridge-Aggregation5"]
    assert lag.allowed_vlans is not None and lag.allowed_vlans.is_all
    assert lag.edge is True
    assert ifs["Vlan-interface10"].kind == "vlan"
    # the motd banner and the public-key block are not configuration
    assert "GigabitEthernet1/0/9" not in ifs


def test_v5_stp_enable_vlans_and_edge_sequences(load, line_of):
    text = load(V5)
    dev = parse(text)
    assert dev.hostname == "S5120-LAB-ACC4"
    assert dev.extra["version"].startswith("5.20")
    assert dev.stp.enabled is True
    assert dev.stp.line_of("enabled") == line_of(text, "stp enable")
    assert dev.stp.disabled_vlans == VlanSet.parse("300-301")
    assert dev.stp.line_of("disabled_vlans") == line_of(text, "undo stp vlan 300 to 301 enable")
    team = dev.interfaces["Bridge-Aggregation2"]
    assert team.allowed_vlans == VlanSet.parse("1,300-301")
    assert team.extra["members"] == ["GigabitEthernet1/0/1"]
    osc = dev.interfaces["GigabitEthernet1/0/2"]
    assert osc.allowed_vlans is not None and osc.allowed_vlans.is_all
    assert osc.edge is True
    assert osc.line_of("edge") == line_of(text, "stp edged-port enable", after=osc.line)
    assert osc.storm_control["broadcast"].level == 12000
    assert osc.storm_control["broadcast"].unit == "pps"
    bench = dev.interfaces["GigabitEthernet1/0/4"]
    assert bench.edge is False
    assert bench.line_of("edge") == line_of(text, "stp edged-port disable")
    assert bench.stp_disabled is False  # `undo stp enable` then `stp enable`
    assert bench.line_of("stp_disabled") == line_of(text, "stp enable", after=bench.line)
    up = dev.interfaces["GigabitEthernet1/0/28"]
    assert up.allowed_vlans is not None and up.allowed_vlans.covers_all()
    assert up.root_guard is True
    assert dev.warnings == []


def test_no_global_stp_enable_means_off():
    dev = parse("#\n sysname a\n#\ninterface GigabitEthernet1/0/1\n port access vlan 5\n#\n")
    assert dev.stp.enabled is False
    assert dev.stp.line_of("enabled") is None
    assert "stp_note" in dev.extra
    dev = parse("#\n sysname a\n#\n stp global enable\n#\n undo stp global enable\n#\n")
    assert dev.stp.enabled is False and dev.stp.line_of("enabled") == 6


def test_auto_detection(load):
    for name in (V5, V7):
        (dev,) = parse_config(load(name), source=name)
        assert dev.platform == "hp_comware"


def test_bpdu_drop_is_a_bpdu_filter():
    text = "interface GigabitEthernet1/0/7\n port access vlan 5\n bpdu-drop any\n#\n"
    port = parse(text).interfaces["GigabitEthernet1/0/7"]
    assert port.bpdu_filter is True and port.line_of("bpdu_filter") == 3
    text = text.replace("#", " undo bpdu-drop any\n#")
    port = parse(text).interfaces["GigabitEthernet1/0/7"]
    assert port.bpdu_filter is False and port.line_of("bpdu_filter") == 4
