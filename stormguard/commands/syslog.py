"""`stormguard syslog`: hear the switches' own storm evidence over syslog.

One line per recognised message (text, or JSON with ``--format json``); everything else is
counted. ``--replay FILE`` reads messages from a file (one per line, e.g. a syslog server's log)
instead of the network: the same catalogue, for post-mortems and tests.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

HELP = "hear switch syslog (UDP/TCP/TLS): MAC flaps, storm-control, BPDU guard, loop detection"
DESCRIPTION = (
    "Receive RFC 3164 / RFC 5424 syslog from switches over UDP, TCP (octet counting or newline "
    "framing) or TLS, recognise the vendors' storm-evidence messages (MAC flap, storm-control, "
    "BPDU guard, err-disable, loop detection, loop guard) and print one signal per line; store "
    "them and correlate them into incidents when a store is configured."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--listen", action="append", metavar="URL",
                   help="udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT (repeat for more; "
                        "default: the config's syslog.listen, else udp://0.0.0.0:5514 and "
                        "tcp://0.0.0.0:5514)")
    p.add_argument("--replay", metavar="FILE",
                   help="read messages from FILE (one per line, - for stdin) instead of listening")
    p.add_argument("--inventory", metavar="FILE", help="match senders to these inventory devices")
    p.add_argument("--config", metavar="FILE", help="stormguard.yaml (syslog:, inventory, store)")
    p.add_argument("--db", metavar="URL", dest="database_url", default=None,
                   help="store signals in this database (default: the config's, if --config)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    p.add_argument("--tls-cert", metavar="FILE", help="certificate for tls:// listeners")
    p.add_argument("--tls-key", metavar="FILE", help="private key for tls:// listeners")


def _senders(args: argparse.Namespace, cfg: Any) -> Any:
    from stormguard.signals.receiver import SenderMap

    path = args.inventory or (cfg.inventory if cfg is not None else None)
    if not path:
        return SenderMap()
    from pathlib import Path

    if args.inventory is None and cfg is not None and not Path(path).exists():
        return SenderMap()  # the config's default inventory path need not exist for syslog
    from stormguard.inventory import load_inventory

    return SenderMap.from_hosts(load_inventory(path).hosts.values())


def _printer(fmt: str) -> Any:
    out = sys.stdout

    def emit(sig: Any) -> None:
        out.write((sig.to_json() if fmt == "json" else sig.to_text()) + "\n")
        out.flush()

    return emit


def run(args: argparse.Namespace) -> int:
    import signal as _signal
    import threading
    import time

    from stormguard.errors import InputError
    from stormguard.signals.listener import SyslogListener, parse_listen
    from stormguard.signals.receiver import Receiver

    cfg = None
    if args.config:
        from stormguard.config import load_config

        cfg = load_config(args.config)
    syslog_cfg = getattr(cfg, "syslog", None) if cfg is not None else None
    receiver = Receiver(senders=_senders(args, cfg))
    emit = _printer(args.format)
    sink = emit
    store = hub = alerter = None
    url = args.database_url or (cfg.database_url if cfg is not None else None)
    if url or cfg is not None:
        hub, store, alerter = _incident_hub(args, cfg, url, receiver.senders)
        on_signal = hub.on_signal

        def sink(sig: Any) -> None:
            emit(sig)
            on_signal(sig)

    if args.replay:
        if args.listen:
            raise InputError("syslog: --replay and --listen do not go together")
        try:
            fh = sys.stdin.buffer if args.replay == "-" else open(args.replay, "rb")  # noqa: SIM115
        except OSError as exc:
            raise InputError(f"{args.replay}: cannot read: {exc.strerror}") from None
        with fh:
            for line in fh:
                line = line.rstrip(b"\r\n")
                if line:
                    sig = receiver.feed(line, None)
                    if sig is not None:
                        sink(sig)
        _summary(receiver)
        _close(hub, alerter, store, final=True)
        return 0

    urls = args.listen or (list(syslog_cfg.listen) if syslog_cfg is not None else None) or [
        "udp://0.0.0.0:5514", "tcp://0.0.0.0:5514"]
    listener = SyslogListener(
        [parse_listen(u) for u in urls], receiver, sink,
        tls_cert=args.tls_cert or (syslog_cfg.tls_cert if syslog_cfg is not None else None),
        tls_key=args.tls_key or (syslog_cfg.tls_key if syslog_cfg is not None else None))
    bound = listener.start_in_thread()
    print("stormguard syslog: listening on " + ", ".join(map(str, bound)), file=sys.stderr,
          flush=True)
    stop = threading.Event()
    for sig in (_signal.SIGINT, _signal.SIGTERM):
        _signal.signal(sig, lambda *_: stop.set())
    deadline = time.monotonic() + args.duration if args.duration else None
    while not stop.is_set():
        if deadline is not None and time.monotonic() >= deadline:
            break
        stop.wait(0.2)
    listener.stop()
    _summary(receiver, listener.stats)
    _close(hub, alerter, store, final=False)
    return 0


def _incident_hub(args: argparse.Namespace, cfg: Any, url: str | None, senders: Any) -> Any:
    """Store signals, fold them into incidents, page once per incident (if channels exist)."""
    from stormguard.settings import database_url
    from stormguard.signals.hub import IncidentHub
    from stormguard.signals.incidents import Correlator
    from stormguard.signals.store import SignalStore
    from stormguard.store import Store

    store = Store.open(url or database_url(args.config))
    alerter = None
    if cfg is not None and cfg.alerts.channels:
        from stormguard.alerts.dispatcher import Alerter

        alerter = Alerter(store, cfg.alerts, severity=cfg.alerts.severity)
        alerter.start()
    inc = cfg.incidents if cfg is not None else None
    correlator = Correlator(window_s=inc.window_s if inc else 60.0,
                            quiet_s=inc.quiet_s if inc else 120.0, sites=dict(senders.site))
    hub = IncidentHub(correlator=correlator, signal_store=SignalStore(store), alerter=alerter)
    hub.start()
    return hub, store, alerter


def _close(hub: Any, alerter: Any, store: Any, *, final: bool) -> None:
    if hub is not None:
        hub.stop()
        if final:  # a replay is a closed book: its incidents end with it
            hub.close_all()
    if alerter is not None:
        alerter.deliver_due()
        alerter.stop()
    if store is not None:
        store.close()


def _summary(receiver: Any, stats: Any = None) -> None:
    parts = [f"{receiver.received} message(s)", f"{receiver.recognised} signal(s)"]
    if stats is not None and stats.oversized:
        parts.append(f"{stats.oversized} oversized")
    if receiver.unknown_senders:
        top = ", ".join(f"{k} ({v})" for k, v in receiver.unknown_senders.most_common(5))
        parts.append(f"{sum(receiver.unknown_senders.values())} from senders not in the "
                     f"inventory: {top}")
    print("stormguard syslog: " + "; ".join(parts), file=sys.stderr, flush=True)
