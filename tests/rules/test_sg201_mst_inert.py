"""SG201: a per-VLAN spanning-tree disable while the device runs MST is inert - MST has no
per-VLAN tree - so it is reported at low severity, saying it becomes live if the mode changes.
(Cisco-family and EOS cases: tests/parsers_cisco/test_cisco_family_verdicts.py.)"""

from __future__ import annotations

import pytest
from sgrules_kit import device, hits, parse

from stormguard.vlans import VlanSet

H3C_PVST = """
sysname h3c-1
stp mode pvst
stp global enable
undo stp vlan 10 enable
#
return
"""

HUAWEI_VBST = """
sysname hw-1
stp mode vbst
stp vlan 10 disable
#
return
"""


@pytest.mark.parametrize(("text", "platform", "mode_line"), [
    (H3C_PVST, "hp_comware", "stp mode pvst\n"),
    (HUAWEI_VBST, "huawei", "stp mode vbst\n"),
])
def test_vrp_and_comware_per_vlan_disable(text, platform, mode_line):
    dev = parse(text, platform)
    assert dev.stp.disabled_vlans == VlanSet.of([10])
    (f,) = hits(dev, "SG201")
    assert f.severity == "high" and "inert" not in f.message  # a per-VLAN mode: live
    (f,) = hits(parse(text.replace(mode_line, "stp mode mstp\n"), platform), "SG201")
    assert f.severity == "low" and "inert" in f.message and "'mstp' configured" in f.message
    # no mode line: both default to MSTP
    (f,) = hits(parse(text.replace(mode_line, ""), platform), "SG201")
    assert f.severity == "low" and "platform default" in f.message


def test_mst_does_not_soften_a_global_or_per_port_disable():
    dev = device("cisco_ios")
    dev.stp.set("mode", "mst", 2)
    dev.stp.set("enabled", False, 3)
    (f,) = hits(dev, "SG201")
    assert f.severity == "high" and f.line == 3
