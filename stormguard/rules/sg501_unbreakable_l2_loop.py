"""A layer-2 loop spans switches and hypervisors, and spanning tree cannot break it.

Why it matters for storms: spanning tree only breaks a loop it can see. When a loop closes
through a node that runs no spanning tree for the VLAN (a hypervisor bridge with STP off that
bridges two uplinks, a switch with ``no spanning-tree vlan X``, STP off globally) or across a
link that filters BPDUs or is excluded from spanning tree, no port ever blocks: the first
broadcast on that VLAN circles for ever and multiplies at every flooding hop, and the storm takes
down every device the VLAN reaches. Neither side alone looks wrong: the switch ports are plain
trunks, the hypervisor bridge is "just" two NICs. This rule joins both layers with LLDP/CDP
neighbour facts (the topology module), finds, per VLAN, every cycle of links carrying the
VLAN on which a node or link cannot run STP, and names it hop by hop (device/port → device/port),
with the VLANs and the cheapest fix: bond the hypervisor's uplinks (one logical link, never
forwarded back into itself), take the VLAN off one trunk of the loop, or turn STP on. A
loop through an administratively down link is reported too (it closes when the link comes up).
An ESXi standard vSwitch never forwards between its uplinks and closes no loop by itself.

Bad (Open vSwitch)::

    # hv01 eth5 -> sw1 Gi1/0/1, hv01 eth6 -> sw2 Gi1/0/1, sw1 Gi1/0/48 -> sw2 Gi1/0/48
    ovs-vsctl add-br br0 -- set bridge br0 stp_enable=false
    ovs-vsctl add-port br0 eth5 -- add-port br0 eth6

Good (Open vSwitch)::

    ovs-vsctl add-br br0
    ovs-vsctl add-bond br0 bond0 eth5 eth6 lacp=active

Bad (Linux bridge)::

    ip link add br0 type bridge stp_state 0
    ip link set eth5 master br0
    ip link set eth6 master br0

Good (Linux bridge)::

    ip link add bond0 type bond mode 802.3ad
    ip link set eth5 master bond0
    ip link set eth6 master bond0
    ip link set bond0 master br0

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    no spanning-tree vlan 20
    interface GigabitEthernet1/0/48
     switchport mode trunk
     spanning-tree bpdufilter enable

Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    spanning-tree vlan 20
    interface GigabitEthernet1/0/48
     switchport mode trunk
     spanning-tree bpdufilter disable

Bad (Huawei VRP, H3C Comware)::

    undo stp enable

Good (Huawei VRP, H3C Comware)::

    stp enable

Bad (Juniper Junos)::

    delete protocols rstp

Good (Juniper Junos)::

    set protocols rstp interface all
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from stormguard import remediation_vswitch
from stormguard.model import PLATFORM_FAMILY
from stormguard.rules.base import Hit, RuleContext

# The topology package is loaded by the fleet audit that runs this rule, not by `stormguard lint`
# (which loads every rule module): its names are only annotations here.
if TYPE_CHECKING:
    from stormguard.topology.fleet import FleetView
    from stormguard.topology.graph import Cycle, Hop

ID = "SG501"
NAME = "unbreakable-l2-loop"
SEVERITY = "critical"
SCOPE = "fleet"
PARAMS: dict[str, Any] = {}


def _bridge(fleet: FleetView, node: str) -> str:
    """The bridge's own name, as ``ovs-vsctl`` / ``ip link`` know it. Not the node name: a
    host with one bridge is named after the host alone (``hv1``, not ``hv1/br0``)."""
    dev = fleet.by_name.get(node)
    bridge = dev.device.extra.get("bridge") if dev is not None else None
    return str(bridge or node.rsplit("/", 1)[-1])


def _fixes(fleet: FleetView, cyc: Cycle) -> list[str]:
    """Cheapest first: bond a hypervisor's uplinks on the loop, then take the VLANs off one
    hypervisor trunk (or any trunk), then turn STP on where it is off."""
    fixes: list[str] = []
    hops = list(cyc.hops)
    # ports of one vSwitch node on the loop (in, out): bonded only where the loop goes through
    # it without spanning tree. A bridge that runs STP on both ports (a Linux bridge standing
    # in for a switch) is not where the loop stays open, and "bonding" its inter-switch link
    # with a host link would be wrong advice.
    for i, hop in enumerate(hops):
        nxt = hops[(i + 1) % len(hops)]
        node = fleet.graph.nodes[hop.to.node]
        if node.kind != "vswitch" or nxt.frm.port == hop.to.port:
            continue
        if node.name not in cyc.weak_nodes and not (hop.to.stp_excluded
                                                     and nxt.frm.stp_excluded):
            continue
        family = PLATFORM_FAMILY.get(node.platform, node.platform)
        ports = sorted([hop.to.port, nxt.frm.port])  # as SG502 names them: one fix, one text
        if family in ("ovs", "linux_bridge") and not (hop.to.aggregate or nxt.frm.aggregate):
            fixes.append(f"# bond the uplinks {ports[0]} and {ports[1]} of {node.name} "
                         "(and make the switch ports one aggregate):\n"
                         + remediation_vswitch.bond_uplinks(family, _bridge(fleet, node.name),
                                                            ports))
    vlans = cyc.vlans.to_text()
    target = _prune_target(fleet, hops)
    if target is not None:
        fixes.append(f"# or take VLANs {vlans} off {target.label} if nothing behind it "
                     "needs them (on both ends of the link)")
    for name in cyc.weak_nodes:
        node = fleet.graph.nodes[name]
        family = PLATFORM_FAMILY.get(node.platform, node.platform)
        if family in ("ovs", "linux_bridge"):
            fixes.append(f"# or turn spanning tree on for {name}:\n"
                         + remediation_vswitch.stp_on(family, _bridge(fleet, name)))
        else:
            fixes.append(f"# or run spanning tree on {name} for VLANs {vlans} "
                         f"({node.stp_why})")
    for eid in cyc.weak_edges:
        fixes.append(f"# or let BPDUs through / include in spanning tree: "
                     f"{fleet.graph.edges[eid].weak_why}")
    return fixes


def _prune_target(fleet: FleetView, hops: list[Hop]) -> Any:
    """The switch end of a link towards a hypervisor on the loop, else the first hop's end."""
    for hop in hops:
        for here, there in ((hop.frm, hop.to), (hop.to, hop.frm)):
            if (fleet.graph.nodes[here.node].kind == "switch"
                    and fleet.graph.nodes[there.node].kind == "vswitch"):
                return here
    return hops[0].frm if hops else None


def check(fleet: FleetView, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for cyc in fleet.cycles:
        # filed under the first node that cannot run STP (else the first hop's device)
        where = cyc.weak_nodes[0] if cyc.weak_nodes else cyc.hops[0].frm.node
        first = next((h for h in cyc.hops if h.frm.node == where), cyc.hops[0])
        node = fleet.graph.nodes[where]
        down = " (a link on it is administratively down: the loop closes when it comes up)" \
            if cyc.down else ""
        yield Hit(
            device=where,
            interface=first.frm.port,
            line=node.line if cyc.weak_nodes else first.frm.line,
            message=(f"layer-2 loop on VLANs {cyc.vlans.to_text()} that spanning tree cannot "
                     f"break: {cyc.text()}; {'; '.join(cyc.reasons)}{down}"),
            expected="every loop on a VLAN runs spanning tree end to end, or is bonded away",
            actual=f"{len(cyc.hops)}-hop loop through {', '.join(cyc.nodes)}",
            remediation="\n".join(_fixes(fleet, cyc)),
            extra={"cycle": [h.text() for h in cyc.hops], "vlans": cyc.vlans.to_text(),
                   "nodes": cyc.nodes, "reasons": list(cyc.reasons), "down": cyc.down},
        )
