"""Fixtures for the collector tests: fake switches over real SSH (fakenos) on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stormguard.collect.hostkeys import KnownHosts
from stormguard.testing.fakenet import PLATFORMS, FakeNetwork

#: distinctive, so a grep through logs / DB dumps / output cannot miss it
TEST_PASSWORD = "Sg-T3st-Pw-7f3a9c"
PASSWORD_ENV = "SG_COLLECT_TEST_PASSWORD"


@pytest.fixture(scope="session")
def test_password() -> str:
    return TEST_PASSWORD


@pytest.fixture(scope="module")
def password_env() -> Iterator[str]:
    """The inventory's password reference: an environment variable, set for the module."""
    import os

    old = os.environ.get(PASSWORD_ENV)
    os.environ[PASSWORD_ENV] = TEST_PASSWORD
    try:
        yield PASSWORD_ENV
    finally:
        if old is None:
            os.environ.pop(PASSWORD_ENV, None)
        else:
            os.environ[PASSWORD_ENV] = old


@pytest.fixture(scope="module")
def healthy_net() -> Iterator[FakeNetwork]:
    """One healthy fake of every switch platform (sw000..sw006, platforms in PLATFORMS order)."""
    with FakeNetwork.build(len(PLATFORMS), password=TEST_PASSWORD, prefix="ok") as net:
        yield net


@pytest.fixture
def known_hosts(tmp_path: Path) -> KnownHosts:
    return KnownHosts(tmp_path / "known_hosts")


@pytest.fixture
def store(tmp_path: Path):
    from stormguard.store import Store

    s = Store.open(f"sqlite:///{tmp_path / 'sg.db'}")
    try:
        yield s
    finally:
        s.close()
