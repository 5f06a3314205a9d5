"""Synthetic traffic timelines fed through the real windows and detectors (no sockets)."""

from __future__ import annotations

import struct
from collections.abc import Callable

from stormguard.sniffer.config import SnifferConfig
from stormguard.sniffer.engine import Engine
from stormguard.sniffer.events import StormEvent
from stormguard.testing.stormlab import arp_request

T0 = 1_700_000_000.0
LOOP_FRAME = arp_request("02:aa:00:00:00:01", "10.1.0.1", "10.1.0.254")


def distinct_frame(seq: int) -> bytes:
    """A different ARP every time, from one of 50 hosts (an ordinary busy LAN)."""
    host = seq % 50
    return arp_request(f"02:bb:00:00:00:{host:02x}", f"10.2.0.{host + 1}",
                       f"10.2.{(seq >> 8) & 0xFF}.{seq & 0xFF}")


def tagged(frame: bytes, vlan: int) -> bytes:
    return frame[:12] + struct.pack("!HH", 0x8100, vlan) + frame[12:]


FrameFn = Callable[[int], bytes]


class Timeline:
    """Feed frames at given rates into an Engine; collect the events it emits."""

    def __init__(self, cfg: SnifferConfig | None = None, speed_mbps: int | None = None,
                 ifaces: tuple[str, ...] = ("eth1",)) -> None:
        self.cfg = cfg or SnifferConfig()
        self.events: list[StormEvent] = []
        self.engine = Engine(self.cfg, self.events.append)
        for i in ifaces:
            self.engine._ensure_iface(i, speed_mbps)
        self.t = T0
        self.seq = 0

    def run(self, seconds: float, pps: float, frame: FrameFn | bytes = LOOP_FRAME,
            iface: str = "eth1") -> Timeline:
        w = self.engine.windows[iface]
        n = round(seconds * pps)
        step = 1.0 / pps if pps else seconds
        for i in range(n):
            self.seq += 1
            data = frame(self.seq) if callable(frame) else frame
            w.add(data, 0, len(data), len(data), -1, self.t + i * step)
        self.t += seconds
        for win in self.engine.windows.values():
            win.advance(self.t)
        return self

    def end(self) -> list[StormEvent]:
        self.engine.last_ts = self.t
        self.engine.finish("end-of-capture", drain=True)
        return self.events

    def kinds(self) -> list[str]:
        return [e.event for e in self.events]
