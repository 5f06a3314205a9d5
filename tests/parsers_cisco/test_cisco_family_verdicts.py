"""Vendor defaults of the Cisco family and EOS, as the rules see them: NX-OS `system default
switchport [shutdown]`, storm-control on a port-channel covering its members, EOS auto-edge on a
bridging-hypervisor port, and a per-VLAN STP disable under MST."""

from __future__ import annotations

from stormguard.effective import effective_device
from stormguard.engine import audit
from stormguard.parsers import parse_config
from stormguard.policy import load_policy


def _findings(text: str, platform: str, rule: str | None = None):
    devs = parse_config(text, platform, source=f"t.{platform}")
    found = audit(devs, load_policy()).findings
    return [f for f in found if rule is None or f.rule == rule]


def _port(text: str, platform: str, name: str):
    (dev,) = parse_config(text, platform)
    eff = effective_device(dev, load_policy())
    return eff.port(name)


# -- NX-OS system default switchport ---------------------------------------------------------

NXOS_L2_DEFAULT = """switchname n9k-1
system default switchport
interface Ethernet1/1
  description server-1
  no shutdown
interface Ethernet1/2
  no switchport
  no shutdown
interface Vlan10
  no shutdown
"""


def test_nxos_system_default_switchport_makes_bare_physical_ports_l2():
    e1 = _port(NXOS_L2_DEFAULT, "cisco_nxos", "Ethernet1/1")
    assert e1.switched and e1.in_scope
    assert not _port(NXOS_L2_DEFAULT, "cisco_nxos", "Ethernet1/2").switched
    assert not _port(NXOS_L2_DEFAULT, "cisco_nxos", "Vlan10").switched
    assert [f.interface for f in _findings(NXOS_L2_DEFAULT, "cisco_nxos", "SG301")] == [
        "Ethernet1/1"]


def test_nxos_without_system_default_switchport_bare_ports_are_routed():
    text = NXOS_L2_DEFAULT.replace("system default switchport\n", "")
    assert not _port(text, "cisco_nxos", "Ethernet1/1").switched
    assert _findings(text, "cisco_nxos", "SG301") == []
    text = NXOS_L2_DEFAULT.replace("system default switchport\n",
                                   "no system default switchport\n")
    assert not _port(text, "cisco_nxos", "Ethernet1/1").switched


def test_nxos_system_default_switchport_shutdown():
    text = NXOS_L2_DEFAULT.replace(
        "system default switchport\n",
        "system default switchport\nsystem default switchport shutdown\n",
    ) + "interface Ethernet1/3\n  description unused\n"
    (dev,) = parse_config(text, "cisco_nxos")
    assert dev.extra["default_switchport_shutdown"] is True
    assert dev.lines["default_switchport_shutdown"] == 3
    e3 = _port(text, "cisco_nxos", "Ethernet1/3")
    assert e3.switched and e3.shutdown and not e3.in_scope  # no `no shutdown`: admin down
    e1 = _port(text, "cisco_nxos", "Ethernet1/1")
    assert not e1.shutdown and e1.in_scope
    assert [f.interface for f in _findings(text, "cisco_nxos", "SG301")] == ["Ethernet1/1"]


# -- storm-control on an aggregate covers its members ------------------------------------------

IOS_PO = """hostname dist-1
interface Port-channel10
 description server bond
 switchport mode trunk
 switchport trunk allowed vlan 10,20
 storm-control broadcast level 5.00
 storm-control action trap
interface GigabitEthernet1/0/1
 switchport mode trunk
 switchport trunk allowed vlan 10,20
 channel-group 10 mode active
interface GigabitEthernet1/0/2
 switchport mode trunk
 switchport trunk allowed vlan 10,20
 channel-group 10 mode active
 storm-control multicast level 5.00
interface Port-channel20
 switchport mode trunk
 switchport trunk allowed vlan 10,20
interface GigabitEthernet1/0/3
 switchport mode trunk
 switchport trunk allowed vlan 10,20
 channel-group 20 mode active
"""


def test_ios_port_channel_storm_control_covers_members():
    sg301 = {f.interface for f in _findings(IOS_PO, "cisco_ios", "SG301")}
    # Gi1/0/1 and Gi1/0/2 are covered by Port-channel10; Gi1/0/3's Port-channel20 has none
    assert sg301 == {"GigabitEthernet1/0/3"}
    gi1 = _port(IOS_PO, "cisco_ios", "GigabitEthernet1/0/1")
    assert not gi1.storm_scope and gi1.storm_from == "Port-channel10"
    gi2 = _port(IOS_PO, "cisco_ios", "GigabitEthernet1/0/2")  # storm-control of its own
    assert gi2.storm_scope and gi2.storm_from == "Port-channel10"
    assert gi2.storm["broadcast"].line == 6 and gi2.storm["multicast"].line == 16
    assert gi2.storm_actions.value == {"trap"}
    assert _port(IOS_PO, "cisco_ios", "Port-channel10").storm_scope


