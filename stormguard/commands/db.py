"""`stormguard db upgrade|current|history`: manage the store's schema (Alembic)."""

from __future__ import annotations

import argparse

from stormguard.store.cli import add_db_argument, open_store, resolve_url

HELP = "manage the database schema (upgrade, current, history)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("upgrade", "current", "history"),
                        help="upgrade: migrate to the newest schema; current: show the schema "
                             "revision; history: list the migrations")
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    from alembic.script import ScriptDirectory

    store = open_store(args, upgrade=False, recover=False)
    try:
        script = ScriptDirectory.from_config(store.alembic_config())
        head = script.get_current_head()
        if args.action == "history":
            current = store.current_revision()
            for rev in script.walk_revisions():
                mark = "  (current)" if rev.revision == current else ""
                mark += "  (head)" if rev.revision == head else ""
                print(f"{rev.revision}  {rev.doc.splitlines()[0] if rev.doc else ''}{mark}")
            return 0
        before = store.current_revision()
        if args.action == "current":
            state = ("up to date" if before == head
                     else f"head is {head}: run `stormguard db upgrade`")
            print(f"{store.url}: revision {before or '(empty)'} ({state})")
            return 0
        if store.read_only:
            from stormguard.store.core import StoreError

            raise StoreError(f"cannot upgrade the store at {store.url}: it is read-only "
                             "for this user")
        store.upgrade()
        from stormguard.store.core import tighten_permissions

        for change in tighten_permissions(resolve_url(args)):  # a store made before 0700/0600
            print(change)
        after = store.current_revision()
        if before == after:
            print(f"{store.url}: already at revision {after}")
        else:
            print(f"{store.url}: upgraded {before or '(empty)'} -> {after}")
        return 0
    finally:
        store.close()
