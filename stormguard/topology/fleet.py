"""What a fleet rule (``SCOPE = "fleet"``) is given: every device, the L2 graph, its loops.

Built once per audit by :func:`stormguard.engine.audit_fleet`; the graph and the per-VLAN loops
are computed on first use and shared by every fleet rule. :func:`neighbors_from_state` turns a
snapshot's stored evidence into neighbour facts, whatever the platform.
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


def collect_facts(items: Iterable[tuple[str, str, Mapping[str, Any] | None]]) -> NeighborFacts:
    """(device, platform, state) for each snapshot -> all neighbour facts."""
    out = NeighborFacts()
    for device, platform, state in items:
        facts = neighbors_from_state(device, platform, state)
        out.neighbors.extend(facts.neighbors)
        out.warnings.extend(facts.warnings)
    return out
