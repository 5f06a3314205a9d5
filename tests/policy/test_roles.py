"""Role resolution (stormguard.roles): whole-word selectors, the reason every role carries,
configuration facts (vPC / MLAG peer-links), fact sources ahead of descriptions, no import circle.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import pytest
from policy_kit import by_port, findings, pack, parse

from stormguard.effective import effective_device
from stormguard.model import Device, Interface
from stormguard.policy import load_policy
from stormguard.roles import RoleMatch


def _role(description: str, policy=None) -> tuple[str, str]:
    dev = parse(f"""
    hostname sw1
    interface GigabitEthernet1/0/1
     description {description}
     switchport mode access
    """, "cisco_ios")
    p = effective_device(dev, policy or load_policy()).port("GigabitEthernet1/0/1")
    return p.role, p.role_source


# -- no import circle --------------------------------------------------------------------------


@pytest.mark.parametrize("first", [
    "stormguard.effective", "stormguard.rules.base", "stormguard.rules",
    "stormguard.rules.sg202_edge_on_trunk_or_uplink", "stormguard.policy", "stormguard.roles",
    "stormguard.engine",
])
def test_every_module_imports_first_in_a_fresh_interpreter(first: str) -> None:
    code = (f"import sys, {first}\n"
            "import stormguard.effective as e\n"
            "print(sorted(m for m in ('stormguard.policy', 'stormguard.rules') "
            "if m in sys.modules and m != '" + first + "'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    if first in ("stormguard.effective", "stormguard.roles"):
        # effective.py and roles.py need neither the policy loader nor the rule registry
        assert json.loads(out.replace("'", '"')) == []


# -- whole words -------------------------------------------------------------------------------


@pytest.mark.parametrize(("description", "role", "source"), [
    ("esx-07 vmnic2", "hypervisor-esxi", "description matches word 'esx'"),
    ("ESXi07 vmk0", "hypervisor-esxi", "description matches word 'esxi'"),
    ("vSphere cluster B", "hypervisor-esxi", "description matches word 'vsphere'"),
    ("esx-01 uplink", "hypervisor-esxi", "description matches word 'esx'"),  # order wins
    ("KVM-05 eno1", "hypervisor", "description matches word 'kvm'"),
    ("compute-03 bond0", "hypervisor", "description matches word 'compute'"),
    ("compute03", "hypervisor", "description matches word 'compute'"),  # digits may follow
    ("Hyper-V host 4", "hypervisor", "description matches word 'hyper-v'"),
    ("Spine-3 ISL", "inter-switch", "description matches word 'spine'"),
    ("ISL to sw2", "inter-switch", "description matches word 'isl'"),
    # whole words: none of these is a hypervisor or a switch link
    ("computer lab desk 12", "access", ""),
    ("Islington office", "access", ""),
    ("leaflet printer", "access", ""),
    ("CorelDraw workstation", "access", ""),
    ("distance learning room", "access", ""),
    ("esxtop jump host", "access", ""),
])
def test_default_selectors_match_whole_words(description: str, role: str, source: str) -> None:
    assert _role(description) == (role, source)


def test_user_regex_is_whole_word_and_explains_itself(tmp_path) -> None:
    pol = load_policy([pack(tmp_path, r"""
    roles:
      storage:
        description: 'nas\d+|netapp'
    role_order: [storage]
    """)])
    assert _role("NAS01 iscsi a", pol) == ("storage", r"description matches 'nas\d+|netapp' at "
                                                    "'NAS01'")
    assert _role("dynas01 kiosk", pol) == ("access", "")  # 'nas' inside a word
    assert _role("netapp-c1 e0a", pol)[0] == "storage"


def test_combined_selectors_and_ports_say_what_matched(tmp_path) -> None:
    pol = load_policy([pack(tmp_path, """
    roles:
      storage:
        device: 'dc1-*'
        interface: ['Te1/1/*', 're:^GigabitEthernet1/0/1[0-9]$']
      pinned:
        ports: ['dc1-sw1:GigabitEthernet1/0/2']
    role_order: [pinned, storage]
    """)])
    dev = parse("""
    hostname dc1-sw1
    interface GigabitEthernet1/0/2
     description esx-02
     switchport mode trunk
    interface GigabitEthernet1/0/12
     switchport mode trunk
    """, "cisco_ios")
    e = effective_device(dev, pol)
    assert e.port("GigabitEthernet1/0/2").role_source == (
        "listed in ports 'dc1-sw1:GigabitEthernet1/0/2'")
    assert e.port("GigabitEthernet1/0/12").role_source == (
        "device matches 'dc1-*' and interface matches 're:^GigabitEthernet1/0/1[0-9]$'")


def test_role_source_reaches_json_and_sarif(tmp_path, monkeypatch) -> None:
    from stormguard.formats.json_format import to_dict
    from stormguard.formats.sarif_format import render as sarif
    from stormguard.lint import lint_paths

    cfg = tmp_path / "sw1.cfg"
    cfg.write_text("hostname sw1\n!\ninterface GigabitEthernet1/0/1\n description kvm-05 eno1\n"
                   " switchport mode access\n spanning-tree portfast\n"
                   " spanning-tree bpduguard enable\n!\nend\n")
    monkeypatch.chdir(tmp_path)
    report = lint_paths(["sw1.cfg"], fail_on="never")
    (f,) = [f for r in to_dict(report)["results"] for f in r["findings"] if f["rule"] == "SG202"]
    assert f["role"] == "hypervisor" and f["role_source"] == "description matches word 'kvm'"
    assert "(role hypervisor: description matches word 'kvm')" in f["message"]
    doc = json.loads(sarif(report))
    (res,) = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "SG202"]
    assert res["properties"]["role_source"] == "description matches word 'kvm'"


# -- vPC / MLAG peer-links ---------------------------------------------------------------------

NXOS_VPC = """
hostname n9k-1
feature vpc
vpc domain 10
  peer-keepalive destination 10.0.0.2
