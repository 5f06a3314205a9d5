"""Edge/portfast in effect on a trunk, or on a hypervisor-facing or inter-switch port.

Why it matters for storms: an edge (portfast) port skips the listening/learning states and goes
straight to forwarding, on the promise that only one host sits behind it. A trunk, a hypervisor
(whose vSwitch bridges VMs and can bridge two NICs together) or another switch breaks that
promise: when such a port comes up - after a reboot, a vMotion, a cable swap - it forwards
before spanning tree has had a chance to find the loop, and the loop storms until STP catches
up (if it does). The roles judged besides trunks are the ``roles`` parameter. Per-port portfast
on an IOS/NX-OS trunk is not in effect without the ``trunk`` keyword and does not fire this rule;
on EOS, Junos, Huawei and H3C the edge setting applies to trunks as configured.

EOS auto-edge (``spanning-tree portfast auto``, on by default) makes a port that is not an admin
edge port operationally edge while no BPDU arrives. On a bridging-hypervisor port (roles
``auto_edge_roles``, by default ``hypervisor``) that is reported as a low note: the fix is
``no spanning-tree portfast auto``, after which the port is a real non-edge port.

Hypervisor kinds differ (roles ``guarded_edge_roles``, by default ``hypervisor-esxi``). An ESXi
vSwitch runs no STP and never forwards a frame from one uplink to another, so it cannot close a
loop; VMware and Cisco recommend its switch port as an edge (portfast) trunk with BPDU guard, so
a guest that bridges and sends BPDUs err-disables the port instead of looping. On those roles
edge is accepted while BPDU guard is in effect; without it the rule still fires (and so does
SG204). A bridging hypervisor (role ``hypervisor``: KVM, Open vSwitch, Linux bridge, Hyper-V,
OpenStack compute, or unknown) can forward between its uplinks, so its port must take part in
STP: no edge. The finding names the role and the selector that gave it.

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    interface GigabitEthernet1/0/2
     description esx-02 vmnic1
     switchport mode trunk
     spanning-tree portfast trunk

Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    interface GigabitEthernet1/0/2
     description esx-02 vmnic1
     switchport mode trunk
     no spanning-tree portfast

Bad (Juniper Junos)::

    set interfaces ge-0/0/2 description "esx-02 vmnic1"
    set protocols rstp interface ge-0/0/2 edge

Good (Juniper Junos)::

    set interfaces ge-0/0/2 description "esx-02 vmnic1"
    set protocols rstp interface ge-0/0/2

Bad (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/2
     description esx-02 vmnic1
     port link-type trunk
     stp edged-port enable

Good (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/2
     description esx-02 vmnic1
     port link-type trunk
     stp edged-port disable
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stormguard import remediation
from stormguard.effective import EffectiveDevice, EffectivePort
from stormguard.rules.base import Hit, RuleContext, role_extra, role_note

ID = "SG202"
NAME = "edge-on-trunk-or-uplink"
SEVERITY = "high"
PARAMS: dict[str, Any] = {
    "roles": ["hypervisor-esxi", "hypervisor", "inter-switch", "peer-link"],
    "guarded_edge_roles": ["hypervisor-esxi"],
    "auto_edge_roles": ["hypervisor"],
}


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    roles = set(params["roles"])
    guarded_ok = set(params.get("guarded_edge_roles", ()))
    auto_roles = set(params.get("auto_edge_roles", ()))
    for port in dev.ports:
        edge = port.edge
        if not edge.value:
            auto = port.edge_auto
            if auto is not None and auto.value and port.role in auto_roles:
                yield _auto_edge_hit(port, auto.origin, auto.line)
            continue
        guarded_role = port.role in guarded_ok
        if guarded_role and port.bpdu_guard.value:
            continue  # VMware's recommended edge trunk + BPDU guard
        if port.is_trunk:
            why = "a trunk"
        elif port.role in roles:
            why = f"a {port.role} port"
        else:
            continue
        via = " (through the global default)" if edge.origin == "global" else ""
        note = role_note(port)
        if guarded_role:
            note += ", without BPDU guard: an edge port there needs BPDU guard (see SG204)"
        yield Hit(
            message=f"edge/portfast is in effect on {why}, {port.name}{via}{note}",
            interface=port.name,
            line=edge.line,
            expected="BPDU guard with edge, or not an edge port" if guarded_role
            else "not an edge port",
            actual="edge/portfast in effect" + via + (" without BPDU guard" if guarded_role
                                                      else ""),
            remediation=remediation.edge_off(ctx.family, port.name, edge.origin == "global",
                                             v=remediation.variant(dev),
                                             at=remediation.source(port.iface, "edge")),
            extra={**role_extra(port), "origin": edge.origin},
        )


def _auto_edge_hit(port: EffectivePort, origin: str, line: int | None) -> Hit:
    """EOS auto-edge on a bridging-hypervisor port: a low note, not the high finding."""
    how = ("'spanning-tree portfast auto'" if origin == "port"
           else "EOS default 'spanning-tree portfast auto'")
    return Hit(
        message=f"{port.name} is a {port.role} port{role_note(port)} with auto-edge on ({how}): "
                "it becomes an edge port while no BPDU arrives, and a bridging hypervisor sends "
                "none until it has already closed a loop",
        interface=port.name,
        line=line,
        expected="auto-edge off ('no spanning-tree portfast auto')",
        actual="auto-edge on" + (" (platform default)" if origin != "port" else ""),
        remediation=remediation._iface(port.name, "no spanning-tree portfast auto", family="eos",
                                       at=remediation.source(port.iface, "edge_auto")),
        severity="low",
        extra={**role_extra(port), "origin": origin, "auto_edge": True},
    )
