"""The bundled example configs for Junos, Huawei and H3C: each parses cleanly, the compliant one
passes the default policy and the violations one fires the storm rules it was written to show."""

from __future__ import annotations

from pathlib import Path

import pytest

from stormguard.engine import audit
from stormguard.parsers import parse_config
from stormguard.policy import load_policy

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CASES = {
    "juniper_junos": ("juniper_junos-compliant.conf", "juniper_junos-violations.conf",
                      # Junos has no BPDU filter, so no SG203
                      {"SG101", "SG201", "SG202", "SG204", "SG301", "SG302", "SG303"}),
    # Huawei detects MAC flapping by default (no SG205); H3C recovers after shutdown-interval
    # (30 s by default: no SG305)
    "huawei": ("huawei-compliant.cfg", "huawei-violations.cfg",
               {"SG101", "SG201", "SG202", "SG203", "SG204", "SG301", "SG302", "SG303",
                "SG304", "SG305", "SG306"}),
    "hp_comware": ("hp_comware-compliant.cfg", "hp_comware-violations.cfg",
                   {"SG101", "SG201", "SG202", "SG203", "SG204", "SG205", "SG301", "SG302",
                    "SG303", "SG304", "SG306"}),
}


@pytest.fixture(scope="module")
def policy():
    return load_policy()


def _device(name: str, platform: str):
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    (dev,) = parse_config(text, source=name)  # auto-detected
    assert dev.platform == platform
    assert dev.warnings == []
    return dev


@pytest.mark.parametrize("platform", sorted(CASES))
def test_compliant_example_is_clean(platform, policy):
    dev = _device(CASES[platform][0], platform)
    result = audit([dev], policy)
    assert [(f.rule, f.interface, f.line) for f in result.findings] == []
    assert result.errors == []


@pytest.mark.parametrize("platform", sorted(CASES))
def test_violations_example_fires_each_storm_rule(platform, policy):
    dev = _device(CASES[platform][1], platform)
    result = audit([dev], policy)
    assert result.errors == []
    assert {f.rule for f in result.findings} == CASES[platform][2]
    # every finding points at a real line of the file
    n_lines = (EXAMPLES / CASES[platform][1]).read_text(encoding="utf-8").count("\n")
    assert all(f.line is not None and 1 <= f.line <= n_lines for f in result.findings)


def test_hypervisor_trunks_in_the_violations_examples():
    """The headline problem of each file: a trunk to a hypervisor that carries every VLAN."""
    for platform, port in (("juniper_junos", "ge-0/0/0"), ("huawei", "GigabitEthernet0/0/1"),
                           ("hp_comware", "Bridge-Aggregation3")):
        dev = _device(CASES[platform][1], platform)
        iface = dev.interfaces[port]
        assert iface.mode == "trunk"
        assert iface.allowed_vlans is not None and iface.allowed_vlans.covers_all()
        assert any(k in iface.description for k in ("esx", "kvm"))
