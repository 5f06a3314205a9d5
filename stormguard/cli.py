"""The `stormguard` command line.

Each sub-command is a module in :mod:`stormguard.commands` exposing ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. Command modules keep heavy imports (napalm,
netmiko, scapy, sqlalchemy) inside ``run`` so that ``stormguard lint`` stays fast.

Errors derived from :class:`stormguard.errors.StormguardError` are printed as one line on stderr
and end the process with their exit code; nothing else is allowed to print a traceback unless
``STORMGUARD_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from stormguard import __version__


def _command_modules() -> list[str]:
    import stormguard.commands as pkg

    return sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stormguard",
        description="Network-storm prevention and switch audit.",
    )
    parser.add_argument("--version", action="version", version=f"stormguard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _command_modules():
        cli_name = name.replace("_", "-")
        if only is not None and cli_name != only:
            # Register a placeholder so `--help` lists it without importing it.
            sub.add_parser(cli_name)
            continue
        mod = importlib.import_module(f"stormguard.commands.{name}")
        p = sub.add_parser(cli_name, help=getattr(mod, "HELP", None),
                           description=getattr(mod, "DESCRIPTION", getattr(mod, "HELP", None)))
        mod.add_arguments(p)
        p.set_defaults(_module=mod)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl-C while importing or parsing arguments: no traceback
        print("stormguard: interrupted", file=sys.stderr)
        return 130


def _main(argv: list[str] | None) -> int:
    from stormguard.errors import StormguardError

    argv = list(sys.argv[1:] if argv is None else argv)
    # Import only the command being run: keeps `stormguard lint` free of heavy imports.
    first = next((a for a in argv if not a.startswith("-")), None)
    known = {n.replace("_", "-") for n in _command_modules()}
    parser = build_parser(first if first in known else None)
    args = parser.parse_args(argv)
    mod = getattr(args, "_module", None)
    if mod is None:
        parser.print_help()
        return 2
    try:
        return int(mod.run(args) or 0)
    except StormguardError as exc:
        print(f"stormguard {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"stormguard {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # last line of defence: one line, no traceback
        if os.environ.get("STORMGUARD_DEBUG"):
            raise
        print(f"stormguard {args.command}: internal error: {type(exc).__name__}: {exc} "
              "(set STORMGUARD_DEBUG=1 for a traceback)", file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
