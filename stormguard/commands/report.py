"""`stormguard report`: render the compliance report of a run from the store.

HTML (one self-contained file), Markdown (chat, tickets) or JSON (machines), all from the same
:class:`stormguard.report.data.ReportData`. Without ``-o`` the report goes to stdout.

Many sites, one store: when the store holds the runs of two or more sites (daemons started with
``--site``), the report without ``--run`` is the report across sites (each site's newest
audited night, and a table saying which site's daemon missed or did not finish its night);
``--site S`` reports one site's newest audited run, ``--all-sites`` forces the view across sites.
"""

from __future__ import annotations

import argparse
import sys

from stormguard.store.cli import add_db_argument, open_store, run_id

HELP = "render the compliance report of a run (HTML, Markdown or JSON)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run", type=run_id, metavar="ID", default=None,
                        help="the run to report on (default: the newest audited run)")
    parser.add_argument("--format", choices=("html", "md", "json"), default=None,
                        help="output format (default: from the -o extension, else html)")
    parser.add_argument("-o", "--output", metavar="PATH", default=None,
                        help="write the report to PATH (default: stdout)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--site", metavar="SITE", default=None,
                       help="the newest audited run of this site")
    where.add_argument("--all-sites", action="store_true",
                       help="one report across sites (the default when the store has runs of "
                            "two or more sites and no --run is given)")
    parser.add_argument("--missed-after", metavar="HOURS", type=float, default=20.0,
                        help="across sites: a site whose newest run started this long before "
                             "the newest run of any site missed its night (default 20)")
    add_db_argument(parser)


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    out = (args.output or "").lower()
    if out.endswith((".md", ".markdown")):
        return "md"
    if out.endswith(".json"):
        return "json"
    return "html"


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from stormguard.errors import InputError
    from stormguard.report.build import build_report_data
    from stormguard.report.render import render

    fmt = _format(args)
    if args.run is not None and (args.site or args.all_sites):
        raise InputError("--run names one run: leave out --site / --all-sites")
    with open_store(args) as store:
        if args.site:
            run = next((r for r in store.list_runs(limit=200, site=args.site)
                        if r.audited and r.status in ("ok", "partial", "failed")), None)
            if run is None:
                raise InputError(f"site {args.site}: no audited run in the store")
            data = build_report_data(store, run.id)
        elif args.all_sites or (args.run is None and len(store.run_sites()) >= 2):
            from stormguard.report.sites import build_sites_report

            data = build_sites_report(store, missed_after_h=args.missed_after)
        else:
            data = build_report_data(store, args.run)
    text = render(data, fmt)
    if args.output is None or args.output == "-":
        sys.stdout.write(text)
        return 0
    path = Path(args.output)
    try:
        _write(path, text)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the report: {exc.strerror or exc}") from None
    run_label = (f"run {data.run.id}" if data.run else
                 f"{len(data.sites)} sites" if data.sites else "report")
    print(f"{run_label}: {data.total_findings} active finding(s) on {data.devices_audited} "
          f"device(s), {data.devices_failed} collection failure(s) -> {path} ({fmt}, "
          f"{len(text.encode('utf-8')):,} bytes)", file=sys.stderr)
    return 0


def _write(path, text: str) -> None:  # path: pathlib.Path
    """Atomically (temp file + rename) for a regular file, so a reader never sees half a
    report; straight through for anything else (``/dev/stdout``, a pipe): renaming over those
    would replace the device or the symlink with a plain file."""
    import os
    import stat

    target = path.resolve() if path.is_symlink() else path
    try:
        special = not stat.S_ISREG(os.stat(target).st_mode)
    except FileNotFoundError:
        special = False
    if special:
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(text)
        return
    if target.parent and not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
