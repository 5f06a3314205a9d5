"""Benchmark: the daemon at rest (goal: idle CPU < 1 % of one core) and its memory.

Starts ``stormguard daemon`` as a real process with a real SQLite store and the metrics
endpoint on, lets it settle, then measures over ``--seconds`` (default 60):

* CPU: user+system clock ticks of the daemon process from ``/proc/PID/stat`` over the window,
  as a percentage of one core;
* memory: ``VmRSS`` at the end and ``VmHWM`` (peak RSS) from ``/proc/PID/status``;
* while Prometheus-style scrapes hit ``/metrics`` every ``--scrape`` seconds (default 15 s),
  since a monitored daemon is never fully alone.

With ``--fleet N`` (default 7) the daemon first runs the nightly pipeline once against N fake
switches (real SSH, started by this script) via its start-up catch-up, so the idle figures are
those of a daemon that has done a night's work (imports loaded, pools warmed), and the run's
wall time and the RSS after it are reported too. ``--fleet 0`` measures a daemon that never ran.

Run:  .venv/bin/python bench/bench_daemon.py [--seconds 60] [--fleet 7] [--scrape 15]
Figures go into BENCHMARKS.md (section "Daemon") by hand, with the machine and date.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD_ENV = "SG_BENCH_PASSWORD"
PASSWORD = "Bench-Pass-9c2e"


def cpu_ticks(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rfind(")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def seed_run(db_url: str) -> None:
    """A nightly run two hours ago, so the daemon catches up the missed fire time at start."""
    from sqlalchemy import update

    from stormguard.store import Store
    from stormguard.store.models import RunModel

    runs_t = RunModel.__table__
    with Store.open(db_url) as store:
        rid = store.start_run("nightly", "schedule")
        store.finish_run(rid, "ok", {})
        when = datetime.now(UTC) - timedelta(hours=2)
        with store.engine.begin() as c:
            c.execute(update(runs_t).where(runs_t.c.id == rid)
                      .values(started_at=when, finished_at=when, heartbeat_at=when))


def wait_run_done(db_url: str, timeout: float) -> float:
    from stormguard.store import Store

    t0 = time.monotonic()
    with Store.open(db_url, recover=False) as store:
        while time.monotonic() - t0 < timeout:
            runs = store.list_runs(limit=1, kind="nightly")
            r = runs[0] if runs else None
            if r is not None and r.id > 1 and "notify" in (r.summary or {}).get("stages", {}):
                return float(r.summary.get("duration_s") or r.duration_s or 0.0)
            time.sleep(0.5)
    raise SystemExit("the daemon's run did not finish in time")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--fleet", type=int, default=7)
    ap.add_argument("--scrape", type=float, default=15.0)
    ap.add_argument("--settle", type=float, default=5.0)
    args = ap.parse_args()

    from stormguard.testing.fakenet import PLATFORMS, FakeNetwork, free_port

    os.environ[PASSWORD_ENV] = PASSWORD
    work = Path(tempfile.mkdtemp(prefix="sg-bench-daemon-"))
    db_url = f"sqlite:///{work / 'sg.db'}"
    port = free_port()
    minute = (datetime.now() - timedelta(minutes=30)).minute
    cfg = {
        "database_url": db_url, "inventory": "inventory.yaml",
        "jobs": [{"name": "nightly", "cron": f"{minute} * * * *"}],
        "collect": {"known_hosts": "known_hosts"},
        "report": {"dir": "reports", "formats": ["html"]},
        "metrics": {"enabled": True, "listen": f"127.0.0.1:{port}"},
    }
    (work / "stormguard.yaml").write_text(yaml.safe_dump(cfg))
    net = FakeNetwork.build(max(args.fleet, 1), platforms=PLATFORMS, password=PASSWORD,
                            prefix="bench")
    net.start()
    proc = None
    try:
        inv = net.inventory(password_env=PASSWORD_ENV, retries=0) if args.fleet else \
            {"hosts": {}}
        (work / "inventory.yaml").write_text(yaml.safe_dump(inv))
        if args.fleet:
            seed_run(db_url)
        env = {k: v for k, v in os.environ.items() if not k.startswith("STORMGUARD_")}
        t_start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "stormguard", "daemon", "--config",
                                 str(work / "stormguard.yaml")], cwd=work, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        run_s = None
        if args.fleet:
            run_s = wait_run_done(db_url, 300)
            rss_after_run = status_kb(proc.pid, "VmRSS")
            time.sleep(args.settle)  # the run's last writes, then quiet
        else:
            time.sleep(max(0.0, args.settle - (time.monotonic() - t_start)))
        url = f"http://127.0.0.1:{port}/metrics"
        hz = os.sysconf("SC_CLK_TCK")
        c0, t0 = cpu_ticks(proc.pid), time.monotonic()
        scrapes = 0
        next_scrape = t0
        while time.monotonic() - t0 < args.seconds:
            if args.scrape > 0 and time.monotonic() >= next_scrape:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    resp.read()
                scrapes += 1
                next_scrape += args.scrape
            time.sleep(0.2)
        c1, t1 = cpu_ticks(proc.pid), time.monotonic()
        cpu_pct = 100.0 * (c1 - c0) / hz / (t1 - t0)
        rss = status_kb(proc.pid, "VmRSS")
        hwm = status_kb(proc.pid, "VmHWM")
        threads = len(os.listdir(f"/proc/{proc.pid}/task"))
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        net.stop()

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if run_s is not None:
        print(f"pipeline run (collect+audit+report+notify) over {args.fleet} fake switches: "
              f"{run_s:.1f} s; "
              f"RSS after it {rss_after_run / 1024:.1f} MiB")
    print(f"idle over {t1 - t0:.0f} s with {scrapes} scrape(s): CPU {cpu_pct:.3f} % of one core "
          f"({c1 - c0} ticks at {hz} Hz)  [goal < 1 %]")
    print(f"RSS {rss / 1024:.1f} MiB, peak RSS {hwm / 1024:.1f} MiB, {threads} threads; "
          f"exit code on SIGTERM: {code}")
    return 0 if cpu_pct < 1.0 and code == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
