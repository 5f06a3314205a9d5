"""The L2 graph: building from neighbour facts, and the loops STP cannot break (property-tested
against a brute-force search on random graphs)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from topo_kit import aggregate, effs, graph, switch, trunk

from stormguard.model import Device
from stormguard.topology.graph import build_graph, find_cycles, valid_cycle
from stormguard.topology.neighbors import Neighbor, port_key
from stormguard.vlans import VlanSet

VLANS = (10, 20, 30)


def test_port_key_spellings() -> None:
    assert port_key("Gig 1/0/48") == port_key("GigabitEthernet1/0/48") == port_key("Gi1/0/48")
    assert port_key("Eth1/1") == port_key("Ethernet1/1") == port_key("Et1/1")
    assert port_key("Po10") == port_key("Port-channel10")
    assert port_key("ge-0/0/1") != port_key("GE0/0/1")
    assert port_key("10GE1/0/1") == "10ge1/0/1" and port_key("vmnic2") == "vmnic2"


def _ring(weak: str = "", vlans_b: tuple[int, ...] = VLANS):
    a, b, c = switch("a"), switch("b", stp=weak != "node"), switch("c")
    trunk(a, "Gi1/0/1", VLANS)
    trunk(a, "Gi1/0/2", VLANS)
    trunk(b, "Gi1/0/1", vlans_b, bpdu_filter=weak == "filter")
    trunk(b, "Gi1/0/2", VLANS)
    trunk(c, "Gi1/0/1", VLANS)
    trunk(c, "Gi1/0/2", VLANS)
    links = [("a", "Gi1/0/1", "b", "Gi1/0/1"), ("b", "Gi1/0/2", "c", "Gi1/0/1"),
             ("c", "Gi1/0/2", "a", "Gi1/0/2")]
    return graph([a, b, c], links)


def test_ring_with_stp_everywhere_is_safe() -> None:
    g = _ring()
    assert len(g.edges) == 3 and not g.unknown
    assert find_cycles(g) == []


def test_ring_through_a_node_without_stp_is_reported_hop_by_hop() -> None:
    g = _ring("node")
    [cyc] = find_cycles(g)
    assert cyc.vlans.to_text() == "10,20,30"
    assert len(cyc.hops) == 3 and set(cyc.nodes) == {"a", "b", "c"}
    assert cyc.weak_nodes == ("b",) and "spanning tree is off" in cyc.reasons[0]
    for vid in VLANS:
        assert valid_cycle(g, cyc, vid) == ""


def test_bpdu_filter_breaks_stp_on_the_edge_and_pruning_removes_the_loop() -> None:
    [cyc] = find_cycles(_ring("filter"))
    assert "b/Gi1/0/1 filters BPDUs" in cyc.reasons[0]
    # VLAN 30 pruned from one link: the loop stays for 10 and 20 only
    [cyc] = find_cycles(_ring("filter", vlans_b=(10, 20)))
    assert cyc.vlans.to_text() == "10,20"
    assert find_cycles(_ring("filter", vlans_b=(10, 20)), VlanSet.of([30])) == []


def test_host_bridging_two_uplinks_into_one_aggregate_is_not_a_loop() -> None:
    sw = switch("sw1")
    aggregate(sw, "Port-channel1", VLANS, ["Gi1/0/1", "Gi1/0/2"])
    hv = Device(hostname="hv1/br0", platform="ovs", source="hv1")
    hv.stp.set("enabled", False, 1)
    trunk(hv, "eth1", VLANS, uplink=True)
    trunk(hv, "eth2", VLANS, uplink=True)
    g = graph([sw, hv], [("hv1", "eth1", "sw1", "Gi1/0/1"), ("hv1", "eth2", "sw1", "Gi1/0/2")])
    assert {e.a.port for e in g.edges} | {e.b.port for e in g.edges} == {
        "Port-channel1", "eth1", "eth2"}
    assert find_cycles(g) == []  # the switch never sends a frame back out of Port-channel1


def test_bonded_host_to_aggregate_is_one_edge() -> None:
    sw = switch("sw1")
    aggregate(sw, "Port-channel1", VLANS, ["Gi1/0/1", "Gi1/0/2"])
    hv = Device(hostname="hv1/br0", platform="ovs", source="hv1")
    hv.stp.set("enabled", False, 1)
    aggregate(hv, "bond0", VLANS, ["eth1", "eth2"], uplink=True)
    g = graph([sw, hv], [("hv1", "eth1", "sw1", "Gi1/0/1"), ("hv1", "eth2", "sw1", "Gi1/0/2")])
    [edge] = g.edges
    assert {edge.a.port, edge.b.port} == {"bond0", "Port-channel1"}
    assert set(edge.a.members) | set(edge.b.members) == {"eth1", "eth2", "Gi1/0/1", "Gi1/0/2"}
    assert find_cycles(g) == []


def test_esxi_vswitch_never_forwards_between_uplinks() -> None:
    s1, s2 = switch("s1"), switch("s2")
    for s in (s1, s2):
        trunk(s, "Gi1/0/1", VLANS)
        trunk(s, "Gi1/0/48", VLANS)
    esx = Device(hostname="esx1/vSwitch0", platform="esxi", source="esx1")
    esx.stp.set("enabled", False, 1)
    trunk(esx, "vmnic0", VLANS, uplink=True)
    trunk(esx, "vmnic1", VLANS, uplink=True)
    g = graph([s1, s2, esx], [("esx1", "vmnic0", "s1", "Gi1/0/1"),
                              ("esx1", "vmnic1", "s2", "Gi1/0/1"),
                              ("s1", "Gi1/0/48", "s2", "Gi1/0/48")])
    assert len(g.edges) == 3 and not g.nodes["esx1/vSwitch0"].transit
    assert find_cycles(g) == []


def test_unknown_far_ends_are_listed_not_guessed() -> None:
    a = switch("a")
    trunk(a, "Gi1/0/1", VLANS)
    trunk(a, "Gi1/0/2", VLANS)
    nbs = [Neighbor("a", "Gi1/0/1", "mystery", "Gi0/1", "cdp"),
           Neighbor("a", "Gi1/0/2", "a", "Gi9/9/9", "lldp")]
    g = build_graph(effs([a]), nbs)
    assert g.edges == []
    whys = {u.port: u.why for u in g.unknown}
    assert whys["Gi1/0/1"] == "far device not collected"
    assert "far port 'Gi9/9/9' not found on a" in whys["Gi1/0/2"]


def test_switch_seeing_a_host_mac_as_port_id_is_the_same_link() -> None:
    sw = switch("sw1")
    trunk(sw, "Gi1/0/1", VLANS)
    hv = Device(hostname="hv1/br0", platform="ovs", source="hv1")
    trunk(hv, "eth1", VLANS, uplink=True)
    nbs = [Neighbor("sw1", "Gi1/0/1", "hv1.example.net", "3c:ec:ef:10:00:01", "lldp"),
           Neighbor("hv1", "eth1", "sw1", "Gi1/0/1", "lldp")]
    g = build_graph(effs([sw, hv]), nbs)
    [edge] = g.edges
    assert edge.seen_by == ("lldp@hv1", "lldp@sw1") and g.unknown == []


def test_stp_off_for_one_vlan_only_loops_that_vlan_and_not_under_mst() -> None:
    a, b = switch("a"), switch("b", stp_off_vlans=[20])
    for s in (a, b):
        trunk(s, "Gi1/0/1", VLANS)
        trunk(s, "Gi1/0/2", VLANS)
    links = [("a", "Gi1/0/1", "b", "Gi1/0/1"), ("a", "Gi1/0/2", "b", "Gi1/0/2")]
    [cyc] = find_cycles(graph([a, b], links))
    assert cyc.vlans.to_text() == "20" and len(cyc.hops) == 2
    b.stp.set("mode", "mst", 3)  # `no spanning-tree vlan 20` is inert under MST
    assert find_cycles(graph([a, b], links)) == []


# -- properties on random graphs --------------------------------------------------------------

@st.composite
def random_fleet(draw, all_stp: bool = False):
    n = draw(st.integers(2, 6))
    names = [f"n{i}" for i in range(n)]
    devices = {}
    for name in names:
        stp = True if all_stp else draw(st.booleans())
        off = [] if all_stp else draw(st.lists(st.sampled_from(VLANS), max_size=1))
        devices[name] = switch(name, stp=stp, stp_off_vlans=off)
    links = []
    for i in range(draw(st.integers(1, 9))):
        a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        if a == b:
            continue
        vlans = draw(st.lists(st.sampled_from(VLANS), min_size=1, max_size=3, unique=True))
        filt = False if all_stp else draw(st.booleans()) and draw(st.booleans())
        trunk(devices[a], f"Gi1/0/{i + 1}", vlans, bpdu_filter=filt)
        trunk(devices[b], f"Gi1/0/{i + 1}", VLANS)
        links.append((a, f"Gi1/0/{i + 1}", b, f"Gi1/0/{i + 1}"))
    return list(devices.values()), links


def _brute_force_loop(g, vid: int) -> bool:
    """Is there a simple cycle (distinct links, distinct nodes) carrying `vid` with a weak spot?
    (Every link here has its own ports, so a frame always leaves by another port.)"""
    edges = [(i, e) for i, e in enumerate(g.edges) if vid in e.vlans]

    def weak_node(name: str) -> bool:
        return vid in g.nodes[name].stp_off

    def walk(start: str, node: str, used: set[int], visited: set[str], weak: bool) -> bool:
        for i, e in edges:
            if i in used or node not in (e.a.node, e.b.node):
                continue
            other = e.b.node if e.a.node == node else e.a.node
            w = weak or bool(e.weak_why) or weak_node(other)
            if other == start and used:
                if w:
                    return True
                continue
            if other in visited:
                continue
            if walk(start, other, used | {i}, visited | {other}, w):
                return True
        return False

    return any(walk(n, n, set(), {n}, weak_node(n)) for n in g.nodes)


@settings(max_examples=150, deadline=None)
@given(random_fleet())
def test_reported_cycles_are_real_and_none_is_missed(fleet) -> None:
    devices, links = fleet
    g = graph(devices, links)
    cycles = find_cycles(g)
    for cyc in cycles:
        for vid in cyc.vlans:
            assert valid_cycle(g, cyc, vid) == "", cyc.text()
    for vid in VLANS:
        reported = any(vid in c.vlans for c in cycles)
        assert reported == _brute_force_loop(g, vid)


@settings(max_examples=80, deadline=None)
@given(random_fleet(all_stp=True))
def test_stp_everywhere_means_no_loop(fleet) -> None:
    devices, links = fleet
    assert find_cycles(graph(devices, links)) == []


@settings(max_examples=80, deadline=None)
@given(random_fleet(), st.sampled_from(VLANS))
def test_pruning_a_vlan_removes_its_loops(fleet, vid) -> None:
    devices, links = fleet
    g = graph(devices, links)
    for cyc in find_cycles(g):
        if vid not in cyc.vlans:
            continue
        # prune the VLAN from the first trunk on the loop: this loop no longer carries it
        hop = cyc.hops[0]
        dev = next(d for d in devices if d.hostname == hop.frm.node)
        iface = dev.interfaces[hop.frm.port]
        iface.allowed_vlans = iface.allowed_vlans.remove(VlanSet.of([vid]))
        g2 = graph(devices, links)
        assert all(c.key() != cyc.key() or vid not in c.vlans for c in find_cycles(g2))
        break
    for d in devices:  # prune it everywhere: no loop on it at all
        for iface in d.interfaces.values():
            iface.allowed_vlans = iface.allowed_vlans.remove(VlanSet.of([vid]))
    assert find_cycles(graph(devices, links), VlanSet.of([vid])) == []
