"""Fixtures for the policy / role-resolution tests; helpers live in ``policy_kit.py``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_HERE = Path(__file__).parent
# policy_kit (here) and vswitch_kit (the vSwitch tests' bundle builders)
for _dir in (str(_HERE), str(_HERE.parent / "vswitch")):
    if _dir not in sys.path:
        sys.path.insert(0, _dir)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
               ) -> Iterator[None]:
    """Never read or write the user's policy cache."""
    monkeypatch.setenv("STORMGUARD_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
