"""Deciding, bucket by bucket, whether an interface is in a broadcast storm.

Every closed 100 ms bucket triggers one decision over the trailing window (1 s by default):

* **thresholds** — the 1 s rate is *over* when it reaches the absolute ``threshold_pps``, or the
  bit rate reaches ``link_pct`` % of the link speed (when sysfs knows it), or — once the EWMA
  baseline has warmed up — ``ewma_multiplier`` times the baseline *and* at least
  ``ewma_floor_pps`` (the floor keeps a near-silent segment from alarming at 10 frames/s).
  The baseline learns only from quiet decisions, never from a storm.
* **opening** — ``open_windows`` consecutive decisions over a threshold open an event.
* **closing** (hysteresis) — ``close_windows`` consecutive decisions below ``close_ratio`` times
  the threshold that opened it end the event, so a storm hovering at the threshold does not
  flap between start and end.
* **loop evidence** — the same frame (8-byte hash) ``dup_min`` or more times within the window
  (``duplicate-frames``); one source MAC on two VLANs or interfaces within the window
  (``mac-flap``, tracked across interfaces by the shared :class:`MacTracker`); ``tcn_min`` or
  more STP topology-change BPDUs within the window (``tcn-burst``).

Live, rates use what the kernel counted for the socket (``PACKET_STATISTICS``: read, still in
the ring, or dropped), so a storm Python cannot keep up with is still measured right; the
classes, VLANs and sources come from the frames actually read.
Pure logic: no sockets, no clock; the timestamps come from the buckets.
"""

from __future__ import annotations

import heapq
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from stormguard.sniffer.config import SnifferConfig
from stormguard.sniffer.events import (
    DUPLICATE_FRAMES,
    END,
    MAC_FLAP,
    START,
    TCN_BURST,
    UPDATE,
    StormEvent,
)
from stormguard.sniffer.frames import CLASS_NAMES, STP_TC, mac_str
from stormguard.sniffer.window import Bucket

EvidenceWriter = Callable[[str, str, list[tuple[float, bytes, int]]], str | None]


class MacTracker:
    """Where each source MAC was seen (interface, VLAN) in the recent buckets."""

    def __init__(self, window_buckets: int = 10, max_macs: int = 65536) -> None:
        self.window_buckets = window_buckets
        self.max_macs = max_macs
        self._where: dict[bytes, dict[tuple[str, int], int]] = {}
        self._flaps: dict[bytes, int] = {}  # mac -> last bucket index it flapped
        self._last_prune = 0

    def observe(self, iface: str, bucket: Bucket) -> None:
        idx = bucket.index
        oldest = idx - self.window_buckets
        where = self._where
        for (src, vlan) in bucket.sources:
            if not src:
                continue
            locs = where.get(src)
            if locs is None:
                if len(where) >= self.max_macs:
                    continue
                where[src] = {(iface, vlan): idx}
                continue
            locs[(iface, vlan)] = idx
            if len(locs) > 1:
                for k in [k for k, v in locs.items() if v <= oldest]:
                    del locs[k]
                if len(locs) > 1:
                    self._flaps[src] = idx
        if idx - self._last_prune >= self.window_buckets:
            self._prune(oldest)
            self._last_prune = idx

    def _prune(self, oldest: int) -> None:
        for mac in [m for m, locs in self._where.items() if max(locs.values()) <= oldest]:
            del self._where[mac]
        for mac in [m for m, last in self._flaps.items() if last <= oldest]:
            del self._flaps[mac]

    def flapping(self, iface: str, now_index: int) -> list[dict[str, object]]:
        """MACs that flapped within the window and were seen on ``iface``."""
        out = []
        for mac, last in self._flaps.items():
            if now_index - last >= self.window_buckets:
                continue
            locs = self._where.get(mac, {})
            if any(i == iface for i, _ in locs):
                out.append({"mac": mac_str(mac),
                            "seen_on": sorted(f"{i}/vlan{v}" if v >= 0 else i
                                              for i, v in locs)})
        return out


