"""Remediation snippets for the vSwitch-only rules (SG401, SG402), as shell commands.

The switch families live in :mod:`stormguard.remediation`; what a vSwitch needs beyond that
(bonding uplinks, turning a bridge VLAN-aware) is a short sequence of ``ovs-vsctl`` or
``ip``/``bridge`` commands, kept here so the two rules and any later vSwitch rule spell them the
same way. ``bridge vlan add`` takes one VLAN or one ``A-B`` range per call, so a VLAN list becomes
one line per range.
"""

from __future__ import annotations

from stormguard.vlans import VlanSet


def bridge_vlan_add(port: str, vlans: VlanSet, pvid: int | None = None) -> list[str]:
    """``bridge vlan add`` lines for `vlans` on `port` (one per range; the PVID untagged)."""
    out = []
    for a, b in vlans.ranges():
        vid = str(a) if a == b else f"{a}-{b}"
        out.append(f"bridge vlan add dev {port} vid {vid}")
    if pvid is not None:
        out.append(f"bridge vlan add dev {port} vid {pvid} pvid untagged")
    return out


def bond_name(bridge: str) -> str:
    """A bond named after its bridge: port and netdev names are host-wide, so a fixed
    ``bond0`` would clash with the bond of another bridge (15 characters: the netdev limit)."""
    return f"{bridge}-bond"[:15]


def bond_uplinks(family: str, bridge: str, uplinks: list[str], bond: str | None = None) -> str:
    """Put the loose uplinks of `bridge` into one LACP bond (they then act as one link).

    OVS: with ``lacp-fallback-ab`` the bond runs active-backup while the switch ports are not
    (yet) an LACP aggregate, instead of disabling every member and cutting the host off (the
    storm lab showed it: without it the fixed hypervisor's guests received nothing)."""
    bond = bond or bond_name(bridge)
    if family == "ovs":
        dels = " -- ".join(f"del-port {bridge} {p}" for p in uplinks)
        return (f"ovs-vsctl {dels}\n"
                f"ovs-vsctl add-bond {bridge} {bond} {' '.join(uplinks)} lacp=active "
                "-- set port " + bond + " bond_mode=balance-tcp"
                " other_config:lacp-fallback-ab=true")
    lines = [f"ip link add {bond} type bond mode 802.3ad"]
    for p in uplinks:
        lines += [f"ip link set dev {p} nomaster", f"ip link set dev {p} down",
                  f"ip link set dev {p} master {bond}"]
    lines += [f"ip link set dev {bond} master {bridge}", f"ip link set dev {bond} up"]
    return "\n".join(lines)


def stp_on(family: str, bridge: str) -> str:
    """Run (R)STP on the bridge so a second path to the fabric is blocked, not looped."""
    if family == "ovs":
        return f"ovs-vsctl set bridge {bridge} rstp_enable=true"
    return f"ip link set dev {bridge} type bridge stp_state 1"


def vlan_filtering_on(bridge: str, uplinks: list[str], vlans: VlanSet | None = None) -> str:
    """Make a Linux bridge VLAN-aware and let only the needed VLANs through its uplinks."""
    lines = [f"ip link set dev {bridge} type bridge vlan_filtering 1"]
    for p in uplinks:
        lines.append(f"bridge vlan del dev {p} vid 1")
        if vlans:
            lines += bridge_vlan_add(p, vlans)
        else:
            lines.append(f"bridge vlan add dev {p} vid VLAN   # each VLAN the guests use")
    return "\n".join(lines)
