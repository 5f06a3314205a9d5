"""Open vSwitch: an OVSDB state bundle in, one :class:`Device` per bridge out.

Why a bundle and not a config: OVS keeps its configuration in OVSDB, not in a text file. The
collector (:mod:`stormguard.collect.ovs`) reads the three tables that decide whether a bridge can
loop or flood, and stores them, exactly as ``ovs-vsctl --format=json list <Table>`` prints them,
inside one JSON document:

.. code-block:: json

    {
     "kind": "ovs",                     # required: tells the detector and parser what this is
     "version": 1,                      # bundle schema version
     "hostname": "hv01",                # the hypervisor; devices are named "hv01/br0"
     "ovs_version": "3.1.0",            # optional, informational
     "overrides": {                     # optional, from inventory host data
      "physical_uplinks": ["eno*"],     #   globs of port names that ARE uplinks
      "not_physical_uplinks": ["vnet*"] #   globs of port names that are NOT
     },
     "tables": {
      "Bridge":    {"headings": ["_uuid", "name", ...], "data": [[...row...], ...]},
      "Port":      {"headings": [...], "data": [...]},
      "Interface": {"headings": [...], "data": [...]}
     }
    }

Each table is the verbatim ``{"headings", "data"}`` object of ``ovs-vsctl --format=json``
(OVSDB JSON atoms: ``["uuid", ..]``, ``["set", [..]]``, ``["map", [[k, v], ..]]``, and a
one-element set printed as the bare atom). The collector writes one row per line, so a finding's
line number is the line of the Port (or Bridge) row in the bundle.

How OVS state maps onto the model
---------------------------------
* Bridge ``stp_enable`` / ``rstp_enable`` -> ``stp.enabled`` and ``stp.mode`` (``rstp`` wins).
  Both false means no spanning tree at all: SG201 fires.
* Each Port is an interface. ``vlan_mode`` as OVS defines it: ``access`` (VLAN = ``tag``),
  ``trunk`` (``trunks``; an **empty** ``trunks`` set carries **all** VLANs -> SG101),
  ``native-untagged`` / ``native-tagged`` (a trunk whose native VLAN is ``tag``; the native VLAN is
  always carried), ``dot1q-tunnel`` (an access port into an outer VLAN). An empty ``vlan_mode``
  means access when ``tag`` is set, else trunk.
* A Port with two or more Interfaces is a bond: ``kind="aggregate"``, members in
  ``extra["members"]``, ``bond_mode``/``lacp`` in ``extra``.
* Per-port STP: ``other_config:stp-enable=false`` (STP) or ``other_config:rstp-enable=false``
  (RSTP) -> ``stp_disabled``; ``other_config:rstp-port-admin-edge=true`` -> ``edge`` (OVS applies
  it whatever the VLAN mode, so ``edge_trunk`` too).
* OVS has no storm-control. Interface ``ingress_policing_kpkts_rate`` (kpps) or
  ``ingress_policing_rate`` (kbit/s) polices *all* ingress traffic, so it also bounds a
  broadcast storm: it is recorded as broadcast storm-control (pps / bps) with
  ``extra["policer"]=True`` on the StormControl's owning interface.
* The bridge's own local port (same name as the bridge, type ``internal``) is the host's L3
  interface into the bridge, like an SVI: ``switched=False``, ``kind="internal"``.

Which ports are physical uplinks (``physical_uplink=True``)
-----------------------------------------------------------
An Interface of type ``""``/``system`` (a kernel netdev), ``dpdk`` or ``afxdp`` is a NIC, *unless*
it carries the marks of a VM interface that libvirt/OpenStack add as a system port: an
``external_ids`` key ``iface-id``, ``attached-mac`` or ``vm-uuid``, or a name starting ``vnet``,
``tap``, ``qvo``, ``qvb`` or ``veth``. ``internal``, ``patch``, ``tap``, tunnels (``vxlan``,
``geneve``, ``gre``, ``stt``, ``erspan``, ...) and ``dpdkvhostuser*`` are never uplinks. A bond
is an uplink when any member is. The inventory's ``physical_uplinks`` / ``not_physical_uplinks``
globs (host data, copied into the bundle's ``overrides``) beat the heuristic.
"""

