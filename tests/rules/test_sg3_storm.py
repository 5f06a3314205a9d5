"""SG301-SG303: storm-control missing, too high, without an alerting action."""

from __future__ import annotations

from sgrules_kit import device, hits, lineno, parse, port, write_pack

from stormguard.policy import load_policy

IOS = """
hostname sw1
interface GigabitEthernet1/0/1
 switchport mode access
!
interface GigabitEthernet1/0/2
 switchport mode access
 storm-control broadcast level 5.00
 storm-control action trap
!
interface GigabitEthernet1/0/3
 description core-1 link
 switchport mode trunk
 switchport trunk allowed vlan 10
!
interface GigabitEthernet1/0/4
 switchport mode access
 storm-control broadcast level 50.00 40.00
!
interface GigabitEthernet1/0/5
 switchport mode access
 storm-control broadcast level pps 20k 10k
 storm-control action shutdown
!
interface GigabitEthernet1/0/6
 switchport mode access
 storm-control broadcast level bps 500m
 storm-control action trap
!
interface GigabitEthernet1/0/7
 switchport mode access
 storm-control multicast level 5.00
 storm-control action trap
!
interface GigabitEthernet1/0/8
 switchport mode access
 shutdown
!
interface Vlan10
 ip address 10.0.0.1 255.255.255.0
"""


def test_sg301_cisco() -> None:
    found = hits(parse(IOS, "cisco_ios"), "SG301")
    # Gi1/0/3 is inter-switch (exempt), Gi1/0/8 admin down, Vlan10 not switched,
    # Gi1/0/7 has multicast storm-control only.
    assert [f.interface for f in found] == ["GigabitEthernet1/0/1", "GigabitEthernet1/0/7"]
    assert found[0].line == lineno(IOS, "interface GigabitEthernet1/0/1")
    assert found[0].remediation == ("interface GigabitEthernet1/0/1\n"
                                    " storm-control broadcast level 10.00\n"
                                    " storm-control action trap")


def test_sg301_exempt_roles_and_admin_down_parameters(tmp_path) -> None:
    pack = write_pack(tmp_path, """
    scope: {include_admin_down: true}
    rules:
      SG301: {exempt_roles: []}
    """)
    found = {f.interface for f in hits(parse(IOS, "cisco_ios"), "SG301", load_policy([pack]))}
    assert found == {"GigabitEthernet1/0/1", "GigabitEthernet1/0/3", "GigabitEthernet1/0/7",
                     "GigabitEthernet1/0/8"}


def test_sg301_port_channel_members_judged_on_cisco() -> None:
    text = """
    hostname sw1
    interface Port-channel1
     description esx-01 bond
     switchport mode trunk
     switchport trunk allowed vlan 10
    interface GigabitEthernet1/0/1
     switchport mode trunk
     channel-group 1 mode active
     storm-control broadcast level 5.00
     storm-control action trap
    interface GigabitEthernet1/0/2
     switchport mode trunk
     channel-group 1 mode active
    """
    dev = parse(text, "cisco_ios")
    found = hits(dev, "SG301")
    # storm-control lives on the members on IOS: the member without it fires, not the bundle
    assert [f.interface for f in found] == ["GigabitEthernet1/0/2"]
    # the VLAN/STP rules judge the bundle, not its members
    assert hits(dev, "SG101") == []


def test_sg301_junos_built() -> None:
    dev = device("juniper_junos")
    port(dev, "ge-0/0/1", 3, mode="access")
    port(dev, "ge-0/0/2", 7, mode="access", storm={"broadcast": (5, "percent")})
    found = hits(dev, "SG301")
    assert [f.interface for f in found] == ["ge-0/0/1"]
    assert found[0].remediation.splitlines() == [
        "set forwarding-options storm-control-profiles sg-storm all bandwidth-percentage 10",
        "set interfaces ge-0/0/1 unit 0 family ethernet-switching storm-control sg-storm",
        "set forwarding-options storm-control-profiles sg-storm action-shutdown",
    ]


