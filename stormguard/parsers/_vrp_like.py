"""One parser core for the ``#``-separated configs of Huawei VRP and H3C Comware (v5 and v7).

Both come from the same VRP lineage and print ``display current-configuration`` the same way:
top-level commands in column 0, the commands of a view (``interface``, ``vlan``) indented by one
space below it, ``#`` lines between views, ``return`` at the end, and ``undo ...`` for a setting
that differs from a default that is *on*. What differs is mostly vocabulary, kept in
:class:`Dialect` and in a few keyword aliases that simply never occur in the other platform's
text (``port trunk allow-pass`` is Huawei, ``port trunk permit`` is H3C; Huawei joins an
``Eth-Trunk``, H3C a ``Bridge-Aggregation``; Huawei limits storms with ``storm-control``, H3C
with ``storm-constrain``; both know ``broadcast-suppression``).

Platform defaults that matter to the rules (documented here, applied here, marked in ``extra``)
-----------------------------------------------------------------------------------------------
* **A trunk with no allowed list carries VLAN 1 only.** Unlike Cisco (no list = every VLAN), a
  Huawei or H3C trunk starts with VLAN 1 and every ``allow-pass``/``permit`` line *adds* to that;
  ``undo port trunk allow-pass vlan 1`` removes it. So the parser starts every trunk from {1} and
  applies the lines in order; a trunk with no list at all gets ``allowed_vlans = {1}`` with *no*
  source line and ``extra["allowed_vlans_default"] = True``. Leaving it ``None`` would read as
  "all VLANs" downstream and make SG101 fire on a port that carries one VLAN.
* **Hybrid ports** are trunks when they carry tagged VLANs (allowed = tagged + untagged, the
  untagged set starting from VLAN 1), otherwise access ports in their PVID;
  ``extra["link_type"] = "hybrid"`` keeps the difference visible.
* **Layer 2 by default.** Ethernet ports and Eth-Trunk/Bridge-Aggregation interfaces are
  switched unless the config says ``undo portswitch`` (Huawei) or ``port link-mode route`` (H3C).
* **Spanning tree globally**: on by default on Huawei (the config says ``stp disable`` when it is
  off); off by default on H3C, whose configs print ``stp global enable`` (v7) / ``stp enable``
  (v5) when it is on. :class:`Dialect` carries the difference.
* Storm-control units: Huawei ``min-rate``/``max-rate`` are pps unless ``percent`` or ``cir``
  (kbit/s, stored as bps) is given; ``broadcast-suppression N`` is a percentage,
  ``packets``/``pps`` are pps, ``cir``/``kbps`` are kbit/s (stored as bps). The rising
  threshold is ``level``, the lower one ``falling``.
* One value per traffic class: when a port limits broadcast twice (H3C ``broadcast-suppression``
  and ``storm-constrain broadcast``), the later line is the one recorded.
* Actions: ``error-down``/``shutdown`` -> "shutdown", ``block`` (and CloudEngine ``suppress``)
  -> "block", ``enable trap`` -> "trap", ``enable log`` -> "log". A port has one limiting action:
  a later ``action``/``control`` line replaces the earlier one.
* CloudEngine writes ``storm control ...`` (a space; ``min-rate [percent|kbps] A max-rate ...``,
  ``undo storm control all``) where S-series writes ``storm-control ...`` (``cir`` for kbit/s).
* H3C ``storm-constrain``: trap and log are **on by default** (``undo storm-constrain enable
  trap`` turns one off), so the parser adds them (``extra["storm_actions_default"]``); and
  without ``storm-constrain control block|shutdown`` the thresholds limit nothing: the classes
  concerned are listed in ``extra["storm_inert"]`` (SG301 reports them). Comware v5's
  ``storm-constrain broadcast 3000 1000 pps`` (unit last) is read like v7's ``... pps 3000 1000``.
  ``extra["storm_syntax"][class]`` names the command that set each class (``storm-control``,
  ``storm control``, ``storm suppression``, ``storm-constrain``, ``broadcast-suppression``) so a
  fix uses the same one (H3C's two mechanisms exclude each other on a port).
* Huawei LNP: ``port link-type negotiation-auto|negotiation-desirable`` sets
  ``Interface.negotiation`` ("auto"/"desirable"), mode left unset (the neighbour decides).
* Per-VLAN spanning tree off: Huawei VBST ``stp vlan 10 to 20 disable``, H3C PVST ``undo stp
  vlan 10 enable`` -> ``SpanningTree.disabled_vlans``.

Port groups and ranges (expanded onto the member ports)
-------------------------------------------------------
Huawei ``port-group NAME`` + ``group-member A to B`` (and the temporary ``port-group
group-member ...`` / CloudEngine ``interface range ...``), H3C ``port-group manual NAME`` and v7
``interface range [name NAME interface] ...``, and the ``port A to B`` list of a VLAN view: each
line of the group runs on every member at that point of the file, as the switch runs it, so
order decides between a group line and a port's own line. Every field a group line set (and no
later own line replaced) is recorded as ``iface.extra["inherited"][field] = {"kind":
"port-group"|"interface-range"|"vlan", "name": NAME, "line": <group header line>}`` (storm-control
as ``storm_control.<class>``); the value keeps the line it came from. Member names may be
abbreviated (``GE0/0/1``), spaced (``GigabitEthernet 0/0/1``) or ranges; they resolve to the
spelling of the config's own ``interface`` headers.

Variant: ``Device.extra["variant"]`` is ``huawei-s`` / ``huawei-ce`` / ``comware5`` /
``comware7`` (see :meth:`VrpParser.variant`), so fixes are written in the file's own syntax.

Never silent: a line that can carry a port, VLAN, spanning-tree or storm-control setting and
cannot be read (an unknown ``port trunk``/``port hybrid``/``port link-type`` form, an unknown
``stp`` or ``storm-control`` word, an unreadable member list, a ``port-group`` form we do not
read) becomes a ``Device.warnings`` entry with its line; words that set nothing stormguard
models (``stp cost``, ``stp instance 0 root primary``, ``storm-control interval``) do not.

Robustness: banners (``header motd %`` ... ``%``, ``header login information "..."``) and key
or certificate blocks are skipped without being read as commands; commands outside a view are
never applied to a port; a command recognised but unreadable becomes a ``Device.warnings`` entry
with its line number. One pass, ``startswith``/``split`` only, regular expressions only inside
:meth:`VlanSet.parse`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath

from stormguard.errors import InputError
from stormguard.model import PLATFORM_NAMES, Device, Interface, StormControl, Vlan
from stormguard.parsers import _alarms
from stormguard.vlans import VlanSet, VlanSyntaxError

_CLASSES: dict[str, str] = {
    "broadcast": "broadcast",
    "multicast": "multicast",
    "unicast": "unknown-unicast",
    "unknown-unicast": "unknown-unicast",
}
_SUPPRESSION: dict[str, str] = {
    "broadcast-suppression": "broadcast",
    "multicast-suppression": "multicast",
    "unicast-suppression": "unknown-unicast",
    "unknown-unicast-suppression": "unknown-unicast",
}
_ACTIONS: dict[str, str] = {
    "error-down": "shutdown",
    "shutdown": "shutdown",
    "block": "block",
    "trap": "trap",
    "log": "log",
    "suppress": "block",  # CloudEngine `storm control action suppress`: excess dropped
}
# Interface kinds by lower-cased name prefix; first match wins.
_KINDS: tuple[tuple[str, str], ...] = (
    ("eth-trunk", "aggregate"),
    ("bridge-aggregation", "aggregate"),
    ("route-aggregation", "aggregate"),
    ("vlanif", "vlan"),
    ("vlan-interface", "vlan"),
    ("vbdif", "vlan"),
    ("loopback", "loopback"),
    ("inloopback", "loopback"),
    ("meth", "management"),
    ("m-gigabitethernet", "management"),
    ("m-ethernet", "management"),
    ("tunnel", "tunnel"),
    ("nve", "tunnel"),
    ("null", "other"),
    ("register-tunnel", "tunnel"),
)
VLAN1 = VlanSet.of([1])
# H3C storm-constrain units -> (model unit, multiplier)
_CONSTRAIN_UNITS: dict[str, tuple[str, int]] = {
    "pps": ("pps", 1), "kbps": ("bps", 1000), "ratio": ("percent", 1)}

# Interface type spellings people type (candidate configs) or the platform abbreviates, mapped to
# one key per type, so `group-member GE0/0/1`, `GigabitEthernet 0/0/1` and the `interface
# GigabitEthernet0/0/1` of the same config name one port. Platform-specific ones in Dialect.
_TYPE_KEYS: dict[str, str] = {
    "ge": "gigabitethernet",
    "gi": "gigabitethernet",
    "eth": "ethernet",
    "mge": "multige",
    "eth-trunk": "eth-trunk",
    "bagg": "bridge-aggregation",
    "fge": "fortygige",
    "hge": "hundredgige",
    "wge": "twenty-fivegige",
}
# The largest range one `group-member A to B` may span (Huawei allows 512 members per group).
_MAX_RANGE = 512
# CloudEngine interface types (S-series prints GigabitEthernet / XGigabitEthernet / MultiGE).
_CE_TYPES = frozenset({"ge", "10ge", "25ge", "40ge", "50ge", "100ge", "200ge", "400ge"})
# Port subcommands that carry VLAN or mode settings: an unreadable one is a warning.
_PORT_VLAN_WORDS = frozenset(
    {"trunk", "hybrid", "default", "access", "link-type", "vlan-stacking", "vlan-mapping", "vlan"}
)
# `stp ...` words in an interface view that set nothing stormguard models (cost, priority, ...).
_PORT_STP_IGNORED = frozenset({
    "cost", "priority", "port-priority", "instance", "point-to-point", "compliance", "mcheck",
    "transmit-limit", "no-agreement-check", "config-digest-snooping", "tc-protection",
    "tc-restriction", "role-restriction", "vlan", "process", "binding", "mode", "snooping",
    "pathcost-standard", "port-log", "tc-notify", "edged-port-log",
})
# Global `stp ...` words that set nothing stormguard models.
_GLOBAL_STP_IGNORED = frozenset({
    "instance", "priority", "root", "timer", "timer-factor", "pathcost-standard", "max-hops",
    "bridge-diameter", "tc-protection", "tc-snooping", "region-configuration", "mcheck",
    "config-digest-snooping", "converge", "port-log", "log", "snmp-agent", "process", "v-stp",
    "non-flooding",
    "tc-notify", "vlan", "mode", "loop-protection", "root-protection", "logging",
    "edged-port-log", "pvst-bpdu-protection", "tc-protection-threshold",
})
# Storm-control subcommands that set nothing stormguard models.
_STORM_IGNORED = frozenset({"interval", "detect-packet", "recover", "pps", "kbps", "ratio"})


@dataclass(frozen=True)
class Dialect:
    platform: str
    aggregate_prefix: str  # how a member names its aggregate: Eth-Trunk1 / Bridge-Aggregation1
    stp_on_by_default: bool  # Huawei: yes; H3C: only with `stp global enable` / `stp enable`
    default_link_type: str | None = None  # H3C: a port with no `port link-type` is access
    # H3C: storm-constrain sends traps and logs unless undone, and limits nothing without
    # `storm-constrain control block|shutdown`
    storm_constrain_defaults: bool = False
    # abbreviations of this platform's interface types (lower case) -> the key in _TYPE_KEYS
    type_aliases: tuple[tuple[str, str], ...] = ()


def split_lines(text: str) -> list[str]:
    """Split on LF (CRLF and bare CR too) so line numbers match what an editor shows."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


