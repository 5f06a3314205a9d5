"""Spanning tree is off: globally, for VLANs, or on a switched port.

Why it matters for storms: spanning tree is what turns a cabling mistake or a bridging VM into a
blocked port instead of a layer-2 loop. Without it, one loop makes broadcast frames circulate
forever - each copy is flooded again on every pass - and the storm saturates links and CPUs in
seconds. Turning STP off for a VLAN (``no spanning-tree vlan 10``) or on a port removes that
safety net exactly where it is missing; a bridge with STP off (Open vSwitch ``stp_enable=false``,
Linux ``stp_state 0``) is the vSwitch version of the same risk.

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    no spanning-tree vlan 10,20

Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    spanning-tree mode rapid-pvst

Bad (Juniper Junos)::

    set protocols rstp interface ge-0/0/3 disable

Good (Juniper Junos)::

    set protocols rstp interface ge-0/0/3

Bad (Huawei VRP, H3C Comware)::

    stp disable
    interface GigabitEthernet0/0/3
     stp disable

Good (Huawei VRP, H3C Comware)::

    stp mode rstp
    stp enable
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stormguard import remediation
from stormguard.effective import EffectiveDevice
from stormguard.rules.base import Hit, RuleContext

ID = "SG201"
NAME = "stp-disabled"
SEVERITY = "high"
PARAMS: dict[str, Any] = {}


def _bridge(dev: EffectiveDevice) -> str:
    """A vSwitch device is one bridge, named ``host/br0`` (or in ``extra["bridge"]``)."""
    return str(dev.device.extra.get("bridge") or dev.hostname.rsplit("/", 1)[-1])


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    if not dev.stp_enabled.value:
        yield Hit(
            message="spanning tree is disabled on the device: a loop becomes a storm",
            line=dev.stp_enabled.line,
            expected="spanning tree enabled",
            actual="disabled",
            remediation=remediation.stp_enable_global(ctx.family, _bridge(dev)),
        )
        return  # per-VLAN and per-port findings would only repeat this one
    off_vlans = dev.stp_disabled_vlans.value
    if off_vlans:
        yield Hit(
            message=f"spanning tree is disabled for VLANs {off_vlans.to_text()}",
            line=dev.stp_disabled_vlans.line,
            expected="spanning tree enabled for every VLAN",
            actual=f"disabled for VLANs {off_vlans.to_text()}",
            remediation=remediation.stp_enable_vlans(ctx.family, off_vlans),
        )
    for port in dev.ports:
        stp = port.stp_enabled
        if stp.value or stp.origin != "port":
            continue
        yield Hit(
            message=f"spanning tree is disabled on switched port {port.name}",
            interface=port.name,
            line=stp.line,
            expected="spanning tree enabled on the port",
            actual="disabled on the port",
            remediation=remediation.stp_enable_port(ctx.family, port.name),
        )
