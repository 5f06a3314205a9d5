"""Benchmark: stormguard's sniffer vs Scapy sniff() vs tcpdump on the unthrottled lab storm.

One run, three phases on the same storm lab (a real loop between two Linux bridges in
namespaces, no rate limit), each reader alone on the listener interface:

1. ``stormguard sniff`` for ``--duration`` seconds (default 60): the loop is closed once the
   sniffer is ready (detection latency), broken at the end (end latency); frames accounted for
   (read + dropped) vs. the kernel's per-socket count and the interface's ``rx_packets``; frames
   classified per second; the sniffer's CPU share and RSS (sampled every second: bounded?).
2. Scapy ``sniff(prn=..., store=False)`` for ``--other-duration`` seconds on the same storm.
3. ``tcpdump -w /dev/null`` likewise (its own "captured / received by filter / dropped" line).

Needs root. Prints a Markdown table and a JSON line with every figure. Usage::

    .venv/bin/python bench/bench_sniffer.py [--duration 60] [--other-duration 15]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stormguard.testing.stormlab import StormLab

CLK_TCK = os.sysconf("SC_CLK_TCK")

SCAPY_SNIPPET = """
import sys, time
from scapy.all import sniff
n = 0
def count(pkt):
    global n
    n += 1
t0 = time.time()
sniff(iface="l0", prn=count, store=False, timeout=float(sys.argv[1]))
print(n, time.time() - t0, flush=True)
"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def rss_kib(pid: int, key: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[0:3])


def softnet_drops() -> int:
    total = 0
    for line in Path("/proc/net/softnet_stat").read_text().splitlines():
        total += int(line.split()[1], 16)
    return total