@dataclass
class _Open:
    """Running totals of one open storm."""

    id: str
    started_at: float
    trigger: str
    close_pps: float | None
    close_bps: float | None
    peak_pps: float = 0.0
    seen: int = 0
    read: int = 0
    dropped: int = 0
    kernel: int = 0
    iface_rx: int | None = None
    classes: list[int] = field(default_factory=lambda: [0] * len(CLASS_NAMES))
    vlans: dict[int, int] = field(default_factory=dict)
    sources: dict[tuple[bytes, int], int] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)
    detail: dict[str, object] = field(default_factory=dict)
    frames_kept: list[tuple[float, bytes, int]] = field(default_factory=list)
    pcap: str | None = None
    pcap_done: bool = False
    last_update: float = 0.0
    below: int = 0


class Detector:
    """The storm state machine of one interface."""

    def __init__(self, config: SnifferConfig, iface: str, tracker: MacTracker | None = None,
                 speed_mbps: int | None = None,
                 evidence_writer: EvidenceWriter | None = None) -> None:
        self.cfg = config
        self.iface = iface
        self.tracker = tracker
        self.speed_mbps = speed_mbps
        self.evidence_writer = evidence_writer
        #: frames to keep per event; none when there is nowhere to write them
        self.evidence_frames = config.evidence_frames if evidence_writer is not None else 0
        self.window: deque[Bucket] = deque(maxlen=config.window_buckets)
        self.baseline: float | None = None
        self.baseline_n = 0
        self.over_run = 0  # consecutive decisions over a threshold
        self._pending: deque[float] = deque()  # bucket rates waiting to be learned
        self.open: _Open | None = None
        self.last_pps = 0.0
        self.evidence_wanted = 0  # frames the engine should copy into buckets for evidence

    # -- decisions ---------------------------------------------------------------------
    def on_bucket(self, bucket: Bucket) -> list[StormEvent]:
        cfg = self.cfg
        if self.tracker is not None:
            self.tracker.observe(self.iface, bucket)
        self.window.append(bucket)
        now = (bucket.index + 1) * cfg.bucket_s
        seen = sum(b.seen for b in self.window)
        pps = seen / cfg.window_s
        read = sum(b.frames for b in self.window)
        # Bytes were measured on frames read; scale them to what arrived.
        bps = sum(b.bytes for b in self.window) * 8 / cfg.window_s
        if read and seen > read:
            bps *= seen / read
        self.last_pps = pps
        events: list[StormEvent] = []
        ev = self.open
        if ev is None:
            trip = self._over(pps, bps)
            if trip is None:
                self.over_run = 0
                self._learn(bucket.seen / cfg.bucket_s)
                self.evidence_wanted = 0
            else:
                self.over_run += 1
                self._pending.clear()  # a suspicious second is never learned
                # Start copying frames as soon as a storm looks likely, not only once it opens.
                self.evidence_wanted = self.evidence_frames
                if self.over_run >= cfg.open_windows:
                    events.append(self._start(now, pps, bps, trip))
            return events
        self._accumulate(ev, bucket)
        ev.peak_pps = max(ev.peak_pps, pps)
        self._loop_evidence(ev, bucket.index)
        if ev.close_pps is not None:
            below = pps < ev.close_pps
        else:
            below = bps < (ev.close_bps or 0.0)
        ev.below = ev.below + 1 if below else 0
        self._maybe_write_evidence(ev, final=False)
        if ev.below >= cfg.close_windows:
            events.append(self._end(now, pps, "below-threshold"))
        elif not ev.below and now - ev.last_update >= cfg.update_interval_s:
            ev.last_update = now
            events.append(self._event(UPDATE, now, pps))
        return events

    def _over(self, pps: float, bps: float) -> tuple[str, float | None, float | None] | None:
        """Which threshold the window is over: (description, close pps, close bps) or None."""
        cfg = self.cfg
        if pps >= cfg.threshold_pps:
            return (f"pps {pps:.0f} >= {cfg.threshold_pps:.0f}",
                    cfg.threshold_pps * cfg.close_ratio, None)
        if self.speed_mbps and cfg.link_pct:
            limit = self.speed_mbps * 1e6 * cfg.link_pct / 100.0
            if bps >= limit:
                return (f"{bps / 1e6:.1f} Mbit/s >= {cfg.link_pct:g}% of "
                        f"{self.speed_mbps} Mbit/s", None, limit * cfg.close_ratio)
        if self.baseline is not None and self.baseline_n >= cfg.ewma_warmup:
            limit = max(cfg.ewma_floor_pps, self.baseline * cfg.ewma_multiplier)
            if pps >= limit:
                return (f"pps {pps:.0f} >= {cfg.ewma_multiplier:g} x baseline "
                        f"{self.baseline:.0f} (floor {cfg.ewma_floor_pps:.0f})",
                        limit * cfg.close_ratio, None)
        return None

    def _learn(self, bucket_pps: float) -> None:
        """Feed the baseline with bucket rates one window late.

        The delay matters: a surge ramps the sliding 1 s rate up over several decisions, and
        learning from those would let the baseline chase the storm before it is recognised.
        Buckets that are still in the delay line when a decision goes over are dropped.
        """
        self._pending.append(bucket_pps)
        if len(self._pending) <= self.cfg.window_buckets:
            return
        rate = self._pending.popleft()
        a = self.cfg.ewma_alpha
        self.baseline = rate if self.baseline is None else a * rate + (1 - a) * self.baseline
        self.baseline_n += 1

    def _start(self, now: float, pps: float, bps: float,
               trip: tuple[str, float | None, float | None]) -> StormEvent:
        # The storm began where the buckets' own rates last rose above the closing level.
        close_pps, close_bps = trip[1], trip[2]
        bs = self.cfg.bucket_s
        streak: list[Bucket] = []
        for b in reversed(self.window):
            hot = (b.seen / bs >= close_pps) if close_pps is not None else \
                (b.bytes * 8 / bs >= (close_bps or 0.0))
            if not hot and streak:
                break
            streak.append(b)
        streak.reverse()
        started = streak[0].index * bs
        ev = _Open(id=f"{self.iface}-{int(started * 1000)}-{secrets.token_hex(3)}",
                   started_at=started, trigger=trip[0], close_pps=trip[1], close_bps=trip[2],
                   last_update=now)
        self.open = ev
        for b in streak:
            self._accumulate(ev, b)
        # Frames from just before the trigger count as evidence too (samples of each bucket).
        pre = [s for b in self.window for s in b.samples]
        ev.frames_kept = (pre + ev.frames_kept)[:self.evidence_frames]
        ev.peak_pps = pps
        self._loop_evidence(ev, streak[-1].index)
        self.over_run = 0
        return self._event(START, now, pps)

    def _end(self, now: float, pps: float, reason: str) -> StormEvent:
        ev = self.open
        assert ev is not None
        self._maybe_write_evidence(ev, final=True)
        out = self._event(END, now, pps)
        out.ended_at = now
        out.reason = reason
        self.open = None
        self.evidence_wanted = 0
        self.window.clear()  # the storm's tail must not re-open it
        return out

    def suspend(self) -> None:
        """Watching stopped (link down, interface gone): forget the partial window, so the
        gap is neither learned as silence nor mixed with what is seen afterwards. An open
        storm stays open: whether it is over is decided on what is seen once watching
        resumes (a storm-control shutdown and its recovery are one incident, not two)."""
        self.window.clear()
        self.over_run = 0
        self._pending.clear()

    def finish(self, now: float, reason: str = "stopped") -> list[StormEvent]:
        """End an open event when capture stops (end of file, shutdown)."""
        if self.open is None:
            return []
        return [self._end(now, self.last_pps, reason)]

    # -- accounting --------------------------------------------------------------------
    def _accumulate(self, ev: _Open, b: Bucket) -> None:
        ev.seen += b.seen
        ev.read += b.frames
        ev.dropped += b.dropped
        ev.kernel += b.kernel
        if b.iface_rx is not None:
            ev.iface_rx = (ev.iface_rx or 0) + b.iface_rx
        for i, c in enumerate(b.classes):
            ev.classes[i] += c
        for v, c in b.vlans.items():
            ev.vlans[v] = ev.vlans.get(v, 0) + c
        src = ev.sources
        for k, c in b.sources.items():
            if k in src or len(src) < 4096:
                src[k] = src.get(k, 0) + c
        if b.evidence_frames and len(ev.frames_kept) < self.evidence_frames:
            room = self.evidence_frames - len(ev.frames_kept)
            ev.frames_kept.extend(b.evidence_frames[:room])
        if len(ev.frames_kept) >= self.evidence_frames:
            self.evidence_wanted = 0
        else:
            self.evidence_wanted = self.evidence_frames - len(ev.frames_kept)

    def _loop_evidence(self, ev: _Open, now_index: int) -> None:
        cfg = self.cfg
        # duplicate-frames: the biggest hashes of each bucket, summed over the window.
        cands: set[bytes] = set()
        for b in self.window:
            cands.update(h for h, _ in heapq.nlargest(3, b.hashes.items(), key=lambda kv: kv[1]))
        best = 0
        for h in cands:
            best = max(best, sum(b.hashes.get(h, 0) for b in self.window))
        if best >= cfg.dup_min:
            self._add_evidence(ev, DUPLICATE_FRAMES)
            old = ev.detail.get(DUPLICATE_FRAMES, {})
            prev = old.get("max_copies_per_window", 0) if isinstance(old, dict) else 0
            ev.detail[DUPLICATE_FRAMES] = {"max_copies_per_window": max(best, prev)}
        if self.tracker is not None:
            flaps = self.tracker.flapping(self.iface, now_index)
            if flaps:
                self._add_evidence(ev, MAC_FLAP)
                ev.detail[MAC_FLAP] = flaps[:10]
        tcn = sum(b.classes[STP_TC] for b in self.window)
        if tcn >= cfg.tcn_min:
            self._add_evidence(ev, TCN_BURST)
            old = ev.detail.get(TCN_BURST, {})
            prev = old.get("max_per_window", 0) if isinstance(old, dict) else 0
            ev.detail[TCN_BURST] = {"max_per_window": max(tcn, prev)}

    @staticmethod
    def _add_evidence(ev: _Open, name: str) -> None:
        if name not in ev.evidence:
            ev.evidence.append(name)

    def _maybe_write_evidence(self, ev: _Open, final: bool) -> None:
        if ev.pcap_done or self.evidence_writer is None or not self.evidence_frames:
            return
        if final or len(ev.frames_kept) >= self.evidence_frames:
            ev.pcap_done = True
            if ev.frames_kept:
                ev.frames_kept.sort(key=lambda rec: rec[0])
                ev.pcap = self.evidence_writer(ev.id, self.iface, ev.frames_kept)
            ev.frames_kept = []

    def _event(self, kind: str, now: float, pps: float) -> StormEvent:
        ev = self.open
        assert ev is not None
        top = heapq.nlargest(self.cfg.top_sources, ev.sources.items(), key=lambda kv: kv[1])
        ratio = ev.read / (ev.read + ev.dropped) if (ev.read + ev.dropped) else 1.0
        coverage: dict[str, object] = {"read": ev.read, "dropped": ev.dropped,
                                       "ratio": round(ratio, 4)}
        if ev.kernel:
            coverage["kernel"] = ev.kernel
        if ev.iface_rx is not None:
            coverage["iface_rx"] = ev.iface_rx
        return StormEvent(
            event=kind, id=ev.id, iface=self.iface, ts=now, started_at=ev.started_at,
            pps=pps, peak_pps=ev.peak_pps, frames=ev.seen,
            vlans=[{"vlan": (v if v >= 0 else None), "frames": c}
                   for v, c in sorted(ev.vlans.items(), key=lambda kv: -kv[1])[:64]],
            classes={CLASS_NAMES[i]: c for i, c in enumerate(ev.classes) if c},
            top_sources=[{"mac": mac_str(m), "vlan": (v if v >= 0 else None), "frames": c}
                         for (m, v), c in top],
            evidence=list(ev.evidence), evidence_detail=dict(ev.detail),
            coverage=coverage, trigger=ev.trigger, pcap=ev.pcap,
        )
