"""Unified diffs of two configurations, as ``stormguard diff`` and SG601 drift findings show them.

Pure (``difflib`` only). Each line of the result ends with a newline, including the last line
of a text that had none (``\\ No newline at end of file`` is not worth a line in a report).
"""

from __future__ import annotations

import difflib


def unified_config_diff(old_text: str, new_text: str, *, old_label: str, new_label: str,
                        context: int = 3) -> list[str]:
    """The unified diff from `old_text` to `new_text`, one string per line (newline-terminated);
    empty when the texts are equal."""
    lines = difflib.unified_diff(old_text.splitlines(keepends=True),
                                 new_text.splitlines(keepends=True),
                                 fromfile=old_label, tofile=new_label, n=context)
    return [line if line.endswith("\n") else line + "\n" for line in lines]


def diff_stats(diff: list[str]) -> tuple[int, int]:
    """(lines added, lines removed) of a unified diff from :func:`unified_config_diff`."""
    added = sum(1 for ln in diff if ln.startswith("+") and not ln.startswith("+++"))
    removed = sum(1 for ln in diff if ln.startswith("-") and not ln.startswith("---"))
    return added, removed
