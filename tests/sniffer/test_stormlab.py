"""The storm lab: a real bridge loop in namespaces, watched by the real `stormguard sniff`.

Every storm is rate-limited (tc tbf, ~20-30k frames/s), bounded in time, and the lab is torn
down in the fixture's finaliser (StormLab's context manager).
"""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stormguard.testing.stormlab import StormLab

sys.path.insert(0, os.path.dirname(__file__))
from sniff_proc import SnifferProc, start_sniffer

pytestmark = [pytest.mark.netns, pytest.mark.slow]


@dataclass
class StormRun:
    sniffer: SnifferProc
    closed_at: float
    broken_at: float
    pcap: Path
    evidence_dir: Path


@pytest.fixture(scope="module")
def storm_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StormRun]:
    tmp = tmp_path_factory.mktemp("storm")
    pcap = tmp / "storm.pcap"
    with StormLab(rate_limit=True) as lab:
        sn = start_sniffer(lab.net, lab.listener_ns, "l0", "--update-interval-s", "1",
                           "--evidence-dir", str(tmp / "evidence"), "--duration", "40")
        dump = lab.net.popen(lab.listener_ns, "tcpdump", "-i", "l0", "-w", str(pcap), "-U",
                             "-s", "256", "-B", "16384", stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            sn.wait_ready()
            time.sleep(1.0)  # some quiet before the storm
            closed = lab.close_loop()
            time.sleep(3.0)
            broken = lab.break_loop()
            time.sleep(3.0)
        finally:
            dump.send_signal(signal.SIGINT)
            dump.wait(10)
            sn.stop()
        yield StormRun(sn, closed, broken, pcap, tmp / "evidence")


def test_storm_detected_within_1s_with_loop_evidence(storm_run: StormRun) -> None:
    events = [e for _, e in storm_run.sniffer.events]
    starts = [e for e in events if e["event"] == "storm-start"]
    assert len(starts) == 1, storm_run.sniffer.stderr
    start = starts[0]
    latency = start["ts"] - storm_run.closed_at
    arrived = next(t for t, e in storm_run.sniffer.events if e["event"] == "storm-start")
    assert 0 < latency <= 1.0, latency
    assert arrived - storm_run.closed_at <= 1.2  # and printed right away
    assert "duplicate-frames" in start["evidence"]
    assert start["iface"] == "l0"
    assert start["classes"].get("arp", 0) > 0
    assert start["top_sources"][0]["mac"] == StormLab.HOST_MAC
    assert start["pps"] >= 2000


def test_storm_ends_within_2s_of_loop_break(storm_run: StormRun) -> None:
    events = [e for _, e in storm_run.sniffer.events]
    ends = [e for e in events if e["event"] == "storm-end"]
    assert len(ends) == 1
    end = ends[0]
    assert end["reason"] == "below-threshold"
    assert 0 < end["ts"] - storm_run.broken_at <= 2.0, end["ts"] - storm_run.broken_at
    assert {e["id"] for e in events} == {end["id"]}
    updates = [e for e in events if e["event"] == "storm-update"]
    assert len(updates) >= 2
    # The storm ran at the tbf-limited rate; the capture kept up and says so.
    assert 10_000 <= end["peak_pps"] <= 60_000
    assert end["coverage"]["ratio"] >= 0.99
    assert end["frames"] >= 2 * 10_000
    # Evidence pcap: the first few hundred frames, readable by tcpdump.
    assert end["pcap"] and Path(end["pcap"]).exists()
    out = subprocess.run(["tcpdump", "-nn", "-r", end["pcap"]], capture_output=True, text=True)
    lines = out.stdout.splitlines()
    assert 100 <= len(lines) <= 300
    assert "ARP, Request who-has 10.99.0.1 tell 10.99.0.2" in lines[-1]


def pcap_to_pcapng(src: Path, dst: Path, if_name: str = "l0") -> int:
    """Re-wrap a pcap as pcapng (SHB, IDB with if_name and ns resolution, EPBs)."""
    from stormguard.sniffer.pcapfile import read_frames

    def block(btype: int, body: bytes) -> bytes:
        body += b"\0" * (-len(body) % 4)
        n = len(body) + 12
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)

    def opt(code: int, value: bytes) -> bytes:
        return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)

    count = 0
    with open(dst, "wb") as fh:
        fh.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        fh.write(block(1, struct.pack("<HHI", 1, 0, 0) + opt(2, if_name.encode())
                       + opt(9, b"\x09") + opt(0, b"")))
        for ts, _iface, data, wire in read_frames(src):
            t = round(ts * 1e9)
            fh.write(block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(data), wire)
                           + data))
            count += 1
    return count


