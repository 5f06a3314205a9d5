"""Apply remediations to a candidate configuration (``stormguard fix``): pure text in, text out.

The fix applied is exactly the snippet a finding carries (:mod:`stormguard.remediation`), read
the way the device would read it when pasted, so the round trip (fixed config re-linted: none of
the fixed findings, no new finding, no new parser warning) tests the snippets themselves.

* **Block-structured configs** (Cisco IOS/IOS-XE, NX-OS, EOS, Huawei VRP, H3C Comware): a
  snippet's ``interface X`` (``interface range ...``, ``port-group ...``) header names the block
  the sub-commands go into; lines without a header are global. A sub-command replaces the lines
  of the same setting in that block (``spanning-tree bpduguard enable`` replaces ``spanning-tree
  bpduguard disable``); a ``no``/``undo`` form removes them; VLAN-list commands (``switchport
  trunk allowed vlan remove``, VRP ``port trunk allow-pass|permit vlan`` and their ``undo``) are
  evaluated against the block's current list and written back as the resulting list. New lines
  go at the end of the block, or next to the global lines of the same setting.
* **Junos**: ``set``/``delete`` lines are applied to the configuration in ``display set`` form.
  A curly-brace configuration is first converted to ``display set`` form (inactive statements
  become ``deactivate`` lines; comments and annotations are not kept), and the fixed
  configuration is printed in that form.
* **vSwitches** (Open vSwitch, Linux bridge): their "configuration" is collected state, not a
  file to edit; their remediations are commands to run on the host. Nothing is applied there.

A finding whose snippet is marked not auto-fixable, or whose target block is not in the text,
is left alone and reported with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from stormguard import model as _model
from stormguard import remediation as rem
from stormguard.findings import Finding
from stormguard.model import PLATFORM_FAMILY, VSWITCH_PLATFORMS, Device
from stormguard.vlans import VlanSet, VlanSyntaxError

BLOCK_FAMILIES = frozenset({"cisco", "nxos", "eos", "huawei", "comware"})
#: Hypervisor hosts (ESXi): collected state too, never a file to edit
_HOST_PLATFORMS: tuple[str, ...] = tuple(getattr(_model, "HYPERVISOR_PLATFORMS", ()))
#: Fix passes at most (a device-wide fix can reveal per-port findings it was hiding).
MAX_PASSES = 3


@dataclass
class FixResult:
    """What ``stormguard fix`` did to one configuration text."""

    platform: str
    text: str  # the fixed configuration
    applied: list[Finding] = field(default_factory=list)
    #: left alone by design: the snippet says it is not auto-fixable (and why), or the
    #: platform's state is not a file (vSwitches)
    skipped: list[tuple[Finding, str]] = field(default_factory=list)  # (finding, why)
    #: a snippet that could not be applied to this text (its block is missing, a VLAN list
    #: that cannot be read): left alone too, but a gap in the fixer, not a design decision
    failed: list[tuple[Finding, str]] = field(default_factory=list)
    display_set: bool = False  # Junos curly input printed in display-set form


class FixError(ValueError):
    """A snippet could not be applied (the finding is skipped with this reason)."""


# -- entry point ------------------------------------------------------------------------------


def fix_config(text: str, *, platform: str | None = None, policy: object | None = None,
               rules: Iterable[str] | None = None, source: str = "") -> FixResult:
    """Lint `text`, apply the remediations of its findings (only `rules`, if given), and
    return the fixed text with what was applied and what was not (and why)."""
    from stormguard.engine import audit
    from stormguard.parsers import parse_config
    from stormguard.policy import load_policy

    pol = policy if policy is not None else load_policy([])
    wanted = {r.upper() for r in rules} if rules else None
    devices = parse_config(text, platform, source=source)
    plat = devices[0].platform if devices else (platform or "")
    total = FixResult(platform=plat, text=text)
    seen: set[tuple[str, str, str]] = set()
    # A device-wide finding (STP off on the device) stands for the per-port ones it hides:
    # once it is fixed they show, so the fix runs again until nothing new appears.
    for _ in range(MAX_PASSES):
        findings = audit_full(devices, pol, audit)
        chosen = [f for f in findings if not f.waived and (wanted is None or f.rule in wanted)
                  and (f.rule, f.interface or "", f.remediation) not in seen]
        if not chosen:
            break
        seen.update((f.rule, f.interface or "", f.remediation) for f in chosen)
        res = apply_findings(total.text, plat, chosen, devices)
        total.applied += res.applied
        total.skipped += res.skipped
        total.failed += res.failed
        if not res.applied or res.text == total.text:
            break
        total.text = res.text
        total.display_set = total.display_set or res.display_set
        devices = parse_config(total.text, plat, source=source)
    return total


def audit_full(devices: Sequence[Device], policy: object, audit: Callable) -> list[Finding]:
    """Findings with every VLAN list written in full (lint summarises long ones)."""
    token = rem.FULL_LISTS.set(True)
    try:
        return list(audit(devices, policy).findings)
    finally:
        rem.FULL_LISTS.reset(token)


def apply_findings(text: str, platform: str, findings: Sequence[Finding],
                   devices: Sequence[Device] = ()) -> FixResult:
    family = PLATFORM_FAMILY.get(platform, platform)
    if platform in VSWITCH_PLATFORMS or platform in _HOST_PLATFORMS:
        res = FixResult(platform=platform, text=text)
        res.skipped = [(f, "vSwitch state is not a file to edit: run the commands on the host")
                       for f in findings]
        return res
    if family == "junos":
        return _apply_junos(text, platform, findings)
    if family in BLOCK_FAMILIES:
        return _apply_blocks(text, platform, family, findings, devices)
    res = FixResult(platform=platform, text=text)
    res.failed = [(f, f"no fixer for platform {platform}") for f in findings]
    return res


# -- block-structured configs -------------------------------------------------------------------

# A setting's key: the lines of one key replace each other. (regex on the positive command,
# key); the first match wins, so longer keys come first.
_CISCO_KEYS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), k) for p, k in [
    (r"^spanning-tree (portfast( edge)?|port type edge|edge-port) bpdufilter default\s*$",
     "g-bpdufilter"),
    (r"^spanning-tree (portfast( edge)?|port type edge|edge-port) bpduguard default\s*$",
     "g-guard"),
    (r"^spanning-tree (portfast( edge| network| normal)?|port type (edge|network|normal)"
     r"|edge-port)( trunk)? default\s*$", "g-edge"),
    (r"^switchport mode\b", "switchport-mode"),
    (r"^switchport access vlan\b", "access-vlan"),
    (r"^switchport trunk native vlan\b", "native-vlan"),
    (r"^spanning-tree guard\b", "guard"),
    (r"^switchport trunk allowed vlan\b", "allowed"),
    (r"^spanning-tree portfast auto\b", "portfast-auto"),
    (r"^spanning-tree portfast\b", "edge"),
    (r"^spanning-tree port type (edge|network|normal)\s*$", "edge"),
    (r"^spanning-tree port type (edge|network|normal)\s+trunk\s*$", "edge"),
    (r"^spanning-tree bpdufilter\b", "bpdufilter"),
    (r"^spanning-tree bpduguard\b", "bpduguard"),
    (r"^spanning-tree disable\s*$", "stp-off"),
    (r"^spanning-tree mode\b", "mode"),
    (r"^storm-control (broadcast|multicast|unicast|unknown-unicast|all)\b", "storm-{}"),
    (r"^mac address-table notification mac-move\s*$", "g-mac-move"),
    (r"^mac address-table loop-detect port-down\s*$", "g-mac-loop-detect"),
    (r"^logging trap\b", "g-log-level"),
    (r"^protect vlan\b", "loop-protect-vlans"),  # EOS monitor loop-protection
    (r"^shutdown\s*$", "shutdown"),
]]
#: negated settings that stay in the config as an explicit line (the default is on)
_CISCO_KEEP_NEG = frozenset({"portfast-auto", "shutdown"})

_VRP_KEYS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), k) for p, k in [
    (r"^stp edged-port default\b", "g-edge"),
    (r"^stp edged-port\b", "edge"),
    (r"^port link-type\b", "link-type"),
    (r"^port (default|access) vlan\b", "access-vlan"),
    (r"^storm-control action\b", "storm-action"),
    (r"^storm control action\b", "storm-action"),
    (r"^stp bpdu-filter default\b", "g-bpdufilter"),
    (r"^stp bpdu-filter\b", "bpdufilter"),
    (r"^bpdu-drop any\b", "bpdu-drop"),
    (r"^stp port bpdu-protection\b", "bpduguard"),
    (r"^stp (global )?(enable|disable)\s*$", "stp-state"),
    (r"^stp mode\b", "mode"),
    (r"^storm[- ]control (broadcast|multicast|unicast|unknown-unicast)\b", "storm-{}"),
    (r"^storm suppression (broadcast|multicast|unicast|unknown-unicast)\b", "storm-{}"),
    (r"^(broadcast|multicast|unicast|unknown-unicast)-suppression\b", "suppression-{}"),
    (r"^storm-constrain (broadcast|multicast|unicast)\b", "constrain-{}"),
    (r"^storm-constrain control\b", "constrain-control"),
    (r"^mac-address flapping detection\s*$", "g-mac-flapping"),
    (r"^info-center enable\s*$", "g-info-center"),
    (r"^shutdown-interval\b", "g-shutdown-interval"),
]]
_VRP_KEEP_NEG: frozenset[str] = frozenset()

_CISCO_ALLOWED = re.compile(r"^switchport trunk allowed vlan\s+(?:(add|remove|except)\s+)?(.+)$")
_VRP_TRUNK = re.compile(r"^(undo\s+)?port trunk (allow-pass|permit) vlan\s+(.+)$")
_CISCO_STP_VLAN = re.compile(r"^(no\s+)?spanning-tree (vlan|vlan-id)\s+(\S+)\s*$")
_VRP_STP_VLAN = re.compile(r"^(undo\s+)?stp vlan\s+(.+?)\s+(enable|disable)\s*$")


def _key(cmd: str, keys: list[tuple[re.Pattern[str], str]]) -> str | None:
    for rx, k in keys:
        m = rx.search(cmd)
        if m:
            return k.format(*m.groups()) if "{}" in k else k
    return None


@dataclass
class _Snippet:
    """One block (header None: global) and its commands, in order."""

    header: str | None
    commands: list[str]


def parse_snippet(snippet: str) -> list[_Snippet]:
    out: list[_Snippet] = []
    for raw in snippet.split("\n"):
        if not raw.strip() or raw.lstrip()[:1] in ("!", "#"):
            continue
        if raw[0] in " \t":
            if not out or out[-1].header is None:
                raise FixError(f"indented command without a block: {raw.strip()}")
            out[-1].commands.append(raw.strip())
        elif raw.startswith(("interface ", "port-group ", "monitor loop-protection")):
            out.append(_Snippet(raw.strip(), []))
        else:
            out.append(_Snippet(None, [raw.strip()]))
    return out


class _Line(str):
    """A block statement, with the deeper-indented lines under it."""

    kids: list[str]

    def __new__(cls, s: str) -> _Line:
        obj = super().__new__(cls, s)
        obj.kids = []
        return obj


def _norm(s: str) -> str:
    return " ".join(s.split()).lower()


class _BlockText:
    """The lines of a block-structured config and where its blocks are."""

    def __init__(self, text: str, family: str) -> None:
        self.family = family
        self.vrp = family in ("huawei", "comware")
        self.nl = "\r\n" if "\r\n" in text else "\n"
        body = text.replace("\r\n", "\n")
        self.trailing_nl = body.endswith("\n")
        self.lines = body.split("\n")
        if self.trailing_nl:
            self.lines.pop()
        self.keys = _VRP_KEYS if self.vrp else _CISCO_KEYS
        self.keep_neg = _VRP_KEEP_NEG if self.vrp else _CISCO_KEEP_NEG
        self.neg = "undo " if self.vrp else "no "

    def text(self) -> str:
        return self.nl.join(self.lines) + (self.nl if self.trailing_nl else "")

    # -- locating ----------------------------------------------------------------------------
    def find_block(self, header: str, line_hint: int | None = None) -> tuple[int, int] | None:
        """(index of the header, index after its last indented line)."""
        want = _norm(header)
        start = None
        if line_hint and 0 < line_hint <= len(self.lines):
            cand = self.lines[line_hint - 1]
            if cand[:1] not in (" ", "\t") and cand.strip():
                start = line_hint - 1
        if start is None:
            for i in self.global_indices():  # never a line of banner text
                ln = self.lines[i]
                if ln[:1] not in (" ", "\t", "") and _norm(ln) == want:
                    start = i
                    break
        if start is None:
            return None
        end = start + 1
        n = len(self.lines)
        while end < n and self.lines[end][:1] in (" ", "\t") and self.lines[end].strip():
            end += 1
        return start, end

    def new_block(self, header: str) -> tuple[int, int]:
        """Add an empty block for `header` at the end (before ``end`` / ``return``)."""
        at = len(self.lines)
        while at > 0 and (not self.lines[at - 1].strip()
                          or self.lines[at - 1].strip() in ("end", "return")):
            at -= 1
        sep = "#" if self.vrp else "!"
        add = [header] if at and self.lines[at - 1].strip() == sep else [sep, header]
        if at < len(self.lines):
            add.append(sep)  # keep `end` / `return` in a section of its own
        self.lines[at:at] = add
        start = at + add.index(header)
        return start, start + 1

    def global_indices(self) -> list[int]:
        """Indices of global command lines: column 0 (a view header is a command too), and on
        VRP the indented lines after a ``#`` (H3C prints ` sysname X`), not inside a view."""
        out = []
        in_view = False
        lines = self.lines
        skip_to = -1
        for i, ln in enumerate(lines):
            if i <= skip_to or not ln.strip():
                continue
            if ln.startswith(("banner ", "header ", "macro name ")):
                skip_to = _text_block_end(lines, i)
                continue
            c0 = ln[0]
            if c0 in (" ", "\t"):
                if self.vrp and not in_view:
                    out.append(i)
                continue
            if c0 in ("#", "!"):
                in_view = False
                continue
            out.append(i)
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            in_view = nxt[:1] in (" ", "\t")
        return out

    # -- editing -----------------------------------------------------------------------------
    def _line_key(self, s: str) -> tuple[str | None, bool]:
        neg = s.startswith(self.neg)
        body = s[len(self.neg):] if neg else s
        return _key(body, self.keys), neg

    def apply_block_command(self, start: int, end: int, cmd: str) -> int:
        """Apply `cmd` inside the block [start, end); returns the new end. Only the block's
        own statements are matched; deeper-indented lines (``hsrp 1`` / ``  shutdown``) stay
        with the statement they belong to."""
        indent = {"eos": "   ", "nxos": "  "}.get(self.family, " ")
        if end > start + 1:
            first = self.lines[start + 1]
            indent = first[: len(first) - len(first.lstrip())] or " "
        sub: list[str] = []
        for i in range(start + 1, end):
            raw = self.lines[i]
            if raw.startswith(indent) and raw[len(indent):len(indent) + 1] not in (" ", "\t"):
                sub.append(_Line(raw.strip()))
            elif sub:
                sub[-1].kids.append(raw)  # type: ignore[attr-defined]
            else:
                sub.append(_Line(raw.strip()))
        new_sub = self._edit(sub, cmd, block=True)
        out: list[str] = []
        for s in new_sub:
            out.append(indent + s)
            out.extend(getattr(s, "kids", ()))
        self.lines[start + 1:end] = out
        return start + 1 + len(out)

    def apply_global(self, cmd: str) -> None:
        idx = self.global_indices()
        glines = [self.lines[i].strip() for i in idx]
        new = self._edit(glines, cmd, block=False)
        if new == glines:
            return
        # write back: removed lines disappear, changed ones stay in place, added ones go after
        # the last global line with the same first word, else before the first interface
        gone = [i for i, s in zip(idx, glines, strict=True) if s not in new]
        added = [s for s in new if s not in glines]
        indent = ""
        if self.vrp and idx:
            sample = [self.lines[i] for i in idx if self.lines[i].strip().startswith(
                ("sysname", "stp", "vlan", "clock"))]
            if sample and sample[0][:1] == " ":
                indent = " "
        for s in added:
            word = s.split()[0] if not s.startswith(self.neg) else s.split()[1]
            peers = [i for i in idx if i not in gone and word in self.lines[i].split()[:2]]
            if peers:
                at = peers[-1] + 1
            else:
                at = next((i for i in sorted(idx)  # a real header, not banner text
                           if self.lines[i].startswith(("interface ", "port-group "))),
                          len(self.lines))
            self.lines.insert(at, indent + s)
            gone = [g + 1 if g >= at else g for g in gone]
            idx = [j + 1 if j >= at else j for j in idx] + [at]
        for i in sorted(gone, reverse=True):
            del self.lines[i]

    def _edit(self, lines: list[str], cmd: str, *, block: bool) -> list[str]:
        # VLAN lists are evaluated, not matched
        if not self.vrp:
            m = _CISCO_ALLOWED.match(cmd)
            if m and block:
                return self._cisco_allowed(lines, m.group(1), m.group(2))
            m = _CISCO_STP_VLAN.match(cmd)
            if m and not block and not m.group(1):
                return self._vlan_disable_list(lines, _CISCO_STP_VLAN, m.group(3), cisco=True)
        else:
            m = _VRP_TRUNK.match(cmd)
            if m and block:
                return self._vrp_trunk(lines, bool(m.group(1)), m.group(2), m.group(3))
            m = _VRP_STP_VLAN.match(cmd)
            if m and not block:
                on = (m.group(3) == "enable") != bool(m.group(1))
                if on:
                    return self._vlan_disable_list(lines, _VRP_STP_VLAN, m.group(2), cisco=False)
            if cmd.startswith("port hybrid ") or cmd.startswith("undo port hybrid "):
                return [*lines, cmd]  # hybrid lists accumulate in order, as on the device
        key, neg = self._line_key(cmd)
        if key is None:
            if neg:  # `no X` / `undo X`: drop the lines that say X
                body = cmd[len(self.neg):]
                return [s for s in lines if not (s == body or s.startswith(body + " "))]
            return lines if cmd in lines else [*lines, cmd]
        kept: list[str] = []
        pos = None
        for s in lines:
            k, _ = self._line_key(s)
            if k == key:
                if pos is None:
                    pos = len(kept)
                continue
            kept.append(s)
        if neg and key not in self.keep_neg:
            if key == "stp-off" and not self.vrp:  # `no spanning-tree` on a port
                kept = [s for s in kept if s != "no spanning-tree"]
            return kept
        kept.append(cmd)  # where a pasted line would go: last wins
        return kept

    def _cisco_allowed(self, lines: list[str], op: str | None, arg: str) -> list[str]:
        cur: VlanSet | None = None
        pos = None
        kept: list[str] = []
        for s in lines:
            m = _CISCO_ALLOWED.match(s)
            if m:
                if pos is None:
                    pos = len(kept)
                cur = _cisco_op(cur, m.group(1), m.group(2))
                continue
            kept.append(s)
        new = _cisco_op(cur, op, arg)
        if new is None or new.is_all:
            text = "all"
        else:
            text = new.to_text()
        kept.append(f"switchport trunk allowed vlan {text}")
        return kept

    def _vrp_trunk(self, lines: list[str], undo: bool, word: str, arg: str) -> list[str]:
        cur = VlanSet.of([1])
        pos = None
        kept: list[str] = []
        for s in lines:
            m = _VRP_TRUNK.match(s)
            if m:
                if pos is None:
                    pos = len(kept)
                cur = _vrp_op(cur, bool(m.group(1)), m.group(3))
                continue
            kept.append(s)
        new = _vrp_op(cur, undo, arg)
        out: list[str] = []
        if 1 not in new:
            out.append(f"undo port trunk {word} vlan 1")
        if new.is_all or len(new) >= 4094:
            out.append(f"port trunk {word} vlan all")
        else:
            rest = new - VlanSet.of([1])
            out += [f"port trunk {word} vlan {c}" for c in rem.vrp_chunks(rest)]
        p = len(kept)
        return kept[:p] + out + kept[p:]

    def _vlan_disable_list(self, lines: list[str], rx: re.Pattern[str], arg: str,
                           *, cisco: bool) -> list[str]:
        """Turn STP back on for VLANs `arg`: shrink the per-VLAN disable lines."""
        enable = _parse_vlans(arg)
        off = VlanSet.none()
        pos = None
        sample = None
        kept: list[str] = []
        for s in lines:
            m = rx.match(s)
            if m:
                is_off = bool(m.group(1)) if cisco else (
                    (m.group(3) == "enable") == bool(m.group(1)))
                if is_off:
                    if pos is None:
                        pos, sample = len(kept), m
                    off = off | _parse_vlans(m.group(3) if cisco else m.group(2))
                    continue
            kept.append(s)
        left = off - enable
        if left and sample is not None:
            if cisco:
                new = [f"no spanning-tree {sample.group(2)} {left.to_text()}"]
            elif sample.group(1):
                new = [f"undo stp vlan {c} enable" for c in rem.vrp_chunks(left)]
            else:
                new = [f"stp vlan {c} disable" for c in rem.vrp_chunks(left)]
            p = len(kept) if pos is None else pos
            kept = kept[:p] + new + kept[p:]
        return kept


