"""Neighbour facts: who is at the far end of a port, as LLDP or CDP reports it.

Three readers, all pure, all turning what a device says into :class:`Neighbor` records:

* :func:`from_switch_state` reads the ``lldp`` / ``cdp`` entries the switch collectors store in a
  snapshot's state (``{"command", "raw", "parsed"}``, ``parsed`` being ntc-templates rows with
  ``neighbor_name``, ``local_interface``, ``neighbor_interface``, ``capabilities``).
* :func:`parse_lldpcli_json` reads ``lldpcli -f json show neighbors details`` (lldpd on a KVM,
  OVS or Linux-bridge host). lldpd prints ``"interface": {name: {...}}`` for one neighbour and a
  list of one-key objects for several, and a capability list or a single object; both shapes are
  read.
* ESXi's CDP/LLDP view is read by :mod:`stormguard.parsers.esxi` into the same records, and
  Huawei VRP's ``display lldp neighbor`` text (no usable ntc-templates template) by
  :mod:`stormguard.topology.vrp_lldp`.

What cannot be read is reported (``warnings``), never guessed. :func:`port_key` is the one place
that decides that ``Gig 1/0/48``, ``Gi1/0/48`` and ``GigabitEthernet1/0/48`` are one port.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Long and short spellings of interface types -> one key (CDP/LLDP abbreviate, configs do not).
_PREFIX: dict[str, str] = {
    "gigabitethernet": "gi", "gig": "gi", "gi": "gi", "ge": "gi",
    "tengigabitethernet": "te", "tengige": "te", "te": "te", "ten-gigabitethernet": "te",
    "xgigabitethernet": "xge", "xge": "xge",
    "twentyfivegige": "twe", "twentyfivegigabitethernet": "twe", "twe": "twe", "25ge": "twe",
    "fortygigabitethernet": "fo", "fortygige": "fo", "fo": "fo", "40ge": "fo",
    "hundredgigabitethernet": "hu", "hundredgige": "hu", "hu": "hu", "100ge": "hu",
    "fastethernet": "fa", "fa": "fa",
    "ethernet": "eth", "eth": "eth", "et": "eth",
    "port-channel": "po", "portchannel": "po", "po": "po",
    "bridge-aggregation": "bagg", "bagg": "bagg", "eth-trunk": "eth-trunk",
}
_SPLIT = re.compile(r"^(\d*[a-z][a-z\-]*?)-?(\d.*)$")
_MAC = re.compile(r"^[0-9a-f]{2}([:.-]?[0-9a-f]{2}){5}$|^([0-9a-f]{4}\.){2}[0-9a-f]{4}$")


def port_key(name: str) -> str:
    """A spelling-independent key for an interface name (``Gig 1/0/48`` -> ``gi1/0/48``).

    Junos-style names keep their dash (``ge-0/0/1`` stays apart from Huawei ``GE0/0/1``)."""
    s = name.strip().lower().replace(" ", "")
    if re.match(r"^[a-z]{2}-\d", s):  # Junos ge-0/0/1, xe-0/0/1, et-0/0/1
        return s
    m = _SPLIT.match(s)
    if m is None:
        return s
    prefix, rest = m.group(1), m.group(2)
    return _PREFIX.get(prefix, prefix) + rest


def short_name(name: str) -> str:
    """``sw1.dc1.example.net`` -> ``sw1`` (lower case): LLDP/CDP often advertise the FQDN."""
    s = name.strip().lower()
    if re.match(r"^\d+\.\d+\.\d+\.\d+$", s):
        return s
    return s.split(".", 1)[0]


def looks_like_mac(text: str) -> bool:
    return bool(_MAC.match(text.strip().lower()))


@dataclass(frozen=True)
class Neighbor:
    """One neighbour seen on one local port."""

    local_host: str  # the device that reported it (switch hostname, hypervisor name)
    local_port: str  # the local port, as the local side names it
    remote_name: str  # the system name the far end advertises ("" when none)
    remote_port: str  # the port ID the far end advertises (ifname, sometimes a MAC)
    protocol: str  # "lldp" | "cdp"
    capabilities: frozenset[str] = frozenset()  # "bridge", "router", "station", ...
    remote_port_descr: str = ""  # LLDP port description (often the ifname when the ID is a MAC)
    remote_chassis: str = ""  # chassis ID (usually a MAC)
    remote_platform: str = ""  # CDP platform / LLDP system description, first words

    @property
    def is_bridge(self) -> bool:
        return "bridge" in self.capabilities or "switch" in self.capabilities

    def far_ports(self) -> list[str]:
        """Names to try for the far port, best first (the ID unless it is a MAC, then the
        description)."""
        out = []
        if self.remote_port and not looks_like_mac(self.remote_port):
            out.append(self.remote_port)
        if self.remote_port_descr and self.remote_port_descr not in out:
            out.append(self.remote_port_descr)
        return out


@dataclass
class NeighborFacts:
    """Neighbours and what could not be read."""

    neighbors: list[Neighbor] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# -- switches: ntc-templates rows -------------------------------------------------------------

#: CDP / LLDP capability letters and words -> our words.
_CAP_WORDS = {
    "b": "bridge", "r": "router", "s": "station", "w": "wlan", "t": "telephone", "p": "repeater",
    "c": "docsis", "o": "other", "bridge": "bridge", "router": "router", "station": "station",
    "switch": "switch", "host": "station", "wlan": "wlan", "telephone": "telephone",
}
#: CDP letters differ from LLDP's: S = switch, H = host, T = trans bridge, B = SR bridge.
_CDP_CAP = {"r": "router", "t": "bridge", "b": "bridge", "s": "switch", "h": "station",
            "i": "igmp", "p": "telephone", "r ": "router"}


def _caps(text: str, protocol: str) -> frozenset[str]:
    table = _CDP_CAP if protocol == "cdp" else _CAP_WORDS
    out = set()
    for tok in re.split(r"[\s,]+", str(text or "").strip()):
        word = table.get(tok.lower()) if tok else None
        if word:
            out.add(word)
    return frozenset(out)


def _row(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        value = row.get(key.upper())
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    return str(value or "").strip()


def from_switch_state(host: str, state: Mapping[str, Any]) -> NeighborFacts:
    """Neighbours from a switch snapshot's ``state`` (``lldp`` and ``cdp`` entries)."""
    facts = NeighborFacts()
    for protocol in ("lldp", "cdp"):
        entry = state.get(protocol)
        if not isinstance(entry, Mapping):
            continue
        rows = entry.get("parsed")
        raw = str(entry.get("raw") or "")
        if not isinstance(rows, list):
            if raw.strip() and not _empty_table(raw):
                facts.warnings.append(f"{host}: `{entry.get('command', protocol)}` output was "
                                      "not parsed (no ntc-templates template matched): its "
                                      "neighbours are not in the topology")
            continue
        for row in rows:
            if not isinstance(row, Mapping):
                continue
            local = _row(row, "local_interface")
            name = _row(row, "neighbor_name") or _row(row, "neighbor")
            far = _row(row, "neighbor_interface")
            if not local:
                facts.warnings.append(f"{host}: a {protocol.upper()} neighbour row without a "
                                      "local interface was skipped")
                continue
            facts.neighbors.append(Neighbor(
                local_host=host, local_port=local, remote_name=name, remote_port=far,
                protocol=protocol, capabilities=_caps(_row(row, "capabilities"), protocol),
                remote_chassis=_row(row, "chassis_id"), remote_platform=_row(row, "platform"),
            ))
    return facts


