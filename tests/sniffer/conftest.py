"""Fixtures for the sniffer tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stormguard.testing.netns import NetnsLab


@pytest.fixture
def netns_lab() -> Iterator[NetnsLab]:
    with NetnsLab() as lab:
        yield lab
