"""GitLab Code Quality (the CodeClimate JSON issue list), for merge-request widgets.

One issue per active finding: ``description`` (message, expected/actual), ``check_name`` (rule
ID), ``fingerprint`` (stable across commits: rule, device, interface, file, so GitLab can tell a
new finding from one that was already there), ``severity`` on Code Quality's scale and
``location.path`` / ``location.lines.begin``. Waived findings are left out (Code Quality has no
notion of an accepted exception; SARIF reports them as suppressed). A file that could not be read
or parsed is an issue too (``check_name`` ``stormguard/input-error``), so the merge request shows
it rather than only the job log.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections import Counter
from pathlib import PurePath
from typing import Any

from stormguard.lint import LintReport

#: stormguard severity -> Code Quality severity (info, minor, major, critical, blocker)
SEVERITY = {"info": "info", "low": "minor", "medium": "major", "high": "critical",
            "critical": "blocker"}
ERROR_CHECK = "stormguard/input-error"


def _path(source: str) -> str:
    """Repository-relative POSIX path (GitLab resolves it against the project root)."""
    p = source
    if os.path.isabs(p):
        with contextlib.suppress(ValueError):  # another drive (Windows runners)
            p = os.path.relpath(p)
    return PurePath(p).as_posix().removeprefix("./")


def _fingerprint(seen: Counter[str], *parts: str) -> str:
    base = "\0".join(parts)
    seen[base] += 1
    if seen[base] > 1:  # the same key twice in one file: keep every fingerprint unique
        base += f"\0{seen[base]}"
    return hashlib.sha256(base.encode()).hexdigest()[:32]


def issues(report: LintReport) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: Counter[str] = Counter()
    for res in report.results:
        path = _path(res.source)
        for f in res.findings:
            if f.waived:
                continue
            text = f.message.rstrip()
            if not text.endswith((".", "!", "?")):
                text += "."
            if f.expected or f.actual:
                text += f" Expected: {f.expected or '-'}. Actual: {f.actual or '-'}."
            where = f"{res.device or f.device}" + (f" {f.interface}" if f.interface else "")
            out.append({
                "type": "issue",
                "description": f"{f.rule} {where}: {text}",
                "check_name": f.rule,
                "fingerprint": _fingerprint(seen, f.rule, f.device, f.interface or "", path),
                "severity": SEVERITY.get(f.severity, "major"),
                "categories": ["Bug Risk"],
                "location": {"path": path, "lines": {"begin": f.line or 1}},
                **({"content": {"body": f"Remediation:\n\n```\n{f.remediation}\n```"}}
                   if f.remediation else {}),
            })
        for err in res.errors:
            out.append({
                "type": "issue",
                "description": err,
                "check_name": ERROR_CHECK,
                "fingerprint": _fingerprint(seen, ERROR_CHECK, path, err),
                "severity": "major",
                "categories": ["Bug Risk"],
                "location": {"path": path, "lines": {"begin": 1}},
            })
    return out


def render(report: LintReport) -> str:
    return json.dumps(issues(report), indent=2) + "\n"
