"""Juniper Junos: curly-brace and display-set forms, ELS and non-ELS, against captured configs."""

from __future__ import annotations

import pytest

from stormguard.parsers import juniper_junos, parse_config
from stormguard.vlans import VlanSet

ELS = "junos_ex4300_els.conf"
ELS_SET = "junos_ex4300_els.set"
NON_ELS = "junos_ex4200_nonels.conf"


def parse(text: str):
    (dev,) = juniper_junos.parse(text, source="sw.conf")
    return dev


# -- ELS, curly-brace form --------------------------------------------------------------------
def test_els_device_and_spanning_tree(load, line_of):
    text = load(ELS)
    dev = parse(text)
    assert dev.platform == "juniper_junos"
    assert dev.hostname == "ex4300-r12-acc1"
    assert dev.line_of("hostname") == line_of(text, "host-name ex4300-r12-acc1;")
    assert dev.extra["version"] == "21.4R3-S5.4"
    assert dev.stp.enabled is True
    assert dev.stp.mode == "rstp"
    assert dev.stp.line_of("mode") == line_of(text, "rstp {")
    assert dev.stp.bpdu_guard_default is True
    assert dev.stp.line_of("bpdu_guard_default") == line_of(text, "bpdu-block-on-edge;")
    assert dev.stp.edge_default is False
    assert {v.vid: v.name for v in dev.vlans.values()} == {
        10: "MGMT", 100: "PROD", 200: "STORAGE", 30: "USERS", 1: "default",
    }
    assert dev.vlans[200].line == line_of(text, "vlan-id 200;")


def test_els_hypervisor_trunk_with_names_ids_and_ranges(load, line_of):
    text = load(ELS)
    dev = parse(text)
    port = dev.interfaces["ge-0/0/0"]
    assert port.line == line_of(text, "ge-0/0/0 {")
    assert port.description == "esx-03 vmnic0"
    assert port.kind == "physical" and port.switched is True
    assert port.mode == "trunk"
    assert port.line_of("mode") == line_of(text, "interface-mode trunk;", after=port.line)
    # PROD resolved through `vlans PROD vlan-id 100`; 20 and 300-310 taken as written
    assert port.allowed_vlans == VlanSet.parse("20,100,300-310")
    assert port.line_of("allowed_vlans") == line_of(text, "members [ PROD 20 300-310 ];")
    assert port.edge is None  # `interface ge-0/0/0;` under rstp says nothing about edge
    # storm-control profile SC-HOST: 5 %, no multicast, action-shutdown
    assert set(port.storm_control) == {"broadcast", "unknown-unicast"}
    bc = port.storm_control["broadcast"]
    assert (bc.level, bc.unit) == (5.0, "percent")
    assert bc.line == line_of(text, "storm-control SC-HOST;", after=port.line)
    assert bc.line_of("level") == line_of(text, "bandwidth-percentage 5;")
    assert port.storm_actions == {"shutdown"}
    assert port.line_of("storm_actions") == line_of(text, "action-shutdown;")
    assert port.extra["storm_control_profile"] == "SC-HOST"


def test_els_members_all_native_and_edge(load, line_of):
    text = load(ELS)
    dev = parse(text)
    port = dev.interfaces["ge-0/0/1"]
    assert port.allowed_vlans is not None and port.allowed_vlans.is_all
    assert port.line_of("allowed_vlans") == line_of(text, "members all;", after=port.line)
    assert port.native_vlan == 99
    assert port.line_of("native_vlan") == line_of(text, "native-vlan-id 99;")
    assert port.edge is True and port.edge_trunk is True
    stanza = line_of(text, "interface ge-0/0/1 {")
    assert port.line_of("edge") == line_of(text, "edge;", after=stanza)
    assert port.storm_control == {}


def test_els_access_port_bpdu_block_and_kbps_profile(load, line_of):
    text = load(ELS)
    dev = parse(text)
    port = dev.interfaces["ge-0/0/2"]
    assert port.mode == "access"
    assert port.access_vlan == 30  # USERS
    assert port.line_of("access_vlan") == line_of(text, "members USERS;")
    assert port.bpdu_guard is True
    bpdu_block = line_of(text, "bpdu-block {")
    assert port.line_of("bpdu_guard") == line_of(text, "interface ge-0/0/2;", after=bpdu_block)
    # SC-EDGE: bandwidth-level 20000 kbit/s -> bps; all three classes; no action
    assert set(port.storm_control) == {"broadcast", "multicast", "unknown-unicast"}
    assert port.storm_control["broadcast"].level == 20_000_000
    assert port.storm_control["broadcast"].unit == "bps"
    assert port.storm_actions == set()


