"""`stormguard lint PATH...` — judge configurations against the storm-prevention policy."""

from __future__ import annotations

import argparse
import gc
import sys
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from stormguard.errors import InputError
    from stormguard.lint import LintReport

HELP = "lint switch/vSwitch configurations against the storm-prevention policy"
DESCRIPTION = (
    "Lint configuration files (or directories of them) against the storm-prevention policy. "
    "Exit 0 when nothing at or above --fail-on is found, 1 when something is (with --strict: "
    "also when a parser warning says part of a config could not be read), 2 on usage or "
    "input errors (the other files are still linted and reported). Text output shows the "
    "fix under each finding (--no-fix hides it); `stormguard fix` applies them."
)

_SEVERITY_CHOICES = ("info", "low", "medium", "high", "critical", "never")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="config files or directories (with --git-diff: limit it to these)")
    p.add_argument("--platform", help="Netmiko device_type of every file (default: detect)")
    p.add_argument("--policy", action="append", default=[], metavar="FILE",
                   help="policy pack merged over the default pack (repeatable)")
    p.add_argument("--format", choices=("text", "json", "junit", "sarif", "codeclimate"),
                   default="text",
                   help="codeclimate: GitLab Code Quality report (default: text)")
    p.add_argument("--fail-on", choices=_SEVERITY_CHOICES, default="medium",
                   help="lowest severity that makes the exit code 1 (default: medium)")
    p.add_argument("--baseline", metavar="FILE",
                   help="earlier --format json output: report only findings that are new")
    p.add_argument("--git-diff", metavar="REV",
                   help="in a git repository of configs: lint only the files changed since REV, "
                        "each judged against its version at REV (only added findings count)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report here, not stdout")
    p.add_argument("--max-results", type=_max_results, default=None, metavar="N",
                   help="SARIF: write at most N results, the most severe first, and say how "
                        "many were left out (default 5000: what GitHub shows per run; 0: all)")
    p.add_argument("--no-color", action="store_true", help="no ANSI colours in text output")
    p.add_argument("--no-fix", action="store_true",
                   help="text output: do not show the remediation under each finding")
    p.add_argument("--strict", action="store_true",
                   help="treat parser warnings (configuration that could not be read) as "
                        "failures: exit 1 when there is any, whatever --fail-on says")


def _max_results(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"invalid count {value!r} (a whole number >= 0)")
    return n


def run(args: argparse.Namespace) -> int:
    # Linting allocates millions of small objects and frees them by reference counting (the
    # parsers and rules make no reference cycles), while the findings of every file so far
    # stay alive: with the cyclic collector on, each full collection walks all of them again
    # (a third of the CPU of a 200-file run). The process ends after one run.
    gc.disable()
    try:
        return _run(args)
    finally:
        gc.enable()


def _run(args: argparse.Namespace) -> int:
    from stormguard.errors import InputError
    from stormguard.formats import render, render_bytes
    from stormguard.parsers import canonical_platform

    platform = canonical_platform(args.platform) if args.platform else None
    if args.git_diff is not None:
        from stormguard.gitdiff import lint_git_diff

        if args.baseline:
            raise InputError("--git-diff and --baseline both choose what counts as new: "
                             "use one of them")
        report = lint_git_diff(
            args.git_diff,
            args.paths,
            platform=platform,
            policy_files=args.policy,
            fail_on=None if args.fail_on == "never" else args.fail_on,
            output=args.output,
        )
    elif not args.paths:
        raise InputError("give at least one PATH to lint (or --git-diff REV)")
    elif args.format == "json" and not args.baseline:
        return _run_streamed(args, platform)
    else:
        report = _lint(args, platform, baseline=args.baseline)
    report.strict = args.strict
    color = args.format == "text" and not args.no_color and not args.output and sys.stdout.isatty()
    from stormguard.formats.sarif_format import DEFAULT_MAX_RESULTS, kept_findings

    cap = DEFAULT_MAX_RESULTS if args.max_results is None else args.max_results
    if args.output:
        out = _Output(args.output)
        try:
            for chunk in render_bytes(report, args.format, color=color, max_results=cap,
                                      fix=not args.no_fix):
                out.write(chunk)
        finally:
            out.close()
    else:
        sys.stdout.write(render(report, args.format, color=color, max_results=cap,
                                fix=not args.no_fix))
    if args.format != "text" or args.output or not sys.stdout.isatty():
        _errors_to_stderr(report)
    if args.format == "sarif":
        kept, omitted = kept_findings(report, cap)
        if omitted:
            print(f"stormguard lint: note: {omitted:,} of {omitted + len(kept):,} findings left "
                  f"out of the SARIF output (--max-results {cap}); the most severe are kept",
                  file=sys.stderr)
    return report.exit_code()


def _lint(args: argparse.Namespace, platform: str | None, **how: Any) -> LintReport:
    """:func:`stormguard.lint.lint_paths` over the command line's paths and options; `how`:
    ``baseline`` or ``on_result``."""
    from stormguard.lint import lint_paths

    return lint_paths(args.paths, platform=platform, policy_files=args.policy,
                      fail_on=None if args.fail_on == "never" else args.fail_on,
                      output=args.output, **how)


def _errors_to_stderr(report: LintReport) -> None:
    """Errors also go to stderr, one line each, so a CI log or a terminal whose stdout is
    redirected shows them whatever the format."""
    for err in report.errors:
        print(f"stormguard lint: error: {err}", file=sys.stderr)


def _run_streamed(args: argparse.Namespace, platform: str | None) -> int:
    """``--format json`` (without ``--baseline``): each file's result is written as soon as
    it is audited and its findings are let go, so a run over hundreds of configs holds one
    file's findings at a time instead of all of them (a 200-file run: ~29 MB of memory instead
    of ~110 MB, and ~6 % less CPU time). The bytes are those of the whole report rendered at
    the end (:class:`stormguard.formats.json_format.JsonStream`)."""
    from stormguard.formats.json_format import JsonStream

    out = _Output(args.output)
    stream = JsonStream(out.write)
    try:
        report = _lint(args, platform, on_result=stream.result)
        report.strict = args.strict
        stream.finish(report)
    finally:
        out.close()
    _errors_to_stderr(report)
    return report.exit_code()


class _Output:
    """Where a report goes: ``-o FILE``, opened at the first write (after
    :func:`stormguard.lint.lint_paths` has made sure it is not one of the inputs, and only
    if there is something to write), or standard output."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.fh: BinaryIO | None = None

    def write(self, piece: bytes | memoryview) -> None:
        if self.path is None:
            sys.stdout.write(str(piece, "ascii"))  # JSON output is ASCII
            return
        try:
            if self.fh is None:
                self.fh = open(self.path, "wb")  # noqa: SIM115 (closed by close())
            self.fh.write(piece)
        except OSError as exc:
            raise self._error(exc) from None

    def close(self) -> None:
        if self.fh is not None:
            fh, self.fh = self.fh, None
            try:
                fh.close()
            except OSError as exc:
                raise self._error(exc) from None

    def _error(self, exc: OSError) -> InputError:
        from stormguard.errors import InputError

        return InputError(f"{self.path}: cannot write the output: {exc.strerror or exc}")
