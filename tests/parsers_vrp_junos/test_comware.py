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
    # storm-constrain sends traps and logs unless `undo storm-constrain enable trap|log`
    assert desk.storm_actions == {"block", "trap", "log"}
    assert desk.extra["storm_actions_default"] == ["trap", "log"]
    assert "storm_inert" not in desk.extra  # `storm-constrain control block` limits

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


# -- issue 8: port-group manual, interface range, storm-constrain defaults, v5 syntax ----------

V5_PG = "comware5_s3100_portgroup.cfg"
V7_RANGE = "comware7_s6520_range.cfg"


def findings(dev, rule: str):
    import datetime as dt

    from stormguard.engine import audit
    from stormguard.policy import load_policy

    result = audit([dev], load_policy(), today=dt.date(2026, 11, 25))
    return [f for f in result.findings if f.rule == rule]


def test_v5_port_group_manual_expands_onto_members(load, line_of):
    text = load(V5_PG)
    dev = parse(text)
    assert dev.extra["variant"] == "comware5"
    header = line_of(text, "port-group manual desks")
    for n in range(1, 5):
        port = dev.interfaces[f"Ethernet1/0/{n}"]
        assert port.line == line_of(text, f"interface Ethernet1/0/{n}")
        assert port.mode == "access" and port.access_vlan == 41
        assert port.line_of("access_vlan") == line_of(text, "port access vlan 41")
        assert port.edge is True
        bc = port.storm_control["broadcast"]
        # Comware v5 order: upper, lower, then the unit
        assert (bc.level, bc.falling, bc.unit) == (3000.0, 1000.0, "pps")
        assert bc.line == line_of(text, "storm-constrain broadcast 3000 1000 pps")
        src = {"kind": "port-group", "name": "desks", "line": header,
               "header": "port-group manual desks"}
        assert port.extra["inherited"]["storm_control.broadcast"] == src
        assert port.extra["inherited"]["access_vlan"] == src
    assert dev.warnings == []


def test_storm_constrain_trap_and_log_are_on_by_default(load, line_of):
    text = load(V5_PG)
    dev = parse(text)
    plain = dev.interfaces["Ethernet1/0/1"]
    assert plain.storm_actions == {"trap", "log"}
    assert plain.extra["storm_actions_default"] == ["trap", "log"]
    threshold = line_of(text, "storm-constrain broadcast 3000 1000 pps")
    assert plain.line_of("storm_actions") == threshold
    quiet = dev.interfaces["Ethernet1/0/3"]  # both undone, shutdown configured
    assert quiet.storm_actions == {"shutdown"}
    assert "storm_actions_default" not in quiet.extra
    # broadcast-suppression has no notification: nothing is added
    legacy = dev.interfaces["Ethernet1/0/5"]
    assert legacy.storm_actions == set()
    assert legacy.extra["storm_syntax"] == {"broadcast": "broadcast-suppression"}


def test_storm_constrain_without_control_limits_nothing(load):
    dev = parse(load(V5_PG))
    ifs = dev.interfaces
    assert ifs["Ethernet1/0/1"].extra["storm_inert"] == ["broadcast"]
    assert ifs["Ethernet1/0/4"].extra["storm_inert"] == ["broadcast"]
    assert "storm_inert" not in ifs["Ethernet1/0/2"].extra  # control block
    assert "storm_inert" not in ifs["Ethernet1/0/3"].extra  # control shutdown
    assert "storm_inert" not in ifs["Ethernet1/0/5"].extra  # broadcast-suppression drops


def test_sg301_fires_on_thresholds_without_a_limiting_action(load, line_of):
    text = load(V5_PG)
    dev = parse(text)
    sg301 = {f.interface: f for f in findings(dev, "SG301")}
    for name in ("Ethernet1/0/1", "Ethernet1/0/4"):
        f = sg301[name]
        assert "no limiting action" in f.message
        assert f.line == line_of(text, "storm-constrain broadcast 3000 1000 pps")
        # the thresholds come from the port-group: the fix goes there too
        assert f.remediation == "port-group manual desks\n storm-constrain control block"
    for name in ("Ethernet1/0/2", "Ethernet1/0/3", "Ethernet1/0/5"):
        assert name not in sg301
    # trap is on by default: no SG303 on storm-constrain ports; broadcast-suppression only drops
    sg303 = {f.interface for f in findings(dev, "SG303")}
    assert not sg303 & {"Ethernet1/0/1", "Ethernet1/0/2", "Ethernet1/0/3", "Ethernet1/0/4"}
    assert "Ethernet1/0/5" in sg303


def test_sg301_no_limiting_action_on_a_port_of_its_own():
    text = "\n".join([
        "#", " sysname a", " stp global enable", "#",
        "interface GigabitEthernet1/0/7",           # 5
        " port access vlan 10",
        " storm-constrain broadcast pps 2000 1000",  # 7
        "#",
        "interface GigabitEthernet1/0/8",
        " port access vlan 10",
        " storm-constrain broadcast pps 2000 1000",
        " storm-constrain control shutdown",
        "#",
    ])
    found = findings(parse(text), "SG301")
    assert [(f.interface, f.line) for f in found] == [("GigabitEthernet1/0/7", 7)]
    assert found[0].remediation == ("interface GigabitEthernet1/0/7\n"
                                    " storm-constrain control block")
    assert findings(parse(text), "SG303") == []  # trap is on by default


