"""SNMP counters → storm events: counter arithmetic (wrap, agent restart), the sniffer's
detector on rates, and real agents (snmpsim with rising counters) polled over UDP, v2c and v3."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from stormguard.signals.snmp import (
    WRAP64,
    CounterTracker,
    PortRate,
    PortSample,
    RateDetectors,
    Sample,
    SnmpPoller,
    SnmpTarget,
    targets_from_inventory,
)
from stormguard.sniffer.config import SnifferConfig
from stormguard.testing.snmpsim import SimAgent, SimPort, SnmpSim


def _run(coro) -> None:
    """asyncio.run in a thread of its own: another test's library (Playwright's sync API) may
    have left an event loop set on this thread."""
    import threading

    err: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:
            err.append(exc)

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if err:
        raise err[0]


def _s(uptime: int, bcast: int, ts: float, mcast: int = 0) -> Sample:
    return Sample("sw1", ts, uptime, {1: PortSample("Gi1/0/1", bcast, mcast, 0, 1000)})


def test_rates_wrap_and_restart() -> None:
    t = CounterTracker()
    assert t.rates(_s(1000, 5000, 0.0)) == []  # first sample: a baseline
    (r,) = t.rates(_s(2000, 15000, 10.0))  # 10 s of ticks, 10,000 frames
    assert r.bcast_pps == 1000.0 and r.interval_s == 10.0
    (r,) = t.rates(_s(3000, 4000, 20.0, mcast=500))  # the 64-bit counter wrapped
    assert r.bcast_pps == pytest.approx((WRAP64 - 15000 + 4000) / 10.0)
    assert r.mcast_pps == 50.0
    assert t.rates(_s(50, 10, 30.0)) == []  # uptime went back: restarted, new baseline
    assert t.restarts == {"sw1": 1}
    (r,) = t.rates(_s(1050, 20010, 40.0))
    assert r.bcast_pps == 2000.0  # never a negative or a 2^64-sized false rate


def test_new_port_starts_its_own_history() -> None:
    t = CounterTracker()
    t.rates(_s(0, 0, 0.0))
    s = _s(1000, 100, 10.0)
    s.ports[2] = PortSample("Gi1/0/2", 999_999, 0, 0, 1000)
    assert [r.name for r in t.rates(s)] == ["Gi1/0/1"]


def test_rates_open_and_close_a_storm_with_the_sniffer_rules() -> None:
    det = RateDetectors(SnifferConfig(threshold_pps=2000), interval_s=10)

    def rate(ts: float, pps: float) -> PortRate:
        return PortRate("sw1", 1, "Gi1/0/1", ts, 10, pps, 0.0, 0.0, 1000)

    events = []
    for i, pps in enumerate([50, 60, 40, 25000, 30000, 28000, 100, 80, 50]):
        events += [(e.event, round(e.pps)) for e in det.feed(rate(1000.0 + 10 * i, pps))]
    assert events[0] == ("storm-start", 25000)
    assert events[-1][0] == "storm-end"
    assert [e for e, _ in events].count("storm-start") == 1


def test_percent_of_link_rule_applies_to_snmp_rates() -> None:
    # 1 % of a 100 Mbit/s link = 1 Mbit/s = 1953 64-byte frames/s; the absolute threshold is
    # far above it, so only the link rule can fire
    det = RateDetectors(SnifferConfig(threshold_pps=10**9, link_pct=1.0), interval_s=10)
    evs = det.feed(PortRate("sw1", 1, "Fa0/1", 100.0, 10, 2500, 0, 0, 100))
    assert evs and evs[0].event == "storm-start" and "Mbit/s" in evs[0].trigger


@pytest.mark.slow
def test_storm_on_two_of_fifty_agents() -> None:
    """Fifty real agents (8 ports each: the 2,000-port case is the benchmark's), a storm on
    one port of two of them: exactly those two open a storm, no calm port does."""
    agents = []
    for i in range(50):
        storm = i in (7, 31)
        agents.append(SimAgent(f"agent{i:02d}", [
            SimPort(f"Gi1/0/{j}", bcast_pps=30000 if storm and j == 3 else 3,
                    mcast_pps=2000 if storm and j == 3 else 2) for j in range(1, 9)]))
    events: list[tuple[str, str, str]] = []
    rates: list[PortRate] = []
    with SnmpSim(agents) as sim:
        targets = [SnmpTarget(a.community, "127.0.0.1", sim.port, community=a.community)
                   for a in agents]
        poller = SnmpPoller(targets, lambda d, e: events.append((d, e.event, e.iface)),
                            interval_s=3, on_rates=rates.extend,
                            config=SnifferConfig(threshold_pps=2000))
        _run(poller.run(duration_s=10))
    assert poller.stats.failures == 0 and poller.stats.ports == 8
    assert sorted(events) == [("agent07", "storm-start", "agent07/Gi1/0/3"),
                              ("agent31", "storm-start", "agent31/Gi1/0/3")]
    calm = [r.bum_pps for r in rates if r.name != "Gi1/0/3" or r.device not in
            ("agent07", "agent31")]
    assert len(calm) >= 49 * 8 and max(calm) < 50
    hot = [r.bum_pps for r in rates if r.name == "Gi1/0/3" and r.device in
           ("agent07", "agent31")]
    assert min(hot) > 20000


def test_v3_auth_priv_and_a_wrong_key_is_a_named_failure() -> None:
    agents = [SimAgent("core1", [SimPort("Gi1/0/1", bcast_pps=100)])]
    v3 = ["--v3-user=monitor", "--v3-auth-key=authpass123",
          "--v3-auth-proto=SHA", "--v3-priv-key=privpass123", "--v3-priv-proto=AES"]
    with SnmpSim(agents, extra_args=v3) as sim:
        ok = SnmpTarget("core1", "127.0.0.1", sim.port, version="v3", user="monitor",
                        auth_key="authpass123", priv_key="privpass123", context="core1")
        bad = SnmpTarget("core2", "127.0.0.1", sim.port, version="v3", user="monitor",
                         auth_key="wrong-pass-1", priv_key="privpass123", context="core1")
        poller = SnmpPoller([ok], lambda d, e: None, interval_s=1, timeout_s=2, retries=0)
        _run(poller.run(duration_s=2.5))
        # (its own engine: one SNMP engine keeps one key per user and agent)
        rejected = SnmpPoller([bad], lambda d, e: None, interval_s=1, timeout_s=2, retries=0)
        _run(rejected.run(duration_s=0.5))
    assert poller.stats.polls >= 2 and poller.stats.failures == 0
    assert rejected.stats.polls == 0 and "core2 (127.0.0.1:" in rejected.stats.last_error["core2"]
    assert "wrong-pass-1" not in json.dumps(rejected.stats.last_error)


def test_targets_from_inventory_secrets_by_reference(tmp_path: Path, monkeypatch) -> None:
    from stormguard.errors import ConfigError

    class H:
        def __init__(self, name: str, data: dict) -> None:
            self.name, self.hostname, self.data, self.site = name, "192.0.2.1", data, "dc1"

    (tmp_path / "auth.txt").write_text("s3cret-auth\n")
    monkeypatch.setenv("SNMP_RO", "ro-community")
    ts = targets_from_inventory([
        H("a", {"snmp": {"community_env": "SNMP_RO"}}),
        H("b", {"snmp": {"version": "v3", "user": "mon", "auth_key_file": "auth.txt",
                         "priv_key": "p"}}),
        H("c", {}),
    ], str(tmp_path))
    assert [t.device for t in ts] == ["a", "b"]
    assert ts[0].community == "ro-community" and ts[1].auth_key == "s3cret-auth"
    assert "ro-community" not in repr(ts[0]) and "s3cret" not in repr(ts[1])
    monkeypatch.delenv("SNMP_RO")
    with pytest.raises(ConfigError, match="SNMP_RO") as e:
        targets_from_inventory([H("a", {"snmp": {"community_env": "SNMP_RO"}})])
    assert e.value.args[0].count("\n") == 0
    with pytest.raises(ConfigError, match="version"):
        targets_from_inventory([H("a", {"snmp": {"version": "v1", "community": "x"}})])


def test_cli_polls_and_prints_json_storm_events(tmp_path: Path) -> None:
    agents = [SimAgent("leaf1", [SimPort("Ethernet1", bcast_pps=40000),
                                 SimPort("Ethernet2")])]
    with SnmpSim(agents) as sim:
        inv = tmp_path / "inventory.yaml"
        inv.write_text("hosts:\n  leaf1:\n    hostname: 127.0.0.1\n    platform: arista_eos\n"
                       f"    data:\n      snmp: {{community: leaf1, port: {sim.port}}}\n")
        r = subprocess.run([sys.executable, "-m", "stormguard", "snmp", "--inventory", str(inv),
                            "--interval", "1.5", "--duration", "4", "--format", "json"],
                           capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    events = [json.loads(x) for x in r.stdout.splitlines()]
    assert events and events[0]["event"] == "storm-start"
    assert events[0]["iface"] == "leaf1/Ethernet1" and events[0]["pps"] > 20000
    assert "0 failure(s)" in r.stderr
