"""Juniper Junos (EX/QFX, ELS and non-ELS): ``show configuration`` in curly-brace form or
``show configuration | display set``.

How it works: both forms are first flattened into *statements* -- a token path plus the line it
came from, the same shape as a ``set`` line (``interfaces ge-0/0/1 unit 0 family
ethernet-switching interface-mode trunk``). In curly-brace form a block header and each leaf
statement become one statement each, with the line of that header or leaf; ``inactive:``
subtrees, ``/* annotations */`` and ``## comments`` are dropped; in set form ``deactivate`` lines
drop what they name. One interpreter then reads the statements, so the two forms cannot drift
apart. A ``/*`` that no ``*/`` follows is read as a one-line comment, with a warning; unclosed
blocks and stray ``}`` are warnings naming their lines.

Configuration groups (:func:`expand_groups`): ``groups`` and ``apply-groups`` /
``apply-groups-except`` at any level are expanded the way Junos inherits them (a group applied
at a level gives what it holds under that level; first listed wins; deeper wins; local
configuration wins; ``<wildcards>`` match only existing names; lists such as ``vlan members``
merge). Inherited statements are read after the local ones and never overwrite a value already
set; each keeps the line *inside the group*. A port field set from a group or an
``interface-range`` rather than the port's own stanza is recorded as
``iface.extra["inherited"][field] = {"kind": "junos-group" | "junos-interface-range", "name":
NAME, "line": LINE}`` (``allowed_vlans`` adds ``merged_with_local`` when the port lists members
too; ``storm_control`` is the profile assignment, ``storm_level`` the profile's level), so a fix
goes to that source. Device-level values use ``dev.extra["inherited"]`` (``hostname``,
``stp.<field>``). Collected configs come expanded by the box (``display inheritance``).

ELS or not (``dev.extra["junos_els"]``: True / False / None with
``dev.extra["junos_style_evidence"]``): ``interface-mode``, ``storm-control-profiles``,
``layer2-control``, ``switch-options``, ``irb`` mean ELS; ``port-mode``,
``ethernet-switching-options``, ``vlans X interface``, ``interfaces vlan``, unit names under
``protocols rstp interface`` (``ge-0/0/1.0``) mean non-ELS; both at once is unknown. On ELS
only the interfaces listed under ``protocols rstp|mstp interface`` (or ``interface all``) run
spanning tree: a trunk outside the list gets ``extra["stp_not_member"]``; VSTP covers only the
VLANs listed under ``protocols vstp vlan`` (for the ports listed there or under ``vstp
interface``): the rest a trunk carries are ``extra["stp_uncovered_vlans"]``.
``dev.extra["junos_stp_protocols"]`` lists the protocols configured, in order. Non-ELS
storm-control's 80 % default is applied in :mod:`stormguard.effective`, not here.

Blocks that can carry VLANs or spanning tree and are not read are a warning with their line:
VLAN-bearing ``routing-instances``, ``bridge-domains``, ``logical-systems``, bridged units other
than 0 (``family ethernet-switching|bridge``, ``encapsulation *-bridge``), ``family bridge``,
``protocols mvrp``, ``vstp vlan-group``, ``vlans X vlan-id-list``, ``redundant-trunk-group``,
``ether-options ... storm-control`` (ACX/MX style).

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
  member that does not set them itself; a range named where an interface goes (``protocols rstp
  interface NAME``) stands for its members.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatchcase
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from pathlib import PurePath

from stormguard.errors import InputError
from stormguard.model import Device, Interface, Sourced, StormControl, Vlan
from stormguard.parsers import _alarms
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
_MAX_INHERITED = 300_000  # statements groups may expand to (a chassis config gives ~100k)
_BPDU_BLOCK = ("bpdu-block", "interface")
_RANGE_MEMBER = re.compile(r"^(.*)\[([0-9,\- ]+)\]$")

Statement = tuple[tuple[str, ...], int]
#: top-level hierarchies that can carry VLANs or spanning tree and that the reader skips
_UNREAD_TOP = frozenset({"routing-instances", "bridge-domains", "logical-systems"})


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


def _last_comment_end(text: str) -> int:
    """The last line holding a ``*/``: a ``/*`` opened after it is never closed."""
    pos = text.rfind("*/")
    if pos < 0:
        return 0
    head = text[:pos]
    if "\r" in head:
        head = head.replace("\r\n", "\n").replace("\r", "\n")
    return head.count("\n") + 1


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
    stack: list[tuple[tuple[str, ...], bool, int]] = []  # (header path, inactive, line)
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

    lines = _split_lines(text)
    last_close = _last_comment_end(text) if "/*" in text else 0
    for ln, raw in enumerate(lines, 1):
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
                if ln >= last_close:  # no `*/` follows: a one-line comment, and say so
                    warnings.append(f"line {ln}: unterminated /* comment (no */ follows); "
                                    "read as ending on this line")
                else:
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
                stack.append((path, inactive, where))
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
                was_inactive = stack.pop()[1]
                if was_inactive:
                    inactive_depth -= 1
                path = stack[-1][0] if stack else ()
            else:
                warnings.append(f"line {where}: unbalanced closing brace")
    if stack:
        opened = ", ".join(str(st[2]) for st in stack[:5]) + (", ..." if len(stack) > 5 else "")
        warnings.append(f"line {ln}: the configuration ends inside {len(stack)} unclosed "
                        f"block(s), opened on line(s) {opened}")
    if deactivated:  # drop every statement under a deactivated path
        gone = set(deactivated)
        sizes = sorted({len(d) for d in gone})
        stmts = [st for st in stmts if not any(st[0][:k] in gone for k in sizes)]
    return stmts, warnings  # `groups` statements are left to the reader to ignore


