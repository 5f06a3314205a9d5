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
Broadcast storm-control on the aggregate covers its members: they are then left to the
aggregate's judgement (or, with storm-control of their own, judged on it with the aggregate's
classes filling the gaps; :attr:`EffectivePort.storm_from`).

Platform defaults applied here besides the edge/VLAN ones: NX-OS ``system default switchport``
(physical ports without ``[no] switchport`` are layer 2) and ``system default switchport
shutdown`` (such layer-2 ports without ``[no] shutdown`` are admin down); EOS auto-edge
(:attr:`EffectivePort.edge_auto`); the spanning-tree mode a family runs when none is configured
(:attr:`EffectiveDevice.stp_mode`: EOS, Huawei and H3C default to MSTP); Junos non-ELS storm
control, on by default at 80 % of broadcast and unknown unicast on a switched port that no
``storm-control interface`` stanza covers (ELS has no such default); a Junos ELS trunk that the
parser found outside ``protocols rstp|mstp interface`` runs without spanning tree.

Roles come from :mod:`stormguard.roles` (the policy's resolver: facts about the port first -
configuration facts such as a vPC/MLAG peer-link, and whatever `facts` the caller passes - then
the role selectors in order); a member port without an answer of its own takes its aggregate's
role; a port nothing matches gets ``trunk`` or ``access`` by its mode. Every port keeps the
reason in :attr:`EffectivePort.role_source`, which role-based findings carry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from stormguard.model import PLATFORM_FAMILY, Device, Interface, StormControl
from stormguard.roles import FactSource, RoleMatch
from stormguard.vlans import VlanSet

if TYPE_CHECKING:  # policy -> rules -> effective: only the type, never the module at run time
    from stormguard.policy import Policy

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
#: The spanning-tree mode a family runs when the config names none (`spanning-tree mode` /
#: `stp mode` absent): EOS, Huawei VRP and H3C Comware default to MSTP.
DEFAULT_STP_MODE: dict[str, str] = {
    "cisco": "pvst", "nxos": "rapid-pvst", "eos": "mstp", "huawei": "mstp", "comware": "mstp",
}
#: Spanning-tree modes with one tree per instance, not per VLAN: a per-VLAN disable is inert.
MST_MODES = frozenset({"mst", "mstp"})


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
    # why the port has its role ("description matches word 'esx'", "configured as vPC
    # peer-link", "LLDP: esx-07 vmnic2"); "" for the fallback roles trunk / access
    role_source: str = ""
    # EOS auto-edge (`spanning-tree portfast auto`, on by default): True when the port is not
    # an admin edge port but becomes operationally edge while no BPDU arrives; None elsewhere.
    edge_auto: Eff[bool] | None = None
    # the aggregate whose storm-control covers this member port (storm is then its settings)
    storm_from: str | None = None

    @property
    def is_trunk(self) -> bool:
        return self.mode == "trunk"

    def storm_line(self) -> int | None:
        """The storm-control line a finding points at: broadcast's, else the earliest
        class's, else the interface header (most ports of a config have no storm-control at all)."""
        storm = self.storm
        if not storm:
            return self.line
        sc = storm.get("broadcast")
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
    # the spanning-tree mode in effect (configured, else the family's default; None = unknown)
    stp_mode: Eff[str | None] = field(default_factory=lambda: Eff(None, None))

    @property
    def runs_mst(self) -> bool:
        """One tree per MST instance: a per-VLAN STP disable (`no spanning-tree vlan X`) is
        inert while it runs."""
        return self.stp_mode.value in MST_MODES

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


def _switched(iface: Interface, family: str, nxos_default_l2: bool = False) -> bool:
    if iface.switched is not None:
        return iface.switched
    if iface.kind not in ("physical", "aggregate"):
        return False
    if iface.mode is not None or iface.negotiation is not None:
        return True
    if nxos_default_l2 and iface.kind == "physical":
        return True  # NX-OS `system default switchport`: physical ports are layer 2
    return family in SWITCHED_BY_DEFAULT_FAMILIES


