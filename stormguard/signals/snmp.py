"""SNMP counters as a storm signal: poll IF-MIB per port, turn counters into rates, run them
through the sniffer's own detector.

Every ``interval_s`` (default 10 s) each target is asked, with GETBULK, for ``sysUpTime`` and
per port ``ifName``, ``ifHCInBroadcastPkts``, ``ifHCInMulticastPkts``, ``ifHCInUcastPkts`` and
``ifHighSpeed``. Counter deltas become rates:

* a counter that went down while ``sysUpTime`` went up wrapped (64-bit: after 2^64; the 32-bit
  fallback columns after 2^32) and the delta is taken across the wrap;
* a ``sysUpTime`` that went down means the agent restarted: the counters started again from
  zero, the sample is a new baseline and no rate is reported for it (never a negative or a
  huge false rate);
* a port that appears or disappears (a line card inserted) starts or drops its own history.

The broadcast + multicast rate of each port is fed to :class:`stormguard.sniffer.detector.
Detector` as one bucket per sample, so SNMP storms open and close with the same absolute,
percent-of-link and EWMA-baseline rules and produce the same ``storm-start / storm-update /
storm-end`` events as the sniffer (``iface`` = ``device/port``). Bit rates for the
percent-of-link rule assume minimum-size (64-byte) frames, which can only under-state them.

Credentials come by reference (community_env / community_file, v3 auth_key_env ...); they
never appear in events, logs or errors. pysnmp is imported only here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from stormguard.sniffer.config import SnifferConfig
from stormguard.sniffer.detector import Detector
from stormguard.sniffer.events import StormEvent
from stormguard.sniffer.window import Bucket

log = logging.getLogger("stormguard.snmp")

SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IF_HC_IN_UCAST = "1.3.6.1.2.1.31.1.1.1.7"
IF_HC_IN_MCAST = "1.3.6.1.2.1.31.1.1.1.8"
IF_HC_IN_BCAST = "1.3.6.1.2.1.31.1.1.1.9"
IF_HIGH_SPEED = "1.3.6.1.2.1.31.1.1.1.15"  # Mbit/s
COUNTERS = {IF_HC_IN_UCAST: "ucast", IF_HC_IN_MCAST: "mcast", IF_HC_IN_BCAST: "bcast"}
LABELS = {IF_NAME: "name", IF_HIGH_SPEED: "speed"}
COLUMNS = {**LABELS, **COUNTERS}
#: names and speeds change rarely: they are walked every this many polls (and when a port
#: appears), the counters every poll — pyasn1 decoding is most of the poller's CPU.
LABEL_REFRESH_POLLS = 30
WRAP64 = 2**64
TICKS_WRAP = 2**32  # sysUpTime is TimeTicks (hundredths), 32-bit: wraps after ~497 days
MIN_FRAME_BITS = 64 * 8


@dataclass
class SnmpTarget:
    device: str
    host: str
    port: int = 161
    version: str = "v2c"  # v2c | v3
    community: str | None = field(default=None, repr=False)
    user: str | None = None  # v3
    auth_key: str | None = field(default=None, repr=False)
    auth_protocol: str = "sha"  # md5 | sha | sha256
    priv_key: str | None = field(default=None, repr=False)
    priv_protocol: str = "aes"  # des | aes
    context: str = ""  # v3 context name (some agents select a view or instance by it)
    site: str | None = None


@dataclass
class PortSample:
    name: str
    bcast: int
    mcast: int
    ucast: int
    speed_mbps: int | None


@dataclass
class Sample:
    device: str
    ts: float
    uptime_ticks: int
    ports: dict[int, PortSample]


@dataclass
class PortRate:
    device: str
    if_index: int
    name: str
    ts: float
    interval_s: float
    bcast_pps: float
    mcast_pps: float
    ucast_pps: float
    speed_mbps: int | None

    @property
    def bum_pps(self) -> float:
        return self.bcast_pps + self.mcast_pps


def _delta(new: int, old: int, wrap: int = WRAP64) -> int:
    return new - old if new >= old else new + wrap - old


class CounterTracker:
    """Per device: the previous sample; :meth:`rates` turns the next one into per-port rates."""

    def __init__(self) -> None:
        self._last: dict[str, Sample] = {}
        self.restarts: dict[str, int] = {}

    def rates(self, s: Sample) -> list[PortRate]:
        prev = self._last.get(s.device)
        self._last[s.device] = s
        if prev is None:
            return []
        dt_ticks = _delta(s.uptime_ticks, prev.uptime_ticks, TICKS_WRAP)
        if s.uptime_ticks < prev.uptime_ticks and prev.uptime_ticks - s.uptime_ticks < \
                TICKS_WRAP // 2:
            # uptime went back: the agent restarted and its counters began again from zero
            self.restarts[s.device] = self.restarts.get(s.device, 0) + 1
            log.info("snmp: %s restarted (sysUpTime went back); new baseline", s.device)
            return []
        interval = dt_ticks / 100.0 if dt_ticks > 0 else s.ts - prev.ts
        if interval <= 0:
            return []
        out = []
        for idx, p in s.ports.items():
            q = prev.ports.get(idx)
            if q is None:
                continue
            out.append(PortRate(
                device=s.device, if_index=idx, name=p.name, ts=s.ts, interval_s=interval,
                bcast_pps=_delta(p.bcast, q.bcast) / interval,
                mcast_pps=_delta(p.mcast, q.mcast) / interval,
                ucast_pps=_delta(p.ucast, q.ucast) / interval, speed_mbps=p.speed_mbps))
        return out


def detector_config(base: SnifferConfig, interval_s: float) -> SnifferConfig:
    """The sniffer's thresholds, with one decision per SNMP sample instead of per 100 ms."""
    per_minute = max(1, round(60 / interval_s))
    return replace(
        base, bucket_ms=int(interval_s * 1000), window_s=interval_s,
        open_windows=1,  # a 10 s average over the threshold is already sustained
        close_windows=max(1, min(base.close_windows, 2)),
        ewma_alpha=min(1.0, base.ewma_alpha * interval_s / base.bucket_s),
        ewma_warmup=max(3, per_minute), update_interval_s=max(base.update_interval_s, 60.0),
        evidence_frames=0)


