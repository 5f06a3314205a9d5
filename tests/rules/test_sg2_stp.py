"""SG201-SG204: spanning tree off, edge on trunks/uplinks, BPDU filter, edge without guard."""

from __future__ import annotations

from sgrules_kit import device, hits, lineno, on, parse, port

from stormguard.vlans import VlanSet

# -- SG201 -------------------------------------------------------------------------------------

IOS_STP = """
hostname sw1
spanning-tree mode rapid-pvst
no spanning-tree vlan 30,40
!
interface GigabitEthernet1/0/1
 switchport mode access
 spanning-tree disable
!
interface GigabitEthernet1/0/2
 switchport mode access
!
interface GigabitEthernet1/0/3
 no switchport
 ip address 10.1.1.1 255.255.255.0
"""


def test_sg201_cisco_vlans_and_port() -> None:
    found = hits(parse(IOS_STP, "cisco_ios"), "SG201")
    glob = on(found, None)
    assert len(glob) == 1
    assert glob[0].line == lineno(IOS_STP, "no spanning-tree vlan 30,40")
    assert glob[0].actual == "disabled for VLANs 30,40"
    assert glob[0].remediation == "spanning-tree vlan 30,40"
    port_f = on(found, "GigabitEthernet1/0/1")
    assert len(port_f) == 1 and port_f[0].line == lineno(IOS_STP, "spanning-tree disable")
    assert port_f[0].remediation == "interface GigabitEthernet1/0/1\n no spanning-tree disable"
    assert len(found) == 2  # Gi1/0/2 fine, Gi1/0/3 routed


def test_sg201_cisco_clean() -> None:
    text = ("hostname sw1\nspanning-tree mode rapid-pvst\n"
            "interface Gi1/0/1\n switchport mode access\n")
    assert hits(parse(text, "cisco_ios"), "SG201") == []


def test_sg201_eos_global_off() -> None:
    text = """
    hostname leaf1
    spanning-tree mode none
    !
    interface Ethernet1
       switchport mode trunk
       spanning-tree disable
    """
    found = hits(parse(text, "arista_eos"), "SG201")
    assert len(found) == 1 and found[0].interface is None  # one finding, not one per port
    assert found[0].line == lineno(text, "spanning-tree mode none")
    assert found[0].remediation == "spanning-tree mode mstp"


def test_sg201_huawei_built() -> None:
    dev = device("huawei")
    dev.stp.set("enabled", False, 3)
    port(dev, "GigabitEthernet0/0/1", 10, mode="access")
    found = hits(dev, "SG201")
    assert [(f.interface, f.line) for f in found] == [(None, 3)]
    assert found[0].remediation == "stp enable"  # the STP mode is left as it is
    dev2 = device("huawei")
    port(dev2, "GigabitEthernet0/0/1", 10, mode="access", stp_disabled=True)
    found2 = hits(dev2, "SG201")
    assert [(f.interface, f.line) for f in found2] == [("GigabitEthernet0/0/1", 12)]
    assert found2[0].remediation == "interface GigabitEthernet0/0/1\n stp enable"
    dev3 = device("huawei")
    port(dev3, "GigabitEthernet0/0/1", 10, mode="access")
    assert hits(dev3, "SG201") == []


# -- SG202 -------------------------------------------------------------------------------------

IOS_EDGE = """
hostname sw1
spanning-tree portfast default
spanning-tree portfast bpduguard default
!
interface GigabitEthernet1/0/1
 description kvm-01 uplink
 switchport mode access
!
interface GigabitEthernet1/0/2
 switchport mode trunk
 spanning-tree portfast
!
interface GigabitEthernet1/0/3
 switchport mode trunk
 spanning-tree portfast trunk
!
interface GigabitEthernet1/0/4
 description printer
 switchport mode access
!
interface GigabitEthernet1/0/5
 description to dist-2
 switchport mode access
 spanning-tree portfast disable
!
interface GigabitEthernet1/0/6
 switchport mode trunk
"""


def test_sg202_cisco() -> None:
    found = {f.interface: f for f in hits(parse(IOS_EDGE, "cisco_ios"), "SG202")}
    # Gi1/0/1: hypervisor role (kvm wins over "uplink"), edge via the global default
    # Gi1/0/2: `portfast` without `trunk` is not in effect on an IOS trunk -> silent
    # Gi1/0/3: portfast trunk -> fires; Gi1/0/4: ordinary access port -> edge is fine
    # Gi1/0/5: inter-switch, but portfast disabled; Gi1/0/6: global default is access-only
    assert set(found) == {"GigabitEthernet1/0/1", "GigabitEthernet1/0/3"}
    hv = found["GigabitEthernet1/0/1"]
    assert hv.line == lineno(IOS_EDGE, "spanning-tree portfast default")
    assert hv.extra["role"] == "hypervisor"
    assert hv.extra["role_source"] == "description matches word 'kvm'"
    assert hv.remediation == "interface GigabitEthernet1/0/1\n spanning-tree portfast disable"
    tr = found["GigabitEthernet1/0/3"]
    assert tr.line == lineno(IOS_EDGE, "spanning-tree portfast trunk")
    assert tr.remediation == "interface GigabitEthernet1/0/3\n no spanning-tree portfast"


def test_sg202_global_default_trunk_keyword() -> None:
    text = ("hostname s\nspanning-tree portfast trunk default\n"
            "interface Gi1/0/1\n switchport mode trunk\n")
    found = hits(parse(text, "cisco_ios"), "SG202")
    assert [f.interface for f in found] == ["Gi1/0/1"]
    assert found[0].line == 2


