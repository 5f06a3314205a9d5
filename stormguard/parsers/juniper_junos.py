"""Juniper Junos (EX/QFX, ELS and non-ELS): ``show configuration`` in curly-brace form or
``show configuration | display set``.

How it works: both forms are first flattened into *statements* -- a token path plus the line it
came from, the same shape as a ``set`` line (``interfaces ge-0/0/1 unit 0 family
ethernet-switching interface-mode trunk``). In curly-brace form a block header and each leaf
statement become one statement each, with the line of that header or leaf; ``inactive:``
subtrees, ``/* annotations */``, ``## comments``, ``apply-groups`` and the ``groups`` hierarchy
are dropped; in set form ``deactivate`` lines drop what they name. One interpreter then reads the
statements, so the two forms cannot drift apart.

References are resolved after the last statement, because Junos lets them come in any order:

* VLAN names in ``vlan members`` are looked up in ``vlans { NAME { vlan-id N; } }`` (IDs, ranges
  ``10-20`` and ``all`` are taken as they are; an unknown name is a ``Device.warnings`` entry);
  ``vlans NAME interface ge-0/0/1.0`` (non-ELS) adds membership the other way round;
* a storm-control profile named on a port (``family ethernet-switching storm-control SC``) is
  looked up in ``forwarding-options storm-control-profiles``. The StormControl's ``line`` is the
  port's line, its ``lines["level"]`` the profile's bandwidth line. ``bandwidth-percentage`` is
  percent, ``bandwidth-level`` kbit/s (stored as bps); a profile without either uses the Junos
  default of 80 %. ``no-broadcast`` etc. exclude classes; ``action-shutdown`` -> "shutdown";
* non-ELS ``ethernet-switching-options storm-control interface X|all`` (``level`` %, ``bandwidth``
  kbit/s; broadcast and unknown unicast, multicast only with ``multicast``) and
  ``action-shutdown``;
* ``interface all`` under ``protocols rstp|mstp|vstp`` applies to every switched port that has
  no ``interface X`` stanza of its own in that protocol (Junos: the port's own stanza replaces
  ``all`` for it); ``interface all edge`` is recorded as the global edge default, and a port with
  its own stanza but no ``edge`` gets ``edge = False`` (the stanza's line). ``bpdu-block
  interface all`` reaches every switched port.

Platform facts the model needs:

* the model's interface is the physical port (``ge-0/0/1``); unit 0's ``family
  ethernet-switching`` makes it switched (mode ``access`` unless ``interface-mode``/``port-mode``
  says ``trunk``), ``family inet``/``inet6``/... makes it routed; ``irb``/``vlan`` units become
  ``irb.10``-style VLAN interfaces; ``ae`` interfaces are aggregates and ``ether-options 802.3ad
  ae0`` makes a member;
* a trunk with no ``vlan members`` carries no tagged VLAN (only its native VLAN, if any): it is
  recorded as that set with no source line and ``extra["allowed_vlans_default"] = True``, never
  ``None`` ("all"), so SG101 does not fire on it;
* spanning tree runs only if ``protocols rstp``, ``mstp``, ``vstp`` (or ``stp``) exists, and not
  when that protocol says ``disable``; the mode is the protocol's name. Per port ``edge`` (it
  applies to trunks too), ``disable``, ``no-root-port`` (root guard), ``bpdu-timeout-action``
  (loop protection); ``bpdu-block-on-edge`` is the global BPDU guard for edge ports;
  ``layer2-control bpdu-block interface X`` (ELS) or ``ethernet-switching-options bpdu-block
  interface X`` (non-ELS) is BPDU guard on X.
* ``interface-range NAME { member ...; member-range A to B; ... }`` settings are copied to each
  member that does not set them itself.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePath

from stormguard.errors import InputError
from stormguard.model import Device, Interface, StormControl, Vlan
from stormguard.parsers._vrp_like import parse_vlans
from stormguard.vlans import VlanSet, VlanSyntaxError

PLATFORM = "juniper_junos"

_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')
_STP_PROTOCOLS = frozenset({"rstp", "mstp", "vstp", "stp"})
_STORM_CLASS_OFF = {
    "no-broadcast": "broadcast",
    "no-multicast": "multicast",
    "no-registered-multicast": None,  # part of multicast; `no-multicast` turns all of it off
    "no-unregistered-multicast": None,
    "no-unknown-unicast": "unknown-unicast",
}
_MARKS = frozenset({"inactive:", "replace:", "protect:", "delete:"})
_SIMPLE = re.compile(r'[^{};"]*[{;]')  # one statement or block header, nothing quoted
_PIECES = re.compile(r'"(?:[^"\\]|\\.)*"?|[{};]|[^\s{};"]+')
_KINDS = (
    ("ae", "aggregate"),
    ("irb", "vlan"),
    ("vlan", "vlan"),
    ("lo", "loopback"),
    ("em", "management"),
    ("me", "management"),
    ("fxp", "management"),
    ("vme", "management"),
    ("gr-", "tunnel"),
    ("ip-", "tunnel"),
    ("lt-", "tunnel"),
    ("vtep", "tunnel"),
)
_MAX_DEPTH = 64  # real configurations nest about a dozen levels
_MAX_RANGE_MEMBERS = 4096  # more ports than any chassis has: a typo or garbage, not a config
_BPDU_BLOCK = ("bpdu-block", "interface")
_RANGE_MEMBER = re.compile(r"^(.*)\[([0-9,\- ]+)\]$")

Statement = tuple[tuple[str, ...], int]


@lru_cache(maxsize=4096)
def _kind(name: str) -> str:
    for prefix, kind in _KINDS:
        if name.startswith(prefix) and (
            len(name) == len(prefix) or not name[len(prefix)].isalpha()
        ):
            return kind
    return "physical"


def _tokens(text: str) -> tuple[str, ...]:
    if '"' in text:  # quoted strings are taken whole; brackets are list syntax only outside
        out: list[str] = []
        for quoted, bare in _QUOTED.findall(text):
            if bare:
                out.extend(_clean([bare]))
            else:
                out.append(quoted)
        return tuple(out)
    else:
        toks = text.split()
        if "[" not in text and "]" not in text:
            return tuple(toks)
    return _clean(toks)


def _split_lines(text: str) -> list[str]:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def _strip_comment(s: str) -> str:
    """Drop a trailing ``## SECRET-DATA``-style comment that is not inside quotes."""
    idx = s.find(" ##")
    if idx >= 0 and s.count('"', 0, idx) % 2 == 0:
        return s[:idx].rstrip()
    return s


