"""SG101 (trunk allows all VLANs) and SG102 (trunk VLANs outside the role's permitted set)."""

from __future__ import annotations

from sgrules_kit import device, hits, lineno, on, parse, port, write_pack

from stormguard.policy import load_policy
from stormguard.vlans import VlanSet

IOS = """
hostname sw1
!
vlan 10
 name users
vlan 20
 name servers
!
interface GigabitEthernet1/0/1
 description esx-01 vmnic0
 switchport mode trunk
!
interface GigabitEthernet1/0/2
 switchport mode trunk
 switchport trunk allowed vlan all
!
interface GigabitEthernet1/0/3
 switchport mode trunk
 switchport trunk allowed vlan 1-4094
!
interface GigabitEthernet1/0/4
 switchport mode trunk
 switchport trunk allowed vlan 10,20
!
interface GigabitEthernet1/0/5
 switchport mode trunk
 switchport trunk allowed vlan 2-3000
 switchport trunk allowed vlan add 3001-4094
!
interface GigabitEthernet1/0/6
 switchport mode trunk
 switchport trunk allowed vlan except 100
!
interface GigabitEthernet1/0/7
 switchport mode access
!
interface GigabitEthernet1/0/8
 switchport mode trunk
 shutdown
"""


def test_sg101_cisco_fires_on_missing_all_and_near_full_lists() -> None:
    dev = parse(IOS, "cisco_ios")
    found = {f.interface: f for f in hits(dev, "SG101")}
    assert set(found) == {"GigabitEthernet1/0/1", "GigabitEthernet1/0/2",
                          "GigabitEthernet1/0/3", "GigabitEthernet1/0/5", "GigabitEthernet1/0/6"}
    no_list = found["GigabitEthernet1/0/1"]
    assert no_list.severity == "high" and no_list.platform == "cisco_ios"
    # no allowed line: point at `switchport mode trunk`
    assert no_list.line == lineno(IOS, "switchport mode trunk", "interface GigabitEthernet1/0/1")
    assert "no allowed-VLAN list" in no_list.actual
    # remediation proposes the VLANs the switch defines, in IOS syntax
    assert no_list.remediation == (
        "interface GigabitEthernet1/0/1\n switchport trunk allowed vlan 10,20")
    assert found["GigabitEthernet1/0/2"].line == lineno(IOS, "switchport trunk allowed vlan all")
    assert found["GigabitEthernet1/0/3"].actual.startswith("4094 VLANs")
    # a wrapped list points where it starts
    assert found["GigabitEthernet1/0/5"].line == lineno(IOS, "switchport trunk allowed vlan 2-3000")


def test_sg101_threshold_is_a_parameter(tmp_path) -> None:
    dev = parse(IOS, "cisco_ios")
    pack = write_pack(tmp_path, "rules:\n  SG101: {all_threshold: 4095}\n")
    found = {f.interface for f in hits(dev, "SG101", load_policy([pack]))}
    # only explicit/implicit `all` now; 1-4094 is 4094 IDs < 4095
    assert found == {"GigabitEthernet1/0/1", "GigabitEthernet1/0/2"}


def test_sg101_huawei_built_device() -> None:
    dev = device("huawei")
    port(dev, "GigabitEthernet0/0/1", 10, mode="trunk", allowed_vlans=VlanSet.parse("2 to 4094"))
    port(dev, "GigabitEthernet0/0/2", 20, mode="trunk", allowed_vlans=VlanSet.parse("10 20"))
    port(dev, "GigabitEthernet0/0/3", 30, mode="trunk")  # no list: VLAN 1 only on VRP
    found = hits(dev, "SG101")
    assert [f.interface for f in found] == ["GigabitEthernet0/0/1"]
    assert found[0].line == 12
    # no VLAN database to propose from: said so, never an `undo ... vlan all` to paste
    assert found[0].remediation.splitlines() == [
        "# not auto-fixable: the VLANs this trunk needs are not known (the device defines "
        "none besides VLAN 1): list them",
        "interface GigabitEthernet0/0/1",
        " port trunk allow-pass vlan VLAN-LIST",
        " undo port trunk allow-pass vlan <every other VLAN>",
    ]


def test_sg101_junos_built_device() -> None:
    dev = device("juniper_junos")
    port(dev, "ge-0/0/1", 5, mode="trunk", allowed_vlans=VlanSet.all())
    port(dev, "ge-0/0/2", 9, mode="trunk", allowed_vlans=VlanSet.parse("[ 10 20 ]"))
    found = hits(dev, "SG101")
    assert [f.interface for f in found] == ["ge-0/0/1"]
    assert found[0].remediation.splitlines()[1:] == [
        "delete interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members",
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members VLAN-LIST"]


ROLE_PACK = """
roles:
  hypervisor:
    permitted_vlans: '10,20'
    permitted_vlans_by_device:
      'dc2-*': '100-110'
  hypervisor-esxi:
    permitted_vlans: '10,20'
"""


def test_sg102_cisco_outside_permitted_set(tmp_path) -> None:
    text = """
    hostname dc1-sw1
    interface GigabitEthernet1/0/1
     description esx-01 vmnic0
     switchport mode trunk
     switchport trunk allowed vlan 10,20,30,99
    interface GigabitEthernet1/0/2
     description esx-02 vmnic0
     switchport mode trunk
     switchport trunk allowed vlan 10,20
    interface GigabitEthernet1/0/3
     description backup server
     switchport mode trunk
     switchport trunk allowed vlan 10,20,30
    """
    policy = load_policy([write_pack(tmp_path, ROLE_PACK)])
    dev = parse(text, "cisco_ios")
    found = hits(dev, "SG102", policy)
    # Gi1/0/3 has no role with a permitted set (role `trunk`): silent
    assert [f.interface for f in found] == ["GigabitEthernet1/0/1"]
    f = found[0]
    assert f.line == lineno(text, "switchport trunk allowed vlan 10,20,30,99")
    assert f.severity == "medium"
    assert f.expected == "a subset of 10,20" and f.actual == "10,20,30,99"
    assert f.remediation == ("interface GigabitEthernet1/0/1\n"
                             " switchport trunk allowed vlan remove 30,99")
    # not configured at all -> SG102 silent, SG101 fires
    dev2 = parse("hostname dc1-sw2\ninterface Gi1/0/1\n description esx\n switchport mode trunk\n",
                 "cisco_ios")
    assert on(hits(dev2, "SG102", policy), "Gi1/0/1")[0].remediation == (
        "interface Gi1/0/1\n switchport trunk allowed vlan 10,20")


def test_sg102_per_device_set_and_huawei_syntax(tmp_path) -> None:
    policy = load_policy([write_pack(tmp_path, ROLE_PACK)])
    dev = device("huawei", "dc2-sw9")
    port(dev, "GigabitEthernet0/0/1", 3, description="kvm-07", mode="trunk",
         allowed_vlans=VlanSet.parse("100 to 110 200"))
    port(dev, "GigabitEthernet0/0/2", 9, description="kvm-08", mode="trunk",
         allowed_vlans=VlanSet.parse("100 to 105"))
    found = hits(dev, "SG102", policy)
    assert [f.interface for f in found] == ["GigabitEthernet0/0/1"]
    assert found[0].remediation == ("interface GigabitEthernet0/0/1\n"
                                    " undo port trunk allow-pass vlan 200")
    assert found[0].expected == "a subset of 100-110"


def test_sg102_silent_without_role_sets(default_policy) -> None:
    dev = parse(IOS, "cisco_ios")
    assert hits(dev, "SG102", default_policy) == []
