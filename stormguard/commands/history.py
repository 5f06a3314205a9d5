"""`stormguard history DEVICE`: the device's stored config snapshots, newest first."""

from __future__ import annotations

import argparse

from stormguard.store.cli import add_db_argument, count, fmt_time, open_store, table

HELP = "list a device's config snapshots (when, run, hash, changed?)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("device", help="inventory name of the device")
    parser.add_argument("-n", "--limit", type=count, default=None, help="show at most N snapshots")
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    from stormguard.errors import InputError

    with open_store(args) as store:
        snaps = store.snapshot_history(args.device, limit=args.limit)
        if not snaps:
            known = [d.name for d in store.devices()]
            if args.device in known:  # in the inventory, never collected successfully
                raise InputError(f"no snapshots stored for device {args.device!r} yet (it is "
                                 "known, but no collection of it has succeeded)")
            hint = f" (known: {', '.join(known[:10])}{'...' if len(known) > 10 else ''})" \
                if known else " (the store has no devices yet: run `stormguard collect`)"
            raise InputError(f"no snapshots stored for device {args.device!r}{hint}")
        rows = []
        for s in snaps:
            status = s.run_status if s.run_status != "ok" else "committed"
            rows.append([fmt_time(s.collected_at), str(s.run_id), status, s.sha256[:12],
                         "yes" if s.changed else "no", str(s.size), str(s.id)])
        print(f"{args.device}: {len(snaps)} snapshot(s)")
        print(table(["COLLECTED", "RUN", "RUN STATUS", "SHA256", "CHANGED", "BYTES", "SNAPSHOT"],
                    rows))
    return 0
