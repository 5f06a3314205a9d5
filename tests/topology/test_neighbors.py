"""Neighbour facts: ntc-templates rows from the switch collectors, lldpd's JSON on hosts."""

from __future__ import annotations

from pathlib import Path

from stormguard.collect.netmiko_driver import parse_textfsm
from stormguard.testing.fakenet import show_outputs
from stormguard.topology.fleet import collect_facts, neighbors_from_state
from stormguard.topology.neighbors import from_switch_state, parse_lldpcli_json

FIXTURES = Path(__file__).parent / "fixtures"


def _state(platform: str, *commands: tuple[str, str]) -> dict:
    shows = show_outputs(platform)
    out = {}
    for name, command in commands:
        raw = shows[command]
        out[name] = {"command": command, "raw": raw,
                     "parsed": parse_textfsm(platform, command, raw)}
    return out


def test_switch_lldp_and_cdp_from_the_collected_state() -> None:
    state = _state("cisco_ios", ("lldp", "show lldp neighbors"), ("cdp", "show cdp neighbors"))
    facts = from_switch_state("sw1", state)
    assert facts.warnings == []
    rows = {(n.protocol, n.local_port): n for n in facts.neighbors}
    core = rows[("lldp", "Gi1/0/48")]
    assert core.remote_name == "core1" and core.remote_port == "Gi2/0/1" and core.is_bridge
    hv = rows[("lldp", "Gi1/0/1")]
    assert hv.remote_name == "hv01" and hv.far_ports() == []  # port ID is a MAC: not a name
    cdp = rows[("cdp", "Gig 1/0/48")]
    assert cdp.remote_name == "core1.dc1.example.net" and cdp.remote_port == "Gig 2/0/1"
    assert "switch" in cdp.capabilities


def test_unparsed_output_is_reported_not_dropped() -> None:
    state = {"lldp": {"command": "display lldp neighbor brief", "raw": "odd text\n",
                      "parsed": None}}
    facts = from_switch_state("sw9", state)
    assert facts.neighbors == [] and "not parsed" in facts.warnings[0]


def test_lldpcli_json_one_and_several_interfaces() -> None:
    one = parse_lldpcli_json((FIXTURES / "lldpcli_hv01_one_uplink.json").read_text(), "hv01")
    [n] = one.neighbors
    assert (n.local_port, n.remote_name, n.remote_port, n.remote_port_descr) == (
        "eth1", "leaf1", "92:e2:cc:a2:8f:27", "swp5")
    assert n.far_ports() == ["swp5"] and n.capabilities == frozenset({"station"})
    two = parse_lldpcli_json((FIXTURES / "lldpcli_hv01_two_uplinks.json").read_text(), "hv01")
    assert [(n.local_port, n.remote_port) for n in two.neighbors] == [("eth1", "swp5"),
                                                                     ("eth2", "swp6")]


def test_lldpcli_empty_broken_and_failed() -> None:
    assert parse_lldpcli_json('{\n  "lldp": {\n    \n  }\n}\n', "hv").neighbors == []
    bad = parse_lldpcli_json("{not json", "hv")
    assert bad.neighbors == [] and "not JSON" in bad.warnings[0]
    failed = neighbors_from_state("hv02", "ovs", {"lldp": {"command": "lldpcli -f json show "
                                  "neighbors details", "error": "exit 127: not found"}})
    assert "failed" in failed.warnings[0]


def test_collect_facts_over_snapshots() -> None:
    host = {"lldp": {"command": "lldpcli", "raw": (FIXTURES /
                                                  "lldpcli_hv01_two_uplinks.json").read_text()}}
    sw = _state("cisco_ios", ("lldp", "show lldp neighbors"))
    facts = collect_facts([("hv01", "linux_bridge", host), ("sw1", "cisco_ios", sw)])
    assert len(facts.neighbors) == 5
