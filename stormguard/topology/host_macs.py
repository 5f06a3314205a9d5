"""The MAC addresses of a host's physical NICs, read from its stored snapshot. Pure, no I/O.

Why: a switch's MAC address table says which port learnt which MAC; to turn that into "this
port leads to esx-07 vmnic2" the topology needs each hypervisor NIC's own MAC. Every
hypervisor collector already stores it in the snapshot's bundle text:

* ESXi: ``esxcli network nic list`` (``Name``, ``MAC Address``) in the esxcli bundle;
* Open vSwitch: the Interface table's ``mac_in_use`` (``ovs-vsctl list Interface``);
* Linux bridge: ``address`` of each link of ``ip -j -d link show``.

Only NICs count (the uplinks the parsers call physical, with the inventory's
``physical_uplinks`` overrides): a bridge's own port, a VLAN sub-interface or a VM's tap shares
or fakes a NIC's MAC and would point the table at the wrong thing. A Linux bond's slaves all
carry the bond's MAC, so that MAC means the bond. The parsers' own NIC tests are reused (never
copied) so a port is a NIC here exactly when it is an uplink in the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: Platforms whose snapshot text holds a hypervisor bundle with NIC MACs.
HOST_PLATFORMS = frozenset({"esxi", "ovs", "linux_bridge"})

@dataclass(frozen=True)
class HostNic:
    """One physical NIC (or bond) of a hypervisor and the MAC it sends from."""

    host: str  # the inventory device name (the graph names its vSwitches "<host>/<bridge>")
    nic: str  # vmnic2, eno1, bond0
    mac: str  # normalised: 3c:fd:fe:b2:00:20


_MAC_RE = re.compile(r"[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}|[0-9a-f]{4}(?:[.-][0-9a-f]{4}){2}"
                     r"|[0-9a-f]{12}")
_SEPARATORS = str.maketrans("", "", ".:-")


def normalize_mac(text: Any) -> str | None:
    """``3CFD.FEB2.0020`` / ``3cfd-feb2-0020`` / ``3c:fd:fe:b2:00:20`` -> ``3c:fd:fe:b2:00:20``;
    None for anything else, and for the all-zero, broadcast and multicast addresses (never a
    NIC's own). Called for every row of every MAC table: kept to one regex and one join."""
    if not isinstance(text, str):
        return None
    s = text.strip().lower()
    if _MAC_RE.fullmatch(s) is None:
        return None
    d = s.translate(_SEPARATORS)
    if d == "000000000000" or int(d[1], 16) & 1:
        return None
    return f"{d[0:2]}:{d[2:4]}:{d[4:6]}:{d[6:8]}:{d[8:10]}:{d[10:12]}"


def host_nics(device: str, platform: str, text: str | None) -> tuple[list[HostNic], list[str]]:
    """(NICs with their MACs, warnings) of one hypervisor snapshot; text that is not a bundle of
    `platform` is one warning naming `device`, never an exception."""
    if not text or platform not in HOST_PLATFORMS:
        return [], []
    from stormguard.errors import InputError

    try:
        if platform == "esxi":
            return _esxi(device, text)
        if platform == "ovs":
            return _ovs(device, text), []
        return _linux(device, text), []
    except InputError as exc:
        return [], [f"{device}: NIC MAC addresses unreadable ({exc}): no MAC-table links"]
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        return [], [f"{device}: NIC MAC addresses unreadable ({type(exc).__name__}): no "
                    "MAC-table links"]


def _esxi(device: str, text: str) -> tuple[list[HostNic], list[str]]:
    from stormguard.parsers.esxi import _table, sections

    _, secs = sections(text)
    out: list[HostNic] = []
    warnings: list[str] = []
    for sec in secs:
        if not sec.command.startswith("esxcli network nic list"):
            continue
        notes: list[str] = []
        for row, _line in _table(sec, notes):
            mac = normalize_mac(row.get("MAC Address", ""))
            name = row.get("Name", "").strip()
            if mac and name:
                out.append(HostNic(device, name, mac))
        warnings.extend(f"{device}: {n}" for n in notes)
    return out, warnings


def _ovs(device: str, text: str) -> list[HostNic]:
    from stormguard.parsers._vswitch import LineIndex, load_bundle
    from stormguard.parsers.ovs import _as_scalar, _checked_netdevs, _is_nic, _Table

    doc = load_bundle(text, "ovs", device)
    tables = doc.get("tables")
    if not isinstance(tables, dict) or "Interface" not in tables:
        return []
    overrides = doc.get("overrides") if isinstance(doc.get("overrides"), dict) else {}
    out = []
    table = _Table("Interface", tables["Interface"], LineIndex(text), device)
    netdevs, _ = _checked_netdevs(doc, table, device)
    for row in table.rows:
        if not _is_nic(row, overrides, netdevs)[0]:
            continue
        mac = normalize_mac(_as_scalar(row.get("mac_in_use")))
        if mac:
            out.append(HostNic(device, str(row.get("name", "")), mac))
    return out


def _linux(device: str, text: str) -> list[HostNic]:
    from stormguard.parsers._vswitch import LineIndex, load_bundle
    from stormguard.parsers.linux_bridge import _info, _Links

    doc = load_bundle(text, "linux_bridge", device)
    raw = doc.get("links")
    if not isinstance(raw, list):
        return []
    overrides = doc.get("overrides") if isinstance(doc.get("overrides"), dict) else {}
    links = _Links([lk for lk in raw if isinstance(lk, dict)], LineIndex(text), overrides)
    by_mac: dict[str, list[dict[str, Any]]] = {}
    for name, link in links.by_name.items():
        kind, _, _ = _info(link)
        if kind == "vlan" or not links.physical(name):
            continue
        mac = normalize_mac(link.get("address"))
        if mac:
            by_mac.setdefault(mac, []).append(link)
    out = []
    for mac, group in by_mac.items():
        bonds = [lk for lk in group if _info(lk)[0] in ("bond", "team")]
        if len(bonds) == 1:  # the slaves carry the bond's MAC: the MAC means the bond
            bond = str(bonds[0].get("ifname"))
            group = [bonds[0]] + [lk for lk in group if lk.get("master") != bond
                                  and lk is not bonds[0]]
        out.extend(HostNic(device, str(lk.get("ifname")), mac) for lk in group)
    return out
