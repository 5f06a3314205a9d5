"""Read configuration files for linting: expand paths, refuse what is not a configuration.

Everything here fails with :class:`stormguard.errors.InputError` whose message names the file
and says what is wrong in one line; the caller records it and goes on with the other files.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stormguard.errors import InputError

#: Limits that stop a runaway input before it costs minutes. The largest real running configs
#: (chassis switches with thousands of ports) are around 100,000 lines.
MAX_LINES = 500_000
MAX_LINE_LENGTH = 64 * 1024
MAX_BYTES = 64 * 1024 * 1024

#: In a directory, files with these suffixes are not configurations and are passed over.
_SKIP_SUFFIXES = frozenset({
    ".md", ".rst", ".py", ".pyc", ".yaml", ".yml", ".toml", ".ini", ".png", ".jpg", ".jpeg",
    ".gif", ".svg", ".pdf", ".gz", ".zip", ".tar", ".tgz", ".xz", ".bz2", ".html", ".css", ".js",
    ".pcap", ".pcapng", ".sarif", ".xml", ".db", ".sqlite",
})


@dataclass(frozen=True, slots=True)
class SourceText:
    path: str  # as the user named it (relative paths stay relative)
    text: str


def expand_paths(paths: list[str]) -> Iterator[str]:
    """Files as given; directories walked recursively (hidden entries and non-config suffixes
    skipped), in sorted order so output is stable. A path that does not exist is yielded as-is,
    so reading it reports the problem."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith(".") or Path(name).suffix.lower() in _SKIP_SUFFIXES:
                        continue
                    full = os.path.join(root, name)
                    if _special(full):
                        continue
                    yield full
        else:
            yield raw


def _special(path: str) -> bool:
    """A FIFO, socket or device found while walking a directory: reading a FIFO blocks for
    ever, a device never ends. Pass over it. (Named on the command line, a FIFO is read:
    ``stormguard lint <(ssh sw1 show run)`` is a pipe.) Broken links are not special: reading
    them reports the problem."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode)


def decode_config(data: bytes, where: str) -> str:
    """Bytes to text, refusing empty, binary, non-UTF-8 and runaway inputs."""
    if not data.strip():
        raise InputError(f"{where}: empty file")
    if len(data) > MAX_BYTES:
        raise InputError(f"{where}: larger than the {MAX_BYTES:,}-byte limit")
    if b"\x00" in data:
        raise InputError(f"{where}: binary file (contains NUL bytes), not a configuration")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{where}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise InputError(f"{where}: {lines:,} lines is more than the {MAX_LINES:,}-line limit")
    # JSON state bundles (vSwitches) may legitimately be one long line.
    if len(text) > MAX_LINE_LENGTH and not text.lstrip().startswith("{"):
        longest, at = _longest_line(text)
        if longest > MAX_LINE_LENGTH:
            raise InputError(
                f"{where}:{at}: line of {longest:,} characters is longer than the "
                f"{MAX_LINE_LENGTH:,}-character limit"
            )
    return text


def _longest_line(text: str) -> tuple[int, int]:
    best = best_at = 0
    start = 0
    n = 1
    while True:
        end = text.find("\n", start)
        length = (len(text) if end < 0 else end) - start
        if length > best:
            best, best_at = length, n
        if end < 0:
            return best, best_at
        start = end + 1
        n += 1


def read_config(path: str) -> SourceText:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return SourceText(path, decode_config(data, path))
