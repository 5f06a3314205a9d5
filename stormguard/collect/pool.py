"""The worker pool: collect many devices at once, each bounded in time, retried with care.

* ``workers`` threads (default 20): SSH collection is I/O-bound, threads are enough.
* Every attempt runs in its own daemon thread under a wall-clock watchdog: when a device goes
  silent and the attempt overruns ``host.timeout`` (default 60 s), the watchdog closes the
  session (unblocking the stuck read) and reports ``timeout`` -- even if the library's own read
  timeouts fail to fire. A worker is never stuck on one device for longer than that.
* Retries (``host.retries``, default 2) with exponential backoff and jitter, only for failure
  classes that a second try can fix (timeout, unreachable, protocol); never for auth (locking
  the service account out) or host-key (a changed key must be looked at by a human).
* A ``progress`` callback sees every finished device, for progress bars and logs.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from stormguard.collect.base import Collected, CollectError
from stormguard.collect.hostkeys import KnownHosts
from stormguard.collect.registry import CollectContext, resolve
from stormguard.inventory import Host

DEFAULT_WORKERS = 20


@dataclass
class DeviceResult:
    host: Host
    collected: Collected | None = None
    error: CollectError | None = None
    attempts: int = 0
    duration_s: float = 0.0
    driver: str = ""

    @property
    def ok(self) -> bool:
        return self.collected is not None

    @property
    def failure_class(self) -> str | None:
        return self.error.failure_class if self.error else None


Progress = Callable[[DeviceResult, int, int], None]  # (result, done, total)


@dataclass
class PoolSettings:
    workers: int = DEFAULT_WORKERS
    backoff_base_s: float = 1.0  # first retry after ~1 s, then 2 s, 4 s ...
    backoff_max_s: float = 30.0
    timeout_override: float | None = None  # None: each host's own timeout
    retries_override: int | None = None
    recipes_dir: Path | None = None


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with full jitter (attempt 1 -> up to base, 2 -> up to 2*base ...);
    jitter keeps 200 retries from hitting a recovering switch in the same second."""
    ceiling = min(cap, base * (2 ** (attempt - 1)))
    return ceiling * (0.5 + rng.random() / 2)


def _attempt(host: Host, known: KnownHosts, timeout: float, settings: PoolSettings
             ) -> tuple[str, Collected | None, CollectError | None]:
    """One try under the watchdog. Returns (driver name, collected, error)."""
    try:
        name, driver = resolve(host, settings.recipes_dir)
    except CollectError as exc:
        return host.driver or "?", None, exc
    ctx = CollectContext(known_hosts=known, recipes_dir=settings.recipes_dir,
                         deadline=time.monotonic() + timeout)
    box: dict[str, object] = {}

    def work() -> None:
        try:
            box["ok"] = driver(host, ctx)
        except CollectError as exc:
            box["err"] = exc
        except Exception as exc:  # a driver bug must not kill the run: report it as protocol
            box["err"] = CollectError(host.name, "protocol",
                                      f"driver {name} failed: {type(exc).__name__}")

    thread = threading.Thread(target=work, name=f"collect-{host.name}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        ctx.abort()  # close the session: the stuck read returns, the thread ends soon
        thread.join(0.2)  # a moment to finish cleanly; if not, it is abandoned (daemon)
        return name, None, CollectError(host.name, "timeout",
                                        f"no result within {timeout:g} s (watchdog)")
    if "ok" in box:
        return name, box["ok"], None  # type: ignore[return-value]
    return name, None, box.get("err") or CollectError(host.name, "protocol", "no result")  # type: ignore[return-value]


def collect_one(host: Host, known: KnownHosts, settings: PoolSettings,
                rng: random.Random | None = None,
                stop: threading.Event | None = None) -> DeviceResult:
    rng = rng or random.Random()
    timeout = settings.timeout_override or host.timeout
    retries = settings.retries_override if settings.retries_override is not None \
        else host.retries
    t0 = time.monotonic()
    result = DeviceResult(host=host)
    for attempt in range(1, retries + 2):
        result.attempts = attempt
        result.driver, collected, error = _attempt(host, known, timeout, settings)
        if collected is not None:
            result.collected, result.error = collected, None
            break
        result.error = error
        if error is None or not error.retryable or attempt > retries:
            break
        delay = backoff_delay(attempt, settings.backoff_base_s, settings.backoff_max_s, rng)
        if stop is not None and stop.wait(delay):
            break
        if stop is None:
            time.sleep(delay)
    result.duration_s = time.monotonic() - t0
    return result


def collect_many(hosts: Iterable[Host], *, known_hosts: KnownHosts | None = None,
                 settings: PoolSettings | None = None, progress: Progress | None = None,
                 on_result: Callable[[DeviceResult], None] | None = None,
                 stop: threading.Event | None = None) -> list[DeviceResult]:
    """Collect every host; results in inventory order. `on_result` runs in the calling
    thread as each device finishes (the place to write to the store); `progress` after it."""
    settings = settings or PoolSettings()
    known = known_hosts or KnownHosts()
    hosts = list(hosts)
    total = len(hosts)
    results: dict[str, DeviceResult] = {}
    if not hosts:
        return []
    workers = max(1, min(settings.workers, total))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sg-collect") as pool:
        futures = {
            pool.submit(collect_one, h, known, settings, random.Random(hash(h.name)), stop): h
            for h in hosts
        }
        for done, fut in enumerate(as_completed(futures), start=1):
            res = fut.result()
            results[res.host.name] = res
            if on_result is not None:
                on_result(res)
            if progress is not None:
                progress(res, done, total)
    return [results[h.name] for h in hosts]