@lru_cache(maxsize=2048)
def parse_vlans(spec: str) -> VlanSet:
    """:meth:`VlanSet.parse`, memoised: switch configs repeat the same lists port after port
    (a VlanSet is immutable, so sharing one is safe). Raises :class:`VlanSyntaxError`."""
    return VlanSet.parse(spec)


def interface_kind(name: str) -> str:
    if not (name[-1:].isdecimal() or any(c.isdecimal() for c in name)):
        return "other"
    return _kind_of_type(name.rstrip("0123456789/:.").lower())


@lru_cache(maxsize=256)
def _kind_of_type(low: str) -> str:
    """Kind from the type part of a name (``gigabitethernet``, ``eth-trunk``, ``10ge``)."""
    for prefix, kind in _KINDS:
        if low.startswith(prefix):
            return kind
    return "physical"


def _number(tok: str) -> float | None:
    try:
        val = float(tok)
    except ValueError:
        return None
    return val if val >= 0 and val == val and val != float("inf") else None


def _vid(tok: str) -> int | None:
    if tok.isdecimal() and len(tok) <= 4 and 1 <= int(tok) <= 4094:
        return int(tok)
    return None


def split_name(name: str) -> tuple[str, str] | None:
    """``GigabitEthernet0/0/1`` -> (``GigabitEthernet``, ``0/0/1``); ``10GE1/0/1`` -> (``10GE``,
    ``1/0/1``); None when there is no type or no number."""
    i = len(name)
    while i and (name[i - 1].isdecimal() or name[i - 1] in "/:."):
        i -= 1
    typ, num = name[:i], name[i:]
    while num and not num[0].isdecimal():
        typ, num = typ + num[0], num[1:]
    typ = typ.rstrip()  # `interface GigabitEthernet 0/0/1` in a hand-written candidate
    if not num or not typ or not any(c.isalpha() for c in typ):
        return None
    return typ, num


def _is_number(tok: str) -> bool:
    return bool(tok) and tok[0].isdecimal() and all(c.isdecimal() or c in "/:." for c in tok)


