"""Shared plumbing for the two vSwitch parsers (``ovs`` and ``linux_bridge``).

A vSwitch has no configuration text: its state lives in OVSDB or in the kernel. The collectors
therefore store a *state bundle*: one JSON document that names its kind, the host it came from,
the raw JSON the vSwitch tools printed, and the uplink overrides from the inventory. Each parser
module documents its own bundle schema; this module holds what both need:

* :func:`dump_bundle` writes a bundle so that every row (an OVSDB row, a link) sits on its own
  line. A finding can then point at a line a reader can open in an editor, just like a line of a
  running configuration. Any other JSON spelling of the same document parses too (the line
  numbers then point at wherever the row's key first appears).
* :func:`load_bundle` reads and checks the envelope, raising :class:`InputError` (one line, names
  the source) for text that is not a bundle of that kind at all.
* :class:`LineIndex` finds the 1-based line of a token, optionally after a given line.
* :func:`uplink_override` applies the inventory's ``physical_uplinks`` / ``not_physical_uplinks``
  globs, which always beat the parser's heuristic.
* :func:`netdev_rows` / :func:`netdev_index` / :func:`kernel_uplink` hold the kernel's own view of
  a port's netdev (``ip -d -j link show``: ``linkinfo.info_kind`` and ``parentbus``), which
  beats the name heuristic: a veth, tun/tap, macvlan, ... is never a physical uplink, whatever
  its name; a bond (or team) is one when a member is; a VLAN sub-interface when its lower link
  is; a link with no ``info_kind`` on a bus (PCI, ...) is a NIC.
"""

from __future__ import annotations

import bisect
import json
from fnmatch import fnmatchcase
from typing import Any

from stormguard.errors import InputError

BUNDLE_VERSION = 1


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(", ", ": "), sort_keys=False)


def _dump(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict) and value:
        out = ["{"]
        items = list(value.items())
        for i, (key, val) in enumerate(items):
            sub = _dump(val, indent + 1)
            sub[0] = f"{pad} {json.dumps(key)}: {sub[0]}"
            if i < len(items) - 1:
                sub[-1] += ","
            out.extend(sub)
        out.append(pad + "}")
        return out
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, (dict, list)) for v in value)
    ):
        # One row per line: OVSDB rows, links, VLAN entries.
        out = ["["]
        for i, row in enumerate(value):
            out.append(f"{pad} {_compact(row)}" + ("," if i < len(value) - 1 else ""))
        out.append(pad + "]")
        return out
    return [_compact(value)]


def dump_bundle(doc: dict[str, Any]) -> str:
    """Serialise a bundle with one row per line (stable, diff-friendly, line-addressable)."""
    return "\n".join(_dump(doc, 0)) + "\n"


def load_bundle(text: str, kind: str, source: str) -> dict[str, Any]:
    """Parse the JSON envelope and check it is a bundle of `kind`."""
    where = source or "input"
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{where}: not a {kind} state bundle: invalid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise InputError(f"{where}: not a {kind} state bundle: expected a JSON object")
    found = str(doc.get("kind", "")).lower().replace("-", "_")
    aliases = {"openvswitch": "ovs", "open_vswitch": "ovs", "bridge": "linux_bridge"}
    found = aliases.get(found, found)
    if found != kind:
        raise InputError(
            f"{where}: not a {kind} state bundle (its \"kind\" is {doc.get('kind')!r})"
        )
    version = doc.get("version", BUNDLE_VERSION)
    if version != BUNDLE_VERSION:
        raise InputError(f"{where}: unsupported {kind} bundle version {version!r}")
    return doc


class LineIndex:
    """Find the 1-based line on which a token first appears (optionally after some line)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = [0]
        pos = text.find("\n")
        while pos != -1:
            self._starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def line_at(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)

    def offset_of_line(self, line: int) -> int:
        return self._starts[max(0, min(line, len(self._starts)) - 1)]

    def find(self, token: str, after_line: int | None = None) -> int | None:
        start = self.offset_of_line(after_line) if after_line else 0
        pos = self.text.find(token, start)
        return None if pos == -1 else self.line_at(pos)


def uplink_override(name: str, overrides: dict[str, Any]) -> tuple[bool, str] | None:
    """(verdict, source) when the inventory's globs decide for port `name`, e.g. ``(True,
    "inventory physical_uplinks 'up*'")``; None to use the parser's own facts."""
    for key, verdict in (("not_physical_uplinks", False), ("physical_uplinks", True)):
        globs = overrides.get(key)
        if isinstance(globs, str):
            globs = [globs]
        if not isinstance(globs, list):
            continue
        for glob in globs:
            if fnmatchcase(name, str(glob)):
                return verdict, f"inventory {key} {str(glob)!r}"
    return None


# -- the kernel's view of a netdev ------------------------------------------------------------
_AGGREGATE_KINDS = frozenset({"bond", "team"})
_NETDEV_FIELDS = ("name", "kind", "type", "bus", "ifindex", "master", "link", "link_type")


