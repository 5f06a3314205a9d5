"""Links from MAC address tables, where LLDP/CDP is absent. Pure, no I/O.

Why: many hypervisors run no LLDP agent (lldpd not installed, ESXi CDP/LLDP left at ``listen``
on a distributed switch, a switch port with LLDP off). The switch still learns the MAC of the
NIC behind each access port, and the collectors store both sides: the switch's ``mac_table``
evidence (``show mac address-table``, ``show ethernet-switching table``, ``display
mac-address``; ntc-templates rows, or the raw text when no template matched) and each
hypervisor NIC's MAC (:mod:`stormguard.topology.host_macs`). :func:`infer_links` turns a port
that learns exactly one host's NIC MAC into a :class:`Neighbor` (``protocol="mac"``), as if the
switch had seen that NIC over LLDP, so the graph, the loop rules and the fact roles treat it
like any other neighbour.

A MAC table shows where frames *came from*, not what is cabled, so nothing is guessed:

* a switch port or host NIC that an LLDP/CDP fact already covers (from either side) is left to
  that fact;
* a port that learns the NICs of several hosts, or a MAC of a collected switch, is an
  inter-switch or uplink port (every host's MAC is learnt there too): a warning, no link;
* a NIC MAC learnt on several of the remaining ports (two switches each think the host is
  behind them: a shared segment, a MAC move, a duplicated MAC) is ambiguous: a warning, no link.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from stormguard.topology.host_macs import HostNic, normalize_mac
from stormguard.topology.neighbors import Neighbor, NeighborFacts, port_key, short_name

PROTOCOL = "mac"
_pkey = lru_cache(maxsize=65536)(port_key)
_short = lru_cache(maxsize=65536)(short_name)
#: the key a switch recipe stores its MAC table under in the snapshot's state
STATE_KEY = "mac_table"

#: ntc-templates field names for the MAC and the port, across the platforms' templates.
_MAC_FIELDS = ("mac_address", "destination_address", "mac")
_PORT_FIELDS = ("destination_port", "ports", "logical_interface", "interface", "port")
_VLAN_FIELDS = ("vlan_id", "vlan")
#: A port name as a MAC table prints it: letters, then a digit (Gi1/0/5, Et3, ge-0/0/3.0,
#: GE0/0/3, Bridge-Aggregation1, Po1). Not CPU, Router, Drop, sup-eth1(R), vPC Peer-Link.
_PORT = re.compile(r"^[A-Za-z][A-Za-z\-]*\d[\w/:.\-]*$")
_NOT_PORTS = ("sup-", "cpu", "router", "drop", "switch", "vlan", "vl", "nve", "vtep", "tunnel",
              "vpc", "peer")
_MAC_TOKEN = re.compile(r"(?<![0-9A-Fa-f:.\-])([0-9A-Fa-f]{4}[.\-][0-9A-Fa-f]{4}[.\-][0-9A-Fa-f]{4}"
                        r"|[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})(?![0-9A-Fa-f:.\-])")
#: Cisco/Arista ``Bridge ID ... Address 70db.9811.2200``, ``Bridge Identifier has priority
#: ..., address ...``; VRP/Comware ``CIST Bridge :32768.4c1f-cc10-5a01``, ``Bridge ID : 32768.x``
_BRIDGE_MAC = re.compile(r"Bridge\s+I(?:D|dentifier)\b.{0,120}?address\s+"
                         r"([0-9A-Fa-f][0-9A-Fa-f.:\-]{12,16})"
                         r"|Bridge(?:\s+ID)?\s*:\s*\d+\.([0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4})",
                         re.I | re.S)


@dataclass(frozen=True)
class MacEntry:
    """One MAC table row: `switch` learnt `mac` on `port` (in `vlan`)."""

    switch: str
    port: str  # as the switch names it (Junos unit ``.0`` removed)
    mac: str  # normalised aa:bb:cc:dd:ee:ff
    vlan: str = ""


def _key(row: Mapping[str, Any], names: Sequence[str]) -> str | None:
    """The key `row` holds the first of `names` under (templates differ, case may too)."""
    for name in names:
        for key in (name, name.upper()):
            if key in row:
                return key
    return None


@lru_cache(maxsize=65536)
def _port_name(text: str) -> str | None:
    """The switch port a row names, or None for a pseudo-port (CPU, router, drop, ...).
    Cached: a table names the same few dozen ports thousands of times."""
    s = text.strip()
    if not _PORT.match(s):
        return None
    low = s.lower()
    if low.startswith(_NOT_PORTS):
        return None
    if re.match(r"^([a-z]{2}-\d|ae\d)", low):  # Junos logical unit: ge-0/0/3.0 -> ge-0/0/3
        s = re.sub(r"\.\d+$", "", s)
    return s


def _one_port(value: Any) -> str | None:
    if isinstance(value, list):
        if len(value) != 1:  # a multicast group on several ports says nothing about one cable
            return None
        value = value[0]
    return _port_name(str(value or ""))


def parse_mac_table_raw(switch: str, text: str, keep: Container[str] | None = None
                        ) -> list[MacEntry]:
    """MAC table rows from raw text, whatever the vendor: a line holding one unicast MAC and,
    after it, a port name. Used when ntc-templates has no template or the template did not
    match (Junos ELS prints VLAN names the template does not expect). `keep`: only the MACs
    spelt as in :func:`mac_spellings` (the ones that can matter), or every MAC when None."""
    out: list[MacEntry] = []
    for line in text.splitlines():
        found = _MAC_TOKEN.findall(line)
        if len(found) != 1:
            continue
        if keep is not None and found[0].lower() not in keep:
            continue
        mac = normalize_mac(found[0])
        if mac is None:
            continue
        before, _, after = line.partition(found[0])
        port = None
        for tok in after.split():
            if _PORT.match(tok):
                port = _port_name(tok)
                break
        if port is None:
            continue
        vlan = before.split()[-1] if before.split() else ""
        out.append(MacEntry(switch, port, mac, vlan.lstrip("*").strip()))
    return out


def mac_spellings(macs: Iterable[str]) -> frozenset[str]:
    """Every way a MAC table may print each of `macs` (normalised), lower case: the filter
    `entries_from_state` takes, so the millions of guest MACs in a fleet's tables are skipped
    by one set lookup instead of being parsed."""
    out: set[str] = set()
    for mac in macs:
        d = mac.replace(":", "")
        dotted = f"{d[0:4]}.{d[4:8]}.{d[8:12]}"
        out.update({mac, mac.replace(":", "-"), d, dotted, dotted.replace(".", "-")})
    return frozenset(out)


def has_mac_table(state: Mapping[str, Any] | None) -> bool:
    entry = (state or {}).get(STATE_KEY)
    return isinstance(entry, Mapping)


def entries_from_state(switch: str, state: Mapping[str, Any] | None,
                       keep: Container[str] | None = None) -> tuple[list[MacEntry], list[str]]:
    """(MAC table rows, warnings) from a switch snapshot's ``mac_table`` state entry; `keep`
    (from :func:`mac_spellings`): only rows for those MACs (a fleet's tables hold millions of
    guest MACs; only host NIC and switch MACs can matter), or every row when None."""
    entry = (state or {}).get(STATE_KEY)
    if not isinstance(entry, Mapping):
        return [], []
    if entry.get("error"):
        return [], [f"{switch}: `{entry.get('command', 'mac table')}` failed: no MAC-table "
                    "links from it"]
    rows = entry.get("parsed")
    if not (isinstance(rows, list) and rows and isinstance(rows[0], Mapping)):
        return parse_mac_table_raw(switch, str(entry.get("raw") or ""), keep), []
    mac_key, port_key_, vlan_key = (_key(rows[0], _MAC_FIELDS), _key(rows[0], _PORT_FIELDS),
                                    _key(rows[0], _VLAN_FIELDS))
    if mac_key is None or port_key_ is None:
        return parse_mac_table_raw(switch, str(entry.get("raw") or ""), keep), []
    out = []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        value = row.get(mac_key)
        if keep is not None and (not isinstance(value, str) or value.strip().lower() not in keep):
            continue
        mac = normalize_mac(value)
        if mac is None:
            continue
        port = _one_port(row.get(port_key_))
        if port:
            out.append(MacEntry(switch, port, mac, str(row.get(vlan_key) or "") if vlan_key
                                else ""))
    return out, []


def switch_macs(switch: str, state: Mapping[str, Any] | None) -> set[str]:
    """A switch's own MACs as its spanning-tree evidence prints them (the bridge address).
    Frames from a collected switch arrive on an inter-switch port, never on a host's."""
    out: set[str] = set()
    for name, entry in (state or {}).items():
        if "stp" not in str(name):  # stp, stp_detail, stp_global: the spanning-tree evidence
            continue
        if isinstance(entry, Mapping) and isinstance(entry.get("raw"), str):
            for m in _BRIDGE_MAC.finditer(entry["raw"]):
                mac = normalize_mac(m.group(1) or m.group(2))
                if mac:
                    out.add(mac)
    return out