_APPLY = frozenset({"apply-groups", "apply-groups-except"})
#: children of a level that a group wildcard never stands for (keywords, not names)
_NOT_NAMES = frozenset({"apply-groups", "apply-groups-except", "interface-range"})
#: Junos-owned or per-Routing-Engine groups: applied by the box itself, never an error
_BUILTIN_GROUPS = frozenset({"junos-defaults"})

Inherited = tuple[tuple[str, ...], int, str]  # concrete path, line inside the group, group name


def _wild(tok: str) -> bool:
    return len(tok) > 2 and tok[0] == "<" and tok[-1] == ">"


def _matches(tok: str, name: str) -> bool:
    """A group path element against a configuration name: literal, or a ``<glob>`` wildcard
    (``*``, ``?``, ``[a-z]``, ``[!0-9]``, as Junos and the Unix shell spell them)."""
    if tok == name:
        return True
    return _wild(tok) and name not in _NOT_NAMES and fnmatchcase(name, tok[1:-1])


def expand_groups(stmts: list[Statement]) -> tuple[list[Statement], list[Inherited], list[str]]:
    """Split ``groups`` / ``apply-groups`` out of `stmts` and expand them the way Junos does.

    Returns the local statements, the inherited ones (concrete path, the line *inside the
    group*, the group's name) in priority order, and warnings. Junos rules, as documented for
    configuration groups:

    * ``apply-groups`` may sit at any level; a group applied at a level gives only what it
      holds under that level (``interfaces apply-groups G`` takes G's ``interfaces`` part);
    * among the groups of one ``apply-groups`` the first listed wins; groups applied at a
      deeper level win over groups applied higher up; local configuration wins over all of
      them (the reader enforces that: inherited statements come after the local ones and never
      overwrite a value already set);
    * ``<pattern>`` wildcards match only what exists in the configuration (they never create
      an interface); within a group the first matching entry wins;
    * ``apply-groups-except G`` at a level stops G, applied higher up, at that level and below;
    * multi-valued statements (``vlan members``) merge: local values and inherited ones.

    Not modelled, and said so in a warning: a group's ``when`` condition (the group is read as
    if it held), ``apply-groups`` inside a group, a group name that is not defined.
    """
    groups: dict[str, list[Statement]] = {}
    applies: dict[tuple[str, ...], tuple[list[str], int]] = {}  # level -> (names, line)
    excepts: dict[tuple[str, ...], set[str]] = {}
    local: list[Statement] = []
    warnings: list[str] = []
    nested_warned: set[str] = set()
    conditional: dict[str, int] = {}  # group -> line of its `when` condition
    for st in stmts:
        toks, ln = st
        if not toks:
            continue
        if toks[0] == "groups":
            if len(toks) > 2:
                body = toks[2:]
                if _APPLY.intersection(body):
                    if toks[1] not in nested_warned:
                        nested_warned.add(toks[1])
                        warnings.append(f"line {ln}: apply-groups inside group {toks[1]} is "
                                        "not expanded: what it would inherit is not read")
                    continue
                if body[0] == "when":  # a conditional group (chassis, member, model, time)
                    conditional.setdefault(toks[1], ln)
                    continue
                groups.setdefault(toks[1], []).append((body, ln))
            elif len(toks) == 2:
                groups.setdefault(toks[1], [])
            continue
        if _APPLY.isdisjoint(toks):
            local.append(st)
            continue
        cut = next(i for i, t in enumerate(toks) if t in _APPLY)
        if cut and toks[cut - 1] in ("description", "message"):  # text, not a statement
            local.append(st)
            continue
        level, names = toks[:cut], toks[cut + 1:]
        if toks[cut] == "apply-groups":
            have = applies.setdefault(level, ([], ln))[0]
            have.extend(n for n in names if n not in have)
        else:
            excepts.setdefault(level, set()).update(names)
    if not applies:
        return local, [], warnings

    # which names exist under a path (for wildcards): a trie of the local configuration's
    # first levels, plus the members of interface-ranges (they are interfaces too)
    reach: dict[str, int] = {}  # first token -> how many levels its wildcards need
    for body_list in groups.values():
        for body, _ in body_list:
            for i, t in enumerate(body):
                if t[:1] == "<" and _wild(t) and reach.get(body[0], 0) <= i:
                    reach[body[0]] = i + 1
    trie: dict[str, dict] = {}
    if reach:
        for toks, _ in local:
            depth = reach.get(toks[0])
            if depth is None:
                continue
            node = trie
            for tok in toks[:depth]:
                nxt = node.get(tok)
                if nxt is None:
                    nxt = node[tok] = {}
                node = nxt
        ifaces = trie.get("interfaces")
        for toks, _ in (local if ifaces is not None and reach.get("interfaces", 0) > 1 else ()):
            if len(toks) >= 5 and toks[1] == "interface-range" and toks[0] == "interfaces":
                if toks[3] == "member":
                    names = _expand_member(toks[4])
                elif toks[3] == "member-range" and len(toks) >= 7 and toks[5] == "to":
                    names = _expand_member_range(toks[4], toks[6])
                else:
                    continue
                for n in names[:_MAX_RANGE_MEMBERS]:
                    ifaces.setdefault(n, {})  # type: ignore[union-attr]

    def names_under(path: tuple[str, ...]) -> Iterable[str]:
        node = trie
        for tok in path:
            node = node.get(tok)  # type: ignore[assignment]
            if node is None:
                return ()
        return node

    def concrete(level: tuple[str, ...], body: tuple[str, ...]) -> list[tuple[str, ...]]:
        outs = [level]
        for tok in body[len(level):]:
            if tok[:1] == "<" and _wild(tok):
                outs = [(*o, name) for o in outs for name in names_under(o)
                        if _matches(tok, name)]
                if not outs:
                    break
            else:
                outs = [(*o, tok) for o in outs]
        return outs

    ranked: list[tuple[tuple[int, int, str, int], Inherited]] = []

    def inherit(level: tuple[str, ...], prio: int, gname: str) -> None:
        depth = len(level)
        for order, (body, gln) in enumerate(groups[gname]):
            if len(ranked) > _MAX_INHERITED:
                return
            if len(body) <= depth or not all(_matches(body[i], level[i]) for i in range(depth)):
                continue
            for path in concrete(level, body):
                if len(path) < len(body):
                    continue
                if excepts and any(gname in ex and len(lv) > depth and path[:len(lv)] == lv
                                   for lv, ex in excepts.items()):
                    continue
                # same-interface statements kept together (the reader's interface cache);
                # the order that decides precedence, per target, is unchanged
                target = path[1] if path[0] == "interfaces" and len(path) > 1 else ""
                ranked.append(((-depth, prio, target, order), (path, gln, gname)))

    for level, (names, aln) in applies.items():
        for prio, gname in enumerate(names):
            if gname not in groups:
                if gname not in _BUILTIN_GROUPS:
                    warnings.append(f"line {aln}: apply-groups names group {gname!r}, which is "
                                    "not defined")
                continue
            if gname in conditional:
                warnings.append(f"line {conditional[gname]}: group {gname} applies only `when` "
                                "its condition holds; read as if it does")
                del conditional[gname]  # say it once
            inherit(level, prio, gname)
            if len(ranked) > _MAX_INHERITED:
                warnings.append(f"line {aln}: groups expand to more than {_MAX_INHERITED} "
                                "statements; the rest of the expansion is not read")
                del ranked[_MAX_INHERITED:]
                break
        if len(ranked) >= _MAX_INHERITED:
            break
    ranked.sort(key=lambda r: r[0])
    return local, [r[1] for r in ranked], warnings