@dataclass
class _Group:
    """A port-group (``port-group NAME``, H3C ``port-group manual NAME``) or a temporary group
    (``port-group group-member ...``, ``interface range ...``): its lines run on every member."""

    kind: str  # "port-group" | "interface-range"
    name: str
    line: int  # the header line: where a fix of an inherited value belongs
    members: list[str] = field(default_factory=list)
    header: str = ""  # the header as written (`port-group group-member GE0/0/1 to GE0/0/4`)

    def source(self) -> dict[str, object]:
        return {"kind": self.kind, "name": self.name, "line": self.line, "header": self.header}


class _PortState:
    """Per-port facts that are only final after the last line (VLAN lists, hybrid sets)."""

    __slots__ = ("hybrid_tagged", "hybrid_untagged", "link_type", "trunk", "undone_actions")

    def __init__(self) -> None:
        self.trunk: VlanSet | None = None  # explicit allow-pass/permit result (from {1})
        self.hybrid_tagged: VlanSet | None = None
        self.hybrid_untagged: VlanSet | None = None
        self.link_type: str | None = None
        self.undone_actions: set[str] = set()  # `undo storm-constrain enable trap` ...


class VrpParser:
    """One pass over the lines of a Huawei or H3C configuration."""

    def __init__(self, dialect: Dialect, source: str) -> None:
        self.d = dialect
        fallback = PurePath(source).stem if source else "unknown"
        self.dev = Device(hostname=fallback or "unknown", platform=dialect.platform, source=source)
        self.recognised = 0
        self.ports: dict[str, _PortState] = {}
        self.stp_seen = False
        self.lines: list[str] = []
        self.groups: dict[str, _Group] = {}  # by lower-cased name: a view may be re-entered
        self.names: dict[tuple[str, str], str] | None = None  # (type key, number) -> name
        self.group_created: set[str] = set()  # ports first named by a group, not a header
        self.aliases = dict(dialect.type_aliases)
        self.hints: dict[str, int] = {}  # variant markers seen (see variant())

    def warn(self, ln: int, what: str, body: str) -> None:
        snippet = body if len(body) <= 120 else body[:117] + "..."
        self.dev.warnings.append(f"line {ln}: {what}: {snippet}")

    # -- the main loop -----------------------------------------------------------------------
    def run(self, text: str) -> Device:
        """Views: an ``interface``/``vlan`` line in column 0 opens one, its commands follow
        indented by a space; ``#`` or the next column-0 line closes it. Outside a view, commands
        are global whether indented (H3C prints ` sysname X`) or not (Huawei: `sysname X`);
        other column-0 views (``aaa``, ``user-interface``, ``line vty``) are skipped whole."""
        lines = self.lines = split_lines(text)
        n = len(lines)
        iface: Interface | None = None
        vlans: list[Vlan] | None = None
        group: _Group | None = None
        other = False  # inside a view we do not read
        grouped = False  # a group has set something: own lines must be told apart
        i = 0
        while i < n:
            raw = lines[i]
            i += 1  # `i` is now the 1-based number of `raw`
            if not raw:
                continue
            c0 = raw[0]
            if c0 == "#":
                iface = vlans = group = None
                other = False
                continue
            body = raw.strip()
            if not body:
                continue
            if body.startswith("-----BEGIN"):
                i = self._skip_until(lines, i, "-----END")
                continue
            if body.startswith("public-key-code begin"):
                i = self._skip_until(lines, i, "public-key-code end")
                continue
            if c0 == " " or c0 == "\t":
                if iface is not None:
                    self.recognised += 1
                    self.interface_line(iface, body, i)
                    if grouped:
                        inherited = iface.extra.get("inherited")
                        if inherited:
                            self._own_line(iface, inherited, i)
                elif group is not None:
                    grouped = True
                    self.group_line(group, body, i)
                elif vlans is not None:
                    w = body.split(None, 1)
                    named = len(w) == 2 and (
                        w[0] == "name" or (w[0] == "description" and vlans[0].name is None)
                    )
                    if named:
                        for v in vlans:
                            v.set("name", w[1], i)
                    elif w[0] == "port" and len(w) == 2:
                        grouped = True
                        self.vlan_ports(vlans, w[1], body, i)
                elif not other:
                    i = max(i, self.global_line(lines, i, body))
                continue
            # column 0: a new view or a global command; either way the current view ends
            iface = vlans = group = None
            other = False
            if c0 == "!":
                if body.startswith("!Software Version"):
                    self.dev.extra["version"] = body[len("!Software Version"):].strip()
                continue
            if body.startswith("interface "):
                name = body[10:].strip()
                if name == "range" or name.startswith(("range ", "Range ")):
                    group = self.open_range(name[6:].split(), body, i)
                    other = group is None
                    continue
                if name:
                    self.recognised += 1
                    iface = self.dev.interface(name, i)
                    if self.group_created and name in self.group_created:
                        self.group_created.discard(name)
                        iface.line = i  # first named by a group-member line: now its header
                    if iface.kind == "physical":
                        iface.kind = interface_kind(name)  # type: ignore[assignment]
                continue
            if body.startswith("port-group"):
                group = self.open_port_group(body.split(), body, i)
                other = group is None
                continue
            if body.startswith("vlan "):
                vlans = self.vlan_line(body.split(), body, i)
                other = vlans is None  # `vlan batch` has no view; `vlan 10` has
                continue
            j = self.global_line(lines, i, body)
            if j < 0:
                other = True  # `aaa`, `user-interface vty 0 4`, ...: its lines are not ours
            else:
                i = j
        self.finish()
        return self.dev

    def global_line(self, lines: list[str], i: int, body: str) -> int:
        """A system-view command; returns the next line index, or -1 if not one of ours."""
        w = body.split()
        w0 = w[0]
        if w0 == "sysname" and len(w) >= 2:
            self.recognised += 1
            self.dev.set("hostname", body.split(None, 1)[1].strip(), i)
        elif w0 == "stp":
            self.recognised += 1
            self.global_stp(w, body, i)
        elif w0 == "undo" and len(w) >= 2 and w[1] == "stp":
            self.recognised += 1
            self.global_stp(w[1:], body, i, undo=True)
        elif w0 == "header":
            return self._skip_banner(lines, i, w)
        elif w0 == "version" and len(w) >= 2:
            self.dev.extra.setdefault("version", body[8:].strip())  # H3C ` version 7.1.070, ...`
        elif w0 == "vlan" and w[1:2] == ["batch"]:
            self.vlan_line(w, body, i)
        elif w0 in _alarms.VRP_WORDS:
            _alarms.vrp_global(self.dev.alarms, w, False, body, i, self.warn)
        elif w0 == "undo" and len(w) >= 2 and w[1] in _alarms.VRP_WORDS:
            _alarms.vrp_global(self.dev.alarms, w[1:], True, body, i, self.warn)
        else:
            return -1
        return i

    @staticmethod
    def _skip_until(lines: list[str], i: int, end: str) -> int:
        n = len(lines)
        while i < n:
            i += 1
            if end in lines[i - 1]:
                break
        return i

    @staticmethod
    def _skip_banner(lines: list[str], i: int, w: list[str]) -> int:
        """``header motd %`` ... ``%``; ``header login information "..."``: the first character of
        the text is the delimiter, the banner ends at the next line holding it again."""
        rest = w[2:]
        if rest and rest[0] == "information":
            rest = rest[1:]
        elif rest and rest[0] == "file":
            return i  # `header login file flash:/banner.txt`: the text is elsewhere
        text = " ".join(rest)
        if not text:
            return i
        delim = text[0]
        if delim in text[1:]:
            return i  # one-line banner
        n = len(lines)
        while i < n:
            i += 1
            if delim in lines[i - 1]:
                break
        return i

    # -- port groups and interface ranges ------------------------------------------------
    def open_port_group(self, w: list[str], body: str, ln: int) -> _Group | None:
        """Huawei ``port-group NAME`` and ``port-group group-member LIST`` (temporary);
        H3C ``port-group manual NAME``."""
        if w[0] != "port-group" or len(w) < 2:
            self.warn(ln, "port-group not read", body)
            return None
        self.recognised += 1
        if w[1] == "group-member":
            members = self.members(w[2:], body, ln)
            if members is None:
                return None
            return self.new_group("interface-range", " ".join(w[2:]), ln, members, body)
        if w[1] == "manual" and len(w) == 3:
            self.hints["comware5"] = 1
            return self.named_group(w[2], ln, body)
        if len(w) == 2 and w[1] not in ("manual", "aggregation"):
            return self.named_group(w[1], ln, body)
        self.warn(ln, "port-group not read: its settings are not applied to any port", body)
        return None

    def open_range(self, w: list[str], body: str, ln: int) -> _Group | None:
        """Huawei CE ``interface range LIST``; H3C v7 ``interface range LIST`` and
        ``interface range name NAME [interface LIST]``."""
        self.recognised += 1
        if w[:1] == ["name"] and len(w) >= 2:
            name = w[1]
            if len(w) == 2:
                known = self.groups.get(name.lower())
                if known is None:
                    self.warn(ln, "interface range name not defined before: not applied", body)
                    return None
                return known
            if w[2:3] != ["interface"]:
                self.warn(ln, "interface range not read", body)
                return None
            members = self.members(w[3:], body, ln)
            if members is None:
                return None
            group = self.new_group("interface-range", name, ln, members, body)
            self.groups[name.lower()] = group
            return group
        members = self.members(w, body, ln)
        if members is None:
            return None
        return self.new_group("interface-range", " ".join(w), ln, members, body)

    def named_group(self, name: str, ln: int, header: str) -> _Group:
        group = self.groups.get(name.lower())
        if group is None:
            group = self.groups[name.lower()] = _Group("port-group", name, ln, header=header)
        return group

    def new_group(
        self, kind: str, name: str, ln: int, members: list[str], header: str
    ) -> _Group:
        group = _Group(kind, name, ln, header=header)
        self.add_members(group, members, ln)
        return group

    def add_members(self, group: _Group, members: list[str], ln: int) -> None:
        for name in members:
            if name in group.members:
                continue
            group.members.append(name)
            if name not in self.dev.interfaces:
                iface = self.dev.interface(name, ln)
                iface.kind = interface_kind(name)  # type: ignore[assignment]
                self.group_created.add(name)

    def group_line(self, group: _Group, body: str, ln: int) -> None:
        """A line inside a group view: ``group-member`` changes the members, anything else
        runs on each member, as the switch does when the line is entered."""
        w = body.split()
        if w[0] == "group-member" or (w[0] == "undo" and w[1:2] == ["group-member"]):
            undo = w[0] == "undo"
            members = self.members(w[2:] if undo else w[1:], body, ln)
            if members is None:
                return
            self.recognised += 1
            if undo:
                group.members = [m for m in group.members if m not in members]
            else:
                self.add_members(group, members, ln)
            return
        if not group.members:
            self.warn(ln, f"{group.kind} {group.name} has no members yet: line not applied", body)
            return
        self.recognised += 1
        src = group.source()
        for name in group.members:
            iface = self.dev.interfaces[name]
            self.interface_line(iface, body, ln)
            self._mark_inherited(iface, ln, src)

    def vlan_ports(self, vlans: list[Vlan], spec: str, body: str, ln: int) -> None:
        """``port GigabitEthernet1/0/1 to GigabitEthernet1/0/4`` in a VLAN view (H3C, Huawei)
        makes those access ports of the VLAN."""
        members = self.members(spec.split(), body, ln)
        if members is None:
            return
        if len(vlans) != 1:
            self.warn(ln, "port list in a view of several VLANs: not applied", body)
            return
        vlan = vlans[0]
        src = {"kind": "vlan", "name": str(vlan.vid), "line": ln, "header": f"vlan {vlan.vid}"}
        group = _Group("vlan", str(vlan.vid), ln)
        self.add_members(group, members, ln)
        for name in members:
            iface = self.dev.interfaces[name]
            iface.set("access_vlan", vlan.vid, ln)
            iface.set("switched", True, ln)
            self._mark_inherited(iface, ln, src)

    def _mark_inherited(self, iface: Interface, ln: int, src: dict[str, object]) -> None:
        """Every field that line `ln` just set on `iface` comes from `src`, not the port."""
        inherited = None
        for name, line in iface.lines.items():
            if line == ln:
                if inherited is None:
                    inherited = iface.extra.setdefault("inherited", {})
                inherited[name] = src
        for traffic, sc in iface.storm_control.items():
            if sc.line == ln:
                if inherited is None:
                    inherited = iface.extra.setdefault("inherited", {})
                inherited[f"storm_control.{traffic}"] = src

    @staticmethod
    def _own_line(iface: Interface, inherited: dict[str, object], ln: int) -> None:
        """The port's own line `ln` replaced what a group had set."""
        for key in list(inherited):
            if key.startswith("storm_control."):
                sc = iface.storm_control.get(key[14:])
                if sc is None or sc.line == ln:
                    del inherited[key]
            elif iface.lines.get(key) == ln:
                del inherited[key]

    # -- interface names in member lists -------------------------------------------------
    def _type_key(self, typ: str) -> str:
        low = typ.lower()
        low = self.aliases.get(low, low)
        return _TYPE_KEYS.get(low, low)

    def _name_index(self) -> dict[tuple[str, str], str]:
        """(type key, number) -> the name as an ``interface`` header of this config spells it
        (built once, on the first member list: groups often come before the interfaces)."""
        if self.names is None:
            self.names = {}
            for raw in self.lines:
                if raw.startswith("interface ") and not raw.startswith("interface range"):
                    name = raw[10:].strip()
                    parts = split_name(name)
                    if parts is not None:
                        self.names.setdefault((self._type_key(parts[0]), parts[1]), name)
        return self.names

    def _resolve(self, typ: str, num: str) -> str:
        index = self._name_index()
        key = (self._type_key(typ), num)
        name = index.get(key)
        if name is None:
            name = index[key] = f"{typ}{num}"
        return name

    def members(self, toks: list[str], body: str, ln: int) -> list[str] | None:
        """``GE0/0/1 to GE0/0/8 GigabitEthernet 0/0/10 10GE1/0/1 to 1/0/4``: port names,
        spelled as the config's interface headers spell them; None (and a warning) when
        unreadable."""
        out: list[str] = []
        n = len(toks)
        i = 0

        def take(j: int) -> tuple[str, str, int] | None:
            tok = toks[j]
            if tok[-1].isdecimal():
                parts = split_name(tok)
                return (parts[0], parts[1], j + 1) if parts is not None else None
            if j + 1 < n and _is_number(toks[j + 1]):
                return tok, toks[j + 1], j + 2
            return None

        while i < n:
            first = take(i)
            if first is None:
                break
            typ, num, i = first
            start = self._resolve(typ, num)
            if i < n and toks[i].lower() == "to":
                if i + 1 < n and _is_number(toks[i + 1]):
                    etyp, enum, i = typ, toks[i + 1], i + 2
                else:
                    end = take(i + 1) if i + 1 < n else None
                    if end is None:
                        break
                    etyp, enum, i = end
                expanded = self._expand(start, etyp, enum)
                if expanded is None:
                    break
                out.extend(expanded)
            else:
                out.append(start)
        else:
            if out:
                return out
        self.warn(ln, "cannot read interface list", body)
        return None

    def _expand(self, start: str, etyp: str, enum: str) -> list[str] | None:
        parts = split_name(start)
        if parts is None or self._type_key(parts[0]) != self._type_key(etyp):
            return None
        typ, num = parts
        prefix, first = num.rsplit("/", 1) if "/" in num else ("", num)
        eprefix, last = enum.rsplit("/", 1) if "/" in enum else ("", enum)
        if eprefix != prefix or not first.isdecimal() or not last.isdecimal():
            return None
        lo, hi = int(first), int(last)
        if hi < lo or hi - lo >= _MAX_RANGE:
            return None
        lead = f"{prefix}/" if prefix else ""
        return [self._resolve(typ, f"{lead}{k}") for k in range(lo, hi + 1)]


    # -- top-level views -----------------------------------------------------------------
    def vlan_line(self, w: list[str], body: str, ln: int) -> list[Vlan] | None:
        if len(w) < 2:
            return None
        spec = body.split(None, 2)[2] if w[1] == "batch" and len(w) > 2 else body.split(None, 1)[1]
        if w[1] == "batch" and len(w) == 2:
            return None
        if not (spec[:1].isdecimal()):
            return None  # `vlan mapping ...`, `vlan-type`, ...
        try:
            vids = parse_vlans(spec)
        except VlanSyntaxError as exc:
            self.warn(ln, f"cannot read VLAN list ({exc})", body)
            return None
        self.recognised += 1
        out = []
        for vid in vids:
            vlan = self.dev.vlans.get(vid)
            if vlan is None:
                vlan = Vlan(vid=vid, line=ln)
                vlan.lines["vid"] = ln
                self.dev.vlans[vid] = vlan
            out.append(vlan)
        return out if w[1] != "batch" and out else None

    def global_stp(self, w: list[str], body: str, ln: int, undo: bool = False) -> None:
        stp = self.dev.stp
        rest = w[1:]
        if not rest:
            return
        r0 = rest[0]
        # H3C v7 `stp global enable`; Huawei and H3C v5 `stp enable`
        if (r0 == "global" and rest[1:] == ["enable"]) or (r0 == "enable" and len(rest) == 1):
            stp.set("enabled", not undo, ln)
            self.stp_seen = True
            hint = "comware7" if r0 == "global" else "comware5"
            self.hints[hint] = self.hints.get(hint, 0) + 1
        elif r0 == "disable" and len(rest) == 1:
            stp.set("enabled", undo, ln)
            self.stp_seen = True
        elif r0 == "mode" and len(rest) >= 2 and not undo:
            stp.set("mode", rest[1].lower(), ln)
        elif r0 == "edged-port" and rest[1:2] == ["default"]:
            stp.set("edge_default", not undo, ln)
            stp.set("edge_default_trunk", not undo, ln)  # it names every port, trunks too
        elif r0 == "bpdu-protection" and len(rest) == 1:
            stp.set("bpdu_guard_default", not undo, ln)
        elif r0 == "bpdu-filter" and rest[1:2] == ["default"]:
            stp.set("bpdu_filter_default", not undo, ln)
        elif (r0 == "vlan" and len(rest) >= 3 and rest[-1] in ("enable", "disable")) or (
            r0 in ("ignored", "ignore") and rest[1:2] == ["vlan"] and len(rest) >= 3
        ):
            # H3C PVST `undo stp vlan 10 to 20 enable`; Huawei VBST `stp vlan 10 disable`;
            # H3C `stp ignored vlan 10` (VLAN Ignore: spanning tree does not run in the VLAN)
            if r0 != "vlan":
                off, spec = not undo, rest[2:]
            else:
                off, spec = (undo if rest[-1] == "enable" else not undo), rest[1:-1]
            try:
                vids = VlanSet.parse(" ".join(spec))
            except VlanSyntaxError as exc:
                self.warn(ln, f"cannot read VLAN list ({exc})", body)
                return
            if off:
                stp.set("disabled_vlans", stp.disabled_vlans | vids, ln)
            else:
                stp.set("disabled_vlans", stp.disabled_vlans - vids, ln)
        elif r0 == "interface" and len(rest) >= 3:
            self.stp_interface(rest[1:], body, ln, undo)
        else:
            word = rest[1] if r0 == "global" and len(rest) > 1 else r0
            if word not in _GLOBAL_STP_IGNORED:
                self.warn(ln, "cannot read spanning-tree setting", body)

    def stp_interface(self, w: list[str], body: str, ln: int, undo: bool) -> None:
        """Older Comware (S3100, S9500) system view: ``stp interface Ethernet1/0/1 to
        Ethernet1/0/4 edged-port enable`` sets the port setting on each listed port."""
        j = 0
        while j < len(w) and (w[j].lower() == "to" or any(c.isdecimal() for c in w[j])
                              or (j + 1 < len(w) and _is_number(w[j + 1]))):
            j += 1
        members = self.members(w[:j], body, ln) if 0 < j < len(w) else None
        if members is None:
            if j == 0 or j >= len(w):
                self.warn(ln, "cannot read spanning-tree setting", body)
            return
        self.add_members(_Group("stp", "", ln), members, ln)
        words = ["stp", *w[j:]]
        for name in members:
            self.port_stp(self.dev.interfaces[name], words, body, ln, undo)

    # -- interface view ------------------------------------------------------------------
    def port(self, iface: Interface) -> _PortState:
        st = self.ports.get(iface.name)
        if st is None:
            st = self.ports[iface.name] = _PortState()
        return st

    def interface_line(self, iface: Interface, body: str, ln: int) -> None:
        w = body.split()
        w0 = w[0]
        undo = w0 == "undo"
        if undo:
            w = w[1:]
            if not w:
                return
            w0 = w[0]
        if w0 == "description":
            if not undo:
                iface.set("description", body.split(None, 1)[1] if len(w) > 1 else "", ln)
        elif w0 == "shutdown":
            iface.set("shutdown", not undo, ln)
        elif w0 == "portswitch":
            iface.set("switched", not undo, ln)
        elif w0 == "port":
            self.port_cmd(iface, w, body, ln, undo)
        elif w0 == "stp":
            self.port_stp(iface, w, body, ln, undo)
        elif w0 == "eth-trunk":
            if undo:
                iface.set("channel_group", None, ln)
            elif len(w) == 2 and w[1].isdecimal():
                iface.set("channel_group", f"{self.d.aggregate_prefix}{w[1]}", ln)
            else:
                self.warn(ln, "cannot read Eth-Trunk membership", body)
        elif w0 == "storm-control" or w0 == "storm-constrain":
            self.storm(iface, w, body, ln, undo, w0)
        elif w0 in ("loopback-detect", "loopback-detection", "mac-address"):
            _alarms.vrp_port(iface, w, undo, body, ln, self.warn)
        elif w0 == "bpdu-drop" and w[1:] == ["any"]:  # H3C: the port drops every BPDU
            iface.set("bpdu_filter", not undo, ln)
        elif w0 in _SUPPRESSION:
            self.suppression(iface, _SUPPRESSION[w0], w[1:], body, ln, undo, w0)
        elif w0 == "storm":  # Huawei CloudEngine: `storm control ...`, `storm suppression ...`
            self.hints["ce_storm"] = 1
            if len(w) >= 2 and w[1] == "control":
                self.storm(iface, ["storm-control", *w[2:]], body, ln, undo, "storm control")
            elif len(w) >= 3 and w[1] == "suppression" and w[2] in _CLASSES:
                self.suppression(
                    iface, _CLASSES[w[2]], w[3:], body, ln, undo, "storm suppression")
            elif not (undo and w[1:] == ["suppression"]):
                self.warn(ln, "cannot read storm-control setting", body)

    def _vlans(self, spec: list[str], body: str, ln: int) -> VlanSet | None:
        try:
            return parse_vlans(" ".join(spec))
        except VlanSyntaxError as exc:
            self.warn(ln, f"cannot read VLAN list ({exc})", body)
            return None

    def port_cmd(self, iface: Interface, w: list[str], body: str, ln: int, undo: bool) -> None:
        if len(w) < 2:
            return
        w1 = w[1]
        if w1 == "link-type" and (len(w) >= 3 or undo):
            if iface.negotiation is not None:
                iface.set("negotiation", None, ln)
            iface.extra.pop("link_type", None)
            if undo:
                iface.set("mode", None, ln)
                self.port(iface).link_type = None
                return
            lt = w[2]
            st = self.port(iface)
            st.link_type = lt
            if lt == "access":
                iface.set("mode", "access", ln)
            elif lt in ("trunk", "hybrid"):
                iface.set("mode", "trunk", ln)  # hybrid settled in finish()
            else:
                # Huawei LNP `negotiation-auto|negotiation-desirable`: the mode is whatever the
                # neighbour negotiates (possibly a trunk); dot1q-tunnel: not a plain port either
                iface.set("mode", None, ln)
                iface.extra["link_type"] = lt
                if lt in ("negotiation-auto", "negotiation-desirable"):
                    iface.set("negotiation", lt[12:], ln)
                elif lt != "dot1q-tunnel":
                    self.warn(ln, "cannot read port link-type", body)
            iface.set("switched", True, ln)
        elif w1 == "link-mode" and len(w) >= 3:  # H3C
            iface.set("switched", w[2] == "bridge" if not undo else True, ln)
        elif w1 in ("default", "access") and w[2:3] == ["vlan"]:
            # Huawei `port default vlan 10`, H3C `port access vlan 10`
            if undo:
                iface.set("access_vlan", None, ln)
                return
            vid = _vid(w[3]) if len(w) == 4 else None
            if vid is None:
                self.warn(ln, "cannot read access VLAN", body)
                return
            iface.set("access_vlan", vid, ln)
            iface.set("switched", True, ln)
        elif w1 == "trunk" and len(w) >= 4 and w[2] in ("allow-pass", "permit") and w[3] == "vlan":
            vids = self._vlans(w[4:], body, ln)
            if vids is None:
                return
            st = self.port(iface)
            base = st.trunk if st.trunk is not None else VLAN1
            if undo:
                st.trunk = VlanSet.none() if vids.is_all else base - vids
            else:
                st.trunk = base | vids
            iface.set("allowed_vlans", st.trunk, ln)
        elif w1 == "trunk" and len(w) >= 4 and w[2] == "pvid" and w[3] == "vlan":
            if undo:
                iface.set("native_vlan", None, ln)
                return
            vid = _vid(w[4]) if len(w) == 5 else None
            if vid is None:
                self.warn(ln, "cannot read trunk PVID", body)
                return
            iface.set("native_vlan", vid, ln)
        elif w1 == "hybrid":
            self.hybrid(iface, w[2:], body, ln, undo)
        elif w1 == "link-aggregation" and len(w) >= 3 and w[2] == "group":
            if undo:
                iface.set("channel_group", None, ln)
            elif len(w) >= 4 and w[3].isdecimal():
                iface.set("channel_group", f"{self.d.aggregate_prefix}{w[3]}", ln)
            else:
                self.warn(ln, "cannot read aggregation group", body)
        elif w1 in _PORT_VLAN_WORDS and not self._port_ignored(w):
            self.warn(ln, "cannot read port VLAN setting", body)

    @staticmethod
    def _port_ignored(w: list[str]) -> bool:
        """Port lines with a VLAN word that set nothing stormguard models."""
        w2 = w[2] if len(w) > 2 else ""
        if w[1] == "trunk" and w2 in ("allow-pass", "permit") and w[3:4] == ["vlan"]:
            return False
        if w[1] == "hybrid" and w2 in ("protocol-vlan", "ip-subnet-vlan", "vlan-stacking"):
            return True  # protocol/subnet VLAN classification, QinQ on a hybrid port
        return w[1] == "vlan-mapping" or (w[1] == "default" and w2 != "vlan")

    def hybrid(self, iface: Interface, w: list[str], body: str, ln: int, undo: bool) -> None:
        """Huawei ``port hybrid tagged vlan 10 20``; H3C ``port hybrid vlan 10 20 tagged``;
        both ``port hybrid pvid vlan 10``."""
        st = self.port(iface)
        if len(w) >= 2 and w[0] == "pvid" and w[1] == "vlan":
            vid = _vid(w[2]) if len(w) == 3 else None
            if undo:
                iface.set("native_vlan", None, ln)
            elif vid is None:
                self.warn(ln, "cannot read hybrid PVID", body)
            else:
                iface.set("native_vlan", vid, ln)
            return
        if len(w) >= 2 and w[0] in ("tagged", "untagged") and w[1] == "vlan":
            how, spec = w[0], w[2:]
        elif len(w) >= 2 and w[0] == "vlan" and w[-1] in ("tagged", "untagged"):
            how, spec = w[-1], w[1:-1]
        elif len(w) >= 2 and w[0] == "vlan" and undo:
            how, spec = "both", w[1:]
        else:
            if not w or w[0] not in ("protocol-vlan", "ip-subnet-vlan", "vlan-stacking"):
                self.warn(ln, "cannot read hybrid VLAN setting", body)
            return
        vids = self._vlans(spec, body, ln)
        if vids is None:
            return
        for kind in ("tagged", "untagged") if how == "both" else (how,):
            attr = "hybrid_" + kind
            base = getattr(st, attr)
            if base is None:
                base = VLAN1 if kind == "untagged" else VlanSet.none()
            setattr(st, attr, base - vids if undo else base | vids)
        if not undo and how == "untagged" and st.hybrid_tagged is not None:
            st.hybrid_tagged = st.hybrid_tagged - vids  # a VLAN is tagged or untagged, not both
        elif not undo and how == "tagged" and st.hybrid_untagged is not None:
            st.hybrid_untagged = st.hybrid_untagged - vids
        iface.lines["allowed_vlans"] = ln

    def port_stp(self, iface: Interface, w: list[str], body: str, ln: int, undo: bool) -> None:
        rest = w[1:]
        if not rest:
            return
        r0 = rest[0]
        arg = rest[1] if len(rest) > 1 else None
        if r0 == "port" and arg is not None:  # H3C `stp port bpdu-protection enable`
            r0, arg = arg, rest[2] if len(rest) > 2 else None
        on = not undo
        if arg == "disable":
            on = not on
        elif arg not in (None, "enable"):
            if r0 not in _PORT_STP_IGNORED:
                self.warn(ln, "cannot read spanning-tree port setting", body)
            return
        if r0 == "edged-port":
            iface.set("edge", on, ln)
            iface.set("edge_trunk", on, ln)  # Huawei/H3C edge settings apply to trunks as well
        elif r0 == "enable" and arg is None:
            iface.set("stp_disabled", undo, ln)
        elif r0 == "disable" and arg is None:
            iface.set("stp_disabled", not undo, ln)
        elif r0 == "bpdu-filter":
            iface.set("bpdu_filter", on, ln)
        elif r0 == "bpdu-protection":
            iface.set("bpdu_guard", on, ln)
        elif r0 == "root-protection":
            iface.set("root_guard", not undo, ln)
        elif r0 == "loop-protection":
            iface.set("loop_guard", not undo, ln)
        elif r0 not in _PORT_STP_IGNORED:
            self.warn(ln, "cannot read spanning-tree port setting", body)

    # -- storm control -------------------------------------------------------------------
    def _action(self, iface: Interface, action: str, ln: int, undo: bool) -> None:
        if undo:
            iface.storm_actions.discard(action)
            self.port(iface).undone_actions.add(action)
            return
        self.port(iface).undone_actions.discard(action)
        if not iface.storm_actions:
            iface.lines["storm_actions"] = ln
        iface.storm_actions.add(action)
        iface.lines[f"storm_action_{action}"] = ln

    def storm(
        self, iface: Interface, w: list[str], body: str, ln: int, undo: bool, syntax: str
    ) -> None:
        """Huawei ``storm-control ...`` (S-series), ``storm control ...`` (CloudEngine, passed
        in as ``storm-control``) and H3C ``storm-constrain ...``."""
        if len(w) < 2:
            if undo:
                iface.storm_control.clear()
            return
        w1 = w[1]
        if w1 in ("action", "control"):
            act = _ACTIONS.get(w[2]) if len(w) == 3 else None
            if act == "block" and w[2] == "suppress":
                iface.extra["storm_action_keyword"] = "suppress"
            if undo and len(w) == 2:
                iface.storm_actions.difference_update({"shutdown", "block"})
            elif act is None or act in ("trap", "log"):
                self.warn(ln, "cannot read storm-control action", body)
            else:
                if not undo:  # one action per port: a new one replaces the old
                    iface.storm_actions.discard("block" if act == "shutdown" else "shutdown")
                self._action(iface, act, ln, undo)
            return
        if w1 == "enable":
            acts = [_ACTIONS.get(t) for t in w[2:]]
            if not acts or None in acts or not set(acts) <= {"trap", "log"}:
                self.warn(ln, "cannot read storm-control notification", body)
                return
            for act in acts:
                self._action(iface, act, ln, undo)  # type: ignore[arg-type]
            return
        traffic = _CLASSES.get(w1)
        if traffic is None:
            if w1 in ("all-packets", "all") and undo:
                iface.storm_control.clear()
                iface.extra.pop("storm_syntax", None)
            elif w1 not in _STORM_IGNORED:  # `storm-control interval 5` sets nothing we model
                self.warn(ln, "cannot read storm-control setting", body)
            return
        if undo:
            iface.storm_control.pop(traffic, None)
            return
        rest = w[2:]
        if syntax == "storm-control":
            self.hints["s_storm"] = 1
        units = _CONSTRAIN_UNITS
        if len(rest) == 3 and rest[-1] in units and rest[0] not in units:
            # H3C Comware v5 (S3100/S5100 era): `storm-constrain broadcast 100 10 pps`
            self.hints["comware5"] = 1
            rest = [rest[-1], *rest[:-1]]
        if rest and rest[0] in units:  # H3C storm-constrain UNIT UPPER LOWER
            unit, mult = units[rest[0]]
            nums = [_number(t) for t in rest[1:]]
            if len(nums) != 2 or None in nums:
                self.warn(ln, "cannot read storm-constrain thresholds", body)
                return
            self._set_storm(iface, traffic, unit, nums[0] * mult, nums[1] * mult, ln, syntax)  # type: ignore[operator]
            return
        # Huawei: min-rate [percent|cir] A max-rate [percent|cir] B (either may come alone)
        vals: dict[str, float] = {}
        unit = "pps"
        mult = 1.0
        j = 0
        ok = True
        while j < len(rest):
            key = rest[j]
            if key not in ("min-rate", "max-rate"):
                ok = False
                break
            j += 1
            if j < len(rest) and rest[j] in ("percent", "cir", "kbps"):
                # S-series `cir` and CloudEngine `kbps` are both kbit/s
                unit, mult = ("percent", 1.0) if rest[j] == "percent" else ("bps", 1000.0)
                j += 1
            num = _number(rest[j]) if j < len(rest) else None
            if num is None:
                ok = False
                break
            vals[key] = num * mult
            j += 1
        if not ok or not vals:
            self.warn(ln, "cannot read storm-control thresholds", body)
            return
        level = vals.get("max-rate", vals.get("min-rate"))
        self._set_storm(iface, traffic, unit, level, vals.get("min-rate"), ln, syntax)  # type: ignore[arg-type]

    def suppression(
        self,
        iface: Interface,
        traffic: str,
        w: list[str],
        body: str,
        ln: int,
        undo: bool,
        syntax: str,
    ) -> None:
        """``broadcast-suppression 10`` (%), ``... packets|pps N``, ``... cir|kbps N``."""
        if not traffic:
            return
        if undo:
            iface.storm_control.pop(traffic, None)
            return
        unit, mult = "percent", 1.0
        if w and w[0] in ("packets", "pps"):
            unit, w = "pps", w[1:]
        elif w and w[0] in ("cir", "kbps"):
            unit, mult, w = "bps", 1000.0, w[1:]
        elif w and w[0] in ("percent", "ratio"):
            w = w[1:]
        num = _number(w[0]) if w else None
        if len(w) >= 2 and w[1] in ("kbps", "mbps", "gbps") and unit == "bps":
            mult = {"kbps": 1e3, "mbps": 1e6, "gbps": 1e9}[w[1]]
        if num is None or (unit == "percent" and num > 100):
            self.warn(ln, "cannot read storm suppression level", body)
            return
        self._set_storm(iface, traffic, unit, num * mult, None, ln, syntax)

    @staticmethod
    def _set_storm(
        iface: Interface,
        traffic: str,
        unit: str,
        level: float,
        falling: float | None,
        ln: int,
        syntax: str,
    ) -> None:
        sc = StormControl(traffic=traffic, unit=unit, line=ln)  # type: ignore[arg-type]
        sc.set("level", level, ln)
        sc.lines["unit"] = ln
        if falling is not None:
            sc.set("falling", falling, ln)
        iface.storm_control[traffic] = sc
        # which command set it: fixes use the same one (H3C broadcast-suppression and
        # storm-constrain exclude each other on a port; CE `storm control` vs S `storm-control`)
        iface.extra.setdefault("storm_syntax", {})[traffic] = syntax

    # -- after the last line -------------------------------------------------------------
    def finish(self) -> None:
        dev = self.dev
        if not self.recognised:
            raise InputError(
                f"{dev.source or 'input'}: no {PLATFORM_NAMES[self.d.platform]} configuration "
                "statements found (no sysname, interface, vlan or stp lines)"
            )
        if not self.d.stp_on_by_default and not self.stp_seen:
            dev.stp.enabled = False
            dev.extra["stp_note"] = "spanning tree is off unless the config enables it globally"
        aggregates = {n.lower(): n for n, i in dev.interfaces.items() if i.kind == "aggregate"}
        for iface in dev.interfaces.values():
            st = self.ports.get(iface.name)
            if st is not None and st.link_type == "hybrid":
                self._settle_hybrid(iface, st)
            if iface.switched is None:
                if iface.kind in ("physical", "aggregate") and "." not in iface.name:
                    iface.switched = not iface.name.lower().startswith("route-aggregation")
                elif iface.kind in ("vlan", "loopback", "management", "tunnel"):
                    iface.switched = False
            if iface.mode is None and iface.switched and "link_type" not in iface.extra:
                if iface.access_vlan is not None:  # `port default|access vlan N`: an access port
                    iface.set("mode", "access", iface.lines.get("access_vlan"))
                    inherited = iface.extra.get("inherited")
                    if inherited and "access_vlan" in inherited:
                        inherited["mode"] = inherited["access_vlan"]
                elif self.d.default_link_type and iface.kind in ("physical", "aggregate"):
                    iface.mode = self.d.default_link_type  # type: ignore[assignment]
            if iface.mode == "trunk" and iface.allowed_vlans is None:
                iface.allowed_vlans = VLAN1  # platform default: VLAN 1 only (no source line)
                iface.extra["allowed_vlans_default"] = True
            if iface.channel_group:
                name = aggregates.get(iface.channel_group.lower(), iface.channel_group)
                iface.channel_group = name
                agg = dev.interfaces.get(name)
                if agg is not None:
                    agg.extra.setdefault("members", []).append(iface.name)
            if self.d.storm_constrain_defaults and iface.storm_control:
                self._storm_constrain_defaults(iface)
        dev.extra["variant"] = self.variant()

    def variant(self) -> str:
        """The syntax family of the file, so a fix is written the way the file writes it:
        ``huawei-ce`` (CloudEngine: ``storm control``, ``10GE1/0/1``) or ``huawei-s``
        (S-series: ``storm-control``, ``GigabitEthernet0/0/1``); ``comware5`` or ``comware7``
        (by the ``version`` line, else by markers such as ``stp global enable`` (v7) or
        ``stp enable`` / ``port-group manual`` (v5); v7 when nothing tells)."""
        h = self.hints
        if self.d.platform == "huawei":
            if h.get("ce_storm"):
                return "huawei-ce"
            if h.get("s_storm"):
                return "huawei-s"
            for iface in self.dev.interfaces.values():  # else the port names: 10GE1/0/1 is CE
                if iface.kind == "physical":
                    low = iface.name.rstrip("0123456789/:.").lower()
                    if low in _CE_TYPES:
                        return "huawei-ce"
            return "huawei-s"
        version = str(self.dev.extra.get("version", "")).strip()
        if version[:2] in ("5.", "3."):
            return "comware5"
        if version[:2] == "7.":
            return "comware7"
        return "comware5" if h.get("comware5", 0) > h.get("comware7", 0) else "comware7"

    def _storm_constrain_defaults(self, iface: Interface) -> None:
        """H3C storm-constrain: trap and log are on unless undone; without ``storm-constrain
        control block|shutdown`` the thresholds only report, they limit nothing. Also records
        ``storm_mechanism`` (``constrain`` / ``suppression``: exclusive per class)."""
        syntax = iface.extra.get("storm_syntax")
        if not syntax:
            return
        constrained: list[str] = []
        first: int | None = None
        for traffic, sc in iface.storm_control.items():
            if syntax.get(traffic) == "storm-constrain":
                constrained.append(traffic)
                if sc.line is not None and (first is None or sc.line < first):
                    first = sc.line
        if not constrained:
            iface.extra["storm_mechanism"] = "suppression"
            return
        iface.extra["storm_mechanism"] = "constrain"
        st = self.ports.get(iface.name)
        undone = st.undone_actions if st is not None else ()
        actions = iface.storm_actions
        defaults = [a for a in ("trap", "log") if a not in undone and a not in actions]
        if defaults:
            if not actions and first is not None:
                iface.lines["storm_actions"] = first
            actions.update(defaults)
            iface.extra["storm_actions_default"] = defaults
        if "block" not in actions and "shutdown" not in actions:
            constrained.sort()
            iface.extra["storm_inert"] = constrained

    @staticmethod
    def _settle_hybrid(iface: Interface, st: _PortState) -> None:
        iface.extra["link_type"] = "hybrid"
        tagged = st.hybrid_tagged or VlanSet.none()
        untagged = st.hybrid_untagged if st.hybrid_untagged is not None else VLAN1
        line = iface.lines.get("allowed_vlans")
        if tagged:
            iface.set("allowed_vlans", tagged | untagged, line)
            if line is None:
                iface.extra["allowed_vlans_default"] = True
        else:
            iface.mode = "access"
            pvid = iface.native_vlan or 1
            iface.set("access_vlan", pvid, iface.lines.get("native_vlan"))


def parse_vrp_like(text: str, dialect: Dialect, source: str = "") -> Device:
    return VrpParser(dialect, source).run(text)
