"""`stormguard sniff`: watch interfaces (or a capture file) for broadcast storms.

Imports of the sniffer happen inside :func:`run`; Scapy is never imported here.
"""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

HELP = "detect broadcast/multicast storms live on interfaces, or in a pcap/pcapng file"
DESCRIPTION = (
    "Passively count broadcast and multicast frames (AF_PACKET ring + kernel BPF filter), "
    "decide every 100 ms over the last second, and print one line per storm event "
    "(start, updates, end) with the loop evidence seen. Needs CAP_NET_RAW for live capture."
)

_OVERRIDES = (
    ("threshold_pps", float, "open a storm at this many broadcast+multicast frames/s"),
    ("link_pct", float, "also open at this %% of the link speed, when the speed is known"),
    ("open_windows", int, "consecutive 100 ms decisions over a threshold to open"),
    ("close_windows", int, "consecutive decisions below the close level to end"),
    ("close_ratio", float, "close level as a fraction of the opening threshold"),
    ("ewma_multiplier", float, "open at this multiple of the learned baseline ..."),
    ("ewma_floor_pps", float, "... but never below this rate"),
    ("dup_min", int, "copies of one frame within 1 s that count as a loop"),
    ("tcn_min", int, "topology-change BPDUs within 1 s that count as a burst"),
    ("update_interval_s", float, "seconds between storm-update events"),
    ("evidence_frames", int, "frames of each storm kept as a pcap (0: none)"),
    ("capture_mode", str, "ring (TPACKET_V3, default) or recv"),
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument("--iface", "-i", action="append", metavar="IF",
                     help="interface to watch (repeat for more)")
    src.add_argument("--pcap", metavar="FILE", help="analyse a pcap or pcapng file instead")
    p.add_argument("--config", metavar="FILE", help="stormguard.yaml (its 'sniffer:' section)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    ev = p.add_mutually_exclusive_group()
    ev.add_argument("--evidence-dir", metavar="DIR",
                    help="write the first frames of each storm as a pcap here (live default: "
                         "the user state directory, e.g. ~/.local/state/stormguard/evidence)")
    ev.add_argument("--no-evidence", action="store_true", help="keep no evidence pcaps")
    for name, typ, helptext in _OVERRIDES:
        p.add_argument("--" + name.replace("_", "-"), type=typ, dest=name, default=None,
                       help=helptext)


def _config(args: argparse.Namespace) -> Any:
    from dataclasses import replace

    from stormguard.sniffer.config import SnifferConfig, load_config

    cfg = load_config(args.config) if args.config else SnifferConfig()
    changes = {name: getattr(args, name) for name, _, _ in _OVERRIDES
               if getattr(args, name) is not None}
    if args.evidence_dir:
        changes["evidence_dir"] = args.evidence_dir
    elif args.no_evidence:
        changes["evidence_dir"] = None
    elif not args.pcap and not cfg.evidence_dir:
        # Live storms are gone once they end: keep their first frames unless told not to.
        # (A pcap file is its own evidence: nothing is written for --pcap unless asked.)
        import platformdirs

        changes["evidence_dir"] = str(platformdirs.user_state_path("stormguard") / "evidence")
    return replace(cfg, **changes).validate("command line")


def _alerter(config_path: str) -> Any:
    """Store + alert outbox from stormguard.yaml; delivery runs in a background thread."""
    from stormguard.alerts.dispatcher import Alerter
    from stormguard.config import load_config
    from stormguard.store import Store

    full = load_config(config_path)
    store = Store.open(full.resolved_database_url())
    alerter = Alerter(store, full.alerts, severity=full.alerts.severity)
    alerter.start()
    return alerter


def run(args: argparse.Namespace) -> int:
    from stormguard.errors import InputError
    from stormguard.sniffer.engine import Engine

    cfg = _config(args)
    fmt = args.format
    if cfg.evidence_dir:
        from stormguard.sniffer.evidence import writable_problem

        problem = writable_problem(cfg.evidence_dir)
        if problem:
            print(f"# warning: evidence directory {cfg.evidence_dir} is not writable "
                  f"({problem}): storms are detected, their frames not kept", file=sys.stderr,
                  flush=True)

    closed_pipe = False

    def emit(ev: Any) -> None:
        nonlocal closed_pipe
        if closed_pipe:
            return
        line = ev.to_json() if fmt == "json" else ev.to_text()
        try:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. `stormguard sniff ... | head -1`: stop watching
            closed_pipe = True
            engine.stop()

    alerter = None
    if args.config and not args.pcap:
        # Live with a stormguard.yaml: store every event and alert through the outbox.
        alerter = _alerter(args.config)
        printer = emit

        def emit(ev: Any) -> None:  # type: ignore[no-redef]
            try:
                alerter.on_event(ev)
            except Exception as exc:  # the store may be down: keep watching, say so
                print(f"# could not record/alert event {ev.id}: {type(exc).__name__}: {exc}",
                      file=sys.stderr, flush=True)
            printer(ev)

    engine = Engine(cfg, emit)
    if args.pcap:
        engine.run_pcap(args.pcap)  # a damaged file raises after its events were printed
        return 0
    ifaces = args.iface or cfg.interfaces
    if not ifaces:
        raise InputError("nothing to watch: give --iface IF (or sniffer.interfaces in --config)"
                         " or --pcap FILE")
    import logging

    # state changes are printed as comment lines below, not through logging's last resort
    logging.getLogger("stormguard.sniffer").addHandler(logging.NullHandler())
    # Interfaces that are missing or down are waited for (and re-opened after a flap or a
    # re-creation); only when none of them exists at all is it most likely a typo.
    engine.open_live(list(dict.fromkeys(ifaces)), wait=True)
    known = [st for st in engine.status.values() if st.state in ("watching", "link-down")]
    if not known:
        first = next(iter(engine.status.values()))
        engine.close()
        if first.error is not None:
            raise first.error
        raise InputError(f"{first.iface}: {first.detail or 'cannot capture'}")
    def on_state(st: Any, _old: str) -> None:
        what = st.state if st.state == "watching" else f"{st.state} ({st.detail})"
        print(f"# {st.iface}: {what}", file=sys.stderr, flush=True)

    engine.on_state = on_state
    watching = [i for i, st in engine.status.items() if st.state == "watching"]
    print(f"# listening on {', '.join(watching) or '(none yet)'} ({cfg.capture_mode}); "
          f"threshold {cfg.threshold_pps:g} pps", file=sys.stderr, flush=True)
    for st in engine.status.values():
        if st.state != "watching":
            print(f"# {st.iface}: {st.state} ({st.detail}): waiting for it", file=sys.stderr,
                  flush=True)

    def on_signal(_sig: int, _frame: object) -> None:
        engine.stop()

    old = signal.signal(signal.SIGTERM, on_signal)
    try:
        engine.run_live(args.duration)  # ends open events itself, also on Ctrl-C
    finally:
        signal.signal(signal.SIGTERM, old)
        cov = engine.coverage()
        engine.close()
        if alerter is not None:
            alerter.stop()
            alerter.deliver_due()  # a last try; what is still undelivered stays in the outbox
            alerter.store.close()
    for iface, c in cov.items():  # on stderr, so JSON lines on stdout stay clean
        print(f"# {iface}: read {c['read']} dropped {c['dropped']} "
              f"kernel {c['kernel']} coverage {float(c['ratio'] or 0) * 100:.2f}%",
              file=sys.stderr)
    return 0
