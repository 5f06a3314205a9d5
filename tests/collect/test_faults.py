"""Each injected fault is reported with the right class, in bounded time, retried or not."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from stormguard.collect.base import Collected, CollectError
from stormguard.collect.hostkeys import KnownHosts
from stormguard.collect.pool import PoolSettings, backoff_delay, collect_many
from stormguard.collect.registry import CollectContext, register_driver
from stormguard.inventory import Credentials, Host
from stormguard.testing.fakenet import EXPECTED_CLASS, FakeNetwork

FAULTY = {"bad000": "auth", "bad001": "closed", "bad002": "hang", "bad003": "truncated",
          "bad004": "hostkey"}


@pytest.fixture(scope="module")
def faulty_net(test_password: str) -> Iterator[FakeNetwork]:
    # platforms rotate so the faults hit different vendors: ios, xe, nxos, eos, junos
    with FakeNetwork.build(5, faults=FAULTY, prefix="bad", password=test_password,
                           hang_s=60) as net:
        yield net


@pytest.fixture(scope="module")
def fault_results(faulty_net: FakeNetwork, password_env: str,
                  tmp_path_factory: pytest.TempPathFactory):
    kh = tmp_path_factory.mktemp("kh") / "known_hosts"
    faulty_net.pin_all_host_keys(kh)  # an earlier night pinned the original keys
    hosts = faulty_net.hosts(password_env=password_env, timeout=4, retries=1)
    t0 = time.monotonic()
    results = collect_many(hosts, known_hosts=KnownHosts(kh),
                           settings=PoolSettings(workers=5, backoff_base_s=0.2))
    return {r.host.name: r for r in results}, time.monotonic() - t0


@pytest.mark.parametrize("name", sorted(FAULTY))
def test_fault_is_classified(fault_results, name: str) -> None:
    results, _ = fault_results
    res = results[name]
    assert not res.ok
    assert res.failure_class == EXPECTED_CLASS[FAULTY[name]], res.error
    assert name in str(res.error) and "\n" not in str(res.error)


def test_retries_only_where_a_retry_can_help(fault_results) -> None:
    results, _ = fault_results
    assert results["bad000"].attempts == 1  # auth: never (account lock-out)
    assert results["bad004"].attempts == 1  # host-key: never (a human must look)
    assert results["bad003"].attempts == 1  # parse: the device answered; same again
    assert results["bad001"].attempts == 2  # unreachable: retried
    assert results["bad002"].attempts == 2  # timeout: retried


def test_run_is_bounded_by_the_timeouts(fault_results) -> None:
    results, wall = fault_results
    hang = results["bad002"]
    # two attempts of 4 s plus a backoff of at most 0.2 s, plus a little slack
    assert 8.0 <= hang.duration_s < 10.0, hang.duration_s
    assert wall < 12.0


def test_the_password_never_shows_in_errors(fault_results, test_password: str) -> None:
    results, _ = fault_results
    for res in results.values():
        assert test_password not in str(res.error) and test_password not in repr(res.error)


def test_missing_password_reference_is_an_auth_failure_naming_the_variable(
        faulty_net: FakeNetwork, known_hosts: KnownHosts) -> None:
    [host] = faulty_net.hosts(password_env="SG_NOT_SET_ANYWHERE", names=["bad003"])
    [res] = collect_many([host], known_hosts=known_hosts, settings=PoolSettings(workers=1))
    assert res.failure_class == "auth" and "SG_NOT_SET_ANYWHERE" in res.error.message


def test_unknown_driver_is_unsupported(known_hosts: KnownHosts) -> None:
    host = Host(name="odd1", hostname="127.0.0.1", platform="cisco_ios", driver="telnetlib")
    [res] = collect_many([host], known_hosts=known_hosts)
    assert res.failure_class == "unsupported" and res.attempts == 1
    assert "telnetlib" in res.error.message


def test_watchdog_ends_an_attempt_that_ignores_its_own_timeouts(
        known_hosts: KnownHosts) -> None:
    """A driver stuck in a read that never times out: the pool's wall clock ends it, closes
    the session (the registered closer) and moves on."""
    closed = {f"stuck{i}": threading.Event() for i in range(3)}

    def stuck(host: Host, ctx: CollectContext) -> Collected:
        ctx.on_abort(closed[host.name].set)
        closed[host.name].wait(30)  # "blocked in a read" until the session is closed under it
        raise CollectError(host.name, "protocol", "channel closed")

    register_driver("test-stuck", stuck)
    hosts = [Host(name=f"stuck{i}", hostname="127.0.0.1", platform="cisco_ios",
                  driver="test-stuck", timeout=1.0, retries=0,
                  credentials=Credentials(username="x")) for i in range(3)]
    t0 = time.monotonic()
    results = collect_many(hosts, known_hosts=known_hosts, settings=PoolSettings(workers=3))
    assert time.monotonic() - t0 < 3.0
    assert all(e.is_set() for e in closed.values())
    assert [r.failure_class for r in results] == ["timeout"] * 3
    assert all("watchdog" in r.error.message for r in results)


def test_a_crashing_driver_is_contained(known_hosts: KnownHosts) -> None:
    def buggy(host: Host, ctx: CollectContext) -> Collected:
        raise ZeroDivisionError("oops")

    register_driver("test-buggy", buggy)
    host = Host(name="bug1", hostname="127.0.0.1", platform="cisco_ios", driver="test-buggy",
                retries=2)
    [res] = collect_many([host], known_hosts=known_hosts,
                         settings=PoolSettings(backoff_base_s=0.01))
    assert res.failure_class == "protocol" and res.attempts == 3


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    import random

    rng = random.Random(1)
    d = [backoff_delay(a, 1.0, 5.0, rng) for a in (1, 2, 3, 4, 5)]
    assert 0.5 <= d[0] <= 1.0 and 1.0 <= d[1] <= 2.0 and 2.0 <= d[2] <= 4.0
    assert 2.5 <= d[3] <= 5.0 and 2.5 <= d[4] <= 5.0
