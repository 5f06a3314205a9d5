"""Linux bridge: an iproute2 state bundle in, one :class:`Device` per bridge out.

Why a bundle: a Linux bridge's configuration is kernel state, read with iproute2. The collector
(:mod:`stormguard.collect.linux_bridge`) stores what the tools print, verbatim, in one JSON
document:

.. code-block:: json

    {
     "kind": "linux_bridge",           # required: tells the detector and parser what this is
     "version": 1,                     # bundle schema version
     "hostname": "hv02",               # the host; devices are named "hv02/br0"
     "netns": "tenant1",               # optional: the network namespace that was read
     "overrides": {                    # optional, from inventory host data
      "physical_uplinks": ["up*"],     #   globs of port names that ARE uplinks
      "not_physical_uplinks": ["eth9"] #   globs of port names that are NOT
     },
     "links": [ ... ],                 # `ip -j -d link show`, one link per line
     "vlans": [ ... ],                 # `bridge -j vlan show`, one port per line
     "bridge_links": [ ... ]           # `bridge -j link show` (optional, informational)
    }

``vlans`` may also be the older iproute2 shape ``{"eth1": [{"vlan": 10, ...}], ...}``. Line
numbers point at the port's line in ``links``.

How kernel state maps onto the model
------------------------------------
* A link whose ``linkinfo.info_kind`` is ``bridge`` is a device. ``info_data.stp_state``: 0 = no
  spanning tree (``stp.enabled=False``, SG201 fires), 1 = kernel STP (``mode="stp"``), 2 =
  user-space STP, i.e. mstpd (``mode="rstp"``). ``vlan_filtering`` goes to
  ``Device.extra["vlan_filtering"]``.
* Every link whose ``master`` is the bridge is an interface (``ifalias`` is its description;
  no ``UP`` flag means admin down). Without ``vlan_filtering`` the bridge is VLAN-unaware: every
  tagged frame of every VLAN passes, whatever the port. That is SG402's finding for the bridge
  as a whole, so the ports are left with ``mode=None`` (SG101 does not repeat it per port) and
  ``extra["vlan_aware"]=False``.
* With ``vlan_filtering`` the ``bridge vlan`` entries decide: a port whose only VLAN is its
  untagged PVID is an access port (``access_vlan``); anything else is a trunk carrying exactly the
  listed VLANs, with the untagged PVID as ``native_vlan``. A port with no VLAN at all carries
  nothing (``allowed_vlans`` empty, mode ``None``).
* Port flags: ``guard on`` -> ``bpdu_guard=True``; ``root_block on`` -> ``root_guard``;
  ``bcast_flood off`` / ``mcast_flood off`` / ``flood off`` -> broadcast / multicast /
  unknown-unicast storm-control at level 0 % (the port never floods that class: the strictest
  storm control there is). Flags at their defaults are left unset (``None``).
* A bond (or team) enslaved to the bridge is ``kind="aggregate"`` with its slaves in
  ``extra["members"]`` and its mode in ``extra["bond_mode"]``.

Which ports are physical uplinks (``physical_uplink=True``)
-----------------------------------------------------------
The bundle's ``links`` *are* the kernel's own view (``ip -d -j link show``), so no name is ever
guessed at. In order: (1) the inventory's ``physical_uplinks`` / ``not_physical_uplinks`` globs
(host data, copied into ``overrides``); (2) a bond/team whose slaves include a physical link, or
a VLAN sub-interface (``eth0.100``) of one; (3) the kernel facts shared with the OVS parser
(:func:`stormguard.parsers._vswitch.kernel_uplink`): any ``linkinfo.info_kind`` (veth, tun/tap,
vxlan, macvlan, dummy, ...) is *not* an uplink, a link with ``parentbus``/``parentdev`` (a
device on a bus) and no kind is a NIC; (4) a link with no ``info_kind`` at all is a NIC too
(NIC drivers register no rtnetlink kind, every virtual device does; older iproute2 prints no
``parentbus``). A veth usually leads to a container. Where a veth really stands for an uplink
(a test lab, a nested hypervisor), name it in ``physical_uplinks``.
``Interface.extra["uplink_source"]`` records the reason (``"inventory physical_uplinks 'up*'"``,
``"kernel: veth"``, ``"kernel: NIC on pci"``, ``"kernel: bond, member eno2 is a NIC (...)"``, ...).
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
    netdev_rows,
    uplink_override,
)
from stormguard.vlans import MAX_VLAN, MIN_VLAN, VlanSet

PLATFORM = "linux_bridge"

_AGGREGATE_KINDS = frozenset({"bond", "team"})
_TUNNEL_KINDS = frozenset({"vxlan", "geneve", "gretap", "ip6gretap", "erspan", "ip6erspan"})
_FLOOD_FLAGS = (("bcast_flood", "broadcast"), ("mcast_flood", "multicast"),
                ("flood", "unknown-unicast"))


def _info(link: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    li = link.get("linkinfo") if isinstance(link.get("linkinfo"), dict) else {}
    kind = str(li.get("info_kind") or "")
    data = li.get("info_data") if isinstance(li.get("info_data"), dict) else {}
    slave = li.get("info_slave_data") if isinstance(li.get("info_slave_data"), dict) else {}
    return kind, data, slave


def _is_nic(link: dict[str, Any]) -> bool:
    if link.get("link_type") not in (None, "ether"):
        return False
    if link.get("parentbus") or link.get("parentdev"):
        return True
    kind, _, _ = _info(link)
    return not kind and link.get("ifname") != "lo"


class _Links:
    def __init__(self, links: list[dict[str, Any]], text: LineIndex, overrides: dict[str, Any]):
        self.by_name = {str(lk.get("ifname")): lk for lk in links if lk.get("ifname")}
        self.overrides = overrides
        self.text = text
        self.section = text.find('"links":')
        self.netdevs = netdev_index(netdev_rows(links))

    def slaves_of(self, master: str) -> list[dict[str, Any]]:
        return [lk for lk in self.by_name.values() if lk.get("master") == master]

    def line_of(self, name: str) -> int | None:
        for token in (f'"ifname": "{name}"', f'"ifname":"{name}"'):
            line = self.text.find(token, self.section)
            if line is not None:
                return line
        return None

    def physical(self, name: str) -> bool:
        return self.verdict(name)[0]

    def verdict(self, name: str, depth: int = 0) -> tuple[bool, str]:
        """(is `name` a physical uplink, why): what ``extra["uplink_source"]`` records."""
        forced = uplink_override(name, self.overrides)
        if forced is not None:
            return forced
        link = self.by_name.get(name)
        if link is None or depth > 4:
            return False, "kernel: no such link"
        kind, _, _ = _info(link)
        if kind in _AGGREGATE_KINDS:
            members = [str(s.get("ifname")) for s in self.slaves_of(name)]
            for m in members:
                ok, why = self.verdict(m, depth + 1)
                if ok:
                    return True, f"kernel: {kind}, member {m} is a NIC ({why})"
            return False, f"kernel: {kind} without a NIC member"
        if kind == "vlan":
            lower = link.get("link")
            if not isinstance(lower, str):
                return False, "kernel: vlan without a lower link"
            ok, why = self.verdict(lower, depth + 1)
            return ok, f"kernel: vlan on {lower} ({why.removeprefix('kernel: ')})"
        verdict, why = kernel_uplink(name, self.netdevs)
        if verdict is not None:
            return verdict, why
        # no info_kind and no bus device reported (older iproute2 prints no parentbus): NIC
        # drivers register no rtnetlink kind, every virtual device does
        if _is_nic(link):
            return True, "kernel: no link kind (a NIC driver)"
        return False, "kernel: not an Ethernet NIC"


def _vlan_entries(raw: Any, dev_warn: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Both iproute2 shapes -> {ifname: [entry, ...]}."""
    out: dict[str, list[dict[str, Any]]] = {}
    if isinstance(raw, dict):  # old iproute2: {"eth1": [...]}
        for name, entries in raw.items():
            if isinstance(entries, list):
                out[str(name)] = [e for e in entries if isinstance(e, dict)]
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict) and isinstance(item.get("vlans"), list):
                out.setdefault(str(item.get("ifname", "")), []).extend(
                    e for e in item["vlans"] if isinstance(e, dict)
                )
            else:
                dev_warn.append("skipped a malformed `bridge vlan` entry")
    elif raw is not None:
        dev_warn.append("`vlans` is neither a list nor an object; ignored")
    return out


