"""The daemon never keeps running with a dead part without saying so.

* :func:`install_thread_hook` — an exception that ends any thread is one structured log line
  (``thread stormguard-sniffer died: RuntimeError: ...`` with ``component``/``thread``/``error``
  fields), never a traceback on stdout that breaks JSON logging.
* :class:`Supervisor` — each component (sniffer engine, alert delivery, scheduler, metrics
  endpoint) says whether it is alive; the daemon's main loop calls :meth:`Supervisor.check`
  every second: a dead component is logged once, ``stormguard_component_up{component}`` goes
  to 0, and it is restarted after a backoff (1 s, 2 s, 4 s ... up to a minute; the count
  resets once it has stayed up for ``STABLE_S``).
* :class:`SnifferWatch` — an interface not watched (link down, missing, error) for longer than
  ``sniffer.down_alert_after_s`` is an alert of its own through the alert outbox (routed like
  storm alerts, so whoever is paged for storms learns that detection is off), resolved when
  watching resumes.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from stormguard.daemon.logging import kv

log = logging.getLogger("stormguard.daemon")

BACKOFF_MAX_S = 60.0
STABLE_S = 120.0

#: thread name prefix -> component, for the structured "thread died" line
THREAD_COMPONENTS = {
    "stormguard-sniffer": "sniffer",
    "stormguard-alerts": "alerts",
    "APScheduler": "scheduler",
    "ThreadPoolExecutor": "scheduler",
    "stormguard-metrics": "metrics",
}


def component_of(thread_name: str) -> str:
    for prefix, comp in THREAD_COMPONENTS.items():
        if thread_name.startswith(prefix):
            return comp
    return "other"


def install_thread_hook() -> Callable[[Any], Any]:
    """Route uncaught thread exceptions to one structured log line; returns the old hook."""
    old = threading.excepthook

    def hook(args: Any) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        exc = args.exc_value
        log.error("thread %s died: %s: %s", name, args.exc_type.__name__, exc,
                  extra=kv(component=component_of(name), thread=name,
                           error=args.exc_type.__name__))

    threading.excepthook = hook
    return old


@dataclass
class Component:
    name: str
    alive: Callable[[], bool]
    restart: Callable[[], Any]
    up: bool = True
    failures: int = 0
    restarts: int = 0
    restart_at: float | None = None  # monotonic time of the next restart attempt
    started_at: float = field(default_factory=time.monotonic)


class Supervisor:
    def __init__(self, metrics: Any = None, backoff_max_s: float = BACKOFF_MAX_S) -> None:
        self.metrics = metrics
        self.backoff_max_s = backoff_max_s
        self.components: dict[str, Component] = {}

    def add(self, name: str, alive: Callable[[], bool], restart: Callable[[], Any]) -> None:
        self.components[name] = Component(name, alive, restart)
        self._gauge(name, True)

    def _gauge(self, name: str, up: bool) -> None:
        if self.metrics is not None:
            self.metrics.component_up(name, up)

    def _delay(self, c: Component) -> float:
        return min(self.backoff_max_s, 2.0 ** max(0, c.failures - 1))

    def check(self) -> None:
        now = time.monotonic()
        for c in list(self.components.values()):
            if c.restart_at is None:
                try:
                    alive = bool(c.alive())
                except Exception:
                    alive = False
                if alive:
                    if c.failures and now - c.started_at >= STABLE_S:
                        c.failures = 0
                    continue
                c.failures += 1
                c.up = False
                c.restart_at = now + self._delay(c)
                self._gauge(c.name, False)
                log.error("component %s is down; restarting in %.0f s", c.name,
                          self._delay(c), extra=kv(component=c.name, attempt=c.failures))
            elif now >= c.restart_at:
                try:
                    c.restart()
                except Exception as exc:
                    c.failures += 1
                    c.restart_at = now + self._delay(c)
                    log.error("component %s could not restart: %s: %s; next try in %.0f s",
                              c.name, type(exc).__name__, exc, self._delay(c),
                              extra=kv(component=c.name, attempt=c.failures,
                                       error=type(exc).__name__))
                    continue
                c.restart_at = None
                c.up = True
                c.restarts += 1
                c.started_at = now
                self._gauge(c.name, True)
                log.warning("component %s restarted (attempt %d)", c.name, c.failures,
                            extra=kv(component=c.name, attempt=c.failures))

    def states(self) -> dict[str, bool]:
        return {name: c.up for name, c in self.components.items()}


class SnifferWatch:
    """Alerts (through the outbox) when an interface is not watched for too long."""

    def __init__(self, alerter: Any, severity: str, after_s: float,
                 host: str | None = None) -> None:
        self.alerter = alerter
        self.severity = severity
        self.after_s = after_s
        self.host = host or socket.gethostname()
        self.firing: dict[str, tuple[str, datetime]] = {}  # iface -> (key, down since)

    def check(self, states: list[dict[str, Any]], now: float | None = None) -> None:
        if self.alerter is None or self.after_s <= 0:
            return
        now = time.time() if now is None else now
        for st in states:
            iface = st["iface"]
            if st["state"] == "watching":
                if iface in self.firing:
                    key, since = self.firing[iface]
                    if self._enqueue("resolved", key, iface, since, st, now):
                        del self.firing[iface]
                continue
            down = st.get("down_since") or st["since"]
            if iface not in self.firing and now - down >= self.after_s:
                since = datetime.fromtimestamp(down, UTC)
                key = f"sniffer-{self.host}-{iface}-{int(down)}"
                if self._enqueue("firing", key, iface, since, st, now):
                    self.firing[iface] = (key, since)

    def _enqueue(self, status: str, key: str, iface: str, since: datetime,
                 st: dict[str, Any], now: float) -> bool:
        from stormguard.alerts.model import Alert

        ts = datetime.fromtimestamp(now, UTC)
        minutes = (ts - since).total_seconds() / 60
        if status == "firing":
            summary = (f"storm detection is off on {iface}: {st['state']} "
                       f"({st.get('detail') or 'no detail'}) for {minutes:.1f} min")
        else:
            summary = f"storm detection on {iface} is back after {minutes:.1f} min"
        alert = Alert(key=key, status=status, severity=self.severity,  # type: ignore[arg-type]
                      host=self.host, iface=iface, summary=summary, started_at=since,
                      ended_at=ts if status == "resolved" else None, sent_at=ts,
                      kind="sniffer-down")
        try:
            for ch in self.alerter.channels_for(self.severity):
                self.alerter.store.enqueue(ch.name, status, alert.to_payload(),
                                           f"{key}:{status}")
        except Exception as exc:
            log.error("sniffer alert %s for %s not queued: %s: %s", status, iface,
                      type(exc).__name__, exc, extra=kv(iface=iface, alert=key))
            return False
        log.warning("sniffer alert %s: %s", status, summary,
                    extra=kv(iface=iface, alert=key, state=st["state"]))
        return True
