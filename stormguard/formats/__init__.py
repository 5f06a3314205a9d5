"""Output formats of `stormguard lint`: text, json, junit, sarif, codeclimate (GitLab).

Each module exposes ``render(report: LintReport) -> str``; :func:`render` picks one by name.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from stormguard.lint import LintReport

FORMATS: tuple[str, ...] = ("text", "json", "junit", "sarif", "codeclimate")


def render(report: LintReport, fmt: str, *, color: bool = False,
           max_results: int | None = None, fix: bool = True) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    mod = importlib.import_module(f"stormguard.formats.{fmt}_format")
    if fmt == "text":
        return mod.render(report, color=color, fix=fix)
    if fmt == "sarif":
        return mod.render(report, max_results=max_results)
    return mod.render(report)


def render_bytes(report: LintReport, fmt: str, *, color: bool = False,
                 max_results: int | None = None, fix: bool = True
                 ) -> Iterable[bytes | memoryview]:
    """:func:`render` encoded as UTF-8, in pieces to write in order (the JSON format skips
    a decode and an encode of its whole output, and encodes one result at a time)."""
    if fmt == "json":
        from stormguard.formats.json_format import render_bytes as json_bytes

        return json_bytes(report)
    return [render(report, fmt, color=color, max_results=max_results, fix=fix).encode("utf-8")]
