"""SG401 / SG402, and the standard rules on vSwitch devices, through the real engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from vswitch_kit import LinuxBundle, OvsBundle, fixture_text

from stormguard.engine import audit
from stormguard.parsers import parse_config
from stormguard.policy import load_policy


@pytest.fixture(scope="module")
def policy():
    return load_policy()


def findings(text: str, policy, platform: str | None = None):
    return audit(parse_config(text, platform=platform, source="t.json"), policy).findings


def rules_of(fs, device: str | None = None) -> set[str]:
    return {f.rule for f in fs if device is None or f.device == device}


def one(fs, rule: str):
    hits = [f for f in fs if f.rule == rule]
    assert len(hits) == 1, hits
    return hits[0]


# -- SG401 -------------------------------------------------------------------------------------


def test_sg401_ovs_two_loose_uplinks_without_stp(policy) -> None:
    b = OvsBundle("hv1")
    b.bridge("br0")
    b.port("br0", "eth1", vlan_mode="trunk", trunks=[10])
    b.port("br0", "eth2", vlan_mode="trunk", trunks=[10])
    b.port("br0", "vnet0", itype="internal", tag=10)
    text = b.text()
    fs = findings(text, policy)
    f = one(fs, "SG401")
    assert f.severity == "high" and f.device == "hv1/br0" and f.interface is None
    assert f.platform == "ovs" and "eth1" in f.message and "eth2" in f.message
    assert sorted(f.extra["uplinks"]) == ["eth1", "eth2"]
    assert '"br0"' in text.splitlines()[f.line - 1]  # the Bridge row: where stp_enable lives
    assert "ovs-vsctl add-bond br0 br0-bond eth1 eth2 lacp=active" in f.remediation
    assert "ovs-vsctl set bridge br0 rstp_enable=true" in f.remediation
    assert "SG201" in rules_of(fs)  # STP off on the bridge is SG201 too


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda b: (b.bridge("br0"),
                                b.port("br0", "bond0", members=["eth1", "eth2"])), id="bond"),
        pytest.param(lambda b: (b.bridge("br0", rstp=True), b.port("br0", "eth1"),
                                b.port("br0", "eth2")), id="rstp"),
        pytest.param(lambda b: (b.bridge("br0", stp=True), b.port("br0", "eth1"),
                                b.port("br0", "eth2", other_config={"stp-enable": "false"})),
                     id="one-port-stp-off"),
        pytest.param(lambda b: (b.bridge("br0"), b.port("br0", "eth1"),
                                b.port("br0", "vnet0"), b.port("br0", "vx0", itype="vxlan"),
                                b.port("br0", "patch0", itype="patch")), id="one-uplink"),
    ],
)
def test_sg401_ovs_protected_or_single(policy, build) -> None:
    b = OvsBundle()
    build(b)
    assert "SG401" not in rules_of(findings(b.text(), policy))


def test_sg401_ovs_stp_on_but_off_on_both_uplinks(policy) -> None:
    b = OvsBundle()
    b.bridge("br0", stp=True)
    b.port("br0", "eth1", other_config={"stp-enable": "false"})
    b.port("br0", "eth2", other_config={"stp-enable": "false"})
    text = b.text()
    f = one(findings(text, policy), "SG401")
    assert "spanning tree is off on them" in f.message
    assert b.ports[1]["_uuid"] in text.splitlines()[f.line - 1]  # eth1's Port row


def test_sg401_bond_plus_loose_nic_still_loops(policy) -> None:
    b = OvsBundle()
    b.bridge("br0")
    b.port("br0", "bond0", members=["eth1", "eth2"])
    b.port("br0", "eth3")
    f = one(findings(b.text(), policy), "SG401")
    assert sorted(f.extra["uplinks"]) == ["bond0", "eth3"]
    assert "add-bond" not in f.remediation  # a bond is there: the fix is STP (or re-cabling)


def test_sg401_linux(policy) -> None:
    b = LinuxBundle("hv2")
    b.bridge("br0")
    b.port("br0", "eno1", nic=True)
    b.port("br0", "eno2", nic=True)
    b.port("br0", "eno3", nic=True, up=False)  # admin down: not judged by default
    f = one(findings(b.text(), policy), "SG401")
    assert sorted(f.extra["uplinks"]) == ["eno1", "eno2"]
    assert "ip link add br0-bond type bond mode 802.3ad" in f.remediation
    assert "ip link set dev br0 type bridge stp_state 1" in f.remediation
    b.links[1]["linkinfo"]["info_data"]["stp_state"] = 1
    assert "SG401" not in rules_of(findings(b.text(), policy))


def test_sg401_min_uplinks_from_policy(tmp_path: Path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text("version: 1\nrules:\n  SG401: {min_uplinks: 3}\n")
    b = OvsBundle()
    b.bridge("br0")
    b.port("br0", "eth1")
    b.port("br0", "eth2")
    assert "SG401" not in rules_of(findings(b.text(), load_policy([pack])))
    b.port("br0", "eth3")
    assert "SG401" in rules_of(findings(b.text(), load_policy([pack])))


# -- SG402 -------------------------------------------------------------------------------------


def test_sg402_vlan_unaware_bridge_with_uplink(policy) -> None:
    b = LinuxBundle("hv3")
    b.bridge("br0", stp_state=1)
    b.port("br0", "eno1", nic=True)
    b.port("br0", "tap0", kind="tun")
    b.bridge("br-int", stp_state=1)  # host-only bridge: no uplink, no finding
    b.port("br-int", "tap1", kind="tun")
    text = b.text()
    fs = findings(text, policy)
    f = one(fs, "SG402")
    assert f.severity == "medium" and f.device == "hv3/br0" and f.interface is None
    assert '"ifname": "br0"' in text.splitlines()[f.line - 1]
    assert f.remediation.splitlines()[0] == "ip link set dev br0 type bridge vlan_filtering 1"
    assert "bridge vlan del dev eno1 vid 1" in f.remediation
    assert "SG101" not in rules_of(fs)  # not repeated per port
    b.links[1]["linkinfo"]["info_data"]["vlan_filtering"] = 1  # br0
    assert "SG402" not in rules_of(findings(b.text(), policy))


def test_sg402_is_linux_only(policy) -> None:
    b = OvsBundle()
    b.bridge("br0", rstp=True)
    b.port("br0", "eth1", tag=10)
    assert "SG402" not in rules_of(findings(b.text(), policy))


# -- standard rules on vSwitches --------------------------------------------------------------


def test_standard_rules_on_ovs(policy) -> None:
    b = OvsBundle("hv4")
    b.bridge("br0", rstp=True)
    b.port("br0", "eth1", vlan_mode="trunk")  # empty trunks: all VLANs
    b.port("br0", "eth2", vlan_mode="trunk", trunks=[10, 20],
           other_config={"rstp-port-admin-edge": "true"})
    b.port("br0", "eth3", tag=30, other_config={"rstp-enable": "false"})
    fs = findings(b.text(), policy)
    sg101 = one(fs, "SG101")
    assert sg101.interface == "eth1"
    assert sg101.remediation.splitlines()[1].startswith("ovs-vsctl set port eth1")
    sg202 = one(fs, "SG202")
    assert sg202.interface == "eth2"
    assert sg202.remediation == "ovs-vsctl set port eth2 other_config:rstp-port-admin-edge=false"
    sg201 = one(fs, "SG201")
    assert sg201.interface == "eth3" and "ovs-vsctl" in sg201.remediation
    assert "SG401" not in rules_of(fs)  # eth1/eth2 are under RSTP; eth3 alone is unprotected


def test_standard_rules_on_linux_trunks(policy) -> None:
    b = LinuxBundle()
    b.bridge("br0", stp_state=1, vlan_filtering=1)
    b.port("br0", "eno1", nic=True)
    b.vlan("eno1", {"vlan": 1, "vlanEnd": 4094})
    fs = findings(b.text(), policy)
    assert one(fs, "SG101").interface == "eno1"
    assert rules_of(fs) == {"SG101"}


def test_captured_fixtures_end_to_end(policy) -> None:
    fs = findings(fixture_text("ovs-hv01.json"), policy)
    assert rules_of(fs, "hv01/br-loop") == {"SG201", "SG401"}
    assert rules_of(fs, "hv01/br-trunk") == {"SG101"}
    assert findings(fixture_text("ovs-hv02.json"), policy) == []
    fs = findings(fixture_text("linux_bridge-hv03.json"), policy)
    assert rules_of(fs, "hv03/br-flat") == {"SG402"}  # one uplink: STP off cannot loop
    assert rules_of(fs, "hv03/br-loop") == {"SG201", "SG401", "SG402"}
    assert rules_of(fs, "hv03/br-stp") == {"SG402"}
    assert findings(fixture_text("linux_bridge-hv04.json"), policy) == []
