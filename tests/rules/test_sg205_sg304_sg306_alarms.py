"""SG205 (BPDU-independent loop protection), SG304 (storm events leave the box), SG305
(err-disable recovery) and SG306 (multicast / unknown-unicast storm-control): fires / does not
fire per platform, on real configuration syntax, and what the parsers read for them."""

from __future__ import annotations

import pytest
from sgrules_kit import hits, on, parse, write_pack

from stormguard.fix import fix_config
from stormguard.policy import load_policy

# -- SG205 ------------------------------------------------------------------------------------

IOS_ACCESS = """
hostname sw1
{glob}
interface GigabitEthernet1/0/1
 switchport mode access
 switchport access vlan 10
{port}
!
interface GigabitEthernet1/0/2
 description core-1 uplink
 switchport mode trunk
 switchport trunk allowed vlan 10
!
end
"""


def _ios(glob: str = "", port: str = "", platform: str = "cisco_xe"):
    return parse(IOS_ACCESS.format(glob=glob, port=port), platform)


def test_sg205_ios_fires_on_access_port_only() -> None:
    found = hits(_ios(), "SG205")
    assert [f.interface for f in found] == ["GigabitEthernet1/0/1"]  # not the uplink
    assert found[0].severity == "high"
    assert found[0].remediation == "mac address-table notification mac-move"


@pytest.mark.parametrize(("glob", "port"), [
    ("mac address-table notification mac-move", ""),
    ("mac-address-table notification mac-move", ""),  # older IOS spelling
    ("", " loopdetect"),  # IOS-XE loop detection guard on the port
])
def test_sg205_ios_quiet_with_mac_move_or_loopdetect(glob: str, port: str) -> None:
    assert hits(_ios(glob, port), "SG205") == []


def test_sg205_ios_negated_notification_does_not_count() -> None:
    dev = _ios("mac address-table notification mac-move\nno mac address-table notification "
               "mac-move")
    assert len(hits(dev, "SG205")) == 1


NXOS = """
hostname n9k
{glob}
interface Ethernet1/5
  description kvm-07 eth0
  switchport
  switchport mode trunk
  switchport trunk allowed vlan 10,20
"""


def test_sg205_nxos() -> None:
    dev = parse(NXOS.format(glob=""), "cisco_nxos")
    found = hits(dev, "SG205")
    assert [f.interface for f in found] == ["Ethernet1/5"]
    assert found[0].extra.get("role") == "hypervisor"
    assert found[0].remediation == "mac address-table loop-detect port-down"
    # notification alone is not the NX-OS loop detection
    dev = parse(NXOS.format(glob="mac address-table notification mac-move"), "cisco_nxos")
    assert len(hits(dev, "SG205")) == 1
    dev = parse(NXOS.format(glob="mac address-table loop-detect port-down"), "cisco_nxos")
    assert hits(dev, "SG205") == []


EOS = """
hostname leaf1
{glob}
interface Ethernet3
   switchport access vlan 10
{port}
"""


@pytest.mark.parametrize(("glob", "port", "fires"), [
    ("", "", True),
    ("monitor loop-protection\n   protect vlan 10", "   loop-protection", True),  # shut
    ("monitor loop-protection\n   no shutdown\n   protect vlan 10", "", True),  # port off
    ("monitor loop-protection\n   no shutdown\n   protect vlan 20", "   loop-protection", True),
    ("monitor loop-protection\n   no shutdown\n   protect vlan 10", "   loop-protection", False),
    ("monitor loop-protection\n   no shutdown", "   loop-protection", False),
])
def test_sg205_eos(glob: str, port: str, fires: bool) -> None:
    dev = parse(EOS.format(glob=glob, port=port), "arista_eos")
    assert bool(hits(dev, "SG205")) is fires


def test_sg205_eos_fix_round_trips() -> None:
    text = EOS.format(glob="", port="")
    res = fix_config(text, platform="arista_eos", rules=["SG205"])
    assert "monitor loop-protection\n   no shutdown\n   protect vlan 10" in res.text
    assert hits(parse(res.text, "arista_eos"), "SG205") == []


HUAWEI = """
sysname hw1
{glob}
#
interface GigabitEthernet0/0/3
 port link-type access
 port default vlan 10
{port}
#
return
"""


