"""Nothing is dropped silently: a statement that can carry switchport, VLAN, STP or
storm-control settings and is not understood becomes a warning with its line; the thousands of
irrelevant or understood-but-irrelevant lines do not."""

from __future__ import annotations

import pytest

from stormguard.parsers import parse_config


def _warned_lines(text: str, platform: str) -> dict[int, str]:
    (dev,) = parse_config(text, platform)
    out = {}
    for w in dev.warnings:
        head, _, rest = w.partition(": ")
        assert head.startswith("line ")
        out[int(head[5:])] = rest
    return out


IOS_UNREAD = """hostname ios-1
spanning-tree mode rapid-pvst
spanning-tree portfast bpduguard
spanning-tree frobnicate
template ACCESS_PORTS
 switchport mode access
interface GigabitEthernet1/0/1
 switchport mode wobble
 switchport trunk allowed
 switchport trunk sideways vlan 10
 switchport trunkk
 spanning-tree portfaster
 spanning-tree port priority 16
 storm-control broadcast levels 10
 storm-control flood level 10
 source template ACCESS_PORTS
 macro apply cisco-desktop $AVID 10
default interface GigabitEthernet1/0/2
"""


def test_ios_unread_statements_warn_with_their_line():
    got = _warned_lines(IOS_UNREAD, "cisco_ios")
    assert sorted(got) == [3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]
    assert "unrecognised spanning-tree statement" in got[4]
    assert got[5].startswith("template settings are not read")
    assert "unrecognised switchport mode" in got[8]
    assert "interface template settings are not read" in got[16]
    assert "macro is not expanded" in got[17]
    assert "'default interface'" in got[18]
    assert got[14].endswith("storm-control broadcast levels 10")


IOS_QUIET = """hostname ios-2
spanning-tree mode mst
spanning-tree extend system-id
spanning-tree pathcost method long
spanning-tree vlan 1-4094 priority 24576
spanning-tree mst configuration
 name REGION
 instance 1 vlan 10-20
spanning-tree mst 0-1 priority 24576
spanning-tree loopguard default
spanning-tree etherchannel guard misconfig
no spanning-tree vlan 10 priority
vlan internal allocation policy ascending
interface GigabitEthernet1/0/1
 switchport trunk encapsulation dot1q
 switchport trunk pruning vlan 10
 switchport port-security maximum 2
 switchport protected
 switchport block unicast
 switchport voice vlan 20
 switchport host
 switchport private-vlan host-association 10 20
 switchport mode private-vlan host
 switchport mode dynamic auto
 switchport nonegotiate
 no switchport nonegotiate
 spanning-tree cost 100
 spanning-tree vlan 10 port-priority 64
 spanning-tree link-type point-to-point
 spanning-tree mst 1 cost 200
 storm-control broadcast include multicast
 storm-control action shutdown
 no storm-control action trap
 macro description cisco-desktop
 ip address 192.0.2.1 255.255.255.0
 hsrp 1
  switchport frobnicate
"""


def test_ios_known_irrelevant_statements_do_not_warn():
    assert _warned_lines(IOS_QUIET, "cisco_ios") == {}


NXOS_UNREAD = """switchname n9k-1
system default switchport
port-profile type ethernet SERVERS
  switchport mode trunk
  spanning-tree port type edge trunk
spanning-tree port type edge bpduguard default
spanning-tree port type sideways default
spanning-tree bogus-knob
interface Ethernet1/1
  switchport
  inherit port-profile SERVERS
  spanning-tree port typo edge
  storm-control broadcast level 10.00
  storm-control nonsense level 5
interface Ethernet1/2
  switchport mode fex-fabric
  switchport monitor
  switchport trunk allowed vlan 10
  spanning-tree port type network
  storm-control action trap
"""


def test_nxos_unread_statements_warn_with_their_line():
    got = _warned_lines(NXOS_UNREAD, "cisco_nxos")
    assert sorted(got) == [3, 7, 8, 11, 12, 14]
    assert got[3].startswith("port-profile settings are not read")
    assert got[11].startswith("port-profile settings are not read")
    assert "unrecognised spanning-tree default" in got[7]


EOS_UNREAD = """hostname eos-1
spanning-tree mode mstp
spanning-tree edge-port bpduguard default
spanning-tree priority 4096
spanning-tree bpduguard rate-limit default
spanning-tree wobble
interface Ethernet1
   switchport mode trunk
   switchport trunk group mlagpeer
   switchport trunk native vlan tag
   spanning-tree portfast auto
   no spanning-tree portfast auto
   spanning-tree link-type point-to-point
   spanning-tree wibble
   storm-control all level 5
   storm-control unknown-unicast level 2
   storm-control floods level 2
   switchport mode tap
   switchport vlan forwarding accept all
"""


def test_eos_unread_statements_warn_with_their_line():
    got = _warned_lines(EOS_UNREAD, "arista_eos")
    assert sorted(got) == [6, 14, 17]


@pytest.mark.parametrize("platform", ["cisco_ios", "cisco_nxos", "arista_eos"])
def test_fixture_configs_stay_quiet(platform, read_fixture):
    names = {"cisco_ios": ["iosxe_c9300_crlf.cfg"],
             "cisco_nxos": ["nxos_leaf.cfg", "nxos_n5k_fex.cfg"],
             "arista_eos": ["eos_leaf.cfg", "eos_campus_stp_off.cfg"]}[platform]
    for name in names:
        (dev,) = parse_config(read_fixture(name), platform)
        assert dev.warnings == [], name