class RateDetectors:
    """One sniffer :class:`Detector` per (device, port), fed one bucket per sample."""

    def __init__(self, config: SnifferConfig, interval_s: float) -> None:
        self.cfg = detector_config(config, interval_s)
        self._detectors: dict[tuple[str, int], Detector] = {}

    def feed(self, r: PortRate) -> list[StormEvent]:
        key = (r.device, r.if_index)
        det = self._detectors.get(key)
        if det is None:
            det = Detector(self.cfg, f"{r.device}/{r.name}", speed_mbps=r.speed_mbps)
            self._detectors[key] = det
        frames = round(r.bum_pps * self.cfg.window_s)
        b = Bucket(int(r.ts / self.cfg.bucket_s))
        b.frames = frames
        b.bytes = frames * MIN_FRAME_BITS // 8
        return det.on_bucket(b)


# -- pysnmp ---------------------------------------------------------------------------------
def _auth(t: SnmpTarget) -> Any:
    from pysnmp.hlapi.v3arch.asyncio import CommunityData, UsmUserData
    from pysnmp.hlapi.v3arch.asyncio import auth as a

    if t.version == "v3":
        auth_proto = {"md5": a.usmHMACMD5AuthProtocol, "sha": a.usmHMACSHAAuthProtocol,
                      "sha256": a.usmHMAC192SHA256AuthProtocol}[t.auth_protocol]
        priv_proto = {"des": a.usmDESPrivProtocol, "aes": a.usmAesCfb128Protocol}[
            t.priv_protocol]
        return UsmUserData(t.user or "", authKey=t.auth_key, privKey=t.priv_key,
                           authProtocol=auth_proto if t.auth_key else a.usmNoAuthProtocol,
                           privProtocol=priv_proto if t.priv_key else a.usmNoPrivProtocol)
    return CommunityData(t.community or "public", mpModel=1)


class SnmpError(Exception):
    """One target could not be polled (timeout, auth, agent error): named, never secret."""


