"""MAC-table links through the whole fleet path: snapshots' state and bundle text ->
`collect_facts` -> roles from facts and the fleet rules. Two IOS switches joined by CDP, an Open
vSwitch host and an ESXi host that run no LLDP: only the switches' MAC tables place them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from stormguard.collect.netmiko_driver import parse_textfsm
from stormguard.effective import effective_device
from stormguard.engine import audit_fleet
from stormguard.parsers import parse_config
from stormguard.parsers.esxi import bundle
from stormguard.policy import load_policy
from stormguard.testing.fakenet import CONFIG_DIR
from stormguard.topology.fact_roles import neighbor_role_source
from stormguard.topology.fleet import collect_facts

FIX = Path(__file__).parent / "fixtures"
TODAY = dt.date(2026, 12, 4)

OVS_TEXT = (FIX / "ovs-hv01-macs.json").read_text()
_ESX = yaml.safe_load((CONFIG_DIR / "esxi.show.yaml").read_text())
ESX_HINT = _ESX.pop("vim-cmd hostsvc/net/query_networkhint")
ESX_TEXT = bundle("hv03", _ESX)

CDP = """Capability Codes: R - Router, T - Trans Bridge, B - Source Route Bridge
                  S - Switch, H - Host, I - IGMP, r - Repeater, P - Phone,
                  D - Remote, C - CVTA, M - Two-port Mac Relay

Device ID        Local Intrfce     Holdtme    Capability  Platform  Port ID
{peer}.dc1.example.net
                 Gig 1/0/48        163              R S I  WS-C3850- Gig 1/0/48

Total cdp entries displayed : 1
"""
MACS = """          Mac Address Table
-------------------------------------------

