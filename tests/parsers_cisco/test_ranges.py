"""Interface ranges in candidate configs: IOS/IOS-XE `interface range`, NX-OS and EOS range
headers. Every port of the range gets the values, each with its source line, and remembers the
range it inherited them from (the fix generator fixes a value at its source)."""

from __future__ import annotations

from stormguard.parsers import arista_eos, cisco_ios, cisco_nxos, parse_config

IOS = """hostname cand-1
!
vlan 10
 name users
!
interface GigabitEthernet1/0/20
 description existing port
!
interface range Gi1/0/20 - 22 , GigabitEthernet 2/0/1, Te1/1/1-2
 description desks
 switchport access vlan 10
 switchport mode access
 storm-control broadcast level 5.00
 spanning-tree portfast
!
interface range Fa0/1 - 2, Gi1/0/30
 switchport mode trunk
!
interface Gi1/0/21
 switchport access vlan 20
 no storm-control broadcast level
!
end
"""


def test_ios_ranges_expand_with_full_names_and_lines(find_line):
    (dev,) = parse_config(IOS, "cisco_ios")
    hdr = find_line(IOS, "interface range Gi1/0/20 - 22 , GigabitEthernet 2/0/1, Te1/1/1-2")
    names = ["GigabitEthernet1/0/20", "GigabitEthernet1/0/21", "GigabitEthernet1/0/22",
             "GigabitEthernet2/0/1", "TenGigabitEthernet1/1/1", "TenGigabitEthernet1/1/2"]
    assert [n for n in dev.interfaces if n in names] == names
    for name in names:
        iface = dev.interfaces[name]
        assert iface.mode == "access" and iface.edge is True
        assert iface.line_of("mode") == find_line(IOS, "switchport mode access")
        assert iface.line_of("edge") == find_line(IOS, "spanning-tree portfast")
        assert iface.description == "desks"
    # a port already in the config keeps its own header line; a new one gets the range's
    assert dev.interfaces["GigabitEthernet1/0/20"].line == 6
    assert dev.interfaces["GigabitEthernet2/0/1"].line == hdr
    assert dev.interfaces["GigabitEthernet1/0/22"].storm_control["broadcast"].level == 5.0
    # the second range: FastEthernet, and several ranges in one line
    for name in ("FastEthernet0/1", "FastEthernet0/2", "GigabitEthernet1/0/30"):
        assert dev.interfaces[name].mode == "trunk"
    assert dev.warnings == []


def test_inherited_values_name_their_range(find_line):
    (dev,) = parse_config(IOS, "cisco_ios")
    hdr = find_line(IOS, "interface range Gi1/0/20 - 22 , GigabitEthernet 2/0/1, Te1/1/1-2")
    name = "Gi1/0/20 - 22 , GigabitEthernet 2/0/1, Te1/1/1-2"
    src = {"kind": "interface-range", "name": name, "line": hdr,
           "header": f"interface range {name}"}
    inherited = dev.interfaces["GigabitEthernet1/0/22"].extra["inherited"]
    for field in ("mode", "access_vlan", "edge", "description", "storm_control",
                  "storm_control.broadcast"):
        assert inherited[field] == src, field


def test_port_section_after_the_range_overrides_it(find_line):
    (dev,) = parse_config(IOS, "cisco_ios")
    gi21 = dev.interfaces["GigabitEthernet1/0/21"]  # typed `interface Gi1/0/21`: same port
    assert "Gi1/0/21" not in dev.interfaces and gi21.extra["typed_name"] == "Gi1/0/21"
    assert gi21.access_vlan == 20
    assert gi21.line_of("access_vlan") == find_line(IOS, "switchport access vlan 20")
    assert gi21.storm_control == {}  # `no storm-control broadcast level` removed it
    inherited = gi21.extra["inherited"]
    assert "access_vlan" not in inherited and "storm_control" not in inherited
    assert "storm_control.broadcast" not in inherited
    assert inherited["mode"]["kind"] == "interface-range"  # still from the range


def test_range_macro_and_port_channel_range():
    text = (
        "hostname m\n"
        "define interface-range UPLINKS Gi1/0/47 - 48\n"
        "interface range macro UPLINKS\n"
        " switchport mode trunk\n"
        "interface range Po10 - 11\n"
        " switchport mode trunk\n"
        "interface range macro NOPE\n"
        " switchport mode trunk\n"
    )
    (dev,) = parse_config(text, "cisco_ios")
    assert dev.interfaces["GigabitEthernet1/0/47"].mode == "trunk"
    assert dev.interfaces["GigabitEthernet1/0/48"].extra["inherited"]["mode"] == {
        "kind": "interface-range", "name": "macro UPLINKS", "line": 3,
        "header": "interface range macro UPLINKS"}
    po = dev.interfaces["Port-channel11"]
    assert po.kind == "aggregate" and po.mode == "trunk"
    assert dev.warnings == ["line 7: interface range macro is not defined before it is used: "
                            "interface range macro NOPE"]


