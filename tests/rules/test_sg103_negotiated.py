"""SG103: a switched port with a negotiated mode (DTP / LNP) can become an all-VLAN trunk.

Fires / does not fire per platform on real syntax; the fix is a static mode chosen from the
port's other settings, pasted in a safe order, and re-linting the fixed config clears the
finding without raising a new one."""

from __future__ import annotations

import textwrap

import pytest
from sgrules_kit import hits, lineno, parse, run, write_pack

from stormguard.errors import ConfigError
from stormguard.policy import load_policy

IOS = """
hostname acc-1
!
vlan 10
 name users
vlan 20
 name voice
vlan 99
 name native
!
interface GigabitEthernet1/0/1
 description desk 1
 switchport access vlan 10
 switchport mode dynamic desirable
 storm-control broadcast level 5.00
 storm-control action trap
 spanning-tree portfast
!
interface GigabitEthernet1/0/2
 description desk 2
 switchport mode dynamic auto
 storm-control broadcast level 5.00
 storm-control action trap
 spanning-tree portfast
!
interface GigabitEthernet1/0/3
 description to lab switch
 switchport trunk allowed vlan 10,20
 switchport mode dynamic desirable
 storm-control broadcast level 5.00
 storm-control action trap
!
interface GigabitEthernet1/0/4
 description to lab switch 2
 switchport trunk native vlan 99
 switchport mode dynamic auto
 storm-control broadcast level 5.00
 storm-control action trap
!
interface GigabitEthernet1/0/5
 description desk 5
 switchport access vlan 10
 switchport mode access
 switchport nonegotiate
 storm-control broadcast level 5.00
 storm-control action trap
 spanning-tree portfast
!
interface GigabitEthernet1/0/6
 description desk 6
 switchport mode dynamic desirable
 switchport mode access
 storm-control broadcast level 5.00
 storm-control action trap
 spanning-tree portfast
!
interface GigabitEthernet1/0/7
 description routed
 no switchport
 ip address 192.0.2.1 255.255.255.0
!
interface GigabitEthernet1/0/8
 description desk 8, no mode line
 switchport access vlan 10
 storm-control broadcast level 5.00
 storm-control action trap
 spanning-tree portfast
!
end
"""


def _by_port(findings):
    return {f.interface: f for f in findings}


def test_ios_explicit_dtp_fires_high_on_the_mode_line():
    got = _by_port(hits(parse(IOS, "cisco_ios"), "SG103"))
    assert sorted(got) == ["GigabitEthernet1/0/1", "GigabitEthernet1/0/2",
                           "GigabitEthernet1/0/3", "GigabitEthernet1/0/4"]
    gi1 = got["GigabitEthernet1/0/1"]
    assert gi1.severity == "high"
    assert gi1.line == lineno(IOS, "switchport mode dynamic desirable")
    assert "'switchport mode dynamic desirable'" in gi1.message
    assert got["GigabitEthernet1/0/2"].line == lineno(IOS, "switchport mode dynamic auto")


def test_ios_fix_chooses_the_static_mode_and_says_why():
    got = _by_port(hits(parse(IOS, "cisco_ios"), "SG103"))
    gi1 = got["GigabitEthernet1/0/1"]
    assert gi1.remediation == ("interface GigabitEthernet1/0/1\n switchport mode access\n"
                               " switchport nonegotiate")
    assert "static access port" in gi1.message and gi1.extra["static_mode"] == "access"
    gi3 = got["GigabitEthernet1/0/3"]  # has an allowed list: static trunk, list kept
    assert gi3.remediation == ("interface GigabitEthernet1/0/3\n switchport mode trunk\n"
                               " switchport nonegotiate")
    assert "static trunk" in gi3.message
    gi4 = got["GigabitEthernet1/0/4"]  # native VLAN only: the list comes first, then trunk
    assert gi4.remediation == ("interface GigabitEthernet1/0/4\n"
                               " switchport trunk allowed vlan 10,20,99\n"
                               " switchport mode trunk\n switchport nonegotiate")


