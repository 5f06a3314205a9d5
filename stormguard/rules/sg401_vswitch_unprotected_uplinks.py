"""A vSwitch bridge has two or more physical uplinks that are neither bonded nor under STP.

Why it matters for storms: this is the classic vSwitch loop. A hypervisor is cabled to two
top-of-rack ports for redundancy and both NICs are added to the same bridge as separate ports.
The physical switches see two links to one "host" and forward a broadcast out of both; the bridge
floods what arrives on one NIC out of the other, back into the fabric, which floods it again.
Without a bond (which makes the NICs one logical link, so the bridge never forwards between them)
or spanning tree on the bridge (which blocks one of them), a single ARP becomes a storm that takes
down every VLAN the uplinks carry. Physical switches often run BPDU guard or portfast towards
hypervisors, so they cannot break the loop either. A bond counts as one uplink; a port where
spanning tree is active is protected; ports that are not physical NICs (VM taps, internal ports,
patch ports, tunnels) are not uplinks. The uplinks must also share a VLAN to close a loop: an
uplink that carries only VLAN 10 and another that carries only VLAN 20 never forward a frame to
each other (a port of a VLAN-unaware Linux bridge carries everything). Only uplinks that share
at least one VLAN with another unprotected uplink count towards ``min_uplinks``.

Bad (Open vSwitch)::

    ovs-vsctl add-br br0
    ovs-vsctl add-port br0 eth1
    ovs-vsctl add-port br0 eth2          # stp_enable=false, rstp_enable=false

Good (Open vSwitch)::

    ovs-vsctl add-br br0
    ovs-vsctl add-bond br0 bond0 eth1 eth2 lacp=active

Bad (Linux bridge)::

    ip link add br0 type bridge stp_state 0
    ip link set eth1 master br0
    ip link set eth2 master br0

Good (Linux bridge)::

    ip link add bond0 type bond mode 802.3ad
    ip link set eth1 master bond0
    ip link set eth2 master bond0
    ip link set bond0 master br0
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stormguard import remediation_vswitch
from stormguard.effective import EffectiveDevice, EffectivePort
from stormguard.rules.base import Hit, RuleContext, uplink_note, uplink_sources
from stormguard.vlans import VlanSet

ID = "SG401"
NAME = "vswitch-unprotected-uplinks"
SEVERITY = "high"
PLATFORMS = ("ovs", "linux_bridge")
PARAMS: dict[str, Any] = {"min_uplinks": 2}


def vlans_carried(port: EffectivePort) -> VlanSet:
    """The VLANs a vSwitch port forwards: everything on a VLAN-unaware Linux bridge, nothing on
    a VLAN-aware port without VLAN entries, else its access VLAN or trunk list."""
    iface = port.iface
    if iface.extra.get("vlan_aware") is False:
        return VlanSet.all()
    if iface.mode is None:
        return iface.allowed_vlans if iface.allowed_vlans is not None else VlanSet.all()
    return port.allowed_vlans.value


def loop_uplinks(ports: list[EffectivePort]) -> tuple[list[EffectivePort], VlanSet]:
    """The physical uplinks among `ports` that can close a loop through the bridge: each shares
    at least one VLAN with another of them (a bond is one port, so one bond alone never
    qualifies). Returns them, in port order, and the VLANs they share."""
    uplinks = [(p, vlans_carried(p)) for p in ports if p.iface.physical_uplink]
    found: list[EffectivePort] = []
    shared = VlanSet.none()
    for i, (p, vp) in enumerate(uplinks):
        common = VlanSet.none()
        for j, (_, vq) in enumerate(uplinks):
            if i != j:
                common = common.add(vp & vq)
        if common:
            found.append(p)
            shared = shared.add(common)
    return found, shared


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    unprotected, shared = loop_uplinks([p for p in dev.ports if not p.stp_enabled.value])
    if len(unprotected) < max(2, int(params.get("min_uplinks", 2))):
        return
    names = [p.name for p in unprotected]
    bridge = str(dev.device.extra.get("bridge") or dev.hostname.rsplit("/", 1)[-1])
    stp_off = not dev.stp_enabled.value
    why = "spanning tree is off on the bridge" if stp_off else "spanning tree is off on them"
    line = dev.stp_enabled.line if stp_off else unprotected[0].line
    loose = [p.name for p in unprotected if p.kind != "aggregate"]
    fix = [remediation_vswitch.stp_on(ctx.family, bridge)]
    if len(loose) >= 2:
        fix.insert(0, remediation_vswitch.bond_uplinks(ctx.family, bridge, loose))
        fix.insert(1, "# or, where bonding is not possible:")
    yield Hit(
        message=(f"bridge {bridge} has {len(unprotected)} physical uplinks "
                 f"({'; '.join(filter(None, (', '.join(names), uplink_note(unprotected))))}) "
                 f"that are not bonded and {why}: "
                 f"a loop through the fabric floods {_vlan_words(shared)}"),
        interface=None,
        line=line,
        expected="the uplinks in one bond, or STP/RSTP on the bridge",
        actual=f"{len(unprotected)} separate uplinks without spanning tree",
        remediation="\n".join(fix),
        extra={"uplinks": names, "shared_vlans": shared.to_text(),
               "uplink_sources": uplink_sources(unprotected)},
    )


def _vlan_words(vlans: VlanSet) -> str:
    return "every VLAN" if vlans.covers_all(4000) else f"VLANs {vlans.to_text()}"
