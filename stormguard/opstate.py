"""Operational state from the show outputs the collectors already fetch each night.

Not findings: what the switches *did* - ports err-disabled (and why), spanning-tree
inconsistent ports, topology-change counts and the last change, storm-control discard counters
- read from ``Collected.state`` (``{name: {"command", "raw", ...}}``, as stored with each
snapshot). Which command feeds what, per platform (the recipe names in ``collectors/*.yaml``):

* IOS / IOS-XE: err-disabled ``errdisabled`` (``show interfaces status err-disabled``); STP
  inconsistent from ``stp`` (``*ROOT_Inc`` ... in ``show spanning-tree``); topology changes
  ``stp_detail`` (``show spanning-tree detail``); storm discards ``storm_discards`` (IOS-XE
  ``show interfaces counters storm-control``).
* NX-OS: the same names (``show interface status err-disabled``, ``show interface counters
  storm-control``: ``TotalSuppDiscards``).
* EOS: ``errdisabled`` (``show interfaces status errdisabled``), ``stp`` (``*_Inc``), storm
  discards from the ``Drops`` column of ``storm_control`` (``show storm-control``).
* Huawei VRP: ``errdisabled`` (``display error-down recovery``), topology changes
  ``stp_global`` (``display stp``: ``Number of TC``, ``Time since last TC``, ``Last TC
  occurred``).
* H3C Comware: ``errdisabled`` (``display interface brief down``: a ``Cause`` other than "Not
  connected" / "Administratively"), ``stp_abnormal`` (``display stp abnormal-port``),
  ``stp_global`` (``display stp``).
* Junos: STP inconsistent ports from ``stp`` (``show spanning-tree interface``: ``(Root-Incon)``
  ...).

Pure functions: text in, dataclasses out; an output that says the command is not supported
(``% Invalid input``, ``Unrecognized command``, ``syntax error``) reads as "not collected".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ErrDisabled:
    interface: str
    cause: str  # as the device says it: bpduguard, storm-control, loopback-detect ...
    detail: str = ""  # e.g. Huawei's remaining time until recovery


@dataclass(frozen=True)
class StpInconsistent:
    interface: str
    instance: str  # VLAN0010, MST0, 0 ...
    kind: str  # root, loop, bpdu, type, pvid, ...


@dataclass(frozen=True)
class TopologyChanges:
    instance: str  # VLAN0010, MST0, CIST
    count: int
    last_change_s: int | None = None  # seconds since the last change
    last_from: str | None = None  # the port the last change came from


@dataclass(frozen=True)
class StormDiscards:
    interface: str
    discards: int
    traffic: str = "total"  # total, broadcast, multicast, unicast


@dataclass
class OpState:
    device: str
    platform: str
    errdisabled: list[ErrDisabled] = field(default_factory=list)
    inconsistent: list[StpInconsistent] = field(default_factory=list)
    topology: list[TopologyChanges] = field(default_factory=list)
    storm_discards: list[StormDiscards] = field(default_factory=list)
    collected: list[str] = field(default_factory=list)  # which of the four were read

    @property
    def empty(self) -> bool:
        return not (self.errdisabled or self.inconsistent or self.topology
                    or self.storm_discards)


@dataclass(frozen=True)
class OpRow:
    """One line of the report's operational-state section."""

    device: str
    kind: str  # err-disabled | stp-inconsistent | topology-change | storm-discards
    interface: str
    detail: str
    changed: bool  # new or grown since the previous night (or no previous night to compare)


# -- helpers ----------------------------------------------------------------------------------

_UNSUPPORTED = ("% Invalid input", "Unrecognized command", "syntax error", "% Invalid command",
                "Invalid input detected", "% Incomplete command")


def _raw(state: Mapping[str, Any], name: str) -> str | None:
    entry = state.get(name)
    if isinstance(entry, Mapping):
        raw = entry.get("raw")
    elif isinstance(entry, str):
        raw = entry
    else:
        return None
    if not isinstance(raw, str) or any(m in raw for m in _UNSUPPORTED):
        return None
    return raw


def _columns(header: str, names: Iterable[str]) -> dict[str, int]:
    low = header.lower()
    out: dict[str, int] = {}
    for n in names:
        m = re.search(rf"(?<!\S){re.escape(n.lower())}(?!\S)", low)
        if m:
            out[n] = m.start()
    return out


def _cut(line: str, start: int, end: int | None) -> str:
    return line[start:end].strip() if end is not None else line[start:].strip()


_DURATION = re.compile(
    r"(?:(?P<w>\d+)w)?(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")


