"""Fixtures for the Junos / Huawei VRP / H3C Comware parser tests.

The captured-looking configurations live in ``fixtures/``. Line numbers are asserted against the
text itself (``line_of`` finds the line a statement is on), so a test states *which statement*
a value must point at rather than a bare number that silently goes stale when a fixture grows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def _read(name: str) -> str:
    with open(FIXTURES / name, encoding="utf-8", newline="") as fh:
        return fh.read()


@pytest.fixture
def load() -> Callable[[str], str]:
    """The text of a fixture file, line ends untouched (CRLF stays CRLF)."""
    return _read


def _line_of(text: str, needle: str, after: int = 0) -> int:
    """1-based number of the first line after line `after` whose stripped text is `needle`."""
    lines = text.replace("\r\n", "\n").split("\n")
    for no in range(after + 1, len(lines) + 1):
        if lines[no - 1].strip() == needle:
            return no
    raise AssertionError(f"{needle!r} not found after line {after}")


@pytest.fixture
def line_of() -> Callable[..., int]:
    return _line_of
