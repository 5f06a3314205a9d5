"""Effective per-port values: global defaults resolved against per-port settings, once.

Parsers record what the configuration *says* (``None`` = not configured); rules need what is *in
effect*. The gap is where most storm audits go wrong — a trunk with ``spanning-tree portfast``
on IOS is not an edge port (that needs ``portfast trunk``), while the same line on EOS is; a
``spanning-tree portfast bpduguard default`` protects edge ports only; a Huawei trunk with no
``allow-pass`` line carries VLAN 1, an IOS trunk with no allowed list carries every VLAN. This
module settles each of those in one place so the rules stay small and agree with each other.

Every effective value is an :class:`Eff`: the value, the config line it came from and its
origin — ``"port"`` (set on the port), ``"global"`` (a global default line) or ``"default"``
(the platform's built-in behaviour; the line is then the interface header) — so a finding can
point at the line a reader must change.

Scope (:attr:`EffectivePort.in_scope`): switched ports that are not administratively down
(unless the policy includes them), and not members of an aggregate: a Port-channel / Eth-Trunk /
Bridge-Aggregation / ae carries the switchport and spanning-tree configuration, so that is what
is judged. Storm-control is the exception on the Cisco family and EOS, where it is configured on
the member ports: there members are judged for storm-control (:attr:`EffectivePort.storm_scope`)
and the aggregate only when it has storm-control of its own (or no member is in the config).

Roles come from the policy (:meth:`stormguard.policy.Policy.role_for`); a member port without a
matching selector of its own takes its aggregate's role; a port no selector matches gets
``trunk`` or ``access`` by its mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Generic, Literal, TypeVar

from stormguard.model import PLATFORM_FAMILY, Device, Interface, StormControl
from stormguard.policy import Policy
from stormguard.vlans import VlanSet

T = TypeVar("T")
_NO_ACTIONS: frozenset[str] = frozenset()
Origin = Literal["port", "global", "default"]

#: Families whose per-port portfast/edge applies to trunks only with the `trunk` keyword, and
#: whose global edge default covers access ports only unless it says `trunk` too.
EDGE_TRUNK_KEYWORD_FAMILIES = frozenset({"cisco", "nxos"})
#: Families where storm-control lives on the member ports of an aggregate.
STORM_ON_MEMBERS_FAMILIES = frozenset({"cisco", "nxos", "eos"})
#: Families where a trunk without an allowed list carries only VLAN 1 (not all VLANs).
TRUNK_DEFAULT_VLAN1_FAMILIES = frozenset({"huawei", "comware"})
#: Families where a trunk without a VLAN member list carries no tagged VLAN.
TRUNK_DEFAULT_NONE_FAMILIES = frozenset({"junos"})
#: Families whose physical/aggregate ports are layer-2 unless configured otherwise.
SWITCHED_BY_DEFAULT_FAMILIES = frozenset({"cisco", "eos", "huawei", "comware"})


class Eff(Generic[T]):
    """An effective value, where it came from, and which line set it.

    (A plain slotted class rather than a frozen dataclass: hundreds are built per device, and
    this is on the `stormguard lint` hot path.)
    """

    __slots__ = ("line", "note", "origin", "value")

    def __init__(self, value: T, line: int | None, origin: Origin = "default", note: str = ""
                 ) -> None:
        self.value = value
        self.line = line
        self.origin = origin
        self.note = note  # why the value is what it is, when that is not obvious

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Eff) and (self.value, self.line, self.origin) == (
            other.value, other.line, other.origin)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Eff({self.value!r}, line={self.line}, origin={self.origin!r})"


@dataclass(slots=True)
class EffectivePort:
    name: str
    iface: Interface
    kind: str
    role: str
    mode: str  # "access" or "trunk" ("access" when the config leaves it dynamic)
    switched: bool
    shutdown: bool
    in_scope: bool
    storm_scope: bool
    description: str
    aggregate: str | None  # the parent aggregate of a member port
    members: list[str]  # member ports of an aggregate
    allowed_vlans: Eff[VlanSet]
    permitted_vlans: VlanSet | None  # SG102: the role's permitted set on this device
    edge: Eff[bool]
    bpdu_guard: Eff[bool]
    bpdu_filter: Eff[bool]
    stp_enabled: Eff[bool]
    storm: dict[str, StormControl]
    storm_actions: Eff[frozenset[str]]
    line: int | None  # interface header

    @property
    def is_trunk(self) -> bool:
        return self.mode == "trunk"

    def storm_line(self) -> int | None:
        sc = self.storm.get("broadcast")
        if sc is not None and sc.line is not None:
            return sc.line
        lines = [s.line for s in self.storm.values() if s.line is not None]
        return min(lines) if lines else self.line


@dataclass
class EffectiveDevice:
    device: Device
    hostname: str
    platform: str
    family: str
    source: str
    stp_enabled: Eff[bool]
    stp_disabled_vlans: Eff[VlanSet]
    all_ports: list[EffectivePort] = field(default_factory=list)

    @cached_property
    def ports(self) -> list[EffectivePort]:
        """Ports judged for VLAN and spanning-tree rules."""
        return [p for p in self.all_ports if p.in_scope]

    @cached_property
    def storm_ports(self) -> list[EffectivePort]:
        """Ports judged for storm-control rules."""
        return [p for p in self.all_ports if p.storm_scope]

    def port(self, name: str) -> EffectivePort | None:
        return next((p for p in self.all_ports if p.name == name), None)

    @cached_property
    def vlan_names(self) -> dict[int, str]:
        """VLAN ID -> name, for remediation on platforms that refer to VLANs by name (Junos)."""
        return {vid: v.name for vid, v in self.device.vlans.items() if v.name}

    @cached_property
    def defined_vlans(self) -> VlanSet:
        """The VLANs the device defines (its VLAN database), computed once."""
        mask = 0
        for vid in self.device.vlans:
            if 1 <= vid <= 4094:
                mask |= 1 << vid
        return VlanSet(mask)


# --------------------------------------------------------------------------------------------


def _switched(iface: Interface, family: str) -> bool:
    if iface.switched is not None:
        return iface.switched
    if iface.kind not in ("physical", "aggregate"):
        return False
    if iface.mode is not None:
        return True
    return family in SWITCHED_BY_DEFAULT_FAMILIES


@lru_cache(maxsize=4096)
def _access_set(vid: int) -> VlanSet:
    """The one-VLAN set of an access port (a device has a handful of access VLANs)."""
    return VlanSet(1 << vid) if 1 <= vid <= 4094 else VlanSet.none()


def _allowed(iface: Interface, mode: str, family: str) -> Eff[VlanSet]:
    lines = iface.lines
    if mode != "trunk":
        vset = _access_set(iface.access_vlan or 1)
        return Eff(vset, lines.get("access_vlan") or iface.line,
                   "port" if iface.access_vlan else "default")
    header = lines.get("mode") or iface.line
    if iface.allowed_vlans is not None:
        if iface.extra.get("allowed_vlans_default"):  # the parser applied the platform default
            return Eff(iface.allowed_vlans, iface.lines.get("allowed_vlans") or header, "default")
        return Eff(iface.allowed_vlans, iface.lines.get("allowed_vlans") or iface.line, "port")
    if family in TRUNK_DEFAULT_VLAN1_FAMILIES:
        return Eff(_access_set(1), header, "default", "no allow-pass/permit list: VLAN 1 only")
    if family in TRUNK_DEFAULT_NONE_FAMILIES:
        return Eff(VlanSet.none(), header, "default", "no VLAN members: no tagged VLANs")
    return Eff(VlanSet.all(), header, "default", "no allowed-VLAN list: all VLANs")


def _edge(dev: Device, iface: Interface, mode: str, family: str) -> Eff[bool]:
    stp = dev.stp
    trunk = mode == "trunk"
    if iface.edge is not None:
        line = iface.lines.get("edge")
        if not iface.edge:
            return Eff(False, line, "port")
        if trunk and family in EDGE_TRUNK_KEYWORD_FAMILIES and not iface.edge_trunk:
            return Eff(False, line, "port", "portfast without 'trunk' is ignored on a trunk")
        return Eff(True, line, "port")
    if stp.edge_default:
        line = stp.lines.get("edge_default")
        if trunk and family in EDGE_TRUNK_KEYWORD_FAMILIES and not stp.edge_default_trunk:
            return Eff(False, line, "global", "the global edge default covers access ports only")
        return Eff(True, line, "global")
    return Eff(False, iface.line, "default")


def _edge_protect(dev: Device, iface: Interface, edge: Eff[bool], attr: str) -> Eff[bool]:
    """BPDU guard / filter: the port's own setting, else the global default on edge ports."""
    own = getattr(iface, attr)
    if own is not None:
        return Eff(bool(own), iface.lines.get(attr), "port")
    if edge.value:
        default_attr = attr + "_default"
        if getattr(dev.stp, default_attr):
            return Eff(True, dev.stp.lines.get(default_attr), "global")
    return Eff(False, iface.line, "default")


