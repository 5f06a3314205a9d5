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

Interfaces come and go under a live sniffer (storm-control ``shutdown``, err-disable recovery,
a re-plugged cable, a VM interface created after boot, a NIC deleted and re-created with the
same name). Each interface has its own capture and a state (:class:`IfaceStatus`):
``watching``, ``link-down``, ``missing`` or ``error``. A link notification from the kernel
(rtnetlink, :mod:`~stormguard.sniffer.link`), a ``POLLERR`` / ``ENETDOWN`` on the socket, or a
check once a second moves an interface out of ``watching``: its partial bucket is decided, the
socket closed, and an open storm stays open (suspended) until what is seen after the link
returns decides it. Missing, down and failed interfaces are looked at again with backoff
(0.5 s doubling to ``retry_max_s``) and at once on a link notification; once the link is up a
new socket is opened (the new ifindex). Every state change is one log line and calls
``on_state``; one interface's trouble never stops the others.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stormguard.sniffer.capture import CaptureStats
from stormguard.sniffer.config import SnifferConfig
from stormguard.sniffer.detector import Detector, MacTracker
from stormguard.sniffer.events import StormEvent
from stormguard.sniffer.evidence import EvidenceStore
from stormguard.sniffer.frames import is_group_address
from stormguard.sniffer.window import Bucket, IfaceWindow

if TYPE_CHECKING:
    from stormguard.sniffer.capture import CaptureSocket
    from stormguard.sniffer.link import LinkMonitor, NetnsRef

log = logging.getLogger("stormguard.sniffer")

EventSink = Callable[[StormEvent], None]
LIVE_GRACE_S = 0.03  # ring blocks are handed over after <= 10 ms; wait a bit longer
LINK_CHECK_S = 1.0  # every interface is compared with the kernel's view this often
#: ... and one with an open storm this often: a storm that goes quiet because the link went
#: down must be paused, not ended as "below-threshold" before the notification arrives
STORM_CHECK_S = 0.1
MAX_POLLERR = 20  # error wake-ups of one socket within a second before it is re-opened
RETRY_MIN_S = 0.5

STARTING, WATCHING, LINK_DOWN, MISSING_STATE, ERROR = (
    "starting", "watching", "link-down", "missing", "error")
#: the states an interface can be in, in the order status and metrics list them
STATES = (WATCHING, LINK_DOWN, MISSING_STATE, ERROR)


def _kv(**fields: Any) -> dict[str, Any]:
    return {"fields": fields}