def _stp_mode(dev: Device, family: str) -> Eff[str | None]:
    stp = dev.stp
    if stp.mode is not None:
        return Eff(stp.mode, stp.lines.get("mode"), "global")
    default = DEFAULT_STP_MODE.get(family)
    return Eff(default, None, "default",
               f"no mode configured: the platform default ({default})" if default else "")


def _edge_auto(iface: Interface, edge: Eff[bool]) -> Eff[bool]:
    """EOS auto-edge: on unless `no spanning-tree portfast auto`; moot on an admin edge port."""
    on = iface.extra.get("edge_auto", True) and not edge.value
    line = iface.lines.get("edge_auto")
    return Eff(bool(on), line or iface.line, "port" if line else "default")


_new = object.__new__
#: A description not answered yet (None is an answer: no role selects it).
_UNSEEN: Any = object()


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
    outside = iface.extra.get("stp_not_member")
    if outside is not None:  # Junos ELS: not listed under `protocols rstp|mstp interface`
        return Eff(False, outside["line"], "global", outside["note"])
    return Eff(True, iface.line, "default")


def _junos_default_storm(line: int | None) -> dict[str, StormControl]:
    """Junos non-ELS: storm control is on by default on every switched port at 80 % of the
    combined broadcast and unknown-unicast traffic (no line: nothing in the config says so)."""
    return {traffic: StormControl(traffic=traffic, level=80.0, unit="percent",  # type: ignore[arg-type]
                                  line=line)
            for traffic in ("broadcast", "unknown-unicast")}


