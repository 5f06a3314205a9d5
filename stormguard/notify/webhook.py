"""A short run summary to a webhook: generic JSON, or Slack-compatible (also Mattermost,
Rocket.Chat incoming webhooks).

The URL of a chat webhook is itself a secret (the token is in the path), so delivery records
and errors name only ``scheme://host:port``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from stormguard.findings import SEVERITIES
from stormguard.notify.email import DeliveryError
from stormguard.notify.summary import change_line, severity_line, subject
from stormguard.report.data import ReportData

KINDS = ("generic", "slack")
_SLACK_COLOR = {"critical": "#7f1d1d", "high": "danger", "medium": "warning", "low": "#2563eb",
                "info": "good", None: "good"}


def target(url: str) -> str:
    p = urlsplit(url)
    port = f":{p.port}" if p.port else ""
    return f"{p.scheme}://{p.hostname or ''}{port}"


def generic_payload(data: ReportData, report_url: str | None = None) -> dict[str, Any]:
    run = data.run
    return {
        "event": "stormguard.run.report",
        "schema_version": 1,
        "run": None if run is None else {
            "id": run.id, "kind": run.kind, "status": run.status, "trigger": run.trigger,
            "started_at": run.started_at, "finished_at": run.finished_at,
            "duration_s": run.duration_s},
        "generated_at": data.generated_at,
        "devices_audited": data.devices_audited,
        "devices_with_findings": data.devices_with_findings,
        "collections_failed": data.devices_failed,
        "failures_by_class": dict(data.failures_by_class),
        "findings": {s: data.severity_counts.get(s, 0) for s in SEVERITIES},
        "findings_total": data.total_findings,
        "waived": len(data.waived),
        "changes": {"previous_run_id": data.changes.previous_run_id, "new": data.changes.new,
                    "resolved": data.changes.resolved, "persisting": data.changes.persisting},
        "expiring_waivers": len(data.expiring_waivers),
        "storm_events": len(data.storm_events),
        "worst_severity": data.worst_severity,
        "summary": subject(data).removeprefix("[stormguard] "),
        "report_url": report_url,
    }


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn: only these three need escaping.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(data: ReportData, report_url: str | None = None) -> dict[str, Any]:
    headline = _slack_escape(subject(data))
    fields = [
        {"title": "Devices audited", "value": f"{data.devices_audited:,}", "short": True},
        {"title": "Collections failed", "value": str(data.devices_failed) + (
            " (" + ", ".join(f"{k} {v}" for k, v in data.failures_by_class.items()) + ")"
            if data.failures_by_class else ""), "short": True},
        {"title": "Findings", "value": _slack_escape(severity_line(data)), "short": False},
        {"title": "Change", "value": _slack_escape(change_line(data)), "short": False},
    ]
    if data.storm_events:
        fields.append({"title": "Storm events", "value": str(len(data.storm_events)),
                       "short": True})
    text = headline
    if report_url:
        text += f"\n<{report_url}|Open the report>"
    return {
        "text": text,
        "attachments": [{
            "color": _SLACK_COLOR.get(data.worst_severity, "good"),
            "title": "stormguard compliance report",
            "fields": fields,
            "footer": "stormguard",
        }],
    }


def payload(kind: str, data: ReportData, report_url: str | None = None) -> dict[str, Any]:
    if kind == "slack":
        return slack_payload(data, report_url)
    if kind == "generic":
        return generic_payload(data, report_url)
    raise ValueError(f"unknown webhook kind {kind!r}")


def post_json(url: str, body: dict[str, Any], timeout: float) -> int:
    """One attempt. Raises :class:`DeliveryError`; 5xx, 408, 429 and network errors retry."""
    where = target(url)
    data = json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "stormguard-notify"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # caller checked http(s)
            resp.read(65536)
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        retry = exc.code >= 500 or exc.code in (408, 429)
        raise DeliveryError(f"{where}: HTTP {exc.code} {exc.reason}", retryable=retry) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        text = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
        raise DeliveryError(f"{where}: {text}") from None
    except (TimeoutError, OSError) as exc:
        raise DeliveryError(f"{where}: {type(exc).__name__}: {exc}") from None
