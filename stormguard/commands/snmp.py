"""`stormguard snmp`: poll the switches' IF-MIB counters and report broadcast storms.

pysnmp is imported inside :func:`run` only.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

HELP = "poll IF-MIB broadcast/multicast counters over SNMP and report storms per port"
DESCRIPTION = (
    "Poll ifHCInBroadcastPkts / ifHCInMulticastPkts / ifHCInUcastPkts and ifHighSpeed of every "
    "inventory host with an `snmp:` entry (v2c or v3, credentials by reference) every "
    "--interval seconds, turn them into rates (counter wraps and agent restarts handled) and "
    "run them through the sniffer's detector: one line per storm event."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--inventory", metavar="FILE", help="inventory with `snmp:` host data")
    p.add_argument("--config", metavar="FILE", help="stormguard.yaml (snmp:, sniffer:, store)")
    p.add_argument("--limit", metavar="GLOB", help="only these devices (name glob, site:X ...)")
    p.add_argument("--interval", type=float, default=None, metavar="S",
                   help="seconds between polls (default: the config's snmp.interval_s, 10)")
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--threshold-pps", type=float, default=None,
                   help="open a storm at this many broadcast+multicast frames/s per port")


def run(args: argparse.Namespace) -> int:
    import asyncio
    import os
    import signal as _signal
    from dataclasses import replace

    from stormguard.errors import InputError
    from stormguard.inventory import load_inventory
    from stormguard.signals.snmp import SnmpPoller, targets_from_inventory
    from stormguard.sniffer.config import SnifferConfig

    cfg = None
    if args.config:
        from stormguard.config import load_config

        cfg = load_config(args.config)
    inv_path = args.inventory or (cfg.inventory if cfg is not None else None)
    if not inv_path:
        raise InputError("snmp: give --inventory (or --config with an inventory)")
    inv = load_inventory(inv_path)
    targets = targets_from_inventory(inv.select(args.limit),
                                     os.path.dirname(os.path.abspath(inv_path)))
    if not targets:
        raise InputError(f"snmp: no host in {inv_path} has an `snmp:` entry in its data")
    sniff = SnifferConfig()
    if cfg is not None and cfg.sniffer:
        sniff = SnifferConfig.from_mapping(cfg.sniffer, cfg.source or "stormguard.yaml")
    if args.threshold_pps is not None:
        sniff = replace(sniff, threshold_pps=args.threshold_pps)
    scfg = cfg.snmp if cfg is not None else None
    interval = args.interval or (scfg.interval_s if scfg else 10.0)

    out = sys.stdout

    def on_event(device: str, ev: Any) -> None:
        out.write((ev.to_json() if args.format == "json" else ev.to_text()) + "\n")
        out.flush()

    poller = SnmpPoller(targets, on_event, interval_s=interval, config=sniff,
                        timeout_s=scfg.timeout_s if scfg else 2.0,
                        retries=scfg.retries if scfg else 1,
                        concurrency=scfg.concurrency if scfg else 64)
    print(f"stormguard snmp: polling {len(targets)} device(s) every {interval:g} s",
          file=sys.stderr, flush=True)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (_signal.SIGINT, _signal.SIGTERM):
            loop.add_signal_handler(sig, poller.stop)
        await poller.run(args.duration)

    asyncio.run(main())
    st = poller.stats
    print(f"stormguard snmp: {st.polls} poll(s), {st.failures} failure(s)"
          + (": " + "; ".join(f"{k}: {v}" for k, v in list(st.last_error.items())[:5])
             if st.last_error else ""), file=sys.stderr, flush=True)
    return 1 if st.failures and not st.polls else 0
