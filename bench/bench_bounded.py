"""Benchmark: how fast hostile inputs end, and how big SARIF gets at fleet size.

Measures (median of --runs, wall time of the whole `stormguard` process, interpreter start
included):
1. `/dev/zero` given as a config, a policy pack, a baseline, an inventory and stormguard.yaml;
2. a FIFO nobody writes to as a policy pack (ends after the 1 s idle timeout);
3. SARIF for 100,000 findings: bytes (raw and gzip) and render time with --max-results 5000
   (the default), 25000 and 0 (all).

Run:  .venv/bin/python bench/bench_bounded.py [--runs 5]
Figures go into BENCHMARKS.md by hand, with the machine, date and load.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CFG = str(ROOT / "examples" / "cisco_ios-compliant.cfg")


def cli_wall(args: list[str], runs: int) -> tuple[float, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORMGUARD_")}
    times, rc = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        rc = subprocess.run([sys.executable, "-m", "stormguard", *args], env=env,
                            capture_output=True, timeout=60).returncode
        times.append(time.perf_counter() - t)
    return statistics.median(times), rc


def sarif_sizes(runs: int) -> None:
    from stormguard.formats.sarif_format import render
    from stormguard.lint import LintReport, LintResult, lint_paths

    rep = lint_paths(sorted(str(p) for p in (ROOT / "examples").glob("*violations*")),
                     fail_on="never")
    results, total, i = [], 0, 0
    while total < 100_000:
        r0 = rep.results[i % len(rep.results)]
        r = LintResult(source=f"site{i:05d}/{r0.source}", device=f"{r0.device}-{i}",
                       platform=r0.platform, findings=[])
        for f in r0.findings[: 100_000 - total]:
            g = copy.copy(f)
            g.source, g.device = r.source, r.device
            r.findings.append(g)
        total += len(r.findings)
        results.append(r)
        i += 1
    big = LintReport(results=results, fail_on="medium")
    for cap in (5000, 25000, 0):
        times, text = [], ""
        for _ in range(runs):
            t = time.perf_counter()
            text = render(big, max_results=cap)
            times.append(time.perf_counter() - t)
        raw = len(text.encode())
        gz = len(gzip.compress(text.encode()))
        print(f"sarif 100k findings --max-results {cap}: {raw / 1e6:.1f} MB raw, "
              f"{gz / 1e6:.2f} MB gzip, render {statistics.median(times):.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    print(f"load: {os.getloadavg()[0]:.1f}")
    cases = {
        "config /dev/zero": ["lint", "/dev/zero"],
        "policy /dev/zero": ["lint", CFG, "--policy", "/dev/zero"],
        "baseline /dev/zero": ["lint", CFG, "--baseline", "/dev/zero"],
        "inventory /dev/zero": ["inventory", "check", "/dev/zero"],
        "stormguard.yaml /dev/zero": ["db", "current", "--config", "/dev/zero"],
        "reference: lint one config": ["lint", CFG],
    }
    with tempfile.TemporaryDirectory() as d:
        fifo = Path(d) / "fifo"
        os.mkfifo(fifo)
        cases["policy FIFO, no writer"] = ["lint", CFG, "--policy", str(fifo)]
        for name, args in cases.items():
            wall, rc = cli_wall(args, a.runs)
            print(f"{name}: {wall * 1000:.0f} ms median, exit {rc}")
    sarif_sizes(max(1, a.runs // 2))


if __name__ == "__main__":
    main()
