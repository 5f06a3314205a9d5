"""Fixtures for the vSwitch tests: a real user-space Open vSwitch, real Linux bridges in
network namespaces, and the captured state bundles in fixtures/."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stormguard.testing import linuxbridge
from stormguard.testing import ovs as ovs_testing

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


@pytest.fixture(scope="module")
def ovs_lab() -> Iterator[ovs_testing.OvsLab]:
    """One real OVS per test module (startup ~0.2 s, but bridges accumulate: name them
    uniquely per test)."""
    why = ovs_testing.missing_requirements()
    if why:
        pytest.skip(f"Open vSwitch lab unavailable: {why}")
    lab = ovs_testing.OvsLab()
    lab.start()
    try:
        yield lab
    finally:
        lab.close()


@pytest.fixture
def bridge_lab() -> Iterator[linuxbridge.BridgeLab]:
    why = linuxbridge.missing_requirements()
    if why:
        pytest.skip(f"Linux bridge lab unavailable: {why}")
    lab = linuxbridge.BridgeLab()
    lab.start()
    try:
        yield lab
    finally:
        lab.close()