def duration_s(text: str) -> int | None:
    """``00:03:41``, ``1:02:03``, ``1d02h``, ``2w3d``, ``0 days 0h:2m:11s`` -> seconds."""
    t = text.strip().rstrip(".")
    m = re.match(r"^(\d+)\s+days?\s+(\d+)h:(\d+)m:(\d+)s$", t)
    if m:
        d, h, mi, s = (int(x) for x in m.groups())
        return ((d * 24 + h) * 60 + mi) * 60 + s
    if re.fullmatch(r"\d+(:\d+){1,2}", t):
        parts = [int(x) for x in t.split(":")]
        while len(parts) < 3:
            parts.insert(0, 0)
        return (parts[0] * 60 + parts[1]) * 60 + parts[2]
    m = _DURATION.match(t)
    if m and t:
        g = {k: int(v) for k, v in m.groupdict().items() if v}
        return (((g.get("w", 0) * 7 + g.get("d", 0)) * 24 + g.get("h", 0)) * 60
                + g.get("m", 0)) * 60 + g.get("s", 0)
    m = re.fullmatch(r"(\d+)\s*seconds?", t)
    return int(m.group(1)) if m else None


# -- err-disabled -------------------------------------------------------------------------------


def parse_errdisabled_table(raw: str) -> list[ErrDisabled]:
    """IOS/IOS-XE ``show interfaces status err-disabled``, NX-OS ``show interface status
    err-disabled``, EOS ``show interfaces status errdisabled``: fixed-width columns under a
    ``Port  Name  Status  Reason`` header."""
    out: list[ErrDisabled] = []
    cols: dict[str, int] | None = None
    for line in raw.splitlines():
        if cols is None:
            if line.lstrip().startswith("Port") and "Reason" in line:
                cols = _columns(line, ("Port", "Name", "Status", "Reason", "Err-disabled"))
            continue
        if not line.strip() or set(line.strip()) <= {"-", " "}:
            continue
        port = line.split()[0]
        reason_at = cols.get("Reason")
        if reason_at is None:
            continue
        status_at = cols.get("Status", reason_at)
        status = _cut(line, status_at, reason_at).lower()
        reason = _cut(line, reason_at, cols.get("Err-disabled"))
        if not reason or ("err" not in status and "down" not in status and status):
            continue
        out.append(ErrDisabled(port, reason))
    return out


def parse_huawei_error_down(raw: str) -> list[ErrDisabled]:
    """Huawei ``display error-down recovery``: interface, cause, seconds to recovery."""
    out = []
    for line in raw.splitlines():
        w = line.split()
        if len(w) >= 2 and re.match(r"^[A-Za-z-]+\d+(/\d+)*$", w[0]) and w[0] != "Interface":
            out.append(ErrDisabled(w[0], w[1], f"recovers in {w[2]} s" if len(w) > 2
                                   and w[2].isdigit() else ""))
    return out


#: H3C `display interface brief down` causes that are not a protection shutting the port
_H3C_PLAIN_DOWN = ("not connected", "administratively", "adm", "standby", "link-aggregation")


def parse_comware_down(raw: str) -> list[ErrDisabled]:
    """H3C ``display interface brief down``: ``Interface  Link  Cause``; a cause other than
    "Not connected" / "Administratively" is a protection that shut the port."""
    out: list[ErrDisabled] = []
    seen_header = False
    for line in raw.splitlines():
        w = line.split()
        if not w:
            continue
        if w[0] == "Interface" and "Cause" in w:
            seen_header = True
            continue
        if not seen_header or len(w) < 3:
            continue
        cause = " ".join(w[2:])
        if cause.lower().startswith(_H3C_PLAIN_DOWN):
            continue
        out.append(ErrDisabled(w[0], cause))
    return out


# -- spanning-tree inconsistent -----------------------------------------------------------------

_INC = re.compile(r"\*?(ROOT|LOOP|BPDU|TYPE|PVID|PVST|BA|DISPUTE|Dispute)_?Inc\b", re.I)
_JUNOS_INC = re.compile(r"\((Root|Loop|BPDU|Bpdu)-Incon?\w*\)", re.I)


