"""The shipped example configs (`examples/<platform>-*.cfg`) parse cleanly and say what they claim.

They feed the `stormguard lint` demo, the fake switches and the rule tests, so this pins their
content at model level: the compliant ones have nothing storm-unsafe on any in-scope port, the
violation ones have each planted problem exactly where it was planted.
"""

from __future__ import annotations

import re

import pytest

from stormguard.parsers import parse_config
from stormguard.parsers.detect import detect_platform
from stormguard.resources import data_dir

PLATFORMS = ("cisco_ios", "cisco_nxos", "arista_eos")
HYPERVISOR = re.compile(r"esx|kvm|hyper-?v|hypervisor|vmware|vsw|ovs|openstack|compute", re.I)
INTER_SWITCH = re.compile(r"uplink|downlink|core|dist|agg|spine|leaf|peer-link|isl", re.I)


def load(platform: str, kind: str):
    path = data_dir("examples") / f"{platform}-{kind}.cfg"
    text = path.read_text(encoding="utf-8")
    assert detect_platform(text, str(path)) == platform
    devs = parse_config(text, None, source=str(path))
    assert len(devs) == 1
    dev = devs[0]
    assert dev.platform == platform
    assert dev.warnings == []
    return dev


def role(iface) -> str:
    if HYPERVISOR.search(iface.description):
        return "hypervisor"
    if INTER_SWITCH.search(iface.description):
        return "inter-switch"
    return iface.mode or "access"


def in_scope(iface) -> bool:
    """Switched, admin-up ports (the platforms here default to layer 2 on Ethernet ports)."""
    return (
        not iface.shutdown
        and iface.switched is not False
        and iface.kind in ("physical", "aggregate")
    )


@pytest.mark.parametrize("platform", PLATFORMS)
def test_compliant_example_is_storm_safe(platform):
    dev = load(platform, "compliant")
    assert dev.stp.enabled and not dev.stp.disabled_vlans
    assert dev.stp.bpdu_filter_default is False
    ports = [i for i in dev.interfaces.values() if in_scope(i)]
    assert len(ports) >= 8
    roles = {role(i) for i in ports}
    assert {"hypervisor", "inter-switch"} <= roles
    for p in ports:
        if p.is_trunk:
            assert p.allowed_vlans is not None and not p.allowed_vlans.covers_all(), p.name
            assert not p.edge, p.name
        if role(p) in ("hypervisor", "inter-switch"):
            assert not p.edge, p.name
        assert not p.bpdu_filter and not p.stp_disabled, p.name
        if p.edge:
            assert p.bpdu_guard or dev.stp.bpdu_guard_default, p.name
        if role(p) == "inter-switch":
            continue
        bc = p.storm_control.get("broadcast")
        assert bc is not None, p.name
        limit = {"percent": 10, "pps": 10_000, "bps": 100e6}[bc.unit]
        assert bc.level <= limit, p.name
        if platform != "arista_eos":  # EOS storm-control only drops
            assert p.storm_actions, p.name


def _port(dev, description: str):
    found = [i for i in dev.interfaces.values() if i.description == description]
    assert len(found) == 1, description
    return found[0]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_violations_example_has_each_planted_problem(platform):
    dev = load(platform, "violations")
    up = [i for i in dev.interfaces.values() if in_scope(i)]
    hv = [i for i in up if role(i) == "hypervisor"]
    # `no spanning-tree vlan ...`
    assert dev.stp.disabled_vlans
    # a trunk to an ESXi host allowing all VLANs (no list at all)
    assert any(i.is_trunk and i.allowed_vlans is None and "esx" in i.description for i in hv)
    # portfast / edge on a hypervisor trunk
    assert any(i.is_trunk and i.edge and (i.edge_trunk or platform == "arista_eos") for i in hv)
    # BPDU filter
    assert any(i.bpdu_filter for i in up)
    # a hypervisor port with no storm-control at all
    assert any(not i.storm_control for i in hv)
    # broadcast storm-control above 10 %
    assert any(
        (bc := i.storm_control.get("broadcast")) and bc.unit == "percent" and bc.level > 10
        for i in up
    )
    if platform != "arista_eos":
        # storm-control configured but no trap/shutdown action
        assert any(i.storm_control and not i.storm_actions for i in up)


def test_violations_positions_ios():
    dev = load("cisco_ios", "violations")
    assert _port(dev, "esx-01 vmnic0").allowed_vlans is None
    assert _port(dev, "esx-01 vmnic1").allowed_vlans.covers_all()  # 1-4094
    esx2 = _port(dev, "kvm-compute-06 eno1")
    assert esx2.edge and esx2.edge_trunk and esx2.bpdu_guard
    assert _port(dev, "kvm-compute-07 eno1").bpdu_filter is True
    assert _port(dev, "kvm-compute-08 eno1").storm_control == {}
    assert _port(dev, "esx-03 vmnic0").storm_control["broadcast"].level == 30.0
    esx3b = _port(dev, "esx-03 vmnic1")
    assert esx3b.storm_control and esx3b.storm_actions == set()
    desk = _port(dev, "desk 4-109 (temp: docking station tests)")
    assert desk.edge and desk.bpdu_guard is None and not dev.stp.bpdu_guard_default
    assert dev.stp.disabled_vlans.to_text() == "110"


def test_examples_keep_their_banner_out_of_the_model():
    dev = load("cisco_ios", "compliant")
    # the banner shows `switchport mode trunk` / `spanning-tree portfast trunk` as text
    assert not any(i.edge_trunk for i in dev.interfaces.values())
