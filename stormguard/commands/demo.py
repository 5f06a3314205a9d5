"""`stormguard demo`: a demo network on loopback, one nightly run, the HTML report.

Fake switches of every supported platform (real SSH servers with realistic configs), plus a
private Open vSwitch and Linux bridges when this host allows it (root); one run of the nightly
pipeline; the report copied to ``./stormguard-demo-report.html`` (or ``-o``); a summary table;
and everything it started is stopped again. ``--keep`` leaves the daemon running against the
demo network until Ctrl-C.
"""

from __future__ import annotations

import argparse

HELP = "run the nightly pipeline once against a built-in demo network and show the report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", metavar="PATH", default=None,
                        help="where to keep the HTML report (a file, or a directory); default "
                             "./stormguard-demo-report.html")
    parser.add_argument("--keep", action="store_true",
                        help="after the run, keep the daemon running against the demo network "
                             "until Ctrl-C")
    parser.add_argument("--no-vswitches", action="store_true",
                        help="fake switches only (no Open vSwitch, no Linux bridges)")
    parser.add_argument("--metrics-listen", metavar="HOST:PORT", default="127.0.0.1:9731",
                        help="with --keep: the Prometheus endpoint (default 127.0.0.1:9731)")


def run(args: argparse.Namespace) -> int:
    from stormguard.demo.run import run_demo
    from stormguard.errors import StormguardError

    try:  # a dependency of stormguard; an install made with --no-deps may lack it
        import fakenos  # noqa: F401
    except ModuleNotFoundError:
        raise StormguardError("the demo's fake switches need fakenos, which is not installed: "
                              "pip install 'fakenos>=1.1,<2'") from None

    return run_demo(args.output, keep=args.keep, vswitches=not args.no_vswitches,
                    metrics_listen=args.metrics_listen)
