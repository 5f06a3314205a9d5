"""Fixtures for the Cisco-style parser tests: captured-looking configs and a line finder."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def read_fixture(name: str) -> str:
    """The fixture's text exactly as captured (CRLF line ends are kept)."""
    with open(FIXTURES / name, encoding="utf-8", newline="") as fh:
        return fh.read()


def find_line(text: str, line: str, after: str | None = None) -> int:
    """1-based number of the first line reading `line` (stripped), after the line `after`.

    Tests use this to state *which* statement a value came from without hard-coding numbers
    that a fixture edit would shift.
    """
    rows = text.split("\n")
    start = 0
    if after is not None:
        start = next(i for i, r in enumerate(rows) if r.rstrip("\r") == after) + 1
    for i in range(start, len(rows)):
        if rows[i].strip() == line:
            return i + 1
    raise AssertionError(f"{line!r} not found after {after!r}")


@pytest.fixture(name="find_line")
def find_line_fixture():
    return find_line


@pytest.fixture(name="read_fixture")
def read_fixture_fixture():
    return read_fixture


@pytest.fixture
def ios_text() -> str:
    return read_fixture("ios_access_stack.cfg")


@pytest.fixture
def nxos_text() -> str:
    return read_fixture("nxos_leaf.cfg")


@pytest.fixture
def eos_text() -> str:
    return read_fixture("eos_leaf.cfg")
