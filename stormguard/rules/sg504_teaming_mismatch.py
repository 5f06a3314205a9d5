"""A hypervisor's NIC teaming does not match the switch ports behind it.

Why it matters for storms: teaming and link aggregation are two halves of one contract. When the
host hashes one flow over several uplinks (LACP, ESXi "route based on IP hash", Linux
``balance-rr`` / ``balance-xor`` / ``broadcast``) but the switch ports are separate, the switch
sees the host's MAC addresses on two ports at once: MAC flapping, floods of unknown unicast, and
every broadcast the host sends on one uplink comes back to it on the other. When the switch
aggregates ports towards a team that does not (an active-backup bond, ESXi "originating port" /
"source MAC" / explicit failover), the switch hashes frames onto a link the host does not expect
them on: frames are dropped or looped back through the vSwitch. LACP on one side and a static
("mode on") aggregate on the other fails the same way. Beacon probing on an ESXi team needs at
least three uplinks to tell which one failed (with two, it sends everything everywhere - "shotgun
mode") and must not be combined with IP hash. The rule joins both sides with the L2 graph
(LLDP/CDP); an LACP vs static mismatch is reported where the switch configuration names the
channel mode (Cisco family ``channel-group N mode ...``). Beacon probing is judged on the host
alone.

Bad (VMware ESXi: IP hash, switch ports not one static port-channel)::

    esxcli network vswitch standard policy failover set -v vSwitch1 -l iphash

Good (VMware ESXi)::

    esxcli network vswitch standard policy failover set -v vSwitch1 -l portid -f link

Bad (Open vSwitch: an LACP bond towards two separate switch ports)::

    ovs-vsctl add-bond br0 bond0 eth5 eth6 lacp=active bond_mode=balance-tcp

Good (Open vSwitch: the switch ports are one LACP port-channel)::

    ovs-vsctl add-bond br0 bond0 eth5 eth6 lacp=active bond_mode=balance-tcp

Bad (Linux bridge: balance-xor without a static aggregate; active-backup towards one)::

    ip link add bond0 type bond mode balance-xor

Good (Linux bridge)::

    ip link add bond0 type bond mode 802.3ad   # towards an LACP port-channel

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS: a port-channel towards an active-backup team)::

    interface GigabitEthernet1/0/1
     channel-group 10 mode active

Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS: separate trunks towards an active-backup team)::

    interface GigabitEthernet1/0/1
     switchport mode trunk

Bad (Juniper Junos)::

    set interfaces ge-0/0/1 ether-options 802.3ad ae0

Good (Juniper Junos)::

    delete interfaces ge-0/0/1 ether-options 802.3ad

Bad (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/1
     eth-trunk 1

Good (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/1
     undo eth-trunk
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stormguard import remediation
from stormguard.effective import EffectiveDevice, EffectivePort
from stormguard.model import PLATFORM_FAMILY
from stormguard.rules.base import Hit, RuleContext, role_extra

# The topology package is loaded by the fleet audit that runs this rule, not by `stormguard lint`
# (which loads every rule module): at module level only annotations name it; the functions
# that call it import it.
if TYPE_CHECKING:
    from stormguard.topology.fleet import FleetView
    from stormguard.topology.hostside import HostLink

ID = "SG504"
NAME = "teaming-mismatch"
SEVERITY = "high"
SCOPE = "fleet"
PARAMS: dict[str, Any] = {"beacon_min_uplinks": 3}

#: Linux bond modes by number (sysfs) and name (iproute2 JSON).
_LINUX_MODES = {"0": "balance-rr", "1": "active-backup", "2": "balance-xor", "3": "broadcast",
                "4": "802.3ad", "5": "balance-tlb", "6": "balance-alb"}
_STATIC_HASH = frozenset({"balance-rr", "balance-xor", "broadcast"})


@dataclass
class Team:
    """What the host side expects of the switch ports behind a team."""

    label: str  # "vSwitch1", "port group 'Storage'", "bond0"
    wants: str  # "lacp" | "static" | "separate" (no aggregate) | "" (either)
    how: str  # "IP hash", "LACP (lacp=active)", "active-backup" ...
    uplinks: tuple[str, ...]
    line: int | None = None
    failover: Mapping[str, Any] | None = None  # ESXi: the teaming/failover policy


def _switch_mode(link: HostLink) -> str:
    """'lacp', 'static', 'pagp' or '' (unknown) for the switch's aggregate on `link`."""
    dev = link.switch.device
    modes = {str(dev.interfaces[m].extra.get("lacp_mode") or "").lower()
             for m in link.port.members if m in dev.interfaces}
    if modes and modes <= {"active", "passive"}:
        return "lacp"
    if modes == {"on"}:
        return "static"
    if modes and modes <= {"desirable", "auto"}:
        return "pagp"
    return ""