from __future__ import annotations

from typing import Any

from stormguard.errors import InputError
from stormguard.model import Device, Interface, StormControl
from stormguard.parsers._vswitch import LineIndex, load_bundle, uplink_override
from stormguard.vlans import MAX_VLAN, MIN_VLAN, VlanSet

PLATFORM = "ovs"

_NIC_TYPES = frozenset({"", "system", "dpdk", "afxdp", "afxdp-nonpmd"})
_TUNNEL_TYPES = frozenset(
    {"vxlan", "geneve", "gre", "stt", "lisp", "erspan", "ip6erspan", "ip6gre", "gtpu", "bareudp",
     "srv6"}
)
_VM_NAME_PREFIXES = ("vnet", "tap", "qvo", "qvb", "veth")
_VM_EXTERNAL_IDS = ("iface-id", "attached-mac", "vm-uuid", "vm-id")


# -- OVSDB JSON atoms ------------------------------------------------------------------------
def _value(v: Any) -> Any:
    """Decode one OVSDB JSON value into Python (uuid -> str, set -> list, map -> dict)."""
    if isinstance(v, list) and len(v) == 2 and isinstance(v[0], str):
        tag, body = v
        if tag in ("uuid", "named-uuid"):
            return str(body)
        if tag == "set":
            return [_value(x) for x in body] if isinstance(body, list) else []
        if tag == "map":
            out: dict[str, Any] = {}
            if isinstance(body, list):
                for pair in body:
                    if isinstance(pair, list) and len(pair) == 2:
                        out[str(_value(pair[0]))] = _value(pair[1])
            return out
    return v


def _as_list(v: Any) -> list[Any]:
    """A set column: a one-element set is printed as the bare atom."""
    if isinstance(v, list):
        return v
    if v is None or v == "":
        return []
    return [v]


def _refs(v: Any) -> list[str]:
    """A set of row references (uuids); anything that is not a uuid string is dropped."""
    return [u for u in _as_list(v) if isinstance(u, str)]


def _as_scalar(v: Any) -> Any:
    """An optional column (min 0, max 1): the empty set means 'not set'."""
    if isinstance(v, list):
        return v[0] if v else None
    return v