async def poll_once(engine: Any, t: SnmpTarget, timeout_s: float = 2.0, retries: int = 1,
                    max_repetitions: int = 25,
                    labels: dict[int, tuple[str, int | None]] | None = None) -> Sample:
    """One poll of `t`. With `labels` (ifIndex → (name, speed) from an earlier poll) only the
    counters are walked; a port missing from `labels` makes it walk the labels too."""
    from pysnmp.hlapi.v3arch.asyncio import (
        ContextData,
        ObjectIdentity,
        ObjectType,
        UdpTransportTarget,
        get_cmd,
    )

    transport = await UdpTransportTarget.create((t.host, t.port), timeout=timeout_s,
                                                retries=retries)
    auth = _auth(t)
    ctx = ContextData(contextName=t.context) if t.context else ContextData()
    ei, es, _, vbs = await get_cmd(engine, auth, transport, ctx,
                                   ObjectType(ObjectIdentity(SYS_UPTIME)))
    if ei or es:
        raise SnmpError(f"{t.device} ({t.host}:{t.port}): {ei or es.prettyPrint()}")
    uptime = int(vbs[0][1])
    rows: dict[int, dict[str, Any]] = await _walk(engine, auth, transport, ctx, t,
                                                  COUNTERS if labels else COLUMNS,
                                                  max_repetitions)
    if labels is not None:
        if set(rows) - set(labels):  # a port appeared: learn its name and speed now
            labels.update(_labels(await _walk(engine, auth, transport, ctx, t, LABELS,
                                              max_repetitions)))
        for idx, row in rows.items():
            name, speed = labels.get(idx, (f"ifIndex{idx}", None))
            row.setdefault("name", name)
            row.setdefault("speed", speed)
    ports = {idx: PortSample(name=r.get("name") or f"ifIndex{idx}", bcast=r.get("bcast", 0),
                             mcast=r.get("mcast", 0), ucast=r.get("ucast", 0),
                             speed_mbps=r.get("speed") or None)
             for idx, r in rows.items() if "bcast" in r or "mcast" in r}
    return Sample(device=t.device, ts=time.time(), uptime_ticks=uptime, ports=ports)


def _labels(rows: dict[int, dict[str, Any]]) -> dict[int, tuple[str, int | None]]:
    return {i: (r.get("name") or f"ifIndex{i}", r.get("speed") or None) for i, r in rows.items()}


async def _walk(engine: Any, auth: Any, transport: Any, ctx: Any, t: SnmpTarget,
                columns: dict[str, str], max_repetitions: int) -> dict[int, dict[str, Any]]:
    """GETBULK-walk `columns` side by side until each leaves its subtree."""
    from pysnmp.hlapi.v3arch.asyncio import ObjectIdentity, ObjectType, bulk_cmd

    rows: dict[int, dict[str, Any]] = {}
    cursors = {col: col for col in columns}
    while cursors:
        cols = list(cursors)
        ei, es, _, vbs = await bulk_cmd(
            engine, auth, transport, ctx, 0, max_repetitions,
            *[ObjectType(ObjectIdentity(cursors[c])) for c in cols])
        if ei or es:
            raise SnmpError(f"{t.device} ({t.host}:{t.port}): {ei or es.prettyPrint()}")
        done = set()
        last: dict[str, str] = {}
        for i, (oid, value) in enumerate(vbs):
            col = cols[i % len(cols)]
            o = str(oid)
            if col in done or not o.startswith(col + ".") or value.__class__.__name__ in (
                    "EndOfMibView", "NoSuchObject", "NoSuchInstance"):
                done.add(col)
                continue
            idx = int(o.rsplit(".", 1)[1])
            row = rows.setdefault(idx, {})
            field_name = columns[col]
            row[field_name] = str(value) if field_name == "name" else int(value)
            last[col] = o
        cursors = {c: last[c] for c in cols if c not in done and c in last}
    return rows


@dataclass
class PollerStats:
    polls: int = 0
    failures: int = 0
    last_error: dict[str, str] = field(default_factory=dict)
    ports: int = 0