def _esxi_teams(dev: EffectiveDevice) -> list[Team]:
    """The vSwitch's teaming policy, and each port group's where it differs."""
    base = dev.device.extra.get("failover") or {}
    if not base:
        return []
    uplinks = tuple(p.name for p in dev.all_ports if p.iface.physical_uplink)

    def team(label: str, fo: Mapping[str, Any], line: int | None) -> Team:
        lb = str(fo.get("load_balancing") or "").lower()
        used = tuple(fo.get("active_adapters") or ()) + tuple(fo.get("standby_adapters") or ())
        wants, how = ("static", "IP hash") if lb == "iphash" else (
            "separate", {"srcport": "originating virtual port", "portid": "originating "
                         "virtual port", "mac": "source MAC hash", "explicit": "explicit "
                         "failover order"}.get(lb, lb or "?"))
        return Team(label, wants, how, used or uplinks, line, fo)

    out = [team(f"vSwitch {dev.device.extra.get('bridge', dev.hostname)}", base,
                dev.device.lines.get("failover"))]
    key = _esxi_key(base)
    for p in dev.all_ports:
        fo = p.iface.extra.get("failover") if p.iface.extra.get("portgroup") else None
        if isinstance(fo, Mapping) and fo and _esxi_key(fo) != key:
            out.append(team(f"port group {p.name!r}", fo, p.line))
    return out


def _esxi_key(fo: Mapping[str, Any]) -> tuple[Any, ...]:
    return (fo.get("load_balancing"), fo.get("network_failure_detection"),
            tuple(fo.get("active_adapters") or ()), tuple(fo.get("standby_adapters") or ()))


def _bond_team(port: EffectivePort, platform: str) -> Team | None:
    iface = port.iface
    if iface.kind != "aggregate" or not iface.extra.get("members"):
        return None
    members = tuple(str(m) for m in iface.extra["members"])
    if platform == "ovs":
        lacp = str(iface.extra.get("lacp") or "off").lower()
        mode = str(iface.extra.get("bond_mode") or "active-backup").lower()
        if lacp in ("active", "passive"):
            return Team(port.name, "lacp", f"LACP (lacp={lacp}, bond_mode={mode})", members,
                        port.line)
        if mode == "active-backup":
            return Team(port.name, "separate", "active-backup", members, port.line)
        return None  # balance-slb: meant for switches without aggregation, either works
    raw = str(iface.extra.get("bond_mode") or "").lower()
    mode = _LINUX_MODES.get(raw, raw)
    if mode == "802.3ad":
        return Team(port.name, "lacp", "LACP (mode 802.3ad)", members, port.line)
    if mode in _STATIC_HASH:
        return Team(port.name, "static", f"mode {mode}", members, port.line)
    if mode == "active-backup":
        return Team(port.name, "separate", "active-backup", members, port.line)
    return None  # balance-tlb / balance-alb need no switch support; unknown: not judged


def _problems(team: Team, links: list[HostLink]) -> list[tuple[str, str, list[HostLink]]]:
    """(kind, what is wrong, the links concerned) for a team against the switch ports behind
    it. Kinds: ``loose`` (the team needs an aggregate, the ports are separate), ``mode`` (LACP
    vs static), ``agg`` (an aggregate towards a team that needs separate ports)."""
    mine = [lk for lk in links if lk.uplink.name in team.uplinks
            or lk.uplink.name == team.label or set(lk.host_end.members) & set(team.uplinks)]
    if not mine:
        return []
    out: list[tuple[str, str, list[HostLink]]] = []
    loose = [lk for lk in mine if not lk.switch_end.aggregate]
    aggs = [lk for lk in mine if lk.switch_end.aggregate]
    if team.wants in ("lacp", "static") and loose:
        need = "an LACP port-channel" if team.wants == "lacp" else "a static port-channel " \
            "(mode on)"
        out.append(("loose", f"{team.how} on the host but the switch ports are not one "
                    f"aggregate: they need to be {need}", loose))
    if team.wants == "lacp":
        static = [lk for lk in aggs if _switch_mode(lk) in ("static", "pagp")]
        if static:
            out.append(("mode", f"{team.how} on the host towards a switch aggregate that does "
                        "not speak LACP", static))
    if team.wants == "static":
        lacp = [lk for lk in aggs if _switch_mode(lk) in ("lacp", "pagp")]
        if lacp:
            out.append(("mode", f"{team.how} on the host (no LACP) towards a switch aggregate "
                        "that negotiates (LACP/PAgP): its members never bundle", lacp))
    if team.wants == "separate" and aggs:
        out.append(("agg", f"the switch aggregates ports towards a {team.how} team: it hashes "
                    "frames onto links the host does not expect them on", aggs))
    return out


def _esxi_target(host: EffectiveDevice, team: Team) -> str:
    if team.label.startswith("port group "):
        return f"portgroup policy failover set -p {shlex.quote(team.label[12:-1])}"
    return f"policy failover set -v {shlex.quote(str(host.device.extra.get('bridge', '')))}"


