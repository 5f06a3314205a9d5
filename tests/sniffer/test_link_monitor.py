"""The link monitor against the real kernel (in a namespace): missing / admin down / no
carrier / up, by rtnetlink and by ioctl, notifications on change; the new sniffer settings."""

from __future__ import annotations

import os
import re
import select
import time

import pytest

from stormguard.errors import ConfigError
from stormguard.sniffer.config import SnifferConfig
from stormguard.sniffer.link import LinkMonitor
from stormguard.testing.netns import NetnsLab, enter_netns


def test_settings_are_validated() -> None:
    cfg = SnifferConfig.from_mapping({"down_alert_after_s": 30, "retry_max_s": 5}, "t.yaml")
    assert cfg.down_alert_after_s == 30.0 and cfg.retry_max_s == 5.0
    assert SnifferConfig().down_alert_after_s == 60.0
    with pytest.raises(ConfigError, match=re.escape("t.yaml: down_alert_after_s must be >= 0")):
        SnifferConfig.from_mapping({"down_alert_after_s": -1}, "t.yaml")
    with pytest.raises(ConfigError, match=re.escape("retry_max_s must be 0.5..3600")):
        SnifferConfig.from_mapping({"retry_max_s": 0}, "t.yaml")
    with pytest.raises(ConfigError, match="must be a number"):
        SnifferConfig.from_mapping({"down_alert_after_s": "soon"}, "t.yaml")


@pytest.mark.netns
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root for namespaces")
def test_states_by_netlink_and_ioctl(netns_lab: NetnsLab) -> None:
    a, b = netns_lab.add_netns("a"), netns_lab.add_netns("b")
    with enter_netns(b):
        mon = LinkMonitor()
    try:
        assert mon.query("v1").state == "missing"
        netns_lab.add_veth("v0", a, "v1", b, up=False)
        q = mon.query("v1")
        assert (q.state, q.detail) == ("down", "administratively down") and q.ifindex
        netns_lab.link_up(b, "v1")  # the peer v0 is still down: no carrier
        assert (mon.query("v1").state, mon.query("v1").detail) == ("down", "no carrier")
        netns_lab.link_up(a, "v0")
        assert mon.query("v1").state == "up"  # carrier at once (the operstate may lag)
        end = time.monotonic() + 3
        while mon._query_ioctl("v1").state != "up":  # IFF_RUNNING follows within a second
            assert time.monotonic() < end
            time.sleep(0.05)
        assert mon._query_ioctl("v1") == mon.query("v1")
        # Every change above was announced on the pollable descriptor.
        fd = mon.fileno()
        assert fd is not None
        p = select.poll()
        p.register(fd, select.POLLIN)
        assert p.poll(1000)
        assert mon.drain() >= 2
        time.sleep(0.3)
        mon.drain()  # late ones (operstate) too
        netns_lab.link_down(b, "v1")
        assert p.poll(1000) and mon.drain() >= 1
        assert mon.query("v1").detail == "administratively down"
    finally:
        mon.close()
