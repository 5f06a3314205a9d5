"""SG501 / SG502 on real vSwitch state (the captured OVS and Linux-bridge bundles) and parsed
switch configs, joined by LLDP facts: fires / does not fire for each hypervisor kind."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from stormguard.engine import audit, audit_fleet
from stormguard.parsers import parse_config
from stormguard.policy import load_policy
from stormguard.topology.neighbors import Neighbor

VSWITCH_FIXTURES = Path(__file__).parents[1] / "vswitch" / "fixtures"
TODAY = dt.date(2026, 12, 4)


def ios(name: str, extra: str = "") -> str:
    ports = "".join(f"interface GigabitEthernet1/0/{i}\n switchport mode trunk\n"
                    f" switchport trunk allowed vlan 10,20,30\n" for i in (1, 2, 3))
    return (f"hostname {name}\nspanning-tree mode rapid-pvst\n{ports}"
            "interface GigabitEthernet1/0/48\n switchport mode trunk\n"
            f"{extra}end\n")


def fabric(extra1: str = "", extra2: str = "") -> list:
    return (parse_config(ios("sw1", extra1), "cisco_ios", source="sw1")
            + parse_config(ios("sw2", extra2), "cisco_ios", source="sw2"))


def hosts(name: str, platform: str) -> list:
    return parse_config((VSWITCH_FIXTURES / name).read_text(), platform, source=name)


ISL = [Neighbor("sw1", "Gi1/0/48", "sw2.dc1.example.net", "Gi1/0/48", "cdp"),
       Neighbor("sw2", "Gi1/0/48", "sw1.dc1.example.net", "Gi1/0/48", "cdp")]


def fleet_findings(devices, neighbors, rule=None):
    res = audit_fleet(devices, load_policy(), neighbors, today=TODAY)
    assert res.errors == []
    # rule None: the loop rules (SG503-SG505 are tested in test_rules_sg503_505.py)
    return [f for f in res.findings if (f.rule in ("SG501", "SG502") if rule is None
                                        else f.rule == rule)]


def uplinks(host: str, a: str, b: str, port_a: str = "Gi1/0/1", port_b: str = "Gi1/0/1"):
    return [Neighbor(host, a, "sw1", port_a, "lldp", frozenset({"bridge"})),
            Neighbor(host, b, "sw2", port_b, "lldp", frozenset({"bridge"}))]


def test_ovs_bridge_without_stp_across_two_switches_fires_both() -> None:
    devices = fabric() + hosts("ovs-hv01.json", "ovs")
    found = fleet_findings(devices, ISL + uplinks("hv01", "eth5", "eth6"))
    [sg501] = [f for f in found if f.rule == "SG501"]
    assert sg501.severity == "critical" and sg501.device == "hv01/br-loop"
    assert sg501.extra["vlans"] == "10,20"
    hops = sg501.extra["cycle"]
    assert len(hops) == 3
    assert set(hops) == {"hv01/br-loop:eth5 → sw1/GigabitEthernet1/0/1",
                         "sw1/GigabitEthernet1/0/48 → sw2/GigabitEthernet1/0/48",
                         "sw2/GigabitEthernet1/0/1 → hv01/br-loop:eth6"} or set(hops) == {
        "hv01/br-loop:eth6 → sw2/GigabitEthernet1/0/1",
        "sw2/GigabitEthernet1/0/48 → sw1/GigabitEthernet1/0/48",
        "sw1/GigabitEthernet1/0/1 → hv01/br-loop:eth5"}
    assert "spanning tree is off" in sg501.message
    assert "ovs-vsctl add-bond br-loop" in sg501.remediation
    assert "rstp_enable=true" in sg501.remediation
    [sg502] = [f for f in found if f.rule == "SG502"]
    assert sg502.severity == "high" and sg502.extra["uplinks"] == ["eth5", "eth6"]
    assert sg502.extra["switch_ports"] == ["sw1/GigabitEthernet1/0/1",
                                           "sw2/GigabitEthernet1/0/1"]


def test_ovs_bonded_uplinks_fire_nothing() -> None:
    devices = fabric() + hosts("ovs-hv02.json", "ovs")
    assert fleet_findings(devices, ISL + uplinks("hv02", "eth3", "eth4")) == []


def test_linux_bridge_without_stp_fires_both() -> None:
    devices = fabric() + hosts("linux_bridge-hv03.json", "linux_bridge")
    found = fleet_findings(devices, ISL + uplinks("hv03", "up2", "up3"))
    assert {f.rule for f in found} == {"SG501", "SG502"}
    sg501 = next(f for f in found if f.rule == "SG501")
    # a VLAN-unaware Linux bridge carries everything: the loop is on every VLAN both trunks carry
    assert sg501.extra["vlans"] == "10,20,30"
    assert "ip link add bond-br-loop type bond mode 802.3ad" in sg501.remediation or \
        "type bond mode 802.3ad" in sg501.remediation


def test_linux_bridge_with_stp_and_bonded_bridge_fire_nothing() -> None:
    devices = fabric() + hosts("linux_bridge-hv03.json", "linux_bridge") + hosts(
        "linux_bridge-hv04.json", "linux_bridge")
    nbs = ISL + uplinks("hv03", "up4", "up5", "Gi1/0/2", "Gi1/0/2") + uplinks(
        "hv04", "enp1s0f0", "enp1s0f1", "Gi1/0/3", "Gi1/0/3")
    assert fleet_findings(devices, nbs) == []


def test_unbonded_host_into_one_switch_aggregate_is_no_loop() -> None:
    agg = ("interface Port-channel1\n switchport mode trunk\n"
           " switchport trunk allowed vlan 10,20,30\n")
    text = ios("sw1", agg).replace(
        " switchport trunk allowed vlan 10,20,30\ninterface GigabitEthernet1/0/2",
        " switchport trunk allowed vlan 10,20,30\n channel-group 1 mode active\n"
        "interface GigabitEthernet1/0/2", 1).replace(
        "interface GigabitEthernet1/0/2\n switchport mode trunk\n"
        " switchport trunk allowed vlan 10,20,30\n",
        "interface GigabitEthernet1/0/2\n switchport mode trunk\n"
        " switchport trunk allowed vlan 10,20,30\n channel-group 1 mode active\n", 1)
    sw1 = parse_config(text, "cisco_ios", source="sw1")
    assert sw1[0].interfaces["GigabitEthernet1/0/2"].channel_group == "Port-channel1"
    devices = sw1 + hosts("ovs-hv01.json", "ovs")
    nbs = [Neighbor("hv01", "eth5", "sw1", "Gi1/0/1", "lldp"),
           Neighbor("hv01", "eth6", "sw1", "Gi1/0/2", "lldp")]
    assert fleet_findings(devices, nbs) == []


def test_unknown_far_end_is_not_guessed() -> None:
    devices = fabric() + hosts("ovs-hv01.json", "ovs")
    nbs = [*ISL, Neighbor("hv01", "eth5", "sw1", "Gi1/0/1", "lldp"),
           Neighbor("hv01", "eth6", "tor-unknown", "Gi1/0/1", "lldp")]
    assert fleet_findings(devices, nbs) == []


def test_switch_with_stp_off_for_a_vlan_and_bpdu_filter() -> None:
    sw1, sw2 = fabric("no spanning-tree vlan 30\n")
    sw2.interfaces["GigabitEthernet1/0/2"].set("bpdu_filter", True, 3)
    nbs = [Neighbor("sw1", "Gi1/0/1", "sw2", "Gi1/0/1", "lldp"),
           Neighbor("sw1", "Gi1/0/2", "sw2", "Gi1/0/2", "lldp")]
    [f] = fleet_findings([sw1, sw2], nbs, "SG501")
    # VLAN 30: sw1 runs no STP for it; VLANs 10,20: sw2 Gi1/0/2 filters BPDUs. One loop.
    assert f.extra["vlans"] == "10,20,30"
    assert any("filters BPDUs" in r for r in f.extra["reasons"])


def test_fleet_rules_stay_out_of_the_per_device_audit() -> None:
    devices = fabric() + hosts("ovs-hv01.json", "ovs")
    res = audit(devices, load_policy(), today=TODAY)
    assert not {f.rule for f in res.findings} & {"SG501", "SG502"} and res.errors == []


def test_disabled_fleet_rule_does_not_run(tmp_path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text("rules:\n  SG501: false\n")
    devices = fabric() + hosts("ovs-hv01.json", "ovs")
    res = audit_fleet(devices, load_policy([pack]), ISL + uplinks("hv01", "eth5", "eth6"),
                      today=TODAY)
    assert {f.rule for f in res.findings} & {"SG501", "SG502"} == {"SG502"}


@pytest.mark.parametrize("rule", ["SG501", "SG502"])
def test_waiver_applies_to_fleet_findings(tmp_path, rule) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text(f"waivers:\n  - rule: {rule}\n    device: 'hv01/*'\n    owner: ops\n"
                    "    reason: lab\n    expires: 2027-01-31\n")
    devices = fabric() + hosts("ovs-hv01.json", "ovs")
    res = audit_fleet(devices, load_policy([pack]), ISL + uplinks("hv01", "eth5", "eth6"),
                      today=TODAY)
    mine = [f for f in res.findings if f.rule == rule]
    assert mine and all(f.waived for f in mine)