class _Port:
    """Per-port references resolved after the last statement."""

    __slots__ = ("family_line", "inh", "members", "nonsw_line", "storm_profile", "stp_stanza")

    def __init__(self) -> None:
        # where a value came from when not the port's own stanza: "family" / "members" /
        # "storm_control" -> {"kind": ..., "name": ..., "line": ...}
        self.inh: dict[str, dict] = {}
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
        # `interface all` settings: attr -> (value, line, protocol or "" outside STP, origin)
        self.all_port: dict[str, tuple[object, int, str, tuple[str, str] | None]] = {}
        self.edge_all_proto = ""
        self.noels_storm: dict[str, dict] = {}  # non-ELS storm-control per interface / all
        self.noels_shutdown: int | None = None
        self.ranges: dict[str, Interface] = {}
        self.range_members: dict[str, list[str]] = {}
        self.resolved: dict[tuple[str, ...], VlanSet] = {}  # vlan members -> VLANs
        # the origin of the statement being read: None = local, else (kind, group name)
        self.inh: tuple[str, str] | None = None
        self.stp_protocols: dict[str, int] = {}  # protocol -> its first line, in order seen
        self.stp_ifaces: dict[str, dict[str, int]] = {}  # protocol -> `interface X` -> line
        self.vstp_vlans: dict[str, int] = {}  # `protocols vstp vlan X` -> line
        self.vstp_vlan_ifaces: dict[str, set[str]] = {}  # vstp vlan X -> its interfaces
        self.els_marks: dict[bool, tuple[int, str]] = {}  # True=ELS / False=non-ELS evidence
        self.unread: set[str] = set()  # blocks already warned about
        self.last_name = ""  # the interface the previous `interfaces X ...` statement named
        self.last_iface: Interface | None = None

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
        inherited: list[Inherited] = []
        if "apply-groups" in text:
            stmts, inherited, warnings = expand_groups(stmts)
            self.dev.warnings.extend(warnings)
        self.read(stmts)
        if inherited:
            for gname, run in groupby(inherited, key=itemgetter(2)):
                self.inh = ("junos-group", gname)
                self.read((toks, ln) for toks, ln, _ in run)
            self.inh = None
        self.finish()
        return self.dev

    def read(self, stmts: Iterable[Statement]) -> None:
        seen = 0  # statements of a kind the reader knows (a local: this is the hot loop)
        for toks, ln in stmts:
            if not toks:
                continue
            t0 = toks[0]
            try:
                if t0 == "interfaces" and len(toks) >= 2:
                    seen += 1
                    self.interface(toks[1], toks[2:], ln)
                elif t0 == "vlans" and len(toks) >= 2:
                    seen += 1
                    self.vlan(toks[1], toks[2:], ln)
                elif t0 in _alarms.JUNOS_WORDS and len(toks) >= 2 and _alarms.junos_statement(
                        self.dev.alarms, toks, ln, self.warn):
                    pass  # syslog / trap hosts, bpdu-block disable-timeout (SG304, SG305)
                elif t0 == "protocols" and len(toks) >= 2:
                    seen += 1
                    self.protocols(toks[1:], ln)
                elif t0 == "system" and len(toks) >= 3 and toks[1] == "host-name":
                    seen += 1
                    self._set(self.dev, "hostname", toks[2], ln)
                elif t0 == "forwarding-options" and len(toks) >= 3 and (
                    toks[1] == "storm-control-profiles"
                ):
                    seen += 1
                    self.profile(toks[2], toks[3:], ln)
                elif t0 == "ethernet-switching-options" and len(toks) >= 2:
                    seen += 1
                    self.es_options(toks[1:], ln)
                elif t0 == "switch-options":
                    self.mark(True, ln, "switch-options")
                    if len(toks) > 1 and toks[1] == "redundant-trunk-group":
                        self.unread_block("rtg", ln, "switch-options redundant-trunk-group "
                                          "(trunk pairs kept loop-free without spanning tree)")
                elif t0 == "version" and len(toks) == 2:
                    self.dev.extra["version"] = toks[1]
                elif t0 in _UNREAD_TOP and len(toks) >= 2:
                    self.unread_top(toks, ln)
            except (IndexError, ValueError):
                self.warn(ln, "cannot read statement", " ".join(toks))
        self.recognised += seen

    # -- values and where they came from ---------------------------------------------------
    def _set(self, obj: Sourced, attr: str, value: object, ln: int) -> None:
        """Set `attr`; from a group, only when nothing with priority has set it yet."""
        inh = self.inh
        if inh is None:
            obj.set(attr, value, ln)
            return
        if attr in obj.lines:
            return
        obj.set(attr, value, ln)
        self._record(obj, attr, ln)

    def _record(self, obj: object, attr: str, ln: int) -> None:
        inh = self.inh
        if inh is None:
            return
        rec = {"kind": inh[0], "name": inh[1], "line": ln}
        if isinstance(obj, Interface):
            obj.extra.setdefault("inherited", {})[attr] = rec
        else:  # the device or its spanning-tree settings
            key = attr if isinstance(obj, Device) else f"stp.{attr}"
            self.dev.extra.setdefault("inherited", {})[key] = rec

    def _origin(self, ln: int) -> dict | None:
        inh = self.inh
        return None if inh is None else {"kind": inh[0], "name": inh[1], "line": ln}

    def mark(self, els: bool, ln: int, what: str) -> None:
        """Evidence of the configuration style: ELS (True) or non-ELS (False)."""
        if els not in self.els_marks:
            self.els_marks[els] = (ln, what)

    def unread_block(self, key: str, ln: int, what: str) -> None:
        """A block that can carry VLAN, STP or storm-control settings and is not read: warn
        once per block."""
        if key not in self.unread:
            self.unread.add(key)
            self.warn(ln, f"{what} is not read")

    def unread_top(self, toks: tuple[str, ...], ln: int) -> None:
        t0 = toks[0]
        if t0 == "routing-instances":
            rest = toks[2:]
            if rest and (rest[0] in ("vlans", "bridge-domains", "switch-options")
                         or (rest[0] == "instance-type" and rest[1:2] == ("virtual-switch",))
                         or (rest[0] == "protocols" and len(rest) > 1
                             and rest[1] in _STP_PROTOCOLS)):
                self.unread_block(f"ri {toks[1]}", ln, f"routing-instances {toks[1]} (its "
                                  "VLANs, bridge domains and spanning tree)")
        elif t0 == "bridge-domains":
            self.unread_block("bd", ln, "bridge-domains (VLANs of the bridge-domain style)")
        elif t0 == "logical-systems":
            self.unread_block(f"ls {toks[1]}", ln, f"logical-systems {toks[1]}")

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
        if name == self.last_name:  # statements come grouped by interface
            self.settings(self.last_iface, name, rest, ln)  # type: ignore[arg-type]
            return
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
                members.extend(n for n in names if n not in members)
                return
            self.settings(iface, iface.name, rest, ln)
            return
        kind = _kind(name)
        if kind == "vlan" and name in ("irb", "vlan"):  # the units are the VLAN interfaces
            self.mark(name == "irb", ln, f"interfaces {name}")
            if len(rest) < 2 or rest[0] != "unit":
                return
            sub = self._iface(f"{name}.{rest[1]}", ln)
            sub.kind = "vlan"
            self._set(sub, "switched", False, ln)
            if len(rest) >= 4 and rest[2] == "description":
                self._set(sub, "description", rest[3], ln)
            return
        iface = self._iface(name, ln)
        self.last_name, self.last_iface = name, iface
        self.settings(iface, name, rest, ln)

    def settings(self, iface: Interface, key: str, rest: tuple[str, ...], ln: int) -> None:
        if not rest:
            return
        r0 = rest[0]
        if r0 == "unit" and len(rest) >= 2:
            if rest[1] != "0" and len(rest) >= 3:
                self._other_unit(iface, rest, ln)
                return
            self.unit(iface, key, rest[2:], ln)
        elif r0 == "description" and len(rest) >= 2:
            self._set(iface, "description", rest[1], ln)
        elif r0 == "disable":
            self._set(iface, "shutdown", True, ln)
        elif r0 == "native-vlan-id" and len(rest) >= 2:
            self._native(iface, rest[1], ln)
        elif r0 in ("ether-options", "gigether-options"):
            if "802.3ad" in rest:
                idx = rest.index("802.3ad")
                for tok in rest[idx + 1:]:
                    if tok.startswith("ae"):
                        self._set(iface, "channel_group", tok, ln)
                        break
            elif "storm-control" in rest:  # ACX/MX style `ethernet-switch-profile storm-control`
                self.unread_block(f"sc {key}", ln, f"{key} {r0} ... storm-control (a storm-"
                                  "control profile bound to the physical port)")

    def _other_unit(self, iface: Interface, rest: tuple[str, ...], ln: int) -> None:
        """A unit other than 0 on a port: a bridged VLAN unit (service-provider style, with
        ``flexible-vlan-tagging``) is not read (warn); the rest (``vlan-id`` + ``family inet``
        subinterfaces) is layer 3 and says nothing about switching."""
        r2 = rest[2]
        if len(rest) >= 4 and (
                (r2 == "family" and rest[3] in ("ethernet-switching", "bridge"))
                or (r2 == "encapsulation" and "bridge" in rest[3])):  # vlan-bridge, ...
            self.unread_block(f"unit {iface.name}", ln, f"{iface.name} unit {rest[1]} "
                              f"{' '.join(rest[2:4])} (a bridged unit other than 0)")

    def _native(self, iface: Interface, tok: str, ln: int) -> None:
        if tok.isdecimal() and 1 <= int(tok) <= 4094:
            self._set(iface, "native_vlan", int(tok), ln)
        else:
            self.warn(ln, "cannot read native-vlan-id", tok)

    def unit(self, iface: Interface, key: str, rest: tuple[str, ...], ln: int) -> None:
        if not rest:
            return
        if rest[0] == "description" and len(rest) >= 2:
            if not iface.description:
                self._set(iface, "description", rest[1], ln)
            return
        if rest[0] != "family" or len(rest) < 2:
            return
        p = self.ports.get(key)
        if p is None:
            p = self.ports[key] = _Port()
        if rest[1] != "ethernet-switching":
            if p.nonsw_line is None:
                p.nonsw_line = ln
                if rest[1] == "bridge":
                    self.unread_block(f"bridge {key}", ln, f"{key} unit 0 family bridge "
                                      "(bridge-domain style switching)")
            return
        if p.family_line is None:
            p.family_line = ln
            if self.inh is not None:
                p.inh["family"] = {"kind": self.inh[0], "name": self.inh[1], "line": ln}
        fam = rest[2:]
        if not fam:
            return
        f0 = fam[0]
        if f0 == "vlan" and len(fam) >= 2 and fam[1] == "members":
            if len(fam) > 2:
                p.members.append((fam[2:], ln))
                if self.inh is not None:  # count them: Junos merges them with local ones
                    rec = p.inh.setdefault("members", {"kind": self.inh[0],
                                                       "name": self.inh[1], "line": ln, "n": 0})
                    rec["n"] += 1
        elif f0 in ("interface-mode", "port-mode") and len(fam) >= 2:
            els = f0 == "interface-mode"
            if els not in self.els_marks:
                self.els_marks[els] = (ln, f0)
            mode = fam[1]
            if mode not in ("trunk", "access"):
                self.warn(ln, f"unknown {f0}", mode)
            elif self.inh is None:
                iface.set("mode", mode, ln)
            else:
                self._set(iface, "mode", mode, ln)
        elif f0 == "native-vlan-id" and len(fam) >= 2:  # non-ELS
            self._native(iface, fam[1], ln)
        elif f0 == "storm-control" and len(fam) >= 2:
            if self.inh is None:
                p.storm_profile = (fam[1], ln)
                if p.inh:
                    p.inh.pop("storm_control", None)
            elif p.storm_profile is None:
                p.storm_profile = (fam[1], ln)
                p.inh["storm_control"] = {"kind": self.inh[0], "name": self.inh[1], "line": ln}

    def vlan(self, name: str, rest: tuple[str, ...], ln: int) -> None:
        if not rest:
            return
        r0 = rest[0]
        if r0 == "vlan-id" and len(rest) >= 2:
            tok = rest[1]
            if tok.isdecimal() and 1 <= int(tok) <= 4094:
                if self.inh is not None and name in self.vlan_names:
                    return
                vid = int(tok)
                self.vlan_names[name] = vid
                vlan = self.dev.vlans.get(vid)
                if vlan is None:
                    vlan = self.dev.vlans[vid] = Vlan(vid=vid, line=ln)
                vlan.set("name", name, ln)
                vlan.lines["vid"] = ln
            elif tok != "none":
                self.warn(ln, "cannot read vlan-id", f"vlans {name} vlan-id {tok}")
        elif r0 == "interface" and len(rest) >= 2:
            self.mark(False, ln, "vlans ... interface")
            self.vlan_ifaces.append((name, rest[1], ln))
        elif r0 in ("vlan-id-list", "vlan-range"):
            self.unread_block(f"vlans {name}", ln, f"vlans {name} {r0} (a VLAN name standing "
                              "for several IDs)")
        elif r0 == "l3-interface" and len(rest) >= 2:
            self.mark(rest[1].startswith("irb"), ln, "l3-interface")

    # -- spanning tree -------------------------------------------------------------------
    def protocols(self, toks: tuple[str, ...], ln: int) -> None:
        proto = toks[0]
        rest = toks[1:]
        if proto in _STP_PROTOCOLS:
            if proto not in self.stp_protocols:
                self.stp_protocols[proto] = ln
            if self.stp_line is None:
                self.stp_line = ln
                self._set(self.dev.stp, "mode", proto, ln)
            if not rest:
                return
            r0 = rest[0]
            if r0 == "disable" and len(rest) == 1:
                if self.inh is None or self.stp_off_line is None:
                    self.stp_off_line = ln
            elif r0 == "bpdu-block-on-edge":
                self._set(self.dev.stp, "bpdu_guard_default", True, ln)
            elif r0 == "interface" and len(rest) >= 2:
                self.stp_ifaces.setdefault(proto, {}).setdefault(rest[1], ln)
                self.stp_port(proto, rest[1], rest[2:], ln)
            elif proto == "vstp" and r0 == "vlan" and len(rest) >= 2:
                self.vstp_vlans.setdefault(rest[1], ln)
                if len(rest) >= 4 and rest[2] == "interface":
                    self.vstp_vlan_ifaces.setdefault(rest[1], set()).add(rest[3])
                    self.stp_port(proto, rest[3], rest[4:], ln)
            elif r0 == "vlan-group":
                self.unread_block(f"{proto} vlan-group", ln,
                                  f"protocols {proto} vlan-group (VLANs grouped for VSTP)")
            elif "interface" in rest:  # msti N interface X ...
                idx = rest.index("interface")
                if idx + 1 < len(rest):
                    self.stp_port(proto, rest[idx + 1], rest[idx + 2:], ln)
        elif proto == "layer2-control" and len(rest) > 2 and rest[:2] == _BPDU_BLOCK:
            self.mark(True, ln, "layer2-control")
            self.port_flag(rest[2], "bpdu_guard", True, ln)
        elif proto == "mvrp":
            self.unread_block("mvrp", ln, "protocols mvrp (VLANs registered dynamically)")

    def stp_port(self, proto: str, name: str, rest: tuple[str, ...], ln: int) -> None:
        if name != "all":
            phys = _phys(name)
            self.port(phys).stp_stanza.setdefault(proto, ln)
            if phys != name and False not in self.els_marks:  # non-ELS names the unit there
                self.els_marks[False] = (ln, f"protocols {proto} interface {name}")
        if not rest:
            return
        r0 = rest[0]
        if r0 == "edge":
            if name == "all":
                stp = self.dev.stp
                if self.inh is None or "edge_default" not in stp.lines:
                    self._set(stp, "edge_default", True, ln)
                    self._set(stp, "edge_default_trunk", True, ln)
                    self.edge_all_proto = proto
            else:
                iface = self._iface(_phys(name), None)
                if self.inh is None or "edge" not in iface.lines:
                    self._set(iface, "edge", True, ln)
                    self._set(iface, "edge_trunk", True, ln)  # Junos edge covers trunks too
        elif r0 == "disable":
            self.port_flag(name, "stp_disabled", True, ln, proto)
        elif r0 == "no-root-port":
            self.port_flag(name, "root_guard", True, ln, proto)
        elif r0 == "bpdu-timeout-action":
            self.port_flag(name, "loop_guard", True, ln, proto)

    def port_flag(self, name: str, attr: str, value: object, ln: int, proto: str = "") -> None:
        if name == "all":
            if self.inh is None or attr not in self.all_port:
                self.all_port[attr] = (value, ln, proto, self.inh)
        else:
            self._set(self._iface(_phys(name), None), attr, value, ln)

    # -- storm control -------------------------------------------------------------------
    def profile(self, name: str, rest: tuple[str, ...], ln: int) -> None:
        self.mark(True, ln, "storm-control-profiles")
        prof = self.profiles.setdefault(
            name, {"line": ln, "level": None, "unit": "percent", "level_line": None,
                   "off": set(), "shutdown": None, "all_line": None, "origin": None}
        )
        if not rest:
            return
        if rest[0] == "action-shutdown":
            if self.inh is None or prof["shutdown"] is None:
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
            if self.inh is not None and prof["level_line"] is not None:
                return  # set locally, or by a group with priority
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
            prof["origin"] = self._origin(ln)
        elif r0 in _STORM_CLASS_OFF:
            cls = _STORM_CLASS_OFF[r0]
            if cls:
                prof["off"].add(cls)
        elif r0 == "multicast":
            prof["multicast"] = True

    def es_options(self, toks: tuple[str, ...], ln: int) -> None:
        """non-ELS ``ethernet-switching-options``: storm-control and bpdu-block."""
        self.mark(False, ln, "ethernet-switching-options")
        t0 = toks[0]
        rest = toks[1:]
        if t0 == "storm-control" and rest:
            if rest[0] == "action-shutdown":
                if self.inh is None or self.noels_shutdown is None:
                    self.noels_shutdown = ln
            elif rest[0] == "interface" and len(rest) >= 2:
                name = rest[1] if rest[1] == "all" else _phys(rest[1])
                prof = self.noels_storm.setdefault(
                    name, {"line": ln, "level": None, "unit": "percent", "level_line": None,
                           "off": {"multicast"}, "shutdown": None, "all_line": ln,
                           "origin": None, "stanza": self._origin(ln)}
                )
                self._storm_opts(prof, rest[2:], ln, "level", "bandwidth")
        elif t0 == "bpdu-block" and len(rest) >= 2 and rest[0] == "interface":
            self.port_flag(rest[1], "bpdu_guard", True, ln)
        elif t0 == "redundant-trunk-group":
            self.unread_block("rtg", ln, "ethernet-switching-options redundant-trunk-group "
                              "(trunk pairs kept loop-free without spanning tree)")

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
        if prof.get("origin"):
            iface.extra.setdefault("inherited", {})["storm_level"] = dict(prof["origin"])
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
        els = self._els()
        dev.extra["junos_els"] = els
        dev.extra["junos_stp_protocols"] = list(self.stp_protocols)
        self._ranges_in_references()
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
        for attr, (value, ln, proto, origin) in self.all_port.items():
            for iface in switched:
                if attr in iface.lines:
                    continue
                p = self.ports.get(iface.name)
                if proto and p is not None and proto in p.stp_stanza:
                    continue
                iface.set(attr, value, ln)
                if origin is not None:
                    iface.extra.setdefault("inherited", {})[attr] = {
                        "kind": origin[0], "name": origin[1], "line": ln}
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
                    # which stanza covers the port, and the classes it turns off (a fix that
                    # adds broadcast must `delete ... no-broadcast` there)
                    iface.extra["storm_control_stanza"] = {
                        "interface": iface.name if iface.name in self.noels_storm else "all",
                        "line": prof["line"], "off": sorted(prof["off"] - {"multicast"}
                                                            if prof.get("multicast")
                                                            else prof["off"])}
                    if prof.get("stanza"):
                        iface.extra.setdefault("inherited", {})["storm_control"] = dict(
                            prof["stanza"])
        aggregates = {n for n, i in dev.interfaces.items() if i.kind == "aggregate"}
        for iface in dev.interfaces.values():
            if iface.channel_group and iface.channel_group in aggregates:
                dev.interfaces[iface.channel_group].extra.setdefault("members", []).append(
                    iface.name
                )
        if els and self.stp_line is not None and self.stp_off_line is None:
            self._stp_membership(switched)

    def _els(self) -> bool | None:
        """ELS (True), non-ELS (False) or unknown (None), from the statements seen; both kinds
        of evidence at once (a hand-merged file) is unknown too. The evidence is recorded."""
        marks = self.els_marks
        if len(marks) != 1:
            if marks:
                self.dev.extra["junos_style_evidence"] = {
                    ("els" if k else "non-els"): f"line {ln}: {what}"
                    for k, (ln, what) in marks.items()}
            return None
        ((els, (ln, what)),) = marks.items()
        self.dev.extra["junos_style_evidence"] = {("els" if els else "non-els"):
                                                  f"line {ln}: {what}"}
        return els

    def _stp_membership(self, switched: list[Interface]) -> None:
        """ELS: only the interfaces listed under ``protocols rstp|mstp interface`` (or
        ``interface all``) run spanning tree; VSTP covers only the VLANs it lists. A trunk
        outside both is recorded as ``extra["stp_not_member"]``; a trunk whose VLANs VSTP covers
        only in part gets ``extra["stp_uncovered_vlans"]``."""
        whole = [p for p in self.stp_protocols if p != "vstp"]
        members: set[str] = set()
        for proto in whole:
            names = self.stp_ifaces.get(proto, {})
            if "all" in names:
                return  # every port runs this protocol
            members.update(self._names(names))
        vstp_line = self.stp_protocols.get("vstp")
        vstp_all = vstp_global = None
        per_vlan: list[tuple[VlanSet, set[str]]] = []
        if vstp_line is not None:
            vstp_global = set(self._names(self.stp_ifaces.get("vstp", {})))
            vstp_all = "all" in self.stp_ifaces.get("vstp", {})
            for tok, ln in self.vstp_vlans.items():
                vids = self._resolve((tok,), ln)
                names = set(self._names(self.vstp_vlan_ifaces.get(tok, ())))
                per_vlan.append((vids, names))
        defined = VlanSet.of(self.dev.vlans)
        for iface in switched:
            if iface.mode != "trunk" or iface.channel_group or iface.name in members:
                continue
            if vstp_line is not None:
                covered = VlanSet.none()
                for vids, names in per_vlan:
                    if vstp_all or iface.name in vstp_global or iface.name in names:
                        covered = covered | vids
                if covered:
                    carried = iface.allowed_vlans or VlanSet.none()
                    if carried.is_all and defined:
                        carried = defined
                    if iface.native_vlan:
                        carried = carried | VlanSet.of([iface.native_vlan])
                    gap = carried - covered
                    if gap:
                        iface.extra["stp_uncovered_vlans"] = {
                            "vlans": gap, "protocol": "vstp", "line": vstp_line,
                            "note": f"VLANs {gap.to_text()} on {iface.name} are not in "
                                    "protocols vstp: no spanning tree for them"}
                    continue
            proto = whole[0] if whole else "vstp"
            iface.extra["stp_not_member"] = {
                "protocol": proto, "line": self.stp_protocols[proto],
                "note": f"{iface.name} is not listed under protocols {proto} interface (ELS: "
                        "only the interfaces listed there run spanning tree)"}

    def _names(self, names: Iterable[str]) -> Iterable[str]:
        """Interface names as spelled under protocols: units to ports, ranges to members."""
        for name in names:
            if name in self.range_members:
                yield from self.range_members[name]
            else:
                yield _phys(name)

    def _ranges_in_references(self) -> None:
        """``protocols rstp interface RANGE`` (an interface-range used where an interface is):
        the settings made that way belong to the range's members, not to a port named RANGE."""
        for rname, rng in self.ranges.items():
            fake = self.dev.interfaces.get(rname)
            if fake is None or rname not in self.range_members:
                continue
            del self.dev.interfaces[rname]
            for attr, ln in fake.lines.items():
                if attr not in rng.lines:
                    rng.set(attr, getattr(fake, attr), ln)
            for attr, rec in fake.extra.get("inherited", {}).items():
                rng.extra.setdefault("inherited", {}).setdefault(attr, rec)
            fport = self.ports.pop(rname, None)
            if fport is not None:
                for member in self.range_members[rname]:
                    for proto, ln in fport.stp_stanza.items():
                        self.port(member).stp_stanza.setdefault(proto, ln)

    def _apply_ranges(self) -> None:
        for rname, rng in self.ranges.items():
            rport = self.ports.get(rng.name)
            via_group = rng.extra.get("inherited", {})
            for member in self.range_members.get(rname, []):
                iface = self._iface(member, rng.line)
                inherited = None
                for attr, ln in rng.lines.items():
                    if attr not in iface.lines:
                        iface.set(attr, getattr(rng, attr), ln)
                        if inherited is None:
                            inherited = iface.extra.setdefault("inherited", {})
                        inherited[attr] = dict(via_group.get(attr) or {
                            "kind": "junos-interface-range", "name": rname, "line": ln})
                if rport is not None:
                    p = self.port(member)
                    if not p.members and rport.members:
                        p.members = list(rport.members)
                        p.inh["members"] = rport.inh.get("members") or {
                            "kind": "junos-interface-range", "name": rname,
                            "line": rport.members[-1][1], "n": len(rport.members)}
                    if p.family_line is None and rport.family_line is not None:
                        p.family_line = rport.family_line
                        p.inh["family"] = rport.inh.get("family") or {
                            "kind": "junos-interface-range", "name": rname,
                            "line": rport.family_line}
                    p.nonsw_line = p.nonsw_line or rport.nonsw_line
                    if p.storm_profile is None and rport.storm_profile is not None:
                        p.storm_profile = rport.storm_profile
                        p.inh["storm_control"] = rport.inh.get("storm_control") or {
                            "kind": "junos-interface-range", "name": rname,
                            "line": rport.storm_profile[1]}
                iface.extra["interface_range"] = rname

    def _finish_port(self, iface: Interface, p: _Port) -> None:
        inh = p.inh
        if p.family_line is not None:
            iface.set("switched", True, p.family_line)
            if inh and "family" in inh:
                iface.extra.setdefault("inherited", {})["switched"] = dict(inh["family"])
            if iface.mode is None:
                iface.set("mode", "access", p.family_line)  # Junos default interface-mode
                if inh and "family" in inh:
                    iface.extra["inherited"]["mode"] = dict(inh["family"])
        elif p.nonsw_line is not None:
            iface.set("switched", False, p.nonsw_line)
        if p.members:
            mask = 0
            said_all = False
            last = 0
            for toks, ln in p.members:
                if ln > last:
                    last = ln
                got = self._resolve(toks, ln)
                mask |= got.mask
                said_all = said_all or got.is_all
            vids = VlanSet.all() if said_all else VlanSet(mask)
            attr = "allowed_vlans" if iface.mode == "trunk" else "access_vlan"
            if iface.mode == "trunk":
                iface.set("allowed_vlans", vids, last)
            else:
                first = next(iter(vids), None)
                if first is not None:
                    iface.set("access_vlan", first, last)
                if len(vids) > 1:
                    self.warn(last, f"access port {iface.name} names several VLANs",
                              vids.to_text())
            if inh and "members" in inh:
                rec = dict(inh["members"])
                n = rec.pop("n", len(p.members))
                if n < len(p.members):  # Junos merges the lists: some are the port's own
                    rec["merged_with_local"] = True
                iface.extra.setdefault("inherited", {})[attr] = rec
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
                if inh and "storm_control" in inh:
                    iface.extra.setdefault("inherited", {})["storm_control"] = dict(
                        inh["storm_control"])

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
        mask = 0  # built as a bitmask: one VlanSet at the end, not one per token
        names = self.vlan_names
        for tok in toks:
            vid = names.get(tok)
            if vid is not None:
                mask |= 1 << vid
                continue
            if tok == "all":
                return VlanSet.all()
            if tok[:1].isdecimal():
                try:
                    mask |= parse_vlans(tok).mask
                    continue
                except VlanSyntaxError:
                    pass
            if tok == "default":
                mask |= 2  # VLAN 1
                continue
            self.warn(ln, f"unknown VLAN name {tok!r} in vlan members")
        return VlanSet(mask)


