"""Switch-port roles from neighbour facts: what LLDP/CDP says is behind the port. Pure, no I/O.

A :mod:`stormguard.roles` fact source, asked before the policy's description selectors:

* an ESXi host behind the port -> ``hypervisor-esxi``;
* a KVM / Open vSwitch / Linux-bridge host -> ``hypervisor``;
* a collected switch, or a neighbour advertising the Bridge (or Switch) capability ->
  ``inter-switch``.

A neighbour is known by what was *collected* first (the far device's platform in this audit:
``esxi``, ``ovs``, ``linux_bridge``, a switch platform); a neighbour that was not collected is
known by what it advertises (a CDP platform / LLDP system description naming VMware ESX, then
its capabilities). A station-only neighbour that was not collected says nothing: the port falls
back to its description. Facts count from both sides of a link: the switch's own LLDP/CDP table
(``LLDP: esx-07 vmnic2``) and a host's view of the switch (``CDP seen by esx-07 vmnic0``).

The role's source names the evidence, so every role-based finding says where it came from.
When a port sees neighbours of different kinds (a shared segment), the most cautious role wins:
``inter-switch``, then ``hypervisor``, then ``hypervisor-esxi``. An aggregate takes what its
member ports see. A configured vPC/MLAG peer-link (or one of its members) is left to the
configuration-fact source: it stays ``peer-link``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from stormguard.model import SWITCH_PLATFORMS
from stormguard.roles import FactSource, RoleMatch, config_facts
from stormguard.topology.neighbors import Neighbor, short_name
from stormguard.topology.neighbors import port_key as _port_key

if TYPE_CHECKING:
    from stormguard.model import Device, Interface

#: Interface names repeat across a fleet (Ethernet1/1 on every leaf): one key per spelling.
port_key = lru_cache(maxsize=65536)(_port_key)

ESXI_ROLE = "hypervisor-esxi"
HYPERVISOR_ROLE = "hypervisor"
ISL_ROLE = "inter-switch"
#: Most cautious first: a switch behind a port outranks a bridging hypervisor, which outranks
#: ESXi (whose vSwitches never forward between uplinks).
_RANK = {ISL_ROLE: 0, HYPERVISOR_ROLE: 1, ESXI_ROLE: 2}
_HOST_ROLE = {"esxi": ESXI_ROLE, "ovs": HYPERVISOR_ROLE, "linux_bridge": HYPERVISOR_ROLE}
_ESX_ADVERT = re.compile(r"vmware\s+esx", re.I)


@dataclass(frozen=True)
class Evidence:
    role: str
    source: str  # "LLDP: esx-07 vmnic2"
    own: bool  # from the port's own device (its LLDP/CDP table), not from the far end


def _host(name: str) -> str:
    """``esx-07/vSwitch0`` -> ``esx-07``; FQDNs and case folded like the graph does."""
    return short_name(name.split("/", 1)[0])


def _display(name: str) -> str:
    s = name.strip()
    if re.match(r"^\d+\.\d+\.\d+\.\d+$", s):
        return s
    return s.split(".", 1)[0] or s


def platforms_of(devices: Iterable[Any]) -> dict[str, str]:
    """Host (short name) -> platform, for collected devices (``Device`` or effective ones)."""
    out: dict[str, str] = {}
    for dev in devices:
        out.setdefault(_host(dev.hostname), dev.platform)
    return out


def _role_for_platform(platform: str) -> str | None:
    if platform in _HOST_ROLE:
        return _HOST_ROLE[platform]
    if platform in SWITCH_PLATFORMS:
        return ISL_ROLE
    return None


def _advertised(nb: Neighbor) -> tuple[str, str] | None:
    """(role, why) from what an uncollected neighbour advertises, or None."""
    if _ESX_ADVERT.search(nb.remote_platform or ""):
        return ESXI_ROLE, f"advertises {nb.remote_platform.strip()[:40]!r}"
    if nb.is_bridge:
        return ISL_ROLE, "advertises the Bridge capability"
    return None


def build_index(neighbors: Iterable[Neighbor], platforms: Mapping[str, str]
                ) -> dict[tuple[str, str], list[Evidence]]:
    """(switch host, port key) -> evidence of what is behind that switch port."""
    index: dict[tuple[str, str], list[Evidence]] = {}

    def add(host: str, port: str, ev: Evidence) -> None:
        if platforms.get(host) not in SWITCH_PLATFORMS or not port:
            return
        bucket = index.setdefault((host, port_key(port)), [])
        if ev not in bucket:
            bucket.append(ev)

    for nb in neighbors:
        proto = nb.protocol.upper()
        local = _host(nb.local_host)
        far = _host(nb.remote_name) if nb.remote_name else ""
        far_port = (nb.far_ports() or [nb.remote_port])[0]
        far_label = _display(nb.remote_name) if nb.remote_name else (nb.remote_chassis or "?")
        # the local device's own table: what is behind its port
        far_platform = platforms.get(far) if far else None
        if far_platform is not None:
            role = _role_for_platform(far_platform)
            if role is not None:
                add(local, nb.local_port,
                    Evidence(role, f"{proto}: {far_label} {far_port}".rstrip(), True))
        else:
            adv = _advertised(nb)
            if adv is not None:
                add(local, nb.local_port,
                    Evidence(adv[0], f"{proto}: {far_label} {far_port} ({adv[1]})"
                             .replace("  ", " "), True))
        # the far end, when it is a collected switch: the local device is behind that port
        local_platform = platforms.get(local)
        if far_platform is not None and local_platform is not None:
            role = _role_for_platform(local_platform)
            if role is not None:
                for port in nb.far_ports():
                    add(far, port, Evidence(
                        role, f"{proto} seen by {_display(nb.local_host.split('/', 1)[0])} "
                        f"{nb.local_port}", False))
    return index


def _pick(evidence: list[Evidence]) -> Evidence:
    """The port's own table first, then the most cautious role; stable otherwise."""
    return min(evidence, key=lambda e: (not e.own, _RANK.get(e.role, 9)))