def _clean(toks: list[str]) -> tuple[str, ...]:
    out = []
    for t in toks:
        if t in ("[", "]"):
            continue
        if t.startswith("[") and len(t) > 1:
            t = t[1:]
        if t.endswith("]") and len(t) > 1 and "[" not in t:
            t = t[:-1]
        out.append(t)
    return tuple(out)


def flatten(text: str) -> tuple[list[Statement], list[str]]:
    """Both configuration forms -> statements (token path, 1-based line); also warnings.

    ``show configuration`` prints one statement per line, which takes a fast path; anything else
    (several statements on a line, a list wrapped over lines, hand-written compact snippets in a
    pre-change review) goes through a small tokenizer that splits on ``{``, ``}`` and ``;``
    outside quotes. A statement's line is the line it starts on."""
    stmts: list[Statement] = []
    warnings: list[str] = []
    deactivated: list[tuple[str, ...]] = []
    stack: list[tuple[tuple[str, ...], bool]] = []  # (header path, inactive)
    path: tuple[str, ...] = ()
    inactive_depth = 0  # number of inactive blocks on the stack
    in_comment = False
    cur: list[str] = []  # tokens of a statement not finished on its first line
    cur_line = 0
    ln = 0
    too_deep = False

    def prefix(toks: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
        if toks and toks[0] in _MARKS:
            return toks[1:], toks[0] == "inactive:"
        return toks, False

    for ln, raw in enumerate(_split_lines(text), 1):
        s = raw.strip()
        if in_comment:
            if "*/" in s:
                in_comment = False
            continue
        if not s:
            continue
        c0 = s[0]
        if c0 == "#":
            continue
        if c0 == "/" and s.startswith("/*"):
            if "*/" not in s:
                in_comment = True
            continue
        if not stack and not cur:
            if c0 == "s" and s.startswith("set "):
                stmts.append((_tokens(s[4:]), ln))
                continue
            if c0 == "d" and s.startswith("deactivate "):
                deactivated.append(_tokens(s[11:]))
                continue
            if s.startswith(("activate ", "delete ", "insert ", "rename ", "annotate ")):
                continue
        if "##" in s:
            s = _strip_comment(s)
            if not s:
                continue
        # fast path: exactly one statement, header or closing brace on this line
        if not cur and s == "}":
            pieces = [("}", (), False, ln)]
        elif not cur and _SIMPLE.fullmatch(s):
            toks, inactive = prefix(_tokens(s[:-1]))
            pieces = [(s[-1], toks, inactive, ln)]
        else:
            pieces = []
            for m in _PIECES.finditer(s):
                tok = m.group(0)
                if tok in ("{", ";", "}"):
                    toks, inactive = prefix(_clean(cur))
                    pieces.append((tok, toks, inactive, cur_line or ln))
                    cur = []
                    cur_line = 0
                else:
                    if not cur:
                        cur_line = ln
                    cur.append(tok[1:-1] if tok[0] == '"' and len(tok) > 1 else tok)
            if cur:
                # Junos wraps nothing but `[ ... ]` lists; any other unfinished text (a CLI
                # prompt, `{master:0}` noise, a truncated line) is not part of a statement.
                opened = sum(t.count("[") - t.count("]") for t in cur)
                if opened <= 0:
                    cur = []
                    cur_line = 0
        for kind, toks, inactive, where in pieces:
            if kind == "{":
                if not toks:
                    toks = ("?",)
                if len(stack) >= _MAX_DEPTH:  # no real hierarchy is this deep: skip its content
                    if not too_deep:
                        warnings.append(f"line {where}: blocks nested deeper than {_MAX_DEPTH}")
                        too_deep = True
                    inactive = True
                else:
                    path = path + toks
                stack.append((path, inactive))
                if inactive:
                    inactive_depth += 1
                elif inactive_depth == 0:
                    stmts.append((path, where))
            elif kind == ";":
                if toks and not inactive and not inactive_depth:
                    stmts.append((path + toks, where))
            elif stack:  # "}"
                if toks and not inactive and not inactive_depth:
                    stmts.append((path + toks, where))  # a last statement missing its `;`
                _, was_inactive = stack.pop()
                if was_inactive:
                    inactive_depth -= 1
                path = stack[-1][0] if stack else ()
            else:
                warnings.append(f"line {where}: unbalanced closing brace")
    if stack:
        warnings.append(f"line {ln}: the configuration ends inside {len(stack)} unclosed block(s)")
    if deactivated:  # drop every statement under a deactivated path
        gone = set(deactivated)
        sizes = sorted({len(d) for d in gone})
        stmts = [st for st in stmts if not any(st[0][:k] in gone for k in sizes)]
    return stmts, warnings  # `groups` statements are left to the reader to ignore


class _Port:
    """Per-port references resolved after the last statement."""

    __slots__ = ("family_line", "members", "nonsw_line", "storm_profile", "stp_stanza")

    def __init__(self) -> None:
        self.members: list[tuple[tuple[str, ...], int]] = []  # vlan members tokens + line
        self.family_line: int | None = None  # `family ethernet-switching`
        self.nonsw_line: int | None = None  # another family (inet, inet6, ...)
        self.storm_profile: tuple[str, int] | None = None
        self.stp_stanza: dict[str, int] = {}  # protocol -> line of its own `interface X`


class JunosParser:
    def __init__(self, source: str) -> None:
        fallback = PurePath(source).stem if source else "unknown"
        self.dev = Device(hostname=fallback or "unknown", platform=PLATFORM, source=source)
        self.recognised = 0
        self.ports: dict[str, _Port] = {}
        self.vlan_names: dict[str, int] = {}
        self.vlan_ifaces: list[tuple[str, str, int]] = []  # (vlan name, interface, line)
        self.profiles: dict[str, dict] = {}
        self.stp_line: int | None = None
        self.stp_off_line: int | None = None
        # `interface all` settings: attr -> (value, line, protocol or "" outside STP)
        self.all_port: dict[str, tuple[object, int, str]] = {}
        self.edge_all_proto = ""
        self.noels_storm: dict[str, dict] = {}  # non-ELS storm-control per interface / all
        self.noels_shutdown: int | None = None
        self.ranges: dict[str, Interface] = {}
        self.range_members: dict[str, list[str]] = {}
        self.resolved: dict[tuple[str, ...], VlanSet] = {}  # vlan members -> VLANs

    def warn(self, ln: int, what: str, body: str = "") -> None:
        snippet = body if len(body) <= 120 else body[:117] + "..."
        self.dev.warnings.append(f"line {ln}: {what}" + (f": {snippet}" if snippet else ""))

    def port(self, name: str) -> _Port:
        p = self.ports.get(name)
        if p is None:
            p = self.ports[name] = _Port()
        return p

    # -- statements ----------------------------------------------------------------------
    def run(self, text: str) -> Device:
        stmts, warnings = flatten(text)
        self.dev.warnings.extend(warnings)
        for toks, ln in stmts:
            if not toks:
                continue
            t0 = toks[0]
            try:
                if t0 == "interfaces" and len(toks) >= 2:
                    self.recognised += 1
                    self.interface(toks[1], toks[2:], ln)
                elif t0 == "vlans" and len(toks) >= 2:
                    self.recognised += 1
                    self.vlan(toks[1], toks[2:], ln)
                elif t0 == "protocols" and len(toks) >= 2:
                    self.recognised += 1
                    self.protocols(toks[1:], ln)
                elif t0 == "system" and len(toks) >= 3 and toks[1] == "host-name":
                    self.recognised += 1
                    self.dev.set("hostname", toks[2], ln)
                elif t0 == "forwarding-options" and len(toks) >= 3 and (
                    toks[1] == "storm-control-profiles"
                ):
                    self.recognised += 1
                    self.profile(toks[2], toks[3:], ln)
                elif t0 == "ethernet-switching-options" and len(toks) >= 2:
                    self.recognised += 1
                    self.es_options(toks[1:], ln)
                elif t0 == "version" and len(toks) == 2:
                    self.dev.extra["version"] = toks[1]
            except (IndexError, ValueError):
                self.warn(ln, "cannot read statement", " ".join(toks))
        self.finish()
        return self.dev

    def _iface(self, name: str, ln: int | None) -> Interface:
        iface = self.dev.interfaces.get(name)
        if iface is not None and (iface.line is not None or ln is None):
            return iface
        if name.startswith("interface-range"):
            raise ValueError(name)
        iface = self.dev.interface(name, ln)
        if iface.kind == "physical":
            iface.kind = _kind(name)  # type: ignore[assignment]
        return iface

    def interface(self, name: str, rest: tuple[str, ...], ln: int) -> None:
        if name == "interface-range":
            if len(rest) < 1:
                return
            rname = rest[0]
            iface = self.ranges.get(rname)
            if iface is None:
                iface = self.ranges[rname] = Interface(name=f"interface-range {rname}", line=ln)
            rest = rest[1:]
            if rest and rest[0] in ("member", "member-range"):
                if rest[0] == "member" and len(rest) >= 2:
                    names = _expand_member(rest[1])
                elif len(rest) >= 4 and rest[2] == "to":
                    names = _expand_member_range(rest[1], rest[3])
                else:
                    return
                members = self.range_members.setdefault(rname, [])
                if len(members) + len(names) > _MAX_RANGE_MEMBERS:
                    self.warn(ln, f"interface-range {rname} names too many ports; ignored",
                              " ".join(rest))
                    return
                members.extend(names)
                return
            self.settings(iface, iface.name, rest, ln)
            return
        kind = _kind(name)
        if kind == "vlan" and name in ("irb", "vlan"):  # the units are the VLAN interfaces
            if len(rest) < 2 or rest[0] != "unit":
                return
            sub = self._iface(f"{name}.{rest[1]}", ln)
            sub.kind = "vlan"
            sub.set("switched", False, ln)
            if len(rest) >= 4 and rest[2] == "description":
                sub.set("description", rest[3], ln)
            return
        iface = self._iface(name, ln)
        self.settings(iface, name, rest, ln)

    def settings(self, iface: Interface, key: str, rest: tuple[str, ...], ln: int) -> None:
        if not rest:
            return
        r0 = rest[0]
        if r0 == "description" and len(rest) >= 2:
            iface.set("description", rest[1], ln)
        elif r0 == "disable":
            iface.set("shutdown", True, ln)
        elif r0 == "native-vlan-id" and len(rest) >= 2:
            self._native(iface, rest[1], ln)
        elif r0 in ("ether-options", "gigether-options") and "802.3ad" in rest:
            idx = rest.index("802.3ad")
            for tok in rest[idx + 1:]:
                if tok.startswith("ae"):
                    iface.set("channel_group", tok, ln)
                    break
        elif r0 == "unit" and len(rest) >= 2:
            self.unit(iface, key, rest[2:], ln)

    def _native(self, iface: Interface, tok: str, ln: int) -> None:
        if tok.isdigit() and 1 <= int(tok) <= 4094:
            iface.set("native_vlan", int(tok), ln)
        else:
            self.warn(ln, "cannot read native-vlan-id", tok)

    def unit(self, iface: Interface, key: str, rest: tuple[str, ...], ln: int) -> None:
        if not rest:
            return
        if rest[0] == "description" and len(rest) >= 2:
            if not iface.description:
                iface.set("description", rest[1], ln)
            return
        if rest[0] != "family" or len(rest) < 2:
            return
        p = self.port(key)
        if rest[1] != "ethernet-switching":
            if p.nonsw_line is None:
                p.nonsw_line = ln
            return
        if p.family_line is None:
            p.family_line = ln
        fam = rest[2:]
        if not fam:
            return
        f0 = fam[0]
        if f0 in ("interface-mode", "port-mode") and len(fam) >= 2:
            mode = fam[1]
            if mode in ("trunk", "access"):
                iface.set("mode", mode, ln)
            else:
                self.warn(ln, f"unknown {f0}", mode)
        elif f0 == "vlan" and len(fam) >= 2 and fam[1] == "members":
            if len(fam) > 2:
                p.members.append((fam[2:], ln))
        elif f0 == "native-vlan-id" and len(fam) >= 2:  # non-ELS
            self._native(iface, fam[1], ln)
        elif f0 == "storm-control" and len(fam) >= 2:
            p.storm_profile = (fam[1], ln)

    def vlan(self, name: str, rest: tuple[str, ...], ln: int) -> None:
        if not rest:
            return
        if rest[0] == "vlan-id" and len(rest) >= 2:
            tok = rest[1]
            if tok.isdigit() and 1 <= int(tok) <= 4094:
                vid = int(tok)
                self.vlan_names[name] = vid
                vlan = self.dev.vlans.get(vid)
                if vlan is None:
                    vlan = self.dev.vlans[vid] = Vlan(vid=vid, line=ln)
                vlan.set("name", name, ln)
                vlan.lines["vid"] = ln
            elif tok != "none":
                self.warn(ln, "cannot read vlan-id", f"vlans {name} vlan-id {tok}")
        elif rest[0] == "interface" and len(rest) >= 2:
            self.vlan_ifaces.append((name, rest[1], ln))

    # -- spanning tree -------------------------------------------------------------------
    def protocols(self, toks: tuple[str, ...], ln: int) -> None:
        proto = toks[0]
        rest = toks[1:]
        if proto in _STP_PROTOCOLS:
            if self.stp_line is None:
                self.stp_line = ln
                self.dev.stp.set("mode", proto, ln)
            if rest and rest[0] == "disable" and len(rest) == 1:
                self.stp_off_line = ln
            elif rest and rest[0] == "bpdu-block-on-edge":
                self.dev.stp.set("bpdu_guard_default", True, ln)
            elif "interface" in rest:
                idx = rest.index("interface")
                if idx + 1 < len(rest):
                    self.stp_port(proto, rest[idx + 1], rest[idx + 2:], ln)
        elif proto == "layer2-control" and len(rest) > 2 and rest[:2] == _BPDU_BLOCK:
            self.port_flag(rest[2], "bpdu_guard", True, ln)

    def stp_port(self, proto: str, name: str, rest: tuple[str, ...], ln: int) -> None:
        if name != "all":
            self.port(_phys(name)).stp_stanza.setdefault(proto, ln)
        if not rest:
            return
        r0 = rest[0]
        if r0 == "edge":
            if name == "all":
                self.dev.stp.set("edge_default", True, ln)
                self.dev.stp.set("edge_default_trunk", True, ln)
                self.edge_all_proto = proto
            else:
                iface = self._iface(_phys(name), None)
                iface.set("edge", True, ln)
                iface.set("edge_trunk", True, ln)  # Junos edge applies to trunks as well
        elif r0 == "disable":
            self.port_flag(name, "stp_disabled", True, ln, proto)
        elif r0 == "no-root-port":
            self.port_flag(name, "root_guard", True, ln, proto)
        elif r0 == "bpdu-timeout-action":
            self.port_flag(name, "loop_guard", True, ln, proto)

    def port_flag(self, name: str, attr: str, value: object, ln: int, proto: str = "") -> None:
        if name == "all":
            self.all_port[attr] = (value, ln, proto)
        else:
            self._iface(_phys(name), None).set(attr, value, ln)

    # -- storm control -------------------------------------------------------------------
    def profile(self, name: str, rest: tuple[str, ...], ln: int) -> None:
        prof = self.profiles.setdefault(
            name, {"line": ln, "level": None, "unit": "percent", "level_line": None,
                   "off": set(), "shutdown": None, "all_line": None}
        )
        if not rest:
            return
        if rest[0] == "action-shutdown":
            prof["shutdown"] = ln
        elif rest[0] == "all":
            if prof["all_line"] is None:
                prof["all_line"] = ln
            self._storm_opts(prof, rest[1:], ln, "bandwidth-percentage", "bandwidth-level")

    def _storm_opts(self, prof: dict, rest: tuple[str, ...], ln: int, pct: str, kbps: str) -> None:
        if not rest:
            return
        r0 = rest[0]
        if r0 in (pct, kbps) and len(rest) >= 2:
            try:
                val = float(rest[1])
            except ValueError:
                self.warn(ln, f"cannot read storm-control {r0}", rest[1])
                return
            if r0 == pct:
                prof["level"], prof["unit"] = val, "percent"
            else:
                prof["level"], prof["unit"] = val * 1000, "bps"
            prof["level_line"] = ln
        elif r0 in _STORM_CLASS_OFF:
            cls = _STORM_CLASS_OFF[r0]
            if cls:
                prof["off"].add(cls)
        elif r0 == "multicast":
            prof["multicast"] = True

    def es_options(self, toks: tuple[str, ...], ln: int) -> None:
        """non-ELS ``ethernet-switching-options``: storm-control and bpdu-block."""
        t0 = toks[0]
        rest = toks[1:]
        if t0 == "storm-control" and rest:
            if rest[0] == "action-shutdown":
                self.noels_shutdown = ln
            elif rest[0] == "interface" and len(rest) >= 2:
                name = rest[1] if rest[1] == "all" else _phys(rest[1])
                prof = self.noels_storm.setdefault(
                    name, {"line": ln, "level": None, "unit": "percent", "level_line": None,
                           "off": {"multicast"}, "shutdown": None, "all_line": ln}
                )
                self._storm_opts(prof, rest[2:], ln, "level", "bandwidth")
        elif t0 == "bpdu-block" and len(rest) >= 2 and rest[0] == "interface":
            self.port_flag(rest[1], "bpdu_guard", True, ln)

    @staticmethod
    def _apply_storm(iface: Interface, prof: dict, ln: int, shutdown: int | None) -> None:
        classes = ["broadcast", "multicast", "unknown-unicast"]
        off = set(prof["off"])
        if prof.get("multicast"):
            off.discard("multicast")
        level = prof["level"] if prof["level"] is not None else 80.0  # Junos default: 80 %
        level_line = prof["level_line"] or prof["all_line"] or prof["line"]
        applied = False
        for traffic in classes:
            if traffic in off:
                continue
            applied = True
            sc = StormControl(traffic=traffic, unit=prof["unit"], line=ln)  # type: ignore[arg-type]
            sc.set("level", level, level_line)
            sc.lines["unit"] = level_line
            iface.storm_control[traffic] = sc
        if shutdown is not None and applied:
            iface.storm_actions.add("shutdown")
            iface.lines["storm_actions"] = shutdown
            iface.lines["storm_action_shutdown"] = shutdown

    # -- after the last statement --------------------------------------------------------
    def finish(self) -> None:
        dev = self.dev
        if not self.recognised:
            raise InputError(
                f"{dev.source or 'input'}: no Juniper Junos configuration statements found "
                "(no interfaces, vlans, protocols or system host-name)"
            )
        stp = dev.stp
        if self.stp_line is None:
            stp.enabled = False
            dev.extra["stp_note"] = "no protocols rstp|mstp|vstp: spanning tree is not running"
        elif self.stp_off_line is not None:
            stp.set("enabled", False, self.stp_off_line)
        else:
            stp.set("enabled", True, self.stp_line)
        self._apply_ranges()
        for vname, ifname, ln in self.vlan_ifaces:
            self.port(_phys(ifname)).members.append(((vname,), ln))
            self._iface(_phys(ifname), None)
        for name, iface in dev.interfaces.items():
            p = self.ports.get(name)
            if p is not None:
                self._finish_port(iface, p)
            if iface.switched is None and iface.kind in ("loopback", "management", "vlan"):
                iface.switched = False
        switched = [i for i in dev.interfaces.values() if i.switched]
        # `interface all` under a spanning-tree protocol reaches only the ports without a
        # stanza of their own (a port's own stanza replaces `all` for it, edge included)
        for attr, (value, ln, proto) in self.all_port.items():
            for iface in switched:
                if attr in iface.lines:
                    continue
                p = self.ports.get(iface.name)
                if proto and p is not None and proto in p.stp_stanza:
                    continue
                iface.set(attr, value, ln)
        if dev.stp.edge_default:
            for iface in switched:
                p = self.ports.get(iface.name)
                own = p.stp_stanza.get(self.edge_all_proto) if p is not None else None
                if iface.edge is None and own is not None:
                    iface.set("edge", False, own)
        # non-ELS storm-control: per interface, else `interface all`
        if self.noels_storm:
            every = self.noels_storm.get("all")
            for iface in switched:
                prof = self.noels_storm.get(iface.name, every)
                if prof is not None:
                    self._apply_storm(iface, prof, prof["line"], self.noels_shutdown)
        aggregates = {n for n, i in dev.interfaces.items() if i.kind == "aggregate"}
        for iface in dev.interfaces.values():
            if iface.channel_group and iface.channel_group in aggregates:
                dev.interfaces[iface.channel_group].extra.setdefault("members", []).append(
                    iface.name
                )

    def _apply_ranges(self) -> None:
        for rname, rng in self.ranges.items():
            rport = self.ports.get(rng.name)
            for member in self.range_members.get(rname, []):
                iface = self._iface(member, rng.line)
                for attr, ln in rng.lines.items():
                    if attr not in iface.lines:
                        iface.set(attr, getattr(rng, attr), ln)
                if rport is not None:
                    p = self.port(member)
                    if not p.members:
                        p.members = list(rport.members)
                    p.family_line = p.family_line or rport.family_line
                    p.nonsw_line = p.nonsw_line or rport.nonsw_line
                    p.storm_profile = p.storm_profile or rport.storm_profile
                iface.extra["interface_range"] = rname

    def _finish_port(self, iface: Interface, p: _Port) -> None:
        if p.family_line is not None:
            iface.set("switched", True, p.family_line)
            if iface.mode is None:
                iface.set("mode", "access", p.family_line)  # Junos default interface-mode
        elif p.nonsw_line is not None:
            iface.set("switched", False, p.nonsw_line)
        if p.members:
            vids = VlanSet.none()
            last = 0
            for toks, ln in p.members:
                last = max(last, ln)
                vids = vids | self._resolve(toks, ln)
            if iface.mode == "trunk":
                iface.set("allowed_vlans", vids, last)
            else:
                first = next(iter(vids), None)
                if first is not None:
                    iface.set("access_vlan", first, last)
                if len(vids) > 1:
                    self.warn(last, f"access port {iface.name} names several VLANs",
                              vids.to_text())
        if iface.mode == "trunk" and iface.allowed_vlans is None:
            native = iface.native_vlan
            iface.allowed_vlans = VlanSet.of([native]) if native else VlanSet.none()
            iface.extra["allowed_vlans_default"] = True
        if p.storm_profile is not None:
            pname, ln = p.storm_profile
            prof = self.profiles.get(pname)
            if prof is None:
                self.warn(ln, f"storm-control profile {pname!r} is not defined")
            else:
                self._apply_storm(iface, prof, ln, prof["shutdown"])
                iface.extra["storm_control_profile"] = pname

    def _resolve(self, toks: tuple[str, ...], ln: int) -> VlanSet:
        cached = self.resolved.get(toks)
        if cached is not None:
            return cached
        n_warnings = len(self.dev.warnings)
        out = self._resolve_uncached(toks, ln)
        if len(self.dev.warnings) == n_warnings:  # only clean results: warnings name the line
            self.resolved[toks] = out
        return out

    def _resolve_uncached(self, toks: tuple[str, ...], ln: int) -> VlanSet:
        out = VlanSet.none()
        for tok in toks:
            vid = self.vlan_names.get(tok)
            if vid is not None:
                out = out | VlanSet.of([vid])
                continue
            if tok == "all":
                return VlanSet.all()
            if tok[:1].isdigit():
                try:
                    out = out | parse_vlans(tok)
                    continue
                except VlanSyntaxError:
                    pass
            if tok == "default":
                out = out | VlanSet.of([1])
                continue
            self.warn(ln, f"unknown VLAN name {tok!r} in vlan members")
        return out


def _phys(name: str) -> str:
    """``ge-0/0/1.0`` -> ``ge-0/0/1`` (the model's port is the physical interface)."""
    base, dot, unit = name.rpartition(".")
    if dot and unit.isdigit() and _kind(base) != "vlan":
        return base
    return name


def _expand_member(spec: str) -> list[str]:
    """``ge-0/0/[1-3,7]`` -> ge-0/0/1, ge-0/0/2, ge-0/0/3, ge-0/0/7 (plain names as they are)."""
    m = _RANGE_MEMBER.match(spec)
    if not m:
        return [spec]
    prefix, body = m.groups()
    out: list[str] = []
    for part in body.replace(" ", "").split(","):
        a, _, b = part.partition("-")
        if a.isdigit() and (b.isdigit() or not b):
            lo, hi = int(a), int(b or a)
            if hi - lo > 512:
                return [spec]
            out.extend(f"{prefix}{k}" for k in range(lo, hi + 1))
    return out


def _expand_member_range(first: str, last: str) -> list[str]:
    """``ge-0/0/10 to ge-0/0/12``: same prefix, the last number counts."""
    pa, _, na = first.rpartition("/")
    pb, _, nb = last.rpartition("/")
    if pa != pb or not (na.isdigit() and nb.isdigit()) or int(nb) - int(na) > 512:
        return [first, last] if first != last else [first]
    return [f"{pa}/{k}" for k in range(int(na), int(nb) + 1)]


def parse(text: str, source: str = "") -> list[Device]:
    return [JunosParser(source).run(text)]
