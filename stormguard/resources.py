"""Locate packaged defaults (policy packs, collector recipes, report templates, examples).

They live at the top of the source tree (`policies/`, `collectors/`, `reports/`, `examples/`)
so users can find and edit them, and are installed as the `stormguard.data.*` packages so they
work after a plain `pip install`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_KINDS = ("policies", "collectors", "reports", "examples")


def data_dir(kind: str) -> Path:
    """Return the directory holding the packaged `kind` files."""
    if kind not in _KINDS:
        raise ValueError(f"unknown data kind {kind!r}")
    try:
        path = Path(str(resources.files(f"stormguard.data.{kind}")))
        if path.is_dir():
            return path
    except (ModuleNotFoundError, TypeError):
        pass
    # Running from a source checkout without installation.
    return Path(__file__).resolve().parent.parent / kind


def data_file(kind: str, name: str) -> Path:
    return data_dir(kind) / name