def test_els_inactive_disabled_unknown_vlan_and_routed(load, line_of):
    text = load(ELS)
    dev = parse(text)
    assert "ge-0/0/3" not in dev.interfaces  # `inactive:` subtree
    assert "ge-0/0/9" not in dev.interfaces  # only inside the login message
    assert not any(name.startswith("<") for name in dev.interfaces)  # wildcards create nothing
    spare = dev.interfaces["ge-0/0/4"]
    assert spare.shutdown is True and spare.line_of("shutdown") == line_of(text, "disable;")
    ghost = line_of(text, "members GHOST;")
    assert dev.warnings == [f"line {ghost}: unknown VLAN name 'GHOST' in vlan members"]
    assert spare.access_vlan is None
    wan = dev.interfaces["ge-0/0/47"]
    assert wan.switched is False
    assert wan.line_of("switched") == line_of(text, "family inet {", after=wan.line)
    assert "irb" not in dev.interfaces
    assert dev.interfaces["irb.10"].kind == "vlan"
    assert dev.interfaces["irb.10"].description == "mgmt svi"
    assert dev.interfaces["em0"].kind == "management"
    assert dev.interfaces["lo0"].kind == "loopback"
    assert all(not dev.interfaces[n].switched for n in ("irb.10", "em0", "lo0"))


def test_els_aggregate_and_members(load, line_of):
    text = load(ELS)
    dev = parse(text)
    ae0 = dev.interfaces["ae0"]
    assert ae0.kind == "aggregate"
    assert ae0.mode == "trunk"
    assert ae0.allowed_vlans == VlanSet.of([10, 20, 30, 100, 200])
    assert ae0.root_guard is True
    assert ae0.line_of("root_guard") == line_of(text, "no-root-port;")
    assert ae0.extra["members"] == ["xe-0/2/0", "xe-0/2/1"]
    assert dev.interfaces["xe-0/2/0"].channel_group == "ae0"
    assert dev.interfaces["xe-0/2/0"].line_of("channel_group") == line_of(text, "802.3ad ae0;")


def test_els_interface_range_members_inherit(load, line_of):
    text = load(ELS)
    dev = parse(text)
    for name in ("ge-0/0/20", "ge-0/0/21", "ge-0/0/30", "ge-0/0/31"):
        port = dev.interfaces[name]
        assert port.description == "kvm-compute rack 12"
        assert port.mode == "trunk"
        assert port.allowed_vlans == VlanSet.of([100, 200])
        assert port.line_of("allowed_vlans") == line_of(text, "members [ PROD STORAGE ];")
        assert port.storm_control["broadcast"].level == 5.0
        assert port.extra["interface_range"] == "KVM-COMPUTE"
    assert dev.interfaces["ge-0/0/20"].stp_disabled is True
    assert dev.interfaces["ge-0/0/21"].stp_disabled is False
    assert "ge-0/0/22" not in dev.interfaces
    # values from the range say so, with the range's line (a fix goes there)
    inh = dev.interfaces["ge-0/0/30"].extra["inherited"]
    assert inh["mode"] == {"kind": "junos-interface-range", "name": "KVM-COMPUTE",
                           "line": line_of(text, "interface-mode trunk;")}
    assert inh["allowed_vlans"]["line"] == line_of(text, "members [ PROD STORAGE ];")
    # ELS: only ge-0/0/20 of the range is listed under `protocols rstp interface`
    assert dev.extra["junos_els"] is True
    assert "stp_not_member" not in dev.interfaces["ge-0/0/20"].extra
    assert dev.interfaces["ge-0/0/21"].extra["stp_not_member"]["line"] == line_of(text, "rstp {")


