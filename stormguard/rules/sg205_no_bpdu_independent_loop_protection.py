"""Host-facing port without loop protection that works without BPDUs.

Why it matters for storms: BPDU guard and spanning tree only see loops that carry BPDUs. A cheap
unmanaged switch that drops BPDUs, a hypervisor bridging two vNICs, or a patch cable between
two wall sockets closes a loop that sends no BPDU at all: spanning tree never blocks it and
BPDU guard never fires, and the first sign is a broadcast storm. Loop detection that does not
rely on BPDUs - MAC addresses moving between ports, or the switch's own probe frames coming back
- sees those loops and raises an alarm or blocks the port. Judged on host-facing ports (the
roles in ``roles``: access ports and hypervisor ports by default). What counts, per platform:
IOS/IOS-XE ``mac address-table notification mac-move`` (global) or ``loopdetect`` on the port;
NX-OS ``mac address-table loop-detect port-down``; EOS ``monitor loop-protection`` with ``no
shutdown`` (and ``protect vlan`` covering the port's VLANs when listed) plus ``loop-protection``
on the port; Huawei ``loopback-detect enable`` on the port, or MAC flapping detection (on by
default on S-series switches: ``huawei_mac_flapping_default``; ``undo mac-address flapping
detection`` turns it off); H3C ``loopback-detection`` enabled with an action (``block``,
``no-learning`` or ``shutdown``: without one v7 only logs; v5 blocks access ports by default and
needs ``loopback-detection control|shutdown enable`` on trunks). Junos is not judged yet (its
loop detection is EVPN-only or per VLAN).

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    interface GigabitEthernet1/0/5
     switchport mode access
     spanning-tree portfast
     spanning-tree bpduguard enable

Good (Cisco IOS/IOS-XE; NX-OS ``mac address-table loop-detect port-down``)::

    mac address-table notification mac-move
    interface GigabitEthernet1/0/5
     switchport mode access
     spanning-tree portfast
     spanning-tree bpduguard enable

Good (Arista EOS)::

    monitor loop-protection
       no shutdown
       protect vlan 10
    interface Ethernet5
       switchport access vlan 10
       loop-protection

Bad (Juniper Junos)::

    set interfaces ge-0/0/5 unit 0 family ethernet-switching vlan members v10

Good (Juniper Junos, EVPN-VXLAN leaf)::

    set protocols loop-detect enhanced interface ge-0/0/5.0 vlan-id 10
    set protocols loop-detect enhanced interface ge-0/0/5.0 loop-detect-action interface-down

Bad (Huawei VRP, H3C Comware)::

    undo mac-address flapping detection
    interface GigabitEthernet0/0/5
     port link-type access

Good (Huawei VRP)::

    interface GigabitEthernet0/0/5
     port link-type access
     loopback-detect enable

Good (H3C Comware v7)::

    interface GigabitEthernet1/0/5
     port access vlan 10
     loopback-detection enable vlan all
     loopback-detection action block
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stormguard import remediation, remediation_alarms
from stormguard.effective import EffectiveDevice, EffectivePort
from stormguard.rules.base import Hit, MakeFn, RuleContext, maker, role_extra, role_note
from stormguard.vlans import VlanSet

ID = "SG205"
NAME = "no-bpdu-independent-loop-protection"
SEVERITY = "high"
PARAMS: dict[str, Any] = {
    "roles": ["access", "hypervisor", "hypervisor-esxi"],
    # Huawei S-series detect MAC flapping unless `undo mac-address flapping detection`
    "huawei_mac_flapping_default": True,
}
PLATFORMS = ("cisco_ios", "cisco_xe", "cisco_nxos", "arista_eos", "huawei", "hp_comware")

_ACTIONS = frozenset({"shutdown", "block", "no-learning"})
_EXPECTED = "BPDU-independent loop detection (MAC move / loop probes) in effect"


def _missing(dev: EffectiveDevice, port: EffectivePort, family: str,
             params: Mapping[str, Any], eos_need: VlanSet, v: remediation.Variant,
             own: bool = True) -> tuple[str, str] | None:
    """None when the port is protected; else (what is missing, remediation). `v`: the
    device's variant (:func:`stormguard.remediation.variant`). `own=False`: the port's own
    statements are not looked at (the device-wide part of the verdict alone)."""
    al = dev.device.alarms
    lp: dict[str, int] = (port.iface.extra.get("loop_protect") or {}) if own else {}
    if family == "cisco":
        if "mac-move-notification" in al.loop_protect or "loopdetect" in lp:
            return None
        return ("no MAC-move notification and no loopdetect",
                remediation_alarms.loop_protect(family, port.name, v=v))
    if family == "nxos":
        if "loop-detect" in al.loop_protect:
            return None
        return ("no mac address-table loop-detect port-down",
                remediation_alarms.loop_protect(family, port.name, v=v))
    if family == "eos":
        on = "loop-protection" in al.loop_protect
        need = port.allowed_vlans.value
        uncovered = need - al.loop_vlans if al.loop_vlans is not None and need else None
        if on and "loop-protection" in lp and not uncovered:
            return None
        if not on:
            what = "monitor loop-protection is not enabled"
        elif "loop-protection" not in lp:
            what = "no loop-protection on the port"
        else:
            what = f"protect vlan does not cover VLAN {uncovered.to_text()}"  # type: ignore[union-attr]
        # one list for every host-facing port of the device, so the fixes agree
        vlans = None
        if al.loop_vlans is not None and uncovered:
            vlans = (al.loop_vlans | eos_need).to_text()
        elif al.loop_vlans is None and eos_need:
            vlans = eos_need.to_text()
        if on and "loop-protection" not in lp and vlans is None:
            return what, remediation_alarms.eos_port_only(port.name)
        return what, remediation_alarms.loop_protect(family, port.name, v=v, global_on=on,
                                                      eos_vlans=vlans)
    if family == "huawei":
        if "loopback-detect" in lp or "mac-flapping" in al.loop_protect:
            return None
        if params["huawei_mac_flapping_default"] and "mac-flapping" not in al.loop_protect_off:
            return None
        return ("no loopback-detect on the port and MAC flapping detection is off",
                remediation_alarms.loop_protect(family, port.name, v=v))
    if family == "comware":
        at = remediation.source(port.iface, "loop_protect")
        glob = "loopback-detect" in al.loop_protect
        own = "loopback-detect" in lp
        action = port.iface.extra.get("loop_action") or al.loop_action
        if v.comware_v5:
            enabled = glob and own
            acts = action in _ACTIONS or (port.mode == "access" and not port.is_trunk
                                          and port.iface.extra.get("link_type") != "hybrid")
        else:
            enabled = glob or own
            acts = action in _ACTIONS
        if enabled and acts:
            return None
        if enabled:
            return ("loopback-detection only logs: no block, no-learning or shutdown action",
                    remediation_alarms.loop_protect(
                        family, port.name, v=v, port_mode="trunk", global_on=glob, at=at)
                    if v.comware_v5 else remediation_alarms.comware_action(port.name, at=at))
        mode = "access" if port.mode == "access" and port.iface.extra.get(
            "link_type") != "hybrid" else "trunk"
        return ("no loopback-detection", remediation_alarms.loop_protect(
            family, port.name, v=v, port_mode=mode, global_on=glob, at=at))
    return None


#: Families whose verdict is the device's (a global setting), with at most one port-level
#: statement that protects the port: family -> (that statement, or None).
_DEVICE_WIDE: dict[str, str | None] = {"cisco": "loopdetect", "nxos": None,
                                       "huawei": "loopback-detect"}


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    roles = set(params["roles"])
    ports = [p for p in dev.ports if p.role in roles]
    make = maker(ctx)
    if ctx.family in _DEVICE_WIDE:
        return _device_wide(dev, ports, ctx.family, params, make)
    return _per_port(dev, ports, ctx.family, params, make)


def _device_wide(dev: EffectiveDevice, ports: list[EffectivePort], family: str,
                 params: Mapping[str, Any], make: MakeFn = Hit) -> Iterator[Hit]:
    """Cisco IOS family, NX-OS, Huawei: what is missing, and the fix (a global statement), are
    the same for every port of the device, so they are decided once; a port is left out only
    by its own loop-detection statement. The findings are those of :func:`_missing`, built for
    all the ports in one pass (a config has hundreds of host-facing ports)."""
    if not ports:
        return
    found = _missing(dev, ports[0], family, params, VlanSet.none(), remediation.variant(dev),
                     own=False)
    if found is None:
        return
    what, fix = found
    own = _DEVICE_WIDE[family]
    tail = f" has no loop protection that works without BPDUs ({what})"
    notes: dict[tuple[str, str], str] = {}  # (role, role_source) -> role_note: a handful
    for port in ports:
        if own is not None and own in (port.iface.extra.get("loop_protect") or ()):
            continue
        role, why = port.role, port.role_source
        note = notes.get((role, why))
        if note is None:
            note = notes[role, why] = role_note(port)
        name = port.name
        # Positional, in Hit's field order (message, interface, line, expected, actual,
        # remediation, extra): a class called with keywords builds a dict of them each time.
        # The extra is role_extra(port), written out (a call per finding otherwise).
        yield make(f"host-facing port {name}{tail}{note}", name, port.line, _EXPECTED, what,
                   fix, {"role": role, "role_source": why} if why else {"role": role})


def _per_port(dev: EffectiveDevice, ports: list[EffectivePort], family: str,
              params: Mapping[str, Any], make: MakeFn = Hit) -> Iterator[Hit]:
    eos_need = VlanSet.none()
    if family == "eos":
        for p in ports:
            eos_need = eos_need | p.allowed_vlans.value
    v = remediation.variant(dev)
    for port in ports:
        found = _missing(dev, port, family, params, eos_need, v)
        if found is None:
            continue
        what, fix = found
        name = port.name
        message = (f"host-facing port {name} has no loop protection that works without "
                   f"BPDUs ({what}){role_note(port)}")
        yield make(message, name, port.line, _EXPECTED, what, fix, role_extra(port))
