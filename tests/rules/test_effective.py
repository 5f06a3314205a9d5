"""Effective values: global defaults vs port settings, per platform; roles; scope."""

from __future__ import annotations

from sgrules_kit import device, lineno, parse, port, write_pack

from stormguard.effective import effective_device
from stormguard.policy import load_policy
from stormguard.vlans import VlanSet


def eff(dev, policy=None):
    return effective_device(dev, policy or load_policy())


def test_global_portfast_default_covers_access_not_trunk_on_ios() -> None:
    text = """
    hostname sw1
    spanning-tree portfast default
    interface Gi1/0/1
     switchport mode access
    interface Gi1/0/2
     switchport mode trunk
    interface Gi1/0/3
     switchport mode access
     spanning-tree portfast disable
    """
    e = eff(parse(text, "cisco_ios"))
    acc, trunk, off = e.port("Gi1/0/1"), e.port("Gi1/0/2"), e.port("Gi1/0/3")
    assert (acc.edge.value, acc.edge.origin) == (True, "global")
    assert acc.edge.line == lineno(text, "spanning-tree portfast default")
    assert (trunk.edge.value, trunk.edge.origin) == (False, "global")
    assert "access ports only" in trunk.edge.note
    assert (off.edge.value, off.edge.origin) == (False, "port")


def test_global_portfast_trunk_default_covers_trunks() -> None:
    text = ("hostname s\nspanning-tree portfast trunk default\n"
            "interface Gi1/0/1\n switchport mode trunk\n")
    p = eff(parse(text, "cisco_ios")).port("Gi1/0/1")
    assert (p.edge.value, p.edge.origin, p.edge.line) == (True, "global", 2)


def test_per_port_portfast_on_ios_trunk_needs_trunk_keyword() -> None:
    text = """
    hostname sw1
    interface Gi1/0/1
     switchport mode trunk
     spanning-tree portfast
    interface Gi1/0/2
     switchport mode trunk
     spanning-tree portfast trunk
    """
    e = eff(parse(text, "cisco_ios"))
    assert e.port("Gi1/0/1").edge.value is False
    assert e.port("Gi1/0/1").edge.origin == "port"
    assert e.port("Gi1/0/2").edge.value is True


def test_nxos_port_type_edge_on_trunk() -> None:
    text = """
    hostname n9k
    interface Ethernet1/1
      switchport
      switchport mode trunk
      spanning-tree port type edge
    interface Ethernet1/2
      switchport
      switchport mode trunk
      spanning-tree port type edge trunk
    """
    e = eff(parse(text, "cisco_nxos"))
    assert e.port("Ethernet1/1").edge.value is False
    assert e.port("Ethernet1/2").edge.value is True


def test_eos_trunk_portfast_is_in_effect() -> None:
    text = "hostname l\ninterface Ethernet1\n   switchport mode trunk\n   spanning-tree portfast\n"
    p = eff(parse(text, "arista_eos")).port("Ethernet1")
    assert (p.edge.value, p.edge.origin, p.edge.line) == (True, "port", 4)


def test_huawei_edged_port_on_trunk_is_in_effect_built() -> None:
    dev = device("huawei")
    port(dev, "GE0/0/1", 3, mode="trunk", edge=True)
    assert eff(dev).port("GE0/0/1").edge.value is True


def test_bpduguard_default_applies_to_edge_ports_only() -> None:
    text = """
    hostname sw1
    spanning-tree portfast bpduguard default
    interface Gi1/0/1
     switchport mode access
     spanning-tree portfast
    interface Gi1/0/2
     switchport mode access
    interface Gi1/0/3
     switchport mode access
     spanning-tree bpduguard enable
    """
    e = eff(parse(text, "cisco_ios"))
    g1, g2, g3 = e.port("Gi1/0/1"), e.port("Gi1/0/2"), e.port("Gi1/0/3")
    assert (g1.bpdu_guard.value, g1.bpdu_guard.origin, g1.bpdu_guard.line) == (True, "global", 2)
    assert (g2.bpdu_guard.value, g2.bpdu_guard.origin) == (False, "default")  # not an edge port
    assert (g3.bpdu_guard.value, g3.bpdu_guard.origin) == (True, "port")


