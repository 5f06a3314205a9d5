"""Human output: grouped by file, one `file:line: severity RULE [interface] message` per finding,
so editors and terminals can jump to the line."""

from __future__ import annotations

import re

from stormguard.findings import SEVERITY_RANK, Finding
from stormguard.lint import LintReport, visible

_COLORS = {"critical": "\033[1;31m", "high": "\033[31m", "medium": "\033[33m",
           "low": "\033[36m", "info": "\033[2m"}
_RESET = "\033[0m"
_LINE = re.compile(r"line (\d+): ")


def _loc(source: str, line: int | None) -> str:
    return f"{source}:{line}" if line else source


def _finding_line(f: Finding, color: bool) -> str:
    sev = f.severity
    if color:
        sev = f"{_COLORS.get(sev, '')}{sev}{_RESET}"
    # Everything but the colour comes from configs, file names or the policy: escaped, so a
    # newline or a terminal escape in an interface description cannot forge or hide a line.
    where = f" [{visible(f.interface)}]" if f.interface else ""
    text = f"{visible(_loc(f.source, f.line))}: {sev} {f.rule}{where} {visible(f.message)}"
    if f.expected or f.actual:
        text += visible(f" (expected: {f.expected or '-'}; actual: {f.actual or '-'})")
    if f.waived and f.waiver is not None:
        tail = f" [waived: {f.waiver.reason or 'no reason'}"
        tail += f", owner {f.waiver.owner}" if f.waiver.owner else ""
        tail += f", until {f.waiver.expires}]" if f.waiver.expires else "]"
        text += visible(tail)
    return text


def _warning(source: str, w: str) -> str:
    """``file:LINE: warning: what`` (parsers word warnings ``line N: what``)."""
    m = _LINE.match(w)
    if m:
        return f"{source}:{m.group(1)}: warning: {w[m.end():]}"
    return f"{source}: warning: {w}"


def _fix_lines(f: Finding) -> list[str]:
    """The remediation under its finding, one escaped line each (``--no-fix`` hides it)."""
    if not f.remediation or f.waived:
        return []
    return ["      fix: " + visible(ln) if i == 0 else "           " + visible(ln)
            for i, ln in enumerate(f.remediation.split("\n"))]


def render(report: LintReport, *, color: bool = False, fix: bool = True) -> str:
    out: list[str] = []
    for res in report.results:
        for err in res.errors:
            out.append(visible(f"error: {err}"))
        if res.device is None:
            continue
        findings = sorted(res.findings, key=lambda f: (f.line or 0, -SEVERITY_RANK[f.severity]))
        active = [f for f in findings if not f.waived]
        head = f"{res.source} ({res.platform}, {res.device}): "
        head += f"{len(active)} finding{'s' if len(active) != 1 else ''}" if active else "clean"
        waived = len(findings) - len(active)
        if waived:
            head += f", {waived} waived"
        out.append(visible(head))
        for f in findings:
            out.append("  " + _finding_line(f, color))
            if fix:
                out.extend(_fix_lines(f))
        for w in res.warnings:
            out.append("  " + visible(_warning(res.source, w)))
    for w in report.expired_waivers:
        out.append(visible(f"warning: waiver {w.rule} {w.device} {w.interface} expired on "
                           f"{w.expires}" + (f" (declared at {w.source})" if w.source else "")
                           + (f", owner {w.owner}" if w.owner else "")
                           + ": it no longer applies"))
    for path, kind in report.skipped:
        out.append(visible(f"note: skipped {path}: a stormguard lint {kind}, not a configuration"))
    s = report.summary()
    sev = ", ".join(f"{n} {k}" for k, n in s["by_severity"].items() if n)
    line = (f"{s['files']} file{'s' if s['files'] != 1 else ''}, {s['devices']} device"
            f"{'s' if s['devices'] != 1 else ''}: {s['findings']} finding"
            f"{'s' if s['findings'] != 1 else ''}" + (f" ({sev})" if sev else ""))
    if s["waived"]:
        line += f", {s['waived']} waived"
    if s["errors"]:
        line += f", {s['errors']} error{'s' if s['errors'] != 1 else ''}"
    if s.get("warnings"):
        line += (f", {s['warnings']} parser warning{'s' if s['warnings'] != 1 else ''}"
                 + (" (--strict: failing)" if report.strict else ""))
    if report.baseline:
        line += f"; {report.baseline_suppressed} already in baseline {report.baseline}"
    verdict = "FAIL" if s["failed"] else "PASS"
    out.append(visible(f"{verdict}: {line} (fail-on {s['fail_on']})"))
    return "\n".join(out) + "\n"