def _text_block_end(lines: list[str], i: int) -> int:
    """Last index of a free-text block (``banner motd ^C ... ^C``, VRP ``header login
    information "..."``, an IOS ``macro name X`` ending in ``@``): never configuration."""
    first = lines[i]
    words = first.split()
    if words[0] == "macro":
        for j in range(i + 1, len(lines)):
            if lines[j].strip() == "@":
                return j
        return len(lines) - 1
    rest = first.split(None, 2)[2] if len(words) > 2 else ""
    if words[0] == "header" and len(words) > 2 and words[1] in ("login", "shell", "motd"):
        rest = first.split(None, 3)[3] if len(words) > 3 else ""
    if not rest and words[0] == "banner" and len(words) == 2:
        # EOS: `banner login` alone, then the text, then a line `EOF`
        for j in range(i + 1, len(lines)):
            if lines[j].strip() == "EOF":
                return j
        return i
    if not rest:
        return i
    delim = rest[:2] if rest.startswith("^") else rest[0]
    if delim in rest[len(delim):]:
        return i
    for j in range(i + 1, len(lines)):
        if delim in lines[j]:
            return j
    return len(lines) - 1


def _parse_vlans(text: str) -> VlanSet:
    try:
        return VlanSet.parse(text)
    except VlanSyntaxError as exc:
        raise FixError(f"cannot read VLAN list {text!r}: {exc}") from None


