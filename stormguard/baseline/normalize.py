"""The configuration view of a snapshot: what drift (SG601) compares and what its diff shows.

A snapshot holds more than configuration. A running configuration carries comment lines that
change without any change of configuration (NX-OS ``!Time:`` is the time of the ``show``, IOS
``ntp clock-period`` drifts with the clock). A vSwitch bundle is the vSwitch's state: OVSDB's
``statistics``, ``link_state`` and ``status`` columns, iproute2's counters, carrier flags and
spanning-tree timers change every night. Comparing raw snapshots would report every approved
vSwitch as changed every night, which is worse than no report. The view keeps everything that is
configuration and leaves out only what is listed here:

* text configurations: the comment lines matched by :data:`VOLATILE_LINES` (every vendor's
  "time of this show" and "last changed/saved at" banner lines); every other line is kept;
* Open vSwitch: the read-only OVSDB columns in :data:`OVS_VOLATILE` and the row UUIDs (OVSDB
  assigns new ones when a port is re-created with the same settings); a reference to another
  row is shown by that row's name; one line per row, ``Table name: {column: value}``, sorted;
* ESXi (the esxcli bundle): the "key: value" lines in :data:`ESXI_VOLATILE_KEYS` (used ports,
  which VM holds a DVPort) and the table columns in :data:`ESXI_VOLATILE_COLUMNS` (a port
  group's active clients, a vmnic's link status, speed and duplex); everything else as text;
* Linux bridge and other JSON bundles: the keys in :data:`JSON_VOLATILE` (counters, carrier,
  STP timers and port states), and the ``LOWER_UP`` / ``NO-CARRIER`` / ``DORMANT`` link flags;
  one line per link or VLAN entry, sorted.

A bundle that is not valid JSON is compared as text (nothing dropped silently). Pure functions.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

#: Comment lines that change without a configuration change (anchored, whole line).
VOLATILE_LINES = re.compile(
    r"^\s*(?:"
    r"!\s*Time:.*"  # NX-OS: the time of the show
    r"|!\s*Running configuration last done at:.*"  # NX-OS
    r"|!\s*Last configuration change at .*"  # IOS / IOS-XE
    r"|!\s*NVRAM config last updated at .*"  # IOS
    r"|!\s*No configuration change since last restart.*"  # IOS
    r"|!\s*Startup-config last modified at .*"  # EOS
    r"|ntp clock-period \d+"  # IOS: written by the clock discipline
    r"|Building configuration\.\.\..*"  # IOS: show banner
    r"|Current configuration\s*:\s*\d+ bytes"  # IOS: size of the text
    r"|##\s*Last (?:commit|changed):.*"  # Junos
    r"|!\s*Last configuration was (?:updated|saved) at .*"  # Huawei VRP
    r")\s*$"
)

#: OVSDB columns that are status, counters or assigned by ovs-vswitchd, never configuration.
OVS_VOLATILE = frozenset({
    "_uuid", "_version", "statistics", "status", "link_state", "link_speed", "link_resets",
    "admin_state", "duplex", "mtu", "ofport", "ifindex", "mac_in_use", "lacp_current",
    "bond_active_slave", "bond_active_member", "error", "bfd_status", "cfm_fault",
    "cfm_fault_status", "cfm_health", "cfm_remote_mpids", "cfm_flap_count", "cfm_remote_opstate",
    "rstp_status", "rstp_statistics", "datapath_id", "datapath_version",
})

#: Keys of iproute2 / esxcli JSON that are counters or state (any depth).
JSON_VOLATILE = frozenset({
    "stats", "stats64", "statistics", "operstate", "carrier", "carrier_changes",
    "carrier_up_count", "carrier_down_count", "promiscuity", "allmulti", "ifindex",
    "link_index", "state", "hello_timer", "tcn_timer", "topology_change_timer", "gc_timer",
    "message_age_timer", "forward_delay_timer", "hold_timer", "topology_change",
    "topology_change_detected", "topology_change_ack", "config_pending", "root_id",
    "root_port", "root_path_cost", "designated_root", "designated_bridge", "designated_port",
    "designated_cost", "bridge_id", "designated_port_id", "port_id", "port_no",
    "collected_at", "ts",
})
_VOLATILE_FLAGS = frozenset({"LOWER_UP", "NO-CARRIER", "DORMANT", "M-DOWN"})

ESXI_HEADER = "# stormguard esxi bundle"
#: esxcli "Key: value" lines that follow the VMs and the links, not the configuration.
ESXI_VOLATILE_KEYS = frozenset({"Used Ports", "In Use", "Client"})
#: esxcli table columns that follow the VMs and the links.
ESXI_VOLATILE_COLUMNS = frozenset({"Active Clients", "Link Status", "Speed", "Duplex"})
_DASHES = re.compile(r"-+")


def config_view(text: str, platform: str) -> str:
    """The configuration of a snapshot, without what changes by itself (see module doc)."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            if platform == "ovs" or isinstance(doc.get("tables"), dict):
                return _ovs_view(doc)
            return _json_view(doc)
    if platform == "esxi" or stripped.startswith(ESXI_HEADER):
        return _esxi_view(text)
    return "".join(ln + "\n" for ln in text.splitlines() if not VOLATILE_LINES.match(ln))


