"""The remediation contract, per platform (docs/rules.md, "Remediation contract").

Each clause is checked on real configuration text: the finding's snippet is pasted line by line
into the config (the way the device applies it, through :mod:`stormguard.fix`) and the config
is parsed after *every* line, so "never a transient outage" is checked on each intermediate
state, not just the end result.
"""

from __future__ import annotations

import pytest

from stormguard import remediation as rem
from stormguard.engine import audit
from stormguard.fix import apply_findings, fix_config, parse_snippet
from stormguard.parsers import parse_config
from stormguard.policy import load_policy
from stormguard.vlans import VlanSet

POLICY = load_policy([])


def findings(text: str, platform: str, rule: str | None = None):
    devs = parse_config(text, platform)
    out = [f for f in audit(devs, POLICY).findings if rule is None or f.rule == rule]
    return devs, out


def allowed(text: str, platform: str, port: str) -> VlanSet:
    from stormguard.effective import effective_device

    dev = parse_config(text, platform)[0]
    eff = effective_device(dev, POLICY)
    p = eff.port(port)
    assert p is not None
    return p.allowed_vlans.value


def paste_line_by_line(text: str, platform: str, finding) -> list[str]:
    """The config after each line of the finding's snippet, in order."""
    states = []
    parts = parse_snippet(finding.remediation)
    done: list[str] = []
    for part in parts:
        for cmd in part.commands:
            done.append((f"{part.header}\n {cmd}") if part.header else cmd)
            one = type(finding)(**{**finding.__dict__, "remediation": "\n".join(done)})
            states.append(apply_findings(text, platform, [one]).text)
    return states


# -- never a transient outage: add first, then remove ------------------------------------------

HUAWEI_ALL = """sysname hw
#
vlan batch 10 20 30
#
interface GigabitEthernet0/0/1
 description uplink to esx-01
 port link-type trunk
 port trunk allow-pass vlan 2 to 4094
#
return
"""

COMWARE_ALL = """ version 7.1.070, Release 3208P03
#
 sysname h3c
#
vlan 10
#
vlan 20
#
interface GigabitEthernet1/0/1
 port link-type trunk
 port trunk permit vlan all
#
return
"""

IOS_ALL = """hostname ios
!
vlan 10
!
vlan 20
!
interface GigabitEthernet1/0/1
 switchport mode trunk
 switchport trunk allowed vlan 1-4094
!
end
"""


@pytest.mark.parametrize(("text", "platform", "port"), [
    (HUAWEI_ALL, "huawei", "GigabitEthernet0/0/1"),
    (COMWARE_ALL, "hp_comware", "GigabitEthernet1/0/1"),
    (IOS_ALL, "cisco_ios", "GigabitEthernet1/0/1"),
])
def test_vlans_that_stay_never_drop_while_pasting(text, platform, port) -> None:
    _, found = findings(text, platform, "SG101")
    assert len(found) == 1
    snippet = found[0].remediation
    assert "vlan all" not in snippet.replace("allow-pass vlan all", "").replace(
        "permit vlan all", "") or "undo" not in snippet
    assert "undo port trunk allow-pass vlan all" not in snippet
    assert "undo port trunk permit vlan all" not in snippet
    assert "allowed vlan none" not in snippet
    before = allowed(text, platform, port)
    states = paste_line_by_line(text, platform, found[0])
    final = allowed(states[-1], platform, port)
    assert not final.covers_all() and final
    keep = before & final
    for state in states:  # every intermediate config still carries every VLAN that stays
        assert keep.issubset(allowed(state, platform, port)), state


