"""Bounded reads of the small files stormguard is pointed at (policy packs, baselines,
inventories, stormguard.yaml, password and URL files).

A path is whatever the user typed, so it may be ``/dev/zero`` (never ends), ``/dev/urandom``,
a FIFO nobody writes to (blocks for ever), or a multi-gigabyte file given by mistake. Every
read here is capped in bytes and, for anything that is not a regular file, in idle time; what
breaks a limit is a one-line error naming the file and the limit, never a hang.

Regular files are refused by their size before a byte is read. Pipes and devices are read
without blocking: a FIFO whose writer says nothing for :data:`IDLE_TIMEOUT_S` is refused.
Keep this module free of imports beyond the standard library (``stormguard lint`` uses it).
"""

from __future__ import annotations

import os
import select
import stat
import time

from stormguard.errors import ConfigError, StormguardError

#: stormguard.yaml, policy packs and inventories: a 10,000-host inventory is ~2 MB.
MAX_SETTINGS_BYTES = 16 * 1024 * 1024
#: A `lint --format json` baseline: ~1 KB per finding, so room for 100,000 findings.
MAX_BASELINE_BYTES = 128 * 1024 * 1024
#: password_file, url_file and other single-secret files: a line, not a document.
MAX_SECRET_BYTES = 4 * 1024
#: A pipe or device that sends nothing for this long is given up on.
IDLE_TIMEOUT_S = 1.0

_CHUNK = 1 << 20


def read_bytes(path: str | os.PathLike[str], limit: int, what: str,
               error: type[StormguardError] = ConfigError,
               idle_timeout: float = IDLE_TIMEOUT_S) -> bytes:
    """At most `limit` bytes of `path`, or `error` with a one-line message naming the file.

    `what` names the kind of file for messages ("policy file", "password_file"). Missing files,
    directories and permission problems are errors too (``FileNotFoundError`` is left to callers
    that want their own wording: they catch it before anything else).
    """
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise error(f"{name}: {what} is a directory") from None
    except OSError as exc:
        raise error(f"{name}: cannot read {what}: {exc.strerror or type(exc).__name__}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise error(f"{name}: {what} is a directory")
        if stat.S_ISREG(st.st_mode):
            if st.st_size > limit:
                raise error(_too_big(name, what, limit))
            return _read_regular(fd, name, what, limit, error)
        return _read_stream(fd, name, what, limit, error, idle_timeout)
    finally:
        os.close(fd)


def read_text(path: str | os.PathLike[str], limit: int, what: str,
              error: type[StormguardError] = ConfigError,
              idle_timeout: float = IDLE_TIMEOUT_S) -> str:
    """:func:`read_bytes` decoded as UTF-8 (a BOM is dropped); binary or non-UTF-8 content is a
    one-line error that never quotes the bytes (they may be a secret)."""
    data = read_bytes(path, limit, what, error, idle_timeout)
    name = os.fspath(path)
    if b"\x00" in data:
        raise error(f"{name}: {what} is binary (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(f"{name}:{line}: {what} is not UTF-8 text") from None


def _too_big(name: str, what: str, limit: int) -> str:
    return f"{name}: {what} is larger than the {limit:,}-byte limit"


def _read_regular(fd: int, name: str, what: str, limit: int,
                  error: type[StormguardError]) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:  # the file may grow while read: the cap holds whatever st_size said
        try:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
        except OSError as exc:
            raise error(f"{name}: cannot read {what}: {exc.strerror or exc}") from None
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        total += len(chunk)
        if total > limit:
            raise error(_too_big(name, what, limit))


def _read_stream(fd: int, name: str, what: str, limit: int, error: type[StormguardError],
                 idle_timeout: float) -> bytes:
    """A FIFO or device, without ever blocking: poll with an idle deadline. On Linux a FIFO that
    never had a writer polls as not ready (no HUP), so it ends in the idle timeout, not EOF."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    parts: list[bytes] = []
    total = 0
    deadline = time.monotonic() + idle_timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(int(remaining * 1000) + 1):
            if time.monotonic() < deadline:
                continue
            raise error(f"{name}: {what}: nothing to read for {idle_timeout:g} s "
                        "(a pipe nobody writes to?)")
        try:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
        except BlockingIOError:
            continue
        except OSError as exc:
            raise error(f"{name}: cannot read {what}: {exc.strerror or exc}") from None
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        total += len(chunk)
        if total > limit:
            raise error(_too_big(name, what, limit))
        deadline = time.monotonic() + idle_timeout
