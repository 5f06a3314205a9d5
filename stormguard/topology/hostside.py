"""The hypervisor side of switch-to-host links, for the cross-layer rules (SG503-SG505). Pure.

:func:`host_links` pairs each switch port with the host uplink the L2 graph found behind it
(LLDP/CDP, either side). :func:`needed_vlans` computes the VLANs a host really uses through an
uplink, from the host's own state:

* ESXi standard vSwitch: the VLAN IDs of the vSwitch's port groups (VMkernel ports included);
  VLAN 4095 (guest tagging) needs every VLAN; VLAN 0 is untagged. A distributed switch's port
  groups live in vCenter: unknown.
* Open vSwitch: every other port of the bridge (VM taps, internal and patch ports): its access
  tag, its trunk list (an empty list: every VLAN) and native VLAN. The bridge's own local port
  without a tag carries the host's untagged traffic (``local_port_untagged_only``; a kernel
  VLAN device on top of it is not in OVSDB).
* Linux bridge (VLAN-aware): the ``bridge vlan`` entries of every other port and of the bridge
  itself, plus every 802.1Q sub-interface of the uplink or its bond members (``eth5.100``),
  bridged or not. A VLAN-unaware bridge forwards every tag: unknown.

Each answer is limited to what the uplink itself carries (VLAN sub-interfaces excepted).
Anything that cannot be read makes the answer unknown (None, with the reason): a rule then
stays silent rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from stormguard.effective import EffectiveDevice, EffectivePort
from stormguard.topology.fleet import FleetView
from stormguard.topology.graph import Edge, End, carried
from stormguard.vlans import VlanSet

HOST_PLATFORMS = frozenset({"esxi", "ovs", "linux_bridge"})


@dataclass
class HostLink:
    """One link between a switch port and a hypervisor's uplink."""

    switch: EffectiveDevice
    port: EffectivePort  # the switch's logical port (the aggregate for a member link)
    switch_end: End
    host: EffectiveDevice  # the vSwitch / bridge
    uplink: EffectivePort  # the host's logical port (a bond, or one NIC)
    host_end: End
    edge: Edge

    @property
    def host_name(self) -> str:
        return host_of(self.host)

    @property
    def label(self) -> str:
        return f"{self.switch.hostname} {self.port.name} → {self.host.hostname} {self.uplink.name}"


@dataclass
class Needed:
    """The VLANs a host uses through an uplink, and where each came from."""

    vlans: VlanSet
    basis: list[str] = field(default_factory=list)  # "port group 'VM Network' VLAN 20"
    untagged: bool = False  # the host sends/receives untagged frames


def host_of(dev: EffectiveDevice) -> str:
    return dev.hostname.split("/", 1)[0]


def host_links(fleet: FleetView) -> Iterator[HostLink]:
    """Every graph edge between a switch and a hypervisor bridge, switch side first."""
    nodes = fleet.graph.nodes
    for edge in fleet.graph.edges:
        for sw_end, host_end in ((edge.a, edge.b), (edge.b, edge.a)):
            sw_node, host_node = nodes.get(sw_end.node), nodes.get(host_end.node)
            if sw_node is None or host_node is None:
                continue
            if sw_node.kind != "switch" or host_node.platform not in HOST_PLATFORMS:
                continue
            sw, host = fleet.by_name.get(sw_end.node), fleet.by_name.get(host_end.node)
            if sw is None or host is None:
                continue
            port, uplink = sw.port(sw_end.port), host.port(host_end.port)
            if port is None or uplink is None:
                continue
            yield HostLink(sw, port, sw_end, host, uplink, host_end, edge)


def _host_bridges(fleet: FleetView) -> dict[str, list[EffectiveDevice]]:
    """Host -> its OVS / Linux bridges, computed once per fleet view."""
    cached = fleet.__dict__.get("_sg_host_bridges")
    if cached is None:
        cached = {}
        for dev in fleet.devices:
            if dev.platform in ("ovs", "linux_bridge"):
                cached.setdefault(host_of(dev), []).append(dev)
        fleet.__dict__["_sg_host_bridges"] = cached
    return cached


def _sub_ifaces(fleet: FleetView, link: HostLink) -> tuple[VlanSet, list[str], str]:
    """VLAN sub-interfaces of the uplink (or its members) on the host: (vlans, basis, why
    unknown). Linux bridges list every 802.1Q link of the host; OVS ports named ``eth5.100``
    count too."""
    names = {link.uplink.name, *(link.uplink.iface.extra.get("members") or ()),
             *link.host_end.members}
    host = link.host_name
    vids: list[int] = []
    basis: list[str] = []
    seen: set[str] = set()
    for dev in _host_bridges(fleet).get(host, ()):
        for v in dev.device.extra.get("host_vlan_links") or ():
            if v.get("name") in seen or v.get("link") not in names:
                continue
            seen.add(str(v.get("name")))
            if not isinstance(v.get("id"), int):
                return VlanSet.none(), [], f"VLAN sub-interface {v.get('name')} has no readable id"
            vids.append(v["id"])
            basis.append(f"sub-interface {v['name']} VLAN {v['id']}")
        for p in dev.all_ports:
            m = re.fullmatch(r"(.+)\.(\d{1,4})", p.name)
            if m and m.group(1) in names and p.name not in seen:
                seen.add(p.name)
                vids.append(int(m.group(2)))
                basis.append(f"sub-interface {p.name} VLAN {m.group(2)}")
    return VlanSet.of([v for v in vids if 1 <= v <= 4094]), basis, ""