Vlan    Mac Address       Type        Ports
----    -----------       --------    -----
 All    0100.0ccc.cccc    STATIC      CPU
{rows}
Total Mac Addresses for this criterion: 9
"""


def ios(name: str) -> str:
    ports = "".join(f"interface GigabitEthernet1/0/{i}\n switchport mode trunk\n"
                    f" switchport trunk allowed vlan 10,20,30\n" for i in (1, 2, 3))
    return (f"hostname {name}\nspanning-tree mode rapid-pvst\n{ports}"
            "interface GigabitEthernet1/0/48\n switchport mode trunk\nend\n")


def _entry(command: str, raw: str) -> dict:
    return {"command": command, "raw": raw, "parsed": parse_textfsm("cisco_ios", command, raw)}


def switch_state(peer: str, rows: list[tuple[int, str, str]], macs: bool = True) -> dict:
    state = {"cdp": _entry("show cdp neighbors", CDP.format(peer=peer))}
    if macs:
        text = "\n".join(f"  {v:>2}    {mac}    DYNAMIC     {port}" for v, mac, port in rows)
        state["mac_table"] = _entry("show mac address-table", MACS.format(rows=text))
    return state


SW1_MACS = [(10, "3cfd.fe00.0505", "Gi1/0/1"),  # hv01 eth5
            (20, "5254.0012.3456", "Gi1/0/1"),  # a VM on hv01
            (10, "3cfd.feb2.0020", "Gi1/0/3"),  # hv03 vmnic2
            (10, "3cfd.fe00.0606", "Gi1/0/48"),  # hv01 eth6, through sw2 (CDP covers it)
            (10, "0050.5681.0c11", "Gi1/0/48")]
SW2_MACS = [(10, "3cfd.fe00.0606", "Gi1/0/1"),  # hv01 eth6
            (10, "3cfd.fe00.0505", "Gi1/0/48"),
            (10, "3cfd.feb2.0020", "Gi1/0/48")]


def snapshots(macs: bool = True) -> list[tuple]:
    return [("sw1", "cisco_ios", switch_state("sw2", SW1_MACS, macs), ios("sw1")),
            ("sw2", "cisco_ios", switch_state("sw1", SW2_MACS, macs), ios("sw2")),
            ("hv01", "ovs", {}, OVS_TEXT),
            ("hv03", "esxi", {"networkhint": {"raw": ESX_HINT}}, ESX_TEXT)]


def devices() -> list:
    out = []
    for name, platform, _state, text in snapshots():
        out.extend(parse_config(text, platform, source=name))
    return out


def test_mac_tables_place_the_hosts_without_lldp() -> None:
    facts = collect_facts(snapshots())
    mac = sorted((n.local_host, n.local_port, n.remote_name, n.remote_port)
                 for n in facts.neighbors if n.protocol == "mac")
    assert mac == [("sw1", "Gi1/0/1", "hv01", "eth5"), ("sw1", "Gi1/0/3", "hv03", "vmnic2"),
                   ("sw2", "Gi1/0/1", "hv01", "eth6")]
    # the ISL is CDP's (its MACs are everybody's); the ESXi vmnics with CDP stay CDP's
    assert {(n.local_host, n.protocol) for n in facts.neighbors if n.protocol != "mac"} == {
        ("sw1", "cdp"), ("sw2", "cdp"), ("hv03", "cdp")}
    assert not [w for w in facts.warnings if "MAC table" in w]
    # callers that pass no snapshot text (3-tuples) get the LLDP/CDP facts only
    three = collect_facts(s[:3] for s in snapshots())
    assert not [n for n in three.neighbors if n.protocol == "mac"]


def test_ports_take_hypervisor_roles_from_the_mac_facts() -> None:
    policy = load_policy()
    devs = devices()
    facts = collect_facts(snapshots())
    source = neighbor_role_source(facts.neighbors, devs, [r.name for r in policy.roles])
    sw1 = next(d for d in devs if d.hostname == "sw1")
    eff = effective_device(sw1, policy, fact_sources=[source])
    ovs_port = eff.port("GigabitEthernet1/0/1")
    esx_port = eff.port("GigabitEthernet1/0/3")
    assert (ovs_port.role, ovs_port.role_source) == ("hypervisor", "MAC: hv01 eth5")
    assert (esx_port.role, esx_port.role_source) == ("hypervisor-esxi", "MAC: hv03 vmnic2")
    assert eff.port("GigabitEthernet1/0/48").role == "inter-switch"


def test_sg502_fires_through_a_mac_derived_cycle() -> None:
    devs = devices()
    facts = collect_facts(snapshots())
    res = audit_fleet(devs, load_policy(), facts.neighbors, today=TODAY, warnings=facts.warnings)
    assert res.errors == []
    [sg502] = [f for f in res.findings if f.rule == "SG502"]
    assert sg502.device == "hv01/br-loop" and sg502.extra["uplinks"] == ["eth5", "eth6"]
    assert sg502.extra["switch_ports"] == ["sw1/GigabitEthernet1/0/1",
                                           "sw2/GigabitEthernet1/0/1"]
    [sg501] = [f for f in res.findings if f.rule == "SG501"]
    assert sg501.device == "hv01/br-loop"
    edges = {e.a.node + " " + e.b.node: e.seen_by for e in res.fleet.graph.edges}
    assert any("mac@sw1" in seen for seen in edges.values())
    # the same fleet without MAC tables: the host is unplaced, nothing fires
    bare = collect_facts(snapshots(macs=False))
    res = audit_fleet(devs, load_policy(), bare.neighbors, today=TODAY)
    assert not [f for f in res.findings if f.rule in ("SG501", "SG502")]


def test_without_the_isl_fact_uplinks_are_refused_and_a_nic_seen_twice_is_ambiguous() -> None:
    snaps = snapshots()
    for _, _, state, _ in snaps[:2]:
        state.pop("cdp")  # no ISL fact: the uplinks are known only by what they learn
    facts = collect_facts(snaps)
    mac = sorted((n.local_host, n.local_port, n.remote_name, n.remote_port)
                 for n in facts.neighbors if n.protocol == "mac")
    # sw2 Gi1/0/48 learns two hosts' NICs: an uplink; so eth5 and vmnic2 are placed on sw1,
    # while eth6 is learnt on sw2 Gi1/0/1 and on sw1 Gi1/0/48 (one host behind it): ambiguous
    assert mac == [("sw1", "Gi1/0/1", "hv01", "eth5"), ("sw1", "Gi1/0/3", "hv03", "vmnic2")]
    mac_warnings = [w for w in facts.warnings if w.startswith("MAC table")]
    assert mac_warnings == [
        "MAC table: sw2 Gi1/0/48 learns NIC MACs of 2 hosts (hv01, hv03): an inter-switch or "
        "uplink port, no link guessed",
        "MAC table: hv01 eth6 (3c:fd:fe:00:06:06) is learnt on 2 switch ports (sw1 Gi1/0/48, "
        "sw2 Gi1/0/1): ambiguous, no link guessed"]
