"""Benchmark: collecting 200 fake switches, and what 30 nights of history cost in blob storage.

    .venv/bin/python bench/bench_collect.py [--devices 200] [--repeat 3] [--nights 30]
                                            [--fakes-process | --fakes-in-process]

1. Wall time to collect N fakes (real SSH on loopback, fakenos) with 1 worker and with 32
   workers, the speed-up ratio, and the collector's peak RSS. Medians of --repeat runs.
   By default (``--fakes-process``) the fakes run in a child process, so their SSH server
   crypto does not compete with the collector for the GIL, as real switches would not; the
   peak RSS is then the collector's alone. ``--fakes-in-process`` is the old set-up (fakes and
   collector share one process and one GIL), kept to compare with earlier figures.
2. Blob storage after --nights simulated nightly runs where 2 % of the configs change each night
   (the fakes' config revision is bumped and the device restarted): store.blob_stats() per
   night; the growth must follow the number of changes, not the number of nights.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stormguard.collect.hostkeys import KnownHosts
from stormguard.collect.pool import PoolSettings, collect_many
from stormguard.collect.run import collect_inventory
from stormguard.testing.fakenet import FakeDevice, FakeNetwork

PASSWORD_ENV = "SG_BENCH_PASSWORD"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def serve_fakes(count: int, password: str, prefix: str, conn: Any) -> None:
    """Child process: start `count` fakes, send back (name, platform, port, username) for each,
    serve until the parent sends anything (or goes away), then stop every server."""
    with FakeNetwork.build(count, password=password, prefix=prefix) as net:
        conn.send({"start_s": net.start_s,
                   "devices": [(d.name, d.platform, d.port, d.username)
                               for d in net.devices.values()]})
        with contextlib.suppress(EOFError, OSError):
            conn.recv()
    with contextlib.suppress(OSError):
        conn.send("stopped")
    conn.close()


@contextlib.contextmanager
def fakes_in_child(count: int, password: str, prefix: str) -> Iterator[FakeNetwork]:
    """The fake network in its own process (spawned, so it shares nothing with the collector);
    yields an unstarted FakeNetwork mirroring the child's devices and ports, which is all
    :meth:`FakeNetwork.hosts` needs. The child is always stopped, and only that child."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=serve_fakes, args=(count, password, prefix, child),
                       name="sg-bench-fakes", daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(300):
            raise RuntimeError("the fake network process did not report ready within 300 s")
        ready = parent.recv()
        mirror = FakeNetwork([FakeDevice(name=n, platform=p, port=port, username=u,
                                         password=password)
                              for n, p, port, u in ready["devices"]])
        mirror.start_s = ready["start_s"]
        yield mirror
    finally:
        with contextlib.suppress(OSError):
            parent.send("stop")
        with contextlib.suppress(OSError, EOFError):
            if parent.poll(60):
                parent.recv()
        proc.join(30)
        if proc.is_alive():
            proc.terminate()  # SIGTERM to our own child's PID only
            proc.join(10)
        if proc.is_alive():
            proc.kill()
            proc.join()
        parent.close()


def children_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def time_collect(net: FakeNetwork, workers: int, tmp: Path) -> tuple[float, int]:
    hosts = net.hosts(password_env=PASSWORD_ENV, timeout=120, retries=0)
    known = KnownHosts(tmp / f"kh-{workers}-{time.monotonic_ns()}")
    t0 = time.monotonic()
    results = collect_many(hosts, known_hosts=known, settings=PoolSettings(workers=workers))
    wall = time.monotonic() - t0
    return wall, sum(1 for r in results if r.ok)


