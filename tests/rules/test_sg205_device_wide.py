"""SG205's device-wide path (Cisco IOS family, NX-OS, Huawei: the verdict and the fix are a
global statement, decided once per device) gives exactly the hits of the per-port path."""

from __future__ import annotations

import pytest
from sgrules_kit import parse

from stormguard.effective import effective_device
from stormguard.policy import load_policy
from stormguard.rules import RuleContext
from stormguard.rules import sg205_no_bpdu_independent_loop_protection as sg205

IOS = """
hostname sw1
{glob}
interface GigabitEthernet1/0/1
 description esx-01 vmnic0
 switchport mode access
interface GigabitEthernet1/0/2
 switchport mode access
 loopdetect
interface GigabitEthernet1/0/3
 description user-3
 switchport mode access
interface GigabitEthernet1/0/4
 description core-1 uplink
 switchport mode trunk
end
"""

NXOS = """
hostname n9k
{glob}
interface Ethernet1/1
  description kvm-01 eth0
  switchport
  switchport mode access
interface Ethernet1/2
  switchport
  switchport mode access
"""

HUAWEI = """
sysname s5720
{glob}
interface GigabitEthernet0/0/1
 description esx-02
 port link-type access
interface GigabitEthernet0/0/2
 port link-type access
 loopback-detect enable
interface GigabitEthernet0/0/3
 port link-type access
"""

CASES = [
    (IOS, "cisco_ios", ""),
    (IOS, "cisco_xe", "mac address-table notification mac-move"),
    (NXOS, "cisco_nxos", ""),
    (NXOS, "cisco_nxos", "mac address-table loop-detect port-down"),
    (HUAWEI, "huawei", "undo mac-address flapping detection"),
    (HUAWEI, "huawei", ""),
]


@pytest.mark.parametrize(("text", "platform", "glob"), CASES)
@pytest.mark.parametrize("flapping_default", [True, False])
def test_device_wide_equals_per_port(text: str, platform: str, glob: str,
                                     flapping_default: bool) -> None:
    policy = load_policy()
    dev = parse(text.format(glob=glob), platform)
    eff = effective_device(dev, policy)
    params = {**sg205.PARAMS, "huawei_mac_flapping_default": flapping_default}
    family = eff.family
    assert family in sg205._DEVICE_WIDE
    ports = [p for p in eff.ports if p.role in set(params["roles"])]
    fast = list(sg205._device_wide(eff, ports, family, params))
    slow = list(sg205._per_port(eff, ports, family, params))
    assert fast == slow
    ctx = RuleContext(rule_id="SG205", policy=policy, family=family)
    assert list(sg205.check(eff, params, ctx)) == slow


def test_cases_cover_hits_and_exemptions() -> None:
    policy = load_policy()
    eff = effective_device(parse(IOS.format(glob=""), "cisco_ios"), policy)
    ctx = RuleContext(rule_id="SG205", policy=policy, family="cisco")
    found = list(sg205.check(eff, sg205.PARAMS, ctx))
    assert [h.interface for h in found] == ["GigabitEthernet1/0/1", "GigabitEthernet1/0/3"]
    assert "role_source" in found[0].extra  # a role from the description
