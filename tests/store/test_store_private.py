"""The store's files are private whatever the umask (directory 0700, database 0600, and so its
-wal/-shm), `stormguard db upgrade` tightens an older world-readable store and says so, and a
read-only store (a read-only mount: backup host, snapshot, ``ro`` bind mount) still serves
reads (report, history, diff, db current) while writes fail in one line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORMGUARD_")}
    env["STORMGUARD_DATABASE_URL"] = url
    return env


def _sg(args: list[str], url: str, cwd: Path, *, umask: int | None = None,
        wrap: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [*(wrap or []), sys.executable, "-m", "stormguard", *args]
    return subprocess.run(cmd, cwd=cwd, env=_env(url), capture_output=True, text=True,
                          timeout=120,
                          preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_a_new_store_is_private_whatever_the_umask(tmp_path, umask):
    db = tmp_path / "data" / "stormguard" / "sg.db"
    url = f"sqlite:///{db}"
    res = _sg(["db", "upgrade"], url, tmp_path, umask=umask)
    assert res.returncode == 0, res.stderr
    code = ("from stormguard.store import Store\n"
            f"s = Store.open({url!r})\n"
            "r = s.start_run('collect')\n"
            "s.save_snapshot(r, 'sw1', 'cisco_ios', 'hostname sw1\\n')\n"
            "import os\n"
            f"print(sorted(os.listdir({str(db.parent)!r})))\n")
    proc = subprocess.run([sys.executable, "-c", code], env=_env(url), capture_output=True,
                          text=True, timeout=60, preexec_fn=lambda: os.umask(umask))
    assert proc.returncode == 0, proc.stderr
    assert "sg.db-wal" in proc.stdout  # the WAL files existed while it ran
    assert _mode(db.parent) == 0o700
    assert _mode(db) == 0o600
    for extra in db.parent.iterdir():
        assert _mode(extra) == 0o600, extra.name


def test_db_upgrade_tightens_an_existing_store_and_says_so(tmp_path):
    d = tmp_path / "store"
    db = d / "sg.db"
    url = f"sqlite:///{db}"
    assert _sg(["db", "upgrade"], url, tmp_path).returncode == 0
    os.chmod(d, 0o755)
    os.chmod(db, 0o644)
    res = _sg(["db", "upgrade"], url, tmp_path)
    assert res.returncode == 0, res.stderr
    assert f"{db}: permissions tightened from 0644 to 0600" in res.stdout
    assert f"{d}: permissions tightened from 0755 to 0700" in res.stdout
    assert _mode(db) == 0o600 and _mode(d) == 0o700
    again = _sg(["db", "upgrade"], url, tmp_path)
    assert "tightened" not in again.stdout  # nothing left to say


def test_a_shared_directory_is_left_as_it_is_and_said_so(tmp_path):
    d = tmp_path / "shared"
    d.mkdir(mode=0o755)
    os.chmod(d, 0o755)
    (d / "notes.txt").write_text("not stormguard's\n")
    db = d / "sg.db"
    url = f"sqlite:///{db}"
    assert _sg(["db", "upgrade"], url, tmp_path).returncode == 0
    assert _mode(db) == 0o600  # created private even in a shared directory
    res = _sg(["db", "upgrade"], url, tmp_path)
    assert f"{d}: left at 0755: the directory also holds other files" in res.stdout
    assert _mode(d) == 0o755


@pytest.fixture
def seeded_store(tmp_path):
    """A store with two committed collections of sw1 and an audited run."""
    from stormguard.store import Store

    d = tmp_path / "ro"
    url = f"sqlite:///{d / 'sg.db'}"
    with Store.open(url) as s:
        for name in ("cisco_ios-violations.cfg", "cisco_ios-compliant.cfg"):
            rid = s.start_run("collect")
            s.save_snapshot(rid, "sw1", "cisco_ios", (EXAMPLES / name).read_text())
            s.finish_run(rid, "ok")
    res = _sg(["audit"], url, tmp_path)
    assert res.returncode == 0, res.stderr
    return d, url


def _read_only_mount(d: Path) -> list[str]:
    """Run inside a private mount namespace where `d` is bind-mounted read-only (needs root:
    the storm lab's namespace tests need it too). Only this process tree sees the mount."""
    assert os.geteuid() == 0, "the read-only store test needs root for its mount namespace"
    script = (f'mount --bind "{d}" "{d}" && mount -o remount,ro,bind "{d}" "{d}" && '
              'exec "$0" "$@"')
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]


@pytest.mark.parametrize("args, expect", [
    (["history", "sw1"], "sw1"),
    (["report", "--format", "md", "-o", "-"], "SG"),
    (["diff", "sw1"], "@@"),
    (["db", "current"], "(up to date)"),
])
def test_reads_work_on_a_read_only_store(seeded_store, tmp_path, args, expect):
    d, url = seeded_store
    before = {p.name: p.stat().st_mtime_ns for p in d.iterdir()}
    res = _sg(args, url, tmp_path, wrap=_read_only_mount(d))
    assert res.returncode == 0, res.stderr
    assert expect in res.stdout
    assert "Traceback" not in res.stderr
    assert {p.name: p.stat().st_mtime_ns for p in d.iterdir()} == before


@pytest.mark.parametrize("args, expect", [
    (["audit"], "attempt to write a readonly database"),
    (["db", "upgrade"], "it is read-only for this user"),
])
def test_writes_to_a_read_only_store_are_one_line_exit_2(seeded_store, tmp_path, args, expect):
    d, url = seeded_store
    res = _sg(args, url, tmp_path, wrap=_read_only_mount(d))
    assert res.returncode == 2, (res.stdout, res.stderr)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and expect in lines[0], lines