class SnmpPoller:
    """Polls every target every `interval_s`; storm events go to `on_event(device, event)`."""

    def __init__(self, targets: list[SnmpTarget], on_event: Callable[[str, StormEvent], None],
                 *, interval_s: float = 10.0, config: SnifferConfig | None = None,
                 timeout_s: float = 2.0, retries: int = 1, concurrency: int = 64,
                 on_rates: Callable[[list[PortRate]], None] | None = None) -> None:
        self.targets = targets
        self.on_event = on_event
        self.on_rates = on_rates
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.retries = retries
        self.tracker = CounterTracker()
        self.detectors = RateDetectors(config or SnifferConfig(), interval_s)
        self.stats = PollerStats()
        self._sem = asyncio.Semaphore(concurrency)
        self._stop: asyncio.Event | None = None
        self._labels: dict[str, dict[int, tuple[str, int | None]]] = {}
        self._round = 0

    async def poll_all(self) -> None:
        from pysnmp.hlapi.v3arch.asyncio import SnmpEngine

        if not hasattr(self, "_engine"):
            self._engine = SnmpEngine()

        refresh = self._round % LABEL_REFRESH_POLLS == 0
        self._round += 1

        async def one(t: SnmpTarget) -> None:
            async with self._sem:
                try:
                    labels = None if refresh else self._labels.get(t.device)
                    s = await poll_once(self._engine, t, self.timeout_s, self.retries,
                                        labels=labels)
                    if labels is None:
                        self._labels[t.device] = {i: (p.name, p.speed_mbps)
                                                  for i, p in s.ports.items()}
                except SnmpError as exc:
                    self.stats.failures += 1
                    self.stats.last_error[t.device] = str(exc)
                    log.warning("snmp: %s", exc)
                    return
                except Exception as exc:  # a malformed answer must not stop the others
                    self.stats.failures += 1
                    self.stats.last_error[t.device] = f"{type(exc).__name__}"
                    log.warning("snmp: %s (%s:%d): %s", t.device, t.host, t.port,
                                type(exc).__name__)
                    return
            self.stats.polls += 1
            rates = self.tracker.rates(s)
            self.stats.ports = max(self.stats.ports, len(s.ports))
            if self.on_rates is not None and rates:
                self.on_rates(rates)
            for r in rates:
                for ev in self.detectors.feed(r):
                    self.on_event(t.device, ev)

        await asyncio.gather(*(one(t) for t in self.targets))

    async def run(self, duration_s: float | None = None) -> None:
        self._stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        end = loop.time() + duration_s if duration_s else None
        nxt = loop.time()
        while not self._stop.is_set():
            await self.poll_all()
            nxt += self.interval_s
            now = loop.time()
            if end is not None and now >= end:
                break
            if nxt < now:  # a poll round overran the interval: skip, never pile up
                nxt = now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=max(0.0, nxt - now))

    def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()


# -- targets from the inventory ---------------------------------------------------------------
def _secret(spec: dict[str, Any], key: str, where: str, base_dir: str | None) -> str | None:
    """``KEY`` (plaintext), ``KEY_env`` or ``KEY_file``: the value, never echoed in errors."""
    import os

    from stormguard.errors import ConfigError
    from stormguard.inventory import read_secret_file

    if spec.get(f"{key}_env"):
        val = os.environ.get(str(spec[f"{key}_env"]))
        if not val:
            raise ConfigError(f"{where}: environment variable {spec[f'{key}_env']} ({key}_env) "
                              "is not set")
        return val
    if spec.get(f"{key}_file"):
        path = str(spec[f"{key}_file"])
        if base_dir and not os.path.isabs(path):
            path = os.path.join(base_dir, path)
        return read_secret_file(path, f"{where}: {key}_file")
    val = spec.get(key)
    return None if val is None else str(val)


def targets_from_inventory(hosts: Any, base_dir: str | None = None) -> list[SnmpTarget]:
    """Hosts whose inventory ``data`` has an ``snmp:`` mapping, e.g.::

        data:
          snmp: {version: v2c, community_env: SNMP_RO}
          # or   {version: v3, user: monitor, auth_key_file: auth.txt, priv_key_env: SNMP_PRIV,
          #       auth_protocol: sha, priv_protocol: aes, port: 161}
    """
    from stormguard.errors import ConfigError

    out = []
    for h in hosts:
        spec = (h.data or {}).get("snmp")
        if not spec:
            continue
        where = f"inventory host {h.name}: snmp"
        if not isinstance(spec, dict):
            raise ConfigError(f"{where}: expected a mapping")
        version = str(spec.get("version", "v2c")).lower()
        if version not in ("v2c", "v3"):
            raise ConfigError(f"{where}: version must be v2c or v3, not {version!r}")
        t = SnmpTarget(device=h.name, host=str(spec.get("host") or h.hostname),
                       port=int(spec.get("port", 161)), version=version,
                       site=getattr(h, "site", None))
        if version == "v2c":
            t.community = _secret(spec, "community", where, base_dir)
            if not t.community:
                raise ConfigError(f"{where}: v2c needs community_env, community_file or "
                                  "community")
        else:
            t.user = str(spec.get("user") or "")
            if not t.user:
                raise ConfigError(f"{where}: v3 needs a user")
            t.auth_key = _secret(spec, "auth_key", where, base_dir)
            t.priv_key = _secret(spec, "priv_key", where, base_dir)
            t.auth_protocol = str(spec.get("auth_protocol", "sha")).lower()
            t.priv_protocol = str(spec.get("priv_protocol", "aes")).lower()
            t.context = str(spec.get("context", ""))
            if t.auth_protocol not in ("md5", "sha", "sha256") or t.priv_protocol not in (
                    "des", "aes"):
                raise ConfigError(f"{where}: auth_protocol md5|sha|sha256, priv_protocol "
                                  "des|aes")
        out.append(t)
    return out
