"""`stormguard sniff --pcap`: pcap (µs/ns, both byte orders) and pcapng, damaged files, CLI."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from stormguard.errors import InputError
from stormguard.sniffer.evidence import write_pcap
from stormguard.sniffer.pcapfile import read_frames

sys.path.insert(0, os.path.dirname(__file__))
from sniff_timeline import LOOP_FRAME, T0, distinct_frame

UNICAST = bytes.fromhex("020000000099") + LOOP_FRAME[6:]


def storm_records() -> list[tuple[float, bytes, int]]:
    """3 s quiet (20 fps), 2 s loop storm (8000 fps), 2 s quiet; unicast mixed in."""
    recs = []
    t = T0
    for i in range(60):
        recs.append((t + i / 20, distinct_frame(i), -1))
        recs.append((t + i / 20 + 0.001, UNICAST, -1))
    t += 3
    recs += [(t + i / 8000, LOOP_FRAME, -1) for i in range(16000)]
    t += 2
    recs += [(t + i / 20, distinct_frame(1000 + i), -1) for i in range(40)]
    return recs


def sniff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stormguard", "sniff", *args],
                          capture_output=True, text=True, timeout=120)


def events_of(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def check_storm(events: list[dict], iface: str) -> None:
    kinds = [e["event"] for e in events]
    assert kinds[0] == "storm-start" and kinds[-1] == "storm-end", kinds
    assert kinds.count("storm-start") == 1
    start, end = events[0], events[-1]
    assert start["iface"] == iface
    assert T0 + 3 <= start["ts"] <= T0 + 3.5  # packet time, not wall-clock time
    assert T0 + 5 < end["ts"] <= T0 + 6.5
    assert end["reason"] == "below-threshold"
    assert 7900 <= end["peak_pps"] <= 8100
    assert 15000 <= end["frames"] <= 16100
    assert end["evidence"] == ["duplicate-frames"]
    assert end["classes"]["arp"] == end["frames"]
    assert end["top_sources"][0]["mac"] == "02:aa:00:00:00:01"
    assert end["coverage"]["ratio"] == 1.0


def test_pcap_microseconds(tmp_path: Path) -> None:
    p = write_pcap(tmp_path / "lan.pcap", storm_records())
    proc = sniff("--pcap", str(p), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    check_storm(events_of(proc), "lan")


def _write_pcap_ns_be(path: Path, recs: list[tuple[float, bytes, int]]) -> None:
    with open(path, "wb") as fh:
        fh.write(struct.pack(">IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        for ts, data, _ in recs:
            ns = round(ts * 1e9)
            fh.write(struct.pack(">IIII", ns // 10**9, ns % 10**9, len(data), len(data)))
            fh.write(data)


def test_pcap_nanoseconds_big_endian(tmp_path: Path) -> None:
    p = tmp_path / "be.pcap"
    _write_pcap_ns_be(p, storm_records())
    first = next(read_frames(p))
    assert abs(first[0] - T0) < 1e-6 and first[1] == "be"
    proc = sniff("--pcap", str(p), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    check_storm(events_of(proc), "be")


def test_pcapng_written_by_scapy(tmp_path: Path) -> None:
    from scapy.utils import RawPcapNgWriter

    p = tmp_path / "storm.pcapng"
    w = RawPcapNgWriter(str(p))
    w.write_header(None)
    for ts, data, _ in storm_records():
        # Raw bytes with their time, without a dissection per frame (Ether() is slow).
        w._write_packet(data, linktype=1, sec=ts, ifname=b"scapy0")
    w.close()
    proc = sniff("--pcap", str(p), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    check_storm(events_of(proc), "scapy0")


def test_text_format(tmp_path: Path) -> None:
    p = write_pcap(tmp_path / "lan.pcap", storm_records())
    proc = sniff("--pcap", str(p))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "storm-start lan" in lines[0] and "evidence=duplicate-frames" in lines[0]
    assert "storm-end lan" in lines[-1] and "reason=below-threshold" in lines[-1]


def test_truncated_pcap_reports_events_so_far_then_one_line_error(tmp_path: Path) -> None:
    full = write_pcap(tmp_path / "full.pcap", storm_records()).read_bytes()
    # Cut inside the storm, in the middle of a record.
    cut = 24 + 120 * 76 + 9000 * 76 + 30
    p = tmp_path / "capture.pcap"
    p.write_bytes(full[:cut])
    proc = sniff("--pcap", str(p), "--format", "json")
    assert proc.returncode == 2
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1, proc.stderr
    assert err[0].startswith("stormguard sniff: error: capture.pcap: truncated at byte ")
    assert "Traceback" not in proc.stderr
    events = events_of(proc)
    assert [e["event"] for e in events] == ["storm-start", "storm-end"]
    assert events[-1]["reason"] == "end-of-capture"
    # The reader itself: every complete record first, then the error with the offset.
    n = 0
    with pytest.raises(InputError, match=r"capture.pcap: truncated at byte \d+"):
        for _ in read_frames(p):
            n += 1
    assert n == 120 + 9000


def test_truncated_pcapng(tmp_path: Path) -> None:
    from scapy.utils import RawPcapNgWriter

    p = tmp_path / "cut.pcapng"
    w = RawPcapNgWriter(str(p))
    w.write_header(None)
    for ts, data, _ in storm_records()[:5000]:
        w._write_packet(data, linktype=1, sec=ts, ifname=b"eth9")
    w.close()
    data = p.read_bytes()
    p.write_bytes(data[:len(data) - 50])
    proc = sniff("--pcap", str(p), "--format", "json")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "cut.pcapng: truncated at byte" in proc.stderr
    events = events_of(proc)
    assert [e["event"] for e in events] == ["storm-start", "storm-end"]
    assert events[0]["iface"] == "eth9"


@pytest.mark.parametrize("content, message", [
    (b"GIF89a this is not a capture at all" * 10, "not a pcap or pcapng file"),
    (b"", "not a pcap or pcapng file"),
    (b"\xd4\xc3\xb2\xa1\x02\x00", "truncated at byte 6"),
    (struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 113), "link type 113 is not Ethernet"),
    (struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
     + struct.pack("<IIII", 1, 0, 0x7FFFFFFF, 60), "the file is damaged"),
    (b"\x0a\x0d\x0d\x0a" + struct.pack("<I", 28) + b"\x4d\x3c\x2b\x1a" + b"\x01\0\0\0"
     + b"\xff" * 8 + struct.pack("<I", 28) + struct.pack("<II", 6, 32) + b"\0" * 24,
     "never described"),
])
def test_bad_files_give_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    p = tmp_path / "bad.pcap"
    p.write_bytes(content)
    proc = sniff("--pcap", str(p), "--format", "json")
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert message in proc.stderr and "bad.pcap" in proc.stderr
    assert proc.stdout == ""


def test_missing_file_and_bad_options(tmp_path: Path) -> None:
    proc = sniff("--pcap", str(tmp_path / "nope.pcap"))
    assert proc.returncode == 2 and "nope.pcap: cannot open" in proc.stderr
    proc = sniff("--pcap", str(tmp_path / "nope.pcap"), "--close-ratio", "3")
    assert proc.returncode == 2 and "close_ratio" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_config_file_section(tmp_path: Path) -> None:
    p = write_pcap(tmp_path / "lan.pcap", storm_records())
    cfg = tmp_path / "stormguard.yaml"
    cfg.write_text("sniffer:\n  threshold_pps: 20000\n  ewma_floor_pps: 50000\n")
    proc = sniff("--pcap", str(p), "--config", str(cfg), "--format", "json")
    assert proc.returncode == 0 and proc.stdout == ""  # 8000 pps is below both
    cfg.write_text("sniffer:\n  threshold_pps: 20000\n")  # the baseline rule still sees it
    proc = sniff("--pcap", str(p), "--config", str(cfg), "--format", "json")
    assert "baseline" in events_of(proc)[0]["trigger"]
    cfg.write_text("sniffer:\n  threshold_ppz: 20000\n")
    proc = sniff("--pcap", str(p), "--config", str(cfg))
    assert proc.returncode == 2
    assert "unknown sniffer setting 'threshold_ppz'" in proc.stderr
    cfg.write_text("sniffer:\n  open_windows: many\n")
    proc = sniff("--pcap", str(p), "--config", str(cfg))
    assert proc.returncode == 2 and "sniffer.open_windows must be an integer" in proc.stderr


def test_sniff_command_does_not_import_scapy() -> None:
    code = ("import sys, stormguard.cli as c; c.build_parser('sniff'); "
            "import stormguard.sniffer.engine, stormguard.sniffer.capture; "
            "print('scapy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_evidence_defaults() -> None:
    from stormguard.cli import build_parser
    from stormguard.commands.sniff import _config

    parser = build_parser("sniff")
    live = _config(parser.parse_args(["sniff", "--iface", "eth1"]))
    assert live.evidence_dir and live.evidence_dir.endswith("stormguard/evidence")
    assert _config(parser.parse_args(["sniff", "--iface", "eth1", "--no-evidence"])) \
        .evidence_dir is None
    assert _config(parser.parse_args(["sniff", "--pcap", "x.pcap"])).evidence_dir is None
    assert _config(parser.parse_args(["sniff", "--pcap", "x.pcap", "--evidence-dir", "/tmp/e"])) \
        .evidence_dir == "/tmp/e"