def test_allowed_vlans_defaults_per_family() -> None:
    ios = eff(parse("hostname s\ninterface Gi1/0/1\n switchport mode trunk\n", "cisco_ios"))
    a = ios.port("Gi1/0/1").allowed_vlans
    assert a.value.is_all and a.origin == "default" and a.line == 3
    hw = device("huawei")
    port(hw, "GE0/0/1", 3, mode="trunk")
    assert list(eff(hw).port("GE0/0/1").allowed_vlans.value) == [1]
    # the VRP parser applies the VLAN-1 default itself and marks it
    hw2 = device("huawei")
    p = port(hw2, "GE0/0/1", 3, mode="trunk")
    p.allowed_vlans = VlanSet.of([1])
    p.extra["allowed_vlans_default"] = True
    a2 = eff(hw2).port("GE0/0/1").allowed_vlans
    assert a2.origin == "default" and a2.line == 4 and list(a2.value) == [1]
    jn = device("juniper_junos")
    port(jn, "ge-0/0/1", 3, mode="trunk")
    assert not eff(jn).port("ge-0/0/1").allowed_vlans.value


def test_stp_off_globally_wins_over_port() -> None:
    dev = device("hp_comware")
    dev.stp.set("enabled", False, 2)
    port(dev, "GE1/0/1", 5, mode="access")
    p = eff(dev).port("GE1/0/1")
    assert (p.stp_enabled.value, p.stp_enabled.origin, p.stp_enabled.line) == (False, "global", 2)


def test_role_selection_order_and_fallback() -> None:
    text = """
    hostname sw1
    interface Gi1/0/1
     description esx-01 uplink
     switchport mode trunk
    interface Gi1/0/2
     description Spine-3 ISL
     switchport mode trunk
    interface Gi1/0/3
     description OpenStack compute-7
     switchport mode access
    interface Gi1/0/4
     description printer
     switchport mode trunk
    interface Gi1/0/5
     switchport mode access
    """
    e = eff(parse(text, "cisco_ios"))
    roles = {p.name: p.role for p in e.all_ports}
    assert roles == {"Gi1/0/1": "hypervisor-esxi", "Gi1/0/2": "inter-switch",
                     "Gi1/0/3": "hypervisor",
                     "Gi1/0/4": "trunk", "Gi1/0/5": "access"}


def test_user_roles_selectors_and_order(tmp_path) -> None:
    pack = write_pack(tmp_path, """
    roles:
      storage:
        interface: ['Gi1/0/1*', 're:^Te1/1/[0-9]$']
        device: 'dc1-*'
      pinned:
        ports: ['dc1-sw1:Gi1/0/2']
    role_order: [pinned, storage]
    """)
    text = """
    hostname dc1-sw1
    interface Gi1/0/1
     description esx-01
     switchport mode trunk
    interface Gi1/0/2
     description esx-02
     switchport mode trunk
    interface Te1/1/1
     switchport mode trunk
    interface Te1/1/10
     switchport mode trunk
    """
    pol = load_policy([pack])
    assert [r.name for r in pol.roles] == ["pinned", "storage", "peer-link", "hypervisor-esxi",
                                           "hypervisor", "inter-switch"]
    e = eff(parse(text, "cisco_ios"), pol)
    roles = {p.name: p.role for p in e.all_ports}
    assert roles == {"Gi1/0/1": "storage", "Gi1/0/2": "pinned", "Te1/1/1": "storage",
                     "Te1/1/10": "trunk"}
    other = parse(text.replace("dc1-sw1", "dc2-sw1"), "cisco_ios")
    assert eff(other, pol).port("Gi1/0/1").role == "hypervisor-esxi"  # device glob: no match


def test_scope_admin_down_routed_members() -> None:
    text = """
    hostname sw1
    interface Port-channel7
     description leaf pair
     switchport mode trunk
    interface Gi1/0/1
     description esx-9
     switchport mode trunk
     channel-group 7 mode active
    interface Gi1/0/2
     switchport mode access
     shutdown
    interface Gi1/0/3
     no switchport
     ip address 10.0.0.1 255.255.255.252
    interface Vlan1
     ip address 10.1.1.1 255.255.255.0
    """
    e = eff(parse(text, "cisco_ios"))
    assert [p.name for p in e.ports] == ["Port-channel7"]
    member = e.port("Gi1/0/1")
    assert member.aggregate == "Port-channel7" and not member.in_scope and member.storm_scope
    assert member.role == "hypervisor-esxi"  # its own description wins
    assert e.port("Port-channel7").members == ["Gi1/0/1"]
    assert not e.port("Port-channel7").storm_scope  # judged on members on IOS
    pol = load_policy()
    pol.include_admin_down = True
    assert "Gi1/0/2" in [p.name for p in eff(parse(text, "cisco_ios"), pol).ports]


def test_member_inherits_aggregate_role() -> None:
    text = """
    hostname sw1
    interface Port-channel1
     description vmware cluster A
     switchport mode trunk
    interface Gi1/0/1
     switchport mode trunk
     channel-group 1 mode on
    """
    member = eff(parse(text, "cisco_ios")).port("Gi1/0/1")
    assert member.role == "hypervisor-esxi"
    assert member.role_source == "member of Port-channel1: description matches word 'vmware'"
