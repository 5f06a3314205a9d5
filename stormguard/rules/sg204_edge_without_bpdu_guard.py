"""Edge port without BPDU guard.

Why it matters for storms: an edge port forwards at once because only a host is supposed to be
behind it. BPDU guard keeps that promise honest: when a switch (or a bridging hypervisor, or a
cable looped back) shows up and sends a BPDU, the port is shut down before a loop can form. An
edge port without it relies on spanning tree to notice the loop after the port already
forwards. BPDU guard counts when set on the port or through a global default that covers edge
ports (``spanning-tree portfast bpduguard default``, Junos ``bpdu-block-on-edge``, Huawei/H3C
``stp bpdu-protection``). On an ESXi-facing port (role ``hypervisor-esxi``) edge is the
VMware-recommended setting and BPDU guard is the half of it that keeps a bridging guest from
looping: this rule is then the finding to act on (SG202 does not fire while guard is on).

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    interface GigabitEthernet1/0/4
     switchport mode access
     spanning-tree portfast

Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    interface GigabitEthernet1/0/4
     switchport mode access
     spanning-tree portfast
     spanning-tree bpduguard enable

Bad (Juniper Junos)::

    set protocols rstp interface ge-0/0/4 edge

Good (Juniper Junos)::

    set protocols rstp interface ge-0/0/4 edge
    set protocols rstp bpdu-block-on-edge

Bad (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/4
     stp edged-port enable

Good (Huawei VRP, H3C Comware)::

    stp bpdu-protection
    interface GigabitEthernet0/0/4
     stp edged-port enable
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stormguard import remediation
from stormguard.effective import EffectiveDevice
from stormguard.model import SWITCH_PLATFORMS
from stormguard.rules.base import Hit, RuleContext, role_extra, role_note

ID = "SG204"
NAME = "edge-without-bpdu-guard"
SEVERITY = "medium"
PARAMS: dict[str, Any] = {}
#: vSwitches have no BPDU guard to turn on (Open vSwitch has none; Linux bridge `guard` is
#: per port without an edge notion), so the rule would only add noise there.
PLATFORMS = SWITCH_PLATFORMS


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for port in dev.ports:
        if not port.edge.value or port.bpdu_guard.value:
            continue
        guard = port.bpdu_guard
        explicit_off = guard.origin == "port"
        yield Hit(
            message=(f"edge port {port.name} has no BPDU guard"
                     + (" (disabled on the port)" if explicit_off else "") + role_note(port)),
            interface=port.name,
            line=guard.line if explicit_off else port.edge.line,
            expected="BPDU guard enabled (per port or global default)",
            actual="BPDU guard disabled on the port" if explicit_off else "no BPDU guard",
            # next to the edge setting: where the port inherits it from, if it does
            remediation=remediation.bpdu_guard_on(
                ctx.family, port.name, v=remediation.variant(dev),
                at=remediation.source(port.iface, "bpdu_guard", "edge")),
            extra=role_extra(port) if port.role_source else {},
        )
