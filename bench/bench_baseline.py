"""SG601 drift check cost in the nightly audit (issue 9, approved baselines).

A SQLite store in a temporary directory with ``--devices`` switches (a synthetic IOS running
configuration of ``--ports`` access ports each, ~70 bytes a port) and ``--hosts`` Open vSwitch
hosts (a bundle with ``--ports`` ports, statistics that change every night). Night 1 is
collected and every device approved; night 2 changes ``--changed`` percent of the devices' configs
and every vSwitch's counters. Timed (median of ``--runs``): :func:`stormguard.baseline.drift.
drift_findings` over night 2's snapshots, i.e. reading every approved blob, the configuration
views of both sides, the drift rows, and the diffs of the changed devices. Building the store is
not timed.

    .venv/bin/python bench/bench_baseline.py                       # 2,000 switches, 500 hosts
    .venv/bin/python bench/bench_baseline.py --devices 200 --hosts 50 --runs 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def ios(i: int, ports: int, extra: str = "") -> str:
    lines = [f"hostname sw{i}", "!Time: now", "spanning-tree mode rapid-pvst"]
    for p in range(1, ports + 1):
        lines += [f"interface GigabitEthernet1/0/{p}", f" description host-{i}-{p}",
                  " switchport mode access", f" switchport access vlan {10 + p % 20}",
                  " spanning-tree portfast", " spanning-tree bpduguard enable", "!"]
    return "\n".join(lines) + "\n" + extra


def ovs(i: int, ports: int, counter: int) -> str:
    from stormguard.parsers._vswitch import dump_bundle

    port_rows = [[["uuid", f"p{i}-{p}"], f"vnet{p}", ["set", []], p % 20 + 10,
                  ["map", [["rx_packets", counter * p]]]] for p in range(ports)]
    if_rows = [[["uuid", f"i{i}-{p}"], f"vnet{p}", "up", ["map", [["rx_packets", counter]]]]
               for p in range(ports)]
    return dump_bundle({"kind": "ovs", "version": 1, "hostname": f"hv{i}", "tables": {
        "Bridge": {"headings": ["_uuid", "name", "ports", "stp_enable"],
                   "data": [[["uuid", f"b{i}"], "br0",
                             ["set", [["uuid", f"p{i}-{p}"] for p in range(ports)]], False]]},
        "Port": {"headings": ["_uuid", "name", "trunks", "tag", "statistics"],
                 "data": port_rows},
        "Interface": {"headings": ["_uuid", "name", "link_state", "statistics"],
                      "data": if_rows}}})


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=2000)
    ap.add_argument("--hosts", type=int, default=500)
    ap.add_argument("--ports", type=int, default=48)
    ap.add_argument("--changed", type=float, default=5.0)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    from stormguard.baseline.drift import drift_findings
    from stormguard.baseline.store import BaselineStore
    from stormguard.policy import load_policy
    from stormguard.store import Store

    policy = load_policy()
    every = max(1, round(100 / args.changed)) if args.changed > 0 else 0
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{tmp}/bench.db")
        t0 = time.monotonic()
        run = store.start_run("nightly")
        for i in range(args.devices):
            store.save_snapshot(run, f"sw{i}", "cisco_ios", ios(i, args.ports))
        for i in range(args.hosts):
            store.save_snapshot(run, f"hv{i}", "ovs", ovs(i, args.ports, 1))
        store.finish_run(run, "ok")
        baselines = BaselineStore(store)
        for d in store.devices():
            baselines.approve(d.name, by="bench")
        run = store.start_run("nightly")
        for i in range(args.devices):
            extra = " snmp-server location moved\n" if every and i % every == 0 else ""
            store.save_snapshot(run, f"sw{i}", "cisco_ios", ios(i, args.ports, extra))
        for i in range(args.hosts):
            store.save_snapshot(run, f"hv{i}", "ovs", ovs(i, args.ports, 7))
        store.finish_run(run, "ok")
        snaps = store.latest_snapshots(run_id=run)
        setup = time.monotonic() - t0
        times, found = [], 0
        for _ in range(args.runs):
            t = time.monotonic()
            found = len(drift_findings(store, run, snaps, policy))
            times.append(time.monotonic() - t)
        store.close()
    print(json.dumps({
        "devices": args.devices, "hosts": args.hosts, "ports": args.ports,
        "drift_findings": found, "setup_s": round(setup, 1),
        "drift_check_s_median": round(statistics.median(times), 2),
        "runs_s": [round(x, 2) for x in times], "load": os.getloadavg()[0]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
