"""The engine: severities, disabled rules, waivers (glob, expiry), robustness."""

from __future__ import annotations

import datetime as dt

from sgrules_kit import TODAY, device, parse, port, run, write_pack

from stormguard.engine import audit
from stormguard.model import StormControl
from stormguard.policy import load_policy

IOS = """
hostname dc1-acc-3
interface GigabitEthernet1/0/41
 description esx-41
 switchport mode trunk
 spanning-tree portfast trunk
interface GigabitEthernet1/0/49
 description esx-49
 switchport mode trunk
 spanning-tree portfast trunk
"""


def test_findings_carry_everything() -> None:
    res = run(parse(IOS, "cisco_ios"))
    assert res.devices == 1 and res.expired_waivers == [] and res.errors == []
    f = next(f for f in res.findings if f.rule == "SG202")
    assert (f.device, f.platform, f.source) == ("dc1-acc-3", "cisco_ios", "test.cisco_ios")
    assert f.interface == "GigabitEthernet1/0/41" and f.line == 5
    assert f.message and f.expected and f.actual and f.remediation
    assert f.waived is False and f.waiver is None


def test_severity_override_and_disable(tmp_path) -> None:
    pack = write_pack(tmp_path, "rules:\n  SG202: {severity: critical}\n  SG101: false\n")
    res = run(parse(IOS, "cisco_ios"), load_policy([pack]))
    rules = {f.rule for f in res.findings}
    assert "SG101" not in rules
    assert {f.severity for f in res.findings if f.rule == "SG202"} == {"critical"}


WAIVERS = """
waivers:
  - rule: SG202
    device: 'dc1-acc-*'
    interface: 'GigabitEthernet1/0/4[0-8]'
    reason: blade chassis
    owner: netops
    expires: 2026-11-25
  - rule: SG101
    device: 'dc1-*'
    reason: old waiver
    owner: netops
    expires: 2026-01-31
  - rule: SG301
    device: 'dc9-*'
    reason: other site
    owner: netops
"""


def test_waivers_glob_and_expiry(tmp_path) -> None:
    pol = load_policy([write_pack(tmp_path, WAIVERS)])
    dev = parse(IOS, "cisco_ios")
    res = audit([dev], pol, today=TODAY)
    sg202 = {f.interface: f for f in res.findings if f.rule == "SG202"}
    assert sg202["GigabitEthernet1/0/41"].waived is True
    assert sg202["GigabitEthernet1/0/41"].waiver.reason == "blade chassis"
    assert sg202["GigabitEthernet1/0/41"].waiver.source.endswith("pack.yaml:2")
    assert sg202["GigabitEthernet1/0/49"].waived is False  # 49 is outside [0-8]
    # the expired SG101 waiver no longer applies and is reported
    assert all(not f.waived for f in res.findings if f.rule == "SG101")
    assert [w.reason for w in res.expired_waivers] == ["old waiver"]
    # valid through its expiry date; the day after it stops applying
    later = audit([dev], pol, today=TODAY + dt.timedelta(days=1))
    assert not any(f.waived for f in later.findings)
    assert [w.reason for w in later.expired_waivers] == ["blade chassis", "old waiver"]


def test_global_findings_only_waived_by_interface_star(tmp_path) -> None:
    pol = load_policy([write_pack(tmp_path, """
    waivers:
      - {rule: SG201, device: 'sw*', interface: 'Gi*', reason: r, owner: o}
    """)])
    dev = parse("hostname sw1\nno spanning-tree vlan 5\n", "cisco_ios")
    f = [f for f in run(dev, pol).findings if f.rule == "SG201"]
    assert len(f) == 1 and not f[0].waived
    pol2 = load_policy([write_pack(tmp_path, """
    waivers:
      - {rule: SG201, device: 'sw*', reason: r, owner: o}
    """, "p2.yaml")])
    assert [f.waived for f in run(dev, pol2).findings if f.rule == "SG201"] == [True]


def test_a_failing_rule_does_not_sink_the_audit() -> None:
    dev = device("cisco_ios")
    p = port(dev, "Gi1/0/1", 2, mode="access")
    p.storm_control["broadcast"] = StormControl("broadcast", "lots", "percent", line=3)  # type: ignore[arg-type]
    ok = device("cisco_ios", "sw2")
    port(ok, "Gi1/0/1", 2, mode="trunk")
    res = run([dev, ok])
    assert res.devices == 2
    assert any("rule SG302 failed" in e for e in res.errors)
    assert any(f.device == "sw2" and f.rule == "SG101" for f in res.findings)
    assert any("SG302" in w for w in dev.warnings)


def test_platform_restricted_rules_skip_vswitch() -> None:
    dev = device("ovs", "hv1/br0")
    port(dev, "vnet0", 2, mode="trunk")
    rules = {f.rule for f in run(dev).findings}
    assert "SG101" in rules  # an OVS trunk with empty trunks carries every VLAN
    assert not rules & {"SG204", "SG301", "SG302", "SG303"}
    assert dev.warnings == []
    dev.stp.set("enabled", False, None)
    assert "SG201" not in {f.rule for f in run(dev).findings}  # no uplink: STP off cannot loop
    port(dev, "eth1", 5, mode="trunk", physical_uplink=True)
    port(dev, "eth2", 8, mode="trunk", physical_uplink=True)
    sg201 = [f for f in run(dev).findings if f.rule == "SG201"]
    assert [f.remediation for f in sg201] == ["ovs-vsctl set bridge br0 rstp_enable=true"]


def test_hit_and_finding_field_order_that_the_hot_path_relies_on() -> None:
    # The engine builds Finding, and SG205/SG306 build Hit, with positional arguments (the
    # `stormguard lint` hot path): a field added in the middle would shift them silently.
    from dataclasses import fields

    from stormguard.findings import Finding
    from stormguard.rules.base import Hit

    assert [f.name for f in fields(Hit)][:7] == [
        "message", "interface", "line", "expected", "actual", "remediation", "extra"]
    assert [f.name for f in fields(Finding)] == [
        "rule", "severity", "device", "platform", "interface", "line", "message", "expected",
        "actual", "remediation", "source", "waived", "waiver", "extra"]
