"""`stormguard daemon`: run the scheduled jobs, the sniffers and the metrics endpoint.

Everything comes from one ``stormguard.yaml`` (``--config``, ``$STORMGUARD_CONFIG`` or
``./stormguard.yaml``), every key overridable from the environment. Logs go to stdout, one
structured line per event (``--log-format json`` for log shippers). SIGTERM/SIGINT stop it
cleanly (exit 0); see :mod:`stormguard.daemon.service`.
"""

from __future__ import annotations

import argparse

HELP = "run the nightly pipeline on schedule, the storm sniffers and the metrics endpoint"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", "-c", metavar="FILE", default=None,
                        help="stormguard.yaml (default: $STORMGUARD_CONFIG, ./stormguard.yaml)")
    parser.add_argument("--log-format", choices=("text", "json"), default=None,
                        help="log line format on stdout (default: log_format in the config)")


def run(args: argparse.Namespace) -> int:
    from stormguard.config import load_config
    from stormguard.daemon.logging import setup_logging
    from stormguard.daemon.service import run_daemon

    cfg = load_config(args.config)
    setup_logging(args.log_format or cfg.log_format, cfg.log_level)
    return run_daemon(cfg)
