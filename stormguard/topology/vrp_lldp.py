"""Huawei VRP LLDP neighbours, read from the raw text.

Why a parser of our own: ntc-templates has no template for ``display lldp neighbor brief``,
and its ``display lldp neighbor`` template gives up on the whole output at the first line it
does not know (CE-series releases print TLVs it lacks: Network Card ID, unrecognised TLVs) and
files the port *description* as ``neighbor_interface``, which the generic switch reader takes
for the far port. So the Huawei recipe stores the raw text (``textfsm: false``) and this module
reads it; without it a Huawei switch's neighbours would never reach the topology, the fleet
rules or the roles from facts. Both outputs are read, whichever a snapshot holds (the text says
which it is; snapshots of older recipes hold ``brief``):

* ``display lldp neighbor`` (the recipe's command): one block per local port, headed
  ``GigabitEthernet0/0/1 has 1 neighbor(s):`` (``neighbors:`` on older releases), then
  ``Key  :value`` lines per neighbour (``Neighbor index`` starts each one). It carries what the
  brief table lacks and the roles need: the neighbour's *enabled* capabilities (``bridge`` makes
  an uncollected neighbour an inter-switch link), its chassis ID (a switch's MAC, which the MAC
  table inference needs to recognise switches), its port description and system description
  (``VMware ESX...`` names an ESXi host that was not collected).
* ``display lldp neighbor brief``: a table in one of two layouts, told apart by its header:
  ``Local Intf  Neighbor Dev  Neighbor Intf  Exptime`` (S-series, VRP5) and
  ``Local Interface  Exptime(s)  Neighbor Interface  Neighbor Device`` (CE-series, VRP8). Only
  the device name may hold spaces; the columns are matched in the header's order.

Pure functions, never raising on odd text: a line that cannot be read is a warning naming the
device and the command (that neighbour is then missing from the graph, and the report says so),
never a traceback and never a silent drop.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from stormguard.topology.neighbors import Neighbor, NeighborFacts

DETAIL_COMMAND = "display lldp neighbor"
BRIEF_COMMAND = "display lldp neighbor brief"

#: VRP capability words (``bridge router``, ``wlanAccessPoint``, ``stationOnly``) -> ours.
_CAPS = {
    "bridge": "bridge", "router": "router", "repeater": "repeater", "other": "other",
    "telephone": "telephone", "wlanaccesspoint": "wlan", "wlan": "wlan",
    "stationonly": "station", "station": "station", "docsiscabledevice": "docsis",
    "customerbridge": "bridge", "servicebridge": "bridge",
}
#: a value VRP prints for "not advertised"
_NONE = frozenset({"", "-", "--", "n/a", "na", "not advertised"})
_QUOTE = 60

_BLOCK = re.compile(r"^\s*(\S+)\s+has\s+(\d+)\s+neighbou?r(?:s|\(s\))?\s*:?\s*$", re.I)
_KEY = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 ()/.\-]*?)\s*:\s?(.*)$")
#: the detail keys this module reads (lower case, single spaces); others are skipped
_DETAIL_KEYS = {
    "neighbor index": "index", "neighbour index": "index",
    "chassis id": "chassis", "port id": "port", "port description": "port_descr",
    "system name": "name", "system description": "descr",
    "system capabilities enabled": "caps", "system capabilities supported": "caps_supported",
}


def _quote(line: str) -> str:
    text = " ".join(line.split())
    return repr(text if len(text) <= _QUOTE else text[:_QUOTE - 1] + "…")


def _value(text: str) -> str:
    text = text.strip()
    return "" if text.lower() in _NONE else text


def _caps(text: str) -> frozenset[str]:
    words = (w.strip().lower() for w in re.split(r"[\s,;]+", text or ""))
    return frozenset(_CAPS[w] for w in words if w in _CAPS)


def looks_like_detail(text: str) -> bool:
    """True for ``display lldp neighbor`` output (``... has N neighbor(s):`` blocks)."""
    return any(_BLOCK.match(line) for line in text.splitlines())


# -- display lldp neighbor (detail) ------------------------------------------------------------


def parse_detail(text: str, host: str, command: str = DETAIL_COMMAND) -> NeighborFacts:
    """Neighbours from ``display lldp neighbor`` run on `host`.

    A port block with no ``Neighbor index`` line but fields (some releases omit the index for a
    single neighbour) is one neighbour. A neighbour with neither a system name, a port ID nor a
    chassis ID says nothing usable: it is a warning, not a guessed link. Multi-line system
    descriptions are read by their first line (what names the platform); continuation lines
    and the other TLVs (VLANs, MAU, unrecognised TLVs) are skipped."""
    facts = NeighborFacts()
    port = ""
    announced = 0
    current: dict[str, str] | None = None
    found: list[tuple[str, dict[str, str]]] = []
    orphans = 0
    blocks: list[tuple[str, int, int]] = []  # (port, announced, read) to check the counts

    def close() -> None:
        nonlocal current
        if current is not None and port:
            found.append((port, current))
        current = None

    for line in text.splitlines():
        m = _BLOCK.match(line)
        if m:
            close()
            if port:
                blocks.append((port, announced, sum(1 for p, _ in found if p == port)))
            port, announced = m.group(1), int(m.group(2))
            continue
        km = _KEY.match(line)
        if km is None:
            continue
        key = " ".join(km.group(1).lower().split())
        field = _DETAIL_KEYS.get(key)
        if field is None:
            continue
        if not port:
            orphans += 1
            continue
        if field == "index":
            close()
            current = {}
            continue
        if current is None:
            current = {}
        current.setdefault(field, km.group(2).strip())
    close()
    if port:
        blocks.append((port, announced, sum(1 for p, _ in found if p == port)))

    if orphans:
        facts.warnings.append(f"{host}: `{command}`: {orphans} neighbour field(s) outside any "
                              "'<port> has N neighbor(s):' block were skipped")
    for local, fields in found:
        name, far = _value(fields.get("name", "")), _value(fields.get("port", ""))
        chassis = _value(fields.get("chassis", ""))
        if not (name or far or chassis):
            facts.warnings.append(f"{host}: `{command}`: the neighbour on {local} advertises no "
                                  "system name, port ID or chassis ID: not in the topology")
            continue
        descr = _value(fields.get("descr", ""))
        facts.neighbors.append(Neighbor(
            local_host=host, local_port=local, remote_name=name, remote_port=far,
            protocol="lldp", capabilities=_caps(fields.get("caps", "")),
            remote_port_descr=_value(fields.get("port_descr", "")), remote_chassis=chassis,
            remote_platform=" ".join(descr.split()[:3])))
    for local, want, got in blocks:
        if got < want:
            facts.warnings.append(f"{host}: `{command}`: {local} announces {want} neighbour(s), "
                                  f"{got} could be read: the others are not in the topology")
    return facts


# -- display lldp neighbor brief --------------------------------------------------------------

#: header words -> column, and how a cell of that column looks (only the name may hold spaces)
_COLUMNS = (
    ("local", re.compile(r"local\s+int(?:er)?f(?:ace)?", re.I), r"(\S+)"),
    ("name", re.compile(r"neighbou?r\s+dev(?:ice)?", re.I), r"(.+?)"),
    ("far", re.compile(r"neighbou?r\s+int(?:er)?f(?:ace)?", re.I), r"(\S+)"),
    ("exptime", re.compile(r"exptime(?:\s*\(s\))?", re.I), r"(\d+|-+)"),
)
_RULE = re.compile(r"^[\s\-=_*]*$")
_TOTAL = re.compile(r"^\s*(total|info:|warning:|error:)", re.I)


def _header(line: str) -> tuple[list[str], re.Pattern[str]] | None:
    """The columns in the header's order and a row pattern, when `line` is a brief header."""
    spots = []
    for name, head, _cell in _COLUMNS:
        m = head.search(line)
        if m is None:
            return None
        spots.append((m.start(), name))
    order = [name for _pos, name in sorted(spots)]
    cells = {name: cell for name, _head, cell in _COLUMNS}
    return order, re.compile(r"^\s*" + r"\s+".join(cells[n] for n in order) + r"\s*$")


