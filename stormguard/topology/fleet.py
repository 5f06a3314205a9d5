"""What a fleet rule (``SCOPE = "fleet"``) is given: every device, the L2 graph, its loops.

Built once per audit by :func:`stormguard.engine.audit_fleet`; the graph and the per-VLAN loops
are computed on first use and shared by every fleet rule. :func:`neighbors_from_state` turns a
snapshot's stored evidence into neighbour facts, whatever the platform; :func:`collect_facts`
gathers them for a whole fleet and adds the links the switches' MAC address tables prove where
LLDP/CDP is silent (:mod:`stormguard.topology.mac_links`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from stormguard.effective import EffectiveDevice
from stormguard.topology.graph import Cycle, Graph, build_graph, find_cycles
from stormguard.topology.neighbors import (
    Neighbor,
    NeighborFacts,
    from_switch_state,
    parse_lldpcli_json,
)

#: Platforms whose snapshot state holds lldpd JSON (``lldp`` entry) rather than switch tables.
HOST_LLDP_PLATFORMS = frozenset({"ovs", "linux_bridge"})


def neighbors_from_state(device: str, platform: str, state: Mapping[str, Any] | None
                         ) -> NeighborFacts:
    """Neighbour facts from one snapshot's state, named after the inventory `device`."""
    state = state or {}
    if platform in HOST_LLDP_PLATFORMS:
        entry = state.get("lldp")
        if isinstance(entry, Mapping) and "raw" in entry:
            return parse_lldpcli_json(str(entry.get("raw") or ""), device)
        facts = NeighborFacts()
        if isinstance(entry, Mapping) and entry.get("error"):
            facts.warnings.append(f"{device}: `{entry.get('command', 'lldpcli')}` failed "
                                  f"({entry['error']}): no host-side neighbours")
        return facts
    if platform == "esxi":
        from stormguard.parsers.esxi import neighbors_from_esxi_state

        return neighbors_from_esxi_state(device, state)
    if platform == "huawei":  # no ntc-templates template: VRP's text is read by our parser
        from stormguard.topology.vrp_lldp import from_vrp_state

        return from_vrp_state(device, state)
    return from_switch_state(device, state)


@dataclass
class FleetView:
    devices: Sequence[EffectiveDevice]
    neighbors: Sequence[Neighbor] = ()
    warnings: list[str] = field(default_factory=list)

    @cached_property
    def graph(self) -> Graph:
        return build_graph(self.devices, self.neighbors, self.warnings)

    @cached_property
    def cycles(self) -> list[Cycle]:
        return find_cycles(self.graph)

    @cached_property
    def by_name(self) -> dict[str, EffectiveDevice]:
        return {d.hostname: d for d in self.devices}


def collect_facts(items: Iterable[tuple[Any, ...]]) -> NeighborFacts:
    """(device, platform, state[, text]) for each snapshot -> all neighbour facts.

    LLDP/CDP first; then links from the switches' MAC address tables
    (:mod:`stormguard.topology.mac_links`) for the ports and host NICs no LLDP/CDP fact covers.
    Those need the hypervisors' NIC MACs, read from the snapshot `text` (the bundle): items
    without it simply add no MAC-table links."""
    from stormguard.model import SWITCH_PLATFORMS
    from stormguard.topology.host_macs import HOST_PLATFORMS, host_nics
    from stormguard.topology.mac_links import (
        chassis_macs,
        entries_from_state,
        has_mac_table,
        infer_links,
        mac_spellings,
        switch_macs,
    )

    out = NeighborFacts()
    tables: list[tuple[str, Mapping[str, Any]]] = []
    own: dict[str, str] = {}
    switches: list[str] = []
    hosts: list[tuple[str, str, str]] = []
    for item in items:
        device, platform, state = item[0], item[1], item[2]
        text = item[3] if len(item) > 3 else None
        facts = neighbors_from_state(device, platform, state)
        out.neighbors.extend(facts.neighbors)
        out.warnings.extend(facts.warnings)
        if platform in SWITCH_PLATFORMS:
            switches.append(device)
            if state and has_mac_table(state):
                tables.append((device, state))
                for mac in switch_macs(device, state):
                    own.setdefault(mac, device)
        elif platform in HOST_PLATFORMS and text:
            hosts.append((device, platform, text))
    if not tables or not hosts:  # nothing to match: no bundle is read again
        return out
    nics = []
    for device, platform, text in hosts:
        found, notes = host_nics(device, platform, text)
        nics.extend(found)
        out.warnings.extend(notes)
    # only the rows for host NIC and switch MACs matter (the tables are mostly guests' MACs)
    keep = mac_spellings({n.mac for n in nics} | set(own)
                         | set(chassis_macs(out.neighbors, switches)))
    entries = []
    for device, state in tables:
        rows, notes = entries_from_state(device, state, keep)
        entries.extend(rows)
        out.warnings.extend(notes)
    mac = infer_links(entries, nics, out.neighbors, own, switches)
    out.neighbors.extend(mac.neighbors)
    out.warnings.extend(mac.warnings)
    return out
