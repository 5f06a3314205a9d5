"""Remediation snippets: each platform's own syntax, VLAN lists spelled the platform's way."""

from __future__ import annotations

import pytest

from stormguard import remediation as r
from stormguard.vlans import VlanSet

V = VlanSet.parse("10,20-22,100")


@pytest.mark.parametrize(("family", "expected"), [
    ("cisco", "interface Gi1\n switchport trunk allowed vlan 10,20-22,100"),
    ("nxos", "interface Gi1\n switchport trunk allowed vlan 10,20-22,100"),
    ("eos", "interface Gi1\n switchport trunk allowed vlan 10,20-22,100"),
    ("junos", "delete interfaces Gi1 unit 0 family ethernet-switching vlan members\n"
              "set interfaces Gi1 unit 0 family ethernet-switching vlan members [ 10 20-22 100 ]"),
    ("huawei", "interface Gi1\n port trunk allow-pass vlan 10 20 to 22 100\n"
               " undo port trunk allow-pass vlan 1 to 9 11 to 19 23 to 99 101 to 4094"),
    ("comware", "interface Gi1\n port trunk permit vlan 10 20 to 22 100\n"
                " undo port trunk permit vlan 1 to 9 11 to 19 23 to 99 101 to 4094"),
    ("ovs", "ovs-vsctl set port Gi1 trunks=10,20,21,22,100"),
])
def test_trunk_allowed_per_family(family, expected) -> None:
    assert r.trunk_allowed(family, "Gi1", V) == expected


def test_junos_members_by_name_where_named() -> None:
    names = {10: "users", 21: "vm-b"}
    assert r.trunk_remove("junos", "ge-0/0/1", V, names).splitlines() == [
        "delete interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members users",
        "delete interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members 20",
        "delete interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members vm-b",
        "delete interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members 22",
        "delete interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members 100",
    ]


@pytest.mark.parametrize(("family", "port_fix", "global_fix"), [
    ("cisco", "interface X\n no spanning-tree portfast",
     "interface X\n spanning-tree portfast disable"),
    ("nxos", "interface X\n no spanning-tree port type edge",
     "interface X\n spanning-tree port type normal"),
    ("huawei", "interface X\n stp edged-port disable", "interface X\n stp edged-port disable"),
    # from `interface all edge`: the port's own stanza (without edge) replaces `all` for it
    ("junos", "delete protocols rstp interface X edge", "set protocols rstp interface X"),
])
def test_edge_off(family, port_fix, global_fix) -> None:
    assert r.edge_off(family, "X", from_global=False) == port_fix
    assert r.edge_off(family, "X", from_global=True) == global_fix


def test_storm_snippets() -> None:
    # a new storm-control comes with the action that makes a storm visible
    assert r.storm_broadcast("cisco", "X", 5, 1000) == (
        "interface X\n storm-control broadcast level 5.00\n storm-control action trap")
    assert r.storm_limit("comware", "X", "percent", 7.5) == (
        "interface X\n broadcast-suppression 7.5")
    assert r.storm_action("junos", "X", "sc1") == (
        "set forwarding-options storm-control-profiles sc1 action-shutdown")
    assert r.storm_action("huawei", "X") == "interface X\n storm-control enable trap"
    assert r.stp_enable_vlans("eos", VlanSet.parse("5,7-9")) == "spanning-tree vlan-id 5,7-9"
    assert r.stp_enable_vlans("comware", VlanSet.parse("5,7-9")) == "stp vlan 5 7 to 9 enable"
