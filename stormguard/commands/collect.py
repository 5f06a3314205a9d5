"""`stormguard collect`: pull configs and storm evidence from every switch in the inventory.

One run in the store: a snapshot per device (unchanged configs cost a row, not a copy), a
failure row per device that could not be read, classified (auth, timeout, unreachable,
host-key, protocol, parse, unsupported). A progress bar while it runs (on a terminal), a closing
table after. Exit 0 when every device was collected, 1 when some failed, 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys

from stormguard.store.cli import add_db_argument, open_store, table

HELP = "collect configs from the inventory's switches and vSwitches into the store"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--inventory", "-i", metavar="FILE", default=None,
                        help="inventory YAML (or a Nornir hosts/groups/defaults directory); "
                             "default: ./inventory.yaml")
    parser.add_argument("--limit", metavar="GLOB", default=None,
                        help="only these devices: name glob, site:GLOB, group:NAME, tag:NAME; "
                             "comma-separated")
    parser.add_argument("--workers", type=int, default=20, metavar="N",
                        help="devices collected at once (default 20)")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="per-device timeout for every host (default: the inventory's, 60)")
    parser.add_argument("--retries", type=int, default=None, metavar="N",
                        help="retries on timeout/unreachable/protocol "
                             "(default: the inventory's, 2)")
    parser.add_argument("--known-hosts", metavar="FILE", default=None,
                        help="SSH known_hosts file for pinned keys (default: "
                             "$STORMGUARD_KNOWN_HOSTS or known_hosts in the stormguard data dir)")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bar (it is off anyway when stderr is not a terminal)")
    add_db_argument(parser)


def _validate(args: argparse.Namespace) -> None:
    from stormguard.errors import InputError

    if args.workers < 1 or args.workers > 512:
        raise InputError(f"--workers {args.workers}: must be between 1 and 512")
    if args.timeout is not None and args.timeout <= 0:
        raise InputError(f"--timeout {args.timeout:g}: must be positive")
    if args.retries is not None and args.retries < 0:
        raise InputError(f"--retries {args.retries}: must be 0 or more")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from stormguard.collect.hostkeys import KnownHosts
    from stormguard.collect.pool import PoolSettings
    from stormguard.collect.run import collect_inventory
    from stormguard.errors import InputError
    from stormguard.inventory import load_inventory

    _validate(args)
    inventory = load_inventory(args.inventory)
    for warning in inventory.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    hosts = inventory.select(args.limit)
    if not hosts:
        raise InputError(f"--limit {args.limit!r}: no device in the inventory matches")
    settings = PoolSettings(workers=args.workers, timeout_override=args.timeout,
                            retries_override=args.retries)
    known = KnownHosts(args.known_hosts)
    err = Console(stderr=True)
    show_bar = err.is_terminal and not args.no_progress
    with open_store(args) as store:
        if show_bar:
            with Progress(TextColumn("collecting"), BarColumn(), MofNCompleteColumn(),
                          TextColumn("{task.fields[last]}"), TimeElapsedColumn(),
                          console=err, transient=True) as bar:
                task = bar.add_task("collect", total=len(hosts), last="")

                def progress(res, done, total):
                    mark = "ok" if res.ok else res.failure_class
                    bar.update(task, completed=done, last=f"{res.host.name}: {mark}")

                summary = collect_inventory(hosts, store, settings=settings, known_hosts=known,
                                            progress=progress, trigger="cli")
        else:
            summary = collect_inventory(hosts, store, settings=settings, known_hosts=known,
                                        trigger="cli")
    print(f"run {summary.run_id}: {summary.status}, {summary.total} device(s) in "
          f"{summary.duration_s:.1f} s")
    rows = [["collected", str(summary.collected)], ["  changed", str(summary.changed)],
            ["  unchanged", str(summary.unchanged)]]
    rows += [[f"failed: {cls}", str(n)] for cls, n in summary.failed.items()]
    print(table(["RESULT", "DEVICES"], rows))
    if summary.failures:
        print()
        print(table(["DEVICE", "CLASS", "REASON"],
                    [[d, c, m] for d, c, m in sorted(summary.failures)]))
    return 0 if summary.failed_total == 0 else 1
