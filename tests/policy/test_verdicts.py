"""Verdicts that follow what vendors and operators recommend (issue 8, part 3), per platform:
ESXi vs bridging hypervisors (SG202/SG204), the global BPDU-filter default (SG203), and vSwitch
loops that need two uplinks sharing a VLAN (SG201/SG401)."""

from __future__ import annotations

import textwrap

import pytest
from policy_kit import by_port, findings, pack, parse, parse_all
from vswitch_kit import LinuxBundle, OvsBundle

from stormguard.policy import load_policy

# One edge trunk towards a host, per platform family: `{desc}` is the host, `{guard}` the
# BPDU-guard line (per port, or global where the platform has only a global switch).
EDGE_TRUNK = {
    "cisco_ios": ("""
        hostname sw1
        interface GigabitEthernet1/0/1
         description {desc}
         switchport mode trunk
         switchport trunk allowed vlan 10,20
         spanning-tree portfast trunk
        {guard}
        """, " spanning-tree bpduguard enable", "GigabitEthernet1/0/1"),
    "cisco_nxos": ("""
        hostname n1
        interface Ethernet1/1
          description {desc}
          switchport
          switchport mode trunk
          switchport trunk allowed vlan 10,20
          spanning-tree port type edge trunk
        {guard}
        """, "  spanning-tree bpduguard enable", "Ethernet1/1"),
    "arista_eos": ("""
        hostname l1
        interface Ethernet1
           description {desc}
           switchport mode trunk
           switchport trunk allowed vlan 10,20
           spanning-tree portfast
        {guard}
        """, "   spanning-tree bpduguard enable", "Ethernet1"),
    "juniper_junos": ("""
        set system host-name ex1
        set interfaces ge-0/0/1 description "{desc}"
        set interfaces ge-0/0/1 unit 0 family ethernet-switching interface-mode trunk
        set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members [ 10 20 ]
        set protocols rstp interface ge-0/0/1 edge
        {guard}
        """, "set protocols rstp bpdu-block-on-edge", "ge-0/0/1"),
    "huawei": ("""
        sysname hw1
        {guard}
        interface GigabitEthernet0/0/1
         description {desc}
         port link-type trunk
         undo port trunk allow-pass vlan 1
         port trunk allow-pass vlan 10 20
         stp edged-port enable
        #
        """, "stp bpdu-protection", "GigabitEthernet0/0/1"),
    "hp_comware": ("""
        sysname h3c1
        {guard}
        interface GigabitEthernet1/0/1
         description {desc}
         port link-type trunk
         undo port trunk permit vlan 1
         port trunk permit vlan 10 20
         stp edged-port
        #
        """, "stp bpdu-protection", "GigabitEthernet1/0/1"),
}


def _edge_trunk(platform: str, desc: str, guard: bool):
    template, guard_line, port = EDGE_TRUNK[platform]
    text = textwrap.dedent(template).replace("{desc}", desc).replace(
        "{guard}", guard_line if guard else "")
    return parse(text, platform), port


@pytest.mark.parametrize("platform", sorted(EDGE_TRUNK))
def test_esxi_edge_trunk_with_bpdu_guard_is_the_recommended_port(platform: str) -> None:
    dev, _port = _edge_trunk(platform, "esx-07 vmnic2", guard=True)
    found = findings(dev)
    assert not [f for f in found if f.rule in ("SG202", "SG204")], [
        (f.rule, f.message) for f in found]


@pytest.mark.parametrize("platform", sorted(EDGE_TRUNK))
def test_esxi_edge_trunk_without_bpdu_guard_still_fires_sg204(platform: str) -> None:
    dev, port = _edge_trunk(platform, "esx-07 vmnic2", guard=False)
    found = findings(dev)
    sg204 = by_port(found, "SG204")
    assert port in sg204
    assert sg204[port].extra["role_source"] == "description matches word 'esx'"
    sg202 = by_port(found, "SG202")  # edge without guard is not the recommended port either
    assert port in sg202 and "needs BPDU guard" in sg202[port].message


@pytest.mark.parametrize("platform", sorted(EDGE_TRUNK))
@pytest.mark.parametrize("host", ["kvm-05 eno1", "openstack compute-12", "hyperv-03 nic1",
                                  "ovs-node-2", "hypervisor 9"])