# -- the same switch in display-set form ----------------------------------------------------
def _facts(dev):
    out = {}
    for name, i in dev.interfaces.items():
        out[name] = (
            i.description, i.kind, i.shutdown, i.switched, i.mode, i.access_vlan,
            i.allowed_vlans, i.native_vlan, i.channel_group, i.edge, i.edge_trunk,
            i.bpdu_guard, i.bpdu_filter, i.root_guard, i.loop_guard, i.stp_disabled,
            {k: (v.level, v.unit) for k, v in i.storm_control.items()},
            sorted(i.storm_actions),
        )
    stp = dev.stp
    return (dev.hostname, stp.enabled, stp.mode, stp.bpdu_guard_default,
            {v.vid: v.name for v in dev.vlans.values()}, out)


def test_set_form_gives_the_same_model_as_curly_form(load):
    assert _facts(parse(load(ELS_SET))) == _facts(parse(load(ELS)))


def test_set_form_line_numbers_are_the_set_lines(load, line_of):
    text = load(ELS_SET)
    dev = parse(text)
    port = dev.interfaces["ge-0/0/0"]
    assert port.line == line_of(text, 'set interfaces ge-0/0/0 description "esx-03 vmnic0"')
    assert port.line_of("allowed_vlans") == line_of(
        text, "set interfaces ge-0/0/0 unit 0 family ethernet-switching vlan members 300-310"
    )
    assert port.storm_control["broadcast"].line_of("level") == line_of(
        text, "set forwarding-options storm-control-profiles SC-HOST all bandwidth-percentage 5"
    )
    assert dev.interfaces["ge-0/0/1"].line_of("edge") == line_of(
        text, "set protocols rstp interface ge-0/0/1 edge"
    )
    assert "ge-0/0/3" not in dev.interfaces  # `deactivate interfaces ge-0/0/3`
    assert dev.line_of("hostname") == line_of(text, "set system host-name ex4300-r12-acc1")


def test_crlf_parses_the_same_with_the_same_lines(load):
    text = load(ELS)
    crlf = text.replace("\n", "\r\n")
    a, b = parse(text), parse(crlf)
    assert _facts(a) == _facts(b)
    assert {n: i.lines for n, i in a.interfaces.items()} == {
        n: i.lines for n, i in b.interfaces.items()
    }


def test_auto_detection_routes_both_forms_here(load):
    for name in (ELS, ELS_SET, NON_ELS):
        (dev,) = parse_config(load(name), source=name)
        assert dev.platform == "juniper_junos"


# -- non-ELS --------------------------------------------------------------------------------
def test_non_els_trunks_native_and_membership(load, line_of):
    text = load(NON_ELS)
    dev = parse(text)
    assert dev.hostname == "ex4200-b2-acc3"
    assert dev.extra["junos_els"] is False  # port-mode, ethernet-switching-options
    ge0 = dev.interfaces["ge-0/0/0"]
    assert ge0.mode == "trunk"
    assert ge0.line_of("mode") == line_of(text, "port-mode trunk;", after=ge0.line)
    assert ge0.allowed_vlans == VlanSet.parse("50-52,60")  # vl-app=50, vl-db=60, 50-52
    assert ge0.native_vlan == 5
    assert ge0.line_of("native_vlan") == line_of(text, "native-vlan-id 5;")
    # `rstp interface ge-0/0/0.0 edge`: the unit name lands on the physical port
    assert ge0.edge is True
    # a trunk with no members carries no tagged VLAN: recorded, not left as "all"
    ge1 = dev.interfaces["ge-0/0/1"]
    assert ge1.mode == "trunk"
    assert ge1.allowed_vlans == VlanSet.none()
    assert ge1.extra["allowed_vlans_default"] is True
    assert "allowed_vlans" not in ge1.lines
    # membership declared under `vlans vl-print interface ge-0/0/2.0`
    ge2 = dev.interfaces["ge-0/0/2"]
    assert ge2.mode == "access" and ge2.access_vlan == 70
    vl_print = line_of(text, "vl-print {")
    assert ge2.line_of("access_vlan") == line_of(text, "ge-0/0/2.0;", after=vl_print)
    assert ge2.bpdu_guard is True and ge2.root_guard is True
    # family ethernet-switching with nothing inside: an access port (the Junos default)
    ge3 = dev.interfaces["ge-0/0/3"]
    assert ge3.switched is True and ge3.mode == "access"
    assert ge3.line_of("mode") == line_of(text, "family ethernet-switching;")
    uplink = dev.interfaces["ge-0/1/0"]
    assert uplink.loop_guard is True
    assert uplink.line_of("loop_guard") == line_of(
        text, "block;", after=line_of(text, "bpdu-timeout-action {")
    )
    assert dev.interfaces["vlan.40"].kind == "vlan"
    assert dev.warnings == []


