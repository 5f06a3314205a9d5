"""Real Linux bridges in network namespaces: build, collect through the driver, parse, audit."""

from __future__ import annotations

import pytest
from vswitch_kit import netns_names

from stormguard.collect.base import CollectError
from stormguard.collect.linux_bridge import collect
from stormguard.engine import audit
from stormguard.parsers import parse_config
from stormguard.policy import load_policy
from stormguard.testing.linuxbridge import BridgeLab, missing_requirements
from stormguard.vlans import VlanSet

pytestmark = pytest.mark.netns


def rules(lab: BridgeLab, **host_data) -> tuple[dict, dict[str, set[str]]]:
    got = collect(lab.host("hv-lb", **host_data))
    devs = {d.hostname: d for d in parse_config(got.config, source="live")}
    by_dev: dict[str, set[str]] = {name: set() for name in devs}
    for f in audit(devs.values(), load_policy()).findings:
        by_dev[f.device].add(f.rule)
    return devs, by_dev


def test_three_bridges_of_the_brief(bridge_lab: BridgeLab) -> None:
    lab = bridge_lab
    lab.add_bridge("br-flat", stp=True)  # vlan_filtering off + an uplink: SG402 only
    lab.add_uplink("br-flat", "up1", alias="uplink tor1")
    lab.add_guest("br-flat", "vm1")
    lab.add_bridge("br-loop")  # two uplinks, STP off: SG401 (+ SG201, SG402)
    lab.add_uplink("br-loop", "up2")
    lab.add_uplink("br-loop", "up3")
    lab.add_guest("br-loop", "eth7")  # a container veth named like a NIC: no third uplink
    lab.add_bridge("br-stp", stp=True)  # the same with STP on: no SG401
    lab.add_uplink("br-stp", "up4")
    lab.add_uplink("br-stp", "up5")
    devs, by_dev = rules(lab)
    assert by_dev == {
        "hv-lb/br-flat": {"SG402"},
        "hv-lb/br-loop": {"SG201", "SG401", "SG402"},
        "hv-lb/br-stp": {"SG402"},
    }
    flat = devs["hv-lb/br-flat"]
    assert flat.extra["netns"] == lab.ns and flat.extra["vlan_filtering"] is False
    assert flat.interfaces["up1"].description == "uplink tor1"
    assert not flat.interfaces["vm1"].physical_uplink
    loop = devs["hv-lb/br-loop"].interfaces
    assert {n for n, i in loop.items() if i.physical_uplink} == {"up2", "up3"}
    assert loop["eth7"].extra["uplink_source"] == "kernel: veth"
    assert loop["up2"].extra["uplink_source"] == "inventory physical_uplinks 'up*'"
    assert devs["hv-lb/br-stp"].stp.mode == "stp"


def test_without_the_override_veths_are_not_uplinks(bridge_lab: BridgeLab) -> None:
    bridge_lab.add_bridge("br-loop")
    bridge_lab.add_uplink("br-loop", "up2")
    bridge_lab.add_uplink("br-loop", "up3")
    _, by_dev = rules(bridge_lab, physical_uplinks=[])
    # two container veths, no uplink: no loop to the fabric, so STP off is no finding either
    assert by_dev == {"hv-lb/br-loop": set()}


def test_port_flags_and_admin_down(bridge_lab: BridgeLab) -> None:
    lab = bridge_lab
    lab.add_bridge("br0", stp=True)
    lab.add_uplink("br0", "up1")
    lab.add_guest("br0", "vm1")
    lab.port_flag("up1", "guard", True)
    lab.port_flag("up1", "root_block", True)
    lab.port_flag("vm1", "bcast_flood", False)
    lab.ip("link", "set", "vm1", "down")
    devs, _ = rules(lab)
    ifs = devs["hv-lb/br0"].interfaces
    assert ifs["up1"].bpdu_guard is True and ifs["up1"].root_guard is True
    assert ifs["vm1"].shutdown is True
    assert ifs["vm1"].storm_control["broadcast"].level == 0


def test_vlan_filtering_on_live(bridge_lab: BridgeLab) -> None:
    if not bridge_lab.supports("vlan_filtering"):
        pytest.skip("this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING); "
                    "covered by the linux_bridge-hv04 fixture tests")
    lab = bridge_lab
    lab.add_bridge("br0", vlan_filtering=True, stp=True)
    lab.add_uplink("br0", "up1")
    lab.vlan_del("up1", "1")
    lab.vlan_add("up1", "10")
    lab.vlan_add("up1", "20-22")
    lab.add_guest("br0", "vm1")
    lab.vlan_add("vm1", "10", pvid=True, untagged=True)
    devs, by_dev = rules(lab)
    assert by_dev == {"hv-lb/br0": set()}
    ifs = devs["hv-lb/br0"].interfaces
    assert ifs["up1"].allowed_vlans == VlanSet.parse("10,20-22")
    assert ifs["vm1"].access_vlan == 10


def test_bond_live(bridge_lab: BridgeLab) -> None:
    if not bridge_lab.supports("bond"):
        pytest.skip("this kernel has no bonding driver; covered by the linux_bridge-hv04 "
                    "fixture tests")
    lab = bridge_lab
    lab.add_bridge("br0")
    lab.add_bond("br0", "bond0", ["up1", "up2"])
    devs, by_dev = rules(lab)
    assert "SG401" not in by_dev["hv-lb/br0"]
    assert devs["hv-lb/br0"].interfaces["bond0"].kind == "aggregate"


def test_missing_namespace_is_unreachable(bridge_lab: BridgeLab) -> None:
    host = bridge_lab.host("hv-gone")
    host.netns = bridge_lab.ns + "-nope"
    with pytest.raises(CollectError) as err:
        collect(host)
    assert err.value.failure_class == "unreachable" and "hv-gone" in str(err.value)


@pytest.mark.skipif(missing_requirements() is not None, reason="needs iproute2 and root")
def test_lab_removes_only_its_namespaces_even_after_a_failure() -> None:
    lab = BridgeLab(prefix="sglb-td")
    with pytest.raises(RuntimeError), lab:
        lab.add_bridge("br0")
        lab.add_uplink("br0", "up1")
        assert {lab.ns, lab.fabric_ns} <= netns_names()
        raise RuntimeError("test body failed")
    assert not ({lab.ns, lab.fabric_ns} & netns_names())


def test_sg401_stp_remediation_applies_in_the_namespace(bridge_lab: BridgeLab) -> None:
    bridge_lab.add_bridge("br-loop")
    bridge_lab.add_uplink("br-loop", "up2")
    bridge_lab.add_uplink("br-loop", "up3")
    got = collect(bridge_lab.host("hv-lb"))
    (finding,) = [f for f in audit(parse_config(got.config), load_policy()).findings
                  if f.rule == "SG401"]
    stp_line = finding.remediation.splitlines()[-1]
    assert stp_line == "ip link set dev br-loop type bridge stp_state 1"
    bridge_lab.ip(*stp_line.split()[1:])  # the same command, inside the lab's namespace
    _, by_dev = rules(bridge_lab)
    assert by_dev == {"hv-lb/br-loop": {"SG402"}}