def test_bridging_hypervisor_edge_is_high_even_with_guard(platform: str, host: str) -> None:
    dev, port = _edge_trunk(platform, host, guard=True)
    sg202 = by_port(findings(dev), "SG202")
    assert port in sg202
    f = sg202[port]
    assert f.severity == "high"
    assert f.extra["role"] == "hypervisor"
    assert f.extra["role_source"].startswith("description matches word ")
    assert "(role hypervisor: description matches word " in f.message


def test_esxi_access_port_with_edge_and_guard_is_fine_kvm_access_port_is_not() -> None:
    text = """
    hostname sw1
    spanning-tree portfast bpduguard default
    interface GigabitEthernet1/0/1
     description vmware esx-01 mgmt
     switchport mode access
     spanning-tree portfast
    interface GigabitEthernet1/0/2
     description kvm-01 mgmt
     switchport mode access
     spanning-tree portfast
    """
    sg202 = by_port(findings(parse(text, "cisco_ios")), "SG202")
    assert set(sg202) == {"GigabitEthernet1/0/2"}


def test_esxi_exception_is_a_policy_setting(tmp_path) -> None:
    pol = load_policy([pack(tmp_path, "rules:\n  SG202: {guarded_edge_roles: []}\n")])
    dev, port = _edge_trunk("cisco_ios", "esx-07 vmnic2", guard=True)
    assert port in by_port(findings(dev, pol), "SG202")


# -- SG203: per-port filter high, global default medium ----------------------------------------


def test_sg203_global_default_is_medium_and_worded_as_such() -> None:
    text = """
    hostname sw1
    spanning-tree portfast default
    spanning-tree portfast bpdufilter default
    spanning-tree portfast bpduguard default
    interface GigabitEthernet1/0/1
     description printer
     switchport mode access
    interface GigabitEthernet1/0/2
     description camera
     switchport mode access
     spanning-tree bpdufilter enable
    """
    sg203 = by_port(findings(parse(text, "cisco_ios")), "SG203")
    glob, own = sg203["GigabitEthernet1/0/1"], sg203["GigabitEthernet1/0/2"]
    assert glob.severity == "medium" and own.severity == "high"
    assert "global BPDU-filter default" in glob.message
    assert "lifts when a BPDU arrives" in glob.message
    assert glob.line == 3 and glob.actual == "BPDU filter on edge ports (global default)"
    assert glob.remediation == "no spanning-tree portfast bpdufilter default"
    assert own.message.startswith("BPDU filter is in effect on GigabitEthernet1/0/2")


def test_sg203_global_default_on_eos_and_nxos() -> None:
    eos = parse("""
    hostname l1
    spanning-tree portfast bpdufilter default
    interface Ethernet1
       switchport mode access
       spanning-tree portfast
    """, "arista_eos")
    nx = parse("""
    hostname n1
    spanning-tree port type edge bpdufilter default
    interface Ethernet1/1
      switchport
      switchport mode access
      spanning-tree port type edge
    """, "cisco_nxos")
    for dev, port in ((eos, "Ethernet1"), (nx, "Ethernet1/1")):
        f = by_port(findings(dev), "SG203")[port]
        assert f.severity == "medium", (dev.platform, f.message)


def test_sg203_global_default_severity_is_configurable_and_validated(tmp_path) -> None:
    from stormguard.errors import ConfigError

    pol = load_policy([pack(tmp_path, "rules:\n  SG203: {global_default_severity: low}\n")])
    text = ("hostname s\nspanning-tree portfast default\n"
            "spanning-tree portfast bpdufilter default\n"
            "interface Gi1/0/1\n switchport mode access\n")
    assert by_port(findings(parse(text, "cisco_ios"), pol), "SG203")["Gi1/0/1"].severity == "low"
    bad = pack(tmp_path, "rules:\n  SG203:\n    global_default_severity: meh\n", "bad.yaml")
    with pytest.raises(ConfigError, match=r"bad.yaml:3: rules.SG203.global_default_severity: "
                                          r"must be one of"):
        load_policy([bad])


# -- vSwitches: a loop needs two uplinks (not one bond) sharing a VLAN --------------------------