def parse_brief(text: str, host: str, command: str = BRIEF_COMMAND) -> NeighborFacts:
    """Neighbours from ``display lldp neighbor brief`` run on `host` (either layout).

    The brief table has no capabilities and no chassis ID: a Huawei switch whose snapshot holds
    only this table gives links and names, and an uncollected neighbour behind it gives no role
    (the recipe collects ``display lldp neighbor`` for that)."""
    facts = NeighborFacts()
    layout: tuple[list[str], re.Pattern[str]] | None = None
    skipped: list[str] = []
    for line in text.splitlines():
        if layout is None:
            layout = _header(line)
            continue
        if _RULE.match(line) or _TOTAL.match(line):
            continue
        again = _header(line)
        if again is not None:  # a second table (stacked members print one each)
            layout = again
            continue
        order, row = layout
        m = row.match(line)
        if m is None:
            skipped.append(line)
            continue
        cells = dict(zip(order, m.groups(), strict=True))
        facts.neighbors.append(Neighbor(
            local_host=host, local_port=cells["local"], remote_name=_value(cells["name"]),
            remote_port=_value(cells["far"]), protocol="lldp"))
    if layout is None:
        if text.strip():
            facts.warnings.append(f"{host}: `{command}` output has no 'Local Intf ... Neighbor "
                                  "Dev ... Neighbor Intf ... Exptime' header: not read, its "
                                  "neighbours are not in the topology")
        return facts
    if skipped:
        facts.warnings.append(f"{host}: `{command}`: {len(skipped)} line(s) not understood "
                              f"(first: {_quote(skipped[0])}): those neighbours are not in the "
                              "topology")
    return facts


# -- a snapshot's state -----------------------------------------------------------------------


def parse_vrp_lldp(text: str, host: str, command: str = "") -> NeighborFacts:
    """Either output, told apart by its content (a snapshot's stored command may be the older
    recipe's): detail blocks first, else the brief table."""
    if looks_like_detail(text):
        return parse_detail(text, host, command or DETAIL_COMMAND)
    return parse_brief(text, host, command or BRIEF_COMMAND)


def from_vrp_state(host: str, state: Mapping[str, Any]) -> NeighborFacts:
    """Neighbour facts of a Huawei switch's snapshot ``state`` (its ``lldp`` entry).

    Always from the raw text, even when a recipe asked ntc-templates for rows too: its template
    names the far port's description ``neighbor_interface`` (see the module docstring). Nothing
    is dropped silently: an entry that cannot be read, or that holds an error instead of output,
    is a warning."""
    entry = state.get("lldp")
    if not isinstance(entry, Mapping):
        return NeighborFacts()
    command = str(entry.get("command") or "")
    if entry.get("error"):
        facts = NeighborFacts()
        facts.warnings.append(f"{host}: `{command or DETAIL_COMMAND}` failed ({entry['error']}): "
                              "its neighbours are not in the topology")
        return facts
    raw = entry.get("raw")
    if not isinstance(raw, str):
        facts = NeighborFacts()
        if raw is not None:
            facts.warnings.append(f"{host}: `{command or DETAIL_COMMAND}` output is not text: "
                                  "its neighbours are not in the topology")
        return facts
    return parse_vrp_lldp(raw, host, command)
