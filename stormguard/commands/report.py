"""`stormguard report`: render the compliance report of a run from the store.

HTML (one self-contained file), Markdown (chat, tickets) or JSON (machines), all from the same
:class:`stormguard.report.data.ReportData`. Without ``-o`` the report goes to stdout.
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
    with open_store(args) as store:
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
    run_label = f"run {data.run.id}" if data.run else "report"
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
