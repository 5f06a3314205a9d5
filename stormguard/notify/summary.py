"""Short, plain-text summaries of a report: the e-mail subject and text part, chat messages.

Built from the same :class:`ReportData` as the full report, so the numbers always agree.
"""

from __future__ import annotations

from stormguard.findings import SEVERITIES
from stormguard.report.data import ReportData


def severity_line(data: ReportData) -> str:
    parts = [f"{data.severity_counts.get(s, 0)} {s}" for s in reversed(SEVERITIES)
             if data.severity_counts.get(s, 0)]
    return ", ".join(parts) if parts else "no active findings"


def change_line(data: ReportData) -> str:
    c = data.changes
    if c.previous_run_id is None:
        return "no previous run to compare with"
    return (f"since run #{c.previous_run_id}: {c.new} new, {c.resolved} resolved, "
            f"{c.persisting} persisting")


def subject(data: ReportData) -> str:
    run = f"run #{data.run.id}" if data.run and data.run.id is not None else "report"
    text = f"[stormguard] {run}: {data.total_findings} findings ({severity_line(data)})"
    if data.devices_failed:
        text += f", {data.devices_failed} collection(s) failed"
    return " ".join(text.split())  # never a newline in a header


def summary_text(data: ReportData, report_url: str | None = None) -> str:
    lines = [subject(data).removeprefix("[stormguard] "), ""]
    if data.run:
        lines.append(f"Run #{data.run.id} ({data.run.kind}, {data.run.status}), "
                     f"started {data.run.started_at or '-'}")
    lines += [
        f"Devices audited: {data.devices_audited} ({data.devices_with_findings} with findings)",
        f"Collections failed: {data.devices_failed}"
        + (" (" + ", ".join(f"{k} {v}" for k, v in data.failures_by_class.items()) + ")"
           if data.failures_by_class else ""),
        f"Findings: {data.total_findings} active ({severity_line(data)}), "
        f"{len(data.waived)} waived",
        f"Change {change_line(data)}",
    ]
    worst_rules = [r for r in data.rule_compliance if r.failing][:5]
    if worst_rules:
        lines.append("Least compliant rules: " + ", ".join(
            f"{r.name} {r.percent}%" for r in worst_rules))
    if data.expiring_waivers:
        lines.append(f"Waivers expiring within 14 days: {len(data.expiring_waivers)}")
    if data.storm_events:
        lines.append(f"Storm events in the period: {len(data.storm_events)}")
    if report_url:
        lines += ["", f"Report: {report_url}"]
    return "\n".join(lines) + "\n"
