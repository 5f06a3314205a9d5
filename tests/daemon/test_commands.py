"""`stormguard run-now` and `stormguard status`, run as the user runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from daemon_kit import PASSWORD, free_port, open_store, runs_of, write_setup

from stormguard.daemon.scheduler import make_holder

HEALTHY = ["sw-ios", "sw-eos", "sw-junos"]


def sg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORMGUARD_")}
    return subprocess.run([sys.executable, "-m", "stormguard", *args], capture_output=True,
                          text=True, timeout=120, env=env, cwd=cwd)


@pytest.mark.slow
def test_run_now_then_status(tmp_path: Path, fakes) -> None:
    cfg = write_setup(tmp_path, fakes, names=HEALTHY)
    proc = sg("run-now", "--config", str(cfg), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("run 1 (nightly): ok in ")
    assert re.search(r"^collected\s+3$", out, re.M)
    assert re.search(r"^devices audited\s+3$", out, re.M)
    assert re.search(r"^findings: high\s+[1-9]", out, re.M)
    report = tmp_path / "reports" / "report-run-1.html"
    assert f"report (html): {report}" in out and report.is_file()
    assert PASSWORD not in out + proc.stderr
    [run] = runs_of(cfg)
    assert (run.kind, run.trigger, run.status) == ("nightly", "run-now", "ok")

    status = sg("status", "--config", str(cfg), cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    text = status.stdout
    assert "last runs:" in text
    row = next(line for line in text.splitlines() if line.startswith("1 "))
    assert row.split()[:4] == ["1", "nightly", "run-now", "ok"]
    assert "3/3" in row
    assert "schedule:" in text
    sched = next(line for line in text.splitlines() if re.match(r"nightly\s+0 2 \* \* \*", line))
    assert " 02:00:00" in sched  # next run: 02:00 local time
    assert "failing devices (run 1): none" in text

    doc = json.loads(sg("status", "--config", str(cfg), "--format", "json",
                        cwd=tmp_path).stdout)
    assert doc["runs"][0]["status"] == "ok" and doc["runs"][0]["collect"]["collected"] == 3
    assert doc["runs"][0]["stages"] == {"collect": "ok", "audit": "ok", "report": "ok",
                                        "notify": "ok"}
    assert "T02:00:00" in doc["jobs"][0]["next_run"]


@pytest.mark.slow
def test_failing_devices_show_in_run_now_and_status(tmp_path: Path, fakes) -> None:
    cfg = write_setup(tmp_path, fakes, names=["sw-ios"])
    inv = tmp_path / "inventory.yaml"
    inv.write_text(inv.read_text() + f"  sw-gone:\n    hostname: 127.0.0.1\n"
                   f"    port: {free_port()}\n    platform: arista_eos\n")
    proc = sg("run-now", "nightly", "--config", str(cfg), cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.startswith("run 1 (nightly): partial")
    assert re.search(r"^failed: unreachable\s+1$", proc.stdout, re.M)
    assert re.search(r"^sw-gone\s+unreachable\s", proc.stdout, re.M)
    text = sg("status", "--config", str(cfg), cwd=tmp_path).stdout
    assert "failing devices (run 1):" in text
    assert re.search(r"^sw-gone\s+unreachable\s", text, re.M)


@pytest.mark.slow
def test_run_now_honours_the_lock(tmp_path: Path, fakes) -> None:
    cfg = write_setup(tmp_path, fakes, names=HEALTHY)
    store = open_store(cfg)
    holder = make_holder()  # this (live) test process holds the job, like a daemon would
    try:
        assert store.acquire_lock("job:nightly", holder, 120)
        proc = sg("run-now", "--config", str(cfg), cwd=tmp_path)
        assert proc.returncode == 1
        assert proc.stderr.strip() == (f"stormguard run-now: job nightly is already running "
                                       f"({holder}); not started")
        assert runs_of(cfg) == []
        text = sg("status", "--config", str(cfg), cwd=tmp_path).stdout
        assert f"running ({holder})" in text
    finally:
        store.release_lock("job:nightly", holder)
        store.close()


def test_run_now_unknown_job_is_one_line(tmp_path: Path, fakes) -> None:
    cfg = write_setup(tmp_path, fakes, names=HEALTHY)
    proc = sg("run-now", "weekly", "--config", str(cfg), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"stormguard run-now: error: job 'weekly' is not in {cfg} "
                                   "(jobs: nightly)")


def test_a_broken_inventory_is_one_line_and_a_failed_run(tmp_path: Path, fakes) -> None:
    cfg = write_setup(tmp_path, fakes, names=HEALTHY)
    (tmp_path / "inventory.yaml").write_text("hosts:\n  sw1:\n    platform: ciscoo\n")
    proc = sg("run-now", "--config", str(cfg), cwd=tmp_path)
    assert proc.returncode == 2
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("stormguard run-now: error: ") and "inventory.yaml:3" in line
    [run] = runs_of(cfg)
    assert run.status == "failed" and "ciscoo" in run.summary["error"]
    text = sg("status", "--config", str(cfg), cwd=tmp_path).stdout
    assert re.search(r"^1\s+nightly\s+run-now\s+failed\s", text, re.M)


@pytest.mark.slow
def test_ctrl_c_stops_run_now_and_marks_the_run_interrupted(tmp_path: Path, fakes) -> None:
    import signal

    cfg = write_setup(tmp_path, fakes, names=["sw-ios", "sw-hang"], timeout=60,
                      shutdown_timeout_s=1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORMGUARD_")}
    proc = subprocess.Popen([sys.executable, "-m", "stormguard", "run-now", "--config", str(cfg)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=tmp_path)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "collected sw-ios" in line:
                break
        proc.send_signal(signal.SIGINT)
        out, _err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert out.startswith("run 1 (nightly): interrupted")
    [run] = runs_of(cfg)
    assert run.status == "interrupted"
    assert run.summary["collect"]["collected"] == 1
