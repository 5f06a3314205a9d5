"""Junos ELS vs non-ELS: which ports run spanning tree, which VLANs VSTP covers, and the non-ELS
storm-control default -- parsed from real Junos syntax and judged by the default policy."""

from __future__ import annotations

import pytest

from stormguard.engine import audit
from stormguard.parsers import juniper_junos
from stormguard.policy import load_policy
from stormguard.vlans import VlanSet


@pytest.fixture(scope="module")
def policy():
    return load_policy()


def parse(text: str):
    (dev,) = juniper_junos.parse(text, source="sw.conf")
    return dev


def findings(text: str, policy, rule: str | None = None):
    dev = parse(text)
    res = audit([dev], policy)
    return dev, [f for f in res.findings if rule is None or f.rule == rule]


ELS_HEAD = [
    "set system host-name ex4300-a",                                                        # 1
    "set interfaces ge-0/0/1 unit 0 family ethernet-switching interface-mode trunk",        # 2
    "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members [ 10 20 30 ]",   # 3
    "set interfaces ge-0/0/2 unit 0 family ethernet-switching interface-mode trunk",        # 4
    "set interfaces ge-0/0/2 unit 0 family ethernet-switching vlan members [ 10 20 ]",      # 5
    "set interfaces ge-0/0/3 unit 0 family ethernet-switching interface-mode access",       # 6
    "set interfaces ge-0/0/3 unit 0 family ethernet-switching vlan members 10",             # 7
    "set vlans V10 vlan-id 10",                                                             # 8
    "set vlans V20 vlan-id 20",                                                             # 9
    "set vlans V30 vlan-id 30",                                                             # 10
]


def els(*lines: str) -> str:
    return "\n".join(ELS_HEAD + list(lines)) + "\n"


def test_els_trunk_not_listed_under_rstp_has_no_stp(policy):
    text = els("set protocols rstp interface ge-0/0/1")                                    # 11
    dev, found = findings(text, policy, "SG201")
    assert dev.extra["junos_els"] is True
    assert dev.extra["junos_stp_protocols"] == ["rstp"]
    assert dev.extra["junos_style_evidence"] == {"els": "line 2: interface-mode"}
    assert [(f.interface, f.line) for f in found] == [("ge-0/0/2", 11)]
    (f,) = found
    assert "not listed under protocols rstp interface" in f.message
    assert f.remediation == "set protocols rstp interface ge-0/0/2"
    # an access port outside the list is not reported (the issue is about trunks)
    assert "stp_not_member" not in dev.interfaces["ge-0/0/3"].extra


@pytest.mark.parametrize("proto", ["rstp", "mstp"])
def test_interface_all_covers_every_port(policy, proto):
    _, found = findings(els(f"set protocols {proto} interface all"), policy, "SG201")
    assert found == []


def test_mstp_listed_ports_and_the_fix_names_the_configured_protocol(policy):
    _, found = findings(els("set protocols mstp interface ge-0/0/2",
                            "set protocols mstp msti 1 vlan 10"), policy, "SG201")
    assert [(f.interface, f.remediation) for f in found] == [
        ("ge-0/0/1", "set protocols mstp interface ge-0/0/1")]


def test_vstp_covers_only_the_vlans_it_lists(policy):
    text = els("set protocols vstp vlan 10 interface ge-0/0/1",                            # 11
               "set protocols vstp vlan V20 interface ge-0/0/1",                           # 12
               "set protocols vstp vlan 10 interface ge-0/0/2",                            # 13
               "set protocols vstp vlan V20 interface ge-0/0/2")                           # 14
    dev, found = findings(text, policy, "SG201")
    gap = dev.interfaces["ge-0/0/1"].extra["stp_uncovered_vlans"]
    assert gap["vlans"] == VlanSet.of([30])
    assert [(f.interface, f.line) for f in found] == [("ge-0/0/1", 11)]
    (f,) = found
    assert "VLANs 30 on ge-0/0/1 are not in protocols vstp" in f.message
    assert f.remediation == "set protocols vstp vlan 30 interface ge-0/0/1"
    assert "stp_uncovered_vlans" not in dev.interfaces["ge-0/0/2"].extra  # 10 and 20: covered


def test_vstp_with_global_interfaces_and_rstp_alongside(policy):
    # `vstp interface all` + the VLAN list: only VLAN 30 is missing, on both trunks
    _, found = findings(els("set protocols vstp interface all",
                            "set protocols vstp vlan 10",
                            "set protocols vstp vlan 20"), policy, "SG201")
    assert sorted(f.interface for f in found) == ["ge-0/0/1"]
    # RSTP alongside VSTP covers the VLANs VSTP does not list
    _, found = findings(els("set protocols rstp interface all",
                            "set protocols vstp vlan 10 interface ge-0/0/1"), policy, "SG201")
    assert found == []