def test_non_els_storm_control_all_specific_and_excluded(load, line_of):
    text = load(NON_ELS)
    dev = parse(text)
    shutdown = line_of(text, "action-shutdown;")
    ge3 = dev.interfaces["ge-0/0/3"]  # only `interface all { level 20; }`
    assert set(ge3.storm_control) == {"broadcast", "unknown-unicast"}
    assert ge3.storm_control["broadcast"].level == 20.0
    assert ge3.storm_control["broadcast"].unit == "percent"
    assert ge3.storm_control["broadcast"].line_of("level") == line_of(text, "level 20;")
    assert ge3.storm_actions == {"shutdown"} and ge3.line_of("storm_actions") == shutdown
    ge0 = dev.interfaces["ge-0/0/0"]  # its own stanza wins: 50000 kbit/s and multicast too
    assert set(ge0.storm_control) == {"broadcast", "multicast", "unknown-unicast"}
    assert ge0.storm_control["broadcast"].level == 50_000_000
    assert ge0.storm_control["broadcast"].unit == "bps"
    uplink = dev.interfaces["ge-0/1/0"]  # no-broadcast + no-unknown-unicast: nothing left
    assert uplink.storm_control == {} and uplink.storm_actions == set()
    assert dev.interfaces["vlan.40"].storm_control == {}  # routed: `interface all` skips it


# -- spanning-tree variants, small configs ----------------------------------------------------
def test_no_stp_protocol_means_stp_off():
    dev = parse("system { host-name a; }\ninterfaces { ge-0/0/1 { unit 0 { family "
                "ethernet-switching; } } }\n")
    assert dev.stp.enabled is False
    assert "stp_note" in dev.extra


@pytest.mark.parametrize("proto", ["rstp", "mstp", "vstp"])
def test_stp_mode_is_the_protocol(proto):
    dev = parse(f"set system host-name a\nset protocols {proto} interface ge-0/0/1 edge\n"
                "set interfaces ge-0/0/1 unit 0 family ethernet-switching\n")
    assert dev.stp.enabled is True and dev.stp.mode == proto
    assert dev.stp.line_of("mode") == 2
    assert dev.interfaces["ge-0/0/1"].edge is True


def test_stp_disable_and_interface_all_forms():
    text = "\n".join([
        "set system host-name a",                                                  # 1
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching",                 # 2
        "set interfaces ge-0/0/2 unit 0 family ethernet-switching",                 # 3
        "set interfaces ge-0/0/3 unit 0 family inet address 192.0.2.1/30",          # 4
        "set protocols rstp interface all edge",                                    # 5
        "set protocols rstp interface all disable",                                 # 6
        "set protocols rstp interface ge-0/0/2 disable",                            # 7
        "set protocols layer2-control bpdu-block interface all",                    # 8
        "set protocols vstp vlan 10 interface ge-0/0/1 no-root-port",               # 9
    ])
    dev = parse(text)
    assert dev.stp.edge_default is True and dev.stp.edge_default_trunk is True
    assert dev.stp.line_of("edge_default") == 5
    p1, p2, p3 = (dev.interfaces[f"ge-0/0/{k}"] for k in (1, 2, 3))
    assert p1.stp_disabled is True and p1.line_of("stp_disabled") == 6
    assert p2.stp_disabled is True and p2.line_of("stp_disabled") == 7
    # ge-0/0/2 has its own stanza (line 7): `interface all edge` does not reach it
    assert p2.edge is False and p2.line_of("edge") == 7
    assert p1.edge is None  # left to the global edge default
    assert p3.stp_disabled is False  # routed: `interface all` does not reach it
    assert p1.bpdu_guard is True and p1.line_of("bpdu_guard") == 8
    assert p1.root_guard is True and p1.line_of("root_guard") == 9
    assert p2.root_guard is False
    assert dev.stp.mode == "rstp"

    off = parse("protocols {\n    rstp {\n        disable;\n    }\n}\n")
    assert off.stp.enabled is False and off.stp.line_of("enabled") == 3