def _esxi_view(text: str) -> str:
    lines = text.replace("\r\n", "\n").splitlines()
    out: list[str] = []
    drop: list[tuple[int, int]] = []  # column spans of the current table to leave out
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if nxt.strip() and not nxt.replace("-", "").strip() and "-" in nxt:  # a table header
            spans = [(m.start(), m.end()) for m in _DASHES.finditer(nxt)]
            bounds = [(a, spans[k + 1][0] if k + 1 < len(spans) else 10**6)
                      for k, (a, _) in enumerate(spans)]
            drop = [(a, b) for a, b in bounds if line[a:b].strip() in ESXI_VOLATILE_COLUMNS]
        elif not line.strip() or line.startswith("###"):
            drop = []
        if drop:
            line = _cut(line, drop)
        key = line.split(":", 1)[0].strip() if ":" in line else ""
        if key in ESXI_VOLATILE_KEYS:
            continue
        out.append(line.rstrip())
    return "".join(ln + "\n" for ln in out)


def _cut(line: str, spans: list[tuple[int, int]]) -> str:
    for a, b in sorted(spans, reverse=True):
        line = line[:a] + line[b:]
    return line


def view_sha256(view: str) -> str:
    return hashlib.sha256(view.encode("utf-8")).hexdigest()


# -- Open vSwitch ---------------------------------------------------------------------------
def _ovs_rows(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for table, body in (doc.get("tables") or {}).items():
        if not isinstance(body, dict):
            continue
        heads = body.get("headings") or []
        rows = []
        for row in body.get("data") or []:
            if isinstance(row, list) and len(row) == len(heads):
                rows.append(dict(zip(heads, row, strict=True)))
        out[str(table)] = rows
    return out


def _ovs_value(value: Any, names: dict[str, str]) -> Any:
    """OVSDB JSON atoms as plain values: uuid -> the referenced row's name, sets sorted."""
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
        kind, body = value
        if kind == "uuid":
            return names.get(str(body), "<row>")
        if kind == "set" and isinstance(body, list):
            items = [_ovs_value(v, names) for v in body]
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
        if kind == "map" and isinstance(body, list):
            return {str(_ovs_value(k, names)): _ovs_value(v, names) for k, v in
                    (p for p in body if isinstance(p, list) and len(p) == 2)}
    return value


def _ovs_view(doc: dict[str, Any]) -> str:
    tables = _ovs_rows(doc)
    names = {str(r["_uuid"][1]): str(r["name"])
             for rows in tables.values() for r in rows
             if isinstance(r.get("_uuid"), list) and len(r["_uuid"]) == 2 and r.get("name")}
    lines = []
    for key in sorted(k for k in doc if k not in ("tables", "hostname", "ovs_version")):
        lines.append(f"{key}: {json.dumps(doc[key], sort_keys=True)}")
    for table in sorted(tables):
        for row in tables[table]:
            clean = {k: _ovs_value(v, names) for k, v in row.items() if k not in OVS_VOLATILE}
            name = clean.pop("name", "")
            lines.append(f"{table} {name}: {json.dumps(clean, sort_keys=True)}")
    head = [ln for ln in lines if not ln.startswith(tuple(tables))]
    body = sorted(ln for ln in lines if ln.startswith(tuple(tables)))
    return "".join(ln + "\n" for ln in head + body)


# -- Linux bridge and other JSON bundles ----------------------------------------------------
def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in JSON_VOLATILE}
    if isinstance(value, list):
        if value and all(isinstance(v, str) for v in value):
            return [v for v in value if v not in _VOLATILE_FLAGS]
        return [_strip(v) for v in value]
    return value


def _label(item: Any) -> str:
    if isinstance(item, dict):
        for key in ("ifname", "name", "vlan", "port", "dev"):
            if key in item:
                return str(item[key])
    return ""


def _json_view(doc: dict[str, Any]) -> str:
    lines = []
    for key in sorted(doc):
        value = _strip(doc[key])
        if isinstance(value, list) and value and all(isinstance(v, dict | list) for v in value):
            rows = [f"{key} {_label(v)}: {json.dumps(v, sort_keys=True)}".replace(" :", ":")
                    for v in value]
            lines.extend(sorted(rows))
        elif isinstance(value, dict) and value and all(isinstance(v, dict | list)
                                                       for v in value.values()):
            lines.extend(f"{key} {k}: {json.dumps(v, sort_keys=True)}"
                         for k, v in sorted(value.items()))
        else:
            lines.append(f"{key}: {json.dumps(value, sort_keys=True)}")
    return "".join(ln + "\n" for ln in lines)