def _apply_vlans(entries: list[dict[str, Any]], iface: Interface, dev: Device,
                 line: int | None) -> None:
    vids: list[int] = []
    pvid: int | None = None
    untagged: set[int] = set()
    for e in entries:
        try:
            lo = int(e.get("vlan"))  # type: ignore[arg-type]
            hi = int(e.get("vlanEnd", lo))
        except (TypeError, ValueError):
            dev.warnings.append(f"port {iface.name}: ignored VLAN entry {e!r}")
            continue
        if not (MIN_VLAN <= lo <= hi <= MAX_VLAN):
            dev.warnings.append(f"port {iface.name}: ignored VLAN range {lo}-{hi}")
            continue
        raw_flags = e.get("flags")
        flags = {str(f).lower() for f in raw_flags} if isinstance(raw_flags, list) else set()
        vids.extend(range(lo, hi + 1))
        if "pvid" in flags:
            pvid = lo
        if "egress untagged" in flags or "untagged" in flags:
            untagged.update(range(lo, hi + 1))
    allowed = VlanSet.of(vids)
    iface.extra["pvid"] = pvid
    if not vids:
        iface.set("allowed_vlans", allowed, line)
        return
    if pvid is not None and len(allowed) == 1 and pvid in untagged:
        iface.set("mode", "access", line)
        iface.set("access_vlan", pvid, line)
        return
    iface.set("mode", "trunk", line)
    iface.set("allowed_vlans", allowed, line)
    if pvid is not None and pvid in untagged:
        iface.set("native_vlan", pvid, line)


