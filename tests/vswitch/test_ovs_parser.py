"""The OVS parser on captured bundles (fixtures/) and on built ones: no root needed."""

from __future__ import annotations

import json

import pytest
from vswitch_kit import OvsBundle, fixture_text

from stormguard.errors import InputError
from stormguard.parsers import parse_config
from stormguard.parsers.detect import detect_platform
from stormguard.vlans import VlanSet


def by_name(devices):
    return {d.hostname: d for d in devices}


def test_captured_hv01_bridges_ports_and_lines() -> None:
    text = fixture_text("ovs-hv01.json")
    assert detect_platform(text) == "ovs"
    devs = by_name(parse_config(text, source="ovs-hv01.json"))
    assert set(devs) == {"hv01/br-loop", "hv01/br-trunk"}
    trunk = devs["hv01/br-trunk"]
    assert trunk.platform == "ovs" and trunk.source == "ovs-hv01.json"
    assert trunk.stp.enabled and trunk.stp.mode == "rstp"
    eth1 = trunk.interfaces["eth1"]
    # vlan_mode=trunk with an empty `trunks` set carries every VLAN
    assert eth1.mode == "trunk" and eth1.allowed_vlans is not None and eth1.allowed_vlans.is_all
    assert eth1.physical_uplink and eth1.kind == "physical"
    assert eth1.description == "uplink-tor1"
    # the line points at the Port row of eth1 in the bundle
    lines = text.splitlines()
    assert '"eth1"' in lines[eth1.line - 1] and '"vlan_mode"' not in lines[eth1.line - 1]
    assert lines[eth1.line - 1].count('"trunk"') == 1
    vnet0 = trunk.interfaces["vnet0"]
    assert vnet0.mode == "access" and vnet0.access_vlan == 10 and not vnet0.physical_uplink
    local = trunk.interfaces["br-trunk"]
    assert local.switched is False and local.kind == "internal"
    loop = devs["hv01/br-loop"]
    assert loop.stp.enabled is False
    assert '"br-loop"' in lines[loop.stp.line_of("enabled") - 1]
    assert {n for n, i in loop.interfaces.items() if i.physical_uplink} == {"eth5", "eth6"}
    assert loop.interfaces["eth5"].allowed_vlans == VlanSet.of([10, 20])
    assert loop.interfaces["vnet1"].edge is True and loop.interfaces["vnet1"].edge_trunk


def test_captured_hv02_bond_native_patch_policer() -> None:
    (dev,) = parse_config(fixture_text("ovs-hv02.json"))
    assert dev.hostname == "hv02/br-vm" and dev.stp.mode == "rstp"
    bond = dev.interfaces["bond0"]
    assert bond.kind == "aggregate" and sorted(bond.extra["members"]) == ["eth3", "eth4"]
    assert bond.physical_uplink and bond.allowed_vlans == VlanSet.of([10, 20])
    assert bond.extra["lacp"] == "active" and bond.extra["bond_mode"] == "balance-tcp"
    vnet3 = dev.interfaces["vnet3"]  # native-untagged tag=99 trunks=10
    assert vnet3.mode == "trunk" and vnet3.native_vlan == 99
    assert vnet3.allowed_vlans == VlanSet.of([10, 99])
    vnet2 = dev.interfaces["vnet2"]
    assert vnet2.storm_control["broadcast"].level == 5000 and vnet2.extra["policer"]
    assert vnet2.storm_control["broadcast"].unit == "pps"
    patch = dev.interfaces["patch-int"]
    assert patch.kind == "other" and not patch.physical_uplink
    # other_config:stp-enable=false does nothing on an RSTP bridge (that key is rstp-enable)
    assert dev.interfaces["eth7"].stp_disabled is False


def test_vlan_modes_and_bare_atom_sets() -> None:
    b = OvsBundle()
    b.bridge("br0", stp=True)
    b.port("br0", "p-implicit-trunk")
    b.port("br0", "p-implicit-access", tag=30)
    b.port("br0", "p-one-trunk", vlan_mode="trunk", trunks=[42])  # printed as bare 42
    b.port("br0", "p-native-tagged", vlan_mode="native-tagged", tag=5, trunks=[6, 7])
    b.port("br0", "p-native-all", vlan_mode="native-untagged", tag=5)
    b.port("br0", "p-tunnel", vlan_mode="dot1q-tunnel", tag=100)
    b.port("br0", "p-weird", vlan_mode="sideways", trunks=[0, 4095, 12])
    b.port("br0", "p-access-notag", vlan_mode="access")
    (dev,) = parse_config(b.text(), platform="ovs")
    ifs = dev.interfaces
    assert ifs["p-implicit-trunk"].mode == "trunk" and ifs["p-implicit-trunk"].allowed_vlans.is_all
    assert ifs["p-implicit-trunk"].extra["vlan_mode_implicit"]
    assert ifs["p-implicit-access"].mode == "access" and ifs["p-implicit-access"].access_vlan == 30
    assert ifs["p-one-trunk"].allowed_vlans == VlanSet.of([42])
    assert ifs["p-native-tagged"].native_vlan == 5
    assert ifs["p-native-tagged"].allowed_vlans == VlanSet.of([5, 6, 7])
    assert ifs["p-native-all"].allowed_vlans.is_all
    assert ifs["p-tunnel"].mode == "access" and ifs["p-tunnel"].access_vlan == 100
    assert ifs["p-weird"].mode == "trunk" and ifs["p-weird"].allowed_vlans == VlanSet.of([12])
    assert any("sideways" in w for w in dev.warnings)
    assert ifs["p-access-notag"].mode == "access" and ifs["p-access-notag"].access_vlan is None
    assert dev.stp.mode == "stp"


