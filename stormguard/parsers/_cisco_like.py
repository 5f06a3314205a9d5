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
  system default switchport``; its line in ``Device.lines``), ``port_type_default``
  (``network``/``normal`` from ``spanning-tree port type|portfast network default``).
* ``Interface.extra``: ``allowed_vlans_lines`` (every line that built the current allowed list,
  in order -- ``lines["allowed_vlans"]`` is the first), ``switchport_mode`` (a mode other than
  access/trunk: ``dynamic desirable``, ``fex-fabric`` ...), ``native_vlan_tagged`` (EOS/IOS
  ``native vlan tag``), ``voice_vlan``, ``lacp_mode``, ``members`` (on an aggregate: its member
  ports), ``port_type`` (``network``/``normal``), ``vrf``, ``vpc`` / ``vpc_peer_link`` (NX-OS),
  ``storm_control_from_all`` (EOS: classes set by ``storm-control all``).

Robustness is part of the contract (see :mod:`stormguard.parsers`): banner text and certificate
hex are skipped without being read as commands, statements nested deeper than a section's own
statements (``hsrp 1`` / ``   shutdown``) are not mistaken for port settings, and a statement we
recognise but cannot read becomes a ``Device.warnings`` entry with its line number -- never an
exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath

from stormguard.errors import InputError
from stormguard.model import PLATFORM_NAMES, Device, Interface, StormControl, Vlan
from stormguard.vlans import VlanSet

# Traffic classes as the configs spell them -> the model's names.
_STORM_CLASSES: dict[str, tuple[str, ...]] = {
    "broadcast": ("broadcast",),
    "multicast": ("multicast",),
    "unicast": ("unknown-unicast",),
    "unknown-unicast": ("unknown-unicast",),
    "all": ("broadcast", "multicast", "unknown-unicast"),  # EOS
}
_STORM_ACTIONS = frozenset({"shutdown", "trap"})
_SUFFIX = {"k": 1e3, "m": 1e6, "g": 1e9}

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
#: First words of the port statements read here (``no`` for their negated forms).
_PORT_KEYWORDS = frozenset(
    {
        "description", "no", "shutdown", "switchport", "spanning-tree", "storm-control",
        "channel-group", "vrf", "ip", "vpc",
    }
)
_MGMT_VRFS = frozenset({"mgmt-vrf", "mgmt-intf", "management", "mgmt"})


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


@lru_cache(maxsize=256)
def parse_number(token: str) -> float | None:
    """``10.00`` -> 10.0, ``2k`` -> 2000.0, ``1.5m`` -> 1500000.0; None if unreadable.

    Memoised: a config repeats the same few levels on hundreds of ports, and the ``2k`` form
    costs a caught exception each time it is read afresh.
    """
    try:
        value = float(token)
    except ValueError:
        mult = _SUFFIX.get(token[-1:].lower())
        if mult is None:
            return None
        try:
            value = float(token[:-1]) * mult
        except ValueError:
            return None
    if not 0 <= value < _INF:  # negative, inf, NaN
        return None
    return value


_INF = float("inf")


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
    if len(parts) == 2 and parts[0][-1].isalpha() and parts[1][:1].isdigit():
        return parts[0] + parts[1]
    return None


# ----------------------------------------------------------------------------------------------