def effective_device(dev: Device, policy: Policy, facts: Mapping[str, Any] | None = None,
                     fact_sources: Sequence[FactSource] = ()) -> EffectiveDevice:
    """Resolve every port of `dev` against the global defaults and the policy's roles.

    `fact_sources` (optional) answer a port's role from collected facts before the policy's
    selectors (:mod:`stormguard.roles`); `facts` is the mapping they are given."""
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
        stp_mode=_stp_mode(dev, family),
    )
    # NX-OS `system default switchport [shutdown]`: physical ports without `[no] switchport`
    # are layer 2; layer-2 ports without `[no] shutdown` are admin down.
    nxos_l2 = family == "nxos" and bool(dev.extra.get("default_switchport"))
    nxos_l2_shut = family == "nxos" and bool(dev.extra.get("default_switchport_shutdown"))
    members: dict[str, list[str]] = {}
    aggregates: set[str] = set()  # aggregate ports, and every name a member points at
    for iface in dev.interfaces.values():  # one pass for both
        if iface.channel_group:
            members.setdefault(iface.channel_group, []).append(iface.name)
        if iface.kind == "aggregate":
            aggregates.add(iface.name)
    aggregates |= members.keys()

    role_by_name = {r.name: r for r in policy.roles}
    resolver = policy.resolver(fact_sources)
    roles: dict[str, RoleMatch] = {}
    # When no role selects by interface name, the selectors depend on the description alone:
    # ports share a handful of descriptions, so remember each answer.
    by_description = resolver.by_description
    seen: dict[str, RoleMatch | None] = {}
    memo = resolver.description_memo
    if memo is not None:
        # the resolver's own answers by description, kept across devices: what
        # from_selectors returns for a description it holds, without the call
        seen = memo
        by_description = True
    hostname = dev.hostname
    # aggregates first, so members can inherit their role
    ifaces = dev.interfaces.values()
    sources = resolver.sources_for(dev)
    for iface in [i for i in ifaces if i.name in aggregates] + [
            i for i in ifaces if i.name not in aggregates]:
        found = resolver.from_facts(dev, iface, facts, sources) if sources else None
        if found is None:
            desc = iface.description
            found = seen.get(desc, _UNSEEN) if by_description else _UNSEEN
            if found is _UNSEEN:
                found = resolver.from_selectors(hostname, iface.name, desc)
                if by_description:
                    seen[desc] = found
        if found is not None:
            roles[iface.name] = found
        elif iface.channel_group and iface.channel_group in roles:
            agg = roles[iface.channel_group]
            roles[iface.name] = RoleMatch(agg.role, f"member of {iface.channel_group}: "
                                          f"{agg.source}")

    permitted_by_role: dict[str, VlanSet | None] = {}
    # storm-control on an aggregate covers its member ports (Cisco family, EOS)
    storm_on_members = family in STORM_ON_MEMBERS_FAMILIES
    storm_aggs = {n for n in members if storm_on_members
                  and (agg_if := dev.interfaces.get(n)) is not None
                  and "broadcast" in agg_if.storm_control}
    # What is the same for every port of the device is decided once here; the loop below is
    # the `stormguard lint` hot path (every port of every file), so the per-port helpers
    # (_switched, _edge, _edge_protect, _stp_port, _allowed) are inlined for the common cases.
    # An Eff is never changed once made, so ports share the ones that name a global line, and
    # each port shares one "False, default, at the interface header" between its settings.
    switched_default = family in SWITCHED_BY_DEFAULT_FAMILIES
    edge_kw = family in EDGE_TRUNK_KEYWORD_FAMILIES
    include_down = policy.include_admin_down
    stp_lines = stp.lines
    stp_off = None if stp.enabled else Eff(False, stp_lines.get("enabled"), "global")
    g_edge = g_edge_access_only = None
    if stp.edge_default:
        g_line = stp_lines.get("edge_default")
        g_edge = Eff(True, g_line, "global")
        g_edge_access_only = g_edge if not edge_kw or stp.edge_default_trunk else Eff(
            False, g_line, "global", "the global edge default covers access ports only")
    g_guard = (Eff(True, stp_lines.get("bpdu_guard_default"), "global")
               if stp.bpdu_guard_default else None)
    g_filter = (Eff(True, stp_lines.get("bpdu_filter_default"), "global")
                if stp.bpdu_filter_default else None)
    junos_default_storm = family == "junos" and dev.extra.get("junos_els") is False
    eos = family == "eos"
    interfaces = dev.interfaces
    new = _new
    out = eff.all_ports
    in_scope_ports: list[EffectivePort] = []
    storm_ports: list[EffectivePort] = []
    for iface in interfaces.values():
        name = iface.name
        hline = iface.line
        lines = iface.lines
        ifx = iface.extra
        kind = iface.kind
        imode = iface.mode
        switched = iface.switched
        if switched is None:
            if kind != "physical" and kind != "aggregate":
                switched = False
            elif imode is not None or iface.negotiation is not None:
                switched = True
            elif nxos_l2 and kind == "physical":
                switched = True  # NX-OS `system default switchport`: physical ports are L2
            else:
                switched = switched_default
        mode = imode or "access"
        trunk = mode == "trunk"
        match = roles.get(name)
        role_name = match.role if match is not None else mode
        if role_name in permitted_by_role:
            permitted = permitted_by_role[role_name]
        else:
            role = role_by_name.get(role_name)
            permitted = role.permitted_for(hostname) if role is not None else None
            permitted_by_role[role_name] = permitted
        # shared by the settings left at the default. The common Effs of this loop are built
        # bare, their four slots set (a third of the class call's cost: see the port below)
        off = new(Eff)
        off.value = False
        off.line = hline
        off.origin = "default"
        off.note = ""
        # edge (portfast / port type edge / edged-port)
        own = iface.edge
        if own is not None:
            eline = lines.get("edge")
            if not own:
                edge = Eff(False, eline, "port")
            elif trunk and edge_kw and not iface.edge_trunk:
                edge = Eff(False, eline, "port", "portfast without 'trunk' is ignored on a trunk")
            else:
                edge = new(Eff)
                edge.value = True
                edge.line = eline
                edge.origin = "port"
                edge.note = ""
        elif g_edge is not None:
            edge = g_edge_access_only if trunk else g_edge  # type: ignore[assignment]
        else:
            edge = off
        # BPDU guard / filter: the port's own setting, else the global default on edge ports
        own = iface.bpdu_guard
        if own is not None:
            guard = Eff(bool(own), lines.get("bpdu_guard"), "port")
        elif g_guard is not None and edge.value:
            guard = g_guard
        else:
            guard = off
        own = iface.bpdu_filter
        if own is not None:
            bfilter = Eff(bool(own), lines.get("bpdu_filter"), "port")
        elif g_filter is not None and edge.value:
            bfilter = g_filter
        else:
            bfilter = off
        # spanning tree on the port
        if stp_off is not None:
            stp_port = stp_off
        elif iface.stp_disabled:
            stp_port = Eff(False, lines.get("stp_disabled") or hline, "port")
        else:
            outside = ifx.get("stp_not_member")
            if outside is not None:  # Junos ELS: not listed under `protocols rstp|mstp interface`
                stp_port = Eff(False, outside["line"], "global", outside["note"])
            else:
                stp_port = new(Eff)
                stp_port.value = True
                stp_port.line = hline
                stp_port.origin = "default"
                stp_port.note = ""
        # VLANs carried
        if trunk:
            vset = iface.allowed_vlans
            if vset is not None and not ifx.get("allowed_vlans_default"):
                allowed = new(Eff)  # the trunk's own list: _allowed's common case
                allowed.value = vset
                allowed.line = lines.get("allowed_vlans") or hline
                allowed.origin = "port"
                allowed.note = ""
            else:
                allowed = _allowed(iface, mode, family)
        else:
            vid = iface.access_vlan
            allowed = new(Eff)
            allowed.value = _access_set(vid or 1)
            allowed.line = lines.get("access_vlan") or hline
            allowed.origin = "port" if vid else "default"
            allowed.note = ""
        shutdown = iface.shutdown
        if (nxos_l2_shut and not shutdown and switched and kind == "physical"
                and "shutdown" not in lines):
            shutdown = True
        active = switched and (include_down or not shutdown)
        group = iface.channel_group
        storm_scope = active
        storm = iface.storm_control
        if (junos_default_storm and not storm and switched
                and "storm_control_stanza" not in ifx):
            storm = _junos_default_storm(hline)
        storm_actions = iface.storm_actions
        actions_line = lines.get("storm_actions")
        storm_from = None
        if group is not None:
            storm_scope = active and storm_on_members
            if storm_scope and group in storm_aggs:
                # covered by the aggregate, which is judged itself; a member with storm-control
                # of its own is judged on it, the aggregate filling in the classes it lacks
                agg_if = interfaces[group]
                storm_from = agg_if.name
                if storm:
                    storm = {**agg_if.storm_control, **storm}
                    if not storm_actions:
                        storm_actions = agg_if.storm_actions
                        actions_line = agg_if.lines.get("storm_actions")
                else:
                    storm_scope = False
        elif storm_on_members and name in members:
            storm_scope = active and bool(iface.storm_control)
        acts = new(Eff)
        if storm_actions:
            acts.value = frozenset(storm_actions)
            acts.origin = "port"
        else:
            acts.value = _NO_ACTIONS
            acts.origin = "default"
        acts.line = actions_line or hline
        acts.note = ""
        in_scope = active and group is None
        # EffectivePort(...) without the class call: calling a class runs its __init__
        # through the type's slot wrapper, ~3x the cost of setting the slots of a bare
        # instance, per port of every config. Every field is set: a field added to
        # EffectivePort must be set here too (tests/effective_fast fails until it is).
        port = new(EffectivePort)
        port.name = name
        port.iface = iface
        port.kind = kind
        port.role = role_name
        port.mode = mode
        port.switched = switched
        port.shutdown = shutdown
        port.in_scope = in_scope
        port.storm_scope = storm_scope
        port.description = iface.description
        port.aggregate = group
        port.members = members.get(name) or []
        port.allowed_vlans = allowed
        port.permitted_vlans = permitted
        port.edge = edge
        port.bpdu_guard = guard
        port.bpdu_filter = bfilter
        port.stp_enabled = stp_port
        port.storm = storm  # read-only for rules
        port.storm_actions = acts
        port.line = hline
        port.role_source = match.source if match is not None else ""
        port.edge_auto = _edge_auto(iface, edge) if eos else None
        port.storm_from = storm_from
        out.append(port)
        if in_scope:
            in_scope_ports.append(port)
        if storm_scope:
            storm_ports.append(port)
    # EffectiveDevice.ports / .storm_ports (cached properties: their values live in the
    # instance dict), filled here rather than by two more passes over the ports
    eff.__dict__["ports"] = in_scope_ports
    eff.__dict__["storm_ports"] = storm_ports
    return eff