def test_unreadable_range_is_a_warning_and_its_body_is_skipped():
    text = ("hostname r\n"
            "interface range Gi1/0/9 - 3\n switchport mode trunk\n"
            "interface range Gi1/0/1 - 2/0/4\n switchport mode trunk\n"
            "interface range Gi1/0/1 - 99999\n switchport mode trunk\n"
            "interface range ,\n switchport mode trunk\n"
            "interface Gi1/0/5\n switchport mode access\n")
    dev = cisco_ios.parse(text)[0]
    assert list(dev.interfaces) == ["Gi1/0/5"]  # nothing expanded, body not applied elsewhere
    assert [w.split(":")[0] for w in dev.warnings] == ["line 2", "line 4", "line 6", "line 8"]
    assert all("cannot read interface range" in w for w in dev.warnings)


def test_a_warning_inside_a_range_is_given_once():
    text = "hostname r\ninterface range Gi1/0/1 - 24\n switchport access vlan 5000\n"
    dev = cisco_ios.parse(text)[0]
    assert len(dev.interfaces) == 24
    assert dev.warnings == ["line 3: cannot read access VLAN: switchport access vlan 5000"]


def test_nxos_range_header(find_line):
    text = (
        "switchname n9k-1\n"
        "interface Ethernet1/1-4, Ethernet1/7\n"
        "  switchport\n"
        "  switchport mode trunk\n"
        "  switchport trunk allowed vlan 10,20\n"
        "  spanning-tree port type edge trunk\n"
        "interface Ethernet1/3\n"
        "  switchport trunk allowed vlan 30\n"
        "interface port-channel10-11\n"
        "  switchport\n"
        "interface Ethernet 1/9 - 10\n"
        "  shutdown\n"
        "interface breakout module 1 port 1 map 10g-4x\n"
    )
    dev = cisco_nxos.parse(text)[0]
    assert list(dev.interfaces) == ["Ethernet1/1", "Ethernet1/2", "Ethernet1/3", "Ethernet1/4",
                                    "Ethernet1/7", "port-channel10", "port-channel11",
                                    "Ethernet1/9", "Ethernet1/10"]
    e7 = dev.interfaces["Ethernet1/7"]
    assert e7.mode == "trunk" and e7.switched is True and e7.edge is True and e7.edge_trunk
    assert e7.allowed_vlans.to_text() == "10,20" and e7.line_of("allowed_vlans") == 5
    assert e7.extra["inherited"]["allowed_vlans"] == {
        "kind": "interface-range", "name": "Ethernet1/1-4, Ethernet1/7", "line": 2,
        "header": "interface Ethernet1/1-4, Ethernet1/7"}
    e3 = dev.interfaces["Ethernet1/3"]
    assert e3.allowed_vlans.to_text() == "30" and "allowed_vlans" not in e3.extra["inherited"]
    assert dev.interfaces["port-channel11"].kind == "aggregate"
    assert dev.interfaces["Ethernet1/10"].shutdown is True
    assert dev.warnings == []


def test_eos_range_header_with_bare_numbers():
    text = (
        "hostname eos-1\n"
        "interface Ethernet1-4,7\n"
        "   description kvm-compute\n"
        "   switchport mode trunk\n"
        "   storm-control broadcast level 1\n"
        "interface Ethernet3/1-4\n"
        "   spanning-tree portfast\n"
        "interface Et9\n"
        "   spanning-tree portfast\n"
    )
    dev = arista_eos.parse(text)[0]
    assert list(dev.interfaces)[:5] == ["Ethernet1", "Ethernet2", "Ethernet3", "Ethernet4",
                                        "Ethernet7"]
    assert dev.interfaces["Ethernet7"].storm_control["broadcast"].line == 5
    assert dev.interfaces["Ethernet3/4"].edge is True
    assert dev.interfaces["Ethernet3/4"].extra["inherited"]["edge"]["name"] == "Ethernet3/1-4"
    assert "Et9" in dev.interfaces  # not made by a range: spelled as typed
    assert dev.warnings == []


def test_port_without_range_keeps_its_spelling_and_no_inherited_record():
    dev = cisco_ios.parse("hostname x\ninterface Gi1/0/1\n switchport mode access\n")[0]
    assert list(dev.interfaces) == ["Gi1/0/1"]
    assert "inherited" not in dev.interfaces["Gi1/0/1"].extra


def test_range_findings_point_at_the_range_lines():
    from stormguard.engine import audit
    from stormguard.policy import load_policy

    text = ("hostname r\nspanning-tree mode rapid-pvst\n"
            "interface range Gi1/0/1 - 3\n switchport mode trunk\n spanning-tree portfast trunk\n")
    findings = audit(cisco_ios.parse(text), load_policy()).findings
    sg101 = sorted(f.interface for f in findings if f.rule == "SG101")
    assert sg101 == ["GigabitEthernet1/0/1", "GigabitEthernet1/0/2", "GigabitEthernet1/0/3"]
    assert {f.line for f in findings if f.rule == "SG101"} == {4}
    assert {f.line for f in findings if f.rule == "SG202"} == {5}


def test_ranges_are_bounded():
    one = "interface range Vlan1 - 4094\n description x\n"
    dev = cisco_ios.parse("hostname big\n" + one * 20)[0]
    assert len(dev.interfaces) == 4094
    # 16 x 4094 ports fit; the 17th range (line 34) goes over the total
    assert dev.warnings[0].startswith("line 34: cannot read interface range (more than 65536")
    dev = cisco_ios.parse("hostname big\ninterface range Vlan1 - 9999\n")[0]
    assert dev.interfaces == {} and "more than 8192 ports" in dev.warnings[0]