def test_ios_static_and_routed_ports_do_not_fire():
    got = _by_port(hits(parse(IOS, "cisco_ios"), "SG103"))
    for name in ("GigabitEthernet1/0/5", "GigabitEthernet1/0/6", "GigabitEthernet1/0/7",
                 "GigabitEthernet1/0/8"):
        assert name not in got


def test_fixed_config_relints_clean_for_the_fixed_ports():
    dev = parse(IOS, "cisco_ios")
    before = run(dev).findings
    fixes = [f.remediation for f in before if f.rule == "SG103"]
    fixed_text = textwrap.dedent(IOS).lstrip("\n").replace("end\n", "") + "!\n".join(
        fix + "\n" for fix in fixes) + "end\n"
    after_dev = parse(fixed_text, "cisco_ios")
    assert after_dev.warnings == []
    after = run(after_dev).findings
    assert [f for f in after if f.rule == "SG103"] == []
    old = {(f.rule, f.interface) for f in before if f.rule != "SG103"}
    new = {(f.rule, f.interface) for f in after}
    assert new <= old, new - old  # no new finding (Gi1/0/4 did not become an all-VLAN trunk)


def test_encapsulation_line_only_where_the_platform_needs_it():
    text = IOS.replace(" description to lab switch\n",
                       " description to lab switch\n switchport trunk encapsulation dot1q\n")
    got = _by_port(hits(parse(text, "cisco_ios"), "SG103"))
    assert "encapsulation" not in got["GigabitEthernet1/0/3"].remediation  # has it already
    assert got["GigabitEthernet1/0/4"].remediation.splitlines()[1:] == [
        " switchport trunk allowed vlan 10,20,99", " switchport trunk encapsulation dot1q",
        " switchport mode trunk", " switchport nonegotiate"]


def test_implicit_default_is_off_unless_the_policy_names_the_platform(tmp_path):
    dev = parse(IOS, "cisco_ios")
    assert "GigabitEthernet1/0/8" not in _by_port(hits(dev, "SG103"))
    pack = write_pack(tmp_path, """
        rules:
          SG103: {implicit_negotiated_platforms: [cisco_ios]}
    """)
    policy = load_policy([pack])
    got = _by_port(hits(dev, "SG103", policy))
    gi8 = got["GigabitEthernet1/0/8"]
    assert gi8.line == lineno(IOS, "interface GigabitEthernet1/0/8")
    assert gi8.extra["origin"] == "default" and "implicit_negotiated_platforms" in gi8.message
    assert gi8.remediation.splitlines()[1:] == [" switchport mode access",
                                                " switchport nonegotiate"]
    # static, routed and nonegotiate ports stay quiet; the explicit ones still fire
    for name in ("GigabitEthernet1/0/5", "GigabitEthernet1/0/6", "GigabitEthernet1/0/7"):
        assert name not in got
    assert "GigabitEthernet1/0/1" in got
    # another platform is not affected by naming cisco_ios
    xe = parse(IOS, "cisco_xe")
    assert "GigabitEthernet1/0/8" not in _by_port(hits(xe, "SG103", policy))


def test_unknown_platform_in_the_parameter_is_refused(tmp_path):
    pack = write_pack(tmp_path, """
        rules:
          SG103: {implicit_negotiated_platforms: [ios15]}
    """)
    with pytest.raises(ConfigError, match=r"pack.yaml:2: .*unknown platform 'ios15'"):
        load_policy([pack])


NXOS = """
switchname n9k-1
interface Ethernet1/1
  switchport
  switchport access vlan 10
interface Ethernet1/2
  switchport
  switchport mode trunk
  switchport trunk allowed vlan 10
"""

EOS = """
hostname leaf-1
interface Ethernet1
   switchport access vlan 10
interface Ethernet2
   switchport mode trunk
   switchport trunk allowed vlan 10
"""


@pytest.mark.parametrize(("text", "platform"), [(NXOS, "cisco_nxos"), (EOS, "arista_eos")])
def test_nxos_and_eos_run_no_dtp_and_do_not_fire(text, platform):
    assert hits(parse(text, platform), "SG103") == []


