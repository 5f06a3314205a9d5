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


def uplink_override(name: str, overrides: dict[str, Any]) -> bool | None:
    """True/False when the inventory says so for port `name`, None to use the heuristic."""
    for key, verdict in (("not_physical_uplinks", False), ("physical_uplinks", True)):
        globs = overrides.get(key)
        if isinstance(globs, str):
            globs = [globs]
        if not isinstance(globs, list):
            continue
        if any(fnmatchcase(name, str(g)) for g in globs):
            return verdict
    return None


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
