"""SARIF 2.1.0, for code-scanning UIs (GitHub, GitLab, Azure DevOps).

Rules come from the rule registry (ID, name, docstring, default severity); results point at the
config file and line, carry a stable fingerprint (rule, device, interface) so a UI tracks one
finding across commits, and waived findings are reported as suppressed with the waiver's reason.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from stormguard import __version__
from stormguard.lint import LintReport

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: The CLI's default cap: GitHub code scanning shows at most 5,000 results per run (the most
#: severe) and rejects a run with more than 25,000.
DEFAULT_MAX_RESULTS = 5_000
#: Above this many results the JSON is written without indentation.
COMPACT_ABOVE = 1_000
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note",
          "info": "note"}


def _uri(path: str) -> str:
    return quote(PurePath(path).as_posix())


def _rules() -> list[dict[str, Any]]:
    from stormguard.rules import all_rules

    out = []
    for rule in all_rules():
        doc = (rule.doc or "").strip()
        title = doc.splitlines()[0] if doc else rule.name
        out.append({
            "id": rule.id,
            "name": rule.name,
            "shortDescription": {"text": title},
            "fullDescription": {"text": doc or title},
            "help": {"text": doc or title},
            "defaultConfiguration": {"level": _LEVEL.get(rule.severity, "warning")},
            "properties": {"tags": ["network", "storm-prevention"],
                           "severity": rule.severity},
        })
    return out


def kept_findings(report: LintReport, max_results: int | None) -> tuple[list[tuple[Any, Any]],
                                                                        int]:
    """(result, finding) pairs to write and how many were left out: all of them when they fit
    under `max_results` (None or 0: no cap), else the most severe first (active before
    waived, then by file and line) up to the cap."""
    pairs = [(res, f) for res in report.results for f in res.findings]
    if not max_results or len(pairs) <= max_results:
        return pairs, 0
    from stormguard.findings import SEVERITY_RANK

    ranked = sorted(pairs, key=lambda p: (p[1].waived, -SEVERITY_RANK.get(p[1].severity, 0),
                                          p[0].source, p[1].line or 0))
    return ranked[:max_results], len(pairs) - max_results


def render(report: LintReport, max_results: int | None = None) -> str:
    rules = _rules()
    index = {r["id"]: i for i, r in enumerate(rules)}
    results: list[dict[str, Any]] = []
    kept, omitted = kept_findings(report, max_results)
    for res, f in kept:
        region = {"startLine": f.line} if f.line else None
        location: dict[str, Any] = {
            "physicalLocation": {"artifactLocation": {"uri": _uri(res.source)}},
        }
        if region:
            location["physicalLocation"]["region"] = region
        logical = {"name": f.interface or "(global)",
                   "fullyQualifiedName": f"{res.device}/{f.interface or '(global)'}",
                   "kind": "resource"}
        location["logicalLocations"] = [logical]
        text = f.message
        if f.expected or f.actual:
            text += f" Expected: {f.expected or '-'}. Actual: {f.actual or '-'}."
        item: dict[str, Any] = {
            "ruleId": f.rule,
            "level": _LEVEL.get(f.severity, "warning"),
            "message": {"text": text},
            "locations": [location],
            "partialFingerprints": {
                "stormguardFinding/v1": hashlib.sha256(
                    "\0".join(f.key).encode()).hexdigest()[:32]
            },
            "properties": {"severity": f.severity, "device": res.device,
                           "platform": res.platform},
        }
        if f.rule in index:
            item["ruleIndex"] = index[f.rule]
        if f.remediation:
            item["properties"]["remediation"] = f.remediation
        if f.extra.get("role_source"):
            item["properties"]["role"] = f.extra.get("role")
            item["properties"]["role_source"] = f.extra["role_source"]
        if f.waived:
            w = f.waiver
            item["suppressions"] = [{
                "kind": "external",
                "status": "accepted",
                "justification": (w.reason if w else "waived")
                + (f" (owner {w.owner}, expires {w.expires})" if w else ""),
            }]
        results.append(item)
    notifications = [
        {"level": "error", "message": {"text": err}}
        for err in report.errors
    ]
    if omitted:
        notifications.append({"level": "warning", "message": {"text": (
            f"{omitted:,} of {omitted + len(kept):,} results left out (--max-results "
            f"{max_results}): the most severe are kept")}})
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "stormguard",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": not report.errors,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    }
    if len(results) > COMPACT_ABOVE:  # indentation is a third of a big file: leave it out
        return json.dumps(doc, separators=(",", ":")) + "\n"
    return json.dumps(doc, indent=2) + "\n"