def _covered(neighbors: Iterable[Neighbor]) -> tuple[set[tuple[str, str]], set[str]]:
    """((host, port key) ends named by an LLDP/CDP fact, MACs named as a port ID)."""
    ends: set[tuple[str, str]] = set()
    macs: set[str] = set()
    for nb in neighbors:
        if nb.protocol == PROTOCOL:
            continue
        ends.add((short_name(nb.local_host.split("/", 1)[0]), port_key(nb.local_port)))
        if nb.remote_name:
            for p in nb.far_ports():
                ends.add((short_name(nb.remote_name), port_key(p)))
        mac = normalize_mac(nb.remote_port)
        if mac:
            macs.add(mac)
    return ends, macs


def chassis_macs(neighbors: Iterable[Neighbor], switches: Collection[str]) -> dict[str, str]:
    """MAC -> switch, for the chassis IDs LLDP/CDP neighbours report for collected `switches`
    (a switch's chassis MAC learnt on a port puts that switch behind the port)."""
    known = {short_name(s) for s in switches}
    out: dict[str, str] = {}
    for nb in neighbors:
        if nb.protocol == PROTOCOL or not nb.remote_name or short_name(nb.remote_name) not in \
                known:
            continue
        mac = normalize_mac(nb.remote_chassis)
        if mac:
            out.setdefault(mac, nb.remote_name)
    return out


