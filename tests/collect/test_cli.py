"""`stormguard collect` end to end: a real process, a real inventory file, fakes over SSH."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stormguard.testing.fakenet import FakeNetwork

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cli_net(test_password: str) -> Iterator[FakeNetwork]:
    with FakeNetwork.build(4, faults={"cl003": "auth"}, prefix="cl", password=test_password,
                           platforms=["cisco_ios", "arista_eos", "huawei", "juniper_junos"]
                           ) as net:
        yield net


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stormguard", "collect", *args], env=env,
                          capture_output=True, text=True, timeout=180,
                          cwd=Path(__file__).resolve().parents[2])


@pytest.fixture
def env(tmp_path: Path, password_env: str) -> dict[str, str]:
    return {**os.environ, "STORMGUARD_DATABASE_URL": f"sqlite:///{tmp_path / 'sg.db'}",
            "STORMGUARD_KNOWN_HOSTS": str(tmp_path / "known_hosts")}


def test_collect_twice_then_table(cli_net: FakeNetwork, env: dict[str, str], tmp_path: Path,
                                  password_env: str, test_password: str) -> None:
    inv = cli_net.write_inventory(tmp_path / "inventory.yaml", password_env=password_env,
                                  timeout=30)
    first = _run(["--inventory", str(inv), "--workers", "4"], env)
    assert first.returncode == 1, first.stderr  # one device failed
    assert "run 1: partial, 4 device(s)" in first.stdout
    assert "collected     3" in first.stdout and "failed: auth  1" in first.stdout
    assert "cl003   auth" in first.stdout
    second = _run(["--inventory", str(inv), "--workers", "4"], env)
    assert "unchanged   3" in second.stdout and "changed     0" in second.stdout
    only = _run(["--inventory", str(inv), "--limit", "cl00[01]"], env)
    assert only.returncode == 0 and "2 device(s)" in only.stdout
    for p in (first, second, only):
        assert test_password not in p.stdout + p.stderr
        assert "Traceback" not in p.stderr
    assert test_password not in inv.read_text()
    known = Path(env["STORMGUARD_KNOWN_HOSTS"]).read_text()
    assert known.count("ssh-rsa") == 3  # tofu pinned the three it logged in to


@pytest.mark.parametrize(("args", "needle"), [
    (["--workers", "0"], "--workers 0: must be between 1 and 512"),
    (["--limit", "nomatch*"], "no device in the inventory matches"),
    (["--timeout", "-1"], "--timeout -1: must be positive"),
])
def test_bad_input_is_one_line(cli_net: FakeNetwork, env: dict[str, str], tmp_path: Path,
                               password_env: str, args: list[str], needle: str) -> None:
    inv = cli_net.write_inventory(tmp_path / "inventory.yaml", password_env=password_env)
    p = _run(["--inventory", str(inv), *args], env)
    assert p.returncode == 2
    assert needle in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_missing_inventory_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    p = _run(["--inventory", str(tmp_path / "nope.yaml")], env)
    assert p.returncode == 2 and "nope.yaml" in p.stderr
    assert "Traceback" not in p.stderr
