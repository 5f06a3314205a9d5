"""The README's first command, end to end: `bash scripts/demo.sh` ends with a real report."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from stormguard.demo.network import SWITCHES
from stormguard.testing.fakenet import free_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _leftovers() -> dict[str, set[str]]:
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    procs = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return {
        "netns": {ln.split()[0] for ln in netns.splitlines() if ln.startswith("sgdemo-")},
        "tmp": {p.name for p in Path(tempfile.gettempdir()).glob("stormguard-demo-*")}
        | {p.name for p in Path(tempfile.gettempdir()).glob("stormguard-sgdemo-*")},
        "procs": {ln for ln in procs.splitlines() if "sgdemo-" in ln and "ovs" in ln},
    }


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("STORMGUARD_")}


def test_readme_demo_command_ends_with_a_real_report(tmp_path: Path) -> None:
    before = _leftovers()
    out = tmp_path / "demo-report.html"
    t0 = time.monotonic()
    proc = subprocess.run(["bash", "scripts/demo.sh", "-o", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=_env())
    took = time.monotonic() - t0
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    stdout = proc.stdout

    # the report exists, is the real thing, and has every device
    assert out.is_file()
    html = out.read_text()
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "<script src=" not in html and "<link rel=\"stylesheet\" href=" not in html
    for name, *_ in SWITCHES:
        assert name in html, name
    if os.geteuid() == 0 and not any("skipped" in ln for ln in stdout.splitlines()):
        assert "dc1-hv-ovs/br-vm" in html and "dc2-hv-lb/br-flat" in html

    # the summary: a table with every device, totals, and where the report is
    assert "stormguard demo: nightly compliance" in stdout
    for name, *_ in SWITCHES:
        assert name in stdout, name
    assert re.search(r"dc2-lab-ios\s.*failed: auth", stdout)
    assert re.search(r"total\s.*\d+ ok, 1 failed", stdout)
    assert f"report: {out}" in stdout.replace("\n", "")
    m = re.search(r"run 1: partial, (\d+) active finding\(s\) on (\d+) device\(s\)", stdout)
    assert m and int(m.group(1)) > 20 and int(m.group(2)) >= 7

    # everything the demo started is gone
    after = _leftovers()
    for kind in after:
        assert after[kind] <= before[kind], (kind, after[kind] - before[kind])
    print(f"demo.sh took {took:.1f} s")
    assert took < 120


def test_demo_keep_runs_the_daemon_until_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    out = tmp_path / "keep.html"
    proc = subprocess.Popen(
        [sys.executable, "-m", "stormguard", "demo", "--keep", "--no-vswitches", "-o", str(out),
         "--metrics-listen", f"127.0.0.1:{port}"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env())
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "daemon started" in line:
                break
        else:
            pytest.fail("the daemon did not start:\n" + "".join(lines))
        assert out.is_file()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
            body = resp.read().decode()
        assert 'stormguard_last_run_status{job="nightly",status="partial"} 1.0' in body
        assert 'stormguard_collection_failures{failure_class="auth",job="nightly"} 1.0' in body
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
        rest = proc.stdout.read()
        assert "daemon stopped" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