def test_vrp_lines_hold_at_most_ten_items() -> None:
    scattered = VlanSet.of(range(10, 400, 3))  # 130 separate VLANs
    token = rem.FULL_LISTS.set(True)  # as `stormguard fix` writes it (lint summarises it)
    try:
        snippet = rem.trunk_allowed("huawei", "GE0/0/1", scattered, current=VlanSet.all())
    finally:
        rem.FULL_LISTS.reset(token)
    lines = snippet.splitlines()[1:]
    assert lines[0].startswith(" port trunk allow-pass vlan")  # adds come first
    assert all(len(ln.split("vlan ", 1)[1].replace(" to ", "-").split()) <= 10 for ln in lines)
    adds = [ln for ln in lines if not ln.startswith(" undo")]
    undos = [ln for ln in lines if ln.startswith(" undo")]
    assert lines == adds + undos


def test_hybrid_port_keeps_its_pvid_and_uses_hybrid_syntax() -> None:
    text = """sysname hw
#
vlan batch 10 20 99
#
interface GigabitEthernet0/0/7
 port link-type hybrid
 port hybrid pvid vlan 99
 port hybrid untagged vlan 99
 port hybrid tagged vlan 2 to 4094
#
return
"""
    _, found = findings(text, "huawei", "SG101")
    assert len(found) == 1
    lines = found[0].remediation.splitlines()
    assert lines[1].startswith(" port hybrid tagged vlan 10 20")
    assert all("trunk" not in ln for ln in lines)
    undo = " ".join(ln for ln in lines if ln.startswith(" undo port hybrid vlan"))
    assert undo and " 99 " not in f" {undo} " and "99 to" not in undo  # PVID 99 stays
    res = fix_config(text, platform="huawei", policy=POLICY)
    assert not [f for f in findings(res.text, "huawei")[1] if f.rule == "SG101"]
    assert 99 in allowed(res.text, "huawei", "GigabitEthernet0/0/7")


# -- never looser: clamped in the threshold's own unit -----------------------------------------


@pytest.mark.parametrize(("platform", "port_lines", "expected"), [
    ("cisco_ios", " storm-control broadcast level pps 20k",
     "storm-control broadcast level pps 10000"),
    ("cisco_ios", " storm-control broadcast level bps 500m",
     "storm-control broadcast level bps 100000000"),
    ("cisco_ios", " storm-control broadcast level 40", "storm-control broadcast level 10.00"),
    ("arista_eos", " storm-control broadcast level pps 20000",
     "storm-control broadcast level pps 10000"),
    ("huawei", " storm-control broadcast min-rate 10000 max-rate 20000",
     "storm-control broadcast min-rate 5000 max-rate 10000"),
    ("huawei", " storm-control broadcast min-rate cir 200000 max-rate cir 500000",
     "storm-control broadcast min-rate cir 50000 max-rate cir 100000"),
    ("hp_comware", " broadcast-suppression pps 20000", "broadcast-suppression pps 10000"),
    ("hp_comware", " broadcast-suppression 40", "broadcast-suppression 10"),
])
def test_threshold_clamped_in_its_own_unit(platform, port_lines, expected) -> None:
    name = {"cisco_ios": "GigabitEthernet1/0/1", "arista_eos": "Ethernet1",
            "huawei": "GigabitEthernet0/0/1", "hp_comware": "GigabitEthernet1/0/1"}[platform]
    head = {"cisco_ios": "hostname s\n!\n", "arista_eos": "hostname s\n!\n",
            "huawei": "sysname s\n#\n", "hp_comware": " sysname s\n#\n"}[platform]
    mode = (" switchport mode access" if platform in ("cisco_ios", "arista_eos")
            else " port link-type access")
    text = f"{head}interface {name}\n{mode}\n{port_lines}\n"
    _, found = findings(text, platform, "SG302")
    assert len(found) == 1, found
    assert found[0].remediation.splitlines()[1:] == [f" {expected}"]
    fixed = fix_config(text, platform=platform, policy=POLICY, rules=["SG302"]).text
    assert not findings(fixed, platform, "SG302")[1]