def netdev_row(link: dict[str, Any]) -> dict[str, Any] | None:
    """One ``ip -d -j link show`` entry reduced to what the uplink verdict needs."""
    name = link.get("ifname")
    if not isinstance(name, str) or not name:
        return None
    li = link.get("linkinfo") if isinstance(link.get("linkinfo"), dict) else {}
    data = li.get("info_data") if isinstance(li.get("info_data"), dict) else {}
    row: dict[str, Any] = {
        "name": name,
        "kind": str(li.get("info_kind") or ""),
        "bus": str(link.get("parentbus") or "") or bool(link.get("parentdev")),
        "ifindex": link.get("ifindex") if isinstance(link.get("ifindex"), int) else None,
    }
    if isinstance(data.get("type"), str):  # tun: "tun" or "tap"
        row["type"] = data["type"]
    for key in ("master", "link", "link_type"):
        if isinstance(link.get(key), str):
            row[key] = link[key]
    return row


def netdev_rows(links: Any, wanted: set[str] | None = None) -> list[dict[str, Any]]:
    """``ip -d -j link show`` output -> compact netdev rows. With `wanted`, only those links,
    the members of those that are bonds/teams, and the lower links of VLAN sub-interfaces
    (recursively): what deciding the uplinks among `wanted` needs."""
    if not isinstance(links, list):
        raise ValueError("not a list of links")
    rows = [r for r in (netdev_row(lk) for lk in links if isinstance(lk, dict)) if r]
    if wanted is None:
        return rows
    by_name = {r["name"]: r for r in rows}
    keep: set[str] = set()
    todo = [n for n in wanted if n in by_name]
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep.add(name)
        lower = by_name[name].get("link")  # a veth's `link` is its peer: not followed
        if by_name[name]["kind"] == "vlan" and isinstance(lower, str) and lower in by_name:
            todo.append(lower)
        todo.extend(r["name"] for r in rows if r.get("master") == name)
    return [r for r in rows if r["name"] in keep]


def netdev_index(raw: Any) -> dict[str, dict[str, Any]]:
    """A bundle's ``netdevs`` (a list of rows, or ``{name: row}``) -> ``{name: row}``.
    Anything unreadable is left out (the name heuristic then decides)."""
    out: dict[str, dict[str, Any]] = {}
    if isinstance(raw, dict):
        for name, row in raw.items():
            if isinstance(row, dict):
                out[str(name)] = {**row, "name": str(name)}
    elif isinstance(raw, list):
        for row in raw:
            if isinstance(row, dict) and isinstance(row.get("name"), str):
                out[row["name"]] = row
    return out


def _kind_text(row: dict[str, Any]) -> str:
    kind = str(row.get("kind") or "")
    if kind == "tun" and row.get("type"):
        return f"tun ({row['type']})"
    return kind


def kernel_uplink(name: str, netdevs: dict[str, dict[str, Any]],
                  depth: int = 0) -> tuple[bool | None, str]:
    """The kernel's verdict on netdev `name`: (True/False, why), or (None, "") when the kernel
    does not tell (not in `netdevs`; no ``info_kind`` and no bus device)."""
    row = netdevs.get(name)
    if row is None or depth > 4:
        return None, ""
    kind = str(row.get("kind") or "")
    if kind in _AGGREGATE_KINDS:
        members = sorted(n for n, r in netdevs.items() if r.get("master") == name)
        verdicts = [(m, *kernel_uplink(m, netdevs, depth + 1)) for m in members]
        nic = [m for m, v, _ in verdicts if v]
        if nic:
            return True, f"kernel: {kind}, member {nic[0]} is a NIC"
        if verdicts and all(v is False for _, v, _ in verdicts):
            return False, f"kernel: {kind} of {', '.join(members)}, none a NIC"
        return None, ""
    if kind == "vlan":
        lower = row.get("link")
        if not isinstance(lower, str):
            return None, ""
        verdict, why = kernel_uplink(lower, netdevs, depth + 1)
        if verdict is None:
            return None, ""
        return verdict, f"kernel: vlan on {lower} ({why.removeprefix('kernel: ')})"
    if kind:
        return False, f"kernel: {_kind_text(row)}"
    if row.get("link_type") not in (None, "ether"):
        return False, f"kernel: link type {row.get('link_type')}"
    bus = row.get("bus")
    if bus:
        return True, f"kernel: NIC on {bus if isinstance(bus, str) else 'a bus'}"
    return None, ""


def overrides_from_host_data(data: dict[str, Any]) -> dict[str, list[str]]:
    """Pick the uplink overrides out of inventory host data (for the collectors)."""
    out: dict[str, list[str]] = {}
    for key in ("physical_uplinks", "not_physical_uplinks"):
        val = data.get(key)
        if isinstance(val, str):
            val = [val]
        if val:
            out[key] = [str(v) for v in val]
    return out
