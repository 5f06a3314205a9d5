"""Netmiko (every switch platform) and NAPALM (ios, nxos_ssh) against fakes over real SSH."""

from __future__ import annotations

import importlib.util

import pytest

from stormguard.collect.hostkeys import KnownHosts
from stormguard.collect.pool import PoolSettings, collect_many
from stormguard.collect.recipes import load_recipe
from stormguard.testing.fakenet import PLATFORMS, FakeNetwork


def _parsed_hostname(config: str, platform: str) -> str | None:
    """The hostname the platform's parser reads, when that parser is in the tree."""
    from stormguard.parsers import PARSER_MODULES

    if importlib.util.find_spec(f"stormguard.parsers.{PARSER_MODULES[platform]}") is None:
        return None
    from stormguard.parsers import parse_config

    devices = parse_config(config, platform)
    return devices[0].hostname if devices else None


@pytest.fixture(scope="module")
def netmiko_results(healthy_net: FakeNetwork, tmp_path_factory: pytest.TempPathFactory,
                    password_env: str):
    known = KnownHosts(tmp_path_factory.mktemp("kh") / "known_hosts")
    hosts = healthy_net.hosts(password_env=password_env, timeout=30, driver="netmiko")
    results = collect_many(hosts, known_hosts=known, settings=PoolSettings(workers=7))
    return {r.host.platform: r for r in results}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_netmiko_collects_config_and_evidence(netmiko_results, healthy_net: FakeNetwork,
                                              platform: str) -> None:
    res = netmiko_results[platform]
    assert res.ok, res.error
    dev = next(d for d in healthy_net.devices.values() if d.platform == platform)
    c = res.collected
    assert c.driver == "netmiko" and c.platform == platform and c.host == dev.name
    # the whole running config, as the switch printed it
    assert c.config.strip() == dev.config.strip()
    recipe = load_recipe(platform)
    assert set(c.state) == {cmd.name for cmd in recipe.commands}
    for cmd in recipe.commands:
        entry = c.state[cmd.name]
        assert entry["command"] == cmd.command
        assert entry["raw"].strip() and "Invalid" not in entry["raw"]
        assert "Unrecognized" not in entry["raw"] and "syntax error" not in entry["raw"]
    hostname = _parsed_hostname(c.config, platform)
    assert hostname in (None, dev.name)


@pytest.mark.parametrize(("platform", "name", "field"), [
    ("cisco_ios", "lldp", "NEIGHBOR_NAME"), ("cisco_ios", "cdp", "NEIGHBOR_NAME"),
    ("cisco_ios", "stp", "INTERFACE"), ("cisco_xe", "lldp", "NEIGHBOR_NAME"),
    ("cisco_nxos", "lldp", "NEIGHBOR_NAME"), ("arista_eos", "lldp", "NEIGHBOR_NAME"),
    ("juniper_junos", "lldp", "LOCAL_INTERFACE"), ("hp_comware", "lldp", "NEIGHBOR_NAME"),
    ("huawei", "trunks", "INTERFACE"),
])
def test_textfsm_parses_show_output(netmiko_results, platform: str, name: str,
                                    field: str) -> None:
    parsed = netmiko_results[platform].collected.state[name]["parsed"]
    assert parsed, f"{platform} {name}: ntc-templates gave nothing"
    assert all(field.lower() in {k.lower() for k in row} for row in parsed), parsed[0].keys()


def test_textfsm_rows_carry_real_values(netmiko_results) -> None:
    rows = netmiko_results["cisco_ios"].collected.state["lldp"]["parsed"]
    names = {r.get("neighbor_name") or r.get("NEIGHBOR_NAME") for r in rows}
    assert {"hv01", "hv02", "core1"} <= names


@pytest.mark.parametrize("platform", ["cisco_ios", "cisco_xe", "cisco_nxos"])
def test_napalm_path(healthy_net: FakeNetwork, known_hosts: KnownHosts, password_env: str,
                     platform: str) -> None:
    dev = next(d for d in healthy_net.devices.values() if d.platform == platform)
    hosts = healthy_net.hosts(password_env=password_env, timeout=30, driver="napalm",
                              names=[dev.name])
    [res] = collect_many(hosts, known_hosts=known_hosts, settings=PoolSettings(workers=1))
    assert res.ok, res.error
    c = res.collected
    assert c.driver == "napalm"
    facts = c.state["napalm"]["get_facts"]
    assert facts["hostname"] == dev.name
    assert facts["vendor"] == "Cisco"
    if platform == "cisco_nxos":
        assert facts["serial_number"] == "FDO22280FBZ"
        assert "Ethernet1/1" in facts["interface_list"]
        # NAPALM drops the "!Command:/!Time:" banner; the rest is the device's config
        assert "interface Ethernet1/2" in c.config and "!Time:" not in c.config
    else:
        assert facts["os_version"].startswith("C2960X Software")
        assert "GigabitEthernet1/0/1" in c.state["napalm"]["get_interfaces"]
        assert c.config.rstrip().endswith("end") and f"hostname {dev.name}" in c.config
    assert "stp" in c.state and c.state["lldp"]["raw"]


def test_napalm_refuses_platform_without_ssh_driver(healthy_net: FakeNetwork,
                                                    known_hosts: KnownHosts,
                                                    password_env: str) -> None:
    dev = next(d for d in healthy_net.devices.values() if d.platform == "arista_eos")
    hosts = healthy_net.hosts(password_env=password_env, driver="napalm", names=[dev.name])
    [res] = collect_many(hosts, known_hosts=known_hosts, settings=PoolSettings(workers=1))
    assert res.failure_class == "unsupported" and res.attempts == 1