def parse_stp_inconsistent(raw: str) -> list[StpInconsistent]:
    """``show spanning-tree`` (IOS/IOS-XE, NX-OS, EOS): a port line whose type says
    ``*ROOT_Inc`` / ``*LOOP_Inc`` / ``*BPDU_Inc`` ... under its VLAN / MST instance; Junos
    ``show spanning-tree interface``: ``(Root-Incon)`` / ``(Loop-Incon)``."""
    out: list[StpInconsistent] = []
    instance = ""
    for line in raw.splitlines():
        s = line.strip()
        if not s:
            continue
        m = re.match(r"^(VLAN\d+|MST\d+|MST\s+\d+)\b", s)
        if m and len(s.split()) <= 3:
            instance = m.group(1).replace(" ", "")
            continue
        m = re.match(r"^Spanning tree interface parameters for instance (\d+)", s)
        if m:
            instance = m.group(1)
            continue
        inc = _INC.search(s) or _JUNOS_INC.search(s)
        if inc:
            out.append(StpInconsistent(s.split()[0], instance, inc.group(1).lower()))
    return out


def parse_comware_abnormal(raw: str) -> list[StpInconsistent]:
    """H3C ``display stp abnormal-port``: ``MST ID  Blocked Port  Reason``."""
    out = []
    for line in raw.splitlines():
        w = line.split()
        if len(w) >= 3 and w[0].isdigit():
            out.append(StpInconsistent(w[1], w[0], w[2].lower().replace("-protected", "")))
    return out


# -- topology changes -------------------------------------------------------------------------


def parse_stp_detail(raw: str) -> list[TopologyChanges]:
    """IOS/IOS-XE and NX-OS ``show spanning-tree detail``: per VLAN / MST instance
    ``Number of topology changes N last change occurred T ago`` and ``from PORT``."""
    out: list[TopologyChanges] = []
    instance = ""
    pending: dict[str, Any] | None = None
    for line in raw.splitlines():
        s = line.strip()
        m = re.match(r"^(VLAN\d+|MST\d+)\s+is executing", s)
        if m:
            instance = m.group(1)
            continue
        m = re.match(r"^Number of topology changes (\d+)(?: last change occurred (\S+) ago)?",
                     s)
        if m:
            if pending:
                out.append(TopologyChanges(**pending))
            pending = {"instance": instance, "count": int(m.group(1)),
                       "last_change_s": duration_s(m.group(2)) if m.group(2) else None,
                       "last_from": None}
            continue
        if pending is not None and s.startswith("from ") and len(s.split()) == 2:
            pending["last_from"] = s.split()[1]
            out.append(TopologyChanges(**pending))
            pending = None
    if pending:
        out.append(TopologyChanges(**pending))
    return out


def parse_vrp_stp_global(raw: str) -> list[TopologyChanges]:
    """Huawei / H3C ``display stp``: the CIST global part (``Number of TC``, else ``TC or
    TCN received``; ``Time since last TC``; Huawei ``Last TC occurred``)."""
    vals: dict[str, str] = {}
    for line in raw.splitlines():
        if ":" not in line:
            continue
        if line.lstrip().startswith("----[Port") or "[Port" in line:
            break  # per-port sections follow the global one
        key, _, val = line.partition(":")
        vals.setdefault(" ".join(key.split()).lower(), val.strip())
    count = vals.get("number of tc") or vals.get("tc or tcn received")
    if count is None or not count.split()[0].isdigit():
        return []
    since = vals.get("time since last tc")
    last = vals.get("last tc occurred")
    return [TopologyChanges("CIST", int(count.split()[0]),
                            duration_s(since) if since else None,
                            last.split()[0] if last else None)]


# -- storm-control discards ---------------------------------------------------------------------


def parse_storm_counters(raw: str) -> list[StormDiscards]:
    """NX-OS ``show interface counters storm-control`` (``TotalSuppDiscards``) and IOS-XE
    ``show interfaces counters storm-control`` (``Ucast/Mcast/BcastSuppDiscards``)."""
    out: list[StormDiscards] = []
    names: list[str] | None = None
    for line in raw.splitlines():
        words = line.split()
        if not words or set(line.strip()) <= {"-"}:
            continue
        if names is None:
            if words[0] == "Port" and any(w.endswith("Discards") for w in words):
                # the header's "%" tokens belong to the names before them ("UcastSupp %")
                names = [w for w in words[1:] if w != "%"]
            continue
        nums = words[1:]
        if len(nums) != len(names):
            continue
        for name, val in zip(names, nums, strict=True):
            if name.endswith("Discards") and val.isdigit() and int(val) > 0:
                traffic = {"TotalSuppDiscards": "total", "UcastSuppDiscards": "unicast",
                           "McastSuppDiscards": "multicast",
                           "BcastSuppDiscards": "broadcast"}.get(name, name)
                out.append(StormDiscards(words[0], int(val), traffic))
    return out