def _fix(host: EffectiveDevice, team: Team, kind: str, links: list[HostLink]) -> str:
    """Host-side commands where they are safe to paste; else what to change, not auto-fixable
    (moving switch ports in or out of an aggregate flaps them: a planned change)."""
    fam = PLATFORM_FAMILY.get(host.platform, host.platform)
    ports = ", ".join(sorted({f"{lk.switch.hostname} {lk.port.name}" for lk in links}))
    modes = {_switch_mode(lk) for lk in links}
    if host.platform == "esxi":
        target = _esxi_target(host, team)
        if kind == "loose":
            return (f"esxcli network vswitch standard {target} -l portid\n"
                    f"# or make {ports} one static port-channel (mode on) and keep IP hash")
        if kind == "agg" and modes == {"static"}:
            return (f"esxcli network vswitch standard {target} -l iphash\n"
                    "# (the switch aggregate behind it is static: IP hash is what it expects)")
        return remediation.not_fixable(
            "esxi", f"a standard vSwitch speaks no LACP: make {ports} a static aggregate "
            "(mode on) with IP hash on the host, or separate ports with 'originating virtual "
            "port' (the switch ports flap: a planned change)")
    if fam == "ovs":
        if kind == "loose":
            return (f"ovs-vsctl set port {team.label} lacp=off bond_mode=active-backup\n"
                    f"# or make {ports} one LACP port-channel (mode active)")
        if kind == "agg" and modes == {"lacp"}:
            return f"ovs-vsctl set port {team.label} lacp=active bond_mode=balance-tcp"
        return remediation.not_fixable(
            "ovs", f"make {ports} an LACP aggregate (mode active) and use "
            f"`ovs-vsctl set port {team.label} lacp=active bond_mode=balance-tcp`, or separate "
            "ports with active-backup (the switch ports flap: a planned change)")
    mode = "active-backup" if kind == "loose" else "802.3ad"
    return remediation.not_fixable(
        fam, f"match the bond mode of {team.label} and the switch side ({ports}); a bond's "
        "mode changes only while it is down: plan a window",
        f"# e.g. ip link set dev {team.label} down && ip link set dev {team.label} type bond "
        f"mode {mode} && ip link set dev {team.label} up")


def _beacon(host: EffectiveDevice, team: Team, fo: Mapping[str, Any], min_up: int
            ) -> str:
    if str(fo.get("network_failure_detection") or "").lower() != "beacon":
        return ""
    if team.wants == "static":
        return "beacon probing with IP hash (not supported: the switch hashes the probes)"
    if len(team.uplinks) < min_up:
        return (f"beacon probing with {len(team.uplinks)} uplink(s): fewer than {min_up} "
                "cannot tell which uplink failed (shotgun mode floods every uplink)")
    return ""


def check(fleet: FleetView, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    from stormguard.topology.hostside import host_links
    min_up = int(params.get("beacon_min_uplinks", 3))
    by_host: dict[str, list[HostLink]] = {}
    for link in host_links(fleet):
        by_host.setdefault(link.host.hostname, []).append(link)
    for dev in fleet.devices:
        if dev.platform not in ("esxi", "ovs", "linux_bridge"):
            continue
        links = by_host.get(dev.hostname, [])
        if dev.platform == "esxi":
            if dev.device.extra.get("distributed"):
                continue
            teams = _esxi_teams(dev)
        else:
            teams = [t for p in dev.all_ports if (t := _bond_team(p, dev.platform))]
        for team in teams:
            why = _beacon(dev, team, team.failover or {}, min_up) \
                if dev.platform == "esxi" else ""
            pg = team.label[12:-1] if team.label.startswith("port group ") else None
            if why:
                yield Hit(device=dev.hostname, interface=pg, line=team.line,
                          message=f"{dev.hostname} {team.label}: {why}",
                          expected="link-status failure detection, or beacon probing with at "
                          f"least {min_up} uplinks and no IP hash",
                          actual=f"beacon probing, {team.how}, {len(team.uplinks)} uplink(s)",
                          remediation=f"esxcli network vswitch standard "
                          f"{_esxi_target(dev, team)} -f link",
                          extra={"team": team.label, "uplinks": list(team.uplinks)})
            for kind, what, bad in _problems(team, links):
                ports = sorted({f"{lk.switch.hostname} {lk.port.name}" for lk in bad})
                actual = []
                for lk in bad:
                    mode = _switch_mode(lk)
                    shape = "aggregate" if lk.switch_end.aggregate else "single port"
                    actual.append(f"{lk.switch.hostname} {lk.port.name}: {shape}"
                                  + (f" ({mode})" if mode else ""))
                yield Hit(
                    device=dev.hostname,
                    interface=pg if team.label.startswith(("vSwitch ", "port group "))
                    else team.label,
                    line=team.line,
                    message=(f"{dev.hostname} {team.label} ({team.how}, uplinks "
                             f"{', '.join(team.uplinks)}) vs switch {', '.join(ports)}: {what}"),
                    expected={"lacp": "an LACP aggregate on the switch",
                              "static": "a static aggregate (mode on) on the switch",
                              "separate": "separate switch ports (no aggregate)"}[team.wants],
                    actual="; ".join(actual),
                    remediation=_fix(dev, team, kind, bad),
                    extra={"team": team.label, "host_teaming": team.how,
                           "uplinks": list(team.uplinks), "switch_ports": ports,
                           "switch_roles": {f"{lk.switch.hostname} {lk.port.name}":
                                            role_extra(lk.port) for lk in bad}},
                )
