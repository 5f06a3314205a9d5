"""Small helpers shared by the store-centric commands (db, history, diff, audit).

Kept free of SQLAlchemy at import time: command modules import this at their top level.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stormguard.store.core import Store


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", dest="database_url", default=None,
                        help="database URL (default: $STORMGUARD_DATABASE_URL, database_url in "
                             "stormguard.yaml, else a SQLite file in the user data directory)")
    parser.add_argument("--config", metavar="FILE", default=None,
                        help="stormguard.yaml to read database_url from")


#: Row ids are 64-bit integers on every backend; a larger number is a typo, not a run.
_MAX_ID = 2**63 - 1


def run_id(value: str) -> int:
    """argparse type for ``--run``/``--from``/``--to``: a positive run id, as a one-line
    usage error otherwise (a huge number would overflow the database driver)."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid run id {value!r} (a positive number)") from None
    if not 1 <= n <= _MAX_ID:
        raise argparse.ArgumentTypeError(f"invalid run id {value!r} (a positive number)")
    return n


def count(value: str) -> int:
    """argparse type for counts (``-n``, ``-U``): a whole number >= 0."""
    try:
        n = int(value)
    except ValueError:
        n = -1
    if not 0 <= n <= _MAX_ID:
        raise argparse.ArgumentTypeError(f"invalid count {value!r} (a whole number >= 0)")
    return n


def resolve_url(args: argparse.Namespace) -> str:
    from stormguard.settings import database_url

    return args.database_url or database_url(getattr(args, "config", None))


def open_store(args: argparse.Namespace, *, upgrade: bool = True,
               recover: bool = True) -> Store:
    from stormguard.secrets_mask import keep_secrets_setting
    from stormguard.store.core import Store

    return Store.open(resolve_url(args), upgrade=upgrade, recover=recover,
                      keep_secrets=keep_secrets_setting(getattr(args, "config", None)))


def fmt_time(value) -> str:  # datetime | None
    if value is None:
        return "-"
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain aligned text table (stable output: scripts and tests read it)."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)
