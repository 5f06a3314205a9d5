"""Switched port with a negotiated mode: it can become an all-VLAN trunk.

Why it matters for storms: a port whose mode is negotiated - Cisco DTP ``switchport mode dynamic
auto|desirable``, Huawei LNP ``port link-type negotiation-auto|negotiation-desirable`` - becomes
a trunk as soon as the device at the other end asks for one (a misconfigured switch, a
hypervisor, or anyone who can send DTP frames). Such a trunk has no allowed-VLAN list of its own
intent: on Cisco it carries every VLAN, so every broadcast storm in the network reaches that
port, and a loop through it spans every VLAN at once. A static mode decides it in the config.

``desirable`` actively asks the far end to trunk; ``auto`` trunks when asked. Both are reported.
A port with no mode line at all runs the platform's default, which is negotiated on some
platforms (older Catalyst access switches default to ``dynamic auto``): list those device types
in ``implicit_negotiated_platforms`` to judge such ports too (off by default: many platforms,
NX-OS and EOS among them, run no DTP, and IOS-XE releases differ).

The fix makes the mode static and stops negotiation, choosing the mode from the port's other
settings: a port with trunk settings (an allowed-VLAN list or a native VLAN) becomes a static
trunk, keeping or adding an allowed list so that it does not become an all-VLAN trunk; any
other port becomes a static access port. Before pasting, check that the port is not trunking
today through negotiation (``show interfaces X switchport``: "Operational Mode"), and that a
neighbour in ``dynamic auto`` is made a static trunk first - with ``switchport nonegotiate`` it
no longer hears DTP and would stop trunking.

Bad (Cisco IOS/IOS-XE)::

    interface GigabitEthernet1/0/5
     switchport access vlan 10
     switchport mode dynamic desirable

Good (Cisco IOS/IOS-XE)::

    interface GigabitEthernet1/0/5
     switchport access vlan 10
     switchport mode access
     switchport nonegotiate

NX-OS and EOS run no DTP, Junos and H3C Comware have no negotiated port mode: there the mode is
always static, and only the explicit lines above (if a candidate config carries them) or the
policy's ``implicit_negotiated_platforms`` make the rule fire.

Good (Cisco NX-OS, Arista EOS)::

    interface Ethernet1/5
      switchport
      switchport mode access
      switchport access vlan 10

Good (Juniper Junos)::

    set interfaces ge-0/0/5 unit 0 family ethernet-switching interface-mode access
    set interfaces ge-0/0/5 unit 0 family ethernet-switching vlan members 10

Bad (Huawei VRP)::

    interface GigabitEthernet0/0/5
     port link-type negotiation-desirable

Good (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/5
     port link-type access
     port default vlan 10
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stormguard import remediation
from stormguard.effective import EffectiveDevice, EffectivePort
from stormguard.model import SWITCH_PLATFORMS
from stormguard.rules.base import Hit, RuleContext, role_extra
from stormguard.vlans import VlanSet

ID = "SG103"
NAME = "negotiated-trunk"
SEVERITY = "high"
PARAMS: dict[str, Any] = {"implicit_negotiated_platforms": []}
#: vSwitches have no negotiated modes.
PLATFORMS = SWITCH_PLATFORMS
_VLAN1 = VlanSet.of([1])


def _trunkish(port: EffectivePort) -> bool:
    iface = port.iface
    return (iface.allowed_vlans is not None or iface.native_vlan is not None
            or bool(iface.extra.get("native_vlan_tagged")))


def _allowed_for_trunk(dev: EffectiveDevice, port: EffectivePort) -> VlanSet | None:
    """The allowed list to add when the port becomes a static trunk without one: the role's
    permitted VLANs, else the VLANs the device defines (with the native VLAN); None if the port
    already has a list (or there is nothing to propose)."""
    iface = port.iface
    if iface.allowed_vlans is not None:
        return None
    vlans = port.permitted_vlans if port.permitted_vlans else dev.defined_vlans - _VLAN1
    if iface.native_vlan is not None:
        vlans = vlans | VlanSet.of([iface.native_vlan])
    return vlans if vlans else None


def _needs_encapsulation(dev: EffectiveDevice, port: EffectivePort) -> bool:
    """Catalysts that also speak ISL refuse `switchport mode trunk` until the encapsulation is
    set; the config shows such a platform by `switchport trunk encapsulation` on other ports."""
    if port.iface.extra.get("trunk_encapsulation"):
        return False
    return any(p.iface.extra.get("trunk_encapsulation") for p in dev.all_ports)


def remediation_lines(family: str, dev: EffectiveDevice, port: EffectivePort, static: str
                      ) -> list[str]:
    """Interface sub-commands that make `port` static `static` ("access"/"trunk"), in an order
    that is safe to paste line by line: the allowed list before the trunk mode (the port is
    never an all-VLAN static trunk), the mode before `nonegotiate` (IOS refuses it on a dynamic
    port)."""
    iface = port.iface
    if family in ("huawei", "comware"):
        lines = [f"port link-type {static}"]
        if static == "access" and iface.access_vlan is not None:
            lines.append(f"port default vlan {iface.access_vlan}")
        return lines
    lines = []
    if static == "trunk":
        extra_list = _allowed_for_trunk(dev, port)
        if extra_list is not None:
            lines.append(f"switchport trunk allowed vlan {extra_list.to_text()}")
        if family == "cisco" and _needs_encapsulation(dev, port):
            lines.append("switchport trunk encapsulation dot1q")
    lines.append(f"switchport mode {static}")
    if family == "cisco":  # DTP is a Cisco IOS/IOS-XE protocol; NX-OS and EOS do not run it
        lines.append("switchport nonegotiate")
    return lines


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    implicit = dev.platform in set(params["implicit_negotiated_platforms"])
    for port in dev.ports:
        iface = port.iface
        negotiation = iface.negotiation
        if negotiation is not None:
            line = iface.lines.get("negotiation") or port.line
            origin = "port"
            how = f"'{_spelling(ctx.family, negotiation)}'"
        elif (implicit and iface.mode is None and not iface.nonegotiate
              and port.kind in ("physical", "aggregate")
              and not iface.extra.get("switchport_mode")):
            line = port.line
            origin = "default"
            how = (f"no mode configured, and {dev.platform} negotiates by default "
                   "(policy: implicit_negotiated_platforms)")
        else:
            continue
        static = "trunk" if _trunkish(port) else "access"
        why = ("it has trunk settings (allowed-VLAN list or native VLAN), so the fix makes it a "
               "static trunk" if static == "trunk" else
               "it has no trunk settings, so the fix makes it a static access port; if it "
               "trunks today (show interfaces ... switchport: Operational Mode), make it a "
               "static trunk with an allowed list instead")
        lines = remediation_lines(ctx.family, dev, port, static)
        yield Hit(
            message=f"switched port {port.name} negotiates its mode ({how}): the far end can "
                    f"turn it into a trunk carrying every VLAN; {why}",
            interface=port.name,
            line=line,
            expected=f"a static mode (switchport mode {static}, no negotiation)"
            if ctx.family not in ("huawei", "comware") else f"port link-type {static}",
            actual=f"negotiated ({negotiation or 'platform default'})",
            remediation=remediation._iface(port.name, *lines, family=ctx.family,
                                           at=remediation.source(iface, "negotiation", "mode")),
            extra={**role_extra(port), "origin": origin, "static_mode": static},
        )


def _spelling(family: str, negotiation: str) -> str:
    if family in ("huawei", "comware"):
        return f"port link-type negotiation-{negotiation}"
    return f"switchport mode dynamic {negotiation}"
