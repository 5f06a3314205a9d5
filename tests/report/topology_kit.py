"""A small real fleet for the topology-section tests: two IOS switches joined by a trunk, an
OVS hypervisor whose STP-less bridge has two loose uplinks into them (the loop) and one whose
uplinks are an LACP bond (compliant), linked by LLDP/CDP facts; run through the fleet rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from stormguard.engine import audit_fleet
from stormguard.parsers import parse_config
from stormguard.policy import load_policy
from stormguard.topology.neighbors import Neighbor
from stormguard.topology.render import report_topology

VSWITCH_FIXTURES = Path(__file__).parents[1] / "vswitch" / "fixtures"
TODAY = dt.date(2026, 12, 4)


def ios(name: str) -> str:
    ports = "".join(f"interface GigabitEthernet1/0/{i}\n switchport mode trunk\n"
                    f" switchport trunk allowed vlan 10,20,30\n" for i in (1, 2, 3))
    return (f"hostname {name}\nspanning-tree mode rapid-pvst\n{ports}"
            "interface GigabitEthernet1/0/48\n switchport mode trunk\nend\n")


def devices() -> list[Any]:
    out = []
    for sw in ("sw1", "sw2"):
        out += parse_config(ios(sw), "cisco_ios", source=sw)
    for name, platform in (("ovs-hv01.json", "ovs"), ("ovs-hv02.json", "ovs")):
        out += parse_config((VSWITCH_FIXTURES / name).read_text(), platform, source=name)
    return out


def neighbors() -> list[Neighbor]:
    nbs = [Neighbor("sw1", "Gi1/0/48", "sw2.dc1.example.net", "Gi1/0/48", "cdp"),
           Neighbor("sw2", "Gi1/0/48", "sw1.dc1.example.net", "Gi1/0/48", "cdp")]
    for host, a, b, port in (("hv01", "eth5", "eth6", "Gi1/0/1"),
                             ("hv02", "eth3", "eth4", "Gi1/0/2")):
        nbs += [Neighbor(host, a, "sw1", port, "lldp", frozenset({"bridge"})),
                Neighbor(host, b, "sw2", port, "lldp", frozenset({"bridge"}))]
    return nbs


def topology(**kw: Any) -> dict[str, Any]:
    """report_topology() of the fleet, as the store audit computes it."""
    res = audit_fleet(devices(), load_policy(), neighbors(), today=TODAY)
    assert res.errors == []
    bridged = [(f.device, f.extra["uplinks"], f.extra["shared_vlans"])
               for f in res.findings if f.rule == "SG502"]
    return report_topology(res.fleet.graph, res.fleet.cycles, bridged=bridged, **kw)