def needed_vlans(fleet: FleetView, link: HostLink, *, local_port_untagged_only: bool = True
                 ) -> tuple[Needed | None, str]:
    """(needed, "") or (None, why unknown) for the host end of `link`."""
    host, uplink = link.host, link.uplink
    if not uplink.iface.physical_uplink:
        return None, f"{host.hostname} {uplink.name} is not a physical uplink"
    if host.platform == "esxi":
        out = _esxi(host)
    elif host.platform == "ovs":
        out = _ovs(host, uplink, local_port_untagged_only)
    elif host.platform == "linux_bridge":
        out = _linux(host, uplink)
    else:
        return None, f"{host.platform}: host VLAN use not modelled"
    needed, why = out
    if needed is None:
        return None, why
    needed.vlans = needed.vlans & carried(host, uplink)
    if host.platform != "esxi":
        # a VLAN sub-interface takes its frames before the bridge does: not limited by the
        # uplink's bridge VLANs
        subs, basis, why = _sub_ifaces(fleet, link)
        if why:
            return None, why
        needed.vlans = needed.vlans | subs
        needed.basis += basis
    return needed, ""


def _esxi(host: EffectiveDevice) -> tuple[Needed | None, str]:
    dev = host.device
    if dev.extra.get("distributed"):
        return None, "distributed switch: its port groups' VLANs live in vCenter"
    pgs = [p for p in host.all_ports if p.iface.extra.get("portgroup")]
    if not pgs:
        return None, "no port group read for this vSwitch"
    out = Needed(VlanSet.none())
    for p in pgs:
        vid = p.iface.extra.get("vlan_id")
        if not isinstance(vid, int):
            return None, f"port group {p.name!r}: VLAN ID not read"
        if vid == 4095:
            return None, f"port group {p.name!r} is VLAN 4095 (guest tagging: every VLAN)"
        if vid == 0:
            out.untagged = True
            out.basis.append(f"port group {p.name!r} untagged (VLAN 0)")
            continue
        out.vlans = out.vlans | VlanSet.of([vid])
        out.basis.append(f"port group {p.name!r} VLAN {vid}")
    return out, ""


def _is_uplink(p: EffectivePort) -> bool:
    return p.iface.physical_uplink


def _ovs(host: EffectiveDevice, uplink: EffectivePort, local_untagged: bool
         ) -> tuple[Needed | None, str]:
    out = Needed(VlanSet.none())
    for p in host.all_ports:
        if p.name == uplink.name or _is_uplink(p):
            continue  # another uplink carries transit traffic, not the host's own
        iface = p.iface
        if iface.extra.get("bridge_local"):
            if not local_untagged:
                return None, f"bridge local port {p.name} (a VLAN device on it is not in OVSDB)"
            out.untagged = True
            out.basis.append(f"local port {p.name} untagged")
            continue
        if iface.mode == "access":
            if iface.access_vlan:
                out.vlans = out.vlans | VlanSet.of([iface.access_vlan])
                out.basis.append(f"port {p.name} tag {iface.access_vlan}")
            else:
                out.untagged = True
                out.basis.append(f"port {p.name} untagged")
            continue
        allowed = iface.allowed_vlans
        if allowed is None or allowed.covers_all():
            return None, f"port {p.name} trunks every VLAN"
        out.vlans = out.vlans | allowed
        out.basis.append(f"port {p.name} trunks {allowed.to_text()}")
        if iface.native_vlan:
            out.vlans = out.vlans | VlanSet.of([iface.native_vlan])
    return out, ""


def _linux(host: EffectiveDevice, uplink: EffectivePort) -> tuple[Needed | None, str]:
    dev = host.device
    if not dev.extra.get("vlan_filtering"):
        return None, "VLAN-unaware bridge (every tag passes)"
    if "self_vlans" not in dev.extra:
        return None, "the bridge's own VLANs were not read"
    out = Needed(VlanSet.none())
    own = VlanSet.of(dev.extra.get("self_vlans") or [])
    if own:
        out.vlans = own
        out.basis.append(f"bridge {dev.extra.get('bridge', '')} itself VLANs {own.to_text()}")
    for p in host.all_ports:
        if p.name == uplink.name or _is_uplink(p):
            continue
        iface = p.iface
        vl = iface.allowed_vlans if iface.mode == "trunk" else (
            VlanSet.of([iface.access_vlan]) if iface.access_vlan else iface.allowed_vlans)
        if vl is None:
            continue  # a port with no VLAN carries nothing
        if vl:
            out.vlans = out.vlans | vl
            out.basis.append(f"port {p.name} VLANs {vl.to_text()}")
    return out, ""
