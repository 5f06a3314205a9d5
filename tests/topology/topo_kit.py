"""Helpers for the topology tests: devices built directly in the model, graphs from them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

from stormguard.effective import EffectiveDevice, effective_device
from stormguard.model import Device, Interface
from stormguard.policy import Policy, load_policy
from stormguard.topology.graph import Graph, build_graph
from stormguard.topology.neighbors import Neighbor
from stormguard.vlans import VlanSet


@cache
def policy() -> Policy:
    return load_policy()


def switch(name: str, *, platform: str = "cisco_ios", stp: bool = True,
           stp_off_vlans: Iterable[int] = ()) -> Device:
    dev = Device(hostname=name, platform=platform, source=name)
    dev.stp.set("enabled", stp, 2)
    dev.stp.set("mode", "rapid-pvst", 3)
    off = list(stp_off_vlans)
    if off:
        dev.stp.set("disabled_vlans", VlanSet.of(off), 4)
    return dev


def trunk(dev: Device, name: str, vlans: Iterable[int], *, bpdu_filter: bool = False,
          stp_excluded: bool = False, channel_group: str | None = None,
          uplink: bool = False) -> Interface:
    iface = dev.interface(name, line=10 + len(dev.interfaces))
    iface.switched = True
    iface.mode = "trunk"
    iface.allowed_vlans = VlanSet.of(vlans)
    iface.physical_uplink = uplink
    if bpdu_filter:
        iface.set("bpdu_filter", True, iface.line)
    if stp_excluded:
        iface.set("stp_disabled", True, iface.line)
    if channel_group:
        iface.channel_group = channel_group
    return iface


def aggregate(dev: Device, name: str, vlans: Iterable[int], members: Sequence[str],
              **kw: object) -> Interface:
    agg = trunk(dev, name, vlans, **kw)  # type: ignore[arg-type]
    agg.kind = "aggregate"
    if dev.platform in ("ovs", "linux_bridge"):
        agg.extra["members"] = list(members)
    else:
        for m in members:
            trunk(dev, m, vlans, channel_group=name)
    return agg


def effs(devices: Iterable[Device]) -> list[EffectiveDevice]:
    return [effective_device(d, policy()) for d in devices]


def graph(devices: Iterable[Device], links: Iterable[tuple[str, str, str, str]],
          both_sides: bool = True) -> Graph:
    """`links`: (host a, port a, host b, port b) as LLDP would report them."""
    nbs = []
    for ha, pa, hb, pb in links:
        nbs.append(Neighbor(ha, pa, hb, pb, "lldp", frozenset({"bridge"})))
        if both_sides:
            nbs.append(Neighbor(hb, pb, ha, pa, "lldp", frozenset({"bridge"})))
    return build_graph(effs(devices), nbs)