def test_port_channel_with_only_multicast_storm_control_does_not_cover():
    text = IOS_PO.replace(" storm-control broadcast level 5.00\n",
                          " storm-control multicast level 5.00\n", 1)
    sg301 = {f.interface for f in _findings(text, "cisco_ios", "SG301")}
    assert {"GigabitEthernet1/0/1", "GigabitEthernet1/0/2", "GigabitEthernet1/0/3"} <= sg301


def test_nxos_and_eos_port_channel_storm_control_covers_members():
    nxos = """switchname n1
interface port-channel5
  switchport
  switchport mode trunk
  switchport trunk allowed vlan 10
  storm-control broadcast level 2.00
interface Ethernet1/1
  switchport
  switchport mode trunk
  switchport trunk allowed vlan 10
  channel-group 5 mode active
"""
    assert _findings(nxos, "cisco_nxos", "SG301") == []
    assert [f.interface for f in _findings(nxos.replace("  storm-control broadcast level 2.00\n",
                                                        ""), "cisco_nxos", "SG301")] == [
        "Ethernet1/1"]
    eos = """hostname e1
interface Port-Channel5
   switchport mode trunk
   switchport trunk allowed vlan 10
   storm-control broadcast level 2
interface Ethernet1
   switchport mode trunk
   switchport trunk allowed vlan 10
   channel-group 5 mode active
"""
    assert _findings(eos, "arista_eos", "SG301") == []


# -- EOS auto-edge ------------------------------------------------------------------------------

EOS_HV = """hostname leaf-1
spanning-tree mode mstp
interface Ethernet1
   description kvm-compute-01 eth0
   switchport mode trunk
   switchport trunk allowed vlan 10
   spanning-tree bpduguard enable
   storm-control broadcast level 1
interface Ethernet2
   description kvm-compute-02 eth0
   switchport mode trunk
   switchport trunk allowed vlan 10
   no spanning-tree portfast auto
   storm-control broadcast level 1
interface Ethernet3
   description desk 3
   switchport access vlan 10
   storm-control broadcast level 1
interface Ethernet4
   description kvm-compute-04 eth0
   switchport mode trunk
   switchport trunk allowed vlan 10
   spanning-tree portfast auto
   storm-control broadcast level 1
"""


def test_eos_auto_edge_on_bridging_hypervisor_port_is_a_low_sg202_note():
    sg202 = _findings(EOS_HV, "arista_eos", "SG202")
    assert {(f.interface, f.severity) for f in sg202} == {("Ethernet1", "low"),
                                                         ("Ethernet4", "low")}
    by = {f.interface: f for f in sg202}
    assert by["Ethernet1"].line == 3  # the default: the interface header
    assert by["Ethernet4"].line == 23  # the explicit `spanning-tree portfast auto`
    assert "auto-edge" in by["Ethernet1"].message
    assert by["Ethernet1"].remediation == "interface Ethernet1\n no spanning-tree portfast auto"


def test_eos_no_portfast_auto_is_a_real_non_edge():
    e2 = _port(EOS_HV, "arista_eos", "Ethernet2")
    assert e2.edge_auto.value is False and e2.edge_auto.line == 13
    assert not e2.edge.value


def test_auto_edge_is_eos_only():
    ios = EOS_HV.replace("   ", " ")
    assert _port(ios, "cisco_ios", "Ethernet1").edge_auto is None
    assert _findings(ios, "cisco_ios", "SG202") == []


# -- a per-VLAN disable under MST is inert ----------------------------------------------------


def test_ios_no_spanning_tree_vlan_under_mst_is_low():
    text = "hostname s1\nspanning-tree mode mst\nno spanning-tree vlan 10,20\n"
    (f,) = _findings(text, "cisco_ios", "SG201")
    assert f.severity == "low" and f.line == 3
    assert "inert" in f.message and "mst" in f.message
    assert f.remediation == "spanning-tree vlan 10,20"
    text = "hostname s1\nspanning-tree mode rapid-pvst\nno spanning-tree vlan 10,20\n"
    (f,) = _findings(text, "cisco_ios", "SG201")
    assert f.severity == "high" and "inert" not in f.message
    (f,) = _findings("hostname s1\nno spanning-tree vlan 10\n", "cisco_ios", "SG201")
    assert f.severity == "high"  # IOS default mode is per-VLAN


def test_nxos_no_spanning_tree_vlan_under_mst_is_low():
    text = "switchname n1\nspanning-tree mode mst\nno spanning-tree vlan 30\n"
    (f,) = _findings(text, "cisco_nxos", "SG201")
    assert f.severity == "low"
    (f,) = _findings("switchname n1\nno spanning-tree vlan 30\n", "cisco_nxos", "SG201")
    assert f.severity == "high"


def test_eos_per_vlan_disable_is_inert_under_the_default_mstp():
    (f,) = _findings("hostname e1\nno spanning-tree vlan-id 20\n", "arista_eos", "SG201")
    assert f.severity == "low" and "platform default" in f.message
    text = "hostname e1\nspanning-tree mode rapid-pvst\nno spanning-tree vlan-id 20\n"
    (f,) = _findings(text, "arista_eos", "SG201")
    assert f.severity == "high"