def _as_map(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _truthy(v: Any) -> bool:
    return str(v).strip().lower() in ("true", "1", "yes", "on")


class _Table:
    """One ``{"headings", "data"}`` table, rows decoded to dicts, with their bundle lines."""

    def __init__(self, name: str, raw: Any, lines: LineIndex, where: str) -> None:
        if not isinstance(raw, dict) or not isinstance(raw.get("headings"), list) or not (
            isinstance(raw.get("data"), list)
        ):
            raise InputError(
                f"{where}: not an ovs state bundle: tables.{name} needs \"headings\" and \"data\""
            )
        heads = [str(h) for h in raw["headings"]]
        section = lines.find(f'"{name}":')
        self.rows: list[dict[str, Any]] = []
        self.bad_rows = 0
        for raw_row in raw["data"]:
            if not isinstance(raw_row, list) or len(raw_row) != len(heads):
                self.bad_rows += 1
                continue
            row = {h: _value(v) for h, v in zip(heads, raw_row, strict=True)}
            uuid = str(row.get("_uuid", ""))
            token = uuid or f'"{row.get("name", "")}"'
            row["__line__"] = lines.find(token, section) if token else section
            self.rows.append(row)
        self.by_uuid = {str(r.get("_uuid")): r for r in self.rows if r.get("_uuid")}


def _vlan_set(ids: list[Any], dev: Device, where: str) -> VlanSet:
    """VLAN ids from a ``trunks`` column (OVS allows 0-4095; the model holds 1-4094)."""
    good: list[int] = []
    for x in ids:
        try:
            vid = int(x)
        except (TypeError, ValueError):
            dev.warnings.append(f"{where}: ignored VLAN id {x!r}")
            continue
        if MIN_VLAN <= vid <= MAX_VLAN:
            good.append(vid)
        elif vid not in (0, 4095):
            dev.warnings.append(f"{where}: ignored VLAN id {vid}")
    return VlanSet.of(good)


def _is_nic(iface: dict[str, Any], overrides: dict[str, Any]) -> bool:
    name = str(iface.get("name", ""))
    forced = uplink_override(name, overrides)
    if forced is not None:
        return forced
    itype = str(_as_scalar(iface.get("type")) or "")
    if itype not in _NIC_TYPES:
        return False
    ext = _as_map(iface.get("external_ids"))
    if any(k in ext for k in _VM_EXTERNAL_IDS):
        return False
    return not name.startswith(_VM_NAME_PREFIXES)


def _kind_of(itype: str) -> str:
    if itype in _NIC_TYPES:
        return "physical"
    if itype == "internal":
        return "internal"
    if itype in _TUNNEL_TYPES:
        return "tunnel"
    return "other"


def _apply_vlans(port: dict[str, Any], iface: Interface, dev: Device, line: int | None) -> None:
    where = f"port {iface.name}"
    vlan_mode = str(_as_scalar(port.get("vlan_mode")) or "")
    tag_raw = _as_scalar(port.get("tag"))
    tag: int | None = None
    if tag_raw is not None:
        try:
            tag = int(tag_raw)
        except (TypeError, ValueError):
            dev.warnings.append(f"{where}: ignored tag {tag_raw!r}")
        if tag is not None and not MIN_VLAN <= tag <= MAX_VLAN:
            tag = None
    trunk_ids = _as_list(port.get("trunks"))
    trunks = _vlan_set(trunk_ids, dev, where)
    iface.extra["vlan_mode"] = vlan_mode or None
    if not vlan_mode:
        vlan_mode = "access" if tag is not None else "trunk"
        iface.extra["vlan_mode_implicit"] = True
    if vlan_mode in ("access", "dot1q-tunnel"):
        iface.set("mode", "access", line)
        if tag is not None:
            iface.set("access_vlan", tag, line)
        return
    if vlan_mode not in ("trunk", "native-untagged", "native-tagged"):
        dev.warnings.append(f"{where}: unknown vlan_mode {vlan_mode!r}, read as trunk")
    iface.set("mode", "trunk", line)
    # An empty trunks set carries every VLAN (SG101's case); a native VLAN is always carried.
    allowed = trunks if trunk_ids else VlanSet.all()
    if vlan_mode.startswith("native") and tag is not None:
        iface.set("native_vlan", tag, line)
        if not allowed.is_all:
            allowed = allowed.add(VlanSet.of([tag]))
    iface.set("allowed_vlans", allowed, line)


def _apply_policer(members: list[dict[str, Any]], iface: Interface, line: int | None) -> None:
    """Ingress policing bounds broadcast too. A bond passes the sum of its members' rates; one
    unpoliced member (or members policed in different units) means no bound is recorded."""
    levels: list[tuple[float, str]] = []
    for m in members:
        kpps = m.get("ingress_policing_kpkts_rate")
        kbps = m.get("ingress_policing_rate")
        if isinstance(kpps, (int, float)) and kpps > 0:
            levels.append((float(kpps) * 1000.0, "pps"))
        elif isinstance(kbps, (int, float)) and kbps > 0:
            levels.append((float(kbps) * 1000.0, "bps"))
        else:
            return
    units = {u for _, u in levels}
    if len(units) != 1:
        return
    sc = StormControl(traffic="broadcast", unit=units.pop(), line=line)  # type: ignore[arg-type]
    sc.set("level", sum(v for v, _ in levels), line)
    iface.storm_control["broadcast"] = sc
    iface.extra["policer"] = True


def _build_port(
    port: dict[str, Any],
    bridge_name: str,
    rstp: bool,
    ifaces: _Table,
    dev: Device,
    overrides: dict[str, Any],
) -> None:
    name = str(port.get("name", ""))
    line = port.get("__line__")
    iface = dev.interface(name, line)
    members = [ifaces.by_uuid[u] for u in _refs(port.get("interfaces")) if u in ifaces.by_uuid]
    if not members:
        dev.warnings.append(f"port {name}: none of its Interface rows are in the bundle")
    types = [str(_as_scalar(m.get("type")) or "") for m in members]
    iface.extra["interface_types"] = types
    ext = _as_map(port.get("external_ids"))
    if ext.get("description"):
        iface.set("description", str(ext["description"]), line)
    if len(members) >= 2:
        iface.kind = "aggregate"
        iface.extra["members"] = [str(m.get("name", "")) for m in members]
        iface.extra["bond_mode"] = _as_scalar(port.get("bond_mode"))
        iface.extra["lacp"] = _as_scalar(port.get("lacp"))
    nic = [m for m in members if _is_nic(m, overrides)]
    forced = uplink_override(name, overrides)
    iface.physical_uplink = forced if forced is not None else bool(nic)
    if len(members) == 1:
        kind = _kind_of(types[0])
        if kind == "physical" and not iface.physical_uplink:
            kind = "other"  # a VM tap added as a system port: a netdev, but not a NIC
        iface.kind = kind  # type: ignore[assignment]
    if name == bridge_name and types == ["internal"]:
        iface.set("switched", False, line)  # the host's own port into the bridge
        iface.extra["bridge_local"] = True
        return
    iface.set("switched", True, line)
    _apply_vlans(port, iface, dev, line)
    oc = _as_map(port.get("other_config"))
    stp_key = "rstp-enable" if rstp else "stp-enable"
    if stp_key in oc and not _truthy(oc[stp_key]):
        iface.set("stp_disabled", True, line)
    if "rstp-port-admin-edge" in oc:
        edge = _truthy(oc["rstp-port-admin-edge"])
        iface.set("edge", edge, line)
        iface.edge_trunk = edge
    _apply_policer(members, iface, line)


def parse(text: str, source: str = "") -> list[Device]:
    """Parse an OVS state bundle (see the module docstring) into one Device per bridge."""
    doc = load_bundle(text, PLATFORM, source)
    where = source or "input"
    tables = doc.get("tables")
    if not isinstance(tables, dict):
        raise InputError(f"{where}: not an ovs state bundle: no \"tables\" object")
    for needed in ("Bridge", "Port", "Interface"):
        if needed not in tables:
            raise InputError(f"{where}: not an ovs state bundle: tables.{needed} is missing")
    lines = LineIndex(text)
    bridges = _Table("Bridge", tables["Bridge"], lines, where)
    ports = _Table("Port", tables["Port"], lines, where)
    ifaces = _Table("Interface", tables["Interface"], lines, where)
    host = str(doc.get("hostname") or "localhost")
    overrides = doc.get("overrides") if isinstance(doc.get("overrides"), dict) else {}
    devices: list[Device] = []
    for br in sorted(bridges.rows, key=lambda r: str(r.get("name", ""))):
        br_name = str(br.get("name", ""))
        line = br.get("__line__")
        dev = Device(hostname=f"{host}/{br_name}", platform=PLATFORM,
                     source=source or f"ovs:{host}/{br_name}")
        dev.lines["hostname"] = line or 1
        stp_on = br.get("stp_enable") is True
        rstp_on = br.get("rstp_enable") is True
        dev.stp.set("enabled", stp_on or rstp_on, line)
        if rstp_on or stp_on:
            dev.stp.set("mode", "rstp" if rstp_on else "stp", line)
        dev.extra.update(
            {
                "bridge": br_name,
                "host": host,
                "datapath_type": _as_scalar(br.get("datapath_type")) or "system",
                "fail_mode": _as_scalar(br.get("fail_mode")),
                "flood_vlans": sorted(int(v) for v in _as_list(br.get("flood_vlans"))
                                      if isinstance(v, int)),
                "mcast_snooping_enable": br.get("mcast_snooping_enable") is True,
                "ovs_version": doc.get("ovs_version"),
            }
        )
        for table in (bridges, ports, ifaces):
            if table.bad_rows:
                dev.warnings.append(f"skipped {table.bad_rows} malformed row(s)")
        port_rows = [ports.by_uuid[u] for u in _refs(br.get("ports")) if u in ports.by_uuid]
        missing = len(_as_list(br.get("ports"))) - len(port_rows)
        if missing:
            dev.warnings.append(f"bridge {br_name}: {missing} port row(s) missing from the bundle")
        for port in sorted(port_rows, key=lambda r: (r.get("__line__") or 0, str(r.get("name")))):
            _build_port(port, br_name, rstp_on, ifaces, dev, overrides)
        devices.append(dev)
    return devices
