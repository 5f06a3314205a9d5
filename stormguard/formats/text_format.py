"""Human output: grouped by file, one `file:line: severity RULE [interface] message` per finding,
so editors and terminals can jump to the line."""

from __future__ import annotations

from stormguard.findings import SEVERITY_RANK, Finding
from stormguard.lint import LintReport

_COLORS = {"critical": "\033[1;31m", "high": "\033[31m", "medium": "\033[33m",
           "low": "\033[36m", "info": "\033[2m"}
_RESET = "\033[0m"


def _loc(source: str, line: int | None) -> str:
    return f"{source}:{line}" if line else source


def _finding_line(f: Finding, color: bool) -> str:
    sev = f.severity
    if color:
        sev = f"{_COLORS.get(sev, '')}{sev}{_RESET}"
    where = f" [{f.interface}]" if f.interface else ""
    text = f"{_loc(f.source, f.line)}: {sev} {f.rule}{where} {f.message}"
    if f.expected or f.actual:
        text += f" (expected: {f.expected or '-'}; actual: {f.actual or '-'})"
    if f.waived and f.waiver is not None:
        text += f" [waived: {f.waiver.reason or 'no reason'}"
        text += f", owner {f.waiver.owner}" if f.waiver.owner else ""
        text += f", until {f.waiver.expires}]" if f.waiver.expires else "]"
    return text


def render(report: LintReport, *, color: bool = False) -> str:
    out: list[str] = []
    for res in report.results:
        for err in res.errors:
            out.append(f"error: {err}")
        if res.device is None:
            continue
        findings = sorted(res.findings, key=lambda f: (f.line or 0, -SEVERITY_RANK[f.severity]))
        active = [f for f in findings if not f.waived]
        head = f"{res.source} ({res.platform}, {res.device}): "
        head += f"{len(active)} finding{'s' if len(active) != 1 else ''}" if active else "clean"
        waived = len(findings) - len(active)
        if waived:
            head += f", {waived} waived"
        out.append(head)
        for f in findings:
            out.append("  " + _finding_line(f, color))
        for w in res.warnings:
            out.append(f"  note: {w}")
    for w in report.expired_waivers:
        out.append(f"warning: waiver {w.rule} {w.device} {w.interface} expired on {w.expires}"
                   + (f" (declared at {w.source})" if w.source else "")
                   + (f", owner {w.owner}" if w.owner else "") + ": it no longer applies")
    s = report.summary()
    sev = ", ".join(f"{n} {k}" for k, n in s["by_severity"].items() if n)
    line = (f"{s['files']} file{'s' if s['files'] != 1 else ''}, {s['devices']} device"
            f"{'s' if s['devices'] != 1 else ''}: {s['findings']} finding"
            f"{'s' if s['findings'] != 1 else ''}" + (f" ({sev})" if sev else ""))
    if s["waived"]:
        line += f", {s['waived']} waived"
    if s["errors"]:
        line += f", {s['errors']} error{'s' if s['errors'] != 1 else ''}"
    if report.baseline:
        line += f"; {report.baseline_suppressed} already in baseline {report.baseline}"
    verdict = "FAIL" if s["failed"] else "PASS"
    out.append(f"{verdict}: {line} (fail-on {s['fail_on']})")
    return "\n".join(out) + "\n"
