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
    extra = f.extra
    if extra and extra.get("role_source"):  # why the port has the role the finding depends on
        d["role"] = extra.get("role")
        d["role_source"] = extra["role_source"]
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
                "findings": list(map(finding_dict, r.findings)),
                "errors": r.errors, "warnings": r.warnings,
            }
            for r in report.results
        ],
        "summary": report.summary(),
    }


def render(report: LintReport) -> str:
    return dumps_indented(to_dict(report))


def render_bytes(report: LintReport) -> list[bytes]:
    """:func:`render` as UTF-8 bytes, in pieces to write one after the other: a 200-file run
    writes ~64 MB, and decoding orjson's bytes to text only for the file to encode them
    again (plus the copy that appends the newline) cost three passes over all of it."""
    return dumps_indented_bytes(to_dict(report))


def dumps_indented(doc: Any) -> str:
    """``json.dumps(doc, indent=2) + "\n"``, byte for byte, through orjson when it can.

    orjson writes the same layout (two-space indent, ``": "``, ``","`` at line ends) about
    twenty times faster. It writes non-ASCII and DEL raw where ``json.dumps`` escapes them
    (``ensure_ascii``), and refuses what ``json`` takes (lone surrogates, integers beyond
    64 bits, non-string keys) or writes differently (NaN): any output that is not plain
    printable ASCII, and any refusal, goes through ``json.dumps`` instead, so the output never
    depends on which encoder ran. Floats do not occur in this document.
    """
    return b"".join(dumps_indented_bytes(doc)).decode("ascii")


def dumps_indented_bytes(doc: Any) -> list[bytes]:
    """:func:`dumps_indented` encoded (it is ASCII), as pieces: the document, the newline."""
    try:
        import orjson
    except ImportError:  # a stripped-down install: the standard library is always right
        orjson = None
    if orjson is not None:
        try:
            out = orjson.dumps(doc, option=orjson.OPT_INDENT_2)
        except (TypeError, ValueError):
            out = None
        if out is not None and out.isascii() and b"\x7f" not in out:
            return [out, b"\n"]
    return [json.dumps(doc, indent=2, sort_keys=False).encode("ascii"), b"\n"]
