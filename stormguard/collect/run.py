"""Collect a whole inventory into the store: one run, a snapshot per device, a failure row per
device that could not be read, and a closing summary.

Store writes happen in the calling thread, one short transaction per device as it finishes, so
a crash half-way leaves every device written so far intact and the run marked interrupted (the
store only treats a run's snapshots as current once the run is finished ok/partial).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from stormguard.collect.base import FAILURE_CLASSES
from stormguard.collect.hostkeys import KnownHosts
from stormguard.collect.pool import DeviceResult, PoolSettings, collect_many
from stormguard.inventory import Host

HEARTBEAT_EVERY_S = 30.0


@dataclass
class RunSummary:
    run_id: int
    total: int = 0
    collected: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: dict[str, int] = field(default_factory=dict)  # failure class -> count
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (device, class, msg)
    duration_s: float = 0.0
    status: str = "running"

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "collected": self.collected, "changed": self.changed,
                "unchanged": self.unchanged, "failed": dict(self.failed),
                "duration_s": round(self.duration_s, 3)}


def run_status(collected: int, failed: int) -> str:
    if failed == 0:
        return "ok"
    return "partial" if collected else "failed"


@dataclass
class StoredResult:
    """What :func:`store_result` wrote: a snapshot (``changed``) or a failure (class, message)."""

    changed: bool = False
    failure_class: str | None = None
    message: str = ""


def store_result(store: Any, run_id: int, res: DeviceResult) -> StoredResult:
    """Write one device's collection result into run `run_id`: its snapshot (one transaction,
    deduplicated blob) or its classified failure. Shared by `collect` and the daemon's pipeline."""
    if res.collected is not None:
        c = res.collected
        _sid, changed = store.save_snapshot(run_id, c.host, c.platform, c.config,
                                            state=c.state, collected_at=c.collected_at)
        return StoredResult(changed=changed)
    err = res.error
    cls = err.failure_class if err else "protocol"
    msg = err.message if err else "no result"
    store.record_failure(run_id, res.host.name, cls, msg)
    return StoredResult(failure_class=cls, message=msg)


def collect_inventory(hosts: Iterable[Host], store: Any, *,
                      settings: PoolSettings | None = None,
                      known_hosts: KnownHosts | None = None,
                      progress: Callable[[DeviceResult, int, int], None] | None = None,
                      trigger: str = "manual",
                      stop: threading.Event | None = None) -> RunSummary:
    """Collect `hosts` into `store` (a :class:`stormguard.store.Store`) as one run."""
    hosts = list(hosts)
    t0 = time.monotonic()
    run_id = store.start_run("collect", trigger)
    summary = RunSummary(run_id=run_id, total=len(hosts))
    failed: Counter[str] = Counter()
    last_beat = [time.monotonic()]

    def on_result(res: DeviceResult) -> None:
        stored = store_result(store, run_id, res)
        if stored.failure_class is None:
            summary.collected += 1
            if stored.changed:
                summary.changed += 1
            else:
                summary.unchanged += 1
        else:
            failed[stored.failure_class] += 1
            summary.failures.append((res.host.name, stored.failure_class, stored.message))
        if time.monotonic() - last_beat[0] > HEARTBEAT_EVERY_S:
            store.heartbeat(run_id)
            last_beat[0] = time.monotonic()

    try:
        store.upsert_hosts(hosts)
        collect_many(hosts, known_hosts=known_hosts, settings=settings, progress=progress,
                     on_result=on_result, stop=stop)
    except BaseException:
        summary.failed = {k: failed[k] for k in FAILURE_CLASSES if failed[k]}
        summary.duration_s = time.monotonic() - t0
        summary.status = "interrupted"
        store.finish_run(run_id, "interrupted", summary.as_dict())
        raise
    summary.failed = {k: failed[k] for k in FAILURE_CLASSES if failed[k]}
    summary.duration_s = time.monotonic() - t0
    summary.status = run_status(summary.collected, summary.failed_total)
    store.finish_run(run_id, summary.status, summary.as_dict())
    return summary