def _cisco_op(cur: VlanSet | None, op: str | None, arg: str) -> VlanSet | None:
    a = arg.strip()
    if a == "all":
        val: VlanSet = VlanSet.all()
    elif a == "none":
        val = VlanSet.none()
    else:
        val = _parse_vlans(a)
    base = VlanSet.all() if cur is None else cur
    if op == "add":
        return base.add(val)
    if op == "remove":
        return base.remove(val)
    if op == "except":
        return VlanSet.all() - val
    return val


def _vrp_op(cur: VlanSet, undo: bool, arg: str) -> VlanSet:
    a = arg.strip()
    val = VlanSet.all() if a == "all" else _parse_vlans(a)
    if undo:
        return VlanSet.none() if val.is_all else cur - val
    return val if val.is_all else cur | val


def _inherited_lines(devices: Sequence[Device], port: str | None) -> list[int]:
    out: list[int] = []
    for dev in devices:
        iface = dev.interfaces.get(port or "")
        if iface is None:
            continue
        for src in (iface.extra.get("inherited") or {}).values():
            if isinstance(src, dict) and src.get("line"):
                out.append(int(src["line"]))
    return out


def _apply_blocks(text: str, platform: str, family: str, findings: Sequence[Finding],
                  devices: Sequence[Device]) -> FixResult:
    cfg = _BlockText(text, family)
    res = FixResult(platform=platform, text=text)
    done: set[str] = set()  # snippet lines already applied (a shared global fix)
    for f in findings:
        why = rem.fixable(f.remediation)
        if why:
            res.skipped.append((f, why))
            continue
        before = list(cfg.lines)
        try:
            for part in parse_snippet(f.remediation):
                if part.header is None:
                    for c in part.commands:
                        cfg.apply_global(c)
                    continue
                span = _locate(cfg, part.header, f, devices)
                if span is None and ((part.header.startswith("interface ") and not
                                      part.header.startswith("interface range"))
                                     or part.header == "monitor loop-protection"):
                    span = cfg.new_block(part.header)  # a port only a range/group named
                if span is None:
                    raise FixError(f"block '{part.header}' is not in the configuration")
                start, end = span
                for c in part.commands:
                    end = cfg.apply_block_command(start, end, c)
            _changed_or_done(cfg.lines, before, f.remediation, done)
        except FixError as exc:
            cfg.lines = before
            res.failed.append((f, str(exc)))
            continue
        res.applied.append(f)
    res.text = cfg.text()
    return res


