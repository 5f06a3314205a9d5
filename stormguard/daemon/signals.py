"""The daemon's switch-side storm sources: the syslog listener and the SNMP poller, and the
incident hub they share with the sniffer.

When either source is enabled, storms page per *incident*: the sniffer's storm events are still
stored as storm events, but they page through the incident they belong to, together with the
switches' syslog signals and SNMP rate storms on connected devices (one page per storm, not one
per source). With neither enabled the sniffer pages on its own, as before.

Each source runs in its own thread; :meth:`SignalSources.dead` names a source whose thread
died and :meth:`SignalSources.restart` brings it back (the daemon's supervisor calls them).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

log = logging.getLogger("stormguard.daemon")


class SignalSources:
    def __init__(self, cfg: Any, store: Any, alerter: Any, hosts: list[Any],
                 sniffer_host: str | None = None) -> None:
        self.cfg = cfg
        self.store = store
        self.alerter = alerter
        self.hosts = hosts
        self.sniffer_host = sniffer_host or os.uname().nodename
        self.hub: Any = None
        self.listener: Any = None
        self.poller: Any = None
        self._snmp_thread: threading.Thread | None = None
        self._snmp_loop: asyncio.AbstractEventLoop | None = None
        self.bound: list[str] = []

    @property
    def active(self) -> bool:
        return bool(self.cfg.syslog.enabled or self.cfg.snmp.enabled)

    def start(self) -> None:
        if not self.active:
            return
        from stormguard.signals.hub import IncidentHub
        from stormguard.signals.incidents import Correlator
        from stormguard.signals.receiver import SenderMap
        from stormguard.signals.store import SignalStore

        senders = SenderMap.from_hosts(self.hosts)
        inc = self.cfg.incidents
        correlator = Correlator(window_s=inc.window_s, quiet_s=inc.quiet_s,
                                sites=dict(senders.site))
        site = getattr(self.cfg, "site", None)
        if site:
            correlator.sites = {**correlator.sites, self.sniffer_host: site}
        self.hub = IncidentHub(correlator=correlator, signal_store=SignalStore(self.store),
                               alerter=self.alerter, sniffer_device=self.sniffer_host)
        self.hub.start()
        self._senders = senders
        if self.cfg.syslog.enabled:
            self._start_syslog()
        if self.cfg.snmp.enabled:
            self._start_snmp()

    def _start_syslog(self) -> None:
        from stormguard.signals.listener import SyslogListener, parse_listen
        from stormguard.signals.receiver import Receiver

        sc = self.cfg.syslog
        self.listener = SyslogListener([parse_listen(u) for u in sc.listen],
                                       Receiver(senders=self._senders), self.hub.on_signal,
                                       tls_cert=sc.tls_cert, tls_key=sc.tls_key,
                                       max_message=sc.max_message)
        self.bound = [str(b) for b in self.listener.start_in_thread()]
        log.info("syslog listening on %s", ", ".join(self.bound))

    def _start_snmp(self) -> None:
        from stormguard.signals.snmp import SnmpPoller, targets_from_inventory

        base = os.path.dirname(os.path.abspath(self.cfg.inventory)) if self.cfg.inventory \
            else None
        targets = targets_from_inventory(self.hosts, base)
        if not targets:
            log.warning("snmp: enabled, but no inventory host has an `snmp:` entry")
            return
        sniff = self.cfg.sniffer_config() if self.cfg.sniffer else None
        sc = self.cfg.snmp
        self.poller = SnmpPoller(targets, self.hub.on_snmp_event, interval_s=sc.interval_s,
                                 config=sniff, timeout_s=sc.timeout_s, retries=sc.retries,
                                 concurrency=sc.concurrency)

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._snmp_loop = loop
            try:
                loop.run_until_complete(self.poller.run())
            finally:
                loop.close()

        self._snmp_thread = threading.Thread(target=run, name="stormguard-snmp", daemon=True)
        self._snmp_thread.start()
        log.info("snmp polling %d device(s) every %g s", len(targets), sc.interval_s)

    # -- the sniffer's side --------------------------------------------------------------
    def on_storm_event(self, event: Any) -> None:
        if self.hub is not None:
            self.hub.on_storm_event(event)

    # -- supervision ---------------------------------------------------------------------
    def dead(self) -> list[str]:
        out = []
        if self.listener is not None and not self.listener.alive:
            out.append("syslog")
        if self.poller is not None and (self._snmp_thread is None
                                        or not self._snmp_thread.is_alive()):
            out.append("snmp")
        return out

    def restart(self, name: str) -> None:
        if name == "syslog":
            self._start_syslog()
        elif name == "snmp":
            self._start_snmp()

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.stop()
        if self.poller is not None and self._snmp_loop is not None:
            self._snmp_loop.call_soon_threadsafe(self.poller.stop)
            if self._snmp_thread is not None:
                self._snmp_thread.join(10)
        if self.hub is not None:
            self.hub.stop()
            self.hub.close_all()
