"""Benchmark: polling 2,000 ports across 50 SNMP agents every 10 s on one core.

Setup: snmpsim serves 50 agents (40 ports each, IF-MIB HC counters rising; two ports storming)
from `--sim-procs` responder processes; the poller (`SnmpPoller`: pysnmp asyncio, GETBULK, v2c)
runs in this process pinned to one CPU. For each round: wall time and this process's CPU time
(`time.process_time`). The poller keeps up when a round's CPU stays well under the interval;
wall time includes the simulator's own response time (snmpsim is Python too and shares the two
cores), which real switches answer in hardware.

Run:  .venv/bin/python bench/bench_snmp.py [--rounds 6] [--interval 10]
Figures go into BENCHMARKS.md (section "SNMP") by hand, with the machine, date and load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stormguard.signals.snmp import SnmpPoller, SnmpTarget
from stormguard.sniffer.config import SnifferConfig
from stormguard.testing.snmpsim import SimAgent, SimPort, SnmpSim


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agents", type=int, default=50)
    ap.add_argument("--ports", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--interval", type=float, default=10.0)
    ap.add_argument("--sim-procs", type=int, default=5)
    args = ap.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    agents = [SimAgent(f"agent{i:02d}", [
        SimPort(f"Gi1/0/{j}", bcast_pps=30000 if (i in (7, 31) and j == 3) else 3)
        for j in range(1, args.ports + 1)]) for i in range(args.agents)]
    per = (len(agents) + args.sim_procs - 1) // args.sim_procs
    sims = [SnmpSim(agents[k:k + per]).start() for k in range(0, len(agents), per)]
    try:
        targets = [SnmpTarget(a.community, "127.0.0.1", sim.port, community=a.community)
                   for sim in sims for a in sim.agents]
        events: list[str] = []
        poller = SnmpPoller(targets, lambda d, e: events.append(f"{e.event} {e.iface}"),
                            interval_s=args.interval, config=SnifferConfig(), timeout_s=5)
        print(f"load before: {Path('/proc/loadavg').read_text().split()[:3]}")
        walls, cpus = [], []

        async def run() -> None:
            for i in range(args.rounds):
                t0, c0 = time.perf_counter(), time.process_time()
                await poller.poll_all()
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                walls.append(wall)
                cpus.append(cpu)
                print(f"round {i + 1}: wall {wall:.2f} s, poller CPU {cpu:.2f} s "
                      f"({cpu / args.interval * 100:.0f} % of one core at a "
                      f"{args.interval:g} s interval), failures {poller.stats.failures}")
                await asyncio.sleep(max(0.0, args.interval - wall))

        asyncio.run(run())
        steady = cpus[1:] or cpus
        print(f"ports per round: {args.agents * args.ports}; steady-state poller CPU median "
              f"{statistics.median(steady):.2f} s per round (min {min(steady):.2f}, max "
              f"{max(steady):.2f}); wall median {statistics.median(walls[1:] or walls):.2f} s; "
              f"first round (names + speeds too) CPU {cpus[0]:.2f} s")
        print(f"storm events: {sorted(set(events))}")
        print(f"load after: {Path('/proc/loadavg').read_text().split()[:3]}")
    finally:
        for s in sims:
            s.stop()


if __name__ == "__main__":
    main()
