"""End to end over real config text: parser -> effective values -> rules, on every platform.

Each platform has a "bad" fixture that fires the rules (asserted exactly: rule, interface, line
where it matters, remediation in the platform's syntax) and a "good" one that fires nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sgrules_kit import TODAY

from stormguard.engine import audit
from stormguard.parsers import parse_config
from stormguard.policy import load_policy

FIX = Path(__file__).parent / "fixtures"


def findings(name: str, platform: str | None = None):
    text = (FIX / name).read_text(encoding="utf-8")
    devs = parse_config(text, platform, source=str(FIX / name))
    res = audit(devs, load_policy(), today=TODAY)
    assert res.errors == [] and all(not d.warnings for d in devs)
    return devs, res.findings


@pytest.mark.parametrize(("name", "platform"), [
    ("ios_good.cfg", "cisco_ios"), ("nxos_good.cfg", "cisco_nxos"),
    ("eos_good.cfg", "arista_eos"), ("junos_good.conf", "juniper_junos"),
    ("huawei_good.cfg", "huawei"), ("comware_good.cfg", "hp_comware"),
])
def test_compliant_configs_are_clean(name, platform) -> None:
    devs, found = findings(name, platform)
    assert devs[0].platform == platform
    assert found == [], [(f.rule, f.interface, f.message) for f in found]


def _pairs(found):
    return sorted((f.rule, f.interface or "-") for f in found)


def test_nxos_bad() -> None:
    _, found = findings("nxos_bad.cfg", "cisco_nxos")
    assert _pairs(found) == sorted([
        ("SG101", "Ethernet1/1"), ("SG101", "Ethernet1/3"), ("SG201", "-"),
        ("SG202", "Ethernet1/1"), ("SG203", "Ethernet1/1"), ("SG203", "Ethernet1/2"),
        ("SG204", "Ethernet1/1"), ("SG204", "Ethernet1/2"), ("SG301", "Ethernet1/2"),
        ("SG302", "Ethernet1/1"), ("SG303", "Ethernet1/1"),
        # no loop detection without BPDUs, no log host, no multicast/unknown-unicast limits
        ("SG205", "Ethernet1/1"), ("SG205", "Ethernet1/2"), ("SG304", "-"),
        ("SG306", "Ethernet1/1"), ("SG306", "Ethernet1/2"), ("SG306", "Ethernet1/3"),
    ])
    by = {(f.rule, f.interface): f for f in found}
    assert by[("SG101", "Ethernet1/3")].remediation == (
        "interface Ethernet1/3\n switchport trunk allowed vlan 10,20,99")
    assert by[("SG203", "Ethernet1/2")].line == 3  # the global bpdufilter default
    assert by[("SG203", "Ethernet1/2")].remediation == (
        "no spanning-tree port type edge bpdufilter default")
    assert by[("SG202", "Ethernet1/1")].remediation == (
        "interface Ethernet1/1\n no spanning-tree port type edge")


def test_eos_bad() -> None:
    _, found = findings("eos_bad.cfg", "arista_eos")
    assert _pairs(found) == sorted([
        ("SG101", "Ethernet1"), ("SG201", "-"), ("SG202", "Ethernet1"), ("SG203", "Ethernet2"),
        ("SG204", "Ethernet1"), ("SG204", "Ethernet2"), ("SG301", "Ethernet2"),
        ("SG302", "Ethernet1"),
        ("SG205", "Ethernet1"), ("SG205", "Ethernet2"), ("SG304", "-"),
        ("SG306", "Ethernet1"), ("SG306", "Ethernet2"),
    ])  # no SG303 on EOS (it only drops); `storm-control all` covers broadcast on Ethernet3
    by = {(f.rule, f.interface): f for f in found}
    assert by[("SG201", None)].remediation == "spanning-tree vlan-id 105,202"


def test_junos_bad() -> None:
    _, found = findings("junos_bad.conf", "juniper_junos")
    assert _pairs(found) == sorted([
        ("SG101", "ge-0/0/1"), ("SG201", "ge-0/0/6"), ("SG202", "ge-0/0/1"),
        ("SG204", "ge-0/0/1"), ("SG204", "ge-0/0/3"), ("SG301", "ge-0/0/1"),
        ("SG302", "ge-0/0/2"), ("SG303", "ge-0/0/2"),
        # ELS: trunks not listed under `protocols rstp interface` run without spanning tree
        ("SG201", "ge-0/0/2"), ("SG201", "ge-0/0/5"),
        # no syslog / trap host; BPDU-blocked ports without a disable-timeout
        ("SG304", "-"), ("SG305", "-"),
    ])
    by = {(f.rule, f.interface): f for f in found}
    assert by[("SG101", "ge-0/0/1")].line == 7
    assert by[("SG101", "ge-0/0/1")].remediation == (
        "delete interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members\n"
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members "
        "[ users servers vmotion ]")  # Junos member lists name their VLANs
    assert by[("SG302", "ge-0/0/2")].line == 22  # the profile's bandwidth line
    assert by[("SG303", "ge-0/0/2")].remediation == (
        "set forwarding-options storm-control-profiles sc-hi action-shutdown")
    assert by[("SG201", "ge-0/0/6")].remediation == (
        "delete protocols rstp interface ge-0/0/6 disable")


def test_junos_sg102_removes_vlans_by_name(tmp_path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text("roles:\n  hypervisor-esxi: {permitted_vlans: '10,20'}\n")  # esx-01 ...
    text = (FIX / "junos_bad.conf").read_text()
    devs = parse_config(text, "juniper_junos")
    found = [f for f in audit(devs, load_policy([pack])).findings if f.rule == "SG102"]
    # ge-0/0/1 allows all -> replace the list; ge-0/0/2 carries vmotion (30) too -> remove it
    by = {f.interface: f for f in found}
    assert set(by) == {"ge-0/0/1", "ge-0/0/2"}
    assert by["ge-0/0/2"].remediation == (
        "delete interfaces ge-0/0/2 unit 0 family ethernet-switching vlan members vmotion")
    assert by["ge-0/0/1"].remediation.endswith("vlan members [ users servers ]")


def test_junos_without_stp_protocol() -> None:
    text = ("set system host-name ex2\n"
            "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members 10\n")
    devs = parse_config(text, "juniper_junos")
    found = [f for f in audit(devs, load_policy()).findings if f.rule == "SG201"]
    assert [(f.interface, f.remediation) for f in found] == [(None, "set protocols rstp")]


def test_huawei_bad() -> None:
    _, found = findings("huawei_bad.cfg", "huawei")
    assert _pairs(found) == sorted([
        ("SG101", "GigabitEthernet0/0/1"), ("SG201", "GigabitEthernet0/0/5"),
        ("SG202", "GigabitEthernet0/0/1"), ("SG203", "GigabitEthernet0/0/4"),
        ("SG204", "GigabitEthernet0/0/1"), ("SG204", "GigabitEthernet0/0/3"),
        ("SG204", "GigabitEthernet0/0/4"), ("SG204", "GigabitEthernet0/0/5"),
        ("SG301", "GigabitEthernet0/0/1"), ("SG301", "GigabitEthernet0/0/4"),
        ("SG301", "GigabitEthernet0/0/5"), ("SG302", "GigabitEthernet0/0/3"),
        ("SG303", "GigabitEthernet0/0/3"),
        # no SG205: MAC flapping detection is on by default on the S-series
        ("SG304", "-"), *(("SG306", f"GigabitEthernet0/0/{n}") for n in range(1, 6)),
    ])
    by = {(f.rule, f.interface): f for f in found}
    assert by[("SG101", "GigabitEthernet0/0/1")].line == 12
    assert by[("SG202", "GigabitEthernet0/0/1")].line == 7  # `stp edged-port default`
    assert by[("SG202", "GigabitEthernet0/0/1")].remediation == (
        "interface GigabitEthernet0/0/1\n stp edged-port disable")
    assert by[("SG101", "GigabitEthernet0/0/1")].remediation == (
        # add first, then take the rest away: VLANs that stay never drop (remediation contract)
        "interface GigabitEthernet0/0/1\n port trunk allow-pass vlan 10 20 30\n"
        " undo port trunk allow-pass vlan 1 to 9 11 to 19 21 to 29 31 to 4094")
    assert by[("SG302", "GigabitEthernet0/0/3")].actual == "100000 pps"


def test_huawei_trunk_without_list_carries_vlan1_only() -> None:
    text = "sysname hw\n#\ninterface GigabitEthernet0/0/1\n port link-type trunk\n#\nreturn\n"
    devs = parse_config(text, "huawei")
    assert not [f for f in audit(devs, load_policy()).findings if f.rule == "SG101"]


def test_comware_bad() -> None:
    _, found = findings("comware_bad.cfg", "hp_comware")
    assert _pairs(found) == sorted([
        ("SG101", "GigabitEthernet1/0/1"), ("SG202", "GigabitEthernet1/0/1"),
        ("SG301", "GigabitEthernet1/0/1"), ("SG302", "GigabitEthernet1/0/3"),
        ("SG303", "GigabitEthernet1/0/2"),
        *(("SG205", f"GigabitEthernet1/0/{n}") for n in range(1, 4)), ("SG304", "-"),
        *(("SG306", f"GigabitEthernet1/0/{n}") for n in range(1, 5)),
    ])
    by = {(f.rule, f.interface): f for f in found}
    assert by[("SG101", "GigabitEthernet1/0/1")].remediation == (
        "interface GigabitEthernet1/0/1\n port trunk permit vlan 10 20\n"
        " undo port trunk permit vlan 1 to 9 11 to 19 21 to 4094")
    assert by[("SG302", "GigabitEthernet1/0/3")].remediation == (
        "interface GigabitEthernet1/0/3\n broadcast-suppression 10")


def test_platform_autodetected_end_to_end() -> None:
    for name, platform in (("junos_bad.conf", "juniper_junos"), ("huawei_bad.cfg", "huawei"),
                           ("eos_bad.cfg", "arista_eos"), ("nxos_bad.cfg", "cisco_nxos")):
        devs, found = findings(name)
        assert devs[0].platform == platform and found