def _build_port(link: dict[str, Any], links: _Links, dev: Device, filtering: bool,
                vlans: dict[str, list[dict[str, Any]]]) -> None:
    name = str(link.get("ifname"))
    line = links.line_of(name)
    iface = dev.interface(name, line)
    kind, data, slave = _info(link)
    if link.get("ifalias"):
        iface.set("description", str(link["ifalias"]), line)
    flags = link.get("flags") or []
    if isinstance(flags, list) and "UP" not in flags:
        iface.set("shutdown", True, line)
    iface.set("switched", True, line)
    iface.physical_uplink, iface.extra["uplink_source"] = links.verdict(name)
    iface.extra["link_kind"] = kind or None
    if kind in _AGGREGATE_KINDS:
        iface.kind = "aggregate"
        iface.extra["members"] = [str(s.get("ifname")) for s in links.slaves_of(name)]
        iface.extra["bond_mode"] = data.get("mode")
    elif kind in _TUNNEL_KINDS:
        iface.kind = "tunnel"
    elif _is_nic(link) or kind == "vlan" or iface.physical_uplink:
        iface.kind = "physical"
    else:
        iface.kind = "other"
    if filtering:
        iface.extra["vlan_aware"] = True
        _apply_vlans(vlans.get(name, []), iface, dev, line)
    else:
        iface.extra["vlan_aware"] = False
    if slave.get("guard") is True:
        iface.set("bpdu_guard", True, line)
    if slave.get("root_block") is True:
        iface.set("root_guard", True, line)
    for flag, traffic in _FLOOD_FLAGS:
        if slave.get(flag) is False:
            sc = StormControl(traffic=traffic, unit="percent", line=line)  # type: ignore[arg-type]
            sc.set("level", 0.0, line)
            iface.storm_control[traffic] = sc
    if "state" in slave:
        iface.extra["stp_port_state"] = slave["state"]