class _Parser:
    """One pass over the lines; state is the current section (an interface or VLAN block)."""

    def __init__(self, dialect: Dialect, source: str) -> None:
        self.d = dialect
        fallback = PurePath(source).stem if source else "unknown"
        self.dev = Device(hostname=fallback or "unknown", platform=dialect.platform, source=source)
        self.recognised = 0

    def warn(self, ln: int, what: str, body: str) -> None:
        snippet = body if len(body) <= 120 else body[:117] + "..."
        self.dev.warnings.append(f"line {ln}: {what}" + (f": {snippet}" if snippet else ""))

    # -- the main loop ---------------------------------------------------------------------
    def run(self, text: str) -> Device:
        if text.startswith("\ufeff"):  # a BOM from a Windows editor
            text = text[1:]
        # One iterator over (line number, text): the loop and the free-text skippers (banners,
        # macros) consume from it, so a skipped block is never looked at twice.
        lines = enumerate(split_lines(text), 1)
        port_statement = self.interface_line
        iface: Interface | None = None  # current `interface` section
        vlans: list[Vlan] | None = None  # current `vlan` section
        child_indent = 0  # indent of the section's own statements; deeper = nested, ignored
        for i, raw in lines:
            if not raw:
                continue
            c = raw[0]
            if c == " " or c == "\t":
                if iface is None and vlans is None:
                    continue  # body of a section we do not read (line, router, crypto ...)
                body = raw.lstrip(" \t")
                indent = len(raw) - len(body)
                body = body.rstrip()
                if not body or body[0] == "!":
                    continue
                if child_indent == 0 or indent < child_indent:
                    child_indent = indent
                elif indent > child_indent:
                    continue  # nested deeper (hsrp/vrrp/service-policy blocks ...)
                if iface is not None:
                    port_statement(iface, body, i)
                elif body.startswith("name ") and vlans:
                    name = body[5:].strip()
                    for v in vlans:
                        v.set("name", name, i)
                continue

            # A column-0 statement ends the current section.
            iface = None
            vlans = None
            child_indent = 0
            body = raw.rstrip()
            if c == "!" or not body:
                continue
            words = body.split()
            w0 = words[0]
            if w0 == "interface":
                name = _interface_name(body[9:]) if len(words) > 1 else None
                if name is not None:
                    iface = self.dev.interface(name, i)
                    iface.kind = interface_kind(name)  # type: ignore[assignment]
                    self.recognised += 1
            elif w0 == "vlan":
                vlans = self.vlan_header(words, body, i)
            elif w0 == "spanning-tree":
                self.global_stp(words[1:], False, body, i)
            elif w0 == "no":
                if len(words) > 1 and words[1] == "spanning-tree":
                    self.global_stp(words[2:], True, body, i)
                elif words[1:3] == ["system", "default"] and words[3:4] == ["switchport"]:
                    self.default_switchport(words[4:], False, i)
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
        self.finish()
        return self.dev

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
        # `system default switchport shutdown` is about admin state, not layer 2.
        if rest:
            return
        self.dev.extra["default_switchport"] = on
        self.dev.lines["default_switchport"] = ln

    def vlan_header(self, words: list[str], body: str, ln: int) -> list[Vlan] | None:
        if len(words) < 2 or not words[1][:1].isdigit():
            return None  # vlan internal allocation policy / configuration / access-map ...
        try:
            ids = parse_vlan_list(",".join(words[1:]))
        except ValueError as exc:
            self.warn(ln, f"cannot read VLAN list ({exc})", body)
            return None
        self.recognised += 1
        out = []
        for vid in ids:
            v = self.dev.vlans.get(vid)
            if v is None:
                v = self.dev.vlans[vid] = Vlan(vid=vid, line=ln)
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
            return
        core = w[:-1]
        on = not neg
        if "loopguard" in core:
            stp.set("loop_guard_default", on, ln)
        elif "bpduguard" in core:
            stp.set("bpdu_guard_default", on, ln)
        elif "bpdufilter" in core:
            stp.set("bpdu_filter_default", on, ln)
        elif "network" in core or "normal" in core:
            if on:
                stp.set("edge_default", False, ln)
                self.dev.extra["port_type_default"] = core[-1]
        elif core and core[0] in ("portfast", "port", "edge-port"):
            # portfast [edge] default / port type edge [trunk] default / edge-port default
            stp.set("edge_default", on, ln)
            if on and ("trunk" in core or d.portfast_covers_trunks):
                stp.set("edge_default_trunk", True, ln)

    # -- interface statements --------------------------------------------------------------
    def interface_line(self, iface: Interface, body: str, ln: int) -> None:
        # Cheap first-word filter: most port statements (ip, cdp, speed ...) are not ours.
        sp = body.find(" ")
        first = body if sp < 0 else body[:sp]
        if first not in _PORT_KEYWORDS:
            return
        if first == "description":
            if sp > 0:
                iface.set("description", body[sp + 1 :].strip(), ln)
            return
        neg = first == "no"
        words = body.split()
        if neg:
            words = words[1:]
            if not words:
                return
        w0 = words[0]
        if w0 == "shutdown":
            if len(words) == 1:
                iface.set("shutdown", not neg, ln)
        elif w0 == "switchport":
            self.switchport(iface, words, neg, body, ln)
        elif w0 == "spanning-tree":
            self.port_stp(iface, words[1:], neg, body, ln)
        elif w0 == "storm-control":
            if not neg:
                self.storm_control(iface, words[1:], body, ln)
        elif w0 == "channel-group":
            if not neg and len(words) > 1:
                num = words[1]
                if num.isdigit():
                    iface.set("channel_group", self.d.aggregate_prefix + num, ln)
                    if "mode" in words[2:-1]:
                        iface.extra["lacp_mode"] = words[words.index("mode", 2) + 1]
                else:
                    self.warn(ln, "cannot read channel-group number", body)
        elif w0 in ("vrf", "ip") and not neg:
            # IOS-XE `vrf forwarding Mgmt-vrf`, NX-OS `vrf member management`, EOS `vrf MGMT`,
            # old IOS `ip vrf forwarding X`: a port in the management VRF is a management port.
            if w0 == "ip":
                if len(words) >= 3 and words[1] == "address" and iface.switched is None:
                    # A port with an IP address is routed (a router's, or a routed port whose
                    # `no switchport` the platform does not print).
                    iface.set("switched", False, ln)
                    return
                if len(words) != 4 or words[1:3] != ["vrf", "forwarding"]:
                    return
                vrf = words[3]
            elif len(words) == 2 or (len(words) == 3 and words[1] in ("forwarding", "member")):
                vrf = words[-1]
            else:
                return
            iface.extra["vrf"] = vrf
            if vrf.lower() in _MGMT_VRFS and iface.kind == "physical":
                iface.set("kind", "management", ln)
        elif w0 == "vpc" and not neg:
            if words[1:2] == ["peer-link"]:
                iface.extra["vpc_peer_link"] = True
            elif len(words) > 1:
                iface.extra["vpc"] = words[1]

    def switchport(self, iface: Interface, w: list[str], neg: bool, body: str, ln: int) -> None:
        if len(w) == 1:
            iface.set("switched", not neg, ln)
            return
        if neg:
            return
        w1 = w[1]
        if w1 == "mode":
            if len(w) < 3:
                return
            mode = w[2]
            if mode in ("access", "trunk"):
                iface.set("mode", mode, ln)
            else:  # dynamic auto|desirable, private-vlan, dot1q-tunnel, fex-fabric ...
                iface.extra["switchport_mode"] = " ".join(w[2:])
                iface.lines["switchport_mode"] = ln
        elif w1 == "access":
            if len(w) != 4 or w[2] != "vlan":
                return
            vid = _vlan_id(w[3])
            if vid is None:
                self.warn(ln, "cannot read access VLAN", body)
                return
            iface.set("access_vlan", vid, ln)
        elif w1 == "trunk":
            if len(w) < 4 or w[3] != "vlan":
                return
            if w[2] == "allowed":
                if len(w) < 5:
                    self.warn(ln, "allowed VLAN list missing", body)
                    return
                if not self.allowed_vlans(iface, w[4:], body, ln):
                    return
            elif w[2] == "native":
                if len(w) != 5:
                    return
                if w[4] == "tag":
                    iface.extra["native_vlan_tagged"] = True
                    return
                vid = _vlan_id(w[4])
                if vid is None:
                    self.warn(ln, "cannot read native VLAN", body)
                    return
                iface.set("native_vlan", vid, ln)
        elif w1 == "voice" and len(w) == 4 and w[2] == "vlan":
            iface.extra["voice_vlan"] = w[3]
        else:
            return
        if iface.switched is None:
            # A port that takes switchport mode/access/trunk statements is a layer-2 port.
            iface.set("switched", True, ln)

    def allowed_vlans(self, iface: Interface, rest: list[str], body: str, ln: int) -> bool:
        """Apply one `switchport trunk allowed vlan ...` statement on top of the ones before.

        ``show running-config`` wraps a long list into further ``... allowed vlan add`` lines,
        so statements are applied in order. With no list yet the trunk carries every VLAN,
        so ``add``/``remove`` start from all (as the switch itself does).
        """
        op = rest[0]
        cur = iface.allowed_vlans
        try:
            if op in ("add", "remove", "except"):
                if len(rest) < 2:
                    raise ValueError(f"nothing after {op!r}")
                arg = parse_vlan_list(",".join(rest[1:]))
                if op == "except":
                    new, restart = VlanSet.all().except_(arg), True
                else:
                    base = VlanSet.all() if cur is None else cur
                    new = base.add(arg) if op == "add" else base.remove(arg)
                    restart = cur is None
            else:
                new, restart = parse_vlan_list(",".join(rest)), True
        except ValueError as exc:
            self.warn(ln, f"cannot read VLAN list ({exc})", body)
            return False
        history = iface.extra.get("allowed_vlans_lines")
        if restart or history is None:
            iface.extra["allowed_vlans_lines"] = history = []
            iface.lines["allowed_vlans"] = ln
        history.append(ln)
        iface.allowed_vlans = new
        return True

    def port_stp(self, iface: Interface, w: list[str], neg: bool, body: str, ln: int) -> None:
        if not w:
            if neg:  # `no spanning-tree` on a port
                iface.set("stp_disabled", True, ln)
            return
        w0 = w[0]
        if w0 == "disable":
            iface.set("stp_disabled", not neg, ln)
        elif w0 == "portfast":
            self.edge(iface, w[1:], neg, body, ln)
        elif w0 == "port":
            if len(w) >= 3 and w[1] == "type":
                self.edge(iface, w[2:], neg, body, ln)
        elif w0 in ("bpduguard", "bpdufilter"):
            field = "bpdu_guard" if w0 == "bpduguard" else "bpdu_filter"
            arg = w[1] if len(w) > 1 else ""
            if neg:
                iface.set(field, None, ln)
            elif arg == "enable":
                iface.set(field, True, ln)
            elif arg == "disable":
                iface.set(field, False, ln)
            else:
                self.warn(ln, f"cannot read {w0} setting", body)
        elif w0 == "guard":
            arg = w[1] if len(w) > 1 else ""
            if neg or arg == "none":
                iface.set("root_guard", False, ln)
                iface.set("loop_guard", False, ln)
            elif arg == "root":
                iface.set("root_guard", True, ln)
            elif arg == "loop":
                iface.set("loop_guard", True, ln)
            else:
                self.warn(ln, "cannot read spanning-tree guard", body)

    def edge(self, iface: Interface, w: list[str], neg: bool, body: str, ln: int) -> None:
        """portfast [edge] [trunk] | disable | network | normal | auto; port type edge [trunk]."""
        if neg:
            self.not_edge(iface, False, ln)
            return
        if not w:
            # IOS `spanning-tree portfast`: access ports only; EOS: every port, trunks too.
            iface.set("edge", True, ln)
            if self.d.portfast_covers_trunks:
                iface.set("edge_trunk", True, ln)
            return
        w0 = w[0]
        if w0 in ("edge", "trunk"):
            iface.set("edge", True, ln)
            if "trunk" in w or self.d.portfast_covers_trunks:
                iface.set("edge_trunk", True, ln)
        elif w0 in ("disable", "network", "normal"):
            self.not_edge(iface, False, ln)
            if w0 != "disable":
                iface.extra["port_type"] = w0
        elif w0 == "auto":
            self.not_edge(iface, None, ln)  # EOS: decided at run time; treated as not configured
        else:
            self.warn(ln, "cannot read spanning-tree edge setting", body)

    @staticmethod
    def not_edge(iface: Interface, value: bool | None, ln: int) -> None:
        """A later statement undoes an earlier ``portfast trunk``: the last one wins."""
        iface.set("edge", value, ln)
        if iface.edge_trunk:
            iface.set("edge_trunk", False, ln)

    def storm_control(self, iface: Interface, w: list[str], body: str, ln: int) -> None:
        if not w:
            return
        w0 = w[0]
        if w0 == "action":
            acts = [a for a in w[1:] if a in _STORM_ACTIONS]
            if not acts:
                self.warn(ln, "cannot read storm-control action", body)
                return
            if not iface.storm_actions:
                iface.lines["storm_actions"] = ln
            iface.storm_actions.update(acts)
            return
        classes = _STORM_CLASSES.get(w0)
        if classes is None or len(w) < 2 or w[1] != "level":
            return  # `storm-control broadcast include multicast` and the like
        rest = w[2:]
        unit = "percent"
        if rest and rest[0] in ("bps", "pps"):
            unit, rest = rest[0], rest[1:]
        level = parse_number(rest[0]) if rest else None
        falling = parse_number(rest[1]) if len(rest) > 1 else None
        if (
            level is None
            or len(rest) > 2
            or (len(rest) == 2 and falling is None)
            or (unit == "percent" and level > 100)
        ):
            self.warn(ln, "cannot read storm-control level", body)
            return
        # EOS `storm-control all` fills in the classes that have no statement of their own; a
        # per-class statement wins over it whatever the order.
        # (A list, not a set, so `extra` stays JSON-serialisable.)
        from_all: list[str] | None = iface.extra.get("storm_control_from_all")
        if w0 == "all" and from_all is None:
            from_all = iface.extra["storm_control_from_all"] = []
        for traffic in classes:
            if w0 == "all":
                if traffic in iface.storm_control and traffic not in from_all:  # type: ignore[operator]
                    continue
                if traffic not in from_all:  # type: ignore[operator]
                    from_all.append(traffic)  # type: ignore[union-attr]
            elif from_all and traffic in from_all:
                from_all.remove(traffic)
            lines = {"level": ln, "unit": ln}
            if falling is not None:
                lines["falling"] = ln
            iface.storm_control[traffic] = StormControl(
                traffic=traffic,  # type: ignore[arg-type]
                level=level,
                unit=unit,  # type: ignore[arg-type]
                falling=falling,
                line=ln,
                lines=lines,
            )

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


