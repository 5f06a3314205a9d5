"""SG101 and SG301 build a port's fix once per device (Cisco family, EOS) and give the other
ports its body under their own header: pinned equal to the remediation helpers called for
every port, over the examples, the rule fixtures, a generated 300-port IOS config, and the
same configs with their ports inheriting from an interface range or with a policy whose
maximum leaves nothing to propose."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from stormguard import remediation
from stormguard.effective import EffectiveDevice, effective_device
from stormguard.parsers import parse_config
from stormguard.policy import load_policy
from stormguard.rules import sg101_trunk_allows_all_vlans as sg101
from stormguard.rules import sg301_no_broadcast_storm_control as sg301
from stormguard.rules.sg302_storm_threshold_too_high import PARAMS as SG302_PARAMS
from stormguard.vlans import VlanSet

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from gen_ios import generate  # noqa: E402

TEXTS = {p.name: (p.read_text(), None) for p in sorted(
    [*ROOT.glob("examples/*.cfg"), *ROOT.glob("tests/rules/fixtures/*.cfg"),
     *ROOT.glob("tests/rules/fixtures/*.conf")])}
TEXTS["generated"] = (generate(300, seed=3), "cisco_ios")
TEXTS["range"] = ("""hostname r1
vlan 10,20,30
interface range GigabitEthernet1/0/1 - 4
 switchport mode trunk
 switchport trunk allowed vlan 1-4094
interface GigabitEthernet1/0/1
 switchport mode trunk
interface GigabitEthernet1/0/2
 switchport mode trunk
 switchport trunk allowed vlan 1-4094
interface GigabitEthernet1/0/5
 switchport mode trunk
interface GigabitEthernet1/0/6
 switchport mode trunk
 switchport trunk allowed vlan 1-4094
""", "cisco_ios")


def test_range_ports_inherit() -> None:
    """The "range" config does exercise a fix written at the interface range."""
    ports = [p for d in _devices("range") for p in d.ports]
    assert any(remediation.vlan_context(p)["at"] is not None for p in ports)


def _devices(name: str) -> list[EffectiveDevice]:
    text, platform = TEXTS[name]
    policy = load_policy()
    return [effective_device(d, policy) for d in parse_config(text, platform, source=name)]


@pytest.mark.parametrize("pol", [SG302_PARAMS, {**SG302_PARAMS, "max_percent": 0.0,
                                                "max_pps": 0}])
@pytest.mark.parametrize("name", sorted(TEXTS))
def test_sg301_fixes_equal_the_helper(name: str, pol: dict) -> None:
    for dev in _devices(name):
        fix = sg301._fixer(dev, dev.family, pol)
        for port in [*dev.storm_ports, *dev.storm_ports]:
            assert fix(port) == remediation.storm_broadcast(
                dev.family, port.name, float(pol["max_percent"]), int(pol["max_pps"]),
                v=remediation.variant(dev), iface=port.iface)


LONG = VlanSet.of(range(2, 4000, 3))  # too long for one line: summarised, or add/remove


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("name", sorted(TEXTS))
def test_sg101_fixes_equal_the_helper(name: str, full: bool) -> None:
    token = remediation.FULL_LISTS.set(full)  # `stormguard fix` writes long lists in full
    try:
        _check_sg101(name)
    finally:
        remediation.FULL_LISTS.reset(token)


def _check_sg101(name: str) -> None:
    for dev in _devices(name):
        fix = sg101._fixer(dev, dev.family, 4000)
        defined = dev.defined_vlans - VlanSet.of([1])
        for port in [*dev.ports, *dev.ports]:
            for proposal in (sg101.suggested_vlans(dev, port.permitted_vlans, defined),
                             VlanSet.of([10, 20]), LONG, VlanSet.all(), "VLAN-LIST"):
                current = port.allowed_vlans.value
                assert fix(port, proposal, current) == remediation.trunk_allowed(
                    dev.family, port.name, proposal,
                    dev.vlan_names if dev.family == "junos" else None, current=current,
                    all_threshold=4000, **remediation.vlan_context(port))
