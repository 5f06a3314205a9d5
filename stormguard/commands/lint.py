"""`stormguard lint PATH...` — judge configurations against the storm-prevention policy."""

from __future__ import annotations

import argparse
import sys

HELP = "lint switch/vSwitch configurations against the storm-prevention policy"
DESCRIPTION = (
    "Lint configuration files (or directories of them) against the storm-prevention policy. "
    "Exit 0 when nothing at or above --fail-on is found, 1 when something is, 2 on usage or "
    "input errors (the other files are still linted and reported)."
)

_SEVERITY_CHOICES = ("info", "low", "medium", "high", "critical", "never")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="config files or directories")
    p.add_argument("--platform", help="Netmiko device_type of every file (default: detect)")
    p.add_argument("--policy", action="append", default=[], metavar="FILE",
                   help="policy pack merged over the default pack (repeatable)")
    p.add_argument("--format", choices=("text", "json", "junit", "sarif"), default="text")
    p.add_argument("--fail-on", choices=_SEVERITY_CHOICES, default="medium",
                   help="lowest severity that makes the exit code 1 (default: medium)")
    p.add_argument("--baseline", metavar="FILE",
                   help="earlier --format json output: report only findings that are new")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report here, not stdout")
    p.add_argument("--no-color", action="store_true", help="no ANSI colours in text output")


def run(args: argparse.Namespace) -> int:
    from stormguard.formats import render
    from stormguard.lint import lint_paths
    from stormguard.parsers import canonical_platform

    platform = canonical_platform(args.platform) if args.platform else None
    report = lint_paths(
        args.paths,
        platform=platform,
        policy_files=args.policy,
        fail_on=None if args.fail_on == "never" else args.fail_on,
        baseline=args.baseline,
    )
    color = args.format == "text" and not args.no_color and not args.output and sys.stdout.isatty()
    text = render(report, args.format, color=color)
    if args.output:
        from stormguard.errors import InputError

        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise InputError(f"{args.output}: cannot write the output: "
                             f"{exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)
    if args.format != "text" or args.output or not sys.stdout.isatty():
        # Errors also go to stderr, one line each, so a CI log or a terminal whose stdout is
        # redirected shows them whatever the format.
        for err in report.errors:
            print(f"stormguard lint: error: {err}", file=sys.stderr)
    return report.exit_code()
