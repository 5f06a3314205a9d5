"""`stormguard daemon` as a real process: catch-up after downtime (coalesced), the metrics
endpoint scraped over HTTP, the single-run lock between two daemons, SIGTERM and SIGKILL."""

from __future__ import annotations

import itertools
import signal
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from daemon_kit import (
    PASSWORD,
    DaemonProc,
    free_port,
    open_store,
    runs_of,
    seed_past_run,
    wait_until,
    write_setup,
)

HEALTHY = ["sw-ios", "sw-eos", "sw-junos"]

pytestmark = pytest.mark.slow


def _hourly_cron_missed_recently() -> str:
    """Hourly, at the minute of 30 minutes ago: fired twice in the last 2 h, next in ~30 min."""
    return f"{(datetime.now() - timedelta(minutes=30)).minute} * * * *"


def _metric(text: str, name: str, **labels: str) -> float | None:
    want = name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"
                   if labels else "")
    for line in text.splitlines():
        if line.startswith(want + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_missed_nights_run_once_at_startup_and_metrics_show_it(tmp_path: Path, fakes,
                                                               daemons) -> None:
    port = free_port()
    cfg = write_setup(tmp_path, fakes, names=HEALTHY,
                      jobs=[{"name": "nightly", "cron": _hourly_cron_missed_recently(),
                             "misfire_grace_s": 3 * 3600}],
                      metrics={"enabled": True, "listen": f"127.0.0.1:{port}"})
    seeded = seed_past_run(cfg, "nightly", started_ago_s=2 * 3600 + 60)
    d = DaemonProc(cfg)
    daemons.append(d)
    d.wait_for("missed its run", timeout=30)
    d.wait_for(f"run {seeded + 1} ok in", timeout=60)
    time.sleep(2)  # nothing else may start: the two missed fire times coalesce into one run
    runs = runs_of(cfg)
    assert [(r.id, r.trigger, r.status) for r in runs] == [
        (seeded, "schedule", "ok"), (seeded + 1, "startup-catchup", "ok")]
    assert runs[1].summary["scheduled_for"]

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
        body = resp.read().decode()
    assert _metric(body, "stormguard_runs_total", job="nightly", status="ok") == 1.0
    assert _metric(body, "stormguard_last_run_status", job="nightly", status="ok") == 1.0
    assert _metric(body, "stormguard_collection_devices", job="nightly",
                   result="collected") == 3.0
    assert _metric(body, "stormguard_collection_devices", job="nightly", result="failed") == 0.0
    assert _metric(body, "stormguard_run_duration_seconds_count", job="nightly") == 1.0
    assert _metric(body, "stormguard_devices_audited") == 3.0
    high = _metric(body, "stormguard_findings", severity="high")
    assert high is not None and high > 0
    assert "stormguard_findings_by_rule{rule=\"SG" in body
    nxt = _metric(body, "stormguard_next_run_timestamp_seconds", job="nightly")
    assert nxt is not None and 0 < nxt - time.time() <= 3600

    d.signal(signal.SIGTERM)
    assert d.wait(30) == 0
    log = d.log_text()
    assert "daemon stopped" in log
    assert PASSWORD not in log
    assert '"level":"info"' in log and '"logger":"stormguard.pipeline"' in log


def test_two_daemons_on_one_store_never_run_the_same_job_twice(tmp_path: Path, fakes,
                                                               daemons) -> None:
    # every 15 s; the hung switch makes each run last ~5 s, so both daemons fire mid-run
    cfg = write_setup(tmp_path, fakes, names=["sw-ios", "sw-hang"], timeout=5,
                      jobs=[{"name": "nightly", "cron": "*/15 * * * * *",
                             "misfire_grace_s": 60}])
    a, b = DaemonProc(cfg, "daemon-a"), DaemonProc(cfg, "daemon-b")
    daemons += [a, b]
    a.wait_for("daemon started", 30)
    b.wait_for("daemon started", 30)
    wait_until(lambda: len([r for r in runs_of(cfg) if r.status != "running"]) >= 2, 60,
               what="two finished runs")
    runs = [r for r in runs_of(cfg) if r.status != "running"]
    fired = [r.summary["scheduled_for"] for r in runs]
    assert len(fired) == len(set(fired)), fired  # each fire time ran once, by one daemon
    owners = {r.owner for r in runs}
    skipped = [line for line in a.lines + b.lines if "skipped" in line]
    assert skipped, "the daemon that lost the race must say it skipped"
    # runs never overlap
    spans = sorted((r.started_at, r.finished_at) for r in runs)
    for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
        assert e1 <= s2
    for d in (a, b):
        d.signal(signal.SIGTERM)
    assert a.wait(30) == 0 and b.wait(30) == 0
    assert owners  # (which daemon won is up to the race)
    store = open_store(cfg)
    try:
        assert store.get_lock("job:nightly") is None  # released on the way out
    finally:
        store.close()


def test_sigterm_during_a_run_marks_it_interrupted_and_exits_0(tmp_path: Path, fakes,
                                                               daemons) -> None:
    cfg = write_setup(tmp_path, fakes, names=["sw-ios", "sw-hang"], timeout=60,
                      jobs=[{"name": "nightly", "cron": _hourly_cron_missed_recently()}],
                      shutdown_timeout_s=2)
    seeded = seed_past_run(cfg, "nightly", started_ago_s=2 * 3600)
    d = DaemonProc(cfg)
    daemons.append(d)
    d.wait_for(f"run {seeded + 1} started", 30)
    d.wait_for("collected sw-ios", 30)  # sw-hang is now in flight and will not answer
    t0 = time.monotonic()
    d.signal(signal.SIGTERM)
    assert d.wait(30) == 0
    assert time.monotonic() - t0 < 15  # shutdown_timeout_s=2, not the device's 60 s
    run = runs_of(cfg)[-1]
    assert run.id == seeded + 1
    assert run.status == "interrupted"
    assert run.summary["interrupted_reason"] == "stopped by signal"
    assert run.summary["collect"]["collected"] == 1
    log = d.log_text()
    assert "SIGTERM received" in log and "daemon stopped" in log
    store = open_store(cfg)
    try:
        assert store.get_lock("job:nightly") is None
    finally:
        store.close()


def test_after_sigkill_the_orphaned_run_is_interrupted_and_the_schedule_carries_on(
        tmp_path: Path, fakes, daemons) -> None:
    jobs = [{"name": "nightly", "cron": "*/10 * * * * *", "misfire_grace_s": 60}]
    cfg = write_setup(tmp_path, fakes, names=["sw-ios", "sw-hang"], timeout=60, jobs=jobs)
    first = DaemonProc(cfg, "first")
    daemons.append(first)
    rec = first.wait_for("started: job nightly", 40)
    run_id = rec["run"]
    first.signal(signal.SIGKILL)
    assert first.wait(10) == -signal.SIGKILL
    store = open_store(cfg)
    try:
        assert store.get_run(run_id).status == "running"  # what a crash leaves behind
        assert store.get_lock("job:nightly") is not None
    finally:
        store.close()

    # the next start: without the hung switch, so the schedule's runs can finish
    write_setup(tmp_path, fakes, names=["sw-ios", "sw-eos"], timeout=20, jobs=jobs)
    second = DaemonProc(cfg, "second")
    daemons.append(second)
    second.wait_for(f"run {run_id} was left running", 30)
    done = second.wait_for(" ok in ", 60)
    assert done["run"] > run_id
    runs = {r.id: r for r in runs_of(cfg)}
    assert runs[run_id].status == "interrupted"
    assert runs[run_id].summary["interrupted_reason"] == "owner process gone"
    assert runs[done["run"]].status == "ok"
    assert "taking over lock job:nightly" in second.log_text()
    second.signal(signal.SIGTERM)
    assert second.wait(30) == 0
