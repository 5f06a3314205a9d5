"""Junos configuration groups and interface-ranges expanded into the per-port model.

Junos rules exercised (Juniper, "Configuration Groups": apply-groups at any level, the first
listed group wins, a group applied deeper wins over one applied higher up, local configuration
wins over every group, ``<wildcards>`` match only what exists, ``apply-groups-except``, lists
such as ``vlan members`` merge). Every value keeps the line it came from -- inside the group --
and ``extra["inherited"]`` says which group or interface-range gave it (the fix generator fixes
the value there).
"""

from __future__ import annotations

from stormguard.parsers import juniper_junos
from stormguard.vlans import VlanSet


def parse(text: str):
    (dev,) = juniper_junos.parse(text, source="sw.conf")
    return dev


def numbered(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def line_of(text: str, needle: str, after: int = 0) -> int:
    for no, line in enumerate(text.split("\n"), 1):
        if no > after and line.strip() == needle:
            return no
    raise AssertionError(needle)


CURLY = numbered([
    "version 21.4R3-S5.4;",
    "groups {",
    "    ACCESS-PORT {",
    "        interfaces {",
    "            <ge-*> {",
    "                unit 0 {",
    "                    family ethernet-switching {",
    "                        interface-mode access;",
    "                        vlan {",
    "                            members USERS;",
    "                        }",
    "                        storm-control SC-EDGE;",
    "                    }",
    "                }",
    "            }",
    "            ge-0/0/40 {",
    '                description "made by the group";',
    "            }",
    "        }",
    "        protocols {",
    "            rstp {",
    "                interface <*> {",
    "                    edge;",
    "                }",
    "            }",
    "        }",
    "    }",
    "    DESC-A {",
    "        interfaces {",
    "            <*> {",
    '                description "from A";',
    "            }",
    "        }",
    "    }",
    "    DESC-B {",
    "        interfaces {",
    "            <*> {",
    '                description "from B";',
    "                mtu 9216;",
    "            }",
    "        }",
    "    }",
    "    HV-TRUNK {",
    "        interfaces {",
    '            "<ge-0/0/[1-3]>" {',
    "                unit 0 {",
    "                    family ethernet-switching {",
    "                        interface-mode trunk;",
    "                        vlan {",
    "                            members [ 100 200 ];",
    "                        }",
    "                    }",
    "                }",
    "            }",
    "        }",
    "    }",
    "    STP-SAFE {",
    "        protocols {",
    "            rstp {",
    "                bpdu-block-on-edge;",
    "            }",
    "        }",
    "    }",
    "    NAMING {",
    "        system {",
    "            host-name ex-from-group;",
    "        }",
    "    }",
    "}",
    "apply-groups [ ACCESS-PORT DESC-A DESC-B ];",
    "system {",
    "    apply-groups NAMING;",
    "}",
    "interfaces {",
    "    ge-0/0/1 {",
    "        apply-groups HV-TRUNK;",
    "        unit 0 {",
    "            family ethernet-switching {",
    "                vlan {",
    "                    members 300;",
    "                }",
    "            }",
    "        }",
    "    }",
    "    ge-0/0/2 {",
    '        description "printer";',
    "    }",
    "    ge-0/0/5 {",
    "        apply-groups-except ACCESS-PORT;",
    "        unit 0 {",
    "            family ethernet-switching {",
    "                interface-mode trunk;",
    "            }",
    "        }",
    "    }",
    "    xe-0/2/0 {",
    "        unit 0 {",
    "            family ethernet-switching {",
    "                interface-mode trunk;",
    "                vlan {",
    "                    members all;",
    "                }",
    "            }",
    "        }",
    "    }",
    "}",
    "forwarding-options {",
    "    storm-control-profiles SC-EDGE {",
    "        all {",
    "            bandwidth-percentage 5;",
    "        }",
    "    }",
    "}",
    "protocols {",
    "    rstp {",
    "        apply-groups STP-SAFE;",
    "        interface ge-0/0/1;",
    "        interface ge-0/0/2;",
    "        interface xe-0/2/0 {",
    "            no-root-port;",
    "        }",
    "    }",
    "}",
    "vlans {",
    "    USERS {",
    "        vlan-id 30;",
    "    }",
    "}",
])

SET = numbered([
    "set version 21.4R3-S5.4",
    "set groups ACCESS-PORT interfaces <ge-*> unit 0 family ethernet-switching "
    "interface-mode access",
    "set groups ACCESS-PORT interfaces <ge-*> unit 0 family ethernet-switching vlan members USERS",
    "set groups ACCESS-PORT interfaces <ge-*> unit 0 family ethernet-switching "
    "storm-control SC-EDGE",
    'set groups ACCESS-PORT interfaces ge-0/0/40 description "made by the group"',
    "set groups ACCESS-PORT protocols rstp interface <*> edge",
    'set groups DESC-A interfaces <*> description "from A"',
    'set groups DESC-B interfaces <*> description "from B"',
    "set groups DESC-B interfaces <*> mtu 9216",
    'set groups HV-TRUNK interfaces "<ge-0/0/[1-3]>" unit 0 family ethernet-switching '
    "interface-mode trunk",
    'set groups HV-TRUNK interfaces "<ge-0/0/[1-3]>" unit 0 family ethernet-switching '
    "vlan members [ 100 200 ]",
    "set groups STP-SAFE protocols rstp bpdu-block-on-edge",
    "set groups NAMING system host-name ex-from-group",
    "set apply-groups ACCESS-PORT",
    "set apply-groups DESC-A",
    "set apply-groups DESC-B",
    "set system apply-groups NAMING",
    "set interfaces ge-0/0/1 apply-groups HV-TRUNK",
    "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members 300",
    'set interfaces ge-0/0/2 description "printer"',
    "set interfaces ge-0/0/5 apply-groups-except ACCESS-PORT",
    "set interfaces ge-0/0/5 unit 0 family ethernet-switching interface-mode trunk",
    "set interfaces xe-0/2/0 unit 0 family ethernet-switching interface-mode trunk",
    "set interfaces xe-0/2/0 unit 0 family ethernet-switching vlan members all",
    "set forwarding-options storm-control-profiles SC-EDGE all bandwidth-percentage 5",
    "set protocols rstp apply-groups STP-SAFE",
    "set protocols rstp interface ge-0/0/1",
    "set protocols rstp interface ge-0/0/2",
    "set protocols rstp interface xe-0/2/0 no-root-port",
    "set vlans USERS vlan-id 30",
])


def test_wildcard_group_fills_ports_with_the_group_lines():
    dev = parse(CURLY)
    assert dev.warnings == []
    p2 = dev.interfaces["ge-0/0/2"]
    assert p2.switched is True and p2.mode == "access" and p2.access_vlan == 30
    assert p2.line_of("mode") == line_of(CURLY, "interface-mode access;")
    assert p2.line_of("access_vlan") == line_of(CURLY, "members USERS;")
    assert p2.storm_control["broadcast"].level == 5.0
    assert p2.storm_control["broadcast"].line == line_of(CURLY, "storm-control SC-EDGE;")
    inh = p2.extra["inherited"]
    assert inh["mode"] == {"kind": "junos-group", "name": "ACCESS-PORT",
                           "line": line_of(CURLY, "interface-mode access;")}
    assert inh["access_vlan"]["name"] == "ACCESS-PORT"
    assert inh["storm_control"]["line"] == line_of(CURLY, "storm-control SC-EDGE;")
    # edge comes from `protocols rstp interface <*> edge`, matched against the rstp stanzas
    assert p2.edge is True and inh["edge"]["line"] == line_of(CURLY, "edge;")


def test_local_configuration_wins_over_groups():
    dev = parse(CURLY)
    p2 = dev.interfaces["ge-0/0/2"]
    assert p2.description == "printer"  # local, not DESC-A / DESC-B
    assert p2.line_of("description") == line_of(CURLY, 'description "printer";')
    assert "description" not in p2.extra["inherited"]


def test_first_listed_group_wins_and_deeper_group_wins():
    dev = parse(CURLY)
    xe = dev.interfaces["xe-0/2/0"]
    assert xe.description == "from A"  # DESC-A is listed before DESC-B
    assert xe.extra["inherited"]["description"]["name"] == "DESC-A"
    assert xe.mode == "trunk" and "mode" not in xe.extra["inherited"]  # its own line
    p1 = dev.interfaces["ge-0/0/1"]
    # HV-TRUNK is applied on the interface itself: it wins over ACCESS-PORT applied at the top
    assert p1.mode == "trunk"
    assert p1.extra["inherited"]["mode"] == {
        "kind": "junos-group", "name": "HV-TRUNK",
        "line": line_of(CURLY, "interface-mode trunk;")}
    # `vlan members` merge: HV-TRUNK's, ACCESS-PORT's (USERS = 30) and the port's own 300
    assert p1.allowed_vlans == VlanSet.parse("30,100,200,300")
    rec = p1.extra["inherited"]["allowed_vlans"]
    assert rec["name"] == "HV-TRUNK" and rec["merged_with_local"] is True


def test_apply_groups_except_and_wildcards_create_nothing():
    dev = parse(CURLY)
    p5 = dev.interfaces["ge-0/0/5"]
    assert p5.mode == "trunk" and p5.storm_control == {}  # ACCESS-PORT excepted here
    assert p5.description == "from A"  # DESC-A still applies
    assert "ge-0/0/3" not in dev.interfaces  # <ge-0/0/[1-3]> matches only existing ports
    made = dev.interfaces["ge-0/0/40"]  # a group naming a port literally does create it
    assert made.description == "made by the group"
    assert made.line == line_of(CURLY, "ge-0/0/40 {")


def test_groups_applied_under_system_and_protocols():
    dev = parse(CURLY)
    assert dev.hostname == "ex-from-group"
    assert dev.line_of("hostname") == line_of(CURLY, "host-name ex-from-group;")
    assert dev.extra["inherited"]["hostname"]["name"] == "NAMING"
    assert dev.stp.bpdu_guard_default is True
    assert dev.stp.line_of("bpdu_guard_default") == line_of(CURLY, "bpdu-block-on-edge;")
    assert dev.extra["inherited"]["stp.bpdu_guard_default"]["name"] == "STP-SAFE"


def _facts(dev):
    return (dev.hostname, dev.stp.bpdu_guard_default, {
        n: (i.description, i.mode, i.switched, i.access_vlan, i.allowed_vlans, i.edge,
            i.root_guard, {k: v.level for k, v in i.storm_control.items()},
            {k: v["name"] for k, v in i.extra.get("inherited", {}).items()})
        for n, i in dev.interfaces.items()})


def test_display_set_form_gives_the_same_model():
    dev = parse(SET)
    assert dev.warnings == []
    assert _facts(dev) == _facts(parse(CURLY))
    p1 = dev.interfaces["ge-0/0/1"]
    assert p1.line_of("mode") == line_of(
        SET, 'set groups HV-TRUNK interfaces "<ge-0/0/[1-3]>" unit 0 family ethernet-switching '
        "interface-mode trunk")


def test_unknown_group_and_apply_groups_inside_a_group_warn():
    text = numbered([
        "set groups G interfaces <*> apply-groups OTHER",                     # 1
        "set groups G interfaces <*> description x",                          # 2
        "set apply-groups [ G MISSING junos-defaults ]",                      # 3
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching",           # 4
    ])
    dev = parse(text)
    assert dev.warnings == [
        "line 1: apply-groups inside group G is not expanded: what it would inherit is not read",
        "line 3: apply-groups names group 'MISSING', which is not defined",
    ]
    assert dev.interfaces["ge-0/0/1"].description == "x"


def test_conditional_group_is_read_with_a_warning():
    dev = parse("\n".join([
        "set groups VC0 when member member0",                                          # 1
        "set groups VC0 interfaces <ge-0/*> description on-member-0",                  # 2
        "set apply-groups VC0",                                                        # 3
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching",                    # 4
    ]) + "\n")
    assert dev.warnings == [
        "line 1: group VC0 applies only `when` its condition holds; read as if it does"]
    assert dev.interfaces["ge-0/0/1"].description == "on-member-0"


def test_apply_groups_in_a_description_is_text():
    dev = parse('set interfaces ge-0/0/1 description "apply-groups"\n'
                "set interfaces ge-0/0/1 unit 0 family ethernet-switching\n")
    assert dev.interfaces["ge-0/0/1"].description == "apply-groups"
    assert dev.warnings == []


def test_groups_without_apply_groups_change_nothing():
    text = numbered([
        "set groups G interfaces <*> unit 0 family ethernet-switching interface-mode trunk",
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching",
    ])
    dev = parse(text)
    assert dev.interfaces["ge-0/0/1"].mode == "access"
    assert "<*>" not in dev.interfaces


# -- interface-range ----------------------------------------------------------------------------
RANGE = numbered([
    "set groups RNG interfaces interface-range HOSTS unit 0 family ethernet-switching "   # 1
    "storm-control SC",
    "set apply-groups RNG",                                                                # 2
    "set interfaces interface-range HOSTS member ge-0/0/1",                                # 3
    "set interfaces interface-range HOSTS member-range ge-0/0/2 to ge-0/0/5",              # 4
    'set interfaces interface-range HOSTS description "kvm rack 4"',                       # 5
    "set interfaces interface-range HOSTS unit 0 family ethernet-switching interface-mode trunk",
    "set interfaces interface-range HOSTS unit 0 family ethernet-switching vlan members 10",  # 7
    "set interfaces ge-0/0/3 description own",                                             # 8
    "set interfaces ge-0/0/3 unit 0 family ethernet-switching vlan members 20",            # 9
    "set forwarding-options storm-control-profiles SC all bandwidth-percentage 5",         # 10
    "set protocols rstp interface HOSTS",                                                  # 11
    "set protocols rstp interface ge-0/0/9",                                               # 12
])


def test_interface_range_members_inherit_with_their_source():
    dev = parse(RANGE)
    assert dev.warnings == []
    assert "HOSTS" not in dev.interfaces  # `rstp interface HOSTS` names the range's members
    assert sorted(n for n in dev.interfaces if n.startswith("ge-0/0/")) == [
        "ge-0/0/1", "ge-0/0/2", "ge-0/0/3", "ge-0/0/4", "ge-0/0/5"]
    p2 = dev.interfaces["ge-0/0/2"]
    assert p2.description == "kvm rack 4" and p2.mode == "trunk"
    assert p2.allowed_vlans == VlanSet.of([10]) and p2.line_of("allowed_vlans") == 7
    inh = p2.extra["inherited"]
    assert inh["description"] == {"kind": "junos-interface-range", "name": "HOSTS", "line": 5}
    assert inh["mode"] == {"kind": "junos-interface-range", "name": "HOSTS", "line": 6}
    assert inh["allowed_vlans"]["kind"] == "junos-interface-range"
    assert inh["allowed_vlans"]["line"] == 7
    # the range's storm-control came from group RNG: the record names the group, not the range
    assert p2.storm_control["broadcast"].line == 1
    assert inh["storm_control"] == {"kind": "junos-group", "name": "RNG", "line": 1}
    p3 = dev.interfaces["ge-0/0/3"]  # its own lines win
    assert p3.description == "own" and p3.allowed_vlans == VlanSet.of([20])
    assert "description" not in p3.extra["inherited"]
    assert "allowed_vlans" not in p3.extra["inherited"]


def test_interface_range_star_member_is_ports_0_to_47():
    dev = parse("set interfaces interface-range ALL member ge-1/0/*\n"
                "set interfaces interface-range ALL unit 0 family ethernet-switching\n")
    ports = [n for n in dev.interfaces if n.startswith("ge-1/0/")]
    assert len(ports) == 48 and ports[0] == "ge-1/0/0" and ports[-1] == "ge-1/0/47"
    assert all(dev.interfaces[n].switched for n in ports)


# -- damaged text -------------------------------------------------------------------------------
def test_unterminated_comment_warns_and_the_rest_is_read():
    text = numbered([
        "interfaces {",                                             # 1
        "    /* CHG0042: new tenant",                               # 2
        "    ge-0/0/1 {",                                           # 3
        "        description x;",                                   # 4
        "    }",                                                    # 5
        "}",                                                        # 6
        "protocols { rstp { interface ge-0/0/1 { edge; } } }",      # 7
    ])
    dev = parse(text)
    assert dev.warnings == [
        "line 2: unterminated /* comment (no */ follows); read as ending on this line"]
    assert dev.interfaces["ge-0/0/1"].description == "x"
    assert dev.interfaces["ge-0/0/1"].edge is True
    crlf = parse(text.replace("\n", "\r\n"))
    assert crlf.warnings == dev.warnings
    # a closed multi-line annotation is still skipped whole
    ok = parse("/* a\n b { c; } */\ninterfaces { ge-0/0/2 { description y; } }\n")
    assert ok.warnings == [] and list(ok.interfaces) == ["ge-0/0/2"]


def test_unbalanced_braces_name_their_lines():
    dev = parse(numbered([
        "interfaces {",                    # 1
        "    ge-0/0/1 {",                  # 2
        "        description x;",          # 3
        "    ge-0/0/2 {",                  # 4
        "        description y;",          # 5
        "    }",                           # 6
    ]))
    assert dev.warnings == [
        "line 7: the configuration ends inside 2 unclosed block(s), opened on line(s) 1, 2"]
    assert dev.interfaces["ge-0/0/1"].description == "x"
    stray = parse("interfaces { ge-0/0/1 { description x; } }\n}\n")
    assert stray.warnings == ["line 2: unbalanced closing brace"]


def test_blocks_that_carry_vlans_or_stp_but_are_not_read_warn():
    text = numbered([
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching",                        # 1
        "set routing-instances VS1 instance-type virtual-switch",                          # 2
        "set routing-instances VS1 vlans V100 vlan-id 100",                                # 3
        "set routing-instances VRF1 instance-type vrf",                                    # 4
        "set interfaces ge-0/0/7 flexible-vlan-tagging",                                   # 5
        "set interfaces ge-0/0/7 unit 100 vlan-id 100",                                    # 6
        "set interfaces ge-0/0/7 unit 100 family ethernet-switching",                      # 7
        "set interfaces ge-0/0/8 unit 0 family bridge interface-mode trunk",               # 8
        "set interfaces ge-0/0/9 unit 20 encapsulation vlan-bridge",                       # 9
        "set protocols mvrp interface all",                                                # 10
        "set protocols vstp vlan-group group G1 vlan 10-20",                               # 11
        "set vlans BIG vlan-id-list 200-210",                                              # 12
        "set bridge-domains BD1 vlan-id 300",                                              # 13
        "set switch-options redundant-trunk-group group RTG1 interface ge-0/0/1.0 primary",  # 14
        "set interfaces ge-0/0/2 ether-options ethernet-switch-profile storm-control SC",  # 15
    ])
    dev = parse(text)
    assert dev.warnings == [
        "line 2: routing-instances VS1 (its VLANs, bridge domains and spanning tree) is not read",
        "line 7: ge-0/0/7 unit 100 family ethernet-switching (a bridged unit other than 0) is "
        "not read",
        "line 8: ge-0/0/8 unit 0 family bridge (bridge-domain style switching) is not read",
        "line 9: ge-0/0/9 unit 20 encapsulation vlan-bridge (a bridged unit other than 0) is not "
        "read",
        "line 10: protocols mvrp (VLANs registered dynamically) is not read",
        "line 11: protocols vstp vlan-group (VLANs grouped for VSTP) is not read",
        "line 12: vlans BIG vlan-id-list (a VLAN name standing for several IDs) is not read",
        "line 13: bridge-domains (VLANs of the bridge-domain style) is not read",
        "line 14: switch-options redundant-trunk-group (trunk pairs kept loop-free without "
        "spanning tree) is not read",
        "line 15: ge-0/0/2 ether-options ... storm-control (a storm-control profile bound to the "
        "physical port) is not read",
    ]
    assert dev.interfaces["ge-0/0/8"].switched is False  # not read as an ethernet-switching port
    # a layer-3 subinterface (vlan-tagging + unit N vlan-id + family inet) is no bridging: silent
    l3 = parse("set interfaces ge-0/0/9 vlan-tagging\n"
               "set interfaces ge-0/0/9 unit 10 vlan-id 10\n"
               "set interfaces ge-0/0/9 unit 10 family inet address 192.0.2.1/30\n")
    assert l3.warnings == []


def test_collector_fetches_the_expanded_configuration():
    """The recipe asks the box to expand groups itself; the fake switch answers that command."""
    from stormguard.collect.recipes import load_recipe
    from stormguard.testing.fakenet import config_command

    cmd = load_recipe("juniper_junos").config_command
    assert cmd == "show configuration | display inheritance no-comments"
    assert config_command("juniper_junos") == cmd


def test_group_expansion_is_bounded(monkeypatch):
    """Wildcards times interfaces can explode: past the bound the expansion stops, and says so."""
    monkeypatch.setattr(juniper_junos, "_MAX_INHERITED", 100)
    lines = [f"set interfaces ge-0/0/{i} unit 0 family ethernet-switching" for i in range(40)]
    lines += [f"set groups G interfaces <*> unit 0 family ethernet-switching vlan members {k}"
              for k in range(1, 11)]
    lines.append("set apply-groups G")
    dev = parse("\n".join(lines) + "\n")
    assert dev.warnings[0] == ("line 51: groups expand to more than 100 statements; the rest "
                               "of the expansion is not read")
    assert "inherited" in dev.interfaces["ge-0/0/0"].extra


def test_group_applied_under_interfaces_gives_only_its_interfaces_part():
    text = numbered([
        "groups {",                                                  # 1
        "    EDGE {",                                                # 2
        "        interfaces {",                                      # 3
        "            <ge-*> {",                                      # 4
        "                unit 0 {",                                  # 5
        "                    family ethernet-switching;",            # 6
        "                }",                                         # 7
        "            }",                                             # 8
        "        }",                                                 # 9
        "        protocols {",                                       # 10
        "            rstp {",                                        # 11
        "                interface all {",                           # 12
        "                    edge;",                                 # 13
        "                }",                                         # 14
        "            }",                                             # 15
        "        }",                                                 # 16
        "    }",                                                     # 17
        "    GUARD {",                                               # 18
        "        protocols {",                                       # 19
        "            layer2-control {",                              # 20
        "                bpdu-block {",                              # 21
        "                    interface all;",                        # 22
        "                }",                                         # 23
        "            }",                                             # 24
        "        }",                                                 # 25
        "    }",                                                     # 26
        "}",                                                         # 27
        "interfaces {",                                              # 28
        "    apply-groups EDGE;",                                    # 29
        "    ge-0/0/1 {",                                            # 30
        "        description desk;",                                 # 31
        "    }",                                                     # 32
        "}",                                                         # 33
        "protocols {",                                               # 34
        "    apply-groups GUARD;",                                   # 35
        "    rstp;",                                                 # 36
        "}",                                                         # 37
    ])
    dev = parse(text)
    assert dev.warnings == []
    port = dev.interfaces["ge-0/0/1"]
    assert port.switched is True and port.line_of("switched") == 6
    assert port.extra["inherited"]["switched"] == {"kind": "junos-group", "name": "EDGE",
                                                   "line": 6}
    # EDGE's protocols part lies above `interfaces`, where it was applied: not inherited
    assert dev.stp.edge_default is False and port.edge is None
    # GUARD applied under `protocols`: its protocols part is
    assert port.bpdu_guard is True and port.line_of("bpdu_guard") == 22
    assert port.extra["inherited"]["bpdu_guard"]["name"] == "GUARD"


def test_display_inheritance_output_reads_the_same_once_expanded():
    """`show configuration | display inheritance no-comments` prints the inherited statements
    in place and keeps `groups` / `apply-groups`: expanding again must change nothing."""
    text = numbered([
        "groups {",                                               # 1
        "    HOST {",                                             # 2
        "        interfaces {",                                   # 3
        "            <ge-*> {",                                   # 4
        "                unit 0 {",                               # 5
        "                    family ethernet-switching {",        # 6
        "                        interface-mode trunk;",          # 7
        "                        vlan {",                         # 8
        "                            members [ 10 20 ];",         # 9
        "                        }",                              # 10
        "                    }",                                  # 11
        "                }",                                      # 12
        "            }",                                          # 13
        "        }",                                              # 14
        "    }",                                                  # 15
        "}",                                                      # 16
        "apply-groups HOST;",                                     # 17
        "interfaces {",                                           # 18
        "    ge-0/0/1 {",                                         # 19
        "        unit 0 {",                                       # 20
        "            family ethernet-switching {",                # 21
        "                interface-mode trunk;",                  # 22
        "                vlan {",                                 # 23
        "                    members [ 10 20 ];",                 # 24
        "                }",                                      # 25
        "            }",                                          # 26
        "        }",                                              # 27
        "    }",                                                  # 28
        "}",                                                      # 29
    ])
    port = parse(text).interfaces["ge-0/0/1"]
    assert port.mode == "trunk" and port.line_of("mode") == 22
    assert port.allowed_vlans == VlanSet.of([10, 20])
    assert port.extra["inherited"]["allowed_vlans"]["merged_with_local"] is True
    assert "mode" not in port.extra["inherited"]
