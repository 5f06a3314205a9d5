"""One parser core for the indented, Cisco-style running configs: IOS / IOS-XE, NX-OS, EOS.

The three platforms print the same shape of text -- top-level statements in column 0, the
statements of a section (``interface``, ``vlan``) indented below it (1 space on IOS, 2 on NX-OS,
3 on EOS) -- and mostly the same keywords. What differs is small and lives in :class:`Dialect`:
how a port-channel is spelled, whether ``spanning-tree portfast`` also covers trunks (EOS), how a
banner ends (EOS: a line ``EOF``), whether spanning tree can be switched off globally (EOS).

Why a hand-written single pass rather than a general hierarchical parser: ``stormguard lint`` is
meant to run in pre-commit hooks and CI over hundreds of configs, so every line costs a couple of
``startswith``/``split`` calls and nothing else; VLAN lists are read by
:func:`parse_vlan_list` without regular expressions (falling back to :meth:`VlanSet.parse` for
unusual spellings). And what we need is small: the storm-relevant facts of each port, each with
its source line.

Facts that have no field in the model go to ``extra`` (all JSON-serialisable):

* ``Device.extra``: ``version`` (the ``version`` line), ``default_switchport`` (NX-OS ``[no]
  system default switchport``; its line in ``Device.lines``), ``default_switchport_shutdown``
  (NX-OS ``[no] system default switchport shutdown``), ``port_type_default``
  (``network``/``normal`` from ``spanning-tree port type|portfast network default``).
* ``Interface.extra``: ``allowed_vlans_lines`` (every line that built the current allowed list,
  in order -- ``lines["allowed_vlans"]`` is the first), ``switchport_mode`` (a mode other than
  access/trunk: ``dynamic desirable``, ``fex-fabric`` ...), ``native_vlan_tagged`` (EOS/IOS
  ``native vlan tag``), ``voice_vlan``, ``lacp_mode``, ``members`` (on an aggregate: its member
  ports), ``port_type`` (``network``/``normal``), ``vrf``, ``vpc`` / ``vpc_peer_link`` (NX-OS),
  ``storm_control_from_all`` (EOS: classes set by ``storm-control all``), ``edge_auto`` (EOS
  ``[no] spanning-tree portfast auto``, its line in ``lines["edge_auto"]``),
  ``trunk_encapsulation`` (``switchport trunk encapsulation dot1q``), ``inherited`` (below).

Interface ranges (candidate configs: ``show running-config`` prints ports one by one): IOS/IOS-XE
``interface range Gi1/0/20 - 24 , Gi2/0/1`` (several ranges, abbreviated or spaced types,
``define interface-range NAME ...`` + ``interface range macro NAME``), NX-OS ``interface
Ethernet1/1-4, Ethernet1/7`` and EOS ``interface Ethernet1-4,7`` are expanded: each statement
of the section is applied to every port (with the statement's own line), and every field it
sets is recorded as ``iface.extra["inherited"][field] = {"kind": "interface-range", "name":
<header text after 'interface [range]'>, "line": <header line>, "header": <the header line as
written>}`` (``storm_control.<class>``
for storm-control), so a fix goes to the range; a statement in the port's own section later
takes the field back. Ports created by a range get the full type name (``Gi`` ->
``GigabitEthernet``, as the platform spells it, or as the config already spells that type),
and a later ``interface Gi1/0/21`` joins the port the range made (its spelling kept in
``extra["typed_name"]``).

Nothing that can carry switchport, VLAN, STP or storm-control settings is dropped silently:
``switchport`` / ``spanning-tree`` / ``storm-control`` statements that are not understood (and
not known to be irrelevant, such as ``switchport port-security`` or ``spanning-tree cost``),
unknown global ``spanning-tree`` statements, unreadable ranges, and blocks whose settings ports
inherit but which are not expanded (NX-OS ``port-profile`` / ``inherit port-profile``, IOS-XE
``template`` / ``source template``, ``macro apply``, ``default interface``) are warnings with
their line.

Robustness is part of the contract (see :mod:`stormguard.parsers`): banner text and certificate
hex are skipped without being read as commands, statements nested deeper than a section's own
statements (``hsrp 1`` / ``   shutdown``) are not mistaken for port settings, and a statement we
recognise but cannot read becomes a ``Device.warnings`` entry with its line number -- never an
exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from stormguard.errors import InputError
from stormguard.model import PLATFORM_NAMES, Device, Interface, Vlan, new_interface
from stormguard.parsers import _alarms
from stormguard.parsers._cisco_port import (  # noqa: F401  (parse_number: API)
    PORT_KEYWORDS,
    compile_port,
    parse_number,
    parse_vlan_list,
    plain_allowed,
)

# Interface kinds by (lower-cased) name prefix; the first match wins, so longer prefixes first.
_KIND_PREFIXES: tuple[tuple[str, str], ...] = (
    ("port-channel", "aggregate"),
    ("vlan", "vlan"),
    ("loopback", "loopback"),
    ("mgmt", "management"),
    ("management", "management"),
    ("tunnel", "tunnel"),
    ("nve", "tunnel"),
    ("vxlan", "tunnel"),
    ("appgigabitethernet", "internal"),
    ("null", "other"),
    ("bdi", "other"),
    ("bvi", "other"),
    ("recirc", "internal"),
)
# First words of global `spanning-tree ...` statements that are understood (read, or known to
# be irrelevant to storms); any other is warned about.
_GLOBAL_STP_WORDS = frozenset(
    {
        "mode", "vlan", "vlan-id", "mst", "portfast", "port", "edge-port", "loopguard",
        "bpduguard", "bpdufilter", "guard", "extend", "pathcost", "etherchannel", "logging",
        "uplinkfast", "backbonefast", "bridge", "transmit", "max-age", "hello-time",
        "forward-time", "max-hops", "priority", "root", "domain", "pseudo-information", "fcoe",
        "lc-issu", "counters", "bpdu", "optimize", "mode-change", "link-type", "cost",
        "port-priority", "rate-limit",
    }
)
# IOS-style interface type names, in the order IOS resolves an abbreviation (``Tw`` is
# TwoGigabitEthernet, ``Twe`` TwentyFiveGigE, ``F`` FastEthernet, ``Fi`` FiveGigabitEthernet).
_TYPE_NAMES: tuple[str, ...] = (
    "FastEthernet", "GigabitEthernet", "TenGigabitEthernet", "TwoGigabitEthernet",
    "TwentyFiveGigE", "FiveGigabitEthernet", "FortyGigabitEthernet", "HundredGigE", "Ethernet",
    "Port-channel", "Vlan", "Loopback", "Tunnel", "AppGigabitEthernet",
)
#: A single `interface range` header expands to at most this many ports, and all the ranges of
#: one config together to at most MAX_RANGE_PORTS_TOTAL (a hostile file cannot exhaust memory).
MAX_RANGE_PORTS = 8192
MAX_RANGE_PORTS_TOTAL = 65536
_EDGE_DEFAULT_WORDS = frozenset({"portfast", "port", "type", "edge", "trunk", "edge-port"})
_NOT_PORT_NUMBER_CHARS = str.maketrans("", "", "0123456789/.:")
#: First words of the global statements read by :mod:`stormguard.parsers._alarms`.
_ALARM_WORDS = frozenset({"logging", "snmp-server", "errdisable", "mac", "mac-address-table",
                          "monitor"})


@dataclass(frozen=True)
class Dialect:
    """What one platform does differently from the common Cisco-style core."""

    platform: str
    #: How the aggregate a ``channel-group N`` joins is spelled (``Port-channel`` on IOS).
    aggregate_prefix: str
    #: EOS: ``spanning-tree portfast`` has no ``trunk`` keyword and applies to trunks as well.
    portfast_covers_trunks: bool = False
    #: EOS: ``banner login`` is followed by the text and a line ``EOF``.
    banner_ends_with_eof: bool = False
    #: EOS: ``no spanning-tree`` / ``spanning-tree mode none`` switch spanning tree off.
    stp_can_be_off: bool = False
    #: Statements that name the device (NX-OS also knows the older ``switchname``).
    hostname_keywords: frozenset[str] = frozenset({"hostname"})


def parse_cisco_like(text: str, dialect: Dialect, source: str = "") -> Device:
    """Parse one running config of `dialect`'s platform into a :class:`Device`."""
    return _Parser(dialect, source).run(text)