def _some(names: Iterable[str], limit: int = 4) -> str:
    """``a, b, c, d and 996 more``: a warning names a few, never a thousand."""
    items = sorted(set(names))
    if len(items) <= limit:
        return ", ".join(items)
    return f"{', '.join(items[:limit])} and {len(items) - limit} more"


def describe(nb: Neighbor) -> str:
    """``MAC table: sw1 Gi1/0/5 learns esx-07 vmnic2 3c:fd:fe:b2:00:20``."""
    return (f"MAC table: {nb.local_host} {nb.local_port} learns {nb.remote_name} "
            f"{nb.remote_port} {nb.remote_chassis}").rstrip()


def infer_links(entries: Iterable[MacEntry], nics: Iterable[HostNic],
                neighbors: Iterable[Neighbor] = (),
                own_macs: Mapping[str, str] | None = None,
                switches: Collection[str] = ()) -> NeighborFacts:
    """Neighbour records (switch side) for ports that learn exactly one host's NIC MAC.

    `neighbors`: the LLDP/CDP facts already known (their ports and NICs are left alone);
    `own_macs`: MAC -> collected switch, for the MACs switches send from themselves;
    `switches`: the collected switches' names (the chassis MAC their neighbours' LLDP/CDP
    reports for them is theirs too)."""
    facts = NeighborFacts()
    neighbors = list(neighbors)
    ends, port_id_macs = _covered(neighbors)
    own_macs = {**chassis_macs(neighbors, switches), **(own_macs or {})}
    by_mac: dict[str, dict[HostNic, None]] = {}  # insertion-ordered sets
    for nic in nics:
        by_mac.setdefault(nic.mac, {})[nic] = None
    nic_of: dict[str, HostNic] = {}
    for mac, owners in sorted(by_mac.items()):
        if len({o.host for o in owners}) > 1:
            facts.warnings.append(
                f"MAC table: {mac} is the NIC MAC of {len(owners)} NICs on several hosts "
                f"({_some(f'{o.host} {o.nic}' for o in owners)}): not used")
        else:
            nic_of[mac] = next(iter(owners))
    # switch port -> what it learnt
    ports: dict[tuple[str, str], dict[str, Any]] = {}
    for e in entries:
        if e.mac not in nic_of and e.mac not in own_macs:
            continue  # a guest's MAC, a router's: says nothing about hosts or uplinks
        key = (_short(e.switch), _pkey(e.port))
        slot = ports.setdefault(key, {"switch": e.switch, "port": e.port, "nics": {},
                                      "switches": set()})
        nic = nic_of.get(e.mac)
        if nic is not None:
            slot["nics"].setdefault(nic, e.mac)
        owner = own_macs.get(e.mac)
        if owner and short_name(owner) != short_name(e.switch):
            slot["switches"].add(short_name(owner))
    # candidate ports: not covered, one host behind them, no switch behind them
    learnt_on: dict[HostNic, list[dict[str, Any]]] = {}
    for key, slot in sorted(ports.items()):
        if not slot["nics"] or key in ends:
            continue
        hosts = sorted({n.host for n in slot["nics"]})
        where = f"{slot['switch']} {slot['port']}"
        if slot["switches"]:
            facts.warnings.append(
                f"MAC table: {where} learns MACs of collected switch "
                f"{_some(slot['switches'])} and of {len(slot['nics'])} host NIC(s) "
                f"({_some(hosts)}): an inter-switch or uplink port, no link guessed")
            continue
        if len(hosts) > 1:
            facts.warnings.append(
                f"MAC table: {where} learns NIC MACs of {len(hosts)} hosts "
                f"({_some(hosts)}): an inter-switch or uplink port, no link guessed")
            continue
        for nic in slot["nics"]:
            learnt_on.setdefault(nic, []).append(slot)
    for nic, slots in sorted(learnt_on.items(), key=lambda kv: (kv[0].host, kv[0].nic)):
        if (short_name(nic.host), port_key(nic.nic)) in ends or nic.mac in port_id_macs:
            continue  # LLDP/CDP already says where this NIC goes
        if len(slots) > 1:
            places = _some(f"{s['switch']} {s['port']}" for s in slots)
            facts.warnings.append(
                f"MAC table: {nic.host} {nic.nic} ({nic.mac}) is learnt on {len(slots)} switch "
                f"ports ({places}): ambiguous, no link guessed")
            continue
        slot = slots[0]
        facts.neighbors.append(Neighbor(
            local_host=slot["switch"], local_port=slot["port"], remote_name=nic.host,
            remote_port=nic.nic, protocol=PROTOCOL, remote_chassis=nic.mac))
    return facts
