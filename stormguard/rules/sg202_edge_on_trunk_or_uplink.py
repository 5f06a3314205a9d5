"""Edge/portfast in effect on a trunk, or on a hypervisor-facing or inter-switch port.

Why it matters for storms: an edge (portfast) port skips the listening/learning states and goes
straight to forwarding, on the promise that only one host sits behind it. A trunk, a hypervisor
(whose vSwitch bridges VMs and can bridge two NICs together) or another switch breaks that
promise: when such a port comes up - after a reboot, a vMotion, a cable swap - it forwards
before spanning tree has had a chance to find the loop, and the loop storms until STP catches
up (if it does). The roles judged besides trunks are the ``roles`` parameter. Per-port portfast
on an IOS/NX-OS trunk is not in effect without the ``trunk`` keyword and does not fire this rule;
on EOS, Junos, Huawei and H3C the edge setting applies to trunks as configured.

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
from stormguard.effective import EffectiveDevice
from stormguard.rules.base import Hit, RuleContext

ID = "SG202"
NAME = "edge-on-trunk-or-uplink"
SEVERITY = "high"
PARAMS: dict[str, Any] = {"roles": ["hypervisor", "inter-switch"]}


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    roles = set(params["roles"])
    for port in dev.ports:
        edge = port.edge
        if not edge.value:
            continue
        if port.is_trunk:
            why = "a trunk"
        elif port.role in roles:
            why = f"a {port.role} port"
        else:
            continue
        via = " (through the global default)" if edge.origin == "global" else ""
        yield Hit(
            message=f"edge/portfast is in effect on {why}, {port.name}{via}",
            interface=port.name,
            line=edge.line,
            expected="not an edge port",
            actual="edge/portfast in effect" + via,
            remediation=remediation.edge_off(ctx.family, port.name, edge.origin == "global"),
            extra={"role": port.role, "origin": edge.origin},
        )
