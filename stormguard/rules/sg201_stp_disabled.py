"""Spanning tree is off: globally, for VLANs, or on a switched port.

Why it matters for storms: spanning tree is what turns a cabling mistake or a bridging VM into a
blocked port instead of a layer-2 loop. Without it, one loop makes broadcast frames circulate
forever - each copy is flooded again on every pass - and the storm saturates links and CPUs in
seconds. Turning STP off for a VLAN (``no spanning-tree vlan 10``) or on a port removes that
safety net exactly where it is missing; a bridge with STP off (Open vSwitch ``stp_enable=false``,
Linux ``stp_state 0``) is the vSwitch version of the same risk - where the bridge can close a
loop: on Open vSwitch and Linux bridges the rule fires only when two or more physical uplinks
(a bond counts as one) share at least one VLAN (see SG401); a bridge with one uplink, or with
uplinks in disjoint VLANs, cannot forward a frame back into the fabric.

A per-VLAN disable while the device runs MST (configured, or the platform default: EOS,
Huawei VRP and H3C Comware run MSTP unless told otherwise) is inert - MST has no per-VLAN tree
to switch off - but it becomes live if the mode is ever changed to a per-VLAN one: reported at
low severity, with that explanation.

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    no spanning-tree vlan 10,20

Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    spanning-tree mode rapid-pvst

Bad (Juniper Junos)::

    set protocols rstp interface ge-0/0/3 disable

Good (Juniper Junos)::

    set protocols rstp interface ge-0/0/3

On Junos ELS (EX2300/3400/4300/4400, QFX) only the interfaces listed under ``protocols
rstp|mstp interface`` (or ``interface all``) run spanning tree, and VSTP covers only the VLANs
listed under ``protocols vstp vlan``: a trunk outside the list, or a VLAN it carries that VSTP
does not list, has no spanning tree (the finding names the VLANs). Non-ELS Junos runs the
protocol on every interface.

Bad (Juniper Junos ELS)::

    set protocols rstp interface ge-0/0/10 edge
    set interfaces ge-0/0/1 unit 0 family ethernet-switching interface-mode trunk

Good (Juniper Junos ELS)::

    set protocols rstp interface ge-0/0/10 edge
    set protocols rstp interface ge-0/0/1

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
from stormguard.model import VSWITCH_PLATFORMS
from stormguard.rules.base import Hit, RuleContext

ID = "SG201"
NAME = "stp-disabled"
SEVERITY = "high"
PARAMS: dict[str, Any] = {}
_VSTP_FIX_MAX = 64  # VLANs added to VSTP one line each; beyond that, say what to do instead


def _bridge(dev: EffectiveDevice) -> str:
    """A vSwitch device is one bridge, named ``host/br0`` (or in ``extra["bridge"]``)."""
    return str(dev.device.extra.get("bridge") or dev.hostname.rsplit("/", 1)[-1])


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    loop: set[str] | None = None  # vSwitch: the uplinks that can close a loop
    why = ""
    if dev.platform in VSWITCH_PLATFORMS:
        from stormguard.rules.sg401_vswitch_unprotected_uplinks import loop_uplinks

        found, shared = loop_uplinks(dev.ports)
        if len(found) < 2:
            return  # one uplink (or one bond), or uplinks in disjoint VLANs: no loop possible
        loop = {p.name for p in found}
        common = "every VLAN" if shared.covers_all() else f"VLANs {shared.to_text()}"
        why = f" (uplinks {', '.join(p.name for p in found)} share {common})"
    if not dev.stp_enabled.value:
        yield Hit(
            message=f"spanning tree is disabled on the device{why}: a loop becomes a storm",
            line=dev.stp_enabled.line,
            expected="spanning tree enabled",
            actual="disabled",
            remediation=remediation.stp_enable_global(
                ctx.family, _bridge(dev), v=remediation.variant(dev),
                mode=dev.device.stp.mode),
        )
        return  # per-VLAN and per-port findings would only repeat this one
    off_vlans = dev.stp_disabled_vlans.value
    if off_vlans and dev.runs_mst:
        # MST runs one tree per instance, not per VLAN: the per-VLAN disable does nothing today
        # and becomes live the day the mode changes to a per-VLAN one (PVST+/VBST/...).
        mode = dev.stp_mode
        how = (f"'{mode.value}' configured" if mode.origin != "default"
               else f"'{mode.value}', the platform default")
        yield Hit(
            message=f"spanning tree is disabled for VLANs {off_vlans.to_text()}, which is inert "
                    f"while the device runs MST ({how}) but takes effect if the mode changes to "
                    "a per-VLAN spanning tree",
            line=dev.stp_disabled_vlans.line,
            expected="no per-VLAN spanning-tree disable",
            actual=f"disabled for VLANs {off_vlans.to_text()} (inert under MST)",
            remediation=remediation.stp_enable_vlans(ctx.family, off_vlans,
                                                     v=remediation.variant(dev)),
            severity="low",
            extra={"stp_mode": mode.value, "inert": True},
        )
    elif off_vlans:
        yield Hit(
            message=f"spanning tree is disabled for VLANs {off_vlans.to_text()}",
            line=dev.stp_disabled_vlans.line,
            expected="spanning tree enabled for every VLAN",
            actual=f"disabled for VLANs {off_vlans.to_text()}",
            remediation=remediation.stp_enable_vlans(ctx.family, off_vlans,
                                                     v=remediation.variant(dev)),
        )
    for port in dev.ports:
        stp = port.stp_enabled
        extra = port.iface.extra
        if "stp_not_member" in extra or "stp_uncovered_vlans" in extra:
            yield from _junos_els(port.name, extra)
            continue
        if stp.value or stp.origin != "port" or (loop is not None and port.name not in loop):
            continue
        yield Hit(
            message=f"spanning tree is disabled on switched port {port.name}",
            interface=port.name,
            line=stp.line,
            expected="spanning tree enabled on the port",
            actual="disabled on the port",
            remediation=remediation.stp_enable_port(
                ctx.family, port.name, v=remediation.variant(dev),
                at=remediation.source(port.iface, "stp_disabled")),
        )


def _junos_els(name: str, extra: Mapping[str, Any]) -> Iterator[Hit]:
    """Junos ELS: a trunk not listed under the spanning-tree protocol, or carrying VLANs that
    VSTP does not list, runs (those VLANs) without spanning tree."""
    outside = extra.get("stp_not_member")
    if outside is not None:
        proto = outside["protocol"]
        yield Hit(
            message=f"spanning tree does not run on trunk {name}: {outside['note']}",
            interface=name,
            line=outside["line"],
            expected=f"{name} listed under protocols {proto} interface",
            actual="not listed: no spanning tree on the port",
            remediation=f"set protocols {proto} interface {name}",
            extra={"protocol": proto},
        )
        return
    gap = extra["stp_uncovered_vlans"]
    vlans = gap["vlans"]
    yield Hit(
        message=f"spanning tree does not cover every VLAN of trunk {name}: {gap['note']}",
        interface=name,
        line=gap["line"],
        expected="every VLAN the port carries listed under protocols vstp vlan",
        actual=f"VLANs {vlans.to_text()} without spanning tree",
        remediation=("\n".join(f"set protocols vstp vlan {vid} interface {name}" for vid in vlans)
                     if len(vlans) <= _VSTP_FIX_MAX else
                     f"# {len(vlans)} VLANs: more than VSTP runs on most EX/QFX models; cover "
                     f"{name} with MSTP (protocols mstp interface {name}) or prune its VLANs"),
        extra={"protocol": "vstp", "vlans": vlans.to_text()},
    )
