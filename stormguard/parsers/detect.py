"""Guess the platform of a configuration from its text.

Each platform has a handful of tell-tale patterns with weights; the highest score wins if it is
clear enough. The patterns are things a running configuration of that platform prints and the
others do not (or print differently: `port trunk allow-pass` is Huawei, `port trunk permit` is
H3C; three-space indentation under `interface Ethernet1` is Arista, two-space with `feature` lines
is NX-OS). Only the first part of a very large file is looked at.

Hints outside the configuration statements count too:

* a RANCID header (``!RANCID-CONTENT-TYPE: cisco|cisco-nx|arista|juniper|huawei|h3c ...``) names
  the platform outright (``cisco`` only the family: IOS, IOS-XE or NX-OS is then told by the
  text); a RANCID type stormguard does not parse is refused by name;
* Oxidized backups are the bare running configuration, often after a ``! ``-commented block of
  ``show version`` / ``show inventory`` output: those comment lines are signatures
  (``! Cisco IOS Software``, ``! Cisco Nexus Operating System``, ``! Arista DCS-...``);
* the file extension (``.ios``, ``.nxos``, ``.eos``, ``.junos``, ``.vrp``, ``.comware``) adds
  :data:`_EXTENSION_WEIGHT` to its platform: decisive when the text says little, outvoted when
  the text clearly says otherwise.

Configurations of platforms stormguard does not parse (IOS-XR, ASA, Cumulus, F5, ProCurve,
CatOS) are recognised by a few markers in their first :data:`_UNSUPPORTED_SCAN_BYTES` and refused
by name ("looks like Cisco IOS-XR, which stormguard does not support"), instead of being parsed
as the nearest supported platform or refused without a reason.

When the guess is not clear, :class:`UnknownPlatformError` names the file and suggests
``--platform``.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePath

from stormguard.errors import UnknownPlatformError

_SCAN_BYTES = 256 * 1024
#: Unsupported platforms announce themselves in their first lines.
_UNSUPPORTED_SCAN_BYTES = 8 * 1024
#: What a file extension adds to its platform's score (_MIN_SCORE + 1: enough on its own).
_EXTENSION_WEIGHT = 6
_M = re.MULTILINE | re.IGNORECASE

class _LazyPattern:
    """A regular expression compiled on its first search.

    Compiling the whole signature table up front (case-insensitive patterns are slow to
    compile) cost ~40 ms of every `stormguard lint` start; with the literal pre-check in
    :func:`score_platforms`, a config only ever compiles the dozen patterns it might match.
    """

    __slots__ = ("_rx", "anchors", "flags", "pattern")

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags
        self._rx: re.Pattern[str] | None = None
        #: the lower-cased texts one of which every match starts with, right at a line start
        #: (``^version 1`` -> ``("version 1",)``, ``^(Building|Current)`` -> both); set by the
        #: tables below, empty when the pattern has none
        self.anchors: tuple[str, ...] = ()

    def search(self, text: str) -> re.Match[str] | None:
        if self._rx is None:
            self._rx = re.compile(self.pattern, self.flags)
        return self._rx.search(text)

    def match_at(self, text: str, starts: list[int]) -> bool:
        """Whether the pattern matches `text` at one of the line starts `starts`."""
        if self._rx is None:
            self._rx = re.compile(self.pattern, self.flags)
        match = self._rx.match
        return any(match(text, at) for at in starts)

    def search_line_starts(self, text: str, low: str) -> bool:
        """Whether the pattern matches `text`, trying only the line starts where `low` (the
        lower-cased ASCII `text`) begins with one of :attr:`anchors`: a `str.find` skips the
        rest, where a ``^``-anchored multi-line search would try every line (~0.5 ms per
        100 kB)."""
        if self._rx is None:
            self._rx = re.compile(self.pattern, self.flags)
        match = self._rx.match
        for anchor in self.anchors:
            if low.startswith(anchor) and match(text, 0):
                return True
            needle = "\n" + anchor
            at = low.find(needle)
            while at >= 0:
                if match(text, at + 1):  # MULTILINE: `^` matches right after the newline
                    return True
                at = low.find(needle, at + 1)
        return False


_lazy = _LazyPattern


# (pattern, weight) per platform. Patterns are searched once each over the head of the text.
_SIGNATURES: dict[str, list[tuple[_LazyPattern, int]]] = {
    "cisco_ios": [
        (_lazy(r"^version 1[0-5]\.\d", _M), 6),
        # `interface GigabitEthernet 1/1`: some Catalyst configs print a space before the number
        (_lazy(r"^interface (Gigabit|FastEthernet|TenGigabit|TwentyFiveGig|FortyGig|"
               r"HundredGig)\S* ?\d", _M), 3),

        (_lazy(r"^ switchport (mode|trunk|access)", _M), 2),
        (_lazy(r"^(Building configuration|Current configuration :)", _M), 3),
        (_lazy(r"^service (timestamps|password-encryption)", _M), 2),
        (_lazy(r"^ spanning-tree portfast", _M), 2),
        (_lazy(r"^line (vty|con) ", _M), 2),
        (_lazy(r"^ storm-control (broadcast|multicast|unicast) level", _M), 1),
    ],
    "cisco_xe": [
        (_lazy(r"^version 1[6-9]\.\d", _M), 9),
        (_lazy(r"^license boot level", _M), 3),
        (_lazy(r"^platform punt-keepalive", _M), 3),
    ],
    "cisco_nxos": [
        (_lazy(r"^!Command: show running-config", _M), 8),
        (_lazy(r"^feature \S+", _M), 5),
        (_lazy(r"^version \d+\.\d+\(\d+\)", _M), 4),
        (_lazy(r"^vrf context ", _M), 3),
        (_lazy(r"^interface Ethernet\d+/\d+", _M), 2),
        (_lazy(r"^  switchport", _M), 2),
        (_lazy(r"spanning-tree port type (edge|network)", _M), 3),
        (_lazy(r"^system default switchport", _M), 4),
    ],
    "arista_eos": [
        (_lazy(r"^! device: \S+ \(.*EOS", _M), 10),
        (_lazy(r"^! boot system flash:", _M), 5),
        (_lazy(r"^transceiver qsfp default-mode", _M), 4),
        (_lazy(r"^interface Ethernet\d+(/\d+)?\s*$", _M), 2),
        (_lazy(r"^   switchport", _M), 3),
        (_lazy(r"^management api http-commands", _M), 4),
        (_lazy(r"^daemon TerminAttr", _M), 4),
        (_lazy(r"spanning-tree edge-port", _M), 3),
        (_lazy(r"^spanning-tree mode mstp", _M), 1),
    ],
    "juniper_junos": [
        (_lazy(r"^set (system|interfaces|vlans|protocols) ", _M), 6),
        (_lazy(r"^(system|interfaces|vlans|protocols|forwarding-options) \{", _M), 6),
        (_lazy(r"^## Last (commit|changed)", _M), 5),
        (_lazy(r"^version \d+\.\d+\S*;", _M), 5),
        (_lazy(r"family ethernet-switching", _M), 4),
        (_lazy(r"(interface-mode|port-mode) trunk;", _M), 3),
    ],
    "huawei": [
        (_lazy(r"port trunk allow-pass vlan", _M), 6),
        (_lazy(r"^interface Eth-Trunk\d+", _M), 5),
        (_lazy(r"^interface (10GE|25GE|40GE|100GE|XGigabitEthernet|MultiGE)\d", _M), 4),
        (_lazy(r"^vlan batch ", _M), 4),
        (_lazy(r"^ port default vlan \d+", _M), 4),
        (_lazy(r"^interface Vlanif\d+", _M), 4),
        (_lazy(r"^!Software Version V\d{3}R", _M), 8),
        (_lazy(r"stp edged-port (enable|disable)", _M), 2),
        (_lazy(r"^ eth-trunk \d+", _M), 4),
        (_lazy(r"storm-control (broadcast|multicast|unicast) min-rate", _M), 3),
    ],
    "hp_comware": [
        (_lazy(r"port trunk permit vlan", _M), 6),
        (_lazy(r"^interface Bridge-Aggregation\d+", _M), 5),
        (_lazy(r"^interface Ten-GigabitEthernet\d", _M), 3),
        (_lazy(r"^interface Vlan-interface\d+", _M), 4),
        (_lazy(r"^ port access vlan \d+", _M), 4),
        (_lazy(r"^ port link-aggregation group \d+", _M), 4),
        (_lazy(r"^ version \d+\.\d+\.\d+,", _M), 6),
        (_lazy(r"^stp global enable", _M), 4),
        (_lazy(r"storm-constrain ", _M), 3),
    ],
}

_MIN_SCORE = 5

#: Second-tier signatures, searched only when the first tier leaves the platform unclear (most
#: configs are settled by the first tier, and these cost a regex pass each): weak hints that a
#: config with few of the usual marks still carries, and the `! `-commented `show version`
#: block Oxidized puts above the configuration.
_WEAK_SIGNATURES: dict[str, list[tuple[_LazyPattern, int]]] = {
    "cisco_ios": [
        (_lazy(r"^ switchport\s*$", _M), 2),  # one-space indent: IOS (NX-OS two, EOS three)
        (_lazy(r"^ spanning-tree (bpduguard|bpdufilter|guard|link-type)", _M), 2),
        (_lazy(r"^boot-start-marker", _M), 4),
        (_lazy(r"^aaa new-model", _M), 3),
        (_lazy(r"^spanning-tree extend system-id", _M), 3),
        (_lazy(r"^vtp (mode|domain|version)", _M), 2),
        (_lazy(r"^! Cisco IOS Software", _M), 6),
    ],
    "cisco_xe": [
        (_lazy(r"^! Cisco IOS XE Software", _M), 6),
    ],
    "cisco_nxos": [
        (_lazy(r"^! Cisco Nexus Operating System", _M), 8),
    ],
    "arista_eos": [
        (_lazy(r"^! Arista (DCS|CCS|vEOS|cEOS)", _M), 8),
        (_lazy(r"^! Software image version: ", _M), 4),
    ],
}

#: Platforms stormguard does not parse: (pattern, weight); searched in the first
#: _UNSUPPORTED_SCAN_BYTES only. A score of _UNSUPPORTED_SURE or more is a positive
#: identification.
_UNSUPPORTED: dict[str, list[tuple[_LazyPattern, int]]] = {
    "Cisco IOS-XR": [
        (_lazy(r"^!! IOS XR Configuration", _M), 10),
        (_lazy(r"^!! Last configuration change at", _M), 6),
        (_lazy(r"^RP/\d+/\S+CPU\d+:", _M), 8),
        (_lazy(r"^interface TenGigE\d", _M), 6),  # IOS prints TenGigabitEthernet
        (_lazy(r"^interface HundredGigE\d", _M), 6),
        (_lazy(r"^ ipv4 address ", _M), 4),
    ],
    "Cisco ASA": [
        (_lazy(r"^ASA Version \d", _M), 10),
        (_lazy(r"^PIX Version \d", _M), 10),
        (_lazy(r"^ nameif \S+", _M), 5),
        (_lazy(r"^same-security-traffic ", _M), 4),
        (_lazy(r"^: Saved", _M), 3),
    ],
    "Cumulus Linux": [
        (_lazy(r"^nv set ", _M), 8),
        (_lazy(r"^net add ", _M), 8),
        (_lazy(r"^iface swp\d", _M), 8),
        (_lazy(r"^auto swp\d", _M), 6),
        (_lazy(r"^\s+bridge-vids ", _M), 3),
    ],
    "F5 BIG-IP": [
        (_lazy(r"^#TMSH-VERSION: ", _M), 10),
        (_lazy(r"^ltm (virtual|pool|node|profile) ", _M), 8),
        (_lazy(r"^sys global-settings", _M), 6),
        (_lazy(r"^net (self|vlan|route-domain) ", _M), 4),
    ],
    "HP ProCurve / ArubaOS-Switch": [
        (_lazy(r"Configuration Editor; Created on release", _M), 10),
        (_lazy(r"^hostname \"", _M), 3),
        (_lazy(r"^   untagged [A-Z]?\d", _M), 4),
        (_lazy(r"^   tagged [A-Z]?\d", _M), 4),
    ],
    "Cisco CatOS": [
        (_lazy(r"^#version \d", _M), 8),
        (_lazy(r"NON-DEFAULT CONFIGURATION", _M), 6),
        (_lazy(r"^set spantree ", _M), 6),
        (_lazy(r"^set trunk \d", _M), 5),
        (_lazy(r"^set port (name|speed|duplex|host|enable|disable) ", _M), 5),
        (_lazy(r"^set vtp ", _M), 4),
    ],
}
_UNSUPPORTED_SURE = 8

#: RANCID-CONTENT-TYPE -> the device_types it can be (first = default), or the name of a
#: platform stormguard does not parse.
_RANCID: dict[str, tuple[str, ...] | str] = {
    "cisco": ("cisco_ios", "cisco_xe", "cisco_nxos"),
    "cisco-nx": ("cisco_nxos",),
    "arista": ("arista_eos",),
    "juniper": ("juniper_junos",),
    "juniper-srx": ("juniper_junos",),
    "huawei": ("huawei",),
    "vrp": ("huawei",),
    "h3c": ("hp_comware",),
    "comware": ("hp_comware",),
    "hp-comware": ("hp_comware",),
    "cisco-xr": "Cisco IOS-XR",
    "cisco-asa": "Cisco ASA",
    "asa": "Cisco ASA",
    "cat5": "Cisco CatOS",
    "hp": "HP ProCurve / ArubaOS-Switch",
    "procurve": "HP ProCurve / ArubaOS-Switch",
    "f5": "F5 BIG-IP",
    "bigip": "F5 BIG-IP",
    "cumulus": "Cumulus Linux",
}
_EXTENSIONS: dict[str, str] = {
    ".ios": "cisco_ios",
    ".nxos": "cisco_nxos",
    ".eos": "arista_eos",
    ".junos": "juniper_junos",
    ".vrp": "huawei",
    ".comware": "hp_comware",
}


def _detect_json(head: str) -> str | None:
    """vSwitch state bundles are JSON documents that name their kind."""
    try:
        doc = json.loads(head)
    except ValueError:
        return None
    if isinstance(doc, dict):
        for key in ("kind", "platform", "type"):
            val = str(doc.get(key, "")).lower()
            if val in ("ovs", "openvswitch", "open_vswitch"):
                return "ovs"
            if val in ("linux_bridge", "linux-bridge", "bridge"):
                return "linux_bridge"
    return None


def _required_literals(pattern: str) -> tuple[str, ...]:
    """The runs of plain characters that every match of `pattern` contains, lower-cased; none
    when the pattern uses something this reader does not follow.

    Why: most signatures are absent from any given config, and a failed case-insensitive,
    multi-line search walks the whole head of the text (~1 ms per pattern on a 100 kB config,
    ~50 ms for the table). A plain ``in`` test on the lower-cased text rules most of them out
    first. Only top-level text counts: a group, a character class, an escape such as ``\\d``,
    an anchor or ``.`` ends a run, and a character made optional by ``?``/``*``/``{`` is dropped.
    """
    runs: list[str] = []
    cur: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        i += 1
        if ch.isalnum() or ch in " -:!#,;_/'\"=@%&<>~":
            cur.append(ch)
            continue
        if ch == "\\" and i < n and not pattern[i].isalnum():
            cur.append(pattern[i])  # an escaped punctuation character is itself
            i += 1
            continue
        if ch in "?*{" and cur:
            cur.pop()  # the character before the quantifier may be absent
        runs.append("".join(cur))
        cur = []
        if ch == "\\":
            i += 1  # \d, \S ...: skip the class letter
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                return ()
            i = end + 1
        elif ch == "(":
            depth = 1
            while i < n and depth:
                if pattern[i] == "\\":
                    i += 1
                elif pattern[i] == "(":
                    depth += 1
                elif pattern[i] == ")":
                    depth -= 1
                i += 1
        elif ch == "{":
            end = pattern.find("}", i)
            if end < 0:
                return ()
            i = end + 1
        elif ch not in "^$.+?*":
            return ()  # "|" at the top level, or anything unexpected: nothing to rely on
    runs.append("".join(cur))
    return tuple(r.lower() for r in runs if r)


def _anchor(pattern: str) -> str | None:
    """The literal a ``^``-anchored multi-line pattern's matches begin with, lower-cased."""
    if not pattern.startswith("^") or len(pattern) < 2:
        return None
    first = pattern[1]
    if not (first.isalnum() or first in " -:!#,;_/'\"=@%&<>~"):
        return None
    runs = _required_literals(pattern[1:])
    return runs[0] if runs else None


_PLAIN = " -:!#,;_/'\"=@%&<>~"


def _anchors(pattern: str) -> tuple[str, ...]:
    """The lower-cased literals a ``^``-anchored pattern's matches begin with: its
    :func:`_anchor`, or for ``^LIT(A|B|C)...`` with plain-text alternatives, LIT + each of
    them (one anchor per alternative: each is a scan, but a rare one where LIT alone may
    start hundreds of lines, ``interface ``, each tried with the regex)."""
    one = _anchor(pattern)
    start = pattern.find("(")
    if pattern.startswith("^") and start > 0 and ")" in pattern[start:]:
        lit = pattern[1:start]
        end = pattern.index(")", start)
        rest = pattern[end + 1:]
        alts = pattern[start + 1:end].split("|")
        plain = all(ch.isalnum() or ch in _PLAIN for alt in [*alts, lit] for ch in alt)
        if plain and all(alts) and rest[:1] not in ("?", "*", "{") and "|" not in rest:
            return tuple((lit + alt).lower() for alt in alts)
    return (one,) if one is not None else ()


#: Characters rare in configurations: a literal holding one is absent when the character is,
#: and a single character is found by `memchr`, ~20x faster than a longer needle's scan.
_RARE = frozenset("{};()#\"[]<>@%&~=,")


def _test_literals(rx: _LazyPattern) -> tuple[str, ...]:
    """The literals :func:`_hit` tests before the regex, cheapest refutation first: the
    rare characters of the pattern's literals and its single-character literals, then the
    longest literals. A line-anchored pattern skips its short literals (a 2-4 character
    needle scans slowly) and its only anchor: the line-start search looks for that in one
    scan, and the regex decides anyway."""
    lits = _required_literals(rx.pattern)
    chars = sorted({ch for lit in (*lits, *rx.anchors) for ch in lit if ch in _RARE})
    if rx.anchors:
        lits = tuple(lit for lit in lits
                     if len(lit) >= 8 and not (len(rx.anchors) == 1 and lit == rx.anchors[0]))
    rest = sorted({lit for lit in lits if lit not in chars},
                  key=lambda lit: (len(lit) > 1, -len(lit)))
    return (*chars, *rest)


for _table in (_SIGNATURES, _WEAK_SIGNATURES, _UNSUPPORTED):
    for _sigs in _table.values():
        for _rx, _w in _sigs:
            if _rx.flags & re.MULTILINE:
                _rx.anchors = _anchors(_rx.pattern)

#: Per platform: (pattern, weight, required literals), the literals derived once, here.
_PREFILTERED = {
    platform: [(rx, w, _test_literals(rx)) for rx, w in sigs]
    for platform, sigs in _SIGNATURES.items()
}
_WEAK_PREFILTERED = {
    platform: [(rx, w, _test_literals(rx)) for rx, w in sigs]
    for platform, sigs in _WEAK_SIGNATURES.items()
}
_UNSUPPORTED_PREFILTERED = {
    name: [(rx, w, _test_literals(rx)) for rx, w in sigs]
    for name, sigs in _UNSUPPORTED.items()
}


_Sig = tuple[_LazyPattern, int, tuple[str, ...]]


def _hit(rx: _LazyPattern, lits: tuple[str, ...], head: str, low: str | None) -> bool:
    """Whether `rx` matches `head`. The literal test is exact for ASCII text (the IGNORECASE
    search then compares ASCII case-insensitively, as lower() does); other text (`low` None)
    takes the plain regex path."""
    if low is None:
        return rx.search(head) is not None
    for lit in lits:
        if lit not in low:
            return False
    if rx.anchors:
        return rx.search_line_starts(head, low)
    return rx.search(head) is not None


def _score(head: str, table: dict[str, list[_Sig]]) -> dict[str, int]:
    low = head.lower() if head.isascii() else None
    return {platform: sum(w for rx, w, lits in sigs if _hit(rx, lits, head, low))
            for platform, sigs in table.items()}


def score_platforms(text: str) -> dict[str, int]:
    scores = _score(text[:_SCAN_BYTES], _PREFILTERED)
    # IOS-XE is IOS plus its own marks.
    if scores["cisco_xe"]:
        scores["cisco_xe"] += scores["cisco_ios"]
    return scores


def score_weak(text: str) -> dict[str, int]:
    """Second-tier scores (only the platforms that have weak signatures)."""
    return _score(text[:_SCAN_BYTES], _WEAK_PREFILTERED)


def score_unsupported(text: str) -> dict[str, int]:
    """Scores of the platforms stormguard does not parse, over the first lines of `text`."""
    return _score(text[:_UNSUPPORTED_SCAN_BYTES], _UNSUPPORTED_PREFILTERED)


#: Score families for the fast decision: IOS-XE scores as IOS plus its own marks, so the two
#: are one contestant (their split is settled after the contest).
_FAMILY_OF = {"cisco_xe": "cisco_ios"}
_GUESS_BYTES = 1024


def _family_tables() -> tuple[dict[str, list[tuple[_Sig, bool]]], dict[str, int]]:
    """Per family, its signatures heaviest first (ties: fewer line-start anchors to try),
    each flagged when it is an IOS-XE mark; and the family's total weight."""
    fams: dict[str, list[tuple[_Sig, bool]]] = {}
    for platform, sigs in _PREFILTERED.items():
        fam = _FAMILY_OF.get(platform, platform)
        fams.setdefault(fam, []).extend((sig, platform == "cisco_xe") for sig in sigs)
    for sigs in fams.values():
        sigs.sort(key=lambda item: (-item[0][1], len(item[0][0].anchors)))
    return fams, {fam: sum(sig[1] for sig, _ in sigs) for fam, sigs in fams.items()}


_FAMILIES, _FAMILY_WEIGHT = _family_tables()
#: No anchor is longer (a line start's longest match is found in this many characters).
_LONGEST_ANCHOR = max(len(a) for table in (_SIGNATURES, _UNSUPPORTED) for sigs in table.values()
                      for rx, _w in sigs for a in rx.anchors)
_UNSUPPORTED_SORTED = {
    name: sorted(sigs, key=lambda sig: -sig[1]) for name, sigs in _UNSUPPORTED_PREFILTERED.items()
}


def _trie(words: set[str]) -> str:
    """A regular expression (no capturing groups) that matches any of `words` and, where
    several match at a position, the longest: the alternatives at each step begin with
    distinct characters, and a word that continues into longer ones ends in an optional
    group, tried first (greedy)."""
    by_first: dict[str, list[str]] = {}
    for word in sorted(words):
        by_first.setdefault(word[0], []).append(word)
    alts = []
    for group in by_first.values():
        if len(group) == 1:
            alts.append(re.escape(group[0]))
            continue
        prefix = _common_prefix(group)
        rests = {word[len(prefix):] for word in group}
        optional = "?" if "" in rests else ""
        alts.append(f"{re.escape(prefix)}(?:{_trie(rests - {''})}){optional}")
    return "|".join(alts)


def _common_prefix(words: list[str]) -> str:
    first, last = min(words), max(words)
    n = 0
    while n < len(first) and first[n] == last[n]:
        n += 1
    return first[:n]


class _LineStarts:
    """Where the lines of one lower-cased text that begin with one of a set of anchors
    (:attr:`covered`) begin, found by one pass of one regular expression.

    Why: deciding a line-anchored signature costs a scan of the whole head for each of its
    anchors (~20-45 us per 100 kB; ~15 of them for a clear IOS config, most to prove a
    rival's signature absent), while one pass of a trie of the anchors costs about as much
    as five. The pass reports, at each line start, the longest covered anchor found there:
    a line begins with a covered anchor exactly when the anchor reported there starts with
    it, so a signature whose anchors are all covered is decided by trying its pattern at
    those line starts only -- the same tries :meth:`_LazyPattern.search_line_starts` makes.
    """

    __slots__ = ("covered", "found")

    def __init__(self, low: str, table: tuple[re.Pattern[str], frozenset[str]]) -> None:
        rx, self.covered = table
        found: dict[str, list[int]] = {}
        first = rx.match("\n" + low[:_LONGEST_ANCHOR])  # the first line has no newline before
        if first is not None:
            found[first.group(1)] = [0]
        for m in rx.finditer(low):
            found.setdefault(m.group(1), []).append(m.start() + 1)
        #: longest anchor found at a line start -> those line starts
        self.found = found

    def covers(self, anchors: tuple[str, ...]) -> bool:
        return self.covered.issuperset(anchors)  # all(a in covered ...), without a generator

    def search(self, rx: _LazyPattern, text: str) -> bool:
        """Whether `rx` (its anchors covered) matches `text` (the text the pass read, or a
        prefix of it)."""
        anchors = rx.anchors
        size = len(text)
        for longest, starts in self.found.items():
            if longest.startswith(anchors) and rx.match_at(
                    text, [at for at in starts if at < size]):
                return True
        return False


#: _LineStarts tables by lead family: built on first use (~1 ms to compile).
_STARTS_TABLES: dict[str, tuple[re.Pattern[str], frozenset[str]]] = {}


def _starts_table(lead: str) -> tuple[re.Pattern[str], frozenset[str]]:
    """The trie over every anchor of the signatures (and of the unsupported platforms)
    except the leading family's own: those begin many lines of a config of that family
    (`` switchport``, ``interface gigabit``), and each would be one more match of the pass.
    Anchors of IOS-XE marks stay in (``version 1``: one line, and a scan to the end of the
    text when looked for alone)."""
    table = _STARTS_TABLES.get(lead)
    if table is None:
        marks = {a for (rx, _w, _l), is_xe in _FAMILIES[lead] if is_xe for a in rx.anchors}
        own = {a for (rx, _w, _l), is_xe in _FAMILIES[lead] if not is_xe for a in rx.anchors}
        covered = {a for sigs in _FAMILIES.values() for (rx, _w, _l), _x in sigs
                   for a in rx.anchors}
        covered |= {a for sigs in _UNSUPPORTED_SORTED.values() for rx, _w, _l in sigs
                    for a in rx.anchors}
        covered -= own - marks
        rx = re.compile(f"\n({_trie(covered)})")
        table = _STARTS_TABLES[lead] = (rx, frozenset(covered))
    return table


def _guess(low: str) -> dict[str, int]:
    """Weight per family of the signatures whose literals appear in the first lines: only
    the order in which :func:`_fast_detect` tries families (a wrong guess costs time, never
    a different answer)."""
    window = low[:_GUESS_BYTES]
    out = {}
    for fam, sigs in _FAMILIES.items():
        total = 0
        for (rx, w, lits), _ in sigs:
            needles = lits or rx.anchors
            if needles and needles[-1] in window:
                total += w
        out[fam] = total
    return out


def _fast_detect(text: str, hinted: str | None) -> str | None:
    """The platform :func:`detect_platform` would return, decided with as few scans of the
    text as bounds allow; None when that takes the full scores (unclear text, non-ASCII
    head, a possible unsupported platform): the caller then scores everything.

    Why: most signatures are absent from any one config, and proving a signature absent
    costs a scan of the whole head (~25 us per 100 kB), ~45 of them per config. But the
    answer only needs the winner's lead: each family's score lies between the weight of the
    signatures found so far and that plus the weight not yet tried, so trying the leader's
    signatures first (cheap: they are found early) and then the rivals' heaviest ones
    settles a clear config after a fraction of the scans, with exactly the same answer.
    """
    head = text[:_SCAN_BYTES]
    if not head.isascii():
        return None
    low = head.lower()
    hint_fam = _FAMILY_OF.get(hinted, hinted) if hinted else None
    lo = dict.fromkeys(_FAMILIES, 0)
    hi = dict(_FAMILY_WEIGHT)
    if hint_fam is not None:
        lo[hint_fam] += _EXTENSION_WEIGHT
        hi[hint_fam] += _EXTENSION_WEIGHT
    pending = {fam: list(sigs) for fam, sigs in _FAMILIES.items()}
    guess = _guess(low)
    xe_marks = 0
    starts: _LineStarts | None = None  # built when a rival's anchor is first looked for

    def try_at(fam: str, k: int = 0) -> None:
        nonlocal xe_marks, starts
        (rx, w, lits), is_xe = pending[fam].pop(k)
        if rx.anchors and (fam != lead or is_xe):
            if starts is None:
                starts = _LineStarts(low, _starts_table(lead))
            if starts.covers(rx.anchors):
                found = starts.search(rx, head)
            else:
                found = _hit(rx, lits, head, low)
        else:
            found = _hit(rx, lits, head, low)
        if found:
            lo[fam] += w
            if is_xe:
                xe_marks += w
        else:
            hi[fam] -= w

    def decidable(fam: str) -> int:
        """The index of a pending signature of `fam` that `starts` decides without a scan,
        or -1."""
        if starts is not None:
            for k, ((rx, _w, _l), _x) in enumerate(pending[fam]):
                if rx.anchors and starts.covers(rx.anchors):
                    return k
        return -1

    while True:
        lead = max(lo, key=lambda f: (lo[f], guess[f], hi[f]))
        rival = max((f for f in hi if f != lead), key=hi.__getitem__)
        if lo[lead] >= _MIN_SCORE and lo[lead] - hi[rival] >= 2:
            break
        k = decidable(rival)  # free once `starts` is built: before any other scan
        if k >= 0:
            try_at(rival, k)
        elif pending[lead]:
            try_at(lead)
        elif pending[rival]:
            try_at(rival)
        else:
            return None  # every score that matters is exact and the text is unclear
    if lead == "cisco_ios":
        # IOS or IOS-XE: every XE mark counts (the IOS ones left only raise lo[lead], which
        # below only ever makes the unsupported-platform check give up sooner)
        for k in range(len(pending[lead]) - 1, -1, -1):
            if pending[lead][k][1]:
                try_at(lead, k)
        best = "cisco_xe" if xe_marks else "cisco_ios"
    else:
        best = lead
    # A platform stormguard does not parse wins only with >= _UNSUPPORTED_SURE and >= top.
    bar = max(_UNSUPPORTED_SURE, lo[lead])
    head8 = text[:_UNSUPPORTED_SCAN_BYTES]
    low8 = low[:_UNSUPPORTED_SCAN_BYTES]
    for sigs in _UNSUPPORTED_SORTED.values():
        upper = sum(w for _, w, _ in sigs)
        for rx, w, lits in sigs:
            if upper < bar:
                break
            if starts is not None and rx.anchors and starts.covers(rx.anchors):
                found = starts.search(rx, head8)  # the line starts of the whole head
            else:
                found = _hit(rx, lits, head8, low8)
            if not found:
                upper -= w
        if upper >= bar:
            return None
    return best


def rancid_type(text: str) -> str | None:
    """The ``!RANCID-CONTENT-TYPE: X`` (or ``#...``) of the first lines, lower-cased."""
    head = text[:512]
    at = head.find("RANCID-CONTENT-TYPE:")
    if at < 1 or head[at - 1] not in "!#":
        return None
    if at > 1 and head[at - 2] not in "\r\n":
        return None
    rest = head[at + len("RANCID-CONTENT-TYPE:"):].split("\n", 1)[0].strip().lower()
    return rest or None


def _unsupported(where: str, name: str, why: str = "") -> UnknownPlatformError:
    return UnknownPlatformError(
        f"{where}: looks like {name}{why}, which stormguard does not support")


def detect_platform(text: str, source: str = "") -> str:
    """Return the Netmiko device_type of `text`, or raise :class:`UnknownPlatformError`."""
    stripped = text.lstrip()
    if stripped.startswith("# stormguard esxi bundle"):
        return "esxi"  # esxcli output collected by stormguard.collect.esxi
    if stripped.startswith("{"):
        found = _detect_json(stripped) if len(stripped) < 64 * 1024 * 1024 else None
        if found:
            return found
    where = source or "input"
    rancid = rancid_type(text)
    if rancid is not None:
        return _from_rancid(text, rancid, where)
    ext = PurePath(source).suffix.lower() if source else ""
    hinted = _EXTENSIONS.get(ext)
    fast = _fast_detect(text, hinted)
    if fast is not None:
        return fast
    scores = score_platforms(text)
    if hinted is not None:
        scores[hinted] += _EXTENSION_WEIGHT
        if hinted == "cisco_ios" and scores["cisco_xe"]:
            scores["cisco_xe"] += _EXTENSION_WEIGHT
    best, top, margin = _rank(scores)
    if top < _MIN_SCORE or margin < 2:
        weak = score_weak(text)
        if any(weak.values()):
            for platform, score in weak.items():
                scores[platform] += score
            if weak["cisco_ios"] and scores["cisco_xe"]:
                scores["cisco_xe"] += weak["cisco_ios"]
            best, top, margin = _rank(scores)
    other = score_unsupported(text)
    odd, odd_score = max(other.items(), key=lambda kv: kv[1])
    if odd_score >= _UNSUPPORTED_SURE and odd_score >= top:
        raise _unsupported(where, odd)
    if top < _MIN_SCORE or margin < 2:
        if odd_score >= _MIN_SCORE:
            raise _unsupported(where, odd)
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
        hint = ", ".join(f"{p}={s}" for p, s in ranked[:3] if s)
        raise UnknownPlatformError(
            f"{where}: cannot tell the platform from the text"
            + (f" (closest: {hint})" if hint else "")
            + "; give it with --platform"
        )
    return best


def _rank(scores: dict[str, int]) -> tuple[str, int, int]:
    """The best platform, its score, and its lead over the best of another family."""
    best, top = max(scores.items(), key=lambda kv: kv[1])
    family = {"cisco_ios", "cisco_xe"} if best in ("cisco_ios", "cisco_xe") else {best}
    runner_up = max((s for p, s in scores.items() if p not in family), default=0)
    return best, top, top - runner_up


def _from_rancid(text: str, rancid: str, where: str) -> str:
    """RANCID said what it collected: take it (within the Cisco family, the text decides)."""
    known = _RANCID.get(rancid)
    why = f" (RANCID-CONTENT-TYPE: {rancid})"
    if known is None:
        raise _unsupported(where, repr(rancid), " (RANCID-CONTENT-TYPE)")
    if isinstance(known, str):
        raise _unsupported(where, known, why)
    if len(known) == 1:
        return known[0]
    # old RANCID files every Cisco box as `cisco`: ASA and IOS-XR included
    other = score_unsupported(text)
    odd, odd_score = max(other.items(), key=lambda kv: kv[1])
    if odd_score >= _UNSUPPORTED_SURE:
        raise _unsupported(where, odd)
    scores = score_platforms(text)
    for platform, score in score_weak(text).items():
        scores[platform] += score
    return max(known, key=lambda p: (scores[p], -known.index(p)))