def _changed_or_done(after: list[str], before: list[str], snippet: str, done: set[str]) -> None:
    """A fix that changes nothing, and that no earlier fix in this run applied, cannot have
    worked: the setting comes from somewhere the snippet does not name (a group, a default)."""
    cmds = {_norm(ln) for ln in snippet.split("\n") if ln.strip() and ln.strip()[0] not in "!#"}
    if after == before and not cmds <= done:
        raise FixError("the fix changes nothing in this configuration: the setting comes from "
                       "somewhere it does not name")
    done |= cmds


def _locate(cfg: _BlockText, header: str, f: Finding,
            devices: Sequence[Device]) -> tuple[int, int] | None:
    span = cfg.find_block(header)
    if span is not None:
        return span
    if header.startswith(("interface range", "port-group")):
        want = header.split()[-1].lower()
        for ln in _inherited_lines(devices, f.interface):
            span = cfg.find_block("", ln)
            if span is not None and want in cfg.lines[span[0]].lower():
                return span
    return None


# -- Junos -------------------------------------------------------------------------------------

_JTOK = re.compile(r'"(?:[^"\\]|\\.)*"?|[{};]|[^\s{};"]+')
#: statements whose value replaces the previous one (`set ... bandwidth-percentage 10`)
_J_SINGLE = frozenset({"bandwidth-percentage", "bandwidth-level", "level", "bandwidth",
                       "storm-control", "interface-mode", "port-mode", "native-vlan-id"})
