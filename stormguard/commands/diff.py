"""`stormguard diff DEVICE [--from RUN] [--to RUN]`: unified diff of a device's configs.

Without options: the latest committed snapshot against the one before it. ``--to RUN`` picks
the device's config as of that run, ``--from RUN`` the older side (default: the snapshot before
the ``--to`` one).
"""

from __future__ import annotations

import argparse

from stormguard.store.cli import add_db_argument, count, fmt_time, open_store, run_id

HELP = "unified diff of a device's config between two runs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("device", help="inventory name of the device")
    parser.add_argument("--from", dest="from_run", type=run_id, metavar="RUN", default=None,
                        help="older side: the config as of this run id")
    parser.add_argument("--to", dest="to_run", type=run_id, metavar="RUN", default=None,
                        help="newer side: the config as of this run id (default: latest)")
    parser.add_argument("-U", "--context", type=count, default=3, help="lines of context")
    parser.add_argument("--show-secrets", action="store_true",
                        help="show SNMP communities, keys and hashes as stored (a store with "
                             "store.keep_secrets: true); by default they are masked")
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    from stormguard.configdiff import unified_config_diff
    from stormguard.errors import InputError

    with open_store(args) as store:
        history = [s for s in store.snapshot_history(args.device)
                   if s.run_status in ("ok", "partial")]
        if not history:
            raise InputError(f"no committed snapshots stored for device {args.device!r}")
        for run_id in (args.from_run, args.to_run):
            if run_id is not None and store.get_run(run_id) is None:
                raise InputError(f"run {run_id} does not exist")
        if args.to_run is not None:
            new = store.snapshot_at(args.device, args.to_run)
            if new is None:
                raise InputError(f"{args.device}: no snapshot as of run {args.to_run}")
        else:
            new = store.get_snapshot(history[0].id)
        assert new is not None
        if args.from_run is not None:
            old = store.snapshot_at(args.device, args.from_run)
            if old is None:
                raise InputError(f"{args.device}: no snapshot as of run {args.from_run}")
        else:
            older = [s for s in history if s.id < new.id]
            if not older:
                print(f"{args.device}: only one snapshot (run {new.run_id}); nothing to compare")
                return 0
            old = store.get_snapshot(older[0].id)
        assert old is not None and old.text is not None and new.text is not None
        if old.sha256 == new.sha256:
            print(f"{args.device}: no changes between run {old.run_id} and run {new.run_id} "
                  f"(sha256 {new.sha256[:12]})")
            return 0
        old_text, new_text = old.text, new.text
        if not args.show_secrets:  # secrets kept in the store are still not shown by default
            from stormguard.secrets_mask import mask_config

            old_text = mask_config(old_text, old.platform)
            new_text = mask_config(new_text, new.platform)
            if old_text == new_text:
                print(f"{args.device}: between run {old.run_id} and run {new.run_id} only "
                      "masked secrets changed (--show-secrets to see them)")
                return 0
        lines = unified_config_diff(
            old_text, new_text,
            old_label=f"{args.device}@run{old.run_id} ({fmt_time(old.collected_at)})",
            new_label=f"{args.device}@run{new.run_id} ({fmt_time(new.collected_at)})",
            context=args.context)
        for line in lines:
            print(line, end="")
    return 0
