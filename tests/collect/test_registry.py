"""Drivers are found by name: the switch drivers here, the vSwitch drivers plug in."""

from __future__ import annotations

from stormguard.collect.hostkeys import KnownHosts
from stormguard.collect.pool import PoolSettings, collect_many
from stormguard.collect.registry import driver_name_for, registered_names, resolve
from stormguard.inventory import Host


def test_builtin_names() -> None:
    assert {"netmiko", "napalm", "ovs", "linux_bridge"} <= set(registered_names())


def test_driver_choice() -> None:
    assert driver_name_for(Host(name="a", hostname="h", platform="cisco_ios")) == "netmiko"
    assert driver_name_for(Host(name="a", hostname="h", platform="cisco_ios",
                                driver="napalm")) == "napalm"
    assert driver_name_for(Host(name="b", hostname="local", platform="ovs")) == "ovs"
    assert driver_name_for(Host(name="c", hostname="local",
                                platform="linux_bridge")) == "linux_bridge"
    for name in ("netmiko", "napalm", "ovs", "linux_bridge"):
        host = Host(name="x", hostname="h", platform="cisco_ios", driver=name)
        assert resolve(host)[0] == name and callable(resolve(host)[1])


def test_pool_dispatches_to_a_vswitch_driver(known_hosts: KnownHosts) -> None:
    """A local Linux-bridge host in a namespace that does not exist: the pool hands it to the
    linux_bridge driver (not 'unsupported'), which reports a classified failure."""
    host = Host(name="hv-missing", hostname="local", platform="linux_bridge", transport="local",
                netns="sg-f1-does-not-exist", timeout=10, retries=0)
    [res] = collect_many([host], known_hosts=known_hosts, settings=PoolSettings(workers=1))
    assert res.driver == "linux_bridge"
    assert not res.ok and res.failure_class not in (None, "unsupported")
