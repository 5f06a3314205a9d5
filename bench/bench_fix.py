"""Benchmark: what remediation text costs `stormguard lint`, and how long `stormguard fix` takes.

1. The rules + engine phase (effective values, every rule, remediation text built per finding)
   on the generated 3,000-line IOS config (bench/gen_ios.py) and on a worst case for
   remediations: 300 Huawei trunks that each allow every VLAN, are edge ports and have a loose
   broadcast-suppression (1,500 findings, each with a VRP add-then-remove VLAN snippet), with
   the real remediation helpers and with them stubbed out (returning ""): the difference is
   what the remediation text costs.
2. `stormguard fix` (in-process: lint, apply every fix, re-parse, re-lint) on both configs.

CPU time (`time.process_time`), median and minimum of several calls: the machine is shared.

Run:  .venv/bin/python bench/bench_fix.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_ios

from stormguard import remediation as rem
from stormguard.engine import audit
from stormguard.fix import fix_config
from stormguard.parsers import parse_config
from stormguard.policy import load_policy

_HELPERS = ("trunk_allowed", "trunk_remove", "stp_enable_global", "stp_enable_vlans",
            "stp_enable_port", "edge_off", "bpdu_filter_off", "bpdu_guard_on", "storm_limit",
            "storm_broadcast", "storm_action")


def huawei_worst_case(ports: int = 300) -> str:
    vids = " ".join(str(v) for v in range(2, 400, 4))
    out = ["sysname big", "#", f"vlan batch {vids}", "#"]
    for i in range(1, ports + 1):
        out += [f"interface GigabitEthernet0/0/{i}", " port link-type trunk",
                " port trunk allow-pass vlan all", " stp edged-port enable",
                " broadcast-suppression 40", "#"]
    return "\n".join([*out, "return"]) + "\n"


def cpu(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    xs = []
    for _ in range(runs):
        t = time.process_time()
        fn()
        xs.append(time.process_time() - t)
    return statistics.median(xs), min(xs)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    policy = load_policy([])
    configs = {"IOS 3,043 lines (gen_ios)": (gen_ios.generate(), "cisco_ios"),
               "Huawei 300 loose trunks": (huawei_worst_case(), "huawei")}
    print(f"load average {os.getloadavg()}, runs {args.runs}")
    for name, (text, platform) in configs.items():
        devs = parse_config(text, platform)
        findings = len(audit(devs, policy).findings)
        real = cpu(lambda devs=devs: audit(devs, policy), args.runs)
        saved = {n: getattr(rem, n) for n in _HELPERS}
        try:
            for n in _HELPERS:
                setattr(rem, n, lambda *a, **k: "")
            stub = cpu(lambda devs=devs: audit(devs, policy), args.runs)
        finally:
            for n, f in saved.items():
                setattr(rem, n, f)
        fix = cpu(lambda text=text, platform=platform: fix_config(
            text, platform=platform, policy=policy), max(3, args.runs // 5))
        print(f"{name}: {findings} findings | rules+engine median {real[0] * 1e3:.2f} ms "
              f"(min {real[1] * 1e3:.2f}); remediation stubbed median {stub[0] * 1e3:.2f} ms "
              f"(min {stub[1] * 1e3:.2f}) | fix median {fix[0]:.2f} s (min {fix[1]:.2f})")
    print(f"load average {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
