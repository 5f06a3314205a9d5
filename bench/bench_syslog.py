"""Benchmark: the syslog listener's sustained rate on one core, over TCP, without loss.

A storm makes every switch in the layer-2 domain log at once: MAC flaps by the thousand,
storm-control, err-disables. The listener must keep up on one core and lose nothing on TCP.

Setup: the listener (`SyslogListener` + `Receiver`, the real catalogue, a sink that counts) runs
in its own process pinned to CPU 0; `--senders` sender processes (pinned to the other CPU) each
open one TCP connection and send their share of N messages as fast as the socket takes them:
70 % storm evidence from the catalogue (MAC flaps, storm-control, BPDU guard ...) and 30 %
ordinary messages (link up/down, config, LLDP), newline-framed as switches send them, every 4th
connection octet-counted. The clock runs from the first byte sent to the last message handled
by the listener. Loss = messages sent - messages handled (must be 0 on TCP). Memory: the
listener's peak RSS (VmHWM) before and after.

Run:  .venv/bin/python bench/bench_syslog.py [--messages 400000] [--runs 5] [--senders 4]
Figures go into BENCHMARKS.md (section "Syslog") by hand, with the machine, date and load.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _pin(cpu: int) -> None:
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[cpu % len(cpus)]})


def _hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _listener(port_q: mp.Queue, done_q: mp.Queue, expected: int) -> None:
    _pin(0)
    import threading

    from stormguard.signals.listener import ListenAddress, SyslogListener
    from stormguard.signals.receiver import Receiver

    receiver = Receiver()
    signals = [0]
    finished = threading.Event()
    end = [0.0]
    hwm_start = _hwm_kib()
    feed = receiver.feed

    def counted_feed(data: bytes, address: str | None, received_at: float | None = None):
        sig = feed(data, address, received_at)
        if receiver.received >= expected and not finished.is_set():
            end[0] = time.time()
            finished.set()
        return sig

    receiver.feed = counted_feed  # type: ignore[method-assign]

    def sink(sig: object) -> None:
        signals[0] += 1

    lst = SyslogListener([ListenAddress("tcp", "127.0.0.1", 0)], receiver, sink)
    lst.start_in_thread()
    port_q.put(lst.bound[0].port)
    finished.wait(600)  # the main thread sleeps: the event loop has the core to itself
    done_q.put((end[0] or time.time(), receiver.received, signals[0], hwm_start, _hwm_kib(),
                time.process_time()))
    lst.stop()


def _messages() -> list[bytes]:
    from stormguard.signals.catalogue import E

    storm = [e.example.encode() for e in E]
    noise = [
        b"<189>2124: *Dec  4 18:22:04.000 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/9, "
        b"changed state to up",
        b"<189>: 2026 Dec  4 18:22:04 UTC: %ETHPORT-5-IF_UP: Interface Ethernet1/9 is up",
        b"<30>Dec  4 18:22:04 ex1 mgd[3333]: UI_COMMIT: User 'admin' requested 'commit'",
        b"<190>Dec  4 18:22:04 leaf1 Lldp: %LLDP-5-NEIGHBOR_NEW: LLDP neighbor added on "
        b"interface Ethernet9",
    ]
    out = []
    for i in range(100):
        out.append(storm[i % len(storm)] if i % 10 < 7 else noise[i % len(noise)])
    return out


def _sender(port: int, count: int, octet: bool, start_at: float) -> None:
    _pin(1)
    msgs = _messages()
    if octet:
        frames = [b"%d %s" % (len(m), m) for m in msgs]
    else:
        frames = [m + b"\n" for m in msgs]
    chunk = b"".join(frames)
    per_chunk = len(frames)
    s = socket.create_connection(("127.0.0.1", port))
    while time.time() < start_at:
        time.sleep(0.0005)
    sent = 0
    while sent + per_chunk <= count:
        s.sendall(chunk)
        sent += per_chunk
    if sent < count:
        s.sendall(b"".join(frames[:count - sent]))
    s.close()


def one_run(n: int, senders: int) -> dict[str, float]:
    ctx = mp.get_context("fork")
    port_q, done_q = ctx.Queue(), ctx.Queue()
    lp = ctx.Process(target=_listener, args=(port_q, done_q, n))
    lp.start()
    port = port_q.get(timeout=30)
    start_at = time.time() + 0.5
    share = n // senders
    procs = [ctx.Process(target=_sender, args=(port, share + (n - share * senders if i == 0
                                                            else 0), i % 4 == 3, start_at))
             for i in range(senders)]
    for p in procs:
        p.start()
    end, received, signals, hwm0, hwm1, cpu = done_q.get(timeout=900)
    for p in procs:
        p.join()
    lp.join(10)
    wall = end - start_at
    return {"rate": received / wall, "received": received, "lost": n - received,
            "signals": signals, "wall": wall, "hwm0": hwm0 / 1024, "hwm1": hwm1 / 1024,
            "cpu": cpu}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=400_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--senders", type=int, default=4)
    args = ap.parse_args()
    print(f"load before: {Path('/proc/loadavg').read_text().split()[:3]}")
    results = []
    for i in range(args.runs):
        r = one_run(args.messages, args.senders)
        results.append(r)
        print(f"run {i + 1}: {r['rate']:,.0f} msg/s, {r['received']:,} handled, lost "
              f"{r['lost']}, {r['signals']:,} signals, {r['wall']:.2f} s, RSS peak "
              f"{r['hwm0']:.1f} -> {r['hwm1']:.1f} MiB")
    rates = [r["rate"] for r in results]
    print(f"median {statistics.median(rates):,.0f} msg/s (min {min(rates):,.0f}, max "
          f"{max(rates):,.0f}) over {len(rates)} runs of {args.messages:,} messages; lost "
          f"{sum(r['lost'] for r in results)}")
    print(f"load after: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
