"""Locate packaged defaults (policy packs, collector recipes, report templates, examples).

They live at the top of the source tree (`policies/`, `collectors/`, `reports/`, `examples/`)
so users can find and edit them, and are installed as the `stormguard.data.*` packages so they
work after a plain `pip install`.
"""

from __future__ import annotations

from pathlib import Path

_KINDS = ("policies", "collectors", "reports", "examples")


def data_dir(kind: str) -> Path:
    """Return the directory holding the packaged `kind` files.

    Installed (wheel): ``stormguard/data/<kind>``. Source checkout or editable install: the
    top-level ``<kind>/`` folder next to the package.
    """
    if kind not in _KINDS:
        raise ValueError(f"unknown data kind {kind!r}")
    here = Path(__file__).resolve().parent
    installed = here / "data" / kind
    if installed.is_dir():
        return installed
    return here.parent / kind


def data_file(kind: str, name: str) -> Path:
    return data_dir(kind) / name
