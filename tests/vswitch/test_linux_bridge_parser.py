"""The Linux bridge parser on captured bundles (fixtures/) and built ones: no root needed."""

from __future__ import annotations

import json

import pytest
from vswitch_kit import LinuxBundle, fixture_text

from stormguard.errors import InputError
from stormguard.parsers import parse_config
from stormguard.parsers.detect import detect_platform
from stormguard.vlans import VlanSet


def by_name(devices):
    return {d.hostname: d for d in devices}


def test_captured_hv03_vlan_unaware_bridges() -> None:
    text = fixture_text("linux_bridge-hv03.json")
    assert detect_platform(text) == "linux_bridge"
    devs = by_name(parse_config(text, source="hv03.json"))
    assert set(devs) == {"hv03/br-flat", "hv03/br-loop", "hv03/br-stp"}
    flat = devs["hv03/br-flat"]
    assert flat.platform == "linux_bridge" and flat.extra["vlan_filtering"] is False
    assert flat.stp.enabled is False
    up1 = flat.interfaces["up1"]
    # veth uplinks are uplinks here because the bundle's overrides say so (up*)
    assert up1.physical_uplink and up1.description == "uplink tor1"
    assert up1.mode is None and up1.extra["vlan_aware"] is False
    assert not flat.interfaces["vm1"].physical_uplink
    lines = text.splitlines()
    assert '"ifname": "up1"' in lines[up1.line - 1]
    assert '"ifname": "br-flat"' in lines[flat.stp.line_of("enabled") - 1]
    stp = devs["hv03/br-stp"]
    assert stp.stp.enabled and stp.stp.mode == "stp"
    assert stp.interfaces["up4"].bpdu_guard is True
    assert stp.interfaces["up5"].root_guard is True and stp.interfaces["up5"].bpdu_guard is None
    vm2 = stp.interfaces["vm2"].storm_control
    assert set(vm2) == {"multicast"} and vm2["multicast"].level == 0


def test_captured_hv04_vlan_filtering_bond_rstp() -> None:
    (dev,) = parse_config(fixture_text("linux_bridge-hv04.json"))
    assert dev.hostname == "hv04/br0"
    assert dev.extra["vlan_filtering"] is True and dev.stp.mode == "rstp"
    bond = dev.interfaces["bond0"]
    assert bond.kind == "aggregate" and bond.extra["members"] == ["enp1s0f0", "enp1s0f1"]
    assert bond.extra["bond_mode"] == "802.3ad"
    # no overrides in this bundle: the bond is an uplink because its slaves sit on a PCI bus
    assert bond.physical_uplink
    assert bond.mode == "trunk" and bond.allowed_vlans == VlanSet.of([10, 20])
    assert bond.native_vlan is None
    vnet0 = dev.interfaces["vnet0"]
    assert vnet0.mode == "access" and vnet0.access_vlan == 10 and not vnet0.physical_uplink
    vnet1 = dev.interfaces["vnet1"]
    assert vnet1.mode == "trunk" and vnet1.allowed_vlans == VlanSet.of([1, 20, 21, 22])
    assert vnet1.native_vlan == 1 and vnet1.bpdu_guard is True
    assert "enp1s0f0" not in dev.interfaces  # bond slaves are not bridge ports


def test_uplink_heuristic() -> None:
    b = LinuxBundle()
    b.bridge("br0")
    b.port("br0", "eno1", nic=True)  # parentbus
    b.port("br0", "eth9")  # no rtnl kind: a NIC driver
    b.port("br0", "veth1", kind="veth")
    b.port("br0", "tap1", kind="tun", info_data={"type": "tap"})
    b.port("br0", "vx1", kind="vxlan")
    b.port(None, "eno2", nic=True, master="bond0")
    b.port("br0", "bond0", kind="bond", info_data={"mode": "active-backup"})
    b.port(None, "veth7", kind="veth", master="bond1")
    b.port("br0", "bond1", kind="bond")
    b.port(None, "eno3", nic=True)
    b.port("br0", "eno3.100", kind="vlan", link="eno3")
    b.port("br0", "mac0", kind="macvlan", link="eno3")
    (dev,) = parse_config(b.text(), platform="linux_bridge")
    up = {n for n, i in dev.interfaces.items() if i.physical_uplink}
    assert up == {"eno1", "eth9", "bond0", "eno3.100"}
    assert dev.interfaces["vx1"].kind == "tunnel"
    assert dev.interfaces["bond1"].kind == "aggregate"
    b.overrides = {"physical_uplinks": ["veth*"], "not_physical_uplinks": ["eth9"]}
    (dev,) = parse_config(b.text(), platform="linux_bridge")
    up = {n for n, i in dev.interfaces.items() if i.physical_uplink}
    assert up == {"eno1", "bond0", "eno3.100", "veth1", "bond1"}


