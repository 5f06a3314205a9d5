"""A hypervisor bridges two or more unbonded uplinks that share a VLAN into different switch ports.

Why it matters for storms: a hypervisor bridge (Open vSwitch, Linux bridge) floods a broadcast
that arrives on one uplink out of every other uplink carrying the VLAN. When those uplinks are
not one bond and the switch ports behind them are not one aggregate, every broadcast the fabric
sends to the host comes straight back into the fabric through the other uplink: at best MAC
addresses flap between the two switch ports, at worst (the switches are joined, directly or
through the fabric, as they are in any redundant design) it is a loop that only spanning tree on
the hypervisor could break, and hypervisor bridges rarely run it. SG401 sees the host side
alone; this rule confirms with LLDP/CDP neighbour facts which switch ports are behind the
uplinks, and stays quiet when they are one aggregate (the switch then never sends a frame back
out of the aggregate it came in on), when the uplinks are bonded, when spanning tree runs on the
uplinks, or when a far end is unknown. An ESXi standard vSwitch never forwards between uplinks
and is not judged here.

Bad (Open vSwitch)::

    # eth5 -> sw1 Gi1/0/1, eth6 -> sw2 Gi1/0/1, both trunks with VLANs 10,20
    ovs-vsctl add-port br0 eth5 -- add-port br0 eth6

Good (Open vSwitch)::

    ovs-vsctl add-bond br0 bond0 eth5 eth6 lacp=active   # sw1/sw2: one MLAG port-channel

Bad (Linux bridge)::

    ip link set eth5 master br0
    ip link set eth6 master br0

Good (Linux bridge)::

    ip link add bond0 type bond mode 802.3ad
    ip link set eth5 master bond0
    ip link set eth6 master bond0
    ip link set bond0 master br0
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from stormguard import remediation_vswitch
from stormguard.model import PLATFORM_FAMILY
from stormguard.rules.base import Hit, RuleContext
from stormguard.vlans import VlanSet

# The topology package is loaded by the fleet audit that runs this rule, not by `stormguard lint`
# (which loads every rule module): its names are only annotations here.
if TYPE_CHECKING:
    from stormguard.topology.fleet import FleetView
    from stormguard.topology.graph import Edge, End

ID = "SG502"
NAME = "hypervisor-bridges-uplinks"
SEVERITY = "high"
SCOPE = "fleet"
PARAMS: dict[str, Any] = {}


def _uplinks(fleet: FleetView, node: str) -> list[tuple[End, End, Edge]]:
    """(hypervisor end, switch end, edge) for each link of `node` whose far end is known, on a
    port without spanning tree."""
    eff = fleet.by_name[node]
    out = []
    for edge in fleet.graph.edges_of(node):
        here, there = (edge.a, edge.b) if edge.a.node == node else (edge.b, edge.a)
        port = eff.port(here.port)
        if port is None or port.stp_enabled.value or not edge.vlans:
            continue
        out.append((here, there, edge))
    return out


def check(fleet: FleetView, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for name, node in fleet.graph.nodes.items():
        if node.kind != "vswitch" or not node.transit:
            continue
        links = _uplinks(fleet, name)
        group: list[tuple[End, End, Edge]] = []
        shared = VlanSet.none()
        for i, (here, there, edge) in enumerate(links):
            for j, (here2, there2, edge2) in enumerate(links):
                if i == j or here.port == here2.port:
                    continue
                if (there.node, there.port) == (there2.node, there2.port):
                    continue  # one switch aggregate (or one port) behind both: no loop
                common = edge.vlans & edge2.vlans
                if common:
                    shared = shared.add(common)
                    if (here, there, edge) not in group:
                        group.append((here, there, edge))
        ports = sorted({h.port for h, _, _ in group})
        if len(ports) < 2:
            continue
        family = PLATFORM_FAMILY.get(node.platform, node.platform)
        # the bridge's own name: a host with one bridge is named after the host alone
        bridge = str(fleet.by_name[name].device.extra.get("bridge") or name.rsplit("/", 1)[-1])
        pairs = ", ".join(f"{h.port} → {t.label}" for h, t, _ in group)
        loose = [p for p in ports if not next(h for h, _, _ in group if h.port == p).aggregate]
        fix = []
        if len(loose) >= 2:
            fix.append(remediation_vswitch.bond_uplinks(family, bridge, loose))
            fix.append("# and make the switch ports behind them one aggregate "
                       "(port-channel / MLAG / vPC) in LACP mode")
        fix.append("# or, where bonding is not possible:\n"
                   + remediation_vswitch.stp_on(family, bridge))
        yield Hit(
            device=name,
            interface=None,
            line=node.line,
            message=(f"{name} bridges {len(ports)} uplinks that are not one bond into "
                     f"different switch ports ({pairs}) sharing VLANs {shared.to_text()}: "
                     "every broadcast from the fabric comes back into it"),
            expected="the uplinks in one bond towards one switch aggregate, or STP on them",
            actual=f"{len(ports)} separate uplinks to {len({t.label for _, t, _ in group})} "
                   "switch ports",
            remediation="\n".join(fix),
            extra={"uplinks": ports, "switch_ports": sorted({t.label for _, t, _ in group}),
                   "shared_vlans": shared.to_text()},
        )