@dataclass
class IfaceStatus:
    """Where the sniffer stands on one interface."""

    iface: str
    state: str = STARTING
    since: float = 0.0  # epoch seconds of the last state change
    detail: str = ""  # why not watching: "no carrier", "no such network interface" ...
    ifindex: int | None = None
    retries: int = 0
    next_try: float = 0.0  # monotonic time of the next look while not watching
    changes: int = 0
    down_since: float | None = None  # epoch seconds watching stopped (None while watching)
    error: BaseException | None = None

    def __post_init__(self) -> None:
        self.since = self.since or time.time()
        self.down_since = self.down_since or self.since

    def to_dict(self) -> dict[str, Any]:
        return {"iface": self.iface, "state": self.state, "since": self.since,
                "detail": self.detail, "ifindex": self.ifindex, "changes": self.changes,
                "down_since": self.down_since}


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
        self.errors = 0  # unexpected failures on an interface (each one logged)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_ts = 0.0
        self.status: dict[str, IfaceStatus] = {}
        #: called as on_state(status, previous_state) on every state change
        self.on_state: Callable[[IfaceStatus, str], None] | None = None
        self._totals: dict[str, CaptureStats] = {}  # counters of closed captures
        self._netns: NetnsRef | None = None
        self._monitor: LinkMonitor | None = None
        self._wake: tuple[int, int] | None = None
        self._running = False
        self._sink_logged = 0.0

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
            try:
                packets, drops = cap.poll_stats()
            except OSError:
                packets = drops = 0
            else:
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
            now = time.monotonic()
            if now - self._sink_logged >= 60.0 or self.sink_errors == 1:
                self._sink_logged = now
                log.error("storm event %s %s on %s not handed over: %s: %s", ev.event, ev.id,
                          ev.iface, type(exc).__name__, exc,
                          extra=_kv(iface=ev.iface, storm=ev.id, event=ev.event,
                                    error=type(exc).__name__, sink_errors=self.sink_errors))

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
    def open_live(self, ifaces: list[str], wait: bool = False) -> None:
        """Open a capture per interface, in the calling thread's network namespace.

        ``wait=False``: an interface that cannot be opened (missing, no CAP_NET_RAW) raises
        and nothing stays open. ``wait=True`` (the daemon): nothing raises; each interface
        gets its state (see :class:`IfaceStatus`) and :meth:`run_live` keeps trying the
        ones that are missing, down or in error, and re-opens those that go away.
        """
        from stormguard.sniffer.link import LinkMonitor, NetnsRef

        if self._netns is None:
            self._netns = NetnsRef()
            self._monitor = LinkMonitor()
        for iface in ifaces:
            if iface not in self.status:
                self.status[iface] = IfaceStatus(iface)
        try:
            for iface in ifaces:
                if iface in self.captures:
                    continue
                self._try_open(iface, raise_errors=not wait)
        except BaseException:
            self.close()
            raise

    def _set_state(self, iface: str, state: str, detail: str = "",
                   ifindex: int | None = None) -> None:
        st = self.status[iface]
        st.detail = detail
        if ifindex is not None:
            st.ifindex = ifindex
        if state == st.state:
            return
        old, was = st.state, st.since
        st.state = state
        st.since = time.time()
        st.changes += 1
        if state == WATCHING:
            st.retries = 0
            st.error = None
            st.down_since = None
        else:  # not watching since the first of a run of non-watching states
            st.down_since = st.down_since or st.since
        took = f" after {st.since - was:.1f} s {old}" if old != STARTING else ""
        if state == WATCHING:
            log.info("sniffer watching %s%s", iface, took,
                     extra=_kv(iface=iface, state=state, previous=old, ifindex=st.ifindex))
        else:
            log.warning("sniffer not watching %s: %s (%s)", iface, state, detail,
                        extra=_kv(iface=iface, state=state, previous=old, detail=detail))
        if self.on_state is not None:
            try:
                self.on_state(st, old)
            except Exception as exc:  # a hook's trouble must not stop the capture
                log.error("sniffer state hook failed: %s: %s", type(exc).__name__, exc)

    def _backoff(self, iface: str) -> None:
        st = self.status[iface]
        st.retries += 1
        delay = min(self.cfg.retry_max_s, RETRY_MIN_S * 2 ** min(st.retries - 1, 16))
        st.next_try = time.monotonic() + delay

    def _try_open(self, iface: str, raise_errors: bool = False) -> bool:
        """Open ``iface`` if it exists; otherwise record why not. True when a socket is open.

        The socket is opened even while the link is down: bound to the interface's index it
        stays valid across down/up (the kernel re-hooks it) and sees the first frames the
        moment carrier returns, before the link notification arrives.
        """
        from stormguard.errors import InputError, PermissionProblem
        from stormguard.sniffer.capture import CaptureSocket
        from stormguard.sniffer.link import MISSING, UP

        assert self._monitor is not None and self._netns is not None
        info = self._monitor.query(iface)
        if info.state == MISSING:
            if raise_errors:
                raise InputError(f"{iface}: no such network interface")
            self._set_state(iface, MISSING_STATE, info.detail)
            self._backoff(iface)
            return False
        try:
            with self._netns.entered():
                cap = CaptureSocket(iface, mode=self.cfg.capture_mode, ring_mb=self.cfg.ring_mb)
        except (InputError, PermissionProblem, OSError) as exc:
            if raise_errors:
                raise
            self.status[iface].error = exc
            missing = isinstance(exc, InputError) and "no such network interface" in str(exc)
            self._set_state(iface, MISSING_STATE if missing else ERROR, str(exc))
            self._backoff(iface)
            return False
        cap.clear_error()  # bound while down: ENETDOWN is pending
        self.captures[iface] = cap
        self._rx_last[iface] = cap.rx_at_open
        self._ensure_iface(iface, cap.speed_mbps)
        self.detectors[iface].speed_mbps = cap.speed_mbps
        if info.state == UP:
            self._resume(iface, cap.ifindex)
        else:
            self._set_state(iface, LINK_DOWN, info.detail, cap.ifindex)
        return True

    def _resume(self, iface: str, ifindex: int | None = None, detail: str = "") -> None:
        w = self.windows[iface]
        if self._running and w.cur is None:
            w.advance(time.time())
        self._set_state(iface, WATCHING, detail, ifindex)

    def _pause(self, iface: str) -> None:
        """Stop deciding on ``iface``: read what is left, decide the partial bucket."""
        cap = self.captures.get(iface)
        w = self.windows.get(iface)
        if w is None:
            return
        if cap is not None:
            with contextlib.suppress(Exception):
                cap.read(w.add)
        try:
            w.flush()
        finally:
            self.detectors[iface].suspend()

    def _suspend(self, iface: str) -> None:
        """Stop watching ``iface`` and close its socket (gone, re-created, or failed)."""
        cap = self.captures.get(iface)
        if cap is None:
            return
        try:
            self._pause(iface)
        finally:
            self.captures.pop(iface, None)
            tot = self._totals.setdefault(iface, CaptureStats())
            tot.read += cap.stats.read
            tot.kernel += cap.stats.kernel
            tot.dropped += cap.stats.dropped
            cap.close()

    def _check(self, iface: str) -> None:
        """Compare ``iface`` with what the kernel says now and act on the difference.

        Same interface (ifindex) as the open socket: only the state changes (link-down
        pauses the decisions, up resumes them). Deleted or re-created: the socket is closed,
        and a new one opened on the new interface. An interface whose last open failed
        (state ``error``) is tried again only when its backoff is due.
        """
        from stormguard.sniffer.link import MISSING, UP

        assert self._monitor is not None
        st = self.status[iface]
        cap = self.captures.get(iface)
        info = self._monitor.query(iface)
        if cap is not None:
            cap.clear_error()
            if info.state != MISSING and (cap.ifindex is None or info.ifindex == cap.ifindex):
                if info.state == UP and st.state != WATCHING:
                    self._resume(iface, info.ifindex)
                elif info.state != UP and st.state == WATCHING:
                    self._pause(iface)
                    self._set_state(iface, LINK_DOWN, info.detail, info.ifindex)
                return
            self._suspend(iface)
            if info.state == MISSING:
                self._set_state(iface, MISSING_STATE, info.detail)
                self._backoff(iface)
                return
            log.info("sniffer: %s was re-created (ifindex %s -> %s)", iface, cap.ifindex,
                     info.ifindex, extra=_kv(iface=iface, ifindex=info.ifindex))
            self._try_open(iface)
            return
        due = time.monotonic() >= st.next_try
        if st.state == ERROR and not due:
            return
        if info.state != MISSING:
            self._try_open(iface)
            return
        changed = st.state != MISSING_STATE
        self._set_state(iface, MISSING_STATE, info.detail)
        if due or changed:
            self._backoff(iface)

    def _fail(self, iface: str, exc: BaseException) -> None:
        """Something unexpected while reading or deciding on ``iface``: say so, close it,
        retry with backoff; the other interfaces carry on."""
        self.errors += 1
        log.error("sniffer on %s failed: %s: %s", iface, type(exc).__name__, exc,
                  extra=_kv(iface=iface, error=type(exc).__name__))
        with contextlib.suppress(Exception):
            self._suspend(iface)
        self.status[iface].error = exc
        self._set_state(iface, ERROR, f"{type(exc).__name__}: {exc}")
        self._backoff(iface)

    def run_live(self, duration: float | None = None) -> None:
        """Capture until :meth:`stop` or ``duration`` seconds; ends open events on exit.

        One ``poll()`` over the open capture sockets, the link monitor and a wake-up pipe.
        While something is watched the loop turns every 20 ms (buckets close on time); while
        nothing is, it sleeps until a link notification or the next retry, so a sniffer whose
        links are all down costs no CPU.
        """
        if self._monitor is None:
            self.open_live([], wait=True)
        assert self._monitor is not None
        poller = select.poll()
        mon_fd = self._monitor.fileno()
        if mon_fd is not None:
            poller.register(mon_fd, select.POLLIN)
        wake_r = self._wake_pipe()
        poller.register(wake_r, select.POLLIN)
        registered: dict[int, str] = {}
        end = time.monotonic() + duration if duration is not None else None
        self._running = True
        now = time.time()
        for iface in list(self.captures):
            if self.status[iface].state == WATCHING:
                self.windows[iface].advance(now)
        next_check = time.monotonic() + LINK_CHECK_S
        next_storm_check = 0.0
        pollerr: dict[str, int] = {}  # POLLERR wake-ups per interface in the current second
        try:
            while not self._stop.is_set():
                mono = time.monotonic()
                if end is not None and mono >= end:
                    break
                want = {cap.fileno(): iface for iface, cap in self.captures.items()}
                if want != registered:
                    for fd in registered:
                        if fd not in want or want[fd] != registered[fd]:
                            with contextlib.suppress(KeyError, ValueError):
                                poller.unregister(fd)
                    for fd in want:
                        if fd not in registered or want[fd] != registered[fd]:
                            poller.register(fd, select.POLLIN | select.POLLERR)
                    registered = want
                if any(self.status[i].state == WATCHING for i in self.captures):
                    timeout = 0.02  # buckets close on time
                else:  # nothing to decide on: sleep until a frame, a link change or a retry
                    due = [s.next_try for i, s in self.status.items() if i not in self.captures]
                    timeout = min([mono + self.cfg.retry_max_s, *due]) - mono
                if end is not None:
                    timeout = min(timeout, end - mono)
                ready = poller.poll(max(0, int(timeout * 1000) + 1))
                link_event = False
                suspect: set[str] = set()
                for fd, ev in ready:
                    if fd == mon_fd:
                        self._monitor.drain()
                        link_event = True
                    elif fd == wake_r:
                        with contextlib.suppress(OSError):
                            os.read(wake_r, 64)
                    elif ev & (select.POLLERR | select.POLLHUP | select.POLLNVAL):
                        name = registered.get(fd)
                        if name is not None:
                            suspect.add(name)
                            errs = pollerr.get(name, 0) + 1
                            pollerr[name] = errs
                            if errs > MAX_POLLERR:  # not cleared by reading the error: never
                                pollerr.pop(name, None)  # spin on it, start over instead
                                self._fail(name, OSError(
                                    f"capture socket keeps reporting an error ({ev:#x})"))
                                suspect.discard(name)
                for iface, cap in list(self.captures.items()):
                    if iface in suspect:
                        continue
                    try:
                        n = cap.read(self.windows[iface].add)
                    except OSError:  # ENETDOWN / ENXIO: the link went away under us
                        suspect.add(iface)
                        continue
                    except Exception as exc:
                        self._fail(iface, exc)
                        continue
                    if n and self.status[iface].state == LINK_DOWN:
                        # carrier is back before the kernel's notification: frames say so
                        self._resume(iface, detail="frames arriving")
                mono = time.monotonic()
                periodic = mono >= next_check
                if periodic:
                    next_check = mono + LINK_CHECK_S
                    pollerr.clear()
                storm_check = mono >= next_storm_check
                if storm_check:
                    next_storm_check = mono + STORM_CHECK_S
                for iface, st in list(self.status.items()):
                    if (link_event or iface in suspect
                            or (periodic and iface in self.captures)
                            or (storm_check and iface in self.captures
                                and self.detectors[iface].open is not None)
                            or (iface not in self.captures and mono >= st.next_try)):
                        try:
                            self._check(iface)
                        except Exception as exc:
                            self._fail(iface, exc)
                now = time.time()
                self.last_ts = now
                for iface in list(self.captures):
                    if self.status[iface].state != WATCHING:
                        continue
                    try:
                        self.windows[iface].advance(now - LIVE_GRACE_S)
                    except Exception as exc:
                        self._fail(iface, exc)
        finally:
            self._running = False
            self.last_ts = time.time()
            self.finish("stopped")

    def _wake_pipe(self) -> int:
        if self._wake is None:
            r, w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
            self._wake = (r, w)
        return self._wake[0]

    def start(self, duration: float | None = None) -> threading.Thread:
        """Run :meth:`run_live` in a background thread (for the daemon and tests)."""
        self._stop.clear()
        t = threading.Thread(target=self.run_live, args=(duration,), name="stormguard-sniffer",
                             daemon=True)
        t.start()
        self._thread = t
        return t

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def restart(self) -> threading.Thread:
        """After the capture thread died: re-open every interface and run again."""
        for iface in list(self.captures):
            with contextlib.suppress(Exception):
                self._suspend(iface)
        for iface, st in self.status.items():
            st.next_try = 0.0
            if st.state == WATCHING:
                self._set_state(iface, ERROR, "capture thread restarted")
        return self.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._wake is not None:
            with contextlib.suppress(OSError):
                os.write(self._wake[1], b"x")
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def states(self) -> list[dict[str, Any]]:
        """Per-interface sniffer state (for status, metrics, alerts), safe from any thread."""
        return [st.to_dict() for st in list(self.status.values())]

    def coverage(self) -> dict[str, dict[str, int | float | None]]:
        """Per-interface capture totals since open: read, kernel, dropped, ratio."""
        out: dict[str, dict[str, int | float | None]] = {}
        caps = dict(self.captures)
        for iface in list(dict.fromkeys([*self._totals, *caps])):
            tot = self._totals.get(iface) or CaptureStats()
            cap = caps.get(iface)
            read = tot.read + (cap.stats.read if cap else 0)
            kernel = tot.kernel + (cap.stats.kernel if cap else 0)
            dropped = tot.dropped + (cap.stats.dropped if cap else 0)
            acc = read + dropped
            out[iface] = {"read": read, "kernel": kernel, "dropped": dropped,
                          "ratio": (read / acc) if acc else 1.0}
        return out

    def close(self) -> None:
        for iface, cap in list(self.captures.items()):
            tot = self._totals.setdefault(iface, CaptureStats())
            tot.read += cap.stats.read
            tot.kernel += cap.stats.kernel
            tot.dropped += cap.stats.dropped
            cap.close()
        self.captures.clear()
        if self._monitor is not None:
            self._monitor.close()
            self._monitor = None
        if self._netns is not None:
            self._netns.close()
            self._netns = None
        if self._wake is not None:
            for fd in self._wake:
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._wake = None
