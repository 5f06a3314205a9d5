"""tests/fix: the fix round trip and the remediation contract; helpers in ``fixconfigs.py``."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