def phase_stormguard(lab: StormLab, duration: float) -> dict:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = lab.net.popen(lab.listener_ns, sys.executable, "-m", "stormguard", "sniff",
                         "--iface", "l0", "--format", "json", "--update-interval-s", "1",
                         "--duration", str(duration + 30),
                         "--evidence-dir", tempfile.mkdtemp(prefix="sg-bench-evidence-"),
                         stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    events: list[dict] = []
    errs: list[str] = []
    ready = threading.Event()

    def read_out() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.strip():
                events.append(json.loads(line))

    def read_err() -> None:
        for line in proc.stderr:  # type: ignore[union-attr]
            errs.append(line.rstrip())
            if "listening on" in line:
                ready.set()

    threads = [threading.Thread(target=f, daemon=True) for f in (read_out, read_err)]
    for t in threads:
        t.start()
    if not ready.wait(30):
        proc.kill()
        raise SystemExit(f"sniffer did not start: {errs}")
    rx0 = lab.listener_rx()
    sn0 = softnet_drops()
    cpu0, wall0 = cpu_seconds(proc.pid), time.monotonic()
    closed = lab.close_loop()
    rss_samples = []
    storm_start = time.monotonic()
    while time.monotonic() - storm_start < duration:
        time.sleep(1.0)
        rss_samples.append(rss_kib(proc.pid))
    broken = lab.break_loop()
    time.sleep(2.5)
    cpu1, wall1 = cpu_seconds(proc.pid), time.monotonic()
    hwm = rss_kib(proc.pid, "VmHWM")
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    for t in threads:
        t.join(5)
    rx1 = lab.listener_rx()
    cov_line = next((e for e in errs if e.startswith("# l0:")), "")
    m = re.search(r"read (\d+) dropped (\d+) kernel (\d+)", cov_line)
    read, dropped, kernel = (int(x) for x in m.groups()) if m else (0, 0, 0)
    start = next((e for e in events if e["event"] == "storm-start"), None)
    end = next((e for e in events if e["event"] == "storm-end"), None)
    storm_s = broken - closed
    return {
        "reader": "stormguard sniff (TPACKET_V3 ring + BPF)",
        "seconds": round(storm_s, 1),
        "iface_rx": rx1 - rx0,
        "kernel_socket": kernel,
        "read": read,
        "dropped": dropped,
        "accounted_vs_socket": round((read + dropped) / kernel, 4) if kernel else None,
        "accounted_vs_rx": round((read + dropped) / (rx1 - rx0), 4) if rx1 > rx0 else None,
        "read_vs_rx": round(read / (rx1 - rx0), 4) if rx1 > rx0 else None,
        "classified_per_s": round(read / storm_s),
        "offered_per_s": round((rx1 - rx0) / storm_s),
        "detect_latency_s": round(start["ts"] - closed, 3) if start else None,
        "end_latency_s": round(end["ts"] - broken, 3) if end else None,
        "evidence": start["evidence"] if start else None,
        "peak_pps_reported": end["peak_pps"] if end else None,
        "cpu_share": round((cpu1 - cpu0) / (wall1 - wall0), 3),
        "rss_mib_first_10s": round(max(rss_samples[:10]) / 1024, 1) if rss_samples else None,
        "rss_mib_last_10s": round(max(rss_samples[-10:]) / 1024, 1) if rss_samples else None,
        "peak_rss_mib": round(hwm / 1024, 1),
        "softnet_drops": softnet_drops() - sn0,
        "events": len(events),
    }


def hot_path_capacity(n: int = 300_000) -> dict:
    """Frames/s the counting path (classify + hash + tables) manages on one core, no socket."""
    from stormguard.sniffer.config import SnifferConfig
    from stormguard.sniffer.engine import Engine
    from stormguard.testing.stormlab import arp_request

    engine = Engine(SnifferConfig(), lambda e: None)
    w = engine._ensure_iface("bench0")
    frames = [arp_request("02:00:00:00:00:%02x" % (i % 50), "10.0.0.1", f"10.0.{i % 256}.1")
              for i in range(256)]
    buf = memoryview(b"".join(frames))
    add = w.add
    t_base = 1_700_000_000.0
    t0 = time.perf_counter()
    for i in range(n):
        add(buf, (i & 255) * 60, 60, 60, -1, t_base + i * 4e-6)
    secs = time.perf_counter() - t0
    return {"frames": n, "seconds": round(secs, 2), "frames_per_s": round(n / secs)}


def phase_scapy(lab: StormLab, duration: float) -> dict:
    lab.close_loop()
    time.sleep(0.5)
    rx0 = lab.listener_rx()
    proc = lab.net.run(lab.listener_ns, sys.executable, "-c", SCAPY_SNIPPET, str(duration),
                       timeout=duration + 60)
    rx1 = lab.listener_rx()
    lab.break_loop()
    time.sleep(1.0)
    n, secs = proc.stdout.decode().split()
    n, secs_f = int(n), float(secs)
    return {"reader": "Scapy sniff(prn=..., store=False)", "seconds": round(secs_f, 1),
            "iface_rx": rx1 - rx0, "read": n, "read_vs_rx": round(n / (rx1 - rx0), 4),
            "classified_per_s": round(n / secs_f), "offered_per_s": round((rx1 - rx0) / secs_f)}


def phase_tcpdump(lab: StormLab, duration: float) -> dict:
    lab.close_loop()
    time.sleep(0.5)
    rx0 = lab.listener_rx()
    t0 = time.monotonic()
    proc = lab.net.popen(lab.listener_ns, "tcpdump", "-i", "l0", "-w", "/dev/null", "-n",
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(duration)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    secs = time.monotonic() - t0
    rx1 = lab.listener_rx()
    lab.break_loop()
    time.sleep(1.0)

    def num(pattern: str) -> int:
        m = re.search(r"(\d+) packets? " + pattern, err)
        return int(m.group(1)) if m else 0

    captured, received, dropped = (num("captured"), num("received by filter"),
                                   num("dropped by kernel"))
    return {"reader": "tcpdump -w /dev/null", "seconds": round(secs, 1), "iface_rx": rx1 - rx0,
            "kernel_socket": received, "read": captured, "dropped": dropped,
            "accounted_vs_socket": round((captured + dropped) / received, 4) if received else None,
            "read_vs_rx": round(captured / (rx1 - rx0), 4) if rx1 > rx0 else None,
            "accounted_vs_rx": round((captured + dropped) / (rx1 - rx0), 4) if rx1 > rx0 else None,
            "classified_per_s": None,  # tcpdump -w only stores, it does not classify
            "stored_per_s": round(captured / secs), "offered_per_s": round((rx1 - rx0) / secs)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--other-duration", type=float, default=15.0)
    ap.add_argument("--rate-limit", action="store_true", help="tbf-limited storm instead")
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench_sniffer: needs root (network namespaces)")
    load_before = loadavg()
    capacity = hot_path_capacity()
    results = []
    with StormLab(rate_limit=args.rate_limit) as lab:
        results.append(phase_stormguard(lab, args.duration))
        results.append(phase_scapy(lab, args.other_duration))
        results.append(phase_tcpdump(lab, args.other_duration))
    load_after = loadavg()
    cols = ["reader", "seconds", "offered_per_s", "iface_rx", "read", "dropped",
            "accounted_vs_rx", "accounted_vs_socket", "classified_per_s"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in results:
        print("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")
    sg = results[0]
    print(f"\nstormguard: detection latency {sg['detect_latency_s']} s, end latency "
          f"{sg['end_latency_s']} s, evidence {sg['evidence']}, CPU share {sg['cpu_share']}, "
          f"RSS first/last 10 s {sg['rss_mib_first_10s']}/{sg['rss_mib_last_10s']} MiB, peak "
          f"{sg['peak_rss_mib']} MiB, softnet backlog drops {sg['softnet_drops']}")
    print(f"hot path alone (classify + hash + tables, no socket): "
          f"{capacity['frames_per_s']} frames/s on one core")
    print(f"load average before {load_before}, after {load_after}, cores {os.cpu_count()}")
    print(json.dumps({"results": results, "hot_path": capacity, "load_before": load_before,
                      "load_after": load_after}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