def test_sg205_huawei_mac_flapping_on_by_default() -> None:
    assert hits(parse(HUAWEI.format(glob="", port=""), "huawei"), "SG205") == []
    off = parse(HUAWEI.format(glob="undo mac-address flapping detection", port=""), "huawei")
    found = hits(off, "SG205")
    assert len(found) == 1 and found[0].remediation == "mac-address flapping detection"
    looped = parse(HUAWEI.format(glob="undo mac-address flapping detection",
                                 port=" loopback-detect enable"), "huawei")
    assert hits(looped, "SG205") == []


def test_sg205_huawei_policy_says_no_default(tmp_path) -> None:
    pack = write_pack(tmp_path, "rules:\n  SG205: {huawei_mac_flapping_default: false}\n")
    pol = load_policy([pack])
    assert len(hits(parse(HUAWEI.format(glob="", port=""), "huawei"), "SG205", pol)) == 1


H3C = """
#
 sysname h3c1
{glob}
#
interface GigabitEthernet1/0/3
 port access vlan 10
{port}
#
return
"""


@pytest.mark.parametrize(("glob", "port", "fires"), [
    ("", "", True),
    # v7: enabled, but with no action it only logs
    (" loopback-detection global enable vlan all", "", True),
    (" loopback-detection global enable vlan all\n loopback-detection global action shutdown",
     "", False),
    ("", " loopback-detection enable vlan all\n loopback-detection action block", False),
])
def test_sg205_comware(glob: str, port: str, fires: bool) -> None:
    dev = parse(H3C.format(glob=glob, port=port), "hp_comware")
    assert bool(hits(dev, "SG205")) is fires


def test_sg205_not_on_junos_yet() -> None:
    dev = parse("set system host-name ex1\n"
                "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members v10\n"
                "set vlans v10 vlan-id 10\n", "juniper_junos")
    assert hits(dev, "SG205") == []


# -- SG304 ------------------------------------------------------------------------------------


def test_sg304_ios() -> None:
    assert len(hits(_ios(), "SG304")) == 1
    assert hits(_ios("logging host 192.0.2.10"), "SG304") == []
    assert hits(_ios("logging 192.0.2.10"), "SG304") == []  # old IOS spelling
    # a trap host without the storm-control / errdisable traps: nothing leaves
    trap_only = _ios("snmp-server host 192.0.2.11 version 2c s3cret")
    found = hits(trap_only, "SG304")
    assert len(found) == 1 and "storm-control, errdisable" in found[0].message
    assert found[0].remediation == ("snmp-server enable traps storm-control\n"
                                    "snmp-server enable traps errdisable")
    ok = _ios("snmp-server host 192.0.2.11 version 2c s3cret\n"
              "snmp-server enable traps storm-control trap-rate 5\n"
              "snmp-server enable traps errdisable")
    assert hits(ok, "SG304") == []
    # logging trap critical drops the warnings
    low = hits(_ios("logging host 192.0.2.10\nlogging trap critical"), "SG304")
    assert len(low) == 1 and low[0].remediation == "logging trap warnings"
    assert low[0].line == 3  # the `logging trap` line


def test_sg304_log_host_from_policy(tmp_path) -> None:
    found = hits(_ios(), "SG304")
    assert found[0].remediation.startswith("! not auto-fixable: the policy names no syslog")
    pol = load_policy([write_pack(tmp_path, "rules:\n  SG304: {log_host: 192.0.2.10}\n")])
    res = fix_config(IOS_ACCESS.format(glob="", port=""), platform="cisco_xe", policy=pol,
                     rules=["SG304"])
    assert "logging host 192.0.2.10" in res.text
    assert hits(parse(res.text, "cisco_xe"), "SG304") == []


def test_sg304_nxos_eos_vrp() -> None:
    nx = parse(NXOS.format(glob="logging server 192.0.2.10 5 use-vrf management"),
               "cisco_nxos")
    assert hits(nx, "SG304") == []
    eos = parse(EOS.format(glob="snmp-server host 192.0.2.11 version 2c s3cret", port=""),
                "arista_eos")
    assert hits(eos, "SG304") == []  # EOS traps are on unless switched off
    eos_log = parse(EOS.format(glob="logging vrf MGMT host 192.0.2.10", port=""), "arista_eos")
    assert hits(eos_log, "SG304") == [] and eos_log.alarms.log_hosts == {"192.0.2.10": 2}
    eos_off = parse(EOS.format(glob="snmp-server host 192.0.2.11 version 2c s3cret\n"
                               "no snmp-server enable traps", port=""), "arista_eos")
    assert len(hits(eos_off, "SG304")) == 1
    hw = parse(HUAWEI.format(glob="info-center loghost 192.0.2.10", port=""), "huawei")
    assert hits(hw, "SG304") == []
    hw_off = parse(HUAWEI.format(glob="info-center loghost 192.0.2.10\nundo info-center "
                                 "enable", port=""), "huawei")
    found = hits(hw_off, "SG304")
    assert len(found) == 1 and found[0].remediation == "info-center enable"
    h3c = parse(H3C.format(glob=" snmp-agent target-host trap address udp-domain 192.0.2.11 "
                           "params securityname public v2c", port=""), "hp_comware")
    assert hits(h3c, "SG304") == []
    assert len(hits(parse(H3C.format(glob="", port=""), "hp_comware"), "SG304")) == 1