def parse(text: str, source: str = "") -> list[Device]:
    """Parse a Linux bridge state bundle (see the module docstring) into one Device per bridge."""
    doc = load_bundle(text, PLATFORM, source)
    where = source or "input"
    raw_links = doc.get("links")
    if not isinstance(raw_links, list):
        raise InputError(f"{where}: not a linux_bridge state bundle: \"links\" must be a list")
    lines = LineIndex(text)
    host = str(doc.get("hostname") or "localhost")
    overrides = doc.get("overrides") if isinstance(doc.get("overrides"), dict) else {}
    bad = sum(1 for lk in raw_links if not isinstance(lk, dict))
    links = _Links([lk for lk in raw_links if isinstance(lk, dict)], lines, overrides)
    warnings: list[str] = [f"skipped {bad} malformed link(s)"] if bad else []
    vlans = _vlan_entries(doc.get("vlans"), warnings)
    devices: list[Device] = []
    bridges = [lk for lk in links.by_name.values() if _info(lk)[0] == "bridge"]
    for br in sorted(bridges, key=lambda lk: str(lk.get("ifname"))):
        br_name = str(br.get("ifname"))
        line = links.line_of(br_name)
        _, data, _ = _info(br)
        dev = Device(hostname=f"{host}/{br_name}", platform=PLATFORM,
                     source=source or f"linux_bridge:{host}/{br_name}")
        dev.warnings.extend(warnings)
        dev.lines["hostname"] = line or 1
        stp_state = _int(data.get("stp_state"))
        filtering = _int(data.get("vlan_filtering")) == 1
        if stp_state is None:
            dev.warnings.append(f"bridge {br_name}: no stp_state in the bundle; assumed off")
        dev.stp.set("enabled", bool(stp_state), line)
        if stp_state:
            dev.stp.set("mode", "rstp" if stp_state == 2 else "stp", line)
        dev.extra.update({
            "bridge": br_name,
            "host": host,
            "netns": doc.get("netns"),
            "vlan_filtering": filtering,
            "stp_state": stp_state,
            "default_pvid": _int(data.get("vlan_default_pvid")),
            "vlan_protocol": data.get("vlan_protocol"),
        })
        dev.extra["line_vlan_filtering"] = line
        # what the host itself uses (SG503's needed set): the bridge's own VLANs (`bridge vlan`
        # entry of the bridge device, with vlan_filtering) and every VLAN sub-interface of the
        # host (`eth5.100`), bridged or not
        dev.extra["self_vlans"] = _self_vids(vlans.get(br_name, []))
        dev.extra["host_vlan_links"] = _vlan_links(links)
        ports = links.slaves_of(br_name)
        for port in sorted(ports, key=lambda lk: (_int(lk.get("ifindex")) or 0)):
            _build_port(port, links, dev, filtering, vlans)
        devices.append(dev)
    return devices


def _self_vids(entries: list[dict[str, Any]]) -> list[int]:
    out: list[int] = []
    for e in entries:
        lo, hi = _int(e.get("vlan")), _int(e.get("vlanEnd", e.get("vlan")))
        if lo is not None and hi is not None and MIN_VLAN <= lo <= hi <= MAX_VLAN:
            out.extend(range(lo, hi + 1))
    return sorted(set(out))


def _vlan_links(links: _Links) -> list[dict[str, Any]]:
    """Every 802.1Q sub-interface of the host: name, lower link, VLAN id (None: unread)."""
    out = []
    for name, link in links.by_name.items():
        kind, data, _ = _info(link)
        if kind == "vlan":
            out.append({"name": name, "link": link.get("link"), "id": _int(data.get("id"))})
    return out


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None