def test_sg202_eos_portfast_on_trunk_is_in_effect() -> None:
    text = """
    hostname leaf1
    interface Ethernet1
       switchport mode trunk
       spanning-tree portfast
    interface Ethernet2
       switchport mode trunk
    """
    found = hits(parse(text, "arista_eos"), "SG202")
    assert [f.interface for f in found] == ["Ethernet1"]
    # and no auto-edge either: a real non-edge port
    assert found[0].remediation == ("interface Ethernet1\n no spanning-tree portfast\n"
                                    " no spanning-tree portfast auto")


def test_sg202_junos_built() -> None:
    dev = device("juniper_junos")
    port(dev, "ge-0/0/1", 4, description="kvm-3", mode="access", edge=True)
    port(dev, "ge-0/0/2", 8, description="camera", mode="access", edge=True)
    port(dev, "ge-0/0/3", 12, mode="trunk", edge=True)  # Junos: edge applies to trunks
    found = hits(dev, "SG202")
    assert [f.interface for f in found] == ["ge-0/0/1", "ge-0/0/3"]
    assert found[0].remediation == "delete protocols rstp interface ge-0/0/1 edge"


def test_sg202_roles_parameter(tmp_path) -> None:
    from sgrules_kit import write_pack

    from stormguard.policy import load_policy

    pol = load_policy([write_pack(tmp_path, "rules:\n  SG202: {roles: [hypervisor]}\n")])
    dev = parse("hostname s\ninterface Gi1/0/1\n description core\n switchport mode access\n"
                " spanning-tree portfast\n", "cisco_ios")
    assert hits(dev, "SG202") != []
    assert hits(dev, "SG202", pol) == []


# -- SG203 -------------------------------------------------------------------------------------


def test_sg203_cisco_port_and_global() -> None:
    text = """
    hostname sw1
    spanning-tree portfast bpdufilter default
    interface GigabitEthernet1/0/1
     switchport mode access
     spanning-tree portfast
    interface GigabitEthernet1/0/2
     switchport mode trunk
     spanning-tree bpdufilter enable
    interface GigabitEthernet1/0/3
     switchport mode trunk
    """
    found = {f.interface: f for f in hits(parse(text, "cisco_ios"), "SG203")}
    assert set(found) == {"GigabitEthernet1/0/1", "GigabitEthernet1/0/2"}
    g = found["GigabitEthernet1/0/1"]
    assert g.line == lineno(text, "spanning-tree portfast bpdufilter default")
    assert g.remediation == "no spanning-tree portfast bpdufilter default"
    p = found["GigabitEthernet1/0/2"]
    assert p.line == lineno(text, "spanning-tree bpdufilter enable")
    # explicit `disable` also overrides a global BPDU-filter default
    assert p.remediation == "interface GigabitEthernet1/0/2\n spanning-tree bpdufilter disable"


def test_sg203_cisco_clean() -> None:
    text = ("hostname s\ninterface Gi1/0/1\n switchport mode access\n spanning-tree portfast\n"
            " spanning-tree bpdufilter disable\n")
    assert hits(parse(text, "cisco_ios"), "SG203") == []


def test_sg203_comware_built() -> None:
    dev = device("hp_comware")
    port(dev, "GigabitEthernet1/0/1", 5, mode="access", bpdu_filter=True)
    port(dev, "GigabitEthernet1/0/2", 9, mode="access")
    found = hits(dev, "SG203")
    assert [(f.interface, f.line) for f in found] == [("GigabitEthernet1/0/1", 7)]
    assert found[0].remediation == ("interface GigabitEthernet1/0/1\n undo stp bpdu-filter\n"
                                    " undo bpdu-drop any")


# -- SG204 -------------------------------------------------------------------------------------


def test_sg204_cisco() -> None:
    text = """
    hostname sw1
    interface GigabitEthernet1/0/1
     switchport mode access
     spanning-tree portfast
    interface GigabitEthernet1/0/2
     switchport mode access
     spanning-tree portfast
     spanning-tree bpduguard enable
    interface GigabitEthernet1/0/3
     switchport mode access
    """
    found = hits(parse(text, "cisco_ios"), "SG204")
    assert [f.interface for f in found] == ["GigabitEthernet1/0/1"]
    assert found[0].line == lineno(text, "spanning-tree portfast")
    assert found[0].remediation == "interface GigabitEthernet1/0/1\n spanning-tree bpduguard enable"


def test_sg204_global_guard_default_and_explicit_disable() -> None:
    text = """
    hostname sw1
    spanning-tree portfast default
    spanning-tree portfast bpduguard default
    interface GigabitEthernet1/0/1
     switchport mode access
    interface GigabitEthernet1/0/2
     switchport mode access
     spanning-tree bpduguard disable
    """
    found = hits(parse(text, "cisco_ios"), "SG204")
    assert [f.interface for f in found] == ["GigabitEthernet1/0/2"]
    assert found[0].line == lineno(text, "spanning-tree bpduguard disable")


def test_sg204_huawei_built() -> None:
    dev = device("huawei")
    port(dev, "GigabitEthernet0/0/1", 5, mode="access", edge=True)
    found = hits(dev, "SG204")
    assert [(f.interface, f.line) for f in found] == [("GigabitEthernet0/0/1", 7)]
    assert found[0].remediation == "stp bpdu-protection"
    dev.stp.set("bpdu_guard_default", True, 2)  # `stp bpdu-protection`
    assert hits(dev, "SG204") == []


def test_sg204_not_on_vswitches() -> None:
    dev = device("ovs", "host/br0")
    port(dev, "vnet0", 1, mode="access", edge=True, allowed_vlans=VlanSet.of([10]))
    assert hits(dev, "SG204") == []
