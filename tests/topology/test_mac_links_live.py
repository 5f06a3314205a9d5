"""Host NIC MACs from real vSwitches (a user-space Open vSwitch, Linux bridges in a namespace),
collected by the drivers, matched against switch MAC tables: the MAC the kernel or OVS reports
is the one `host_nics` reads, and it places the host in the fleet."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator

import pytest

from stormguard.collect.linux_bridge import collect as collect_lb
from stormguard.collect.netmiko_driver import parse_textfsm
from stormguard.collect.ovs import collect as collect_ovs
from stormguard.engine import audit_fleet
from stormguard.parsers import parse_config
from stormguard.policy import load_policy
from stormguard.testing import linuxbridge
from stormguard.testing import ovs as ovs_testing
from stormguard.topology.fleet import collect_facts
from stormguard.topology.host_macs import host_nics

pytestmark = [pytest.mark.netns]

CDP = """Device ID        Local Intrfce     Holdtme    Capability  Platform  Port ID
{peer}
                 Gig 1/0/48        163              R S I  WS-C3850- Gig 1/0/48

Total cdp entries displayed : 1
"""
MACS = """Vlan    Mac Address       Type        Ports
----    -----------       --------    -----
  10    {mac}    DYNAMIC     Gi1/0/1
Total Mac Addresses for this criterion: 1
"""


def _links(ns: str) -> dict[str, str]:
    out = subprocess.run(["ip", "-n", ns, "-j", "link", "show"], capture_output=True,
                         text=True, check=True, timeout=10).stdout
    return {lk["ifname"]: lk.get("address", "") for lk in json.loads(out)}


def _cisco(mac: str) -> str:
    d = mac.replace(":", "")
    return f"{d[0:4]}.{d[4:8]}.{d[8:12]}"


def _switch(name: str, peer: str, mac: str) -> tuple:
    def entry(command: str, raw: str) -> dict:
        return {"command": command, "raw": raw,
                "parsed": parse_textfsm("cisco_ios", command, raw)}
    state = {"cdp": entry("show cdp neighbors", CDP.format(peer=peer)),
             "mac_table": entry("show mac address-table", MACS.format(mac=_cisco(mac)))}
    config = (f"hostname {name}\nspanning-tree mode rapid-pvst\n"
              "interface GigabitEthernet1/0/1\n switchport mode trunk\n"
              " switchport trunk allowed vlan 10,20\n"
              "interface GigabitEthernet1/0/48\n switchport mode trunk\nend\n")
    return name, "cisco_ios", state, config


@pytest.fixture
def ovs_lab() -> Iterator[ovs_testing.OvsLab]:
    why = ovs_testing.missing_requirements()
    if why:
        pytest.skip(f"Open vSwitch lab unavailable: {why}")
    with ovs_testing.OvsLab(prefix="sgmac") as lab:
        yield lab


@pytest.fixture
def bridge_lab() -> Iterator[linuxbridge.BridgeLab]:
    why = linuxbridge.missing_requirements()
    if why:
        pytest.skip(f"Linux bridge lab unavailable: {why}")
    with linuxbridge.BridgeLab(prefix="sgmac") as lab:
        yield lab


@pytest.mark.ovs
def test_live_ovs_nic_macs_place_the_host_and_fire_sg502(ovs_lab) -> None:
    lab = ovs_lab
    lab.add_bridge("br-loop")  # STP off, two unbonded uplinks
    lab.add_port("br-loop", "eth5", "trunks=10,20")
    lab.add_port("br-loop", "eth6", "trunks=10,20")
    got = collect_ovs(lab.host("hv-live"))
    nics, warnings = host_nics("hv-live", "ovs", got.config)
    kernel = _links(lab.netns)
    assert warnings == []
    # the NICs, with the MAC the kernel gives them; not the bridge's own internal port
    assert {(n.nic, n.mac) for n in nics} == {("eth5", kernel["eth5"]),
                                              ("eth6", kernel["eth6"])}
    snaps = [_switch("sw1", "sw2", kernel["eth5"]), _switch("sw2", "sw1", kernel["eth6"]),
             ("hv-live", "ovs", got.state, got.config)]
    facts = collect_facts(snaps)
    assert sorted((n.local_host, n.local_port, n.remote_name, n.remote_port)
                  for n in facts.neighbors if n.protocol == "mac") == [
        ("sw1", "Gi1/0/1", "hv-live", "eth5"), ("sw2", "Gi1/0/1", "hv-live", "eth6")]
    devices = [d for name, platform, _s, text in snaps
               for d in parse_config(text, platform, source=name)]
    res = audit_fleet(devices, load_policy(), facts.neighbors, today=dt.date(2026, 12, 4))
    [sg502] = [f for f in res.findings if f.rule == "SG502"]
    assert sg502.extra["switch_ports"] == ["sw1/GigabitEthernet1/0/1",
                                           "sw2/GigabitEthernet1/0/1"]


def test_live_linux_bridge_nic_macs(bridge_lab) -> None:
    lab = bridge_lab
    lab.add_bridge("br-loop")
    lab.add_uplink("br-loop", "up2")
    lab.add_uplink("br-loop", "up3")
    lab.add_guest("br-loop", "vm1")
    got = collect_lb(lab.host("hv-lb"))
    nics, warnings = host_nics("hv-lb", "linux_bridge", got.config)
    kernel = _links(lab.ns)
    assert warnings == []
    # the guest port and the bridge itself (which borrows a port's MAC) are not NICs
    assert {(n.nic, n.mac) for n in nics} == {("up2", kernel["up2"]), ("up3", kernel["up3"])}


def test_live_linux_bond_mac_means_the_bond(bridge_lab) -> None:
    lab = bridge_lab
    if not lab.supports("bond"):
        pytest.skip("this kernel has no bonding driver (the captured hv04 bundle covers bonds "
                    "in test_mac_links.py)")
    lab.add_bridge("br-ok", stp=True)
    lab.add_bond("br-ok", "bond0", ["up4", "up5"])
    got = collect_lb(lab.host("hv-lb"))
    nics, _ = host_nics("hv-lb", "linux_bridge", got.config)
    kernel = _links(lab.ns)
    # the slaves carry the bond's MAC: that MAC means bond0
    assert kernel["up4"] == kernel["bond0"] == kernel["up5"]
    assert {(n.nic, n.mac) for n in nics} == {("bond0", kernel["bond0"])}
