"""Fixtures for the rule, policy and engine tests; helpers live in ``sgrules_kit.py``."""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from sgrules_kit import default_policy  # noqa: E402,F401  (fixture re-export)
