"""Machine output, shape kept stable (version 1)::

    {"version": 1,
     "results": [{"source", "device", "platform",
                  "findings": [{"rule", "severity", "interface", "line", "message",
                                "expected", "actual", "remediation", "waived", "waiver",
                                "role", "role_source" (role-based findings only)}],
                  "errors": [...], "warnings": [...]}],
     "summary": {...}}
"""

from __future__ import annotations

import json
from typing import Any

from stormguard.findings import Finding
from stormguard.lint import JSON_VERSION, LintReport


def finding_dict(f: Finding) -> dict[str, Any]:
    d: dict[str, Any] = {
        "rule": f.rule, "severity": f.severity, "interface": f.interface, "line": f.line,
        "message": f.message, "expected": f.expected, "actual": f.actual,
        "remediation": f.remediation, "waived": f.waived,
    }
    if f.extra.get("role_source"):  # why the port has the role the finding depends on
        d["role"] = f.extra.get("role")
        d["role_source"] = f.extra["role_source"]
    if f.waiver is not None:
        w = f.waiver
        d["waiver"] = {"reason": w.reason, "owner": w.owner, "expires": w.expires,
                       "source": w.source}
    return d


def to_dict(report: LintReport) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "results": [
            {
                "source": r.source, "device": r.device, "platform": r.platform,
                "findings": [finding_dict(f) for f in r.findings],
                "errors": r.errors, "warnings": r.warnings,
            }
            for r in report.results
        ],
        "summary": report.summary(),
    }


def render(report: LintReport) -> str:
    return json.dumps(to_dict(report), indent=2, sort_keys=False) + "\n"