def test_vlan_entries_both_iproute2_shapes() -> None:
    b = LinuxBundle()
    b.bridge("br0", vlan_filtering=1)
    b.port("br0", "eno1", nic=True)
    b.port("br0", "vm1", kind="tun")
    b.port("br0", "vm2", kind="tun")
    b.port("br0", "vm3", kind="tun")
    new = [
        {"ifname": "eno1", "vlans": [{"vlan": 1, "flags": ["PVID", "Egress Untagged"]},
                                     {"vlan": 100, "vlanEnd": 199}]},
        {"ifname": "vm1", "vlans": [{"vlan": 30, "flags": ["PVID", "Egress Untagged"]}]},
        {"ifname": "vm2", "vlans": [{"vlan": 30, "flags": ["PVID"]}]},  # tagged PVID
    ]
    old = {e["ifname"]: e["vlans"] for e in new}
    for shape in (new, old):
        doc = b.doc()
        doc["vlans"] = shape
        (dev,) = parse_config(json.dumps(doc), platform="linux_bridge")
        ifs = dev.interfaces
        assert ifs["eno1"].mode == "trunk" and ifs["eno1"].native_vlan == 1
        assert ifs["eno1"].allowed_vlans == VlanSet.parse("1,100-199")
        assert ifs["vm1"].mode == "access" and ifs["vm1"].access_vlan == 30
        assert ifs["vm2"].mode == "trunk" and ifs["vm2"].native_vlan is None
        assert ifs["vm3"].mode is None and ifs["vm3"].allowed_vlans == VlanSet.none()


def test_flags_admin_down_and_bad_entries() -> None:
    b = LinuxBundle()
    b.bridge("br0", stp_state=1, vlan_filtering=1)
    b.port("br0", "eno1", nic=True, up=False,
           flags={"bcast_flood": False, "flood": False, "guard": True})
    b.vlan("eno1", {"vlan": "x"}, {"vlan": 5000}, {"vlan": 7})
    doc = b.doc()
    doc["links"].append("not a link")
    doc["vlans"].append(17)
    (dev,) = parse_config(json.dumps(doc), platform="linux_bridge")
    eno1 = dev.interfaces["eno1"]
    assert eno1.shutdown is True and eno1.bpdu_guard is True
    assert set(eno1.storm_control) == {"broadcast", "unknown-unicast"}
    assert eno1.allowed_vlans == VlanSet.of([7])
    text = " | ".join(dev.warnings)
    assert "malformed link" in text and "malformed `bridge vlan`" in text
    assert "ignored VLAN" in text


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{", "invalid JSON"),
        ('{"kind": "ovs", "tables": {}}', "'ovs'"),
        ('{"kind": "linux_bridge"}', '"links" must be a list'),
        ('{"kind": "linux_bridge", "links": {}}', '"links" must be a list'),
    ],
)
def test_not_a_linux_bundle_is_one_line_input_error(text: str, needle: str) -> None:
    with pytest.raises(InputError) as err:
        parse_config(text, platform="linux_bridge", source="x.json")
    assert str(err.value).startswith("x.json: ") and needle in str(err.value)


def test_host_without_bridges_gives_no_devices() -> None:
    b = LinuxBundle()
    b.port(None, "eno1", nic=True)
    assert parse_config(b.text(), platform="linux_bridge") == []