interface port-channel1
  description kvm cluster peer
  switchport
  switchport mode trunk
  vpc peer-link
interface port-channel20
  description to core-1
  switchport
  switchport mode trunk
interface Ethernet1/49
  switchport
  switchport mode trunk
  channel-group 1 mode active
interface Ethernet1/50
  switchport
  switchport mode trunk
  channel-group 1 mode active
"""


def test_nxos_vpc_peer_link_is_role_peer_link_and_sg101_skips_it() -> None:
    dev = parse(NXOS_VPC, "cisco_nxos")
    e = effective_device(dev, load_policy())
    pl = e.port("port-channel1")
    # a configuration fact beats the description ("kvm" would make it a hypervisor port)
    assert (pl.role, pl.role_source) == ("peer-link", "configured as vPC peer-link")
    assert e.port("Ethernet1/49").role == "peer-link"
    assert e.port("Ethernet1/49").role_source.startswith("member of port-channel1: ")
    sg101 = by_port(findings(dev), "SG101")
    assert "port-channel1" not in sg101  # a peer-link carries every VLAN by design
    assert "port-channel20" in sg101  # an ordinary trunk still fires
    assert "port-channel1" not in by_port(findings(dev), "SG301")  # exempt like inter-switch


def test_peer_link_exemption_is_a_policy_setting(tmp_path) -> None:
    pol = load_policy([pack(tmp_path, "rules:\n  SG101: {exempt_roles: []}\n")])
    assert "port-channel1" in by_port(findings(parse(NXOS_VPC, "cisco_nxos"), pol), "SG101")


EOS_MLAG = """
hostname leaf1
!
vlan 10,20
!
mlag configuration
   domain-id pod1
   local-interface Vlan4094
   peer-address 10.255.255.2
   peer-link Port-Channel10
!
interface Port-Channel10
   switchport mode trunk
!
interface Port-Channel20
   description to spine-1
   switchport mode trunk
!
interface Ethernet47
   channel-group 10 mode active
!
interface Ethernet48
   channel-group 10 mode active
!
end
"""


def test_eos_mlag_peer_link_is_role_peer_link_and_sg101_skips_it() -> None:
    dev = parse(EOS_MLAG, "arista_eos")
    assert dev.extra["mlag_peer_link"] == "Port-Channel10"
    e = effective_device(dev, load_policy())
    pl = e.port("Port-Channel10")
    assert pl.role == "peer-link"
    assert pl.role_source == "MLAG peer-link in 'mlag configuration' (line 9)"
    assert e.port("Ethernet47").role == "peer-link"
    sg101 = by_port(findings(dev), "SG101")
    assert set(sg101) == {"Port-Channel20"}


def test_a_description_saying_peer_link_is_not_a_configuration_fact() -> None:
    dev = parse("""
    hostname sw1
    interface Port-channel1
     description peer-link to sw2
     switchport mode trunk
    """, "cisco_ios")
    p = effective_device(dev, load_policy()).port("Port-channel1")
    assert p.role == "inter-switch"  # a description is only a hint: SG101 still judges it
    assert "Port-channel1" in by_port(findings(dev), "SG101")


def test_unknown_config_fact_is_a_one_line_error(tmp_path) -> None:
    from stormguard.errors import ConfigError

    p = pack(tmp_path, "roles:\n  pl:\n    config: [vpc-peerlink]\n")
    with pytest.raises(ConfigError) as err:
        load_policy([p])
    assert str(err.value) == (f"{p}:3: roles.pl.config[0]: unknown configuration fact "
                              "'vpc-peerlink' (known: mlag-peer-link, vpc-peer-link)")


# -- fact sources ahead of descriptions (the hook LLDP/CDP neighbours use) ---------------------


def test_fact_sources_come_before_description_selectors() -> None:
    def lldp(dev: Device, iface: Interface, facts: Mapping[str, Any]) -> RoleMatch | None:
        nb = facts.get("lldp", {}).get((dev.hostname, iface.name))
        if nb and nb["system"].startswith("esx"):
            return RoleMatch("hypervisor-esxi", f"LLDP: {nb['system']} {nb['port']}")
        return None

    dev = parse("""
    hostname sw1
    interface GigabitEthernet1/0/1
     description kvm-05
     switchport mode trunk
    interface GigabitEthernet1/0/2
     description kvm-06
     switchport mode trunk
    """, "cisco_ios")
    facts = {"lldp": {("sw1", "GigabitEthernet1/0/1"): {"system": "esx-07", "port": "vmnic2"}}}
    e = effective_device(dev, load_policy(), facts=facts, fact_sources=[lldp])
    p1, p2 = e.port("GigabitEthernet1/0/1"), e.port("GigabitEthernet1/0/2")
    assert (p1.role, p1.role_source) == ("hypervisor-esxi", "LLDP: esx-07 vmnic2")
    assert (p2.role, p2.role_source) == ("hypervisor", "description matches word 'kvm'")
    resolver = load_policy().resolver([lldp])
    assert resolver.resolve(dev, dev.interfaces["GigabitEthernet1/0/1"], facts) == RoleMatch(
        "hypervisor-esxi", "LLDP: esx-07 vmnic2")