def test_junos_bandwidth_level_stays_in_kbps() -> None:
    text = """set system host-name ex
set protocols rstp interface all
set forwarding-options storm-control-profiles BIG all bandwidth-level 900000
set interfaces ge-0/0/1 unit 0 family ethernet-switching interface-mode access
set interfaces ge-0/0/1 unit 0 family ethernet-switching storm-control BIG
"""
    _, found = findings(text, "juniper_junos", "SG302")
    assert found[0].remediation == (
        "set forwarding-options storm-control-profiles BIG all bandwidth-level 100000")


def test_no_policy_maximum_in_that_unit_says_what_is_needed(tmp_path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text("version: 1\nrules:\n  SG302: {max_pps: 0}\n")
    policy = load_policy([str(pack)])
    text = ("hostname s\n!\ninterface GigabitEthernet1/0/1\n switchport mode access\n"
            " storm-control broadcast level pps 20k\n!\n")
    devs = parse_config(text, "cisco_ios")
    found = [f for f in audit(devs, policy).findings if f.rule == "SG302"]
    assert len(found) == 1
    assert rem.fixable(found[0].remediation) is not None
    assert "no maximum in pps" in found[0].remediation
    assert "%" not in found[0].remediation  # never a silent switch of unit


def test_unit_the_platform_cannot_express_is_not_guessed() -> None:
    snippet = rem.storm_limit("nxos", "Ethernet1/1", "bps", 1e8)
    assert rem.fixable(snippet) and "storm-control broadcast" not in snippet


# -- no side effect: STP on without a mode change ----------------------------------------------


@pytest.mark.parametrize(("platform", "text", "mode_line"), [
    ("huawei", "sysname s\n#\nstp mode mstp\nstp disable\n#\ninterface GigabitEthernet0/0/1\n"
               " port link-type access\n#\nreturn\n", "stp mode mstp"),
    ("hp_comware", " sysname s\n#\n stp mode pvst\n#\ninterface GigabitEthernet1/0/1\n"
                   " port link-type access\n#\nreturn\n", "stp mode pvst"),
    ("juniper_junos", "set system host-name ex\nset protocols mstp disable\n"
                      "set interfaces ge-0/0/1 unit 0 family ethernet-switching\n",
     "protocols mstp"),
])
def test_turning_stp_on_keeps_the_mode(platform, text, mode_line) -> None:
    _, found = findings(text, platform, "SG201")
    glob = [f for f in found if f.interface is None]
    assert glob and "mode" not in glob[0].remediation
    fixed = fix_config(text, platform=platform, policy=POLICY, rules=["SG201"]).text
    assert mode_line in fixed
    dev = parse_config(fixed, platform)[0]
    assert dev.stp.enabled


# -- the variant in the file ---------------------------------------------------------------------


def test_comware_v5_and_v7_spellings() -> None:
    v5 = rem.Variant("comware", comware_v5=True)
    v7 = rem.Variant("comware")
    assert rem.stp_enable_global("comware", v=v5) == "stp enable"
    assert rem.stp_enable_global("comware", v=v7) == "stp global enable"
    assert rem.edge_off("comware", "G1", False, v=v5).endswith("stp edged-port disable")
    assert rem.edge_off("comware", "G1", False, v=v7).endswith("undo stp edged-port")
    assert rem.bpdu_guard_on("comware", "G1", v=v5) == "stp bpdu-protection"
    assert rem.bpdu_guard_on("comware", "G1", v=v7).endswith("stp port bpdu-protection enable")


def test_comware_variant_read_from_the_file() -> None:
    v5 = " version 5.20, Release 2220P02\n#\n sysname a\n#\ninterface GigabitEthernet1/0/1\n#\n"
    v7 = " version 7.1.070, Release 3208P03\n#\n sysname a\n#\ninterface GigabitEthernet1/0/1\n#\n"
    assert rem.detect_variant(parse_config(v5, "hp_comware")[0], "comware").comware_v5
    assert not rem.detect_variant(parse_config(v7, "hp_comware")[0], "comware").comware_v5


def test_huawei_s_and_cloudengine_spellings() -> None:
    ce = rem.Variant("huawei", huawei_ce=True)
    s = rem.Variant("huawei")
    assert "storm control broadcast" in rem.storm_limit("huawei", "10GE1/0/1", "pps", 1e4, v=ce)
    assert "storm-control broadcast" in rem.storm_limit("huawei", "GE0/0/1", "pps", 1e4, v=s)
    assert rem.stp_enable_port("huawei", "10GE1/0/1", v=ce).endswith("undo stp disable")
    assert rem.stp_enable_port("huawei", "GE0/0/1", v=s).endswith(" stp enable")


def test_junos_els_and_non_els_spellings() -> None:
    els = rem.Variant("junos", junos_stp="mstp")
    old = rem.Variant("junos", junos_els=False, junos_stp="rstp")
    assert rem.bpdu_guard_on("junos", "ge-0/0/1", v=els) == (
        "set protocols layer2-control bpdu-block interface ge-0/0/1")
    assert rem.bpdu_guard_on("junos", "ge-0/0/1", v=old) == (
        "set ethernet-switching-options bpdu-block interface ge-0/0/1.0")
    assert rem.edge_off("junos", "ge-0/0/1", False, v=els) == (
        "delete protocols mstp interface ge-0/0/1 edge")  # the protocol configured
    assert rem.storm_limit("junos", "ge-0/0/1", "percent", 10, v=old) == (
        "set ethernet-switching-options storm-control interface ge-0/0/1 level 10")
    assert rem.storm_action("junos", "ge-0/0/1", v=old) == (
        "set ethernet-switching-options storm-control action-shutdown")


def test_junos_non_els_fixture_round_trip_uses_unit_names() -> None:
    from pathlib import Path

    path = Path(__file__).parents[1] / "parsers_vrp_junos/fixtures/junos_ex4200_nonels.conf"
    text = path.read_text()
    _, found = findings(text, "juniper_junos", "SG202")
    assert found and all(".0 edge" in f.remediation for f in found)
    res = fix_config(text, platform="juniper_junos", policy=POLICY)
    assert res.display_set and res.text.startswith("set ")
    assert not findings(res.text, "juniper_junos", "SG202")[1]


# -- mutually exclusive features -----------------------------------------------------------------

COMWARE_SUPP = """ version 7.1.070, Release 3208P03
#
 sysname h3c
#
interface GigabitEthernet1/0/3
 port link-type access
 broadcast-suppression 30
#
interface GigabitEthernet1/0/4
 port link-type access
 storm-constrain broadcast pps 30000 10000
 storm-constrain control block
#
return
"""


def test_comware_suppression_and_storm_constrain_never_mixed() -> None:
    _, found = findings(COMWARE_SUPP, "hp_comware")
    by = {(f.rule, f.interface): f.remediation for f in found}
    # storm-constrain port: the threshold stays in storm-constrain
    assert "storm-constrain broadcast pps 10000" in by[("SG302", "GigabitEthernet1/0/4")]
    assert "suppression" not in by[("SG302", "GigabitEthernet1/0/4")]
    # suppression port: stays suppression for the level; moving to storm-constrain (for an
    # alarm) removes suppression first and is never looser than SG302 allows
    assert by[("SG302", "GigabitEthernet1/0/3")].endswith("broadcast-suppression 10")
    move = by[("SG303", "GigabitEthernet1/0/3")].splitlines()
    assert move[1] == " undo broadcast-suppression"
    assert move[2] == " storm-constrain broadcast ratio 10 5"
    fixed = fix_config(COMWARE_SUPP, platform="hp_comware", policy=POLICY).text
    block = fixed.split("interface GigabitEthernet1/0/3")[1].split("#")[0]
    assert "broadcast-suppression" not in block and "storm-constrain broadcast" in block
    assert not [f for f in findings(fixed, "hp_comware")[1] if f.rule in ("SG302", "SG303")]


# -- fixed at the source -------------------------------------------------------------------------


def test_cisco_interface_range_fixed_in_the_range() -> None:
    text = """hostname rng
!
vlan 10
!
interface range GigabitEthernet1/0/1 - 3
 switchport mode trunk
 switchport trunk allowed vlan 10
 spanning-tree portfast trunk
 storm-control broadcast level 40
 storm-control action trap
!
end
"""
    _, found = findings(text, "cisco_ios")
    edge = [f for f in found if f.rule == "SG202"]
    assert edge and all(f.remediation.startswith("interface range GigabitEthernet1/0/1 - 3\n")
                        for f in edge)
    res = fix_config(text, platform="cisco_ios", policy=POLICY)
    fixed = res.text
    rng = fixed.split("interface range GigabitEthernet1/0/1 - 3")[1].split("!")[0]
    assert "portfast" not in rng and "storm-control broadcast level 10.00" in rng
    assert "interface GigabitEthernet1/0/2" not in fixed  # members untouched
    assert {f.rule for f in res.applied} >= {"SG202", "SG302"}
    assert not [f for f in findings(fixed, "cisco_ios")[1]
                if f.key in {g.key for g in res.applied}]


@pytest.mark.parametrize(("name", "platform", "header"), [
    ("huawei_s5735_portgroup.cfg", "huawei", "port-group desks-floor2"),
    ("comware5_s3100_portgroup.cfg", "hp_comware", "port-group manual desks"),
    ("comware7_s6520_range.cfg", "hp_comware", "interface range name hv-uplinks"),
])
def test_port_group_values_fixed_in_the_group(name, platform, header) -> None:
    from pathlib import Path

    text = (Path(__file__).parents[1] / "parsers_vrp_junos/fixtures" / name).read_text()
    _, found = findings(text, platform)
    at_group = [f for f in found if f.remediation.startswith(header)]
    assert at_group, [f.remediation for f in found]
    res = fix_config(text, platform=platform, policy=POLICY)
    for f in at_group:
        assert f in res.applied or any(g.key == f.key for g in res.applied)


def test_junos_interface_range_fixed_in_the_range() -> None:
    text = """set system host-name ex
set protocols rstp interface all
set vlans PROD vlan-id 100
set vlans USERS vlan-id 10
set interfaces interface-range HV member-range ge-0/0/20 to ge-0/0/21
set interfaces interface-range HV unit 0 family ethernet-switching interface-mode trunk
set interfaces interface-range HV unit 0 family ethernet-switching vlan members all
set interfaces interface-range HV unit 0 family ethernet-switching storm-control SC
set forwarding-options storm-control-profiles SC all bandwidth-percentage 5
set forwarding-options storm-control-profiles SC action-shutdown
"""
    _, found = findings(text, "juniper_junos")
    ranged = [f for f in found if "interfaces interface-range HV unit 0" in f.remediation]
    assert ranged
    fixed = fix_config(text, platform="juniper_junos", policy=POLICY).text
    assert not [f for f in findings(fixed, "juniper_junos")[1]
                if f.key in {g.key for g in ranged}]


def test_junos_group_value_is_not_guessed() -> None:
    at = {"kind": "junos-group", "name": "ACCESS", "line": 12}
    snippet = rem.trunk_allowed("junos", "ge-0/0/1", VlanSet.of([10]), at=at)
    assert rem.fixable(snippet) and "group ACCESS" in snippet


# -- SG101: a 2,000-VLAN list is not repeated per port -------------------------------------------


def _many_vlans(ports: int) -> str:
    vids = " ".join(str(v) for v in range(2, 4002, 2))  # 2,000 VLANs, none adjacent
    out = ["sysname big", "#", f"vlan batch {vids}", "#"]
    for i in range(1, ports + 1):
        out += [f"interface GigabitEthernet0/0/{i}", " port link-type trunk",
                " port trunk allow-pass vlan all", "#"]
    return "\n".join([*out, "return"]) + "\n"


def test_sg101_long_list_summarised_in_lint_and_written_in_full_by_fix() -> None:
    text = _many_vlans(20)
    _, found = findings(text, "huawei", "SG101")
    assert len(found) == 20
    assert all(len(f.remediation) < 600 for f in found)
    assert all(rem.fixable(f.remediation) and "2000 VLANs" in f.remediation for f in found)
    res = fix_config(text, platform="huawei", policy=POLICY, rules=["SG101"])
    assert len(res.applied) == 20 and not res.skipped
    assert allowed(res.text, "huawei", "GigabitEthernet0/0/7") == VlanSet.of(range(2, 4002, 2))


def test_sg101_sarif_and_json_stay_proportional(tmp_path) -> None:
    import json

    from stormguard.formats import render
    from stormguard.lint import lint_paths

    small, big = tmp_path / "small.cfg", tmp_path / "big.cfg"
    small.write_text(_many_vlans(5))
    big.write_text(_many_vlans(50))
    sizes, counts = {}, {}
    for p in (small, big):
        rep = lint_paths([str(p)], platform="huawei")
        sizes[p.name] = (len(render(rep, "json")), len(render(rep, "sarif", max_results=0)))
        counts[p.name] = len(rep.findings)
        json.loads(render(rep, "json"))
    more = counts["big.cfg"] - counts["small.cfg"]
    assert more >= 45  # at least the SG101 finding of each added port
    # what each added finding costs, whatever the rules: bounded, not 2,000 VLANs' worth
    per_finding_json = (sizes["big.cfg"][0] - sizes["small.cfg"][0]) / more
    per_finding_sarif = (sizes["big.cfg"][1] - sizes["small.cfg"][1]) / more
    assert per_finding_json < 1500 and per_finding_sarif < 2500, (sizes, counts)


def test_linux_bridge_adds_before_it_deletes_and_keeps_the_pvid() -> None:
    lines = rem.trunk_allowed("linux_bridge", "eth1", VlanSet.of([10, 20]),
                              keep=VlanSet.of([1])).splitlines()
    adds = [ln for ln in lines if ln.startswith("bridge vlan add")]
    dels = [ln for ln in lines if ln.startswith("bridge vlan del")]
    assert lines == adds + dels and adds == ["bridge vlan add dev eth1 vid 10",
                                             "bridge vlan add dev eth1 vid 20"]
    assert "bridge vlan del dev eth1 vid 1" not in dels  # the PVID (untagged) VLAN stays
    assert "bridge vlan del dev eth1 vid 2-9" in dels


def test_advice_only_snippet_is_not_applied() -> None:
    assert rem.fixable("# 900 VLANs: cover ge-0/0/1 with MSTP") == (
        "900 VLANs: cover ge-0/0/1 with MSTP")
    assert rem.fixable("interface X\n spanning-tree bpduguard enable") is None


def test_curly_junos_to_display_set_keeps_what_matters() -> None:
    from stormguard.fix import curly_to_set

    text = """## Last changed: 2026-11-02
system {
    host-name "ex 1";
    /* moved,
       see CHG1 */
    syslog { host 10.0.0.1 { any notice; } }
}
protocols {
    rstp;
    inactive: lldp {
        interface all;
    }
}
interfaces {
    ge-0/0/1 {
        inactive: description "old";
        unit 0 { family ethernet-switching { vlan { members [ v10 v20 ]; } } }
    }
}
"""
    assert curly_to_set(text) == [
        'set system host-name "ex 1"',
        "set system syslog host 10.0.0.1 any notice",
        "set protocols rstp",
        "set protocols lldp interface all",
        "deactivate protocols lldp",
        'set interfaces ge-0/0/1 description "old"',
        "deactivate interfaces ge-0/0/1 description",
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members [ v10 v20 ]",
    ]


JUNOS_GROUPS = """set system host-name exg
set groups EDGE protocols rstp interface <ge-*> edge
set groups TRUNKS interfaces <ge-*> unit 0 family ethernet-switching interface-mode trunk
set groups TRUNKS interfaces <ge-*> unit 0 family ethernet-switching vlan members all
set protocols rstp interface ge-0/0/1
set protocols apply-groups EDGE
set interfaces apply-groups TRUNKS
set vlans v10 vlan-id 10
set interfaces ge-0/0/1 description "kvm-compute-1"
set interfaces ge-0/0/1 unit 0 family ethernet-switching
"""


def test_junos_values_from_groups_are_named_not_guessed() -> None:
    _, found = findings(JUNOS_GROUPS, "juniper_junos")
    by = {f.rule: f for f in found if f.interface == "ge-0/0/1"}
    for rule, group in (("SG202", "EDGE"), ("SG101", "TRUNKS")):
        assert rem.fixable(by[rule].remediation) == (
            f"the value is inherited from Junos group {group} (line "
            f"{2 if group == 'EDGE' else 4}); change it in the group (or apply-groups-except on "
            "this interface)")
    res = fix_config(JUNOS_GROUPS, platform="juniper_junos", policy=POLICY)
    assert {f.rule for f, _ in res.skipped} >= {"SG202", "SG101"} and not res.failed
    assert "set groups EDGE protocols rstp interface <ge-*> edge" in res.text


def test_a_fix_that_changes_nothing_is_reported_not_counted() -> None:
    from stormguard.findings import Finding

    text = "hostname s\n!\ninterface Gi1/0/1\n switchport mode access\n!\nend\n"
    bogus = Finding("SG202", "high", "s", "cisco_ios", "Gi1/0/1", 3, "edge",
                    remediation="interface Gi1/0/1\n no spanning-tree portfast")
    res = apply_findings(text, "cisco_ios", [bogus])
    assert not res.applied and res.failed and "changes nothing" in res.failed[0][1]
    assert res.text == text


def test_cisco_long_list_is_added_then_removed_in_lines_of_sane_length() -> None:
    text = ("hostname big\n!\n" + "".join(f"vlan {v}\n!\n" for v in range(2, 2002, 2))
            + "interface GigabitEthernet1/0/1\n switchport mode trunk\n!\nend\n")
    _, found = findings(text, "cisco_ios", "SG101")
    assert rem.fixable(found[0].remediation)  # lint: summarised, not 1,000 VLANs per port
    res = fix_config(text, platform="cisco_ios", policy=POLICY, rules=["SG101"])
    assert res.applied and not res.failed
    token = rem.FULL_LISTS.set(True)
    try:
        _, full = findings(text, "cisco_ios", "SG101")
    finally:
        rem.FULL_LISTS.reset(token)
    lines = full[0].remediation.splitlines()[1:]
    adds = [ln for ln in lines if " add " in ln]
    assert adds and lines == adds + [ln for ln in lines if " remove " in ln]
    assert all(len(ln) < 240 for ln in lines)
    states = paste_line_by_line(text, "cisco_ios", full[0])
    final = allowed(states[-1], "cisco_ios", "GigabitEthernet1/0/1")
    assert final == VlanSet.of(range(2, 2002, 2))
    for state in states:  # the VLANs that stay are carried after every pasted line
        assert final.issubset(allowed(state, "cisco_ios", "GigabitEthernet1/0/1"))


def test_junos_vstp_edge_removed_where_vstp_sets_it() -> None:
    text = """set system host-name exv
set vlans v10 vlan-id 10
set protocols vstp vlan 10 interface ge-0/0/1 edge
set interfaces ge-0/0/1 description "kvm-compute-1"
set interfaces ge-0/0/1 unit 0 family ethernet-switching interface-mode trunk
set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members v10
"""
    _, found = findings(text, "juniper_junos", "SG202")
    assert found[0].remediation.startswith("delete protocols vstp interface ge-0/0/1 edge")
    res = fix_config(text, platform="juniper_junos", policy=POLICY, rules=["SG202"])
    assert res.applied and "set protocols vstp vlan 10 interface ge-0/0/1\n" in res.text
    assert not findings(res.text, "juniper_junos", "SG202")[1]
