"""The detector on synthetic timelines: thresholds, N windows, hysteresis, EWMA, evidence."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace

from stormguard.sniffer.config import SnifferConfig
from stormguard.sniffer.events import END, START, UPDATE
from stormguard.sniffer.frames import mac_str
from stormguard.sniffer.pcapfile import read_frames
from stormguard.testing.stormlab import arp_request

sys.path.insert(0, os.path.dirname(__file__))
from sniff_timeline import LOOP_FRAME, T0, Timeline, distinct_frame, tagged

REQUIRED = {"event", "id", "iface", "ts", "pps", "peak_pps", "frames", "vlans", "classes",
            "top_sources", "evidence", "coverage"}


def test_quiet_traffic_raises_nothing() -> None:
    tl = Timeline().run(20, 150, distinct_frame)
    assert tl.end() == []


def test_storm_opens_after_n_windows_and_ends_with_hysteresis() -> None:
    cfg = SnifferConfig(threshold_pps=2000, open_windows=3, close_ratio=0.5, close_windows=3,
                        update_interval_s=1.0)
    tl = Timeline(cfg).run(3, 50, distinct_frame)
    tl.run(3, 5000)  # storm
    tl.run(3, 1500)  # below the opening threshold, above the closing one: still a storm
    assert tl.kinds()[0] == START and END not in tl.kinds()
    tl.run(3, 200)  # below the closing level: ends
    events = tl.end()
    kinds = [e.event for e in events]
    assert kinds.count(START) == 1 and kinds.count(END) == 1 and kinds[-1] == END
    start, end = events[0], events[-1]
    # The 1 s window holds 2000 frames after 4 buckets at 5000 pps; then 3 decisions in a row.
    assert T0 + 3 + 0.55 <= start.ts <= T0 + 3 + 0.65
    assert start.started_at >= T0 + 3 - 1e-6
    assert end.reason == "below-threshold"
    # 1500 pps phase ends at T0+9; the 1 s window falls below 1000 pps during the next second.
    assert T0 + 9 < end.ts <= T0 + 9 + 1.0 + 0.35
    assert {e.id for e in events} == {start.id}
    assert 4900 <= end.peak_pps <= 5100
    assert 15000 + 4500 - 200 <= end.frames <= 15000 + 4500 + 600
    assert UPDATE in kinds
    assert end.evidence == ["duplicate-frames"]


def test_n_consecutive_windows_needed() -> None:
    # One-bucket windows make each decision the rate of one bucket.
    cfg = SnifferConfig(threshold_pps=1000, window_s=0.1, open_windows=3)
    tl = Timeline(cfg)
    tl.run(1, 10, distinct_frame).run(0.2, 5000).run(1, 10, distinct_frame)
    assert tl.events == []  # two windows over: not enough
    tl.run(0.3, 5000).run(1, 10, distinct_frame)
    assert tl.kinds() == [START, END]


def test_ewma_baseline_multiplier_and_floor() -> None:
    cfg = SnifferConfig(threshold_pps=1e9, link_pct=None, ewma_multiplier=8,
                        ewma_floor_pps=500, ewma_alpha=0.05, ewma_warmup=30)
    # Baseline 50 pps; 8x = 400 < floor 500: a jump to 450 pps is not a storm.
    tl = Timeline(cfg).run(10, 50, distinct_frame).run(5, 450, distinct_frame)
    assert tl.end() == []
    # Baseline 400 pps; 3600 pps is 9x: a storm, named as a baseline trigger.
    tl = Timeline(cfg).run(10, 400, distinct_frame).run(3, 3600, distinct_frame)
    events = tl.end()
    assert events[0].event == START
    assert "baseline" in events[0].trigger
    # A slowly rising baseline follows the traffic instead of alarming.
    tl = Timeline(cfg)
    for rate in (400, 600, 800, 1000, 1200, 1400):
        tl.run(5, rate, distinct_frame)
    assert tl.end() == []


def test_link_speed_percentage() -> None:
    cfg = SnifferConfig(threshold_pps=1e9, link_pct=1.0, ewma_floor_pps=1e9)
    big = arp_request("02:cc:00:00:00:01", "10.3.0.1", "10.3.0.2") + b"\0" * 1400
    # 10 Mbit/s link: 1 % = 100 kbit/s; 1460-byte frames at 20/s = 234 kbit/s.
    events = Timeline(cfg, speed_mbps=10).run(3, 20, big).end()
    assert [e.event for e in events] == [START, END]
    assert "% of 10 Mbit/s" in events[0].trigger
    # Unknown speed: the same traffic is fine.
    assert Timeline(cfg, speed_mbps=None).run(3, 20, big).end() == []


def test_distinct_frames_storm_has_no_duplicate_evidence() -> None:
    events = Timeline().run(3, 6000, distinct_frame).end()
    assert events[0].event == START
    assert "duplicate-frames" not in events[-1].evidence
    assert events[-1].classes == {"arp": events[-1].coverage["read"]}
    assert len(events[-1].top_sources) == 5


def test_mac_flap_across_vlans_and_interfaces() -> None:
    cfg = SnifferConfig(threshold_pps=1000)
    tl = Timeline(cfg, ifaces=("eth1", "eth2"))
    # A loop between VLAN 10 and VLAN 20: the same frames show up tagged with both.
    tl.run(1, 10, distinct_frame)
    w = tl.engine.windows["eth1"]
    for i in range(3000):
        vlan = 10 if i % 2 else 20
        data = tagged(LOOP_FRAME, vlan)
        w.add(data, 0, len(data), len(data), -1, tl.t + i / 3000)
    tl.t += 1
    tl.run(2, 0)
    events = tl.end()
    start = events[0]
    assert "mac-flap" in start.evidence
    flap = start.evidence_detail["mac-flap"][0]
    assert flap["mac"] == "02:aa:00:00:00:01"
    assert sorted(flap["seen_on"]) == ["eth1/vlan10", "eth1/vlan20"]
    assert {v["vlan"] for v in start.vlans} == {10, 20}
    # Across interfaces: the storm on eth2 carries a MAC also seen on eth1.
    tl = Timeline(cfg, ifaces=("eth1", "eth2"))
    w1, w2 = tl.engine.windows["eth1"], tl.engine.windows["eth2"]
    for i in range(4000):
        ts = tl.t + i / 2000
        w2.add(LOOP_FRAME, 0, 60, 60, -1, ts)
        if i % 100 == 0:
            w1.add(LOOP_FRAME, 0, 60, 60, -1, ts)
    tl.t += 2
    events = tl.run(2, 0).end()
    assert [e.iface for e in events if e.event == START] == ["eth2"]
    assert "mac-flap" in events[0].evidence


def test_tcn_burst_evidence() -> None:
    tc_bpdu = (b"\x01\x80\xc2\x00\x00\x00\x02\xdd\x00\x00\x00\x01\x00\x26"
               + b"\x42\x42\x03\x00\x00\x00\x00\x01" + b"\x00" * 31)
    tl = Timeline(SnifferConfig(threshold_pps=1000, tcn_min=5))
    tl.run(1, 10, distinct_frame)
    tl.run(0.5, 20, tc_bpdu)  # 10 topology changes in half a second
    tl.run(2, 3000, distinct_frame)
    events = tl.end()
    assert events and "tcn-burst" in events[0].evidence
    assert events[0].evidence_detail["tcn-burst"]["max_per_window"] >= 5


def test_event_json_fields_and_updates() -> None:
    cfg = SnifferConfig(update_interval_s=1.0)
    events = Timeline(cfg).run(1, 10, distinct_frame).run(4.05, 8000).run(3, 0).end()
    kinds = [e.event for e in events]
    assert kinds[0] == START and kinds[-1] == END
    assert 3 <= kinds.count(UPDATE) <= 4
    for e in events:
        d = json.loads(e.to_json())
        assert set(d) >= REQUIRED, REQUIRED - set(d)
        assert d["iface"] == "eth1" and d["id"] == events[0].id
        assert d["coverage"]["ratio"] == 1.0
        assert d["top_sources"][0]["mac"] == mac_str(LOOP_FRAME[6:12])
        assert d["classes"]["arp"] > 0
        assert d["vlans"][0]["vlan"] is None
        assert d["evidence"] == ["duplicate-frames"]
        assert "storm-" in e.to_text()
    peaks = [e.peak_pps for e in events]
    assert peaks == sorted(peaks)


def test_evidence_pcap_written_and_bounded(tmp_path) -> None:
    cfg = SnifferConfig(evidence_dir=str(tmp_path / "ev"), evidence_frames=300)
    tl = Timeline(cfg).run(2, 20, distinct_frame).run(3, 10000).run(3, 0)
    events = tl.end()
    paths = {e.pcap for e in events if e.pcap}
    assert len(paths) == 1
    path = paths.pop()
    recs = list(read_frames(path))
    assert 200 <= len(recs) <= 300
    assert all(data[6:12] in (LOOP_FRAME[6:12], bytes.fromhex("02bb00000000")[:6]) or
               data[:6] == b"\xff" * 6 for _, _, data, _ in recs)
    assert [r[0] for r in recs] == sorted(r[0] for r in recs)
    from scapy.utils import rdpcap

    assert len(rdpcap(path)) == len(recs)


def test_memory_stays_bounded_under_random_source_flood() -> None:
    cfg = replace(SnifferConfig(), threshold_pps=1000)
    tl = Timeline(cfg)

    def random_src(seq: int) -> bytes:
        mac = seq.to_bytes(6, "big")
        return b"\xff" * 6 + mac + b"\x08\x06" + seq.to_bytes(46, "big")

    tl.run(1.5, 20000, random_src)
    w = tl.engine.windows["eth1"]
    det = tl.engine.detectors["eth1"]
    for b in det.window:
        assert len(b.sources) <= w.max_sources and len(b.hashes) <= w.max_hashes
    assert len(det.open.sources) <= 4096 if det.open else True
    assert len(tl.engine.tracker._where) <= tl.engine.tracker.max_macs
    events = tl.end()
    assert events[0].event == START and events[-1].event == END
