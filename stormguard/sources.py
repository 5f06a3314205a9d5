"""Read configuration files for linting: expand paths, refuse what is not a configuration.

Everything here fails with :class:`stormguard.errors.InputError` whose message names the file
and says what is wrong in one line; the caller records it and goes on with the other files.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

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


def expand_paths(paths: list[str],
                 skipped: list[tuple[str, str]] | None = None) -> Iterator[str]:
    """Files as given; directories walked recursively (hidden entries and non-config suffixes
    skipped), in sorted order so output is stable. A path that does not exist is yielded as-is,
    so reading it reports the problem. In a directory, stormguard's own reports (whatever their
    name: recognised by content) are passed over and, when `skipped` is given, appended to it
    as (path, what it is)."""
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
                    kind = report_kind_of_file(full)
                    if kind is not None:
                        if skipped is not None:
                            skipped.append((full, kind))
                        continue
                    yield full
        else:
            yield raw


# stormguard lint's own outputs, recognised by their shape (a report saved as `out.cfg` or a
# baseline called `baseline` is still not a configuration):
_JSON_REPORT = re.compile(rb'\A\s*\{\s*"version"\s*:\s*1\s*,\s*"results"\s*:\s*\[')
_SARIF = re.compile(rb'\A\s*\{\s*"\$schema"\s*:\s*"[^"]*sarif[^"]*"', re.IGNORECASE)
_JUNIT = re.compile(rb'\A\s*(<\?xml[^>]*\?>\s*)?<testsuites\s+name="stormguard lint"')
_CODECLIMATE = re.compile(rb'\A\s*\[\s*(\]|\{\s*"type"\s*:\s*"issue"\s*,\s*"description")')
_TEXT_VERDICT = re.compile(rb"^(PASS|FAIL): \d+ files?, \d+ devices?: \d+ findings?.*"
                           rb"\(fail-on \w+\)\s*\Z", re.MULTILINE)
_PEEK = 4096


def report_kind(head: bytes, tail: bytes = b"") -> str | None:
    """What kind of `stormguard lint` output a file is, from its first and last bytes
    ("JSON report", "SARIF report", "JUnit XML report", "Code Quality report", "text
    report"), or None."""
    if _JSON_REPORT.match(head):
        return "JSON report"
    if _SARIF.match(head):
        return "SARIF report"
    if _JUNIT.match(head):
        return "JUnit XML report"
    if _CODECLIMATE.match(head):
        return "Code Quality report"
    last = tail or head
    # a verdict line starts with one of these: two `in` tests (memchr-fast) spare the
    # line-anchored search, which tries every position (~20 us per file, twice per file)
    if (b"PASS: " in last or b"FAIL: " in last) and _TEXT_VERDICT.search(last):
        return "text report"
    return None


def report_kind_of_file(path: str) -> str | None:
    """:func:`report_kind` of a regular file; None when it cannot be read (reading it later
    reports why)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_PEEK)
            size = os.fstat(fh.fileno()).st_size
            if size > _PEEK:
                fh.seek(max(size - _PEEK, _PEEK))
                tail = fh.read(_PEEK)
            else:
                tail = head
    except OSError:
        return None
    return report_kind(head, tail)


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
    # a text has at most len + 1 lines: counting them (~40 us per 100 kB) only when it could
    # have too many
    if len(text) >= MAX_LINES and (lines := text.count("\n") + 1) > MAX_LINES:
        raise InputError(f"{where}: {lines:,} lines is more than the {MAX_LINES:,}-line limit")
    # JSON state bundles (vSwitches) may legitimately be one long line.
    # (The first tests are cheap bounds in C; the walk finds the line number for the message.)
    if (len(text) > MAX_LINE_LENGTH and not text.lstrip().startswith("{")
            and _has_long_line(text)):
        longest, at = _longest_line(text)
        if longest > MAX_LINE_LENGTH:
            raise InputError(
                f"{where}:{at}: line of {longest:,} characters is longer than the "
                f"{MAX_LINE_LENGTH:,}-character limit"
            )
    return text


def _has_long_line(text: str) -> bool:
    """Whether a line of `text` is longer than :data:`MAX_LINE_LENGTH`, in a few C scans:
    from each position, the last newline within the next MAX_LINE_LENGTH + 1 characters ends
    every line that starts before it within bounds; none there means the line at the
    position is too long. (Splitting a 100 kB config into its lines to measure them cost
    ~0.2 ms per file.)"""
    pos, end = 0, len(text)
    while end - pos > MAX_LINE_LENGTH:
        nl = text.rfind("\n", pos, pos + MAX_LINE_LENGTH + 1)
        if nl < 0:
            return True
        pos = nl + 1
    return False


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


def _read_capped(fh: BinaryIO, st: os.stat_result) -> bytes:
    """At most MAX_BYTES + 1 bytes of `fh` (a device such as /dev/zero stops at the cap).
    A regular file is read with its size as the request: asking for the cap itself makes
    Python allocate a 64 MB buffer first (~40 us per file); a file that grew since the stat
    is read on up to the cap."""
    if not stat.S_ISREG(st.st_mode):
        return fh.read(MAX_BYTES + 1)
    data = fh.read(st.st_size + 1)
    if len(data) > st.st_size:  # it grew
        data += fh.read(MAX_BYTES + 1 - len(data))
    return data


def read_config(path: str) -> SourceText:
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if stat.S_ISREG(st.st_mode) and st.st_size > MAX_BYTES:  # refused unread
                raise InputError(f"{path}: larger than the {MAX_BYTES:,}-byte limit")
            data = _read_capped(fh, st)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    kind = report_kind(data[:_PEEK], data[-_PEEK:])
    if kind is not None:
        raise InputError(f"{path}: a stormguard lint {kind}, not a configuration")
    return SourceText(path, decode_config(data, path))