def test_nxos_explicit_dynamic_line_fires_without_nonegotiate():
    text = NXOS.replace("  switchport access vlan 10\n",
                        "  switchport access vlan 10\n  switchport mode dynamic auto\n")
    (f,) = hits(parse(text, "cisco_nxos"), "SG103")
    assert f.remediation == "interface Ethernet1/1\n switchport mode access"


HUAWEI = """
sysname hw-1
vlan batch 10 20
#
interface GigabitEthernet0/0/5
 port link-type negotiation-desirable
 port default vlan 10
#
interface GigabitEthernet0/0/6
 port link-type negotiation-auto
 port trunk allow-pass vlan 10 20
#
interface GigabitEthernet0/0/7
 port link-type access
 port default vlan 10
#
return
"""


def test_huawei_lnp_fires_with_a_port_link_type_fix():
    got = _by_port(hits(parse(HUAWEI, "huawei"), "SG103"))
    assert sorted(got) == ["GigabitEthernet0/0/5", "GigabitEthernet0/0/6"]
    gi5 = got["GigabitEthernet0/0/5"]
    assert gi5.line == lineno(HUAWEI, "port link-type negotiation-desirable")
    assert "'port link-type negotiation-desirable'" in gi5.message
    assert gi5.remediation == ("interface GigabitEthernet0/0/5\n port link-type access\n"
                               " port default vlan 10")
    assert got["GigabitEthernet0/0/6"].remediation == (
        "interface GigabitEthernet0/0/6\n port link-type trunk")


def test_hit_severity_caps_the_policy_severity(tmp_path):
    """The engine contract SG201 relies on for the MST case: a hit's severity is a cap."""
    text = "hostname s1\nspanning-tree mode mst\nno spanning-tree vlan 10\n"
    dev = parse(text, "cisco_ios")
    for sev, expected in (("critical", "low"), ("low", "low"), ("info", "info")):
        pack = write_pack(tmp_path, f"rules:\n  SG201: {{severity: {sev}}}\n", f"{sev}.yaml")
        (f,) = hits(dev, "SG201", load_policy([pack]))
        assert f.severity == expected


COMWARE = """
sysname h3c-1
vlan 10
#
interface GigabitEthernet1/0/5
 port link-type trunk
 port trunk permit vlan 10
#
interface GigabitEthernet1/0/6
 port access vlan 10
#
return
"""

JUNOS = """
set system host-name ex-1
set interfaces ge-0/0/5 unit 0 family ethernet-switching interface-mode access
set interfaces ge-0/0/5 unit 0 family ethernet-switching vlan members 10
set vlans v10 vlan-id 10
"""


@pytest.mark.parametrize(("text", "platform"), [(COMWARE, "hp_comware"),
                                                 (JUNOS, "juniper_junos")])
def test_platforms_without_negotiated_modes_do_not_fire(text, platform, tmp_path):
    # even when the policy claims they negotiate by default, a configured mode is static
    pack = write_pack(tmp_path,
                      f"rules:\n  SG103: {{implicit_negotiated_platforms: [{platform}]}}\n")
    dev = parse(text, platform)
    assert hits(dev, "SG103") == []
    assert [f.interface for f in hits(dev, "SG103", load_policy([pack]))
            if f.interface in ("GigabitEthernet1/0/5", "ge-0/0/5")] == []


def test_negotiation_from_an_interface_range_is_fixed_at_the_range():
    text = """
hostname cand-1
interface range Gi1/0/1 - 4
 switchport access vlan 10
 switchport mode dynamic desirable
 storm-control broadcast level 5.00
 storm-control action trap
 spanning-tree portfast
"""
    got = hits(parse(text, "cisco_ios"), "SG103")
    assert len(got) == 4
    assert {f.line for f in got} == {lineno(text, "switchport mode dynamic desirable")}
    assert {f.remediation for f in got} == {
        "interface range Gi1/0/1 - 4\n switchport mode access\n switchport nonegotiate"}
