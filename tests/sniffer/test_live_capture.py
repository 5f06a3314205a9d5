"""The capture socket on a real veth pair: filter, VLAN metadata, odd frames, both modes."""

from __future__ import annotations

import contextlib
import socket
import struct
import subprocess
import sys
import time

import pytest

from stormguard.sniffer.capture import CaptureSocket
from stormguard.sniffer.config import SnifferConfig
from stormguard.sniffer.engine import Engine
from stormguard.sniffer.events import StormEvent
from stormguard.testing.netns import NetnsLab, enter_netns
from stormguard.testing.stormlab import arp_request

pytestmark = pytest.mark.netns

SRC = "02:53:47:00:00:07"
ARP = arp_request(SRC, "10.5.0.1", "10.5.0.2")


def veth_pair(lab: NetnsLab, mtu: int = 9000) -> tuple[str, str]:
    tx, rx = lab.add_netns("tx"), lab.add_netns("rx")
    lab.add_veth("t0", tx, "r0", rx, up=False)
    for ns, dev in ((tx, "t0"), (rx, "r0")):
        lab.ip(ns, "link", "set", dev, "mtu", str(mtu))
        lab.run(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1")
        lab.link_up(ns, dev)
    return tx, rx


def sender(ns: str, dev: str) -> socket.socket:
    with enter_netns(ns):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.bind((dev, 0))
    return s


def tag(frame: bytes, vlan: int, tpid: int = 0x8100) -> bytes:
    return frame[:12] + struct.pack("!HH", tpid, vlan) + frame[12:]


@pytest.mark.parametrize("mode", ["ring", "recv"])
def test_filter_vlans_and_odd_frames_through_a_live_socket(netns_lab: NetnsLab,
                                                           mode: str) -> None:
    tx, rx = veth_pair(netns_lab)
    events: list[StormEvent] = []
    cfg = SnifferConfig(threshold_pps=50, open_windows=1, capture_mode=mode,
                        update_interval_s=60)
    engine = Engine(cfg, events.append)
    with enter_netns(rx):
        engine.open_live(["r0"])
    s = sender(tx, "t0")
    try:
        engine.start(duration=20)
        time.sleep(0.3)
        odd = [
            b"\xff" * 6,  # runt: the kernel pads it to a bare Ethernet header
            b"\xff" * 6 + bytes(6) + b"\x81\x00",  # 802.1Q announced, tag missing
            b"\xff" * 6 + bytes(6) + b"\x81\x00\x00",  # tag cut in half
            b"\x01" + bytes(5) + bytes(6) + b"\x86\xdd\x60",  # IPv6 header cut off
            bytes([0x33]) + bytes(range(200)),  # garbage with the multicast bit
        ]
        for _ in range(10):
            for frame in odd:
                with contextlib.suppress(OSError):  # the kernel may refuse some: fine
                    s.send(frame)
        good = 0
        for _ in range(30):
            s.send(tag(ARP, 42))  # tagged: the receive path moves the tag to metadata
            s.send(tag(ARP, 100, 0x88A8))  # 802.1ad
            s.send(ARP + b"\x00" * 8900)  # jumbo
            s.send(bytes.fromhex("020000000099") + ARP[6:])  # unicast: filtered in kernel
            good += 3
        time.sleep(1.5)
    finally:
        engine.stop()
        s.close()
        cov = engine.coverage()["r0"]
        engine.close()
    assert engine.sink_errors == 0
    starts = [e for e in events if e.event == "storm-start"]
    assert starts, "the burst should open an event at 50 pps"
    end = events[-1]
    assert end.event == "storm-end"
    vlans = {v["vlan"]: v["frames"] for v in end.vlans}
    assert vlans.get(42) == 30 and vlans.get(100) == 30, vlans
    assert end.classes["arp"] == 90
    # Unicast never arrives; whatever odd frames the kernel delivered were counted, not fatal.
    assert good <= cov["read"] <= good + 50
    assert cov["dropped"] == 0
    assert cov["kernel"] == cov["read"]
    assert end.top_sources[0]["mac"] == SRC


def test_capture_errors_are_one_liners(netns_lab: NetnsLab) -> None:
    from stormguard.errors import InputError

    with pytest.raises(InputError, match="no-such-if0: no such network interface"):
        CaptureSocket("no-such-if0")
    with pytest.raises(InputError, match="capture mode"):
        CaptureSocket("lo", mode="pcap")


def test_without_cap_net_raw_a_clear_error() -> None:
    cmd = ["capsh", "--drop=cap_net_raw", "--", "-c",
           f"{sys.executable} -m stormguard sniff --iface lo --duration 1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "needs CAP_NET_RAW" in lines[0] and "lo" in lines[0]
    assert "Traceback" not in proc.stderr


def test_passive_socket_never_transmits(netns_lab: NetnsLab) -> None:
    tx, rx = veth_pair(netns_lab, mtu=1500)
    before = int(netns_lab.run(rx, "cat", "/sys/class/net/r0/statistics/tx_packets")
                 .stdout.decode())
    engine = Engine(SnifferConfig(threshold_pps=10, open_windows=1), lambda e: None)
    with enter_netns(rx):
        engine.open_live(["r0"])
    s = sender(tx, "t0")
    try:
        engine.start(duration=5)
        for _ in range(200):
            s.send(ARP)
        time.sleep(0.5)
    finally:
        engine.stop()
        engine.close()
        s.close()
    after = int(netns_lab.run(rx, "cat", "/sys/class/net/r0/statistics/tx_packets")
                .stdout.decode())
    assert after == before
