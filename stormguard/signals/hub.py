"""Where every storm source meets: syslog signals, SNMP rate events and sniffer storm events go
in; signals and incidents are stored; one alert per incident goes out through the Alerter.

Thread-safe (the syslog listener, the SNMP poller and the sniffer each call from their own
thread). A background ticker ends quiet incidents even when no new evidence arrives.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from stormguard.signals import Signal
from stormguard.signals.incidents import Correlator, from_signal, from_storm_event

log = logging.getLogger("stormguard.incidents")


class IncidentHub:
    def __init__(self, *, correlator: Correlator | None = None,
                 signal_store: Any = None, alerter: Any = None,
                 sites: Mapping[str, str | None] | None = None,
                 sniffer_device: str = "sniffer",
                 on_incident: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.correlator = correlator or Correlator(sites=dict(sites or {}))
        if sites and not self.correlator.sites:
            self.correlator.sites = dict(sites)
        self.signal_store = signal_store
        self.alerter = alerter
        self.sniffer_device = sniffer_device
        self.on_incident = on_incident
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _emit(self, events: list[dict[str, Any]]) -> None:
        for ev in events:
            if self.signal_store is not None:
                self.signal_store.save_incident(ev)
            if self.alerter is not None:
                self.alerter.on_event(ev, record=False)
            if self.on_incident is not None:
                self.on_incident(ev)

    def on_signal(self, sig: Signal) -> None:
        with self._lock:
            events = self.correlator.add(from_signal(sig))
            key = events[-1]["id"] if events else None
            if self.signal_store is not None:
                self.signal_store.add(sig, incident_key=key)
            self._emit(events)

    def on_storm_event(self, event: Any) -> None:
        """The sniffer's callback: its storms fold into incidents with the switches' signals."""
        with self._lock:
            ev = from_storm_event(event, self.sniffer_device)
            self._emit(self.correlator.add(ev))

    def on_snmp_event(self, device: str, event: Any) -> None:
        """An SNMP rate storm on `device` (the poller's callback)."""
        with self._lock:
            ev = from_storm_event(event, device, source="snmp")
            self._emit(self.correlator.add(ev))

    def tick(self, now: float | None = None) -> None:
        with self._lock:
            self._emit(self.correlator.tick(time.time() if now is None else now))

    def close_all(self, now: float | None = None) -> None:
        """End every open incident (the process is stopping: nothing will extend them)."""
        with self._lock:
            self._emit(self.correlator.close_all(time.time() if now is None else now))

    def start(self, interval_s: float = 1.0) -> None:
        if self._thread is not None:
            return

        def loop() -> None:
            while not self._stop.wait(interval_s):
                try:
                    self.tick()
                except Exception:  # a store hiccup must not end incident closing
                    log.exception("incident ticker failed; retrying")

        self._thread = threading.Thread(target=loop, name="stormguard-incidents", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