def test_vlan_view_port_list_makes_access_ports(load, line_of):
    text = load(V5_PG)
    dev = parse(text)
    for name in ("Ethernet1/0/20", "Ethernet1/0/21"):
        port = dev.interfaces[name]
        assert port.mode == "access" and port.access_vlan == 40
        line = line_of(text, "port Ethernet1/0/20 to Ethernet1/0/21")
        assert port.line_of("access_vlan") == line
        assert port.extra["inherited"]["access_vlan"] == {
            "kind": "vlan", "name": "40", "line": line, "header": "vlan 40"}
    assert dev.stp.disabled_vlans == VlanSet.of([40])


def test_v7_named_interface_range(load, line_of):
    text = load(V7_RANGE)
    dev = parse(text)
    assert dev.extra["variant"] == "comware7"
    header = line_of(text, "interface range name hv-uplinks interface "
                           "Ten-GigabitEthernet1/0/1 to Ten-GigabitEthernet1/0/4")
    for n in range(1, 5):
        port = dev.interfaces[f"Ten-GigabitEthernet1/0/{n}"]
        assert port.mode == "trunk"
        assert port.allowed_vlans == VlanSet.parse("200-215")
        assert port.line_of("allowed_vlans") == line_of(text, "port trunk permit vlan 200 to 215")
        assert port.storm_control["broadcast"].level == 3000.0
        assert port.extra["inherited"]["allowed_vlans"] == {
            "kind": "interface-range", "name": "hv-uplinks", "line": header,
            "header": text.splitlines()[header - 1]}
    sg301 = {f.interface for f in findings(dev, "SG301")}
    assert "Ten-GigabitEthernet1/0/1" in sg301 and "Ten-GigabitEthernet1/0/2" not in sg301
    nas = dev.interfaces["Ten-GigabitEthernet1/0/10"]
    assert nas.storm_actions == {"block", "log"}  # trap undone: SG303 has something to say
    assert "Ten-GigabitEthernet1/0/10" in {f.interface for f in findings(dev, "SG303")}
    assert dev.stp.disabled_vlans == VlanSet.parse("210-211")
    assert dev.warnings == []


def test_variant_from_markers_when_there_is_no_version_line():
    v5 = parse("#\n sysname a\n stp enable\n#\ninterface GigabitEthernet1/0/1\n"
               " stp edged-port enable\n#\n")
    assert v5.extra["variant"] == "comware5"
    v7 = parse("#\n sysname a\n stp global enable\n#\ninterface GigabitEthernet1/0/1\n#\n")
    assert v7.extra["variant"] == "comware7"


def test_unreadable_lines_that_carry_port_settings_warn():
    text = "\n".join([
        "#",                                                  # 1
        " sysname a",                                         # 2
        " stp global enable",                                 # 3
        " stp global mcheck",                                 # 4: nothing we model
        " stp bogus",                                         # 5
        "#",
        "interface GigabitEthernet1/0/1",                     # 7
        " port access vlan abc",                              # 8
        " storm-constrain broadcast pps 100",                 # 9
        " storm-constrain frob",                              # 10
        " stp port priority 32",                              # 11: nothing we model
        " port hybrid vlan 10",                               # 12: tagged or untagged?
        "#",
        "interface range name nowhere",                       # 14
        "#",
        "port-group aggregation 1",                           # 16
        "#",
    ])
    dev = parse(text)
    assert [w.split(":")[0] for w in dev.warnings] == [
        "line 5", "line 8", "line 9", "line 10", "line 12", "line 14", "line 16"]


def test_stp_ignore_vlan_turns_spanning_tree_off_in_those_vlans():
    dev = parse("#\n sysname a\n stp global enable\n stp ignored vlan 50 to 52\n"
                " undo stp ignored vlan 51\n#\n")
    assert dev.stp.disabled_vlans == VlanSet.parse("50,52")
    assert dev.stp.line_of("disabled_vlans") == 5
    assert dev.warnings == []


def test_system_view_stp_interface_settings_of_older_comware():
    text = "\n".join([
        "#", " sysname a", " stp enable",                                   # 1-3
        " stp interface Ethernet1/0/1 to Ethernet1/0/2 edged-port enable",  # 4
        " stp interface Ethernet1/0/2 root-protection",                      # 5
        " stp interface Ethernet1/0/3 mystery",                              # 6
        "#",
        "interface Ethernet1/0/1",                                           # 8
        "#",
    ])
    dev = parse(text)
    e1, e2 = dev.interfaces["Ethernet1/0/1"], dev.interfaces["Ethernet1/0/2"]
    assert e1.edge is True and e1.line_of("edge") == 4 and e1.line == 8
    assert e2.edge is True and e2.root_guard is True and e2.line_of("root_guard") == 5
    assert [w.split(":")[0] for w in dev.warnings] == ["line 6"]