def _empty_table(raw: str) -> bool:
    return bool(re.search(r"total\s+(cdp\s+)?entries\s+displayed\s*:?\s*0\b", raw, re.I))


# -- hosts: lldpd JSON -----------------------------------------------------------------------

def _items(value: Any) -> Iterable[tuple[str, Any]]:
    """lldpd's JSON: ``{name: obj}`` for one, ``[{name: obj}, ...]`` for several."""
    if isinstance(value, Mapping):
        yield from value.items()
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, Mapping):
                yield from item.items()


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _id_value(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("value") or "")
    return str(value or "")


def parse_lldpcli_json(text: str, host: str) -> NeighborFacts:
    """Neighbours from ``lldpcli -f json show neighbors details`` run on `host`."""
    facts = NeighborFacts()
    if not text.strip():
        return facts
    try:
        doc = json.loads(text)
    except ValueError as exc:
        facts.warnings.append(f"{host}: lldpcli output is not JSON ({exc.msg} at line "
                              f"{exc.lineno}): no host-side neighbours")
        return facts
    lldp = doc.get("lldp") if isinstance(doc, Mapping) else None
    if not isinstance(lldp, Mapping):
        facts.warnings.append(f"{host}: lldpcli JSON has no 'lldp' object: no host-side "
                              "neighbours")
        return facts
    for ifname, body in _items(lldp.get("interface")):
        if not isinstance(body, Mapping):
            continue
        via = str(body.get("via") or "LLDP").lower()
        protocol = "cdp" if via.startswith("cdp") else "lldp"
        name, chassis, caps, descr = "", "", set(), ""
        for cname, cbody in _items(body.get("chassis")):
            if not isinstance(cbody, Mapping):  # a chassis with only an ID: {"id": {...}}
                continue
            if cname == "id":
                chassis = _id_value(cbody)
                continue
            name = str(cname)
            chassis = _id_value(cbody.get("id"))
            descr = str(cbody.get("descr") or "")
            for cap in _as_list(cbody.get("capability")):
                if isinstance(cap, Mapping) and cap.get("enabled") in (True, "true", "on"):
                    word = _CAP_WORDS.get(str(cap.get("type", "")).lower())
                    if word:
                        caps.add(word)
        port = body.get("port") if isinstance(body.get("port"), Mapping) else {}
        facts.neighbors.append(Neighbor(
            local_host=host, local_port=str(ifname), remote_name=name,
            remote_port=_id_value(port.get("id")), protocol=protocol,
            capabilities=frozenset(caps), remote_port_descr=str(port.get("descr") or ""),
            remote_chassis=chassis, remote_platform=" ".join(descr.split()[:3]),
        ))
    return facts