def test_sg304_unreadable_lines_are_warnings() -> None:
    dev = _ios("logging host\nerrdisable recovery interval soon")
    assert any("logging host" in w for w in dev.warnings)
    assert any("errdisable recovery interval" in w for w in dev.warnings)


# -- SG305 ------------------------------------------------------------------------------------

GUARDED = " spanning-tree portfast\n spanning-tree bpduguard enable"


def test_sg305_ios() -> None:
    assert hits(_ios(), "SG305") == []  # nothing can err-disable a port
    found = hits(_ios("", GUARDED), "SG305")
    assert len(found) == 1 and found[0].interface is None
    assert found[0].remediation == "errdisable recovery cause bpduguard"
    assert found[0].severity == "low"
    assert hits(_ios("errdisable recovery cause bpduguard", GUARDED), "SG305") == []
    assert hits(_ios("errdisable recovery cause all", GUARDED), "SG305") == []
    shut = _ios("errdisable recovery cause bpduguard",
                GUARDED + "\n storm-control broadcast level 5.00\n storm-control action "
                "shutdown")
    found = hits(shut, "SG305")
    assert len(found) == 1 and found[0].extra["causes"] == ["storm-control"]


def test_sg305_declared_absent(tmp_path) -> None:
    pol = load_policy([write_pack(
        tmp_path, "rules:\n  SG305: {recovery_deliberately_absent: [bpduguard]}\n")])
    assert hits(_ios("", GUARDED), "SG305", pol) == []


def test_sg305_huawei_and_comware() -> None:
    hw = parse(HUAWEI.format(glob="stp bpdu-protection", port=" stp edged-port enable"),
               "huawei")
    found = hits(hw, "SG305")
    assert found and found[0].remediation == (
        "error-down auto-recovery cause bpdu-protection interval 300")
    ok = parse(HUAWEI.format(glob="stp bpdu-protection\nerror-down auto-recovery cause "
                             "bpdu-protection interval 600", port=" stp edged-port enable"),
               "huawei")
    assert hits(ok, "SG305") == []
    # H3C: shutdown-interval (30 s by default) brings the port back; 0 means never
    guard = " stp global enable\n stp bpdu-protection"
    h3c = parse(H3C.format(glob=guard, port=" stp edged-port"), "hp_comware")
    assert hits(h3c, "SG305") == []
    never = parse(H3C.format(glob=guard + "\n shutdown-interval 0", port=" stp edged-port"),
                  "hp_comware")
    found = hits(never, "SG305")
    assert len(found) == 1 and found[0].remediation == "shutdown-interval 300"


# -- SG306 ------------------------------------------------------------------------------------


def test_sg306_ios_asks_for_multicast_only() -> None:
    found = hits(_ios("", " storm-control broadcast level 5.00"), "SG306")
    assert len(found) == 1 and found[0].extra["classes"] == ["multicast"]
    assert found[0].remediation == ("interface GigabitEthernet1/0/1\n"
                                    " storm-control multicast level 10.00")
    ok = _ios("", " storm-control broadcast level 5.00\n storm-control multicast level 5.00")
    assert hits(ok, "SG306") == []


def test_sg306_nxos_eos_need_both() -> None:
    nx = parse(NXOS.format(glob="") + "  storm-control broadcast level 5.00\n"
               "  storm-control multicast level 5.00\n", "cisco_nxos")
    found = hits(nx, "SG306")
    assert len(found) == 1 and found[0].extra["classes"] == ["unknown-unicast"]
    assert "storm-control unicast level 10.00" in found[0].remediation
    eos = parse(EOS.format(glob="", port="   storm-control all level 5"), "arista_eos")
    assert hits(eos, "SG306") == []


