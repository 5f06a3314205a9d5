"""Output formats of `stormguard lint`: text, json, junit, sarif, codeclimate (GitLab).

Each module exposes ``render(report: LintReport) -> str``; :func:`render` picks one by name.
"""

from __future__ import annotations

import importlib

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