# -- flattening corner cases ------------------------------------------------------------------
def test_annotations_comments_inactive_leaves_and_wrapped_lists():
    text = "\n".join([
        "/* a multi-line",                                    # 1
        "   annotation { with braces; } */",                 # 2
        "interfaces {",                                       # 3
        "    ge-0/0/5 {",                                     # 4
        '        description "esx-11 vmnic2 {lab}"; ## tagged',  # 5
        "        inactive: disable;",                         # 6
        "        unit 0 {",                                   # 7
        "            family ethernet-switching {",            # 8
        "                interface-mode trunk;",              # 9
        "                vlan {",                             # 10
        "                    members [ 10 20",                # 11
        "                              30-32 ];",             # 12
        "                }",                                  # 13
        "                replace: native-vlan-id 10;",        # 14
        "            }",                                      # 15
        "        }",                                          # 16
        "    }",                                              # 17
        "}",                                                  # 18
    ])
    dev = parse(text)
    port = dev.interfaces["ge-0/0/5"]
    assert port.description == "esx-11 vmnic2 {lab}"
    assert port.shutdown is False
    assert port.allowed_vlans == VlanSet.parse("10,20,30-32")
    assert port.line_of("allowed_vlans") == 11
    assert port.native_vlan == 10 and port.line_of("native_vlan") == 14


def test_unknown_profile_and_default_profile_level():
    text = "\n".join([
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching storm-control NOPE",
        "set interfaces ge-0/0/2 unit 0 family ethernet-switching storm-control default",
        "set forwarding-options storm-control-profiles default all",
    ])
    dev = parse(text)
    assert dev.warnings == ["line 1: storm-control profile 'NOPE' is not defined"]
    sc = dev.interfaces["ge-0/0/2"].storm_control["broadcast"]
    assert (sc.level, sc.unit, sc.line, sc.line_of("level")) == (80.0, "percent", 2, 3)


def test_unbalanced_braces_warn_but_parse():
    dev = parse("interfaces {\n    ge-0/0/1 {\n        description x;\n    }\n}\n}\n")
    assert dev.interfaces["ge-0/0/1"].description == "x"
    assert any("unbalanced" in w for w in dev.warnings)
    dev = parse("interfaces {\n    ge-0/0/1 {\n        description x;\n")
    assert dev.interfaces["ge-0/0/1"].description == "x"
    assert any("unclosed" in w for w in dev.warnings)


def test_captured_cli_session_noise_is_ignored():
    """Output pasted from an SSH session: prompt, `{master:0}` and the command echo."""
    text = "\n".join([
        "{master:0}",                                                          # 1
        "netops@ex4300-r12-acc1> show configuration | display set | no-more",  # 2
        "set system host-name ex4300-r12-acc1",                                # 3
        "set interfaces ge-0/0/1 description \"esx-01 vmnic0\"",               # 4
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching interface-mode trunk",
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members 10",
        "",
        "{master:0}",
        "netops@ex4300-r12-acc1> ",
    ])
    dev = parse(text)
    assert dev.hostname == "ex4300-r12-acc1" and dev.line_of("hostname") == 3
    port = dev.interfaces["ge-0/0/1"]
    assert port.line == 4 and port.mode == "trunk"
    assert port.allowed_vlans == VlanSet.of([10])
    assert dev.warnings == []


def test_compact_hand_written_snippet():
    """A pre-change review snippet typed on a few lines, several statements per line."""
    text = (
        "interfaces { ge-0/0/7 { description \"kvm-07 eno1\"; unit 0 { family "
        "ethernet-switching { interface-mode trunk; vlan { members [ 10 20 ]; } } } } }\n"
        "protocols { rstp { interface ge-0/0/7 { edge; } } }\n"
    )
    dev = parse(text)
    port = dev.interfaces["ge-0/0/7"]
    assert port.description == "kvm-07 eno1"
    assert port.mode == "trunk" and port.allowed_vlans == VlanSet.of([10, 20])
    assert port.edge is True and port.line_of("edge") == 2
    assert dev.stp.mode == "rstp"
