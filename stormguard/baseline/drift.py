"""SG601 in the audit: approved baselines against the snapshots of a run, and its pages.

:func:`drift_findings` runs inside :func:`stormguard.store.audit.audit_snapshots` (it needs the
store: the approved configuration is a stored snapshot, not something a config file shows).
For each audited snapshot of a device with an approved baseline it compares the configuration
views (:mod:`stormguard.baseline.normalize`); a difference opens (or keeps open) a drift row and
gives one SG601 finding carrying the unified diff (approved -> current; secrets are masked in
the store, and masked again here for a store that keeps them). A snapshot equal to the baseline
closes the device's open drift ("reverted"). A drift whose first snapshot was collected inside a
change window is reported at severity low, marked, and never paged.

:func:`page_drifts` turns drift rows into alerts through the outbox, once each: a ``firing``
alert for an open drift outside a change window, a ``resolved`` alert once a paged drift is
closed (approved, reverted, superseded). Dedupe keys name the device, the approval and the
drifted configuration, so two processes (or a replay) never page twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from stormguard.findings import SEVERITY_RANK, Finding

RULE = "SG601"
#: Alerts carry this many diff lines at most (the finding keeps ``max_diff_lines``).
ALERT_DIFF_LINES = 60


def _label(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _capped(diff: list[str], limit: int, device: str) -> str:
    if len(diff) <= limit:
        return "".join(diff)
    return "".join(diff[:limit]) + (f"... {len(diff) - limit} more diff line(s): "
                                    f"stormguard baseline show {device} --diff\n")


def drift_diff(approved_text: str, approval: Any, snap: Any, *,
               keep_secrets: bool = False) -> list[str]:
    """Unified diff (configuration views) from the approved configuration to `snap`."""
    from stormguard.baseline.normalize import config_view
    from stormguard.configdiff import unified_config_diff

    old, new = approved_text, snap.text or ""
    if keep_secrets:  # a store that keeps secrets still never shows them in a finding
        from stormguard.secrets_mask import mask_config

        old, new = mask_config(old, approval.platform), mask_config(new, snap.platform)
    return unified_config_diff(
        config_view(old, approval.platform), config_view(new, snap.platform),
        old_label=f"{snap.device} approved #{approval.id} (run {approval.run_id}, "
                  f"{_label(approval.approved_at)} by {approval.approved_by})",
        new_label=f"{snap.device} run {snap.run_id} ({_label(snap.collected_at)})")


def drift_findings(store: Any, run_id: int, snaps: Sequence[Any], policy: Any,
                   config: Any = None, *, today: date | None = None) -> list[Finding]:
    """SG601 findings for `snaps` (the snapshots audited in run `run_id`); opens and closes
    drift rows. `config`: a :class:`stormguard.config.BaselineConfig` (change windows)."""
    from stormguard.baseline.normalize import config_view, view_sha256
    from stormguard.baseline.store import BaselineStore
    from stormguard.baseline.windows import window_at
    from stormguard.policy import waiver_expired, waiver_matches

    if not policy.rule_enabled(RULE):
        return []
    baselines = BaselineStore(store)
    approved = baselines.current()
    if not approved:
        return []
    windows = list(getattr(config, "change_windows", []) or [])
    max_lines = int(getattr(config, "max_diff_lines", 400) or 400)
    severity = policy.severity_for(RULE, "high")
    today = today or date.today()
    waivers = [w for w in policy.waivers if not waiver_expired(w, today)]
    texts: dict[int, str] = {}
    out: list[Finding] = []
    for snap in snaps:
        appr = approved.get(snap.device)
        if appr is None:
            continue
        if appr.id not in texts:
            texts[appr.id] = baselines.approved_text(appr)
        view = config_view(snap.text or "", snap.platform)
        if snap.sha256 == appr.sha256 or view == config_view(texts[appr.id], appr.platform):
            baselines.close_drifts(snap.device, "reverted to the approved configuration")
            continue
        window = window_at(snap.collected_at, windows) if windows else None
        drift = baselines.open_drift(
            snap.device, appr.id, view_sha256(view), snapshot_id=snap.id, run_id=snap.run_id,
            collected_at=snap.collected_at, window=window.label() if window else None)
        diff = drift_diff(texts[appr.id], appr, snap,
                          keep_secrets=bool(getattr(store, "keep_secrets", False)))
        added = sum(1 for ln in diff if ln.startswith("+") and not ln.startswith("+++"))
        removed = sum(1 for ln in diff if ln.startswith("-") and not ln.startswith("---"))
        what = (f"+{added} -{removed} line(s)" if diff else
                "only masked secrets changed")
        since = f"first seen in run {drift.run_id} ({_label(drift.collected_at)})"
        why = f": {' '.join(appr.reason.split())}" if appr.reason.strip() else ""
        message = (f"configuration changed since it was approved ({what}; approval "
                   f"#{appr.id} by {appr.approved_by} on {_label(appr.approved_at)}{why}); "
                   f"{since}. If the change is intended: stormguard baseline approve "
                   f"{snap.device}")
        sev = severity
        if drift.in_window:
            message += f" [in change window {drift.window}: expected, not paged]"
            sev = min("low", severity, key=SEVERITY_RANK.__getitem__)
        f = Finding(
            rule=RULE, severity=sev, device=snap.device, platform=snap.platform,
            interface=None, line=None, message=message,
            expected=(f"the approved configuration (approval #{appr.id}: snapshot "
                      f"{appr.snapshot_id}, run {appr.run_id}, sha256 {appr.sha256[:12]})"),
            actual=_capped(diff, max_lines, snap.device) if diff else what,
            source=f"{snap.device} (snapshot {snap.id}, run {snap.run_id})",
            extra={"approval": appr.id, "approved_sha256": appr.sha256,
                   "sha256": snap.sha256, "drift": drift.id, "drift_run": drift.run_id,
                   "added": added, "removed": removed,
                   "in_change_window": drift.in_window, "change_window": drift.window})
        for w in waivers:
            if waiver_matches(w, f.rule, f.device, f.interface):
                f.waived, f.waiver = True, w
                break
        out.append(f)
    return out


def page_drifts(store: Any, alerts: Any, config: Any = None,
                now: datetime | None = None) -> int:
    """Queue the pages due for drifts (see the module doc) on the channels of `alerts`
    (:class:`stormguard.config.AlertsConfig`) that take ``baseline.alert_severity``.
    Returns the number of outbox rows created."""
    from stormguard.alerts.dispatcher import Alerter
    from stormguard.alerts.model import Alert
    from stormguard.baseline.store import BaselineStore

    baselines = BaselineStore(store)
    fire, resolve = baselines.to_page()
    if not fire and not resolve:
        return 0
    severity = str(getattr(config, "alert_severity", "warning") or "warning")
    channels = Alerter(store, alerts).channels_for(severity)
    if not channels:  # left to a process that has channels (the daemon), not marked paged
        return 0
    now = now or datetime.now(UTC)
    approvals = {a.id: a for a in baselines.approvals()} if fire or resolve else {}
    created = 0
    for status, rows in (("firing", fire), ("resolved", resolve)):
        for d in rows:
            appr = approvals.get(d.approval_id)
            detail = ""
            if status == "firing":
                snap = store.get_snapshot(d.snapshot_id) if d.snapshot_id else None
                if snap is not None and appr is not None:
                    diff = drift_diff(baselines.approved_text(appr), appr, snap,
                                      keep_secrets=bool(getattr(store, "keep_secrets", False)))
                    detail = _capped(diff, ALERT_DIFF_LINES, d.device)
                summary = (f"unapproved configuration change on {d.device}, first seen in run "
                           f"{d.run_id} ({_label(d.collected_at)})" +
                           (f"; approved baseline #{appr.id} by {appr.approved_by}"
                            if appr else ""))
            else:
                summary = f"configuration drift on {d.device} closed: {d.closed_reason}"
            alert = Alert(key=f"drift-{d.id}", status=status,  # type: ignore[arg-type]
                          severity=severity, host=d.device, iface="config", summary=summary,
                          started_at=d.collected_at, ended_at=d.closed_at, sent_at=now,
                          kind="drift", detail=detail)
            key = f"drift:{d.device[:160]}:{d.approval_id}:{d.sha256[:16]}:{status}"
            for ch in channels:
                _, new = store.enqueue(ch.name, status, alert.to_payload(), key)
                created += int(new)
            baselines.mark_paged(d.id, resolved=status == "resolved", now=now)
    return created


def page_and_deliver(store: Any, alerts: Any, config: Any = None) -> tuple[int, int, int]:
    """:func:`page_drifts`, then one delivery attempt of what is due (the daemon's alert loop
    and ``stormguard alerts deliver`` retry what fails). Returns (queued, sent, failed)."""
    queued = page_drifts(store, alerts, config)
    if not queued:
        return 0, 0, 0
    from stormguard.alerts.dispatcher import Alerter

    sent, failed = Alerter(store, alerts).deliver_due()
    return queued, sent, failed