def test_non_els_runs_stp_on_every_port(policy):
    text = "\n".join([
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching port-mode trunk",
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members [ 10 20 ]",
        "set protocols rstp interface ge-0/0/9 edge",
        "set ethernet-switching-options storm-control interface all level 5",
        "set vlans V10 vlan-id 10",
        "set vlans V20 vlan-id 20",
    ]) + "\n"
    dev, found = findings(text, policy, "SG201")
    assert dev.extra["junos_els"] is False
    assert found == []


def test_unit_names_under_protocols_are_non_els_evidence():
    dev = parse("set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members 10\n"
                "set protocols rstp interface ge-0/0/1.0 edge\n")
    assert dev.extra["junos_els"] is False
    assert dev.extra["junos_style_evidence"] == {
        "non-els": "line 2: protocols rstp interface ge-0/0/1.0"}


def test_style_unknown_keeps_the_classic_reading(policy):
    text = "\n".join([
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members 10",
        "set protocols rstp interface ge-0/0/9",
    ]) + "\n"
    dev, found = findings(text, policy, "SG201")
    assert dev.extra["junos_els"] is None and found == []


# -- storm control defaults -------------------------------------------------------------------
NON_ELS = "\n".join([
    "set system host-name ex4200-b",                                                       # 1
    "set interfaces ge-0/0/1 unit 0 family ethernet-switching port-mode access",          # 2
    "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members 10",            # 3
    "set interfaces ge-0/0/2 unit 0 family ethernet-switching port-mode access",          # 4
    "set interfaces ge-0/0/2 unit 0 family ethernet-switching vlan members 10",            # 5
    "set interfaces ge-0/0/3 unit 0 family ethernet-switching port-mode access",          # 6
    "set interfaces ge-0/0/3 unit 0 family ethernet-switching vlan members 10",            # 7
    "set ethernet-switching-options storm-control interface ge-0/0/2 level 5",             # 8
    "set ethernet-switching-options storm-control interface ge-0/0/3 no-broadcast",        # 9
    "set ethernet-switching-options storm-control interface ge-0/0/3 no-unknown-unicast",  # 10
    "set protocols rstp",                                                                  # 11
    "set vlans V10 vlan-id 10",                                                            # 12
]) + "\n"


def test_non_els_default_storm_control_is_judged_at_80_percent(policy):
    dev, found = findings(NON_ELS, policy)
    by = {(f.rule, f.interface): f for f in found if f.rule in ("SG301", "SG302")}
    assert dev.extra["junos_els"] is False
    assert dev.interfaces["ge-0/0/1"].storm_control == {}  # the parser records only the config
    f = by[("SG302", "ge-0/0/1")]
    assert "80 % (the Junos non-ELS default" in f.message and f.line == 2
    assert f.remediation == "set ethernet-switching-options storm-control interface ge-0/0/1 " \
        "level 10"
    assert ("SG301", "ge-0/0/1") not in by
    assert ("SG302", "ge-0/0/2") not in by and ("SG301", "ge-0/0/2") not in by  # 5 %: fine
    # its own stanza turns broadcast off: no default, a missing storm-control (SG301)
    assert ("SG301", "ge-0/0/3") in by and ("SG302", "ge-0/0/3") not in by
    # what a fix needs to know: which stanza covers the port and what it turns off
    assert dev.interfaces["ge-0/0/3"].extra["storm_control_stanza"] == {
        "interface": "ge-0/0/3", "line": 9,
        "off": ["broadcast", "multicast", "unknown-unicast"]}


def test_els_has_no_default_storm_control(policy):
    _, found = findings(els("set protocols rstp interface all"), policy)
    rules = {(f.rule, f.interface) for f in found}
    assert ("SG301", "ge-0/0/1") in rules and ("SG302", "ge-0/0/1") not in rules


def test_non_els_bandwidth_fix_stays_in_kbps(policy):
    text = NON_ELS.replace("interface ge-0/0/2 level 5", "interface ge-0/0/2 bandwidth 500000")
    _, found = findings(text, policy, "SG302")
    f = next(f for f in found if f.interface == "ge-0/0/2")
    assert f.remediation == ("set ethernet-switching-options storm-control interface ge-0/0/2 "
                             "bandwidth 100000")


def test_non_els_default_is_not_judged_on_inter_switch_links(policy):
    text = NON_ELS.replace(
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching port-mode access",
        'set interfaces ge-0/0/1 description "uplink to core-1"\n'
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching port-mode access")
    _, found = findings(text, policy)
    assert [f for f in found if f.interface == "ge-0/0/1" and f.rule in ("SG301", "SG302")] == []