def _ovs(ports: list[dict]) -> str:
    """One OVS bridge with STP off and the given ports (names eth*/bond* are NICs)."""
    b = OvsBundle("hv1")
    b.bridge("br0")
    for p in ports:
        b.port("br0", p["name"], members=p.get("members"), tag=p.get("tag"),
               trunks=p.get("trunks"), vlan_mode="trunk" if "trunks" in p else None,
               itype=p.get("itype", ""))
    return b.text()


@pytest.mark.parametrize(("ports", "fires"), [
    # two uplinks in the same access VLAN: a loop
    ([{"name": "eth1", "tag": 10}, {"name": "eth2", "tag": 10}], True),
    # two uplinks in different access VLANs: no frame crosses from one to the other
    ([{"name": "eth1", "tag": 10}, {"name": "eth2", "tag": 20}], False),
    # trunks sharing VLAN 20
    ([{"name": "eth1", "trunks": [10, 20]}, {"name": "eth2", "trunks": [20, 30]}], True),
    # trunks with disjoint lists
    ([{"name": "eth1", "trunks": [10, 11]}, {"name": "eth2", "trunks": [20, 21]}], False),
    # a trunk of every VLAN and an access port: they share the access VLAN
    ([{"name": "eth1"}, {"name": "eth2", "tag": 30}], True),
    # one bond of two NICs: one uplink
    ([{"name": "bond0", "members": ["eth1", "eth2"]}], False),
    # one uplink and a VM's internal port in the same VLAN: not two uplinks
    ([{"name": "eth1", "tag": 10}, {"name": "vnet0", "tag": 10, "itype": "internal"}], False),
])
def test_ovs_sg201_and_sg401_need_a_possible_loop(ports: list[dict], fires: bool) -> None:
    devs = parse_all(_ovs(ports), "ovs")
    rules = {f.rule for f in findings(devs)}
    assert ("SG201" in rules) is fires, rules
    assert ("SG401" in rules) is fires, rules


def test_sg401_names_the_shared_vlans() -> None:
    devs = parse_all(_ovs([{"name": "eth1", "trunks": [10, 20]},
                           {"name": "eth2", "trunks": [20, 30]},
                           {"name": "eth3", "trunks": [40]}]), "ovs")
    (f,) = findings(devs, rule="SG401")
    assert f.extra["uplinks"] == ["eth1", "eth2"]  # eth3 shares nothing: it cannot loop
    assert f.extra["shared_vlans"] == "20"
    assert "floods VLANs 20" in f.message


def _linux(ports: list[tuple[str, list[int] | None]], vlan_filtering: int) -> str:
    """One Linux bridge with STP off; each NIC port carries the given tagged VLANs."""
    b = LinuxBundle("hv2")
    b.bridge("br0", vlan_filtering=vlan_filtering)
    for name, vids in ports:
        b.port("br0", name, nic=True)
        if vids is not None:
            b.vlan(name, *({"vlan": v} for v in vids))
    return b.text()


@pytest.mark.parametrize(("ports", "filtering", "fires"), [
    ([("eno1", [10, 20]), ("eno2", [20])], 1, True),
    ([("eno1", [10]), ("eno2", [20])], 1, False),
    ([("eno1", [10, 11]), ("eno2", [20, 21])], 1, False),
    ([("eno1", None), ("eno2", None)], 0, True),  # VLAN-unaware: both carry everything
    ([("eno1", None)], 0, False),  # one uplink
])
def test_linux_bridge_sg201_and_sg401_need_a_possible_loop(ports, filtering, fires) -> None:
    devs = parse_all(_linux(ports, filtering), "linux_bridge")
    rules = {f.rule for f in findings(devs)}
    assert ("SG201" in rules) is fires, rules
    assert ("SG401" in rules) is fires, rules


def test_vswitch_sg201_names_the_uplinks_that_can_loop() -> None:
    devs = parse_all(_ovs([{"name": "eth1", "trunks": [10, 20]},
                           {"name": "eth2", "trunks": [20, 30]}]), "ovs")
    (f,) = findings(devs, rule="SG201")
    assert f.interface is None
    assert f.message == ("spanning tree is disabled on the device (uplinks eth1, eth2 share "
                         "VLANs 20): a loop becomes a storm")