def test_per_port_stp_and_edge() -> None:
    b = OvsBundle()
    b.bridge("br-stp", stp=True)
    b.port("br-stp", "eth1", other_config={"stp-enable": "false"})
    b.port("br-stp", "eth2", other_config={"stp-enable": "true"})
    b.bridge("br-rstp", rstp=True)
    b.port("br-rstp", "eth3", other_config={"rstp-enable": "false"})
    b.port("br-rstp", "vnet9", itype="internal",
           other_config={"rstp-port-admin-edge": "true"})
    devs = by_name(parse_config(b.text(), platform="ovs"))
    stp = devs["hv9/br-stp"].interfaces
    assert stp["eth1"].stp_disabled and not stp["eth2"].stp_disabled
    assert stp["eth1"].line_of("stp_disabled") == stp["eth1"].line
    rstp = devs["hv9/br-rstp"].interfaces
    assert rstp["eth3"].stp_disabled
    assert rstp["vnet9"].edge is True


def test_uplink_heuristic_and_overrides() -> None:
    b = OvsBundle()
    b.bridge("br0")
    b.port("br0", "eno1")  # system NIC
    b.port("br0", "vnet0")  # libvirt tap added as a system port
    b.port("br0", "tapabc", external_ids={"iface-id": "x"})
    b.port("br0", "ens5", external_ids={})
    b.ifaces[-1]["external_ids"] = {"attached-mac": "52:54:00:00:00:01"}  # VM marks on iface
    b.port("br0", "dpdk0", itype="dpdk")
    b.port("br0", "vxlan0", itype="vxlan")
    b.port("br0", "int0", itype="internal")
    b.port("br0", "bond1", members=["eno2", "vnet7"])
    b.port("br0", "weird9")
    b.overrides = {"not_physical_uplinks": ["weird*"], "physical_uplinks": ["int0"]}
    (dev,) = parse_config(b.text(), platform="ovs")
    up = {n for n, i in dev.interfaces.items() if i.physical_uplink}
    assert up == {"eno1", "dpdk0", "bond1", "int0"}
    assert dev.interfaces["vxlan0"].kind == "tunnel"
    assert dev.interfaces["eno1"].kind == "physical" and dev.interfaces["vnet0"].kind == "other"
    assert dev.interfaces["bond1"].kind == "aggregate"


def test_policer_units_and_bonds() -> None:
    b = OvsBundle()
    b.bridge("br0")
    b.port("br0", "vm-kbps", itype="internal", ingress_policing_rate=10000)
    b.port("br0", "bond-policed", members=["a1", "a2"], ingress_policing_kpkts_rate=2)
    b.port("br0", "bond-half", members=["b1", "b2"])
    b.ifaces[-1]["ingress_policing_kpkts_rate"] = 3
    (dev,) = parse_config(b.text(), platform="ovs")
    sc = dev.interfaces["vm-kbps"].storm_control["broadcast"]
    assert (sc.level, sc.unit) == (10_000_000, "bps")
    sc = dev.interfaces["bond-policed"].storm_control["broadcast"]
    assert (sc.level, sc.unit) == (4000, "pps")  # two members, 2 kpps each
    assert dev.interfaces["bond-half"].storm_control == {}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "invalid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"kind": "linux_bridge", "links": []}', "'linux_bridge'"),
        ('{"kind": "ovs", "version": 7, "tables": {}}', "version 7"),
        ('{"kind": "ovs"}', 'no "tables"'),
        ('{"kind": "ovs", "tables": {"Bridge": {"headings": [], "data": []}}}',
         "tables.Port is missing"),
        ('{"kind": "ovs", "tables": {"Bridge": 3, "Port": 3, "Interface": 3}}',
         'tables.Bridge needs "headings"'),
    ],
)
def test_not_an_ovs_bundle_is_one_line_input_error(text: str, needle: str) -> None:
    with pytest.raises(InputError) as err:
        parse_config(text, platform="ovs", source="bad.json")
    msg = str(err.value)
    assert msg.startswith("bad.json: ") and needle in msg and "\n" not in msg


def test_malformed_rows_and_missing_refs_are_warnings() -> None:
    b = OvsBundle()
    b.bridge("br0")
    b.port("br0", "eth1", vlan_mode="trunk", trunks=[10])
    doc = b.doc()
    doc["tables"]["Port"]["data"].append(["short row"])
    doc["tables"]["Bridge"]["data"][0][3][1].append(["uuid", "00000000-dead-beef-0000-0"])
    doc["tables"]["Port"]["data"][1][7] = "ten"  # eth1's tag column
    (dev,) = parse_config(json.dumps(doc), platform="ovs")
    assert "eth1" in dev.interfaces
    assert any("malformed" in w for w in dev.warnings)
    assert any("missing" in w for w in dev.warnings)
    assert any("tag" in w for w in dev.warnings)


def test_pretty_printed_bundle_still_has_lines() -> None:
    b = OvsBundle()
    b.bridge("br0")
    b.port("br0", "eth1")
    text = json.dumps(b.doc(), indent=2)
    (dev,) = parse_config(text)
    line = dev.interfaces["eth1"].line
    port_uuid = b.ports[-1]["_uuid"]
    assert line is not None and port_uuid in text.splitlines()[line - 1]
