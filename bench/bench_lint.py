"""Benchmark: how fast stormguard audits configs, and what a general-purpose parser costs.

Measures, on a generated realistic 3,000-line IOS config with 300 interfaces (bench/gen_ios.py):

1. configs audited per second on one core (parse + effective values + every rule), in-process;
2. wall time of `stormguard lint FILE` including interpreter start (a fresh process each run);
3. the same storm checks (trunk allows all VLANs, edge on trunk, edge without BPDU guard,
   no broadcast storm-control, no storm-control action) done through hier_config, a
   general-purpose hierarchical config parser, and the ratio of the two.

Run:  .venv/bin/python bench/bench_lint.py [--runs 5]
Figures go into BENCHMARKS.md by hand, with the machine and date.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_ios import generate


def pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def stormguard_audit(text: str) -> set[tuple[str, str]]:
    from stormguard.engine import audit
    from stormguard.parsers import parse_config
    from stormguard.policy import load_policy

    policy = _POLICY.get("p") or _POLICY.setdefault("p", load_policy([]))
    devices = parse_config(text, "cisco_ios", source="bench.cfg")
    result = audit(devices, policy)
    return {(f.rule, f.interface or "") for f in result.findings}


_POLICY: dict[str, object] = {}


def hier_config_audit(text: str) -> set[tuple[str, str]]:
    """The same storm checks through hier_config's tree (children by text prefix)."""
    from hier_config import Platform, get_hconfig

    from stormguard.vlans import VlanSet

    root = get_hconfig(Platform.CISCO_IOS, text)
    global_bpduguard = root.get_child(equals="spanning-tree portfast bpduguard default") is not None
    out: set[tuple[str, str]] = set()
    for intf in root.get_children(startswith="interface "):
        name = intf.text.split(None, 1)[1]
        if not name.startswith(("GigabitEthernet", "Port-channel")):
            continue
        lines = [c.text for c in intf.children]
        if "shutdown" in lines or any(t.startswith("channel-group ") for t in lines):
            continue
        trunk = "switchport mode trunk" in lines
        allowed = None
        for t in lines:
            if t.startswith("switchport trunk allowed vlan add "):
                allowed = (allowed or VlanSet.none()) | VlanSet.parse(t.rsplit(" ", 1)[1])
            elif t.startswith("switchport trunk allowed vlan "):
                allowed = VlanSet.parse(t.rsplit(" ", 1)[1])
        if trunk and (allowed is None or allowed.covers_all()):
            out.add(("SG101", name))
        edge = any(t.startswith("spanning-tree portfast") for t in lines)
        edge_trunk = "spanning-tree portfast trunk" in lines
        if trunk and edge_trunk:
            out.add(("SG202", name))
        in_effect = edge and (not trunk or edge_trunk)
        if in_effect and not global_bpduguard and "spanning-tree bpduguard enable" not in lines:
            out.add(("SG204", name))
        uplink = "uplink" in " ".join(lines)
        has_bc = any(t.startswith("storm-control broadcast level") for t in lines)
        if not has_bc and not uplink:
            out.add(("SG301", name))
        if has_bc and not any(t.startswith("storm-control action") for t in lines):
            out.add(("SG303", name))
    return out


def per_second(fn, text: str, seconds: float = 3.0) -> float:
    fn(text)  # warm up (imports, caches)
    n = 0
    t0 = time.perf_counter()
    while True:
        fn(text)
        n += 1
        el = time.perf_counter() - t0
        if el >= seconds:
            return n / el


def lint_wall(path: str, runs: int) -> list[float]:
    exe = [sys.executable, "-m", "stormguard", "lint", path, "--fail-on", "never",
           "-o", os.devnull]
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(exe, check=True)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    text = generate()
    print(f"config: {text.count(chr(10)) + 1} lines, "
          f"{sum(1 for ln in text.splitlines() if ln.startswith('interface '))} interfaces")
    with tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False) as fh:
        fh.write(text)
        path = fh.name
    try:
        walls = lint_wall(path, max(args.runs, 5) * 2)
        pin_one_core()
        sg = [per_second(stormguard_audit, text) for _ in range(args.runs)]
        hc = [per_second(hier_config_audit, text) for _ in range(args.runs)]
        ours = {x for x in stormguard_audit(text) if x[0] in {"SG101", "SG202", "SG204", "SG301",
                                                             "SG303"}}
        theirs = hier_config_audit(text)
        print(f"stormguard parse+audit: median {statistics.median(sg):.1f} configs/s "
              f"(runs: {', '.join(f'{x:.1f}' for x in sg)})")
        print(f"hier_config same checks: median {statistics.median(hc):.1f} configs/s "
              f"(runs: {', '.join(f'{x:.1f}' for x in hc)})")
        ratio = statistics.median(sg) / statistics.median(hc)
        print(f"ratio stormguard / hier_config: {ratio:.1f}x")
        print(f"findings agree on the shared checks: {ours == theirs} "
              f"(stormguard {len(ours)}, hier_config {len(theirs)}; "
              f"only stormguard: {len(ours - theirs)}, only hier_config: {len(theirs - ours)})")
        print(f"`stormguard lint FILE` wall time incl. interpreter start: median "
              f"{statistics.median(walls) * 1000:.0f} ms over {len(walls)} runs "
              f"(min {min(walls) * 1000:.0f}, max {max(walls) * 1000:.0f})")
    finally:
        os.unlink(path)


if __name__ == "__main__":
    main()