#: statements that exclude each other under the same parent
_J_CHOICE = {"bandwidth-percentage": "bandwidth-level", "bandwidth-level": "bandwidth-percentage",
             "level": "bandwidth", "bandwidth": "level"}


def is_display_set(text: str) -> bool:
    for raw in text.split("\n"):
        s = raw.strip()
        if not s or s.startswith(("#", "/*", "*")):
            continue
        return s.startswith(("set ", "deactivate ", "delete ", "activate ", "insert "))
    return True


def curly_to_set(text: str) -> list[str]:
    """``show configuration`` (curly braces) -> ``display set`` lines. ``inactive:`` statements
    become their ``set`` lines plus a ``deactivate`` line; comments and annotations are
    dropped; an empty block (``rstp { }``) becomes ``set ... rstp``."""
    out: list[str] = []
    frames: list[list] = []  # [tokens, emitted anything, inactive]
    cur: list[str] = []
    in_comment = False

    def path() -> list[str]:
        return [t for fr in frames for t in fr[0]]

    def mark() -> None:
        for fr in frames:
            fr[1] = True

    for raw in text.replace("\r\n", "\n").split("\n"):
        s = raw.strip()
        if in_comment:
            if "*/" not in s:
                continue
            in_comment = False
            s = s.split("*/", 1)[1].strip()
        if s.startswith("/*"):
            if "*/" not in s:
                in_comment = True
                continue
            s = s.split("*/", 1)[1].strip()
        if not s or s.startswith("#"):
            continue
        if "##" in s:
            s = s.split("##", 1)[0].rstrip()
        for tok in _JTOK.findall(s):
            if tok == "{":
                inactive = bool(cur) and cur[0] == "inactive:"
                toks = [t for t in cur if t not in _MARKS]
                frames.append([toks, False, inactive])
                cur = []
            elif tok in (";", "}"):
                if cur:
                    inactive = cur[0] == "inactive:"
                    toks = [t for t in cur if t not in _MARKS]
                    if toks:
                        out.append("set " + " ".join(path() + toks))
                        mark()
                        if inactive:  # a single-valued leaf is deactivated by its name
                            name = toks[:1] if len(toks) == 2 and toks[0] not in _J_MULTI \
                                else toks
                            out.append("deactivate " + " ".join(path() + name))
                    cur = []
                if tok == "}" and frames:
                    here = path()
                    toks, emitted, inactive = frames.pop()
                    if not emitted and here:
                        out.append("set " + " ".join(here))
                        mark()
                    if inactive and here:
                        out.append("deactivate " + " ".join(here))
            else:
                cur.append(tok)
    return out


