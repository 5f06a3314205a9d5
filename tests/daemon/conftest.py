"""Fixtures for the daemon tests: fake switches over real SSH, a real SQLite store, and the
daemon as a real subprocess (real signals, real HTTP scrapes). Helpers are in daemon_kit."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from daemon_kit import PASSWORD, PASSWORD_ENV, DaemonProc  # noqa: E402

from stormguard.testing.fakenet import FakeDevice, FakeNetwork  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _password_env() -> Iterator[None]:
    old = os.environ.get(PASSWORD_ENV)
    os.environ[PASSWORD_ENV] = PASSWORD
    yield
    if old is None:
        os.environ.pop(PASSWORD_ENV, None)
    else:
        os.environ[PASSWORD_ENV] = old


@pytest.fixture(scope="module")
def fakes() -> Iterator[FakeNetwork]:
    """Three healthy switches of different platforms and one that hangs after login."""
    devices = [
        FakeDevice("sw-ios", "cisco_ios", 0, "netops", PASSWORD),
        FakeDevice("sw-eos", "arista_eos", 0, "netops", PASSWORD),
        FakeDevice("sw-junos", "juniper_junos", 0, "netops", PASSWORD),
        FakeDevice("sw-hang", "cisco_ios", 0, "netops", PASSWORD, fault="hang"),
    ]
    with FakeNetwork(devices, hang_s=120) as net:
        yield net


@pytest.fixture
def daemons() -> Iterator[list[DaemonProc]]:
    """Start daemons with ``daemons.append(DaemonProc(cfg))``; all are stopped afterwards."""
    started: list[DaemonProc] = []
    try:
        yield started
    finally:
        for d in started:
            d.stop()


