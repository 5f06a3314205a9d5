"""Guess the platform of a configuration from its text.

Each platform has a handful of tell-tale patterns with weights; the highest score wins if it is
clear enough. The patterns are things a running configuration of that platform prints and the
others do not (or print differently: `port trunk allow-pass` is Huawei, `port trunk permit` is
H3C; three-space indentation under `interface Ethernet1` is Arista, two-space with `feature` lines
is NX-OS). Only the first part of a very large file is looked at.

When the guess is not clear, :class:`UnknownPlatformError` names the file and suggests
``--platform``.
"""

from __future__ import annotations

import json
import re

from stormguard.errors import UnknownPlatformError

_SCAN_BYTES = 256 * 1024
_M = re.MULTILINE | re.IGNORECASE

class _LazyPattern:
    """A regular expression compiled on its first search.

    Compiling the whole signature table up front (case-insensitive patterns are slow to
    compile) cost ~40 ms of every `stormguard lint` start; with the literal pre-check in
    :func:`score_platforms`, a config only ever compiles the dozen patterns it might match.
    """

    __slots__ = ("_rx", "flags", "pattern")

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags
        self._rx: re.Pattern[str] | None = None

    def search(self, text: str) -> re.Match[str] | None:
        if self._rx is None:
            self._rx = re.compile(self.pattern, self.flags)
        return self._rx.search(text)


_lazy = _LazyPattern


# (pattern, weight) per platform. Patterns are searched once each over the head of the text.
_SIGNATURES: dict[str, list[tuple[_LazyPattern, int]]] = {
    "cisco_ios": [
        (_lazy(r"^version 1[0-5]\.\d", _M), 6),
        (_lazy(r"^interface (Gigabit|FastEthernet|TenGigabit|TwentyFiveGig|FortyGig|"
               r"HundredGig)\S*\d", _M), 3),
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


#: Per platform: (pattern, weight, required literals), the literals derived once, here.
_PREFILTERED = {
    platform: [(rx, w, _required_literals(rx.pattern)) for rx, w in sigs]
    for platform, sigs in _SIGNATURES.items()
}


def score_platforms(text: str) -> dict[str, int]:
    head = text[:_SCAN_BYTES]
    # The literal test is exact for ASCII text (the IGNORECASE search then compares ASCII
    # case-insensitively, as lower() does); other text takes the plain regex path.
    low = head.lower() if head.isascii() else None
    scores: dict[str, int] = {}
    for platform, sigs in _PREFILTERED.items():
        scores[platform] = sum(
            w for rx, w, lits in sigs
            if (low is None or all(lit in low for lit in lits)) and rx.search(head))
    # IOS-XE is IOS plus its own marks.
    if scores["cisco_xe"]:
        scores["cisco_xe"] += scores["cisco_ios"]
    return scores


def detect_platform(text: str, source: str = "") -> str:
    """Return the Netmiko device_type of `text`, or raise :class:`UnknownPlatformError`."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        found = _detect_json(stripped) if len(stripped) < 64 * 1024 * 1024 else None
        if found:
            return found
    scores = score_platforms(text)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best, top = ranked[0]
    family = {"cisco_ios", "cisco_xe"} if best in ("cisco_ios", "cisco_xe") else {best}
    runner_up = max((s for p, s in ranked if p not in family), default=0)
    if top < _MIN_SCORE or top - runner_up < 2:
        hint = ", ".join(f"{p}={s}" for p, s in ranked[:3] if s)
        where = source or "input"
        raise UnknownPlatformError(
            f"{where}: cannot tell the platform from the text"
            + (f" (closest: {hint})" if hint else "")
            + "; give it with --platform"
        )
    return best
