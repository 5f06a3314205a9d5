"""A Linux bridge without VLAN filtering has a physical uplink.

Why it matters for storms: a bridge that is not VLAN-aware forwards every tagged frame it gets,
whatever its VLAN. Connected to the fabric through a physical NIC (or a bond of NICs), it joins
every VLAN the switch port carries into one flooding domain: a broadcast in any VLAN reaches
every guest on the bridge, and a guest or a loop on the host can inject frames into any VLAN of
the fabric. With ``vlan_filtering 1`` the bridge only passes the VLANs configured on each port,
so a storm stays in the VLAN it started in. (Open vSwitch is always VLAN-aware: its ports are
judged by SG101 instead.)

Bad (Linux bridge)::

    ip link add br0 type bridge vlan_filtering 0
    ip link set eth1 master br0

Good (Linux bridge)::

    ip link add br0 type bridge vlan_filtering 1
    ip link set eth1 master br0
    bridge vlan del dev eth1 vid 1
    bridge vlan add dev eth1 vid 10
    bridge vlan add dev eth1 vid 20
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stormguard import remediation_vswitch
from stormguard.effective import EffectiveDevice
from stormguard.rules.base import Hit, RuleContext, uplink_note, uplink_sources

ID = "SG402"
NAME = "bridge-without-vlan-filtering"
SEVERITY = "medium"
PLATFORMS = ("linux_bridge",)
PARAMS: dict[str, Any] = {}


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    extra = dev.device.extra
    if extra.get("vlan_filtering", True):
        return
    ports = [p for p in dev.ports if p.iface.physical_uplink]
    uplinks = [p.name for p in ports]
    if not uplinks:
        return
    basis = f" ({uplink_note(ports)})" if uplink_note(ports) else ""
    bridge = str(extra.get("bridge") or dev.hostname.rsplit("/", 1)[-1])
    yield Hit(
        message=(f"bridge {bridge} is not VLAN-aware (vlan_filtering 0) and has physical "
                 f"uplink(s) {', '.join(uplinks)}{basis}: every VLAN of the fabric "
                 "floods through it"),
        interface=None,
        line=extra.get("line_vlan_filtering") or dev.device.lines.get("hostname"),
        expected="vlan_filtering 1, each uplink limited to the VLANs the guests use",
        actual="vlan_filtering 0",
        remediation=remediation_vswitch.vlan_filtering_on(bridge, uplinks),
        extra={"uplinks": uplinks, "uplink_sources": uplink_sources(ports)},
    )
