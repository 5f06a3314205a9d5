"""`stormguard incidents`: storms as incidents (sniffer + switch syslog + SNMP folded), newest
first."""

from __future__ import annotations

import argparse
import json
import re
from datetime import UTC, datetime, timedelta

from stormguard.store.cli import add_db_argument, fmt_time, open_store, table

HELP = "list storm incidents: first signal, devices, ports, VLANs, evidence per source, end"

_AGO = re.compile(r"^(\d+)\s*([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def since_arg(value: str) -> datetime:
    """``24h``, ``7d``, ``30m`` ago, or an ISO date/time (UTC unless it says otherwise)."""
    m = _AGO.match(value.strip())
    if m:
        return datetime.now(UTC) - timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid --since {value!r} (e.g. 24h, 7d, 2026-12-01 or 2026-12-01T08:00)") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=since_arg, default=None, metavar="WHEN",
                        help="only incidents active since WHEN (24h, 7d, or an ISO time)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("-n", "--limit", type=int, default=200, help="at most N incidents")
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    from stormguard.signals.store import SignalStore

    with open_store(args) as store:
        rows = SignalStore(store).incidents(args.since, limit=args.limit)
    if args.format == "json":
        print(json.dumps([r.to_dict() for r in rows], indent=2))
        return 0
    if not rows:
        print("no incidents" + (" in that period" if args.since else ""))
        return 0
    out = []
    for r in rows:
        ev = "; ".join(f"{src}: " + ", ".join(f"{k}×{n}" for k, n in sorted(per.items()))
                       for src, per in sorted(r.evidence.items()))
        out.append([r.key, fmt_time(r.started_at),
                    fmt_time(r.ended_at) if r.ended_at else "ongoing",
                    ",".join(r.sites) or "-",
                    _short(r.devices, 4), _short(r.ports, 3),
                    _short([str(v) for v in r.vlans], 8) or "-",
                    f"{r.peak_pps:,.0f}" if r.peak_pps else "-", ev])
    print(table(["INCIDENT", "STARTED", "ENDED", "SITE", "DEVICES", "PORTS", "VLANS",
                 "PEAK FPS", "EVIDENCE"], out))
    return 0


def _short(items: list[str], n: int) -> str:
    return ",".join(items[:n]) + (f" +{len(items) - n}" if len(items) > n else "")
