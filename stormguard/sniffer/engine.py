"""Glue: capture sockets (or a pcap file) -> windows -> detectors -> ``on_event`` callback.

Live capture runs one loop in one thread for all interfaces: ``poll()`` on the ring sockets,
drain what is ready (a bounded number of blocks per socket and turn, so one storming interface
cannot starve the others or the clock), then close the 100 ms buckets whose time has passed and
let each interface's detector decide. A single thread because the GIL would serialise per-
interface threads anyway, and one loop makes the order of events deterministic.

The event sink is a plain callable ``on_event(StormEvent)``; the sniffer knows nothing about the
store or alerting. Exceptions raised by the sink are not allowed to stop the capture: they are
counted in :attr:`Engine.sink_errors` and the last one is kept.

With a pcap file the same windows and detectors run on the recorded timestamps.
"""

from __future__ import annotations

import select
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from stormguard.sniffer.config import SnifferConfig
from stormguard.sniffer.detector import Detector, MacTracker
from stormguard.sniffer.events import StormEvent
from stormguard.sniffer.evidence import EvidenceStore
from stormguard.sniffer.frames import is_group_address
from stormguard.sniffer.window import Bucket, IfaceWindow

if TYPE_CHECKING:
    from stormguard.sniffer.capture import CaptureSocket

EventSink = Callable[[StormEvent], None]
LIVE_GRACE_S = 0.03  # ring blocks are handed over after <= 10 ms; wait a bit longer


class Engine:
    def __init__(self, config: SnifferConfig, on_event: EventSink) -> None:
        self.cfg = config
        self.on_event = on_event
        self.tracker = MacTracker(config.window_buckets)
        self.windows: dict[str, IfaceWindow] = {}
        self.detectors: dict[str, Detector] = {}
        self.captures: dict[str, CaptureSocket] = {}
        self._rx_last: dict[str, int | None] = {}
        self.evidence = EvidenceStore(config.evidence_dir) if config.evidence_dir else None
        self.sink_errors = 0
        self.last_sink_error: BaseException | None = None
        self.events_emitted = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_ts = 0.0

    # -- shared core -------------------------------------------------------------------
    def _ensure_iface(self, iface: str, speed_mbps: int | None = None) -> IfaceWindow:
        w = self.windows.get(iface)
        if w is None:
            w = IfaceWindow(iface, self._on_bucket, bucket_s=self.cfg.bucket_s)
            self.windows[iface] = w
            self.detectors[iface] = Detector(self.cfg, iface, self.tracker, speed_mbps,
                                             self.evidence)
        return w

    def _on_bucket(self, iface: str, bucket: Bucket) -> None:
        cap = self.captures.get(iface)
        if cap is not None:  # live: what the kernel counted and dropped meanwhile
            packets, drops = cap.poll_stats()
            bucket.kernel = packets
            bucket.kernel_known = True
            bucket.dropped = drops
            rx = cap.iface_rx()
            last = self._rx_last.get(iface)
            if rx is not None and last is not None:
                bucket.iface_rx = rx - last
            self._rx_last[iface] = rx
        det = self.detectors[iface]
        events = det.on_bucket(bucket)
        self.windows[iface].keep_evidence = det.evidence_wanted
        for ev in events:
            self._emit(ev)

    def _emit(self, ev: StormEvent) -> None:
        self.events_emitted += 1
        try:
            self.on_event(ev)
        except Exception as exc:  # the sink's trouble must not blind the sniffer
            self.sink_errors += 1
            self.last_sink_error = exc

    def finish(self, reason: str, drain: bool = False) -> None:
        """Close the open buckets and end open events (at the last time seen).

        ``drain`` (end of a file): a storm still being confirmed when the capture stops gets
        its remaining decisions on empty buckets, so a short burst at the very end of a file
        is judged the same way as one in the middle.
        """
        for iface, w in self.windows.items():
            det = self.detectors[iface]
            if drain and w.cur is not None:
                idx = w.cur.index
                w.advance((idx + 1) * self.cfg.bucket_s + 1e-9)  # decide the last bucket
                for i in range(2, self.cfg.window_buckets + 2):
                    if det.open is not None or det.over_run == 0:
                        break
                    w.advance((idx + i) * self.cfg.bucket_s + 1e-9)
                if det.open is not None:
                    self.last_ts = max(self.last_ts, (w.cur.index + 1) * self.cfg.bucket_s)
            w.flush()
            now = self.last_ts or time.time()
            for ev in det.finish(now, reason):
                self._emit(ev)

    # -- offline -----------------------------------------------------------------------
    def run_pcap(self, path: str | Path) -> int:
        """Feed a pcap/pcapng file through the detectors; returns frames analysed.

        On a damaged file the :class:`InputError` propagates *after* the events found so far
        were emitted and open events were ended (reason ``end-of-capture``).
        """
        from stormguard.sniffer.pcapfile import read_frames

        n = 0
        try:
            for ts, iface, data, wire in read_frames(path):
                w = self.windows.get(iface) or self._ensure_iface(iface)
                self.last_ts = ts
                if is_group_address(data):  # the live BPF filter, in software
                    w.add(data, 0, len(data), wire, -1, ts)
                    n += 1
        finally:
            self.finish("end-of-capture", drain=True)
        return n

    # -- live --------------------------------------------------------------------------
    def open_live(self, ifaces: list[str]) -> None:
        from stormguard.sniffer.capture import CaptureSocket

        try:
            for iface in ifaces:
                if iface in self.captures:
                    continue
                cap = CaptureSocket(iface, mode=self.cfg.capture_mode, ring_mb=self.cfg.ring_mb)
                self.captures[iface] = cap
                self._rx_last[iface] = cap.rx_at_open
                self._ensure_iface(iface, cap.speed_mbps)
        except BaseException:
            self.close()
            raise

    def run_live(self, duration: float | None = None) -> None:
        """Capture until :meth:`stop` or ``duration`` seconds; ends open events on exit."""
        poller = select.poll()
        caps = list(self.captures.items())
        for _, cap in caps:
            poller.register(cap.fileno(), select.POLLIN | select.POLLERR)
        handlers = [(cap, self.windows[iface].add) for iface, cap in caps]
        windows = list(self.windows.values())
        end = time.monotonic() + duration if duration is not None else None
        now = time.time()
        for w in windows:
            w.advance(now)
        try:
            while not self._stop.is_set():
                if end is not None and time.monotonic() >= end:
                    break
                poller.poll(20)
                for cap, add in handlers:
                    cap.read(add)
                now = time.time()
                self.last_ts = now
                for w in windows:
                    w.advance(now - LIVE_GRACE_S)
        finally:
            self.last_ts = time.time()
            self.finish("stopped")

    def start(self, duration: float | None = None) -> threading.Thread:
        """Run :meth:`run_live` in a background thread (for the daemon and tests)."""
        self._stop.clear()
        t = threading.Thread(target=self.run_live, args=(duration,), name="stormguard-sniffer",
                             daemon=True)
        t.start()
        self._thread = t
        return t

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def coverage(self) -> dict[str, dict[str, int | float | None]]:
        """Per-interface capture totals since open: read, kernel, dropped, ratio."""
        out: dict[str, dict[str, int | float | None]] = {}
        for iface, cap in self.captures.items():
            st = cap.stats
            acc = st.read + st.dropped
            out[iface] = {"read": st.read, "kernel": st.kernel, "dropped": st.dropped,
                          "ratio": (st.read / acc) if acc else 1.0}
        return out

    def close(self) -> None:
        for cap in self.captures.values():
            cap.close()
        self.captures.clear()