def parse_vlan_list(text: str) -> VlanSet:
    """Read a Cisco-style VLAN list (``10,20-30``) without regular expressions.

    This is the hot path for wrapped trunk lists, so it does the least work that is still
    safe: anything unusual (spaces, ``all``, ``none``, junk, reversed ranges, out-of-range IDs)
    goes to :meth:`VlanSet.parse`, which reads every spelling and raises a clear error.
    """
    if text.translate(_NOT_LIST_CHARS):  # something besides digits, commas and dashes
        return VlanSet.parse(text)
    mask = 0
    try:
        for tok in text.split(","):
            if "-" in tok:
                lo, _, hi = tok.partition("-")
                a, b = int(lo), int(hi)
                if a > b or b > 4094:  # also keeps a huge ID from allocating a huge int
                    raise ValueError(tok)
                mask |= (1 << b + 1) - (1 << a)
            else:
                a = int(tok)
                if a > 4094:
                    raise ValueError(tok)
                mask |= 1 << a
    except ValueError:
        return VlanSet.parse(text)
    if mask & 1:  # VLAN 0
        return VlanSet.parse(text)
    return VlanSet(mask, False)


_NOT_LIST_CHARS = str.maketrans("", "", "0123456789,-")


def _vlan_id(tok: str) -> int | None:
    if tok.isdigit() and len(tok) <= 4:
        vid = int(tok)
        if 1 <= vid <= 4094:
            return vid
    return None