def nights(net: FakeNetwork, count: int, change_rate: float, tmp: Path) -> list[dict]:
    from stormguard.store import Store

    rng = random.Random(7)
    rows = []
    names = sorted(net.devices)
    per_night = max(1, round(len(names) * change_rate))
    known = KnownHosts(tmp / "kh-nights")
    with Store.open(f"sqlite:///{tmp / 'nights.db'}") as store:
        hosts = net.hosts(password_env=PASSWORD_ENV, timeout=120, retries=0)
        for night in range(1, count + 1):
            changed_now: list[str] = []
            if night > 1:
                changed_now = rng.sample(names, per_night)
                for name in changed_now:
                    net.bump_revision(name)
            summary = collect_inventory(hosts, store, known_hosts=known,
                                        settings=PoolSettings(workers=32), trigger="bench")
            stats = store.blob_stats()
            rows.append({"night": night, "changed_configs": len(changed_now),
                         "collected": summary.collected, "changed": summary.changed,
                         **stats})
            print(f"  night {night:2d}: changed {summary.changed:3d} blobs {stats['blobs']:4d} "
                  f"stored {stats['stored_bytes']:8d} B raw {stats['raw_bytes']:9d} B "
                  f"snapshots {stats['snapshots']}", flush=True)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3, help="runs with 32 workers")
    ap.add_argument("--serial-repeat", type=int, default=1,
                    help="runs with 1 worker (each takes minutes)")
    ap.add_argument("--nights", type=int, default=30)
    ap.add_argument("--nights-devices", type=int, default=None,
                    help="devices for the nights simulation (default: --devices)")
    ap.add_argument("--skip-serial", action="store_true")
    ap.add_argument("--skip-timing", action="store_true", help="only the nights simulation")
    ap.add_argument("--json", default=None, help="write the figures here")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--fakes-process", dest="fakes_process", action="store_true",
                       default=True,
                       help="run the fakes in a child process (default): the collector's "
                            "CPU and RSS are its own, as against real switches")
    where.add_argument("--fakes-in-process", dest="fakes_process", action="store_false",
                       help="old set-up: fakes and collector in one process (one GIL)")
    args = ap.parse_args()
    os.environ[PASSWORD_ENV] = "Bench-Pass-1"
    out: dict = {"devices": args.devices, "repeat": args.repeat,
                 "fakes": "child process" if args.fakes_process else "same process"}
    with tempfile.TemporaryDirectory(prefix="sg-bench-") as d:
        tmp = Path(d)
        count = 0 if args.skip_timing else args.devices
        fakes = (fakes_in_child(count, "Bench-Pass-1", "bn") if args.fakes_process and count
                 else FakeNetwork.build(count, password="Bench-Pass-1", prefix="bn"))
        with fakes as net:
            if args.skip_timing:
                net.devices.clear()
            out["fakes_start_s"] = round(net.start_s, 2)
            print(f"{args.devices} fakes started in {net.start_s:.2f} s", flush=True)
            plan = [] if args.skip_timing else [32] if args.skip_serial else [1, 32]
            for workers in plan:
                walls = []
                for i in range(args.serial_repeat if workers == 1 else args.repeat):
                    wall, ok = time_collect(net, workers, tmp)
                    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
                    print(f"  workers={workers:2d} run {i + 1}: {wall:7.1f} s, {ok} collected "
                          f"(load average {load})", flush=True)
                    if ok != args.devices:
                        print(f"  warning: only {ok}/{args.devices} collected", flush=True)
                    walls.append(wall)
                out[f"wall_s_workers_{workers}"] = [round(w, 1) for w in walls]
                out[f"median_s_workers_{workers}"] = round(statistics.median(walls), 1)
            if plan == [1, 32]:
                out["speedup"] = round(out["median_s_workers_1"] / out["median_s_workers_32"], 1)
            out["peak_rss_mb"] = round(peak_rss_mb(), 1)
            out["load_avg_after_timing"] = [round(x, 2) for x in os.getloadavg()]
        if args.fakes_process and count:
            out["fakes_child_peak_rss_mb"] = round(children_peak_rss_mb(), 1)
        if args.nights <= 0:
            print(json.dumps(out, indent=2))
            if args.json:
                Path(args.json).write_text(json.dumps(out, indent=2))
            return 0
        n_dev = args.nights_devices or args.devices
        with FakeNetwork.build(n_dev, password="Bench-Pass-1", prefix="nt") as net:
            print(f"{args.nights} nights over {n_dev} devices, 2 % change per night", flush=True)
            out["nights"] = nights(net, args.nights, 0.02, tmp)
        out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps({k: v for k, v in out.items() if k != "nights"}, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