def neighbor_role_source(neighbors: Iterable[Neighbor], devices: Iterable[Any],
                         roles: Collection[str] | None = None) -> FactSource:
    """A fact source answering switch-port roles from `neighbors`, knowing the collected
    `devices` (``Device`` or ``EffectiveDevice``: hostname + platform). `roles`: the policy's
    role names; evidence for a role the policy does not define is ignored."""
    index = build_index(neighbors, platforms_of(devices))
    if roles is not None:
        keep = set(roles)
        index = {k: [e for e in v if e.role in keep] for k, v in index.items()}
        index = {k: v for k, v in index.items() if v}
    hosts = {h for h, _ in index}

    def evidence(host: str, iface: Interface) -> list[Evidence]:
        return index.get((host, port_key(iface.name)), [])

    def source(dev: Device, iface: Interface, facts: Mapping[str, Any]) -> RoleMatch | None:
        host = _host(dev.hostname)
        if config_facts(dev, iface):
            return None  # a configured peer-link: the configuration-fact source answers
        found = evidence(host, iface)
        where = ""
        if not found:
            if iface.kind != "aggregate":
                return None
            members = [i for i in dev.interfaces.values() if i.channel_group == iface.name]
            for m in members:
                ev = evidence(host, m)
                if ev:
                    found = found + ev
                    where = where or m.name
            if not found:
                return None
        elif iface.channel_group:
            agg = dev.interfaces.get(iface.channel_group)
            if agg is not None and config_facts(dev, agg):
                return None  # a member of a peer-link takes the peer-link's role
        best = _pick(found)
        why = best.source
        if where:
            why += f" (on member {where})"
        others = {(e.role, e.source) for e in found} - {(best.role, best.source)}
        if others:
            why += f" (+{len(others)} more neighbour fact{'s' if len(others) > 1 else ''})"
        return RoleMatch(best.role, why)

    def relevant(dev: Device) -> bool:
        return _host(dev.hostname) in hosts

    source.relevant = relevant  # type: ignore[attr-defined]
    return source
