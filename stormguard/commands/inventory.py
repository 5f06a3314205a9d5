"""`stormguard inventory check [FILE]` and `stormguard inventory list [FILE]`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter

HELP = "validate or list the device inventory"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("check", "list"),
                        help="check: validate and count; list: one line per host")
    parser.add_argument("file", nargs="?", default=None,
                        help="inventory.yaml, or a directory with hosts.yaml/groups.yaml/"
                             "defaults.yaml (default: $STORMGUARD_INVENTORY, "
                             "else ./inventory.yaml)")
    parser.add_argument("--limit", metavar="GLOB", default=None,
                        help="list only these hosts: name glob, site:GLOB, group:NAME, tag:NAME")


def run(args: argparse.Namespace) -> int:
    from stormguard.inventory import InventoryError, check_inventory, inventory_path

    # The command prints the warnings itself; keep the logger from printing them twice.
    logging.getLogger("stormguard.inventory").addHandler(logging.NullHandler())
    logging.getLogger("stormguard.inventory").propagate = False
    path = inventory_path(args.file)
    inv, errors, warnings = check_inventory(path)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    if errors or inv is None:
        if args.action == "check":
            for e in errors:
                print(e, file=sys.stderr)
            print(f"{path}: {len(errors)} error(s)", file=sys.stderr)
            return 2
        raise InventoryError(errors)
    hosts = inv.select(args.limit)
    if args.action == "check":
        platforms = Counter(h.platform for h in hosts)
        sites = {h.site for h in hosts if h.site}
        plat = ", ".join(f"{p} {n}" for p, n in sorted(platforms.items()))
        print(f"OK: {path}: {len(hosts)} host(s), {len(inv.groups)} group(s), "
              f"{len(sites)} site(s); platforms: {plat or 'none'}")
        return 0
    from stormguard.store.cli import table

    rows = [[h.name, h.hostname, str(h.port), h.platform, h.site or "-",
             ",".join(h.groups) or "-", ",".join(h.tags) or "-", h.transport,
             h.credentials.username or "-", _cred_kind(h)] for h in hosts]
    print(table(["NAME", "HOSTNAME", "PORT", "PLATFORM", "SITE", "GROUPS", "TAGS", "TRANSPORT",
                 "USER", "SECRET"], rows))
    return 0


def _cred_kind(h) -> str:  # h: Host
    """Where the secret comes from -- never the secret itself."""
    c = h.credentials
    if c.password_env:
        return f"env:{c.password_env}"
    if c.password_file:
        return "file"
    if c.password is not None:
        return "plaintext!"
    if c.ssh_key_file:
        return "key"
    if c.prompt:
        return "prompt"
    return "-"
