"""`stormguard daemon`: run the scheduled jobs, the sniffers and the metrics endpoint.

Everything comes from one ``stormguard.yaml`` (``--config``, ``$STORMGUARD_CONFIG`` or
``./stormguard.yaml``), every key overridable from the environment. Logs go to stdout, one
structured line per event (``--log-format json`` for log shippers). SIGTERM/SIGINT stop it
cleanly (exit 0); see :mod:`stormguard.daemon.service`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stormguard.config import StormguardConfig

HELP = "run the nightly pipeline on schedule, the storm sniffers and the metrics endpoint"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", "-c", metavar="FILE", default=None,
                        help="stormguard.yaml (default: $STORMGUARD_CONFIG, ./stormguard.yaml)")
    parser.add_argument("--log-format", choices=("text", "json"), default=None,
                        help="log line format on stdout (default: log_format in the config)")
    parser.add_argument("--site", metavar="SITE", default=None,
                        help="collect and audit only this site's inventory (overrides `site:` "
                             "in the config); runs and job locks are per site in a shared store")


def with_site(cfg: StormguardConfig, site: str | None) -> StormguardConfig:
    """`cfg` with ``--site`` applied (validated like ``site:`` in the file)."""
    if site is None:
        return cfg
    from pydantic import ValidationError

    from stormguard.config import StormguardConfig
    from stormguard.errors import InputError

    try:
        StormguardConfig.model_validate({"site": site})
    except ValidationError:
        raise InputError(f"--site {site!r}: letters, digits, '.', '_' and '-' only") from None
    return cfg.model_copy(update={"site": site})


def run(args: argparse.Namespace) -> int:
    from stormguard.config import load_config
    from stormguard.daemon.logging import setup_logging
    from stormguard.daemon.service import run_daemon

    cfg = with_site(load_config(args.config), args.site)
    setup_logging(args.log_format or cfg.log_format, cfg.log_level)
    return run_daemon(cfg)
