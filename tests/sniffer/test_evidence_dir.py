"""An evidence directory that cannot be written is a warning at start (and when a pcap fails),
never silence; storm detection goes on regardless."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stormguard.sniffer.evidence import EvidenceStore, writable_problem, write_pcap

sys.path.insert(0, os.path.dirname(__file__))
from sniff_timeline import LOOP_FRAME, T0


def _blocked(tmp_path: Path) -> Path:
    """A directory path that cannot exist: its parent is a regular file."""
    f = tmp_path / "a-file"
    f.write_text("in the way\n")
    return f / "evidence"


def test_writable_problem(tmp_path: Path) -> None:
    ok = tmp_path / "new" / "evidence"
    assert writable_problem(ok) is None and ok.is_dir()
    assert list(ok.iterdir()) == []  # the probe file is gone
    assert writable_problem(_blocked(tmp_path)) == "Not a directory"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch to another user")
def test_read_only_directory_for_the_daemon_user() -> None:
    """Permissions as an unprivileged daemon user sees them (root would write anyway)."""
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="sg-evidence-"))
    try:
        base.chmod(0o755)  # traversable by the other user (pytest's tmp_path is not)
        ro, rw = base / "ro", base / "rw"
        ro.mkdir(mode=0o555)
        rw.mkdir()
        rw.chmod(0o777)
        code = ("from stormguard.sniffer.evidence import writable_problem; "
                f"print(writable_problem({str(ro)!r}), writable_problem({str(rw)!r}))")
        proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=60, cwd="/",
                              env={**os.environ, "PYTHONPATH": os.getcwd()})
    finally:
        shutil.rmtree(base)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["Permission", "denied", "None"], proc.stdout


def test_failed_evidence_write_is_logged_once(tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="stormguard.sniffer")
    store = EvidenceStore(_blocked(tmp_path))
    frames = [(T0, LOOP_FRAME, -1)]
    assert store("eth1-1-abc", "eth1", frames) is None
    assert store("eth1-2-abc", "eth1", frames) is None
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1, lines
    assert "eth1-1-abc" in lines[0] and str(store.directory) in lines[0]
    assert store.failures == 2


def test_sniff_warns_at_start_and_still_detects(tmp_path: Path) -> None:
    pcap = tmp_path / "storm.pcap"
    write_pcap(pcap, [(T0 + i / 8000, LOOP_FRAME, -1) for i in range(16000)])
    blocked = _blocked(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "stormguard", "sniff", "--pcap", str(pcap),
                           "--format", "json", "--evidence-dir", str(blocked)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    warn = [ln for ln in proc.stderr.splitlines() if "evidence directory" in ln]
    assert len(warn) == 1 and str(blocked) in warn[0] and "not writable" in warn[0], proc.stderr
    kinds = [json.loads(ln)["event"] for ln in proc.stdout.splitlines()]
    assert kinds[0] == "storm-start" and kinds[-1] == "storm-end"
