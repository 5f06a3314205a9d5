"""MAC-table links (pure): each platform's real `show mac address-table`-style output, parsed by
ntc-templates as the collector does (or read raw where the template does not match), joined with
hypervisor NIC MACs read from real bundles; the links it draws and the ones it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stormguard.collect.netmiko_driver import parse_textfsm
from stormguard.parsers.esxi import bundle
from stormguard.testing.fakenet import CONFIG_DIR
from stormguard.topology.host_macs import HostNic, host_nics, normalize_mac
from stormguard.topology.mac_links import (
    MacEntry,
    describe,
    entries_from_state,
    infer_links,
    parse_mac_table_raw,
    switch_macs,
)
from stormguard.topology.neighbors import Neighbor

FIX = Path(__file__).parent / "fixtures"
VSWITCH_FIX = Path(__file__).parents[1] / "vswitch" / "fixtures"

#: platform -> (command the recipe sends, host port, LLDP-covered port, uplink, switch-facing port)
PLATFORMS = {
    "cisco_ios": ("show mac address-table", "Gi1/0/5", "Gi1/0/1", "Po1", "Gi1/0/48"),
    "cisco_nxos": ("show mac address-table", "Eth1/5", "Eth1/1", "Po10", "Eth1/49"),
    "arista_eos": ("show mac address-table", "Et5", "Et1", "Po1", "Et48"),
    "juniper_junos": ("show ethernet-switching table", "ge-0/0/5", "ge-0/0/1", "ae0",
                      "xe-0/2/0"),
    "huawei": ("display mac-address", "GE0/0/5", "GE0/0/1", "Eth-Trunk1", "GE0/0/24"),
    "hp_comware": ("display mac-address", "GE1/0/5", "GE1/0/1", "BAGG1", "XGE1/0/49"),
}
#: the hosts whose NICs the fixtures' tables learn
NICS = [HostNic("esx-07", "vmnic2", "3c:fd:fe:b2:00:20"),
        HostNic("hv01", "eno1", "3c:ec:ef:10:00:01"),
        HostNic("hv02", "eno1", "0c:c4:7a:02:00:01"),
        HostNic("hv03", "eno1", "0c:c4:7a:03:00:01"),
        HostNic("hv04", "eno1", "0c:c4:7a:04:00:01")]
CORE_MAC = {"70:db:98:00:00:01": "core1"}  # core1's bridge MAC, as its STP output prints it


def _state(platform: str) -> dict:
    command = PLATFORMS[platform][0]
    raw = (FIX / f"mac_{platform}.txt").read_text()
    return {"mac_table": {"command": command, "raw": raw,
                          "parsed": parse_textfsm(platform, command, raw)}}


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_each_platform_table_gives_the_one_host_port(platform: str) -> None:
    _, host_port, covered, uplink, to_switch = PLATFORMS[platform]
    state = _state(platform)
    if platform == "juniper_junos":  # ELS prints VLAN names: the template does not match
        assert state["mac_table"]["parsed"] is None
    else:
        assert state["mac_table"]["parsed"], f"{platform}: ntc-templates gave nothing"
    entries, warnings = entries_from_state("sw1", state)
    assert warnings == []
    ports = {e.port for e in entries}
    # pseudo-ports (CPU, Vl10, Router, sup-eth1, vPC Peer-Link) and multicast rows are dropped
    assert ports == {host_port, covered, uplink, to_switch}
    lldp = [Neighbor("sw1", covered, "hv01", "eno1", "lldp")]
    facts = infer_links(entries, NICS, lldp, CORE_MAC, switches=["core1"])
    assert [(n.local_host, n.local_port, n.remote_name, n.remote_port, n.protocol,
             n.remote_chassis) for n in facts.neighbors] == [
        ("sw1", host_port, "esx-07", "vmnic2", "mac", "3c:fd:fe:b2:00:20")]
    assert describe(facts.neighbors[0]) == (
        f"MAC table: sw1 {host_port} learns esx-07 vmnic2 3c:fd:fe:b2:00:20")
    text = "\n".join(facts.warnings)
    assert f"sw1 {uplink} learns NIC MACs of 2 hosts (hv02, hv03)" in text
    assert f"sw1 {to_switch} learns MACs of collected switch core1" in text
    assert "hv04" in text and len(facts.warnings) == 2
    # the raw reader (used when no template matches) agrees with ntc-templates
    raw = parse_mac_table_raw("sw1", state["mac_table"]["raw"])
    assert {(e.port, e.mac) for e in raw} == {(e.port, e.mac) for e in entries}


def test_a_nic_learnt_on_two_switch_ports_is_ambiguous() -> None:
    entries = [MacEntry("sw1", "Gi1/0/5", "3c:fd:fe:b2:00:20", "10"),
               MacEntry("sw2", "Ethernet1/7", "3c:fd:fe:b2:00:20", "10")]
    facts = infer_links(entries, NICS)
    assert facts.neighbors == []
    assert facts.warnings == [
        "MAC table: esx-07 vmnic2 (3c:fd:fe:b2:00:20) is learnt on 2 switch ports "
        "(sw1 Gi1/0/5, sw2 Ethernet1/7): ambiguous, no link guessed"]


def test_lldp_from_either_side_wins_over_the_mac_table() -> None:
    entries = [MacEntry("sw1", "Gi1/0/5", "3c:fd:fe:b2:00:20")]
    # the host's own LLDP says vmnic2 goes elsewhere: the NIC is covered
    host_side = [Neighbor("esx-07", "vmnic2", "sw9", "Gi1/0/1", "cdp")]
    assert infer_links(entries, NICS, host_side).neighbors == []
    # the switch's LLDP names the port (in another spelling): the port is covered
    switch_side = [Neighbor("sw1", "GigabitEthernet1/0/5", "esx-07", "vmnic2", "lldp")]
    assert infer_links(entries, NICS, switch_side).neighbors == []
    # another switch's LLDP names the NIC by its MAC (port ID): covered too
    by_mac = [Neighbor("sw2", "Gi1/0/9", "esx-07", "3c:fd:fe:b2:00:20", "lldp")]
    assert infer_links(entries, NICS, by_mac).neighbors == []
    # a host-side fact naming the switch port covers that port
    far = [Neighbor("hv09", "eth0", "sw1.dc1.example.net", "Gi1/0/5", "lldp")]
    assert infer_links(entries, NICS, far).neighbors == []
    assert infer_links(entries, NICS, []).neighbors[0].local_port == "Gi1/0/5"


def test_collected_switch_chassis_from_lldp_marks_an_uplink() -> None:
    entries = [MacEntry("sw1", "Gi1/0/47", "a8:d0:e5:00:00:01"),
               MacEntry("sw1", "Gi1/0/47", "3c:fd:fe:b2:00:20")]
    seen = [Neighbor("sw7", "xe-0/2/0", "core1", "xe-1/0/0", "lldp",
                     remote_chassis="a8:d0:e5:00:00:01")]
    facts = infer_links(entries, NICS, seen, switches=["core1"])
    assert facts.neighbors == [] and "collected switch core1" in facts.warnings[0]
    # the same chassis from a neighbour that was not collected as a switch proves nothing
    assert len(infer_links(entries, NICS, seen, switches=[]).neighbors) == 1


def test_one_mac_on_two_hosts_is_not_used() -> None:
    nics = [*NICS, HostNic("hv09", "eth0", "3c:fd:fe:b2:00:20")]
    facts = infer_links([MacEntry("sw1", "Gi1/0/5", "3c:fd:fe:b2:00:20")], nics)
    assert facts.neighbors == []
    assert "NIC MAC of 2 NICs on several hosts (esx-07 vmnic2, hv09 eth0)" in facts.warnings[0]


@pytest.mark.parametrize(("platform", "mac"), [
    ("cisco_ios", "70:db:98:11:22:00"), ("cisco_nxos", "70:db:98:11:22:00"),
    ("arista_eos", "00:1c:73:31:00:00"), ("huawei", "4c:1f:cc:10:5a:01"),
    ("hp_comware", "70:ba:ef:6a:8d:9b")])
def test_switch_macs_from_stp_evidence(platform: str, mac: str) -> None:
    from stormguard.collect.recipes import load_recipe

    outputs = yaml.safe_load((CONFIG_DIR / f"{platform}.show.yaml").read_text())
    state = {c.name: {"command": c.command, "raw": outputs.get(c.command, "")}
             for c in load_recipe(platform).commands}
    assert mac in switch_macs("sw1", state)
    assert switch_macs("sw1", {}) == set()


def test_state_entries_failed_or_absent() -> None:
    assert entries_from_state("sw1", None) == ([], [])
    rows, warn = entries_from_state("sw1", {"mac_table": {"command": "show mac address-table",
                                                          "error": "timed out"}})
    assert rows == [] and warn == ["sw1: `show mac address-table` failed: no MAC-table links "
                                   "from it"]


def test_normalize_mac_spellings() -> None:
    for s in ("3CFD.FEB2.0020", "3cfd-feb2-0020", "3c:fd:fe:b2:00:20", "3c-fd-fe-b2-00-20"):
        assert normalize_mac(s) == "3c:fd:fe:b2:00:20"
    for s in ("ffff.ffff.ffff", "0100.0ccc.cccc", "0000.0000.0000", "Gi1/0/5", "", None):
        assert normalize_mac(s) is None


def test_host_nic_macs_from_real_bundles() -> None:
    outputs = yaml.safe_load((CONFIG_DIR / "esxi.show.yaml").read_text())
    outputs.pop("vim-cmd hostsvc/net/query_networkhint")
    nics, warn = host_nics("esx-07", "esxi", bundle("esx-07", outputs))
    assert warn == [] and ("vmnic2", "3c:fd:fe:b2:00:20") in {(n.nic, n.mac) for n in nics}
    assert len(nics) == 6
    # OVS: NICs only; the bridge's internal port shares eth5's MAC and is not a NIC
    ovs, _ = host_nics("hv01", "ovs", (FIX / "ovs-hv01-macs.json").read_text())
    assert {(n.nic, n.mac) for n in ovs} == {("eth5", "3c:fd:fe:00:05:05"),
                                             ("eth6", "3c:fd:fe:00:06:06"),
                                             ("eth1", "3c:fd:fe:00:01:01")}
    # Linux: the bond's slave carrying the bond's MAC means the bond
    lb, _ = host_nics("hv04", "linux_bridge",
                      (VSWITCH_FIX / "linux_bridge-hv04.json").read_text())
    assert {(n.nic, n.mac) for n in lb} == {("bond0", "3c:fd:fe:00:00:15"),
                                            ("enp1s0f1", "3c:fd:fe:00:00:16")}
    # an OVS bundle without mac_in_use (older capture): no NICs, no error
    assert host_nics("hv01", "ovs", (VSWITCH_FIX / "ovs-hv01.json").read_text()) == ([], [])


def test_bad_bundle_is_one_line_naming_the_host() -> None:
    nics, warn = host_nics("hv05", "ovs", "{not json")
    assert nics == [] and len(warn) == 1 and warn[0].startswith("hv05: NIC MAC addresses "
                                                                "unreadable")
    assert "\n" not in warn[0]
    nics, warn = host_nics("esx-09", "esxi", "garbage")
    assert nics == [] and warn[0].startswith("esx-09: ")


def test_keep_filter_skips_guest_macs_in_any_spelling() -> None:
    from stormguard.topology.mac_links import mac_spellings

    keep = mac_spellings({"3c:fd:fe:b2:00:20"})
    for platform in PLATFORMS:
        entries, _ = entries_from_state("sw1", _state(platform), keep)
        assert [(e.port, e.mac) for e in entries] == [
            (PLATFORMS[platform][1], "3c:fd:fe:b2:00:20")], platform
    upper = {"mac_table": {"raw": "10  3CFD.FEB2.0020  DYNAMIC  Gi1/0/5\n", "parsed": None}}
    assert len(entries_from_state("sw1", upper, keep)[0]) == 1


def test_warnings_name_a_few_hosts_never_a_thousand() -> None:
    nics = [HostNic(f"hv{i:04d}", "eno1", f"0c:c4:7a:00:{i // 256:02x}:{i % 256:02x}")
            for i in range(1000)]
    entries = [MacEntry("sw1", "Po1", n.mac) for n in nics]
    [warning] = infer_links(entries, nics).warnings
    assert "learns NIC MACs of 1000 hosts (hv0000, hv0001, hv0002, hv0003 and 996 more)" in \
        warning and len(warning) < 200
