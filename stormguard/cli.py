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
from typing import Any

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
            # The command line names `only`: the other commands are neither parsed nor listed
            # (its own --help and its errors show only its usage), and each parser argparse
            # builds costs ~0.5 ms of `stormguard lint`'s start-up (gettext look-ups, a
            # terminal-size query), 20 commands of them.
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
    guard = _GuardedStdout(sys.stdout)
    sys.stdout = guard  # type: ignore[assignment]
    try:
        rc = int(mod.run(args) or 0)
        sys.stdout.flush()  # a full disk shows here, not as a silent loss at exit
        return rc
    except StormguardError as exc:
        print(f"stormguard {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"stormguard {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        if exc is not guard.failure:
            return _internal_error(args.command, exc)
        # closed pipe, full disk, I/O error: a CI step must not read this as success
        print(f"stormguard {args.command}: error: cannot write to standard output: "
              f"{exc.strerror or type(exc).__name__}", file=sys.stderr)
        guard.discard()
        return 2
    except Exception as exc:  # last line of defence: one line, no traceback
        return _internal_error(args.command, exc)
    finally:
        sys.stdout = guard.stream


class _GuardedStdout:
    """``sys.stdout`` that remembers a failed write or flush (a closed pipe, ``> /dev/full``),
    so the CLI can tell it from other OS errors and report it in one line with exit 2."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.failure: OSError | None = None

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except OSError as exc:
            self.failure = exc
            raise

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as exc:
            self.failure = exc
            raise

    def discard(self) -> None:
        """Point the real stdout at /dev/null so the interpreter's flush at exit does not fail
        a second time with a traceback-like "Exception ignored" message."""
        if self.stream is sys.__stdout__ and self.stream is not None:
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, self.stream.fileno())
                os.close(devnull)
            except (OSError, ValueError):
                pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _internal_error(command: str, exc: Exception) -> int:
    if os.environ.get("STORMGUARD_DEBUG"):
        raise exc
    print(f"stormguard {command}: internal error: {type(exc).__name__}: {exc} "
          "(set STORMGUARD_DEBUG=1 for a traceback)", file=sys.stderr)
    return 3


if __name__ == "__main__":
    raise SystemExit(main())
