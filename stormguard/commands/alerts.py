"""`stormguard alerts test|list|deliver` — check alert channels and the outbox."""

from __future__ import annotations

import argparse
import sys

HELP = "send a test alert down every channel, list or flush the alert outbox"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("test", "list", "deliver"))
    p.add_argument("--config", metavar="FILE", help="stormguard.yaml (default: ./stormguard.yaml "
                   "or $STORMGUARD_CONFIG)")
    p.add_argument("--channel", action="append", default=[], metavar="NAME",
                   help="only these channels (test)")
    p.add_argument("--status", choices=("pending", "sent", "dead"), help="filter (list)")


def run(args: argparse.Namespace) -> int:
    from stormguard.config import load_config
    from stormguard.errors import ConfigError

    cfg = load_config(args.config)
    if args.action == "test":
        from stormguard.alerts.channels import DeliveryError
        from stormguard.alerts.dispatcher import send_test

        if not cfg.alerts.channels:
            raise ConfigError("no alert channels configured (alerts.channels in stormguard.yaml)")
        names = [c.name for c in cfg.alerts.channels]
        unknown = [n for n in args.channel if n not in names]
        if unknown:  # a typo must not silently test fewer channels than asked
            raise ConfigError(f"no alert channel named {', '.join(map(repr, unknown))} "
                              f"(configured: {', '.join(names)})")
        channels = [c for c in cfg.alerts.channels if not args.channel or c.name in args.channel]
        failed = 0
        for ch in channels:
            try:
                send_test(ch)
            except (DeliveryError, ConfigError) as exc:
                failed += 1
                print(f"FAIL {ch.name} ({ch.type}): {exc}")
            else:
                note = (" - sent; UDP gives no delivery confirmation"
                        if ch.type == "syslog" and ch.protocol == "udp" else "")
                print(f"ok   {ch.name} ({ch.type}){note}")
        return 1 if failed else 0

    from stormguard.store import Store

    with Store.open(cfg.resolved_database_url()) as store:
        if args.action == "deliver":
            from stormguard.alerts.dispatcher import Alerter

            sent, failed = Alerter(store, cfg.alerts).deliver_due()
            print(f"{sent} sent, {failed} failed")
            return 1 if failed else 0
        rows = store.outbox(args.status)
        for r in rows:
            err = f"  last error: {r.last_error}" if r.last_error else ""
            print(f"{r.id:>6} {r.status:<8} {r.channel:<16} {r.dedupe_key:<40} "
                  f"attempts {r.attempts}{err}")
        if not rows:
            print("outbox empty", file=sys.stderr)
    return 0