_MARKS = frozenset({"inactive:", "protect:", "replace:"})
#: leaves that hold several values: one value is deactivated with its value
_J_MULTI = frozenset({"member", "members", "interface", "vlan", "apply-groups"})


def _jtoks(line: str) -> list[str]:
    return [t for t in _JTOK.findall(line)]


def _apply_junos(text: str, platform: str, findings: Sequence[Finding]) -> FixResult:
    display_set = is_display_set(text)
    nl = "\r\n" if "\r\n" in text else "\n"
    lines = (text.replace("\r\n", "\n").rstrip("\n").split("\n") if display_set
             else curly_to_set(text))
    res = FixResult(platform=platform, text=text, display_set=not display_set)
    done: set[str] = set()
    for f in findings:
        why = rem.fixable(f.remediation)
        if why:
            res.skipped.append((f, why))
            continue
        before = list(lines)
        try:
            for raw in f.remediation.split("\n"):
                s = raw.strip()
                if not s or s.startswith("#"):
                    continue
                toks = _jtoks(s)
                if toks[0] == "set":
                    lines = _jset(lines, toks[1:])
                elif toks[0] == "delete":
                    path = toks[1:]
                    lines = _jdelete(lines, path)
                    if path[:3] == ["protocols", "vstp", "interface"]:
                        # VSTP sets the same port statements per VLAN as well
                        lines = _jdelete_vstp_vlans(lines, path[3:])
                else:
                    raise FixError(f"not a set/delete line: {s}")
            _changed_or_done(lines, before, f.remediation, done)
        except FixError as exc:
            lines = before
            res.failed.append((f, str(exc)))
            continue
        res.applied.append(f)
    res.text = nl.join(lines) + nl
    return res


