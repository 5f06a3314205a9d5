"""ESXi: esxcli output (exact text format) -> model; the SSH collector against a fake ESXi host
(fakenos, real SSH, ESXi prompt); ESXi in the topology (CDP from the host side; never a loop)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import yaml

from stormguard.collect.base import CollectError
from stormguard.collect.hostkeys import KnownHosts
from stormguard.collect.registry import CollectContext, resolve
from stormguard.engine import audit, audit_fleet
from stormguard.parsers import parse_config
from stormguard.parsers.detect import detect_platform
from stormguard.parsers.esxi import bundle, neighbors_from_networkhint
from stormguard.policy import load_policy
from stormguard.testing.fakenet import CONFIG_DIR, FakeDevice, FakeNetwork
from stormguard.topology.fleet import neighbors_from_state
from stormguard.topology.neighbors import Neighbor

OUTPUTS = yaml.safe_load((CONFIG_DIR / "esxi.show.yaml").read_text())
HINT = OUTPUTS.pop("vim-cmd hostsvc/net/query_networkhint")
TEXT = bundle("esx-07", OUTPUTS)
TODAY = dt.date(2026, 12, 4)


def devices():
    return {d.hostname: d for d in parse_config(TEXT, None, source="esx-07")}


def test_bundle_is_detected_and_parsed_into_vswitches() -> None:
    assert detect_platform(TEXT) == "esxi"
    devs = devices()
    assert list(devs) == ["esx-07/vSwitch0", "esx-07/vSwitch1", "esx-07/DSwitch-Prod"]
    vs0 = devs["esx-07/vSwitch0"]
    assert vs0.platform == "esxi" and vs0.stp.enabled is False
    assert vs0.extra["failover"]["load_balancing"] == "srcport"
    assert vs0.extra["security"] == {"allow_promiscuous": False,
                                     "allow_mac_address_change": True,
                                     "allow_forged_transmits": True}
    assert vs0.extra["block_guest_bpdu"] is False and vs0.extra["cdp_status"] == "listen"
    up = vs0.interfaces["vmnic0"]
    assert up.physical_uplink and up.mode == "trunk" and up.allowed_vlans.to_text() == "10,20"
    assert up.extra["untagged"] is True  # "Nested Lab" is VLAN 0
    assert up.extra["teaming"] == "active" and up.extra["link"] == "Up"
    # the line points at the "Uplinks:" line of the vSwitch list
    assert TEXT.splitlines()[up.lines["mode"] - 1].strip() == "Uplinks: vmnic1, vmnic0"
    pg = vs0.interfaces["Nested Lab"]
    assert pg.kind == "other" and not pg.switched and pg.extra["vlan_id"] == 0
    assert pg.extra["security"]["allow_promiscuous"] is True
    assert vs0.interfaces["Management Network"].access_vlan == 10
    assert vs0.interfaces["Management Network"].extra["failover"]["standby_adapters"] == [
        "vmnic1"]
    vs1 = devs["esx-07/vSwitch1"]
    assert vs1.extra["failover"]["load_balancing"] == "iphash"
    assert vs1.extra["failover"]["network_failure_detection"] == "beacon"
    assert vs1.extra["beacon_enabled"] is True
    dvs = devs["esx-07/DSwitch-Prod"]
    assert dvs.extra["distributed"] and set(dvs.interfaces) == {"vmnic4", "vmnic5"}


def test_vlan_4095_means_every_vlan_and_bad_rows_are_reported() -> None:
    out = dict(OUTPUTS)
    out["esxcli network vswitch standard portgroup list"] = (
        "Name                Virtual Switch  Active Clients  VLAN ID\n"
        "------------------  --------------  --------------  -------\n"
        "Trunk All           vSwitch0                     1     4095\n"
        "Broken              vSwitch0                     1     abc\n")
    devs = {d.hostname: d for d in parse_config(bundle("esx-07", out), "esxi")}
    vs0 = devs["esx-07/vSwitch0"]
    assert vs0.interfaces["vmnic0"].allowed_vlans.covers_all()
    assert any("'Broken': VLAN ID 'abc' not read" in w for w in vs0.warnings)


def test_not_a_bundle_is_one_clear_error() -> None:
    from stormguard.errors import InputError

    with pytest.raises(InputError, match="not an esxi bundle"):
        parse_config("vSwitch0\n   Name: vSwitch0\n", "esxi")


def test_networkhint_cdp_neighbours() -> None:
    nbs = neighbors_from_networkhint("esx-07", HINT)
    assert [(n.local_port, n.remote_name, n.remote_port, n.protocol, n.is_bridge)
            for n in nbs] == [
        ("vmnic0", "leaf1.dc1.example.net", "GigabitEthernet1/0/10", "cdp", True),
        ("vmnic1", "leaf2.dc1.example.net", "GigabitEthernet1/0/10", "cdp", True)]
    facts = neighbors_from_state("esx-07", "esxi", {"networkhint": {"raw": HINT}})
    assert len(facts.neighbors) == 2


def _leaf(name: str) -> str:
    return (f"hostname {name}\nspanning-tree mode rapid-pvst\n"
            "interface GigabitEthernet1/0/10\n switchport mode trunk\n"
            " switchport trunk allowed vlan 10,20\n"
            "interface GigabitEthernet1/0/48\n switchport mode trunk\n end\n")


def test_esxi_two_unbonded_uplinks_to_joined_leaves_is_no_loop() -> None:
    leaves = parse_config(_leaf("leaf1"), "cisco_ios") + parse_config(_leaf("leaf2"),
                                                                       "cisco_ios")
    nbs = [*neighbors_from_networkhint("esx-07", HINT),
           Neighbor("leaf1", "Gi1/0/48", "leaf2", "Gi1/0/48", "lldp"),
           Neighbor("leaf2", "Gi1/0/48", "leaf1", "Gi1/0/48", "lldp")]
    devs = leaves + list(devices().values())
    res = audit_fleet(devs, load_policy(), nbs, today=TODAY)
    loops = [f for f in res.findings if f.rule in ("SG501", "SG502")]
    assert res.errors == [] and loops == []  # ESXi never forwards uplink to uplink
    from stormguard.effective import effective_device
    from stormguard.topology.graph import build_graph

    g = build_graph([effective_device(d, load_policy()) for d in devs], nbs)
    assert {(e.a.label, e.b.label) for e in g.edges} >= {
        ("esx-07/vSwitch0:vmnic0", "leaf1/GigabitEthernet1/0/10")}
    assert not g.nodes["esx-07/vSwitch0"].transit


def test_per_device_rules_leave_esxi_alone() -> None:
    res = audit(list(devices().values()), load_policy(), today=TODAY)
    assert res.errors == [] and res.findings == []


@pytest.fixture(scope="module")
def fake_esxi():
    os.environ["SG_FAKE_PASSWORD"] = "Fake-Pass-1"
    devs = [FakeDevice(name="esx-07", platform="esxi", port=0, username="root",
                       password="Fake-Pass-1"),
            FakeDevice(name="esx-08", platform="esxi", port=0, username="root",
                       password="Fake-Pass-1", fault="auth")]
    with FakeNetwork(devs) as net:
        yield net


def _collect(net, name, tmp_path):
    [host] = net.hosts(host_key_policy="tofu", names=[name], timeout=10)
    driver_name, driver = resolve(host)
    assert driver_name == "esxi"
    return driver(host, CollectContext(known_hosts=KnownHosts(Path(tmp_path) / "known")))


def test_collector_reads_the_fake_esxi_over_ssh(fake_esxi, tmp_path) -> None:
    got = _collect(fake_esxi, "esx-07", tmp_path)
    assert got.platform == "esxi" and got.driver == "esxi"
    assert "### esxcli network vswitch standard portgroup policy security get -p " \
           "'Nested Lab'" in got.config
    parsed = {d.hostname: d for d in parse_config(got.config, None, source="esx-07")}
    assert set(parsed) == {"esx-07/vSwitch0", "esx-07/vSwitch1", "esx-07/DSwitch-Prod"}
    assert parsed["esx-07/vSwitch0"].interfaces["Nested Lab"].extra["security"][
        "allow_promiscuous"] is True
    facts = neighbors_from_state("esx-07", "esxi", got.state)
    assert {n.local_port for n in facts.neighbors} == {"vmnic0", "vmnic1"}
    # the host key was pinned (tofu), as for every SSH collector
    assert "127.0.0.1" in (Path(tmp_path) / "known").read_text()


def test_collector_wrong_password_is_an_auth_failure(fake_esxi, tmp_path) -> None:
    with pytest.raises(CollectError) as err:
        _collect(fake_esxi, "esx-08", tmp_path)
    assert err.value.failure_class == "auth" and "Fake-Pass-1" not in str(err.value)