def test_sg306_huawei_comware() -> None:
    hw = parse(HUAWEI.format(glob="", port=" storm-control broadcast min-rate 1000 max-rate "
                             "2000"), "huawei")
    found = hits(hw, "SG306")
    assert len(found) == 1
    assert found[0].remediation == ("interface GigabitEthernet0/0/3\n"
                                    " storm-control multicast min-rate 5000 max-rate 10000\n"
                                    " storm-control unicast min-rate 5000 max-rate 10000")
    h3c = parse(H3C.format(glob="", port=" broadcast-suppression 5\n multicast-suppression 5\n"
                           " unicast-suppression 5"), "hp_comware")
    assert hits(h3c, "SG306") == []


def test_sg306_junos_profile_without_multicast() -> None:
    text = ("set system host-name ex1\n"
            "set vlans v10 vlan-id 10\n"
            "set forwarding-options storm-control-profiles sc all bandwidth-percentage 5\n"
            "set forwarding-options storm-control-profiles sc all no-multicast\n"
            "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members v10\n"
            "set interfaces ge-0/0/1 unit 0 family ethernet-switching storm-control sc\n")
    dev = parse(text, "juniper_junos")
    found = on(hits(dev, "SG306"), "ge-0/0/1")
    assert len(found) == 1 and found[0].extra["classes"] == ["multicast"]
    assert found[0].remediation.startswith(
        "delete forwarding-options storm-control-profiles sc all no-multicast")
    res = fix_config(text, platform="juniper_junos", rules=["SG306"])
    assert hits(parse(res.text, "juniper_junos"), "SG306") == []
    whole = text.replace("set forwarding-options storm-control-profiles sc all no-multicast\n",
                         "")
    assert hits(parse(whole, "juniper_junos"), "SG306") == []


# -- Junos (SG304, SG305) ------------------------------------------------------------------------

JUNOS = ("set system host-name ex1\n"
         "set vlans v10 vlan-id 10\n"
         "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members v10\n"
         "set protocols rstp interface ge-0/0/1 edge\n"
         "set protocols layer2-control bpdu-block interface ge-0/0/1\n")


def test_sg304_sg305_junos() -> None:
    dev = parse(JUNOS, "juniper_junos")
    assert len(hits(dev, "SG304")) == 1
    found = hits(dev, "SG305")
    assert len(found) == 1 and found[0].remediation == (
        "set protocols layer2-control bpdu-block disable-timeout 300")
    res = fix_config(JUNOS, platform="juniper_junos", rules=["SG305"])
    assert hits(parse(res.text, "juniper_junos"), "SG305") == []
    ok = parse(JUNOS + "set system syslog host 192.0.2.10 any warning\n", "juniper_junos")
    assert hits(ok, "SG304") == []
    trap = parse(JUNOS + "set snmp trap-group nms targets 192.0.2.11\n", "juniper_junos")
    assert hits(trap, "SG304") == []
    assert dev.alarms.recovery == {}


def test_sg305_unknown_cause_in_policy_is_a_one_line_error(tmp_path) -> None:
    from stormguard.errors import StormguardError

    pack = write_pack(tmp_path, "rules:\n  SG305: {recovery_deliberately_absent: [bpdugard]}\n")
    with pytest.raises(StormguardError) as exc:
        load_policy([pack])
    msg = str(exc.value)
    assert "\n" not in msg and "recovery_deliberately_absent" in msg and "bpduguard" in msg


H3C_V5 = """
#
 version 5.20, Release 2208P01
#
 sysname s5120
{glob}
#
interface GigabitEthernet1/0/3
 port link-type trunk
 port trunk permit vlan 10
 description kvm-03 eth1
{port}
#
return
"""


@pytest.mark.parametrize(("glob", "port", "fires"), [
    ("", " loopback-detection enable", True),  # v5 needs it globally as well
    (" loopback-detection enable", " loopback-detection enable", True),  # trunk: no action
    (" loopback-detection enable", " loopback-detection enable\n loopback-detection control "
     "enable", False),
])
def test_sg205_comware_v5_trunk(glob: str, port: str, fires: bool) -> None:
    dev = parse(H3C_V5.format(glob=glob, port=port), "hp_comware")
    found = hits(dev, "SG205")
    assert bool(found) is fires
    if found:
        res = fix_config(H3C_V5.format(glob=glob, port=port), platform="hp_comware",
                         rules=["SG205"])
        assert hits(parse(res.text, "hp_comware"), "SG205") == []
        assert "loopback-detection control enable" in res.text