def _parsed(line: str) -> list[str] | None:
    s = line.strip()
    if not s.startswith("set "):
        return None
    return _jtoks(s)[1:]


def _values(toks: list[str]) -> list[str]:
    return [t for t in toks if t not in ("[", "]")]


def _jset(lines: list[str], path: list[str]) -> list[str]:
    path_v = _values(path)
    out = list(lines)
    # a list value (`vlan members [ a b ]`) is written as separate members
    for line in out:
        p = _parsed(line)
        if p is not None and _values(p) == path_v:
            return out
    if len(path_v) >= 2 and path_v[-2] in _J_SINGLE:
        parent = path_v[:-2]
        names = {path_v[-2], _J_CHOICE.get(path_v[-2], "")}
        out = [ln for ln in out if not (
            (p := _parsed(ln)) is not None and len(_values(p)) == len(path_v)
            and _values(p)[:-2] == parent and _values(p)[-2] in names)]
    # after the last line sharing the longest prefix
    best, at = 0, len(out)
    for i, ln in enumerate(out):
        p = _parsed(ln)
        if p is None:
            continue
        pv = _values(p)
        k = 0
        while k < min(len(pv), len(path_v)) and pv[k] == path_v[k]:
            k += 1
        if k >= best and k > 0:
            best, at = k, i + 1
    out.insert(at, "set " + " ".join(path))
    return out


