"""A switch trunk towards a hypervisor allows VLANs that nothing on the host uses.

Why it matters for storms: every VLAN on a trunk towards a hypervisor is one more broadcast
domain flooded into the host, across its vSwitch and into every VM on that VLAN, and one more
VLAN a loop through the host (a bridging guest, a vSwitch with two uplinks) can close on. "Allow
only the VLANs needed" is the oldest advice against storms, but the switch cannot know what the
host needs. This rule computes the needed set from the host itself (the L2 graph from LLDP/CDP
says which host uplink is behind the port): an ESXi vSwitch's port groups' VLAN IDs (VLAN 4095,
guest tagging, needs every VLAN), the tags and trunks of an Open vSwitch bridge's other ports,
the ``bridge vlan`` entries of a Linux bridge's ports and of the bridge itself, and the host's
VLAN sub-interfaces (``eth5.100``), limited to what the host uplink carries. The fix removes
exactly the VLANs nothing uses; the trunk's native VLAN is always kept. The rule stays silent
where the host's use cannot be read (a distributed switch, a VLAN-unaware Linux bridge, a port
trunking every VLAN, a far end that was not collected). An Open vSwitch bridge's own local port
counts as untagged (``local_port_untagged_only``): set it to false if hosts put kernel VLAN
devices on it.

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS; esx-07's port groups use VLANs 10 and 20)::

    interface GigabitEthernet1/0/10
     description esx-07 vmnic0
     switchport mode trunk
     switchport trunk allowed vlan 10,20,30-40

Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    interface GigabitEthernet1/0/10
     description esx-07 vmnic0
     switchport mode trunk
     switchport trunk allowed vlan 10,20

Bad (Juniper Junos)::

    set interfaces ge-0/0/10 unit 0 family ethernet-switching vlan members [ 10 20 30 ]

Good (Juniper Junos)::

    set interfaces ge-0/0/10 unit 0 family ethernet-switching vlan members [ 10 20 ]

Bad (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/10
     port link-type trunk
     port trunk allow-pass vlan 10 20 30

Good (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/10
     port link-type trunk
     port trunk allow-pass vlan 10 20

Bad (VMware ESXi: the host side of the bad trunk above)::

    esxcli network vswitch standard portgroup list
    Name        Virtual Switch  Active Clients  VLAN ID
    VM Network  vSwitch0                     4       20
    Management  vSwitch0                     1       10

Bad (Open vSwitch: VMs on VLANs 10 and 20 only, the switch trunk carries 10,20,30)::

    ovs-vsctl add-port br0 vnet0 tag=10 -- add-port br0 vnet1 tag=20

Bad (Linux bridge: guests on VLANs 10 and 20 only, the switch trunk carries 10,20,30)::

    bridge vlan add dev vnet0 vid 10 pvid untagged
    bridge vlan add dev vnet1 vid 20 pvid untagged

Good (Open vSwitch, Linux bridge, VMware ESXi)::

    # nothing to change on the host: take VLAN 30 off the switch trunk
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from stormguard import remediation
from stormguard.model import PLATFORM_FAMILY
from stormguard.rules.base import Hit, RuleContext, role_extra, role_note
from stormguard.vlans import VlanSet

# The topology package is loaded by the fleet audit that runs this rule, not by `stormguard lint`
# (which loads every rule module): at module level only annotations name it; the functions
# that call it import it.
if TYPE_CHECKING:
    from stormguard.topology.fleet import FleetView
    from stormguard.topology.hostside import HostLink

ID = "SG503"
NAME = "hypervisor-trunk-unneeded-vlans"
SEVERITY = "medium"
SCOPE = "fleet"
PARAMS: dict[str, Any] = {"local_port_untagged_only": True}

#: Beyond this many unneeded VLANs the fix sets the whole list (atomic) instead of removing.
_REMOVE_MAX = 64


def _far_ends(fleet: FleetView) -> tuple[dict[tuple[str, str], set[int]], set[tuple[str, str]]]:
    """(node, logical port) -> ids of the edges on it; (node, port key) of unknown far ends."""
    from stormguard.topology.neighbors import port_key
    ends: dict[tuple[str, str], set[int]] = {}
    for edge in fleet.graph.edges:
        for end in (edge.a, edge.b):
            ends.setdefault((end.node, end.port), set()).add(id(edge))
    unknown = {(u.node, port_key(u.port)) for u in fleet.graph.unknown}
    return ends, unknown


def _other_far_ends(links: list[HostLink], ends: dict[tuple[str, str], set[int]],
                    unknown: set[tuple[str, str]]) -> bool:
    """True when the switch port also leads somewhere that is not one of these host links
    (another switch, an uncollected device): then the host does not tell what it needs."""
    from stormguard.topology.neighbors import port_key
    first = links[0]
    node, port = first.switch.hostname, first.port.name
    if ends.get((node, port), set()) - {id(link.edge) for link in links}:
        return True
    names = {port_key(port), *(port_key(m) for m in first.port.members)}
    return any((node, n) in unknown for n in names)


def check(fleet: FleetView, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    from stormguard.topology.hostside import host_links, needed_vlans
    by_port: dict[tuple[str, str], list[HostLink]] = {}
    for link in host_links(fleet):
        by_port.setdefault((link.switch.hostname, link.port.name), []).append(link)
    if not by_port:
        return
    ends, unknown_ends = _far_ends(fleet)
    for (_, _), links in sorted(by_port.items()):
        first = links[0]
        port, sw = first.port, first.switch
        if not port.is_trunk or not port.switched or _other_far_ends(links, ends, unknown_ends):
            continue
        needed = VlanSet.none()
        basis: list[str] = []
        unknown = ""
        for link in links:
            got, why = needed_vlans(fleet, link, local_port_untagged_only=bool(
                params.get("local_port_untagged_only", True)))
            if got is None:
                unknown = why
                break
            needed = needed | got.vlans
            basis += [f"{link.host.hostname}: {b}" for b in got.basis]
        if unknown:
            continue
        allowed = port.allowed_vlans.value
        native = port.iface.native_vlan or 1
        keep = VlanSet.of([native]) & allowed
        unneeded = allowed - needed - keep
        if not unneeded:
            continue
        family = PLATFORM_FAMILY.get(sw.platform, sw.platform)
        names = sw.vlan_names if family == "junos" else None
        where = remediation.vlan_context(port)
        target = (needed | keep | (where["keep"] or VlanSet.none())) & allowed
        if not target:
            fix = remediation.not_fixable(family, "no VLAN would be left on the trunk")
        elif allowed.is_all or len(unneeded) > _REMOVE_MAX:
            fix = remediation.trunk_allowed(family, port.name, target, names, current=allowed,
                                            **where)
        else:
            fix = remediation.trunk_remove(family, port.name, unneeded, names,
                                           hybrid=where["hybrid"], at=where["at"])
        hosts = ", ".join(f"{link.host.hostname} {link.uplink.name}" for link in links)
        defined = unneeded & sw.defined_vlans if sw.device.vlans else VlanSet.none()
        also = f" (defined on the switch: {defined.to_text()})" if defined and \
            defined != unneeded else ""
        yield Hit(
            device=sw.hostname,
            interface=port.name,
            line=port.allowed_vlans.line,
            message=(f"trunk {port.name} towards hypervisor {hosts}{role_note(port)} allows "
                     f"VLANs {unneeded.to_text()}{also} that nothing on the host uses (the "
                     f"host needs {needed.to_text() or 'no tagged VLAN'})"),
            expected=target.to_text(),
            actual=allowed.to_text(),
            remediation=fix,
            extra={"unneeded": unneeded.to_text(), "needed": needed.to_text(),
                   "hosts": [f"{link.host.hostname}:{link.uplink.name}" for link in links],
                   "needed_from": basis[:50], **role_extra(port)},
        )
