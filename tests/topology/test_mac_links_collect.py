"""The `mac_table` evidence collected over real SSH from the fake switches (fakenos) and an
ESXi fake, stored, then read back by the topology: ntc-templates rows where the template
matches, the raw text where it does not (Junos ELS), and the links the store's fleet view draws."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from stormguard.collect.hostkeys import KnownHosts
from stormguard.collect.pool import PoolSettings
from stormguard.collect.recipes import load_recipe
from stormguard.collect.run import collect_inventory
from stormguard.policy import load_policy
from stormguard.testing.fakenet import FakeDevice, FakeNetwork
from stormguard.topology.load import fleet_from_store
from stormguard.topology.mac_links import entries_from_state

pytestmark = pytest.mark.slow  # seven SSH fakes, one collection run (~20 s)

PASSWORD_ENV = "SG_MAC_LINKS_TEST_PASSWORD"
PASSWORD = "Mac-Links-Pw-41c"
#: platform -> (field ntc-templates names the port with, the host port, the MAC it learns)
EXPECTED = {
    "cisco_ios": ("destination_port", "Gi1/0/3", "3c:fd:fe:a1:00:10"),
    "cisco_nxos": ("ports", "Eth1/3", "3c:fd:fe:b2:00:21"),
    "arista_eos": ("destination_port", "Et3", "00:0a:f7:c4:00:40"),
    "juniper_junos": (None, "ge-0/0/3", "0c:c4:7a:33:00:01"),
    "huawei": ("destination_port", "GE0/0/3", "0c:c4:7a:43:00:01"),
    "hp_comware": ("interface", "GE1/0/3", "0c:c4:7a:53:00:01"),
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    from stormguard.store import Store

    old = os.environ.get(PASSWORD_ENV)
    os.environ[PASSWORD_ENV] = PASSWORD
    devices = [FakeDevice(name=f"{p.replace('_', '-')}-1", platform=p, port=0,
                          username="netops", password=PASSWORD) for p in EXPECTED]
    devices.append(FakeDevice(name="hv03", platform="esxi", port=0, username="root",
                              password=PASSWORD))
    tmp = tmp_path_factory.mktemp("maclinks")
    store = Store.open(f"sqlite:///{tmp / 'sg.db'}")
    try:
        with FakeNetwork(devices) as net:
            hosts = net.hosts(password_env=PASSWORD_ENV, timeout=30)
            summary = collect_inventory(hosts, store, settings=PoolSettings(workers=4),
                                        known_hosts=KnownHosts(Path(tmp) / "known_hosts"))
        assert summary.failures == [], summary.failures
        yield store, {s.platform: s for s in store.latest_snapshots(None)}
    finally:
        store.close()
        if old is None:
            os.environ.pop(PASSWORD_ENV, None)
        else:
            os.environ[PASSWORD_ENV] = old


@pytest.mark.parametrize("platform", list(EXPECTED))
def test_mac_table_is_collected_stored_and_parsed(collected, platform: str) -> None:
    _store, snaps = collected
    field, port, mac = EXPECTED[platform]
    recipe = {c.name: c for c in load_recipe(platform).commands}
    entry = snaps[platform].state["mac_table"]
    assert entry["command"] == recipe["mac_table"].command and recipe["mac_table"].textfsm
    assert entry["raw"].strip() and "Invalid" not in entry["raw"]
    assert "Unrecognized" not in entry["raw"] and "syntax error" not in entry["raw"]
    if field is None:  # Junos ELS prints VLAN names; the ntc template expects VlanNNN
        assert entry["parsed"] is None
    else:
        assert entry["parsed"] and all(field in row for row in entry["parsed"])
    rows, warnings = entries_from_state(snaps[platform].device, snaps[platform].state)
    assert warnings == [] and (port, mac) in {(r.port, r.mac) for r in rows}


def test_store_fleet_view_links_the_esxi_host_by_mac(collected) -> None:
    store, _snaps = collected
    view = fleet_from_store(store, load_policy())
    mac = sorted((n.local_host, n.local_port, n.remote_name, n.remote_port)
                 for n in view.neighbors if n.protocol == "mac")
    # the IOS fake learns vmnic0 on Gi1/0/3, but the host's own CDP view places vmnic0: the
    # MAC table leaves it alone
    assert mac == [("arista-eos-1", "Et3", "hv03", "vmnic4"),
                   ("cisco-nxos-1", "Eth1/3", "hv03", "vmnic3")]
    edges = {(e.a.node, e.a.port, e.b.node, e.b.port): e.seen_by for e in view.graph.edges}
    assert edges[("cisco-nxos-1", "Ethernet1/3", "hv03/vSwitch1", "vmnic3")] == (
        "mac@cisco-nxos-1",)
    assert not [w for w in view.warnings if w.startswith("MAC table")]