def test_sg301_not_on_vswitches() -> None:
    dev = device("ovs", "host/br0")
    port(dev, "vnet0", 1, mode="access")
    assert hits(dev, "SG301") == []


def test_sg302_cisco_units() -> None:
    found = {f.interface: f for f in hits(parse(IOS, "cisco_ios"), "SG302")}
    assert set(found) == {"GigabitEthernet1/0/4", "GigabitEthernet1/0/5", "GigabitEthernet1/0/6"}
    pct = found["GigabitEthernet1/0/4"]
    assert pct.actual == "50 %" and pct.expected == "<= 10 %"
    assert pct.line == lineno(IOS, "storm-control broadcast level 50.00 40.00")
    assert found["GigabitEthernet1/0/5"].actual == "20000 pps"
    assert found["GigabitEthernet1/0/6"].actual == "500 Mbit/s"
    assert found["GigabitEthernet1/0/6"].expected == "<= 100 Mbit/s"


def test_sg302_policy_maximum(tmp_path) -> None:
    pack = write_pack(tmp_path, """
    rules:
      SG302: {max_percent: 60, max_pps: 50000, max_bps: 1000000000, severity: high}
    """)
    assert hits(parse(IOS, "cisco_ios"), "SG302", load_policy([pack])) == []
    pack2 = write_pack(tmp_path, "rules:\n  SG302: {max_percent: 4, severity: high}\n", "p2.yaml")
    found = hits(parse(IOS, "cisco_ios"), "SG302", load_policy([pack2]))
    assert "GigabitEthernet1/0/2" in {f.interface for f in found}
    assert {f.severity for f in found} == {"high"}


def test_sg302_huawei_built() -> None:
    dev = device("huawei")
    port(dev, "GigabitEthernet0/0/1", 3, mode="access", storm={"broadcast": (100000, "pps")})
    port(dev, "GigabitEthernet0/0/2", 8, mode="access", storm={"broadcast": (2000, "pps")})
    found = hits(dev, "SG302")
    assert [(f.interface, f.line) for f in found] == [("GigabitEthernet0/0/1", 5)]
    assert found[0].remediation == ("interface GigabitEthernet0/0/1\n"
                                    " storm-control broadcast min-rate 5000 max-rate 10000")


def test_sg303_cisco() -> None:
    found = hits(parse(IOS, "cisco_ios"), "SG303")
    assert [f.interface for f in found] == ["GigabitEthernet1/0/4"]
    assert found[0].severity == "low"
    assert found[0].line == lineno(IOS, "storm-control broadcast level 50.00 40.00")
    assert found[0].remediation == "interface GigabitEthernet1/0/4\n storm-control action trap"


def test_sg303_not_on_eos() -> None:
    text = """
    hostname leaf1
    interface Ethernet1
       switchport mode access
       storm-control broadcast level 5
    """
    dev = parse(text, "arista_eos")
    assert hits(dev, "SG301") == []
    assert hits(dev, "SG303") == []


def test_sg303_huawei_built() -> None:
    dev = device("huawei")
    port(dev, "GigabitEthernet0/0/1", 3, mode="access", storm={"broadcast": (2000, "pps")})
    port(dev, "GigabitEthernet0/0/2", 8, mode="access", storm={"broadcast": (2000, "pps")},
         storm_actions={"trap"})
    port(dev, "GigabitEthernet0/0/3", 13, mode="access", storm={"broadcast": (2000, "pps")},
         storm_actions={"block"})
    found = hits(dev, "SG303")
    assert [f.interface for f in found] == ["GigabitEthernet0/0/1", "GigabitEthernet0/0/3"]
    assert found[0].remediation == "interface GigabitEthernet0/0/1\n storm-control enable trap"
    assert found[1].remediation.endswith("storm-control enable trap")
    assert found[1].actual == "block"
