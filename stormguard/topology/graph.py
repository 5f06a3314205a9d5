"""The layer-2 graph of a fleet, and the per-VLAN loops spanning tree cannot break. Pure: no I/O.

Nodes are switches and vSwitches (one :class:`Node` per :class:`~stormguard.model.Device`, from
its :class:`~stormguard.effective.EffectiveDevice`); edges are links, found from LLDP/CDP
neighbour facts (:mod:`stormguard.topology.neighbors`) seen from either side or both. A link
between member ports of an aggregate (port-channel, Eth-Trunk, bond, team) belongs to the
aggregate: all member links between the same two logical ports are one :class:`Edge`.
A neighbour whose far device was not collected, or whose far port is not in that device's
configuration, is listed in :attr:`Graph.unknown`, never guessed.

Each edge carries the VLANs both ends forward (:attr:`Edge.vlans`: the intersection of what each
end carries: trunk allowed list with the platform's default, or the access VLAN). Each node
carries the VLANs it runs no spanning tree for (:attr:`Node.stp_off`: STP off globally,
``no spanning-tree vlan X`` outside MST, a vSwitch bridge without STP); an edge end that is
excluded from spanning tree or filters BPDUs (configured on the port: a global BPDU-filter
default only covers edge ports and lifts when a BPDU arrives) breaks STP on that edge.

Which nodes forward between their ports (:attr:`Node.transit`): every switch and every OVS /
Linux bridge; not an ESXi standard vSwitch, which never forwards a frame received on one uplink
out of another (a loop through ESXi needs a guest that bridges, which SG505 watches).

Loops (:func:`find_cycles`): for each VLAN, a cycle of links carrying it, entering and leaving
each node on different ports, on which some node runs no STP for that VLAN or some edge breaks
STP. The search works on a "star" graph (a vertex per node and per linked port, so a port with
several far ends - a shared segment behind an unmanaged box - is a real path, while a frame never
leaves an aggregate it arrived on), VLANs with the same edges and the same weak spots are
searched once, only the 2-core is kept, and biconnected blocks tell which weak spots lie on a
cycle at all; one cycle is then traced through each weak spot by breadth-first search.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from stormguard.effective import EffectiveDevice, EffectivePort
from stormguard.model import VSWITCH_PLATFORMS
from stormguard.topology.neighbors import Neighbor, port_key, short_name
from stormguard.vlans import VlanSet

#: Platforms whose bridges never forward between their uplinks (ESXi standard vSwitch).
NON_TRANSIT_PLATFORMS = frozenset({"esxi"})
_FULL = VlanSet.from_range(1, 4094).mask


@dataclass
class Node:
    name: str  # the device's hostname (``sw1``, ``hv01/br0``, ``esx-07/vSwitch0``)
    platform: str
    kind: str  # "switch" | "vswitch"
    host: str  # the box: the switch, or the hypervisor a vSwitch lives on
    transit: bool  # forwards frames between its ports
    stp_off: VlanSet  # VLANs it runs no spanning tree for
    stp_why: str = ""  # why, with the config line ("" when STP runs for every VLAN)
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "platform": self.platform, "kind": self.kind,
                "host": self.host, "transit": self.transit,
                "stp_off": self.stp_off.to_text() if self.stp_off else "",
                "stp_why": self.stp_why}


@dataclass(frozen=True)
class End:
    """One end of a link: a logical port (the aggregate when the link is on a member)."""

    node: str
    port: str
    members: tuple[str, ...]  # the physical ports the link was seen on
    vlans: VlanSet
    aggregate: bool = False
    stp_excluded: bool = False  # the port is outside spanning tree
    bpdu_filter: bool = False  # the port filters BPDUs (configured on the port)
    down: bool = False  # administratively down
    line: int | None = None

    @property
    def label(self) -> str:
        return f"{self.node}/{self.port}" if "/" not in self.node else f"{self.node}:{self.port}"


@dataclass
class Edge:
    a: End
    b: End
    vlans: VlanSet  # what both ends forward
    seen_by: tuple[str, ...] = ()  # "lldp@sw1", "cdp@hv01" ...

    @property
    def weak_why(self) -> str:
        """Why spanning tree cannot act on this link ("" when it can)."""
        out = []
        for end in (self.a, self.b):
            if end.bpdu_filter:
                out.append(f"{end.label} filters BPDUs")
            if end.stp_excluded:
                out.append(f"{end.label} is excluded from spanning tree")
        return "; ".join(out)

    @property
    def down(self) -> bool:
        return self.a.down or self.b.down

    def to_dict(self) -> dict[str, Any]:
        def end(e: End) -> dict[str, Any]:
            return {"node": e.node, "port": e.port, "members": list(e.members),
                    "vlans": e.vlans.to_text(), "aggregate": e.aggregate,
                    "stp_excluded": e.stp_excluded, "bpdu_filter": e.bpdu_filter,
                    "down": e.down}
        return {"a": end(self.a), "b": end(self.b), "vlans": self.vlans.to_text(),
                "seen_by": list(self.seen_by), "weak": self.weak_why}


@dataclass(frozen=True)
class Unknown:
    """A neighbour the graph could not place: listed, never guessed."""

    node: str
    port: str
    remote_name: str
    remote_port: str
    protocol: str
    why: str

    def to_dict(self) -> dict[str, str]:
        return {"node": self.node, "port": self.port, "remote_name": self.remote_name,
                "remote_port": self.remote_port, "protocol": self.protocol, "why": self.why}


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    unknown: list[Unknown] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def edges_of(self, node: str) -> list[Edge]:
        """The links of `node` (an index built on first use, rebuilt when links were added)."""
        index = self.__dict__.get("_by_node")
        if index is None or self.__dict__.get("_by_node_n") != len(self.edges):
            index = {}
            for e in self.edges:
                index.setdefault(e.a.node, []).append(e)
                if e.b.node != e.a.node:
                    index.setdefault(e.b.node, []).append(e)
            self.__dict__["_by_node"] = index
            self.__dict__["_by_node_n"] = len(self.edges)
        return list(index.get(node, ()))

    def to_dict(self) -> dict[str, Any]:
        return {"nodes": [n.to_dict() for n in self.nodes.values()],
                "edges": [e.to_dict() for e in self.edges],
                "unknown": [u.to_dict() for u in self.unknown],
                "warnings": list(self.warnings)}


# -- building --------------------------------------------------------------------------------

def _host_of(dev: EffectiveDevice) -> str:
    if dev.platform in VSWITCH_PLATFORMS or "/" in dev.hostname:
        return dev.hostname.split("/", 1)[0]
    return dev.hostname


def _node(dev: EffectiveDevice) -> Node:
    vswitch = dev.platform in VSWITCH_PLATFORMS or dev.platform in NON_TRANSIT_PLATFORMS
    if not dev.stp_enabled.value:
        off, why = VlanSet.all(), "spanning tree is off" + _at(dev.stp_enabled.line)
    elif dev.stp_disabled_vlans.value and not dev.runs_mst:
        off = dev.stp_disabled_vlans.value
        why = (f"spanning tree is off for VLANs {off.to_text()}"
               + _at(dev.stp_disabled_vlans.line))
    else:
        off, why = VlanSet.none(), ""
    return Node(name=dev.hostname, platform=dev.platform,
                kind="vswitch" if vswitch else "switch", host=_host_of(dev),
                transit=dev.platform not in NON_TRANSIT_PLATFORMS, stp_off=off, stp_why=why,
                line=dev.stp_enabled.line)


def _at(line: int | None) -> str:
    return f" (line {line})" if line else ""


def carried(dev: EffectiveDevice, port: EffectivePort) -> VlanSet:
    """The VLANs a port forwards: a VLAN-unaware Linux bridge port forwards everything; an
    OVS port without a VLAN mode trunks every VLAN; else the effective access VLAN / trunk
    list (platform defaults applied by :mod:`stormguard.effective`)."""
    iface = port.iface
    if dev.platform in VSWITCH_PLATFORMS:
        if iface.extra.get("vlan_aware") is False:
            return VlanSet.all()
        if iface.mode is None:
            return iface.allowed_vlans if iface.allowed_vlans is not None else VlanSet.all()
    if not port.switched:
        return VlanSet.none()
    return port.allowed_vlans.value


class _Index:
    """Where a (host, port) named by a neighbour fact lives: node and logical port."""

    def __init__(self, devices: Sequence[EffectiveDevice]) -> None:
        self.by_host: dict[str, list[EffectiveDevice]] = {}
        # host -> port key -> (node, logical port, physical port)
        self.ports: dict[str, dict[str, tuple[str, str, str]]] = {}
        for dev in devices:
            for key in {dev.hostname.lower(), short_name(_host_of(dev)), _host_of(dev).lower()}:
                self.by_host.setdefault(key, []).append(dev)
            table = self.ports.setdefault(short_name(_host_of(dev)), {})
            for port in dev.all_ports:
                logical = port.aggregate or port.name
                table.setdefault(port_key(port.name), (dev.hostname, logical, port.name))
                for member in port.iface.extra.get("members") or ():
                    table.setdefault(port_key(str(member)), (dev.hostname, port.name, str(member)))

    def devices(self, name: str) -> list[EffectiveDevice]:
        return self.by_host.get(name.lower()) or self.by_host.get(short_name(name)) or []

    def port(self, host: str, names: Iterable[str]) -> tuple[str, str, str] | None:
        devs = self.devices(host)
        if not devs:
            return None
        table = self.ports.get(short_name(_host_of(devs[0])), {})
        for name in names:
            hit = table.get(port_key(name))
            if hit is not None:
                return hit
        return None


def build_graph(devices: Sequence[EffectiveDevice], neighbors: Iterable[Neighbor],
                warnings: Iterable[str] = ()) -> Graph:
    """The graph of `devices`, linked by `neighbors` (from either side of each link)."""
    graph = Graph(warnings=list(warnings))
    effs = {d.hostname: d for d in devices}
    for dev in devices:
        graph.nodes[dev.hostname] = _node(dev)
    index = _Index(devices)
    # physical link -> (end1, end2, seen_by); ends are (node, logical, physical)
    links: dict[frozenset[tuple[str, str]], list[Any]] = {}
    at_end: dict[tuple[str, str], frozenset[tuple[str, str]]] = {}
    unresolved: list[tuple[Neighbor, tuple[str, str, str], str]] = []
    for nb in neighbors:
        local = index.port(nb.local_host, [nb.local_port])
        if local is None:
            if index.devices(nb.local_host):
                graph.warnings.append(
                    f"{nb.local_host}: {nb.protocol.upper()} neighbour on {nb.local_port}, a "
                    "port in no collected switch or bridge: not in the topology")
            continue
        far_devs = index.devices(nb.remote_name) if nb.remote_name else []
        if not far_devs:
            unresolved.append((nb, local, "far device not collected" if nb.remote_name
                               else "far device advertises no name"))
            continue
        far = index.port(nb.remote_name, nb.far_ports())
        if far is None:
            what = nb.remote_port or nb.remote_port_descr or "?"
            unresolved.append((nb, local, f"far port {what!r} not found on {far_devs[0].hostname}"))
            continue
        key = frozenset({(local[0], local[2]), (far[0], far[2])})
        entry = links.setdefault(key, [local, far, []])
        entry[2].append(f"{nb.protocol}@{nb.local_host}")
        at_end[(local[0], local[2])] = key
        at_end[(far[0], far[2])] = key
    for nb, local, why in unresolved:
        key = at_end.get((local[0], local[2]))
        if key is not None:  # the other side named this link: one fact, seen once more
            entry = links[key]
            far_node = entry[1][0] if entry[0][:1] == local[:1] else entry[0][0]
            far_host = graph.nodes[far_node].host
            if nb.remote_name and short_name(nb.remote_name) in (far_host.lower(),
                                                                 short_name(far_host)):
                entry[2].append(f"{nb.protocol}@{nb.local_host}")
                continue
        graph.unknown.append(Unknown(node=local[0], port=local[2], remote_name=nb.remote_name,
                                     remote_port=nb.remote_port or nb.remote_port_descr,
                                     protocol=nb.protocol, why=why))
    # group member links into logical edges
    logical: dict[tuple[tuple[str, str], tuple[str, str]], list[Any]] = {}
    for (e1, e2, seen) in links.values():
        a, b = sorted([e1, e2])
        if a[0] == b[0] and a[1] == b[1]:
            graph.warnings.append(f"{a[0]}: {a[2]} and {b[2]} see each other (a loopback cable "
                                  "on one aggregate): ignored")
            continue
        lkey = ((a[0], a[1]), (b[0], b[1]))
        entry = logical.setdefault(lkey, [set(), set(), set()])
        entry[0].add(a[2])
        entry[1].add(b[2])
        entry[2].update(seen)
    for ((na, pa), (nb_, pb)), (ma, mb, seen) in logical.items():
        ea = _end(effs[na], pa, ma)
        eb = _end(effs[nb_], pb, mb)
        graph.edges.append(Edge(a=ea, b=eb, vlans=ea.vlans & eb.vlans,
                                seen_by=tuple(sorted(seen))))
    return graph


def _end(dev: EffectiveDevice, port_name: str, members: set[str]) -> End:
    port = dev.port(port_name)
    if port is None:  # pragma: no cover - the index only holds ports of the device
        return End(dev.hostname, port_name, tuple(sorted(members)), VlanSet.none())
    stp_excluded = (not port.stp_enabled.value) and bool(dev.stp_enabled.value)
    return End(
        node=dev.hostname, port=port.name, members=tuple(sorted(members)),
        vlans=carried(dev, port), aggregate=port.kind == "aggregate" or bool(port.members),
        stp_excluded=stp_excluded,
        bpdu_filter=bool(port.bpdu_filter.value) and port.bpdu_filter.origin == "port",
        down=port.shutdown, line=port.line,
    )


# -- loops -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hop:
    """One link crossed: out of `frm`, into `to`."""

    edge: int  # index in Graph.edges
    frm: End
    to: End

    def text(self) -> str:
        return f"{self.frm.label} → {self.to.label}"


@dataclass
class Cycle:
    hops: tuple[Hop, ...]
    vlans: VlanSet
    reasons: tuple[str, ...]  # why spanning tree cannot break it
    weak_nodes: tuple[str, ...] = ()  # nodes on it that run no STP for these VLANs
    weak_edges: tuple[int, ...] = ()  # edges on it that break STP

    @property
    def nodes(self) -> list[str]:
        out: list[str] = []
        for hop in self.hops:
            if hop.frm.node not in out:
                out.append(hop.frm.node)
        return out

    @property
    def down(self) -> bool:
        return any(h.frm.down or h.to.down for h in self.hops)

    def text(self) -> str:
        return ", ".join(h.text() for h in self.hops)

    def key(self) -> tuple[int, ...]:
        """Edge indices, rotated and oriented canonically (the same loop found twice)."""
        ids = [h.edge for h in self.hops]
        best: tuple[int, ...] | None = None
        for seq in (ids, ids[::-1]):
            for i in range(len(seq)):
                cand = tuple(seq[i:] + seq[:i])
                if best is None or cand < best:
                    best = cand
        return best or ()

    def to_dict(self) -> dict[str, Any]:
        return {"hops": [h.text() for h in self.hops], "vlans": self.vlans.to_text(),
                "reasons": list(self.reasons), "nodes": self.nodes, "down": self.down}


def vlan_classes(masks: Iterable[int], universe: int) -> list[int]:
    """Partition `universe` (a VLAN bit mask) into classes no mask splits: VLANs in one class
    are on the same edges and weak spots, so one search answers for all of them."""
    classes = [universe] if universe else []
    for m in set(masks):
        if not classes:
            break
        nxt: list[int] = []
        for c in classes:
            inside = c & m
            if inside and inside != c:
                nxt.append(inside)
                nxt.append(c & ~m)
            else:
                nxt.append(c)
        classes = nxt
    return classes


def find_cycles(graph: Graph, vlans: VlanSet | None = None) -> list[Cycle]:
    """Every loop spanning tree cannot break, one per weak spot, for the VLANs in `vlans`
    (default: all); the same loop on several VLANs is one :class:`Cycle` with all of them."""
    universe = (vlans.mask if vlans is not None else _FULL) & _FULL
    edge_masks = [e.vlans.mask & universe for e in graph.edges]
    used = 0
    for m in edge_masks:
        used |= m
    weak_masks = [n.stp_off.mask for n in graph.nodes.values() if n.transit and n.stp_off]
    classes = vlan_classes(edge_masks + weak_masks, used & universe)
    by_mask: dict[int, list[int]] = {}  # links with the same VLAN set (a few hundred sets)
    for eid, m in enumerate(edge_masks):
        if m:
            by_mask.setdefault(m, []).append(eid)
    found: dict[tuple[int, ...], Cycle] = {}
    for cmask in classes:
        rep = (cmask & -cmask).bit_length() - 1
        bit = 1 << rep
        active = sorted(e for m, ids in by_mask.items() if m & bit for e in ids)
        for cyc in _cycles_for_vlan(graph, rep, active):
            key = cyc.key()
            if key in found:
                prev = found[key]
                prev.vlans = VlanSet(prev.vlans.mask | cmask)
            else:
                cyc.vlans = VlanSet(cmask)
                found[key] = cyc
    out = list(found.values())
    out.sort(key=lambda c: (c.down, -len(c.vlans), len(c.hops), c.text()))
    return out


def _cycles_for_vlan(graph: Graph, vid: int, active: list[int]) -> list[Cycle]:
    """The loops on VLAN `vid`; `active` are the indices of the links carrying it."""
    nodes = graph.nodes
    vid_bit = 1 << vid
    vert: dict[tuple[str, str | None], int] = {}
    info: list[tuple[str, str | None, bool]] = []  # (node, port or None for center, aggregate)

    def vertex(node: str, port: str | None, aggregate: bool = False) -> int:
        k = (node, port)
        v = vert.get(k)
        if v is None:
            v = vert[k] = len(info)
            info.append((node, port, aggregate))
        return v

    # adjacency: vertex -> {neighbour vertex: edge index (-1 for a port->center spoke)}
    adj: list[dict[int, int]] = []

    def link(u: int, w: int, eid: int) -> None:
        while len(adj) <= max(u, w):
            adj.append({})
        if w in adj[u]:
            return
        adj[u][w] = eid
        adj[w][u] = eid

    for eid in active:
        edge = graph.edges[eid]
        pa = vertex(edge.a.node, edge.a.port, edge.a.aggregate)
        pb = vertex(edge.b.node, edge.b.port, edge.b.aggregate)
        link(pa, pb, eid)
        for end, pv in ((edge.a, pa), (edge.b, pb)):
            if nodes[end.node].transit:
                link(pv, vertex(end.node, None), -1)
    n = len(info)
    while len(adj) < n:
        adj.append({})
    alive = _two_core(adj)
    blocks = _blocks(adj, alive)
    cycles: list[Cycle] = []
    covered: set[int] = set()
    for block_edges in blocks:
        if len(block_edges) < 3:
            continue  # a bridge (or two vertices): no cycle
        bverts = {u for e in block_edges for u in e}
        bset = {(min(u, w), max(u, w)) for u, w in block_edges}
        weak_centers = [v for v in bverts if info[v][1] is None
                        and nodes[info[v][0]].stp_off.mask & vid_bit]
        weak_links = sorted({adj[u][w] for u, w in block_edges
                             if adj[u][w] >= 0 and graph.edges[adj[u][w]].weak_why})
        for c in sorted(weak_centers, key=lambda v: info[v][0]):
            ports = sorted(w for w in adj[c] if (min(c, w), max(c, w)) in bset)
            path = None
            for i in range(len(ports)):
                for j in range(i + 1, len(ports)):
                    path = _path(adj, info, bset, ports[i], ports[j], banned={c},
                                 first_from_link=False)
                    if path:
                        break
                if path:
                    break
            if path:
                cyc = _cycle(graph, adj, info, [c, *path], vid)
                cycles.append(cyc)
                covered.update(h.edge for h in cyc.hops)
        for eid in weak_links:
            if eid in covered:
                continue
            edge = graph.edges[eid]
            p, q = vert[(edge.a.node, edge.a.port)], vert[(edge.b.node, edge.b.port)]
            path = _path(adj, info, bset, q, p, banned=set(), first_from_link=True,
                         skip_edge=(p, q))
            if path:
                cyc = _cycle(graph, adj, info, path, vid)
                cycles.append(cyc)
                covered.update(h.edge for h in cyc.hops)
    return cycles


def _two_core(adj: list[dict[int, int]]) -> list[bool]:
    """Vertices left after peeling degree-0/1 vertices (no cycle goes through the rest)."""
    deg = [len(a) for a in adj]
    alive = [True] * len(adj)
    stack = [v for v, d in enumerate(deg) if d <= 1]
    while stack:
        v = stack.pop()
        if not alive[v]:
            continue
        alive[v] = False
        for w in adj[v]:
            if alive[w]:
                deg[w] -= 1
                if deg[w] == 1:
                    stack.append(w)
    return alive


def _blocks(adj: list[dict[int, int]], alive: list[bool]) -> list[list[tuple[int, int]]]:
    """Biconnected components (as edge lists) of the alive subgraph; iterative Hopcroft-Tarjan."""
    n = len(adj)
    disc = [0] * n
    low = [0] * n
    time = 1
    out: list[list[tuple[int, int]]] = []
    for root in range(n):
        if not alive[root] or disc[root]:
            continue
        disc[root] = low[root] = time
        time += 1
        estack: list[tuple[int, int]] = []
        stack: list[tuple[int, int, Any]] = [(root, -1, iter(adj[root]))]
        while stack:
            v, parent, it = stack[-1]
            advanced = False
            for w in it:
                if not alive[w] or w == parent:
                    continue
                if not disc[w]:
                    estack.append((v, w))
                    disc[w] = low[w] = time
                    time += 1
                    stack.append((w, v, iter(adj[w])))
                    advanced = True
                    break
                if disc[w] < disc[v]:
                    estack.append((v, w))
                    low[v] = min(low[v], disc[w])
            if advanced:
                continue
            stack.pop()
            if stack:
                u = stack[-1][0]
                low[u] = min(low[u], low[v])
                if low[v] >= disc[u]:
                    block: list[tuple[int, int]] = []
                    while estack:
                        e = estack.pop()
                        block.append(e)
                        if e == (u, v):
                            break
                    out.append(block)
    return out


def _path(adj: list[dict[int, int]], info: list[tuple[str, str | None, bool]],
          bset: set[tuple[int, int]], start: int, goal: int, *, banned: set[int],
          first_from_link: bool, skip_edge: tuple[int, int] | None = None) -> list[int] | None:
    """Shortest simple path start -> goal inside the block, never leaving an aggregate port by
    a link when it was entered by one (a frame never goes back out of its ingress aggregate).
    `first_from_link`: `start` was entered from a link. At `goal` the path must be able to
    continue the way the cycle closes (to its center, or out of its link when `skip_edge`)."""
    skip = (min(skip_edge), max(skip_edge)) if skip_edge else None
    prev: dict[int, int] = {start: -1}
    via_link: dict[int, bool] = {start: first_from_link}
    queue = deque([start])
    while queue:
        v = queue.popleft()
        if v == goal:
            if skip is not None and info[v][2] and via_link[v]:
                continue  # would leave the aggregate by a link after entering by one
            path = [v]
            while prev[path[-1]] != -1:
                path.append(prev[path[-1]])
            return path[::-1]
        for w, eid in adj[v].items():
            if w in prev or w in banned:
                continue
            pair = (min(v, w), max(v, w))
            if pair not in bset or pair == skip:
                continue
            if eid >= 0 and info[v][1] is not None and info[v][2] and via_link[v]:
                continue  # aggregate entered by a link: only its own node may take the frame
            prev[w] = v
            via_link[w] = eid >= 0
            queue.append(w)
    return None


def _cycle(graph: Graph, adj: list[dict[int, int]], info: list[tuple[str, str | None, bool]],
           verts: list[int], vid: int) -> Cycle:
    """A closed vertex sequence (first vertex follows the last) -> hops and reasons."""
    hops: list[Hop] = []
    ring = verts + verts[:1]
    for u, w in pairwise(ring):
        eid = adj[u][w]
        if eid < 0:
            continue
        edge = graph.edges[eid]
        if (edge.a.node, edge.a.port) == info[u][:2]:
            hops.append(Hop(eid, edge.a, edge.b))
        else:
            hops.append(Hop(eid, edge.b, edge.a))
    # start the loop at its first weak spot's hop for readability: keep found order
    reasons: list[str] = []
    weak_nodes: list[str] = []
    for v in verts:
        node, port, _ = info[v]
        if port is None and graph.nodes[node].stp_off.mask >> vid & 1:
            weak_nodes.append(node)
            reasons.append(f"{node}: {graph.nodes[node].stp_why}")
    weak_edges = [h.edge for h in hops if graph.edges[h.edge].weak_why]
    reasons += [graph.edges[e].weak_why for e in weak_edges]
    return Cycle(hops=tuple(hops), vlans=VlanSet(1 << vid), reasons=tuple(reasons),
                 weak_nodes=tuple(weak_nodes), weak_edges=tuple(weak_edges))


def valid_cycle(graph: Graph, cycle: Cycle, vid: int) -> str:
    """Why `cycle` is not a real loop for VLAN `vid` ("" when it is): every hop is an edge of
    the graph carrying the VLAN, consecutive hops meet at one node, a frame leaves each node by
    another port than it came in (or crosses a shared non-aggregate segment), no link is used
    twice, and some node or link on it cannot run spanning tree for the VLAN."""
    if len(cycle.hops) < 2:
        return "fewer than two hops"
    seen: set[int] = set()
    for i, hop in enumerate(cycle.hops):
        if hop.edge in seen:
            return f"link {hop.edge} used twice"
        seen.add(hop.edge)
        edge = graph.edges[hop.edge]
        if {(hop.frm.node, hop.frm.port), (hop.to.node, hop.to.port)} != {
                (edge.a.node, edge.a.port), (edge.b.node, edge.b.port)}:
            return f"hop {i} is not link {hop.edge}"
        if vid not in edge.vlans:
            return f"link {hop.edge} does not carry VLAN {vid}"
        nxt = cycle.hops[(i + 1) % len(cycle.hops)]
        if nxt.frm.node != hop.to.node:
            return f"hops {i} and {i + 1} do not meet"
        if nxt.frm.port == hop.to.port:
            if hop.to.aggregate:
                return f"a frame would leave aggregate {hop.to.label} it arrived on"
        elif not graph.nodes[hop.to.node].transit:
            return f"{hop.to.node} does not forward between its ports"
    weak = any(vid in graph.nodes[h.to.node].stp_off and h.to.port != nx.frm.port
               for h, nx in zip(cycle.hops, cycle.hops[1:] + cycle.hops[:1], strict=True))
    weak = weak or any(graph.edges[h.edge].weak_why for h in cycle.hops)
    return "" if weak else "spanning tree runs everywhere on it"