def parse_eos_storm(raw: str) -> list[StormDiscards]:
    """EOS ``show storm-control``: the ``Drops`` column per port and traffic type."""
    out: list[StormDiscards] = []
    cols: dict[str, int] | None = None
    for line in raw.splitlines():
        if cols is None:
            if line.lstrip().startswith("Port") and "Drops" in line:
                cols = _columns(line, ("Port", "Type", "Drops", "Reason"))
            continue
        if not line.strip():
            continue
        drops = _cut(line, cols["Drops"], cols.get("Reason")).split()
        if drops and drops[0].isdigit() and int(drops[0]) > 0:
            traffic = _cut(line, cols.get("Type", 0), cols["Drops"]).split()
            out.append(StormDiscards(line.split()[0], int(drops[0]),
                                     traffic[0] if traffic else "total"))
    return out


# -- per platform -----------------------------------------------------------------------------


def parse_state(device: str, platform: str, state: Mapping[str, Any]) -> OpState:
    """The operational state in one device's collected ``state``."""
    op = OpState(device=device, platform=platform)
    fam = {"cisco_ios": "cisco", "cisco_xe": "cisco", "cisco_nxos": "cisco",
           "arista_eos": "eos"}.get(platform, platform)

    def take(name: str, fn: Any, into: list[Any], what: str) -> None:
        raw = _raw(state, name)
        if raw is not None:
            into.extend(fn(raw))
            if what not in op.collected:
                op.collected.append(what)

    if fam in ("cisco", "eos"):
        take("errdisabled", parse_errdisabled_table, op.errdisabled, "err-disabled")
        take("stp", parse_stp_inconsistent, op.inconsistent, "stp-inconsistent")
        take("stp_detail", parse_stp_detail, op.topology, "topology-change")
        if fam == "eos":
            take("storm_control", parse_eos_storm, op.storm_discards, "storm-discards")
        else:
            take("storm_discards", parse_storm_counters, op.storm_discards, "storm-discards")
    elif platform == "huawei":
        take("errdisabled", parse_huawei_error_down, op.errdisabled, "err-disabled")
        take("stp_global", parse_vrp_stp_global, op.topology, "topology-change")
    elif platform == "hp_comware":
        take("errdisabled", parse_comware_down, op.errdisabled, "err-disabled")
        take("stp_abnormal", parse_comware_abnormal, op.inconsistent, "stp-inconsistent")
        take("stp_global", parse_vrp_stp_global, op.topology, "topology-change")
    elif platform == "juniper_junos":
        take("stp", parse_stp_inconsistent, op.inconsistent, "stp-inconsistent")
    return op


def _keyed(op: OpState) -> dict[tuple[str, str], tuple[str, int]]:
    """(kind, interface) -> (detail, a number that grows when things get worse)."""
    out: dict[tuple[str, str], tuple[str, int]] = {}
    for e in op.errdisabled:
        out[("err-disabled", e.interface)] = (
            e.cause + (f" ({e.detail})" if e.detail else ""), 0)
    for i in op.inconsistent:
        key = ("stp-inconsistent", i.interface)
        prev = out.get(key)
        text = f"{i.kind} inconsistent in {i.instance}" if i.instance else f"{i.kind} inconsistent"
        out[key] = (prev[0] + "; " + text if prev else text, 0)
    for t in op.topology:
        when = f", last {t.last_change_s} s ago" if t.last_change_s is not None else ""
        src = f" from {t.last_from}" if t.last_from else ""
        out[("topology-change", t.instance)] = (f"{t.count} changes{when}{src}", t.count)
    for d in op.storm_discards:
        key = ("storm-discards", d.interface)
        prev = out.get(key)
        n = d.discards + (prev[1] if prev else 0)
        text = f"{d.discards} {d.traffic}" if not prev else f"{prev[0]}, {d.discards} {d.traffic}"
        out[key] = (text, n)
    return out


def rows(current: OpState, previous: OpState | None) -> list[OpRow]:
    """The report's rows for one device: what changed since `previous` first (a new
    err-disabled or inconsistent port, more topology changes, more discards), then the rest."""
    now = _keyed(current)
    before = _keyed(previous) if previous is not None else None
    out = []
    for (kind, name), (detail, n) in now.items():
        if before is None:
            changed = True
        else:
            old = before.get((kind, name))
            changed = old is None or n > old[1]
        out.append(OpRow(current.device, kind, name, detail, changed))
    out.sort(key=lambda r: (not r.changed, r.kind, r.interface))
    return out