def _jdelete_vstp_vlans(lines: list[str], rest: list[str]) -> list[str]:
    """``delete protocols vstp vlan * interface X ...``: every VLAN that names the port."""
    vlans = {v[3] for ln in lines if (p := _parsed(ln)) is not None
             and (v := _values(p))[:3] == ["protocols", "vstp", "vlan"] and len(v) > 5
             and v[4:4 + len(rest)] == ["interface", *rest][:len(rest)]}
    for vlan in sorted(vlans):
        lines = _jdelete(lines, ["protocols", "vstp", "vlan", vlan, "interface", *rest])
    return lines


def _jdelete(lines: list[str], path: list[str]) -> list[str]:
    path_v = _values(path)
    out: list[str] = []
    for ln in lines:
        p = _parsed(ln)
        if p is None:
            s = ln.strip()
            if s.startswith("deactivate "):
                dv = _values(_jtoks(s)[1:])
                if dv[:len(path_v)] == path_v:
                    continue
            out.append(ln)
            continue
        pv = _values(p)
        if pv[:len(path_v)] == path_v:
            parent = path_v[:-1]
            if len(parent) > 1:  # Junos keeps the container a deleted leaf was in
                holder = f"set {' '.join(parent)}"
                if holder not in out and not any(
                        (q := _parsed(x)) is not None and _values(q)[:len(parent)] == parent
                        for x in lines if x != ln):
                    out.append(holder)
            continue  # the statement or a whole subtree
        # one member of a list: `delete ... vlan members USERS` on `... members [ USERS X ]`
        if len(path_v) >= 2 and pv[:len(path_v) - 1] == path_v[:-1] and path_v[-1] in pv[
                len(path_v) - 1:]:
            rest = [v for v in pv[len(path_v) - 1:] if v != path_v[-1]]
            if not rest:
                continue
            head = " ".join(path_v[:-1])
            out.append(f"set {head} " + (f"[ {' '.join(rest)} ]" if len(rest) > 1 else rest[0]))
            continue
        out.append(ln)
    return out
