"""Counting frames into 100 ms buckets per interface (the hot path's only state).

A :class:`Bucket` holds what one interface saw in one bucket: frames and bytes read, per class,
per VLAN, per (source MAC, VLAN), per frame hash, and a few sample frames. The detector makes
its decisions over the last second of buckets (sliding by one bucket), so a storm is judged on
a 1 s rate like switch storm-control but noticed within a few hundred milliseconds.

Memory stays bounded whatever arrives: the source and hash tables of a bucket stop taking new
keys at a cap (a flood of random source MACs is counted, not remembered), and only the last
second of buckets is kept by the detector.

:meth:`IfaceWindow.add` takes the timestamp of each frame, so live capture (kernel timestamps)
and pcap files (recorded timestamps) go through exactly the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from hashlib import blake2b

from stormguard.sniffer.frames import N_CLASSES, classify


class Bucket:
    __slots__ = ("bytes", "classes", "dropped", "evidence_frames", "frames", "hashes",
                 "iface_rx", "index", "kernel", "kernel_known", "overflow", "samples", "sources",
                 "vlans")

    def __init__(self, index: int) -> None:
        self.index = index  # bucket number: int(timestamp / bucket_s)
        self.frames = 0  # read by us
        self.bytes = 0  # wire bytes of frames read
        self.kernel = 0  # frames the kernel counted for the socket (PACKET_STATISTICS), live only
        self.dropped = 0  # of which dropped before we could read them
        self.iface_rx: int | None = None  # sysfs rx_packets delta, live only
        self.kernel_known = False  # live capture: ``kernel`` is meaningful
        self.classes = [0] * N_CLASSES
        self.vlans: dict[int, int] = {}
        self.sources: dict[tuple[bytes, int], int] = {}
        self.hashes: dict[bytes, int] = {}
        self.overflow = 0  # frames whose source/hash did not fit the caps
        self.samples: list[tuple[float, bytes, int]] = []  # (ts, frame, vlan)
        self.evidence_frames: list[tuple[float, bytes, int]] = []

    @property
    def seen(self) -> int:
        """Frames that arrived during this bucket, as well as we know.

        Live, that is the kernel's count for the socket (read + still in the ring + dropped),
        polled as the bucket closes: it follows the wire even while Python lags behind the
        ring or the ring overflows. Offline (no kernel counter) it is the frames read.
        (Never ``max(read, kernel)`` per bucket: frames read late belong to an earlier
        kernel poll, and mixing the two per bucket would count them twice.)
        """
        return self.kernel if self.kernel_known else self.frames


BucketHandler = Callable[[str, Bucket], None]


class IfaceWindow:
    """Accumulates one interface's frames into buckets and hands each closed bucket on."""

    def __init__(self, iface: str, on_bucket: BucketHandler, bucket_s: float = 0.1,
                 max_sources: int = 4096, max_hashes: int = 16384,
                 samples_per_bucket: int = 8, max_gap_buckets: int = 64) -> None:
        self.iface = iface
        self.bucket_s = bucket_s
        self._per_s = 1.0 / bucket_s
        self.on_bucket = on_bucket
        self.max_sources = max_sources
        self.max_hashes = max_hashes
        self.samples_per_bucket = samples_per_bucket
        self.max_gap_buckets = max_gap_buckets
        self.cur: Bucket | None = None
        #: frames still to copy as event evidence (set by the engine while an event is young)
        self.keep_evidence = 0

    def add(self, buf: memoryview | bytes, off: int, caplen: int, wirelen: int, vlan: int,
            ts: float) -> None:
        """Count one frame (hot path: keep it lean)."""
        b = int(ts * self._per_s)
        bk = self.cur
        if bk is None or b > bk.index:
            self._roll(b)
            bk = self.cur
            assert bk is not None
        # A late frame (b < current bucket) is counted in the current bucket.
        src, vlan, cls = classify(buf, off, caplen, vlan)
        bk.frames += 1
        bk.bytes += wirelen
        bk.classes[cls] += 1
        vl = bk.vlans
        vl[vlan] = vl.get(vlan, 0) + 1
        key = (src, vlan)
        sources = bk.sources
        c = sources.get(key)
        if c is not None:
            sources[key] = c + 1
        elif len(sources) < self.max_sources:
            sources[key] = 1
        else:
            bk.overflow += 1
        h = blake2b(buf[off:off + caplen], digest_size=8).digest()
        hashes = bk.hashes
        c = hashes.get(h)
        if c is not None:
            hashes[h] = c + 1
        elif len(hashes) < self.max_hashes:
            hashes[h] = 1
        if self.keep_evidence:
            self.keep_evidence -= 1
            bk.evidence_frames.append((ts, bytes(buf[off:off + caplen]), vlan))
        elif len(bk.samples) < self.samples_per_bucket:
            bk.samples.append((ts, bytes(buf[off:off + caplen]), vlan))

    def _roll(self, new_index: int) -> None:
        """Close the current bucket and any empty ones up to ``new_index``."""
        bk = self.cur
        if bk is not None:
            self.on_bucket(self.iface, bk)
            gap = new_index - bk.index - 1
            start = bk.index + 1
            if gap > self.max_gap_buckets:  # a long silence: a few empty buckets say it all
                start = new_index - self.max_gap_buckets
            for i in range(start, new_index):
                self.on_bucket(self.iface, Bucket(i))
        self.cur = Bucket(new_index)

    def advance(self, now: float) -> None:
        """Close buckets that ended before ``now`` even if no frame arrives (live idle time)."""
        b = int(now * self._per_s)
        if self.cur is None:
            self.cur = Bucket(b)
        elif b > self.cur.index:
            self._roll(b)

    def flush(self) -> None:
        """Close the current bucket (end of a pcap file or of a live run)."""
        if self.cur is not None:
            self.on_bucket(self.iface, self.cur)
            self.cur = None