def _phys(name: str) -> str:
    """``ge-0/0/1.0`` -> ``ge-0/0/1`` (the model's port is the physical interface)."""
    base, dot, unit = name.rpartition(".")
    if dot and unit.isdecimal() and _kind(base) != "vlan":
        return base
    return name


def _expand_member(spec: str) -> list[str]:
    """``ge-0/0/[1-3,7]`` -> ge-0/0/1, ge-0/0/2, ge-0/0/3, ge-0/0/7; ``ge-0/0/*`` -> ports 0-47
    (Junos: ``*`` in a member is 0 through 47, whatever the line card has); plain names as they
    are."""
    if spec.endswith("/*") and "*" not in spec[:-1]:
        return [f"{spec[:-1]}{k}" for k in range(48)]
    m = _RANGE_MEMBER.match(spec)
    if not m:
        return [spec]
    prefix, body = m.groups()
    out: list[str] = []
    for part in body.replace(" ", "").split(","):
        a, _, b = part.partition("-")
        if a.isdecimal() and (b.isdecimal() or not b):
            lo, hi = int(a), int(b or a)
            if hi - lo > 512:
                return [spec]
            out.extend(f"{prefix}{k}" for k in range(lo, hi + 1))
    return out


def _expand_member_range(first: str, last: str) -> list[str]:
    """``ge-0/0/10 to ge-0/0/12``: same prefix, the last number counts."""
    pa, _, na = first.rpartition("/")
    pb, _, nb = last.rpartition("/")
    if pa != pb or not (na.isdecimal() and nb.isdecimal()) or int(nb) - int(na) > 512:
        return [first, last] if first != last else [first]
    return [f"{pa}/{k}" for k in range(int(na), int(nb) + 1)]


def parse(text: str, source: str = "") -> list[Device]:
    return [JunosParser(source).run(text)]
