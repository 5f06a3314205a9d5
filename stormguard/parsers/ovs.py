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
     },
     "netdevs": [                       # optional: the kernel's view of the ports' netdevs
      {"name": "eno1", "kind": "", "bus": "pci", "ifindex": 2},
      {"name": "vm0", "kind": "veth", "bus": false, "ifindex": 7}
     ],
     "netdevs_error": {"command": "ip -j -d link show", "error": "..."}  # instead, on failure
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
In order, first answer wins; ``Interface.extra["uplink_source"]`` records which one
(``"inventory physical_uplinks 'eth*'"``, ``"ovs type patch"``, ``"kernel: veth"``,
``"external_ids iface-id"``, ``"name heuristic"``), so a finding can say why:

1. The inventory's ``physical_uplinks`` / ``not_physical_uplinks`` globs (host data, copied into
   the bundle's ``overrides``).
2. The OVS type: ``internal``, ``patch``, ``tap``, tunnels (``vxlan``, ``geneve``, ``gre``,
   ``stt``, ``erspan``, ...) and ``dpdkvhostuser*`` are never uplinks.
3. The kernel's own facts, when the bundle has ``netdevs`` (newer collectors: ``ip -d -j link
   show`` of the ports, see :func:`stormguard.parsers._vswitch.kernel_uplink`), for system
   (``""``/``system``) and AF_XDP ports: a ``veth``, ``tun`` (tap), ``macvlan``, ``vxlan``,
   ``dummy``, ... is **not** an uplink, whatever its name (containers attach veths with any
   name, guests taps with custom ones); a kernel ``bond``/``team`` is one when a member is; a
   ``vlan`` sub-interface when its lower link is; a link with no ``info_kind`` on a bus (PCI) is
   a NIC, unless (4) marks it. Facts whose ``ifindex`` disagrees with the Interface row's (read
   in another network namespace than OVS's) are dropped, with a warning. A link with no kind
   and no bus, a ``dpdk`` port (not a kernel netdev), or an old bundle go on to (4)/(5).
4. The marks of a VM interface libvirt/OpenStack add: an ``external_ids`` key ``iface-id``,
   ``attached-mac`` or ``vm-uuid`` (these beat a kernel "NIC": a switchdev VF representor is a
   PCI device too).
5. The name heuristic: a system, ``dpdk`` or ``afxdp`` interface is a NIC unless its name starts
   ``vnet``, ``tap``, ``qvo``, ``qvb`` or ``veth``.

A bond (several Interfaces in one Port) is an uplink when any member is. When the collector's
``ip`` command failed, the bundle carries ``netdevs_error`` instead, and every bridge's device
warns (naming the host and the command) that uplinks were judged by name.
"""

from __future__ import annotations

from typing import Any

from stormguard.errors import InputError
from stormguard.model import Device, Interface, StormControl
from stormguard.parsers._vswitch import (
    LineIndex,
    kernel_uplink,
    load_bundle,
    netdev_index,
    uplink_override,
)
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


_KERNEL_NETDEV_TYPES = frozenset({"", "system", "afxdp", "afxdp-nonpmd"})


def _is_nic(iface: dict[str, Any], overrides: dict[str, Any],
            netdevs: dict[str, dict[str, Any]] | None = None) -> tuple[bool, str]:
    """Is this Interface row a NIC, and why: (verdict, source) where source is what
    ``extra["uplink_source"]`` records ("inventory physical_uplinks 'eth*'", "kernel: veth",
    ...)."""
    name = str(iface.get("name", ""))
    forced = uplink_override(name, overrides)
    if forced is not None:
        return forced
    itype = str(_as_scalar(iface.get("type")) or "")
    if itype not in _NIC_TYPES:
        return False, f"ovs type {itype}"
    kernel: bool | None = None
    why = ""
    if netdevs and itype in _KERNEL_NETDEV_TYPES:
        kernel, why = kernel_uplink(name, netdevs)
    if kernel is False:
        return False, why
    ext = _as_map(iface.get("external_ids"))
    marks = [k for k in _VM_EXTERNAL_IDS if k in ext]
    if marks:  # beats a kernel "NIC": a switchdev VF representor sits on the PCI bus too
        return False, f"external_ids {marks[0]}"
    if kernel is True:
        return True, why
    return not name.startswith(_VM_NAME_PREFIXES), "name heuristic"


def _checked_netdevs(doc: dict[str, Any], ifaces: _Table, host: str) -> tuple[
        dict[str, dict[str, Any]], list[str]]:
    """The bundle's kernel netdev facts, minus any whose ifindex disagrees with OVSDB's (read
    in another network namespace than the one OVS uses), plus warnings."""
    warnings: list[str] = []
    err = doc.get("netdevs_error")
    if isinstance(err, dict):
        warnings.append(f"{host}: `{err.get('command', 'ip -d -j link show')}` failed "
                        f"({err.get('error', '?')}); physical uplinks judged by name")
    if "netdevs" in doc and not isinstance(doc.get("netdevs"), (list, dict)):
        warnings.append(f"{host}: \"netdevs\" is unreadable; physical uplinks judged by name")
    netdevs = netdev_index(doc.get("netdevs"))
    wrong = []
    for row in ifaces.rows:
        name = str(row.get("name", ""))
        ovs_ifindex = _as_scalar(row.get("ifindex"))
        kern = netdevs.get(name)
        if kern is None or not isinstance(ovs_ifindex, int) or ovs_ifindex <= 0:
            continue
        if isinstance(kern.get("ifindex"), int) and kern["ifindex"] != ovs_ifindex:
            wrong.append(name)
    if wrong:
        warnings.append(f"{host}: the kernel facts for {', '.join(sorted(wrong))} have another "
                        "ifindex than OVSDB's (read in another network namespace?); those "
                        "ports judged by name")
        for name in wrong:
            netdevs.pop(name, None)
    return netdevs, warnings


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
    netdevs: dict[str, dict[str, Any]] | None = None,
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
    verdicts = [_is_nic(m, overrides, netdevs) for m in members]
    nic = [why for ok, why in verdicts if ok]
    forced = uplink_override(name, overrides)
    iface.physical_uplink = forced[0] if forced is not None else bool(nic)
    if forced is not None:
        iface.extra["uplink_source"] = forced[1]
    elif nic:
        iface.extra["uplink_source"] = nic[0]
    elif verdicts:
        iface.extra["uplink_source"] = verdicts[0][1]
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
    netdevs, netdev_warnings = _checked_netdevs(doc, ifaces, host)
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
        dev.warnings.extend(netdev_warnings)
        for table in (bridges, ports, ifaces):
            if table.bad_rows:
                dev.warnings.append(f"skipped {table.bad_rows} malformed row(s)")
        port_rows = [ports.by_uuid[u] for u in _refs(br.get("ports")) if u in ports.by_uuid]
        missing = len(_as_list(br.get("ports"))) - len(port_rows)
        if missing:
            dev.warnings.append(f"bridge {br_name}: {missing} port row(s) missing from the bundle")
        for port in sorted(port_rows, key=lambda r: (r.get("__line__") or 0, str(r.get("name")))):
            _build_port(port, br_name, rstp_on, ifaces, dev, overrides, netdevs)
        devices.append(dev)
    return devices