def _stp_port(dev: Device, iface: Interface) -> Eff[bool]:
    if not dev.stp.enabled:
        return Eff(False, dev.stp.lines.get("enabled"), "global")
    if iface.stp_disabled:
        return Eff(False, iface.lines.get("stp_disabled") or iface.line, "port")
    return Eff(True, iface.line, "default")


def effective_device(dev: Device, policy: Policy) -> EffectiveDevice:
    """Resolve every port of `dev` against the global defaults and the policy's roles."""
    family = PLATFORM_FAMILY.get(dev.platform, dev.platform)
    stp = dev.stp
    eff = EffectiveDevice(
        device=dev,
        hostname=dev.hostname,
        platform=dev.platform,
        family=family,
        source=dev.source,
        stp_enabled=Eff(stp.enabled, stp.lines.get("enabled"),
                        "global" if "enabled" in stp.lines else "default"),
        stp_disabled_vlans=Eff(stp.disabled_vlans, stp.lines.get("disabled_vlans"),
                               "global" if "disabled_vlans" in stp.lines else "default"),
    )
    members: dict[str, list[str]] = {}
    for iface in dev.interfaces.values():
        if iface.channel_group:
            members.setdefault(iface.channel_group, []).append(iface.name)
    aggregates = {n for n, i in dev.interfaces.items() if i.kind == "aggregate"} | set(members)

    role_by_name = {r.name: r for r in policy.roles}
    roles: dict[str, str] = {}
    # When no role selects by interface name, the role depends on the description alone:
    # ports share a handful of descriptions, so remember each answer.
    by_description = not any(r.interface or r.ports for r in policy.roles)
    seen: dict[str, str | None] = {}
    hostname = dev.hostname
    # aggregates first, so members can inherit their role
    ifaces = dev.interfaces.values()
    for iface in [i for i in ifaces if i.name in aggregates] + [
            i for i in ifaces if i.name not in aggregates]:
        desc = iface.description
        if by_description and desc in seen:
            name = seen[desc]
        else:
            role = policy.role_for(hostname, iface.name, desc)
            name = role.name if role is not None else None
            if by_description:
                seen[desc] = name
        if name is not None:
            roles[iface.name] = name
        elif iface.channel_group and iface.channel_group in roles:
            roles[iface.name] = roles[iface.channel_group]

    permitted_by_role: dict[str, VlanSet | None] = {}
    for iface in dev.interfaces.values():
        switched = _switched(iface, family)
        mode = iface.mode or "access"
        role_name = roles.get(iface.name) or mode
        if role_name in permitted_by_role:
            permitted = permitted_by_role[role_name]
        else:
            role = role_by_name.get(role_name)
            permitted = role.permitted_for(hostname) if role is not None else None
            permitted_by_role[role_name] = permitted
        edge = _edge(dev, iface, mode, family)
        active = switched and (policy.include_admin_down or not iface.shutdown)
        is_member = iface.channel_group is not None
        storm_scope = active
        if is_member:
            storm_scope = active and family in STORM_ON_MEMBERS_FAMILIES
        elif iface.name in members and family in STORM_ON_MEMBERS_FAMILIES:
            storm_scope = active and bool(iface.storm_control)
        actions = frozenset(iface.storm_actions) if iface.storm_actions else _NO_ACTIONS
        eff.all_ports.append(EffectivePort(
            name=iface.name,
            iface=iface,
            kind=iface.kind,
            role=role_name,
            mode=mode,
            switched=switched,
            shutdown=iface.shutdown,
            in_scope=active and not is_member,
            storm_scope=storm_scope,
            description=iface.description,
            aggregate=iface.channel_group,
            members=members.get(iface.name) or [],
            allowed_vlans=_allowed(iface, mode, family),
            permitted_vlans=permitted,
            edge=edge,
            bpdu_guard=_edge_protect(dev, iface, edge, "bpdu_guard"),
            bpdu_filter=_edge_protect(dev, iface, edge, "bpdu_filter"),
            stp_enabled=_stp_port(dev, iface),
            storm=iface.storm_control,  # read-only for rules
            storm_actions=Eff(actions, iface.lines.get("storm_actions") or iface.line,
                              "port" if actions else "default"),
            line=iface.line,
        ))
    return eff