def test_tcpdump_recording_as_pcap_and_pcapng_gives_storm_events(
        storm_run: StormRun, tmp_path: Path) -> None:
    ng = tmp_path / "storm.pcapng"
    assert pcap_to_pcapng(storm_run.pcap, ng) > 20_000
    for path, iface in ((storm_run.pcap, "storm"), (ng, "l0")):
        proc = subprocess.run([sys.executable, "-m", "stormguard", "sniff", "--pcap", str(path),
                               "--format", "json"], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        events = [json.loads(x) for x in proc.stdout.splitlines()]
        kinds = [e["event"] for e in events]
        assert kinds[0] == "storm-start" and kinds[-1] == "storm-end", kinds
        assert kinds.count("storm-start") == 1
        start = events[0]
        assert start["iface"] == iface
        # Packet time: the recorded storm began when the loop closed.
        assert 0 < start["ts"] - storm_run.closed_at <= 1.0
        assert "duplicate-frames" in start["evidence"]
        # The recording stops with the storm's last frame: the file cannot show the silence
        # after it, so the event ends with the capture, at about the time the loop broke.
        assert events[-1]["reason"] == "end-of-capture"
        assert abs(events[-1]["ts"] - storm_run.broken_at) <= 1.0
        assert events[-1]["frames"] >= 20_000


def test_two_interfaces_see_the_loop_and_a_mac_flap() -> None:
    with StormLab(rate_limit=True, second_listener=True) as lab:
        sn = start_sniffer(lab.net, lab.listener_ns, "l0", "--iface", "l1", "--duration", "40",
                           "--no-evidence")
        try:
            sn.wait_ready()
            closed = lab.close_loop()
            time.sleep(2.0)
            lab.break_loop()
            time.sleep(2.5)
        finally:
            sn.stop()
    events = [e for _, e in sn.events]
    starts = {e["iface"]: e for e in events if e["event"] == "storm-start"}
    assert set(starts) == {"l0", "l1"}, events
    for start in starts.values():
        assert start["ts"] - closed <= 1.0
    ends = [e for e in events if e["event"] == "storm-end"]
    assert {e["iface"] for e in ends} == {"l0", "l1"}
    flapped = [e for e in ends if "mac-flap" in e["evidence"]]
    assert flapped, [e["evidence"] for e in ends]
    # The looping ARP's sender shows up on both interfaces (other lab MACs may too).
    where = {w["mac"]: w["seen_on"] for e in flapped for w in e["evidence_detail"]["mac-flap"]}
    assert where.get(StormLab.HOST_MAC) == ["l0", "l1"], where


def test_stp_on_prevents_the_storm() -> None:
    with StormLab(stp=True, rate_limit=True) as lab:
        sn = start_sniffer(lab.net, lab.listener_ns, "l0", "--duration", "40", "--no-evidence")
        try:
            sn.wait_ready()
            lab.close_loop(seed=False)
            time.sleep(4.6)  # 2 x forward_delay: ports leave listening/learning
            for _ in range(20):
                lab.send(b"\xff" * 6 + bytes.fromhex(StormLab.HOST_MAC.replace(":", ""))
                         + b"\x08\x06" + b"\x00" * 46)
                time.sleep(0.1)
            time.sleep(2.0)
            states = lab.port_states(lab.a) + lab.port_states(lab.b)
        finally:
            sn.stop()
        assert "blocking" in states, states
        assert sn.events == [], sn.events
        # The frames did reach the listener (the path works), they just did not loop.
        assert 20 <= sn.read_count() < 200, sn.stderr


def test_ordinary_traffic_raises_nothing() -> None:
    with StormLab(rate_limit=True) as lab:
        sn = start_sniffer(lab.net, lab.listener_ns, "l0", "--duration", "40", "--no-evidence")
        try:
            sn.wait_ready()
            lab.start_ordinary_traffic(fps=20)  # 20 ARP + 20 multicast per second
            time.sleep(10.0)
            lab.stop_ordinary_traffic()
            time.sleep(0.5)
        finally:
            sn.stop()
        assert sn.events == []
        assert 300 <= sn.read_count() <= 450, sn.stderr
