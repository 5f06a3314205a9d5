"""The correlator: evidence from the sniffer, syslog and SNMP on connected devices within a
window is one incident; unrelated evidence is another; incidents end when quiet."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from stormguard.signals.incidents import END, START, UPDATE, Correlator, Evidence


def ev(device: str, ts: float, *, vlans=(), source="syslog", kind="mac-flap", site=None,
       storm_id=None, ending=False, pps=0.0, iface="Gi1/0/1") -> Evidence:
    return Evidence(source=source, device=device, interface=iface, vlans=frozenset(vlans),
                    ts=ts, kind=kind, site=site, pps=pps, storm_id=storm_id,
                    storm_ending=ending)


def test_same_site_overlapping_vlans_is_one_incident() -> None:
    c = Correlator(window_s=60, quiet_s=120, sites={"sw1": "dc1", "sw2": "dc1", "sw3": "dc1"})
    out = c.add(ev("sw1", 0, vlans=[10]))
    assert [e["event"] for e in out] == [START]
    out += c.add(ev("sw2", 5, vlans=[10, 20]))
    out += c.add(ev("sw3", 9, kind="storm-control"))  # no VLAN in the message: site alone
    assert [e["event"] for e in out] == [START, UPDATE, UPDATE]
    assert len({e["id"] for e in out}) == 1
    last = out[-1]
    assert last["devices"] == ["sw1", "sw2", "sw3"] and last["sites"] == ["dc1"]
    assert [v["vlan"] for v in last["vlans"]] == [10, 20]
    assert last["sources"] == {"syslog": {"mac-flap": 2, "storm-control": 1}}


def test_other_site_or_disjoint_vlans_or_late_evidence_is_another_incident() -> None:
    c = Correlator(window_s=60, quiet_s=120, sites={"a": "dc1", "b": "dc2", "c": "dc1"})
    first = c.add(ev("a", 0, vlans=[10]))[-1]["id"]
    assert c.add(ev("b", 1, vlans=[10]))[-1]["id"] != first  # other site
    assert c.add(ev("c", 2, vlans=[30]))[-1]["id"] != first  # same site, other VLAN
    assert c.add(ev("a", 2 + 61, vlans=[10]))[-1]["id"] != first  # same device, too late


def test_a_fleet_without_sites_is_one_site() -> None:
    c = Correlator()
    a = c.add(ev("sw1", 0, vlans=[10]))[-1]["id"]
    assert c.add(ev("sw2", 1, kind="storm-control"))[-1]["id"] == a
    assert c.add(ev("sw3", 2, vlans=[20]))[-1]["id"] != a  # other VLAN: another storm


def test_topology_component_joins_across_sites_and_splits_within_one() -> None:
    c = Correlator(components={"leaf1": 1, "leaf2": 1, "leaf9": 2},
                   sites={"leaf1": "dc1", "leaf2": "dc2", "leaf9": "dc1"})
    a = c.add(ev("leaf1", 0, vlans=[10]))[-1]["id"]
    assert c.add(ev("leaf2", 1, vlans=[99]))[-1]["id"] == a  # same L2 component
    assert c.add(ev("leaf9", 2, vlans=[10]))[-1]["id"] != a  # same site, other component


def test_incident_ends_when_quiet_and_its_storms_have_ended() -> None:
    c = Correlator(window_s=60, quiet_s=30, sites={"hv1": "dc1", "sw1": "dc1"})
    c.add(ev("hv1", 0, source="sniffer", kind="storm", storm_id="s1", pps=30000))
    c.add(ev("sw1", 1))
    assert c.tick(100) == []  # the sniffer's storm still runs: no end however quiet
    c.add(ev("hv1", 150, source="sniffer", kind="storm", storm_id="s1", ending=True))
    assert c.tick(170) == []
    (end,) = c.tick(181)
    assert end["event"] == END and end["peak_pps"] == 30000 and end["ended_at"] == 150


def test_storm_updates_keep_their_incident_even_after_the_window() -> None:
    c = Correlator(window_s=10, quiet_s=30)
    a = c.add(ev("hv1", 0, source="sniffer", kind="storm", storm_id="s1"))[-1]["id"]
    assert c.add(ev("hv1", 500, source="sniffer", kind="storm", storm_id="s1"))[-1]["id"] == a


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.floats(0, 1000),
                          st.sets(st.integers(1, 5), max_size=2)), max_size=40))
def test_every_piece_of_evidence_lands_in_exactly_one_incident(items) -> None:
    c = Correlator(window_s=30, quiet_s=60, sites={"a": "x", "b": "x", "c": "y", "d": None})
    counted: dict[str, int] = {}
    last: dict[str, dict] = {}
    for dev, ts, vlans in sorted(items, key=lambda i: i[1]):
        for e in c.add(ev(dev, ts, vlans=vlans)):
            last[e["id"]] = e
    for e in c.close_all(2000):
        last[e["id"]] = e
    for e in last.values():
        counted[e["id"]] = sum(sum(n.values()) for n in e["sources"].values())
        assert e["event"] == END
    assert sum(counted.values()) == len(items)