# ----------------------------------------------------------------------------------------------
# small pure helpers


def split_lines(text: str) -> list[str]:
    """Split on LF (CRLF and bare-CR files too) so line numbers match what an editor shows."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            text = text.replace("\r", "\n")
    return text.split("\n")




def interface_kind(name: str) -> str:
    """physical / aggregate / vlan / loopback / management / tunnel / internal / other."""
    key = name.rstrip("0123456789/.:")  # GigabitEthernet1/0/1 -> GigabitEthernet
    kind = _KIND_CACHE.get(key)
    if kind is None:
        kind = _kind_of(key)
        if len(_KIND_CACHE) < 512:  # real configs use a handful of prefixes; junk must not grow it
            _KIND_CACHE[key] = kind
    return kind


_KIND_CACHE: dict[str, str] = {}


def _kind_of(name: str) -> str:
    low = name.lower()
    for prefix, kind in _KIND_PREFIXES:
        if low.startswith(prefix):
            return kind
    if low == "po":
        return "aggregate"
    if "eth" in low or "gig" in low or low[:2] in ("fa", "te", "fo", "hu", "tw", "fi"):
        return "physical"
    return "other"


def _interface_name(rest: str) -> str | None:
    """The interface name of ``interface REST``, or None for non-interfaces (``range``,
    NX-OS ``breakout module 1 ...``). ``Port-channel 1`` (typed with a space) is joined."""
    parts = rest.split()
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2 and parts[0][-1].isalpha() and parts[1][:1].isdecimal():
        return parts[0] + parts[1]
    return None


def is_range_header(name: str) -> bool:
    """``Ethernet1/1-4`` / ``Ethernet1-4,7`` / ``Port-channel10-12``: a range, not one port (a
    dash right after a digit, or a comma; ``Port-channel1`` has its dash before the number)."""
    if "," in name:
        return True
    d = name.rfind("-")
    return d > 0 and name[d - 1].isdecimal()


def _first_digit(text: str) -> int:
    for k, ch in enumerate(text):
        if ch.isdecimal():
            return k
    return -1


# ----------------------------------------------------------------------------------------------


#: An indented line: (indent, its plan's action, the action's argument, the statement); indent
#: -1 for a blank line or a comment, action None for a statement that sets nothing.
_Entry = tuple[int, Any, Any, str]
#: Per dialect: port statement plans by text, indented lines by text, and the hashes of the
#: indented lines seen only once so far (see _Parser.indented_line).
_CACHES: dict[Dialect, tuple[dict[str, Any], dict[str, _Entry], set[int]]] = {}
#: A cache is emptied when it reaches this many entries (a long lint run over many configs
#: with many distinct lines must not grow without bound).
_PLAN_CACHE_SIZE = 32768
#: The hashes of the lines seen once are forgotten, all together, at this many.
_YOUNG_CACHE_SIZE = 16384
_UNSEEN = object()
#: ``switchport trunk allowed vlan `` after an indent of 1 ... 8 spaces (the novel-line path
#: of run(): one `startswith`)
_ALLOWED_LEN = len("switchport trunk allowed vlan ")
_MAX_INDENT = 9
_ALLOWED_AT = tuple(" " * k + "switchport trunk allowed vlan " for k in range(_MAX_INDENT))
#: Column-0 headers seen before, by text (any dialect reads them alike): ``interface NAME``
#: -> (name, kind); ``vlan N`` (one plain ID) -> N.
_HEADERS: dict[str, tuple[str, str] | int] = {}


class _Parser:
    """One pass over the lines; state is the current section (an interface or VLAN block)."""

    def __init__(self, dialect: Dialect, source: str) -> None:
        self.d = dialect
        fallback = PurePath(source).stem if source else "unknown"
        self.dev = Device(hostname=fallback or "unknown", platform=dialect.platform, source=source)
        self.recognised = 0
        self.mute = False  # True while a range statement is applied to its 2nd, 3rd ... port
        self.macros: dict[str, str] = {}  # IOS `define interface-range NAME SPEC`
        self.type_names: dict[str, str] = {}  # typed interface type (lower) -> full spelling
        self.range_ports = 0  # ports named by all ranges so far
        # kept across configs of the same dialect: plans by statement text, and each indented
        # line's (indent, plan, statement) once it has been seen twice (`young`: the hashes
        # of the lines seen once)
        self.plans, self.indented, self.young = _CACHES.setdefault(dialect, ({}, {}, set()))

    def warn(self, ln: int, what: str, body: str) -> None:
        if self.mute:
            return
        snippet = body if len(body) <= 120 else body[:117] + "..."
        self.dev.warnings.append(f"line {ln}: {what}" + (f": {snippet}" if snippet else ""))

    # -- the main loop ---------------------------------------------------------------------
    def run(self, text: str) -> Device:
        if text.startswith("\ufeff"):  # a BOM from a Windows editor
            text = text[1:]
        # One iterator over (line number, text): the loop and the free-text skippers (banners,
        # macros) consume from it, so a skipped block is never looked at twice.
        lines = enumerate(split_lines(text), 1)
        known = self.indented.get
        headers = _HEADERS
        ports = self.dev.interfaces
        dev_vlans = self.dev.vlans
        iface: Interface | None = None  # current `interface` section
        vlans: list[Vlan] | None = None  # current `vlan` section
        # current `interface range` (or NX-OS/EOS range header) section: its ports, its source
        group: tuple[list[Interface], dict[str, object]] | None = None
        ranged = False  # a range was seen: port names may be abbreviated, values inherited
        child_indent = 0  # indent of the section's own statements; deeper = nested, ignored
        mlag = False  # inside EOS `mlag configuration` (only its `peer-link` is read)
        looprot = False  # inside EOS `monitor loop-protection`
        for i, raw in lines:
            entry = known(raw)
            if entry is not None and iface is not None and not ranged:
                # the hot path: a statement seen before, in a port's section
                indent, action, arg, _ = entry
                if indent != child_indent:
                    if indent < 0:
                        continue  # blank, or a comment
                    if child_indent == 0 or indent < child_indent:
                        child_indent = indent
                    else:
                        continue  # nested deeper (hsrp/vrrp/service-policy blocks ...)
                if action is not None:
                    action(self, iface, i, arg)
                continue
            if not raw:
                continue
            c = raw[0]
            if c == " " or c == "\t":
                if iface is None and vlans is None and group is None:
                    if mlag and raw.split()[:1] == ["peer-link"]:
                        self.mlag_peer_link(raw.split()[1:], i)
                    elif looprot:
                        _alarms.eos_loop_section(self.dev.alarms, raw.strip(), i, self.warn)
                    continue  # body of a section we do not read (line, router, crypto ...)
                if entry is None:
                    if (iface is not None and not ranged and 0 < child_indent < _MAX_INDENT
                            and raw.startswith(_ALLOWED_AT[child_indent])
                            and self.novel_allowed(iface, raw, i, child_indent)):
                        continue
                    entry = self.indented_line(raw)
                indent, action, arg, body = entry
                if indent < 0:
                    continue  # blank, or a comment
                if child_indent == 0 or indent < child_indent:
                    child_indent = indent
                elif indent > child_indent:
                    continue  # nested deeper (hsrp/vrrp/service-policy blocks ...)
                if iface is not None:
                    if ranged and "inherited" in iface.extra:
                        self.own_statement(iface, body, i)
                    elif action is not None:
                        action(self, iface, i, arg)
                elif group is not None:
                    self.range_statement(group[0], group[1], body, i)
                elif body.startswith("name ") and vlans:
                    name = body[5:].strip()
                    for v in vlans:  # v.set("name", name, i), inlined
                        v.name = name
                        v.lines["name"] = i
                continue

            # A column-0 statement ends the current section.
            iface = None
            vlans = None
            group = None
            child_indent = 0
            mlag = False
            looprot = False
            if c == "!":
                continue  # a comment
            body = raw.rstrip()
            if not body:
                continue
            header = headers.get(body)
            if header is not None:  # `interface NAME` / `vlan N` seen before
                if header.__class__ is int:  # `vlan N`, as vlan_header reads it
                    self.recognised += 1
                    v = dev_vlans.get(header)
                    if v is None:
                        v = dev_vlans[header] = Vlan(header, None, i)
                    vlans = [v]
                    continue
                name, kind = header
                if ranged and name not in self.dev.interfaces:
                    typed = name
                    name = self.full_name(name)  # `interface Gi1/0/3` after a range
                    if typed != name:
                        kind = interface_kind(name)
                    iface = self.dev.interface(name, i)
                    if typed != name:  # the block as written, for a fix that goes into it
                        iface.extra["typed_name"] = typed
                else:  # Device.interface, inlined: one per port, every config
                    iface = ports.get(name)
                    if iface is None:
                        iface = ports[name] = new_interface(name, i)
                    elif iface.line is None:
                        iface.line = i
                iface.kind = kind  # type: ignore[assignment]
                self.recognised += 1
                continue
            words = body.split()
            w0 = words[0]
            if w0 == "interface":
                name = _interface_name(body[9:]) if len(words) > 1 else None
                if name is not None and not is_range_header(name):
                    self.remember(headers, body, (name, interface_kind(name)))
                    typed = name
                    if ranged and name not in self.dev.interfaces:
                        name = self.full_name(name)  # `interface Gi1/0/3` after a range
                    iface = self.dev.interface(name, i)
                    if typed != name:  # the block as written, for a fix that goes into it
                        iface.extra["typed_name"] = typed
                    iface.kind = interface_kind(name)  # type: ignore[assignment]
                    self.recognised += 1
                elif len(words) > 1:
                    group = self.range_header(words, body, i)
                    ranged = ranged or group is not None
            elif w0 == "vlan":
                vlans = self.vlan_header(words, body, i)
            elif w0 == "spanning-tree":
                self.global_stp(words[1:], False, body, i)
            elif w0 == "no":
                if len(words) > 1 and words[1] == "spanning-tree":
                    self.global_stp(words[2:], True, body, i)
                elif words[1:3] == ["system", "default"] and words[3:4] == ["switchport"]:
                    self.default_switchport(words[4:], False, i)
                elif len(words) > 1 and words[1] in _ALARM_WORDS:
                    _alarms.cisco_global(self.dev.alarms, words[1:], True, body, i, self.warn)
            elif w0 in self.d.hostname_keywords:
                if len(words) > 1:
                    self.dev.set("hostname", words[1], i)
                    self.recognised += 1
            elif w0 == "banner":
                self.skip_banner(lines, i, body, words)
            elif w0 == "macro" and len(words) > 1 and words[1] == "name":
                self.skip_until(lines, i, "@")
            elif w0 == "version" and len(words) > 1:
                self.dev.extra["version"] = body[8:].strip()
            elif w0 == "system" and words[1:3] == ["default", "switchport"]:
                self.default_switchport(words[3:], True, i)
            elif w0 == "define" and words[1:2] == ["interface-range"] and len(words) > 3:
                self.macros[words[2]] = body.split(None, 3)[3]  # `interface range macro NAME`
            elif w0 == "port-profile" or (w0 == "template" and len(words) > 1):
                # NX-OS port profiles / IOS-XE interface templates carry switchport, STP and
                # storm-control settings that ports inherit: not expanded here.
                self.warn(i, f"{w0} settings are not read (ports that inherit them are judged "
                          "on their own lines only)", body)
            elif w0 == "default" and words[1:2] == ["interface"]:
                self.warn(i, "'default interface' (reset to defaults) is not applied", body)
            elif w0 == "mlag" and words[1:2] == ["configuration"]:
                mlag = True
            elif w0 in _ALARM_WORDS and _alarms.cisco_global(
                    self.dev.alarms, words, False, body, i, self.warn):
                looprot = w0 == "monitor"
        self.finish()
        return self.dev

    def indented_line(self, raw: str) -> _Entry:
        """The :data:`_Entry` of an indented line not in :attr:`indented` (the statement's
        plan as a port statement, split).

        Why two generations: a config has a thousand lines that recur (on many ports, in
        every config) and a few hundred seen once (wrapped VLAN lists, descriptions). A line
        joins :attr:`indented` (the hot loop's table) on its second sighting; of a line seen
        once only its hash is kept, in :attr:`young`, which is emptied as a whole when full.
        So the one-off lines of a long run never push the recurring ones out, never grow the
        hot table, and what they compile to is freed at once (keeping it cost more in
        memory traffic than compiling a recurring line a second time). A hash shared by two
        lines only makes a line join the hot table early."""
        young = self.young
        key = hash(raw)  # cached in `raw` by the hot table's look-up
        if key in young:  # the second sighting: it recurs
            young.discard(key)
            entry = self.compile_line(raw)
            self.remember(self.indented, raw, entry)
            indent, action, arg, body = entry
            if indent >= 0:
                self.remember(self.plans, body, None if action is None else (action, arg))
            return entry
        if len(young) >= _YOUNG_CACHE_SIZE:
            young.clear()
        young.add(key)
        return self.compile_line(raw)

    def novel_allowed(self, iface: Interface, raw: str, ln: int, indent: int) -> bool:
        """A ``switchport trunk allowed vlan [add] LIST`` line of a port, at the port's
        indent, not in the hot table: applied by :func:`plain_allowed` when LIST is plain,
        True when done (False: :meth:`indented_line` takes it).

        The caches see it as :meth:`indented_line` would: on its first sighting only its
        hash joins :attr:`young`; on its second it goes the general way, into the hot table.
        """
        young = self.young
        key = hash(raw)  # cached in `raw` by the hot table's look-up
        if key in young or not plain_allowed(iface, ln, raw, indent + _ALLOWED_LEN):
            return False
        if len(young) >= _YOUNG_CACHE_SIZE:
            young.clear()
        young.add(key)
        return True

    def compile_line(self, raw: str) -> _Entry:
        """The :data:`_Entry` of indented line `raw`; indent -1 for a blank line or a
        comment."""
        body = raw.lstrip(" \t")
        indent = len(raw) - len(body)
        body = body.rstrip()
        if not body or body[0] == "!":
            entry = (-1, None, None, body)
        else:
            plan = self.plans.get(body, _UNSEEN)
            if plan is _UNSEEN:
                plan = compile_port(body, self.d)
            entry = (indent, None, None, body) if plan is None else (indent, *plan, body)
        return entry

    def mlag_peer_link(self, rest: list[str], ln: int) -> None:
        """EOS `mlag configuration` / `peer-link Port-Channel10`: the aggregate that is the MLAG
        peer-link (its ports get the `peer-link` role) in ``extra["mlag_peer_link"]``."""
        name = _interface_name(" ".join(rest)) if rest else None
        if name is not None:
            self.dev.extra["mlag_peer_link"] = name
            self.dev.lines["mlag_peer_link"] = ln

    # -- interface ranges ------------------------------------------------------------------
    def range_header(self, words: list[str], body: str, ln: int
                     ) -> tuple[list[Interface], dict[str, object]] | None:
        """IOS ``interface range Gi1/0/1 - 4 , Gi2/0/1`` (or ``... range macro NAME``), NX-OS
        ``interface Ethernet1/1-4, Ethernet1/7``, EOS ``interface Ethernet1-4,7``: the ports it
        names (created if new) and the ``inherited`` record their values will carry."""
        spec = body.split(None, 1)[1].strip()
        if words[1] == "range":
            spec = spec[5:].strip()
            label = spec
            if words[2:3] == ["macro"]:
                macro = self.macros.get(words[3]) if len(words) == 4 else None
                if macro is None:
                    self.warn(ln, "interface range macro is not defined before it is used", body)
                    return None
                spec = macro
        elif is_range_header("".join(words[1:])):
            label = spec
        else:
            return None  # `interface breakout ...`, `interface Gi0/0.1 point-to-point` ...
        try:
            names = self.expand_range(spec)
            self.range_ports += len(names)
            if self.range_ports > MAX_RANGE_PORTS_TOTAL:
                raise ValueError(f"more than {MAX_RANGE_PORTS_TOTAL} ports in all ranges")
        except ValueError as exc:
            self.warn(ln, f"cannot read interface range ({exc})", body)
            return None
        members = []
        for name in names:
            iface = self.dev.interfaces.get(name)
            if iface is None:
                iface = self.dev.interface(name, ln)
                iface.kind = interface_kind(name)  # type: ignore[assignment]
            members.append(iface)
        self.recognised += 1
        # `header`: the header as written (NX-OS/EOS have no `range` keyword), so a fix can
        # name the block it goes into
        header = f"interface range {label}" if words[1] == "range" else f"interface {label}"
        return members, {"kind": "interface-range", "name": label, "line": ln, "header": header}

    def expand_range(self, spec: str) -> list[str]:
        """``Gi1/0/20 - 24 , Gi2/0/1`` -> full port names; ValueError says what is wrong.

        An item without a type (EOS ``Ethernet1-4,7``) takes the type of the item before it;
        a range varies the last number only (``1/0/20-24``, ``1/1-1/4``)."""
        out: list[str] = []
        typ = ""
        for item in "".join(spec.split()).split(","):
            k = _first_digit(item)
            if k < 0:
                raise ValueError(f"no port number in {item!r}" if item else "empty item")
            if k:
                typ = self.resolve_type(item[:k])
            elif not typ:
                raise ValueError(f"no interface type before {item!r}")
            start, dash, end = item[k:].partition("-")
            cut = max(start.rfind("/"), start.rfind("."), start.rfind(":")) + 1
            base, first = start[:cut], start[cut:]
            if not first.isdecimal() or base.translate(_NOT_PORT_NUMBER_CHARS):
                raise ValueError(f"cannot read {item!r}")
            if not dash:
                out.append(typ + start)
                continue
            if not end.isdecimal():
                ecut = max(end.rfind("/"), end.rfind("."), end.rfind(":")) + 1
                if end[:ecut] != base or not end[ecut:].isdecimal():
                    raise ValueError(f"{item!r}: a range varies the last number only")
                end = end[ecut:]
            a, b = int(first), int(end)
            if a > b:
                raise ValueError(f"{item!r} runs backwards")
            if len(out) + b - a >= MAX_RANGE_PORTS:
                raise ValueError(f"more than {MAX_RANGE_PORTS} ports")
            prefix = typ + base
            out.extend(prefix + str(n) for n in range(a, b + 1))
        return out

    def resolve_type(self, typed: str) -> str:
        """An interface type as typed (``Gi``, ``gig``, ``Eth``, ``Po``) -> its full spelling:
        the spelling of a port already in the config, else the platform's own name (IOS
        abbreviation order), else as typed."""
        low = typed.lower()
        full = self.type_names.get(low)
        if full is not None:
            return full
        seen = {n.rstrip("0123456789/.:") for n in self.dev.interfaces}
        cands = sorted(t for t in seen if t.lower().startswith(low))
        if len(cands) != 1:
            agg = self.d.aggregate_prefix
            table = [agg if t == "Port-channel" else t for t in _TYPE_NAMES]
            known = [t for t in table if t.lower().startswith(low)]
            preferred = [t for t in known if t in cands] or known
            cands = preferred[:1] or cands[:1]
        full = cands[0] if cands else typed
        if len(self.type_names) < 64:
            self.type_names[low] = full
        return full

    def full_name(self, name: str) -> str:
        """``Gi1/0/3`` -> ``GigabitEthernet1/0/3`` when a range already created that port."""
        k = _first_digit(name)
        if k <= 0:
            return name
        full = self.resolve_type(name[:k]) + name[k:]
        return full if full in self.dev.interfaces else name

    def range_statement(self, members: list[Interface], src: dict[str, object], body: str,
                        ln: int) -> None:
        """Apply one statement of a range section to each of its ports; every field it sets
        remembers the range (``extra["inherited"][field] = src``) so a fix goes to the range.
        A warning about the statement is given once, not once per port."""
        sp = body.find(" ")
        if (body if sp < 0 else body[:sp]) not in PORT_KEYWORDS:
            return
        statement = self.interface_line
        try:
            for iface in members:
                statement(iface, body, ln)
                self.mute = True
                inherited = None
                for key, at in iface.lines.items():
                    if at == ln:
                        if inherited is None:
                            inherited = iface.extra.setdefault("inherited", {})
                        inherited[key] = src
                for traffic, sc in iface.storm_control.items():
                    if sc.line == ln:
                        inherited = iface.extra.setdefault("inherited", {})
                        inherited["storm_control." + traffic] = src
                        inherited["storm_control"] = src
        finally:
            self.mute = False

    def own_statement(self, iface: Interface, body: str, ln: int) -> None:
        """A statement in the port's own section after a range set the same field: the value
        is now the port's own, so its ``inherited`` record goes."""
        self.interface_line(iface, body, ln)
        inherited = iface.extra["inherited"]
        lines = iface.lines
        for key in list(inherited):
            if lines.get(key, ln) == ln and not key.startswith("storm_control"):
                del inherited[key]  # set (or cleared) by this statement of the port's own
        for traffic, sc in iface.storm_control.items():
            if sc.line == ln:
                inherited.pop("storm_control." + traffic, None)
        for key in [k for k in inherited if k.startswith("storm_control.")]:
            if key[14:] not in iface.storm_control:  # removed by `no storm-control ...`
                del inherited[key]
        if not any(k.startswith("storm_control.") for k in inherited):
            inherited.pop("storm_control", None)
        if not inherited:
            del iface.extra["inherited"]

    # -- skipping free text ----------------------------------------------------------------
    def skip_until(self, lines: Iterator[tuple[int, str]], start: int, end: str) -> None:
        """Consume lines up to and including the one that reads `end` (stripped); warn if it
        never comes. `start` is the line number of the statement that opened the block."""
        for _, line in lines:
            if line.strip() == end:
                return
        self.warn(start, f"block not terminated by {end!r} before the end of the text", "")

    def skip_banner(self, lines: Iterator[tuple[int, str]], start: int, body: str,
                    words: list[str]) -> None:
        """Consume the banner text that starts on line `start` (the ``banner`` statement).

        IOS/NX-OS: ``banner motd ^C`` ... ``^C`` (any delimiter character; ``^C`` is how IOS
        shows ETX). EOS: ``banner login`` then text then a line ``EOF``.
        """
        if len(words) < 2:
            return
        rest = body[6:].lstrip()[len(words[1]) :].lstrip()
        if not rest:
            if self.d.banner_ends_with_eof:
                self.skip_until(lines, start, "EOF")
            return
        if rest.startswith("^C"):
            delim, tail = "^C", rest[2:]
        else:
            delim, tail = rest[0], rest[1:]
        if delim in tail:
            return  # one-line banner
        for _, line in lines:
            if delim in line:
                return
        self.warn(start, "banner not terminated before the end of the text", body)

    # -- global statements -----------------------------------------------------------------
    def default_switchport(self, rest: list[str], on: bool, ln: int) -> None:
        # NX-OS `system default switchport` (ports are layer 2 unless they say `no switchport`);
        # `system default switchport shutdown`: layer-2 ports are admin down unless they say
        # `no shutdown` (kept as `default_switchport_shutdown`; effective.py applies both).
        self.recognised += 1
        if not rest:
            key = "default_switchport"
        elif rest == ["shutdown"]:
            key = "default_switchport_shutdown"
        else:
            return  # `system default switchport fabricpath` ...
        self.dev.extra[key] = on
        self.dev.lines[key] = ln

    def vlan_header(self, words: list[str], body: str, ln: int) -> list[Vlan] | None:
        if len(words) < 2 or not words[1][:1].isdigit():
            return None  # vlan internal allocation policy / configuration / access-map ...
        w1 = words[1]
        vid = int(w1) if len(words) == 2 and w1.isdecimal() and len(w1) <= 4 else 0
        if 1 <= vid <= 4094:  # `vlan 10`: the common case, read as parse_vlan_list would
            # run() reads this header from _HEADERS when it comes again (here or in
            # another config): no split, no call
            self.remember(_HEADERS, body, vid)
            self.recognised += 1
            v = self.dev.vlans.get(vid)
            if v is None:
                v = self.dev.vlans[vid] = Vlan(vid, None, ln)
            return [v]
        try:
            ids = parse_vlan_list(",".join(words[1:]))
        except ValueError as exc:
            self.warn(ln, f"cannot read VLAN list ({exc})", body)
            return None
        self.recognised += 1
        vlans = self.dev.vlans
        if len(ids) == 1:  # `vlan 10`: the common case
            vid = next(iter(ids))
            v = vlans.get(vid)
            if v is None:
                v = vlans[vid] = Vlan(vid, None, ln)
            return [v]
        out = []
        for vid in ids:
            v = vlans.get(vid)
            if v is None:
                v = vlans[vid] = Vlan(vid, None, ln)
            out.append(v)
        return out

    def global_stp(self, w: list[str], neg: bool, body: str, ln: int) -> None:
        stp = self.dev.stp
        d = self.d
        self.recognised += 1
        if not w:
            if neg and d.stp_can_be_off:
                stp.set("enabled", False, ln)
            return
        w0 = w[0]
        if w0 not in _GLOBAL_STP_WORDS:
            self.warn(ln, "unrecognised spanning-tree statement", body)
            return
        if w0 == "mode" and len(w) > 1 and not neg:
            stp.set("mode", w[1], ln)
            if w[1] == "none" and d.stp_can_be_off:
                stp.set("enabled", False, ln)
            return
        if w0 in ("vlan", "vlan-id") and neg:
            if len(w) != 2:
                return  # `no spanning-tree vlan 10 priority` etc.: not about STP being off
            try:
                ids = parse_vlan_list(w[1])
            except ValueError as exc:
                self.warn(ln, f"cannot read VLAN list ({exc})", body)
                return
            if "disabled_vlans" not in stp.lines:
                stp.lines["disabled_vlans"] = ln
            stp.disabled_vlans = stp.disabled_vlans | ids
            return
        if w[-1] != "default":
            if w0 in ("portfast", "edge-port", "loopguard"):
                self.warn(ln, "unrecognised spanning-tree statement", body)
            return
        core = w[:-1]
        on = not neg
        if "loopguard" in core or core == ["guard", "loop"]:
            stp.set("loop_guard_default", on, ln)
        elif "bpduguard" in core:
            stp.set("bpdu_guard_default", on, ln)
        elif "bpdufilter" in core:
            stp.set("bpdu_filter_default", on, ln)
        elif "network" in core or "normal" in core:
            if on:
                stp.set("edge_default", False, ln)
                self.dev.extra["port_type_default"] = core[-1]
        elif (core and core[0] in ("portfast", "port", "edge-port")
              and set(core) <= _EDGE_DEFAULT_WORDS and (core[0] != "port" or "edge" in core)):
            # portfast [edge] default / port type edge [trunk] default / edge-port default
            stp.set("edge_default", on, ln)
            if on and ("trunk" in core or d.portfast_covers_trunks):
                stp.set("edge_default_trunk", True, ln)
        elif core and core[0] not in ("bpdu", "rate-limit", "link-type", "guard"):
            self.warn(ln, "unrecognised spanning-tree default", body)

    # -- interface statements --------------------------------------------------------------
    def interface_line(self, iface: Interface, body: str, ln: int) -> None:
        """Apply one port statement (see :mod:`stormguard.parsers._cisco_port`)."""
        plan = self.plans.get(body, _UNSEEN)
        if plan is _UNSEEN:
            plan = compile_port(body, self.d)
            self.remember(self.plans, body, plan)
        if plan is not None:
            plan[0](self, iface, ln, plan[1])

    @staticmethod
    def remember(cache: dict[str, Any], key: str, value: object) -> None:
        """Keep `value` for the next config too; the cache is emptied when it grows past
        :data:`_PLAN_CACHE_SIZE` (one-off lines, such as most descriptions, come and go)."""
        if len(cache) >= _PLAN_CACHE_SIZE:
            cache.clear()
        cache[key] = value

    # -- after the last line ---------------------------------------------------------------
    def finish(self) -> None:
        dev = self.dev
        if not self.recognised:
            raise InputError(
                f"{dev.source or 'input'}: no {PLATFORM_NAMES[self.d.platform]} configuration "
                "statements found (no hostname, interface, vlan or spanning-tree lines)"
            )
        # channel_group: use the aggregate's own spelling when the config defines it.
        members = [i for i in dev.interfaces.values() if i.channel_group]
        if members:
            by_lower = {n.lower(): n for n, i in dev.interfaces.items() if i.kind == "aggregate"}
            for m in members:
                name = by_lower.get(m.channel_group.lower(), m.channel_group)  # type: ignore[union-attr]
                m.channel_group = name
                agg = dev.interfaces.get(name)
                if agg is not None:
                    agg.extra.setdefault("members", []).append(m.name)




