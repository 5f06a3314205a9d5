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
    vswitches = os.geteuid() == 0 and not any("skipped" in ln for ln in stdout.splitlines())
    if vswitches:
        assert "dc1-hv-ovs/br-vm" in html and "dc2-hv-lb/br-flat" in html

    # the topology section: the ESXi host over SSH, and (with the vSwitches) exactly one red
    # loop, the OVS bridge's two loose uplinks into two joined leaves; the compliant hosts
    # (LACP bond + RSTP, Linux bridge with STP, ESXi) are drawn but not red
    assert '<section id="topology">' in html and "dc1-esx01/vSwitch0" in html
    assert 'data-node="dc1-esx01/vSwitch0"' in html
    if vswitches:
        assert re.findall(r'<li class="loop" data-rules="([^"]*)"', html) == ["SG501 SG502"]
        red_nodes = set(re.findall(r'<g class="node risky" data-node="([^"]+)"', html))
        assert red_nodes == {"dc1-hv-ovs/br-vm", "dc1-leaf-nxos", "dc1-leaf-eos"}
        assert len(re.findall(r'<g class="link risky"', html)) == 3
        for ok in ("dc1-hv-ovs/br-storage", "dc2-hv-lb/br-stp", "dc2-hv-lb/br-flat",
                   "dc1-esx01/vSwitch0"):
            assert f'<g class="node" data-node="{ok}"' in html, ok
        assert "dc1-hv-ovs/br-vm:eth1" in html and "dc1-hv-ovs/br-vm:eth2" in html
        assert re.search(r"topology: \d+ switches and vSwitches, \d+ links, 1 risky loop", stdout)

    # the summary: a table with every device, totals, and where the report is
    assert "stormguard demo: nightly compliance" in stdout
    for name, *_ in SWITCHES:
        assert name in stdout, name
    assert re.search(r"dc2-lab-ios\s.*failed: auth", stdout)
    assert re.search(r"total\s.*\d+ ok, 1 failed", stdout)
    assert f"report: {out}" in stdout.replace("\n", "")
    m = re.search(r"run (\d+): partial, (\d+) active finding\(s\) on (\d+) device\(s\)",
                  stdout)
    assert m and int(m.group(2)) > 20 and int(m.group(3)) >= 7
    last_run = int(m.group(1))

    # a living history: several simulated nights, the network changing in between
    from stormguard.demo.network import NIGHTS

    assert NIGHTS >= 3 and last_run == NIGHTS
    nights = re.findall(r"night (\d+) \(\w{3} \d\d \w{3} 02:00\): run (\d+) partial, "
                        r"(\d+) active finding", stdout)
    assert [int(n) for n, _r, _c in nights] == list(range(1, NIGHTS + 1))
    counts = [int(c) for _n, _r, c in nights]
    assert counts[1] == counts[0] + 1  # night 2: a trunk opened to every VLAN
    assert "trunk Gi1/0/1 to hv01 opened to every VLAN" in stdout
    assert "fix applied on Gi1/0/2" in stdout
    assert "dc2-access-comware: new device" in stdout
    trend = re.search(r"trend of active findings: (.*)", stdout)
    assert trend and trend.group(1).count("->") == NIGHTS - 1
    ch = re.search(r"since run (\d+): (\d+) new, (\d+) resolved, (\d+) persisting", stdout)
    assert ch and int(ch.group(1)) == last_run - 1
    new, resolved, persisting = (int(ch.group(i)) for i in (2, 3, 4))
    assert new >= 5 and resolved == 2 and persisting > 20  # new device; the fix; the rest
    assert new + persisting == counts[-1]
    # ... and the HTML report shows the same: the trend's points and the change columns
    for rid in range(1, NIGHTS + 1):
        assert f"run #{rid}:" in html
    assert f'title="new">+{new}<' in html and f'title="resolved">−{resolved}<' in html
    assert f"{new} new · {resolved} resolved · {persisting} persisting" in html

    # everything the demo started is gone
    after = _leftovers()
    for kind in after:
        assert after[kind] <= before[kind], (kind, after[kind] - before[kind])
    print(f"demo.sh took {took:.1f} s")
    assert took < 120  # a generous bound for a loaded CI machine; ~25 s here


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
