"""Roles from neighbour facts, and the cross-layer rules SG503 (unneeded VLANs towards a
hypervisor), SG504 (teaming vs switch aggregation), SG505 (ESXi guest BPDUs, forged transmits):
fires / does not fire for each hypervisor kind, on real output formats (esxcli text of the fake
ESXi host, ovs-vsctl JSON and ip/bridge -j JSON bundles captured from real OVS / Linux bridges)
joined to parsed switch configs by LLDP/CDP facts."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from test_topology_cli import db  # noqa: F401  (the SQLite store fixture)

from stormguard.effective import effective_device
from stormguard.engine import audit, audit_fleet
from stormguard.parsers import parse_config
from stormguard.parsers._vswitch import dump_bundle
from stormguard.parsers.esxi import bundle
from stormguard.policy import load_policy
from stormguard.store import Store
from stormguard.store.audit import audit_snapshots
from stormguard.testing.fakenet import CONFIG_DIR
from stormguard.topology.fact_roles import neighbor_role_source
from stormguard.topology.neighbors import Neighbor

VSWITCH = Path(__file__).parents[1] / "vswitch" / "fixtures"
TODAY = dt.date(2026, 12, 4)
ESXI_OUT = yaml.safe_load((CONFIG_DIR / "esxi.show.yaml").read_text())
ESXI_OUT.pop("vim-cmd hostsvc/net/query_networkhint")
BR = frozenset({"bridge"})


def ios(name: str, ports: dict[str, str], head: str = "") -> list:
    body = "".join(f"interface {p}\n{cfg}" for p, cfg in ports.items())
    return parse_config(f"hostname {name}\n{head}spanning-tree mode rapid-pvst\n{body}end\n",
                        "cisco_ios", source=name)


def trunk(vlans: str, extra: str = "") -> str:
    return f" switchport mode trunk\n switchport trunk allowed vlan {vlans}\n{extra}"


def esxi(**changes: str) -> list:
    out = dict(ESXI_OUT)
    out.update(changes)
    return parse_config(bundle("esx-07", out), "esxi", source="esx-07")


def vswitch_host(name: str, platform: str, edit=None) -> list:
    doc = json.loads((VSWITCH / name).read_text())
    if edit is not None:
        edit(doc)
    return parse_config(dump_bundle(doc), platform, source=name)


def fleet(devices, neighbors, rule):
    res = audit_fleet(devices, load_policy(), neighbors, today=TODAY)
    assert res.errors == []
    return [f for f in res.findings if f.rule == rule]


def cdp(host: str, nic: str, sw: str, port: str) -> Neighbor:
    return Neighbor(host, nic, f"{sw}.dc1.example.net", port, "cdp", BR)


# -- roles from facts -----------------------------------------------------------------------

def roles_of(devices, neighbors, switch):
    src = neighbor_role_source(neighbors, devices, [r.name for r in load_policy().roles])
    dev = next(d for d in devices if d.hostname == switch)
    eff = effective_device(dev, load_policy(), fact_sources=[src])
    return {p.name: (p.role, p.role_source) for p in eff.all_ports}


def test_switch_lldp_names_the_esxi_host_before_the_description() -> None:
    sw = ios("sw1", {"GigabitEthernet1/0/10": " description core uplink\n" + trunk("10,20")})
    nbs = [Neighbor("sw1", "Gi1/0/10", "esx-07.dc1.example.net", "vmnic2", "lldp",
                    frozenset({"bridge"}))]
    got = roles_of(sw + esxi(), nbs, "sw1")
    # the description alone says inter-switch ("uplink", "core"); the collected host decides
    assert got["GigabitEthernet1/0/10"] == ("hypervisor-esxi", "LLDP: esx-07 vmnic2")
    assert roles_of(sw + esxi(), [], "sw1")["GigabitEthernet1/0/10"][0] == "inter-switch"


def test_the_host_side_view_gives_the_switch_port_its_role() -> None:
    sw = ios("sw1", {"GigabitEthernet1/0/10": trunk("10,20")})
    got = roles_of(sw + esxi(), [cdp("esx-07", "vmnic0", "sw1", "GigabitEthernet1/0/10")],
                   "sw1")
    assert got["GigabitEthernet1/0/10"] == ("hypervisor-esxi", "CDP seen by esx-07 vmnic0")
    kvm = vswitch_host("ovs-hv02.json", "ovs")
    got = roles_of(sw + kvm, [Neighbor("hv02", "eth3", "sw1", "Gi1/0/10", "lldp", BR)], "sw1")
    assert got["GigabitEthernet1/0/10"] == ("hypervisor", "LLDP seen by hv02 eth3")


@pytest.mark.parametrize(("caps", "platform", "expected"), [
    (frozenset({"bridge", "router"}), "", ("inter-switch", "LLDP: dist9 Gi0/1 (advertises "
                                           "the Bridge capability)")),
    (frozenset({"switch"}), "VMware ESX", ("hypervisor-esxi", "CDP: esx-99 vmnic1 "
                                           "(advertises 'VMware ESX')")),
    (frozenset({"station"}), "Linux", ("hypervisor", "description matches word 'kvm'")),
])
def test_uncollected_neighbours_by_what_they_advertise(caps, platform, expected) -> None:
    sw = ios("sw1", {"GigabitEthernet1/0/5": " description kvm-12\n" + trunk("10")})
    name, port, proto = {"": ("dist9", "Gi0/1", "lldp"), "VMware ESX": (
        "esx-99", "vmnic1", "cdp"), "Linux": ("kvm-12", "eth0", "lldp")}[platform]
    nbs = [Neighbor("sw1", "Gi1/0/5", name, port, proto, caps, remote_platform=platform)]
    assert roles_of(sw, nbs, "sw1")["GigabitEthernet1/0/5"] == expected


def test_collected_switch_aggregate_members_and_peer_link() -> None:
    sw1 = parse_config(
        "hostname sw1\nfeature vpc\ninterface port-channel1\n switchport\n"
        " switchport mode trunk\n vpc peer-link\ninterface Ethernet1/1\n switchport\n"
        " switchport mode trunk\n channel-group 1 mode active\n"
        "interface port-channel20\n switchport\n switchport mode trunk\n"
        "interface Ethernet1/20\n switchport\n switchport mode trunk\n"
        " channel-group 20 mode active\n", "cisco_nxos", source="sw1")
    sw2 = ios("sw2", {"GigabitEthernet1/0/48": trunk("10")})
    nbs = [Neighbor("sw1", "Eth1/1", "sw2", "Gi1/0/48", "lldp", BR),
           Neighbor("sw1", "Eth1/20", "sw2", "Gi1/0/47", "lldp", BR)]
    got = roles_of(sw1 + sw2, nbs, "sw1")
    assert got["port-channel1"][0] == "peer-link"  # configuration facts win
    assert got["Ethernet1/1"][0] == "peer-link"  # a member takes its peer-link's role
    assert got["port-channel20"] == ("inter-switch",
                                     "LLDP: sw2 Gi1/0/47 (on member Ethernet1/20)")
    assert got["Ethernet1/20"] == ("inter-switch", "LLDP: sw2 Gi1/0/47")
    # sw2 has no LLDP table here: sw1's view of it decides
    assert roles_of(sw1 + sw2, nbs, "sw2")["GigabitEthernet1/0/48"] == (
        "inter-switch", "LLDP seen by sw1 Eth1/1")


def test_per_device_audit_takes_roles_from_facts_and_lint_does_not() -> None:
    sw = ios("sw1", {"GigabitEthernet1/0/10": trunk("10,20")})
    src = neighbor_role_source([cdp("esx-07", "vmnic0", "sw1", "Gi1/0/10")], sw + esxi())
    with_facts = audit(sw, load_policy(), today=TODAY, fact_sources=[src])
    [f] = [f for f in with_facts.findings if f.rule == "SG205"]  # host-facing roles only
    assert f.extra == {"role": "hypervisor-esxi", "role_source": "CDP seen by esx-07 vmnic0"}
    assert "CDP seen by esx-07 vmnic0" in f.message
    without = audit(sw, load_policy(), today=TODAY)
    assert not [f for f in without.findings if f.rule == "SG205"]  # a plain trunk


def test_store_audit_threads_neighbour_roles_into_every_finding(db) -> None:  # noqa: F811
    with Store.open(db) as store:
        run = store.start_run("audit", "test")
        result = audit_snapshots(store, run, load_policy())
    assert not [e for e in result.errors if "neighbour" in e or "fleet" in e]
    gi10 = [f for f in result.findings if f.device == "sw1"
            and f.interface == "GigabitEthernet1/0/10"]
    assert {f.rule for f in gi10} >= {"SG205", "SG503"}
    for f in gi10:
        if f.rule in ("SG205", "SG503"):
            assert f.extra["role_source"] == "CDP seen by esx-07 vmnic0", f.rule
    [sg503] = [f for f in gi10 if f.rule == "SG503"]
    assert sg503.extra["unneeded"] == "30" and sg503.extra["needed"] == "10,20"
    # sw1 Gi1/0/1 is behind hv01 eth5 (OVS, bridge local port + VMs on 20): a hypervisor
    gi1 = [f for f in result.findings if f.device == "sw1"
           and f.interface == "GigabitEthernet1/0/1" and f.rule == "SG205"]
    assert gi1 and gi1[0].extra["role"] == "hypervisor"


# -- SG503 ----------------------------------------------------------------------------------

ESX_NB = [cdp("esx-07", "vmnic0", "sw1", "GigabitEthernet1/0/10")]


def test_sg503_esxi_fires_and_removes_exactly_the_unneeded_vlans() -> None:
    sw = ios("sw1", {"GigabitEthernet1/0/10": trunk("10,20,30-32")})
    [f] = fleet(sw + esxi(), ESX_NB, "SG503")
    assert (f.device, f.interface, f.severity) == ("sw1", "GigabitEthernet1/0/10", "medium")
    assert f.extra["unneeded"] == "30-32" and f.extra["needed"] == "10,20"
    assert f.remediation == ("interface GigabitEthernet1/0/10\n"
                             " switchport trunk allowed vlan remove 30-32")
    assert "port group 'VM Network' VLAN 20" in " ".join(f.extra["needed_from"])


def test_sg503_all_vlan_trunk_gets_the_needed_list_atomically_native_kept() -> None:
    sw = ios("sw1", {"GigabitEthernet1/0/10": " switchport mode trunk\n"})
    [f] = fleet(sw + esxi(), ESX_NB, "SG503")
    assert f.remediation == ("interface GigabitEthernet1/0/10\n"
                             " switchport trunk allowed vlan 1,10,20")
    assert f.expected == "1,10,20"


def test_sg503_huawei_removes_after_nothing_needed_is_lost() -> None:
    sw = parse_config("sysname sw1\ninterface GigabitEthernet0/0/10\n port link-type trunk\n"
                      " port trunk allow-pass vlan 10 20 30\n", "huawei", source="sw1")
    [f] = fleet(sw + esxi(), [cdp("esx-07", "vmnic0", "sw1", "GigabitEthernet0/0/10")],
                "SG503")
    assert f.remediation == ("interface GigabitEthernet0/0/10\n"
                             " undo port trunk allow-pass vlan 30")


@pytest.mark.parametrize("vlan_id", ["4095", "30"])
def test_sg503_esxi_silent_when_the_host_needs_it_all(vlan_id) -> None:
    pgs = ESXI_OUT["esxcli network vswitch standard portgroup list"].replace(
        "Nested Lab          vSwitch0                     2        0",
        f"Nested Lab          vSwitch0                     2     {vlan_id:>4}")
    sw = ios("sw1", {"GigabitEthernet1/0/10": trunk("10,20,30")})
    devs = sw + esxi(**{"esxcli network vswitch standard portgroup list": pgs})
    assert fleet(devs, ESX_NB, "SG503") == []


def test_sg503_silent_for_a_distributed_switch_and_unknown_far_ends() -> None:
    sw = ios("sw1", {"GigabitEthernet1/0/4": trunk("10,20,30"),
                     "GigabitEthernet1/0/10": trunk("10,20,30")})
    nbs = [cdp("esx-07", "vmnic4", "sw1", "GigabitEthernet1/0/4"),  # DSwitch-Prod
           *ESX_NB, Neighbor("sw1", "Gi1/0/10", "mystery", "eth0", "lldp")]
    assert fleet(sw + esxi(), nbs, "SG503") == []


def _ovs_edit(port: str, column: str, value):
    def edit(doc):
        t = doc["tables"]["Port"]
        i, n = t["headings"].index(column), t["headings"].index("name")
        for row in t["data"]:
            if row[n] == port:
                row[i] = value
    return edit


OVS_NB = [Neighbor("hv02", "eth3", "sw1", "Gi1/0/1", "lldp", BR),
          Neighbor("hv02", "eth4", "sw1", "Gi1/0/2", "lldp", BR)]
PO = {"Port-channel1": trunk("10,20,30,99"),
      "GigabitEthernet1/0/1": trunk("10,20,30,99", " channel-group 1 mode active\n"),
      "GigabitEthernet1/0/2": trunk("10,20,30,99", " channel-group 1 mode active\n")}


def test_sg503_ovs_fires_on_the_port_channel_towards_the_bond() -> None:
    # hv02 br-vm: bond0 (eth3+eth4) trunks 10,20; VMs on 10, 99 (native of a trunk of 10)
    [f] = fleet(ios("sw1", PO) + vswitch_host("ovs-hv02.json", "ovs"), OVS_NB, "SG503")
    assert (f.interface, f.extra["unneeded"], f.extra["needed"]) == ("Port-channel1", "30,99",
                                                                     "10,20")
    assert f.extra["role_source"].startswith("LLDP seen by hv02 eth")


def test_sg503_ovs_silent_when_a_port_trunks_every_vlan() -> None:
    host = vswitch_host("ovs-hv02.json", "ovs", _ovs_edit("patch-int", "trunks", ["set", []]))
    assert fleet(ios("sw1", PO) + host, OVS_NB, "SG503") == []


LB_NB = [Neighbor("hv04", "enp1s0f0", "sw1", "Gi1/0/1", "lldp", BR),
         Neighbor("hv04", "enp1s0f1", "sw1", "Gi1/0/2", "lldp", BR)]


def _add_vlan_link(name: str, lower: str, vid: int):
    def edit(doc):
        doc["links"].append({"ifindex": 99, "ifname": name, "link": lower, "flags": ["UP"],
                             "mtu": 1500, "operstate": "UP", "link_type": "ether",
                             "linkinfo": {"info_kind": "vlan", "info_data": {
                                 "protocol": "802.1Q", "id": vid, "flags": ["REORDER_HDR"]}}})
    return edit


def test_sg503_linux_bridge_fires_and_sees_vlan_sub_interfaces() -> None:
    # hv04 br0 (VLAN-aware): bond0 trunks 10,20; vnet0 VLAN 10, vnet1 VLANs 1,20-22
    [f] = fleet(ios("sw1", PO) + vswitch_host("linux_bridge-hv04.json", "linux_bridge"),
                LB_NB, "SG503")
    assert f.extra["unneeded"] == "30,99" and f.extra["needed"] == "10,20"
    # the host's own bond0.30 (management, not bridged) needs VLAN 30 on the wire
    host = vswitch_host("linux_bridge-hv04.json", "linux_bridge",
                        _add_vlan_link("bond0.30", "bond0", 30))
    [f] = fleet(ios("sw1", PO) + host, LB_NB, "SG503")
    assert f.extra["unneeded"] == "99"


def test_sg503_vlan_unaware_linux_bridge_is_not_judged() -> None:
    sw = ios("sw1", {"GigabitEthernet1/0/1": trunk("10,20,30")})
    host = vswitch_host("linux_bridge-hv03.json", "linux_bridge")
    nbs = [Neighbor("hv03", "up1", "sw1", "Gi1/0/1", "lldp", BR)]
    assert fleet(sw + host, nbs, "SG503") == []


# -- SG504 ----------------------------------------------------------------------------------

VS1_NB = [cdp("esx-07", "vmnic2", "sw1", "GigabitEthernet1/0/2"),
          cdp("esx-07", "vmnic3", "sw1", "GigabitEthernet1/0/3")]
NO_BEACON = {"esxcli network vswitch standard policy failover get -v vSwitch1":
             ESXI_OUT["esxcli network vswitch standard policy failover get -v vSwitch1"]
             .replace("Network Failure Detection: beacon", "Network Failure Detection: link"),
             "esxcli network vswitch standard portgroup policy failover get -p Storage":
             ESXI_OUT["esxcli network vswitch standard portgroup policy failover get -p Storage"]
             .replace("Network Failure Detection: beacon", "Network Failure Detection: link")}


def _teaming(found):
    return [f for f in found if "beacon" not in f.message]


def test_sg504_esxi_ip_hash_without_a_port_channel_fires() -> None:
    sw = ios("sw1", {"GigabitEthernet1/0/2": trunk("30"), "GigabitEthernet1/0/3": trunk("30")})
    [f] = fleet(sw + esxi(**NO_BEACON), VS1_NB, "SG504")
    assert (f.device, f.severity) == ("esx-07/vSwitch1", "high")
    assert "IP hash on the host but the switch ports are not one aggregate" in f.message
    assert f.remediation.startswith(
        "esxcli network vswitch standard policy failover set -v vSwitch1 -l portid")


@pytest.mark.parametrize(("mode", "fires"), [("on", False), ("active", True)])
def test_sg504_esxi_ip_hash_needs_a_static_port_channel(mode, fires) -> None:
    sw = ios("sw1", {"Port-channel5": trunk("30"),
                     "GigabitEthernet1/0/2": trunk("30", f" channel-group 5 mode {mode}\n"),
                     "GigabitEthernet1/0/3": trunk("30", f" channel-group 5 mode {mode}\n")})
    found = fleet(sw + esxi(**NO_BEACON), VS1_NB, "SG504")
    assert bool(found) is fires
    if fires:
        assert "negotiates (LACP/PAgP)" in found[0].message
        assert found[0].remediation.startswith("# not auto-fixable")


def test_sg504_esxi_originating_port_towards_a_port_channel_fires() -> None:
    sw = ios("sw1", {"Port-channel10": trunk("10,20"),
                     "GigabitEthernet1/0/10": trunk("10,20", " channel-group 10 mode on\n"),
                     "GigabitEthernet1/0/11": trunk("10,20", " channel-group 10 mode on\n")})
    nbs = [cdp("esx-07", "vmnic0", "sw1", "GigabitEthernet1/0/10"),
           cdp("esx-07", "vmnic1", "sw1", "GigabitEthernet1/0/11")]
    found = [f for f in fleet(sw + esxi(), nbs, "SG504") if f.device == "esx-07/vSwitch0"]
    assert found and all("switch aggregates ports towards" in f.message for f in found)
    assert found[0].remediation.startswith(
        "esxcli network vswitch standard policy failover set -v vSwitch0 -l iphash")
    separate = ios("sw1", {"GigabitEthernet1/0/10": trunk("10,20"),
                           "GigabitEthernet1/0/11": trunk("10,20")})
    assert [f for f in fleet(separate + esxi(), nbs, "SG504")
            if f.device == "esx-07/vSwitch0"] == []


def test_sg504_esxi_beacon_probing() -> None:
    # vSwitch1: IP hash + beacon (the fixture) -> one finding per team, IP hash named
    found = [f for f in fleet(esxi(), [], "SG504") if "beacon" in f.message]
    assert [f.device for f in found] == ["esx-07/vSwitch1"]
    assert "beacon probing with IP hash" in found[0].message
    assert found[0].remediation.endswith("policy failover set -v vSwitch1 -f link")
    # originating port + beacon on two uplinks: too few; on three: fine
    two = NO_BEACON | {"esxcli network vswitch standard policy failover get -v vSwitch0":
                       ESXI_OUT["esxcli network vswitch standard policy failover get -v "
                                "vSwitch0"].replace("Detection: link", "Detection: beacon")}
    found = [f for f in fleet(esxi(**two), [], "SG504") if "beacon" in f.message]
    assert found and "beacon probing with 2 uplink(s)" in found[0].message
    three = copy.deepcopy(two)
    three["esxcli network vswitch standard list"] = ESXI_OUT[
        "esxcli network vswitch standard list"].replace("Uplinks: vmnic1, vmnic0",
                                                        "Uplinks: vmnic1, vmnic0, vmnic6")
    k0 = "esxcli network vswitch standard policy failover get -v vSwitch0"
    three[k0] = three[k0].replace("Active Adapters: vmnic0, vmnic1",
                                  "Active Adapters: vmnic0, vmnic1, vmnic6")
    for key in ("'Management Network'", "'Nested Lab'", "'VM Network'"):
        k = f"esxcli network vswitch standard portgroup policy failover get -p {key}"
        three[k] = ESXI_OUT[k].replace("Detection: link", "Detection: beacon").replace(
            "Active Adapters: vmnic0, vmnic1", "Active Adapters: vmnic0, vmnic1, vmnic6").replace(
            "Standby Adapters: vmnic1", "Standby Adapters: vmnic1, vmnic6")
    assert [f for f in fleet(esxi(**three), [], "SG504") if "beacon" in f.message] == []


SEPARATE = {"GigabitEthernet1/0/1": trunk("10,20"), "GigabitEthernet1/0/2": trunk("10,20")}


def test_sg504_ovs_lacp_bond_needs_an_lacp_port_channel() -> None:
    host = vswitch_host("ovs-hv02.json", "ovs")  # bond0: lacp=active, balance-tcp
    [f] = fleet(ios("sw1", SEPARATE) + host, OVS_NB, "SG504")
    assert (f.device, f.interface) == ("hv02/br-vm", "bond0")
    assert f.remediation.startswith("ovs-vsctl set port bond0 lacp=off bond_mode=active-backup")
    assert fleet(ios("sw1", PO) + host, OVS_NB, "SG504") == []


def test_sg504_ovs_active_backup_towards_a_port_channel_fires() -> None:
    edit = [_ovs_edit("bond0", "lacp", ["set", []]),
            _ovs_edit("bond0", "bond_mode", "active-backup")]
    host = vswitch_host("ovs-hv02.json", "ovs", lambda d: [e(d) for e in edit])
    [f] = fleet(ios("sw1", PO) + host, OVS_NB, "SG504")
    assert "towards a active-backup team" in f.message
    assert f.remediation == "ovs-vsctl set port bond0 lacp=active bond_mode=balance-tcp"
    assert fleet(ios("sw1", SEPARATE) + host, OVS_NB, "SG504") == []


def _bond_mode(mode: str):
    def edit(doc):
        for link in doc["links"]:
            if link.get("ifname") == "bond0":
                link["linkinfo"]["info_data"]["mode"] = mode
    return edit


@pytest.mark.parametrize(("mode", "switch", "fires"), [
    ("802.3ad", SEPARATE, "not one aggregate"), ("802.3ad", PO, ""),
    ("balance-xor", SEPARATE, "not one aggregate"),
    ("balance-xor", PO, "negotiates (LACP/PAgP)"),
    ("active-backup", PO, "switch aggregates ports"), ("active-backup", SEPARATE, ""),
])
def test_sg504_linux_bond_modes(mode, switch, fires) -> None:
    host = vswitch_host("linux_bridge-hv04.json", "linux_bridge", _bond_mode(mode))
    found = fleet(ios("sw1", switch) + host, LB_NB, "SG504")
    if not fires:
        assert found == []
        return
    [f] = found
    assert fires in f.message and f.interface == "bond0"
    assert f.remediation.startswith("# not auto-fixable")  # a bond's mode: plan a window


# -- SG505 ----------------------------------------------------------------------------------

def _guarded(guard: bool) -> list:
    extra = " spanning-tree portfast trunk\n" + (" spanning-tree bpduguard enable\n"
                                                 if guard else "")
    return ios("sw1", {"GigabitEthernet1/0/10": trunk("10,20", extra),
                       "GigabitEthernet1/0/11": trunk("10,20", extra)})


VS0_NB = [cdp("esx-07", "vmnic0", "sw1", "GigabitEthernet1/0/10"),
          cdp("esx-07", "vmnic1", "sw1", "GigabitEthernet1/0/11")]
BPDU_KEY = "esxcli system settings advanced list -o /Net/BlockGuestBPDU"


def test_sg505_guest_bpdus_towards_bpdu_guard_fire_once_per_host() -> None:
    found = [f for f in fleet(_guarded(True) + esxi(), VS0_NB, "SG505") if f.interface is None]
    [f] = found
    assert f.device == "esx-07/vSwitch0" and "Net.BlockGuestBPDU off" in f.message
    assert f.extra["switch_ports"] == ["sw1 GigabitEthernet1/0/10", "sw1 GigabitEthernet1/0/11"]
    assert f.remediation == "esxcli system settings advanced set -o /Net/BlockGuestBPDU -i 1"
    assert f.line is not None
    on = {BPDU_KEY: ESXI_OUT[BPDU_KEY].replace("Int Value: 0", "Int Value: 1", 1)}
    assert [f for f in fleet(_guarded(True) + esxi(**on), VS0_NB, "SG505")
            if f.interface is None] == []
    assert [f for f in fleet(_guarded(False) + esxi(), VS0_NB, "SG505")
            if f.interface is None] == []


def test_sg505_forged_transmits_and_promiscuous_on_carried_vlans() -> None:
    found = {f.interface: f for f in fleet(_guarded(False) + esxi(), VS0_NB, "SG505")}
    # VM Network (20) and Management Network (10) accept forged transmits: medium
    assert found["VM Network"].severity == "medium"
    assert "accepts forged transmits on VLAN 20" in found["VM Network"].message
    assert found["VM Network"].remediation == (
        "esxcli network vswitch standard portgroup policy security set -p 'VM Network' "
        "--allow-forged-transmits=false")
    # Nested Lab is VLAN 0 (untagged): the trunks carry no native VLAN 1 -> not judged
    assert "Nested Lab" not in found
    native = ios("sw1", {"GigabitEthernet1/0/10": trunk("1,10,20"),
                         "GigabitEthernet1/0/11": trunk("1,10,20")})
    found = {f.interface: f for f in fleet(native + esxi(), VS0_NB, "SG505")}
    assert "untagged (native VLAN 1)" in found["Nested Lab"].message
    assert "--allow-promiscuous=false" in found["Nested Lab"].remediation


def test_sg505_promiscuous_only_is_low_and_uncarried_vlans_are_silent() -> None:
    key = "esxcli network vswitch standard portgroup policy security get -p 'VM Network'"
    promisc = ESXI_OUT[key].replace("Allow Promiscuous: false", "Allow Promiscuous: true", 1) \
        .replace("Allow Forged Transmits: true", "Allow Forged Transmits: false", 1)
    mgmt = "esxcli network vswitch standard portgroup policy security get -p " \
           "'Management Network'"
    safe = ESXI_OUT[mgmt].replace("Allow Forged Transmits: true",
                                  "Allow Forged Transmits: false", 1)
    found = {f.interface: f for f in fleet(_guarded(False) + esxi(**{key: promisc, mgmt: safe}),
                                           VS0_NB, "SG505")}
    assert found["VM Network"].severity == "low"
    assert "Management Network" not in found
    only10 = ios("sw1", {"GigabitEthernet1/0/10": trunk("10"),
                         "GigabitEthernet1/0/11": trunk("10")})
    found = {f.interface for f in fleet(only10 + esxi(**{key: promisc, mgmt: safe}), VS0_NB,
                                        "SG505")}
    assert "VM Network" not in found  # VLAN 20 is not on the trunks


def test_sg503_ovs_local_port_param_makes_the_host_unknown(tmp_path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text("rules:\n  SG503: {local_port_untagged_only: false}\n")
    devices = ios("sw1", PO) + vswitch_host("ovs-hv02.json", "ovs")
    res = audit_fleet(devices, load_policy([pack]), OVS_NB, today=TODAY)
    assert res.errors == [] and not [f for f in res.findings if f.rule == "SG503"]


def test_sg503_junos_deletes_the_unneeded_members() -> None:
    sw = parse_config(
        "set system host-name sw1\n"
        "set interfaces ge-0/0/10 unit 0 family ethernet-switching interface-mode trunk\n"
        "set interfaces ge-0/0/10 unit 0 family ethernet-switching vlan members [ 10 20 30 ]\n",
        "juniper_junos", source="sw1")
    [f] = fleet(sw + esxi(), [cdp("esx-07", "vmnic0", "sw1", "ge-0/0/10")], "SG503")
    assert f.extra["unneeded"] == "30"
    assert f.remediation == ("delete interfaces ge-0/0/10 unit 0 family ethernet-switching "
                             "vlan members 30")
