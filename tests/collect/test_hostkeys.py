"""Host-key policies against real SSH servers: tofu pins then refuses a change; strict refuses
the unknown; ignore accepts anything."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stormguard.collect.hostkeys import KnownHosts, fingerprint
from stormguard.collect.pool import PoolSettings, collect_many
from stormguard.testing.fakenet import FakeNetwork


@pytest.fixture
def net(test_password: str) -> Iterator[FakeNetwork]:
    with FakeNetwork.build(2, password=test_password, prefix="hk",
                           platforms=["cisco_ios", "huawei"]) as n:
        yield n


def _run(net: FakeNetwork, known: KnownHosts, env: str, policy: str, driver: str = "netmiko"):
    hosts = net.hosts(password_env=env, host_key_policy=policy, timeout=20, driver=driver)
    return {r.host.name: r for r in collect_many(hosts, known_hosts=known,
                                                  settings=PoolSettings(workers=2))}


def test_tofu_pins_then_refuses_a_changed_key(net: FakeNetwork, known_hosts: KnownHosts,
                                              password_env: str) -> None:
    first = _run(net, known_hosts, password_env, "tofu")
    assert all(r.ok for r in first.values())
    pins = {name: known_hosts.lookup("127.0.0.1", net.devices[name].port) for name in first}
    assert all(p.get("ssh-rsa") for p in pins.values())
    before = known_hosts.path.read_text()

    net.rotate_host_key("hk000")
    second = _run(net, known_hosts, password_env, "tofu")
    refused = second["hk000"]
    assert refused.failure_class == "host-key" and refused.attempts == 1
    old = fingerprint(pins["hk000"]["ssh-rsa"])
    assert "changed" in refused.error.message and old in refused.error.message
    assert second["hk001"].ok
    # the pin is not overwritten: a changed key needs a human
    assert known_hosts.path.read_text() == before


def test_napalm_path_refuses_a_changed_key_too(net: FakeNetwork, known_hosts: KnownHosts,
                                               password_env: str) -> None:
    net.pin_all_host_keys(known_hosts.path)
    net.rotate_host_key("hk000")
    res = _run(net, known_hosts, password_env, "tofu", driver="napalm")["hk000"]
    assert res.failure_class == "host-key"


def test_strict_refuses_unknown_and_accepts_pinned(net: FakeNetwork, known_hosts: KnownHosts,
                                                   password_env: str) -> None:
    res = _run(net, known_hosts, password_env, "strict")
    assert {r.failure_class for r in res.values()} == {"host-key"}
    assert not known_hosts.path.exists()  # strict never pins
    net.pin_all_host_keys(known_hosts.path)
    res = _run(net, known_hosts, password_env, "strict")
    assert all(r.ok for r in res.values())


def test_ignore_accepts_a_changed_key_and_pins_nothing(net: FakeNetwork,
                                                       known_hosts: KnownHosts,
                                                       password_env: str) -> None:
    net.rotate_host_key("hk000")
    res = _run(net, known_hosts, password_env, "ignore")
    assert all(r.ok for r in res.values())
    assert not known_hosts.path.exists()


def test_pins_from_concurrent_workers_are_written_once_each(tmp_path) -> None:
    import threading

    kh = KnownHosts(tmp_path / "kh")
    threads = [threading.Thread(target=kh.pin, args=("10.0.0.1", 22, "ssh-rsa", "AAAA"))
               for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert kh.path.read_text() == "10.0.0.1 ssh-rsa AAAA\n"
    assert kh.lookup("10.0.0.1", 22) == {"ssh-rsa": "AAAA"}
    kh.pin("10.0.0.1", 2222, "ssh-ed25519", "BBBB")
    assert kh.lookup("10.0.0.1", 2222) == {"ssh-ed25519": "BBBB"}


def test_bump_revision_serves_a_new_config_on_the_next_login(
        net: FakeNetwork, known_hosts: KnownHosts, password_env: str) -> None:
    first = _run(net, known_hosts, password_env, "tofu")["hk001"].collected.config
    net.bump_revision("hk001")
    second = _run(net, known_hosts, password_env, "tofu")["hk001"].collected.config
    assert "config-rev 0" in first and "config-rev 1" in second
    assert first.replace("config-rev 0", "config-rev 1") == second
