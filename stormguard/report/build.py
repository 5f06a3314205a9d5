"""Turn a run's findings (and its neighbours in the history) into a :class:`ReportData`.

Two layers, so that the arithmetic is testable without a database:

* :func:`compose_report` is pure: findings, failures, devices, waivers, trend and storm events in,
  a :class:`ReportData` out (headline counts, compliance per rule and per site, new / resolved /
  persisting against the previous run, expiring waivers).
* :func:`build_report_data` does the store I/O for one run and calls :func:`compose_report`.

"Active" findings are the ones not waived: they drive every count, the compliance figures and
the trend. Waived findings are listed apart, with their reason, owner and expiry, so that an
accepted exception stays visible without making a device look non-compliant.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from stormguard.errors import InputError
from stormguard.findings import SEVERITIES, Finding, Waiver
from stormguard.report.data import (
    EXPIRY_WINDOW_DAYS,
    ChangeSummary,
    ComplianceRow,
    DeviceSection,
    FailureItem,
    FindingItem,
    IncidentItem,
    ReportData,
    ResolvedItem,
    RunInfo,
    StormItem,
    TrendPoint,
    WaiverItem,
    device_anchor,
    finding_anchor,
)

if TYPE_CHECKING:  # the store pulls in SQLAlchemy: only for type checking here
    from stormguard.store import Store

TREND_RUNS = 30
NO_SITE = "(no site)"


@dataclass
class DeviceRef:
    """A device that was audited in the run (or failed to collect): what the report shows of it."""

    name: str
    platform: str = ""
    site: str | None = None
    description: str = ""
    warnings: list[str] = field(default_factory=list)  # parser warnings of its config


def _iso(value: datetime | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _as_datetime(value: datetime | str | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _item(f: Finding, site: str | None, anchor: str) -> FindingItem:
    w = f.waiver
    return FindingItem(
        id=anchor, rule=f.rule, severity=f.severity, device=f.device, site=site,
        platform=f.platform, interface=f.interface, line=f.line, message=f.message,
        expected=f.expected, actual=f.actual, remediation=f.remediation, source=f.source,
        waiver_reason=w.reason if (f.waived and w) else "",
        waiver_owner=w.owner if (f.waived and w) else "",
        waiver_expires=w.expires if (f.waived and w) else None,
        waiver_source=w.source if (f.waived and w) else "",
    )


def _expiring(waivers: Iterable[Waiver], today: date, window: int) -> list[WaiverItem]:
    out: list[WaiverItem] = []
    for w in waivers:
        if not w.expires:
            continue
        try:
            expires = date.fromisoformat(w.expires[:10])
        except ValueError:
            continue  # the policy loader reports malformed dates; the report just skips them
        days_left = (expires - today).days
        if days_left <= window:
            out.append(WaiverItem(rule=w.rule, device=w.device, interface=w.interface,
                                  reason=w.reason, owner=w.owner, expires=w.expires,
                                  days_left=days_left, source=w.source))
    out.sort(key=lambda w: (w.days_left if w.days_left is not None else 0, w.rule, w.device))
    return out


def _storm_item(ev: Any, now: datetime) -> StormItem:
    """Accept a store ``StormEventRow`` (or anything shaped like it)."""
    started = _as_datetime(ev.started_at)
    ended = _as_datetime(ev.ended_at)
    duration = ((ended or now) - started).total_seconds() if started else None
    return StormItem(
        where=f"{ev.host}:{ev.iface}", host=ev.host, iface=ev.iface, started_at=_iso(started) or "",
        ended_at=_iso(ended), duration_s=duration, peak_pps=float(ev.peak_pps or 0.0),
        frames=int(getattr(ev, "frames", 0) or 0), vlans=list(getattr(ev, "vlans", None) or []),
        ongoing=ended is None,
    )


def _incident_item(inc: Any, now: datetime) -> IncidentItem:
    """Accept a store ``IncidentRow`` (or anything shaped like it)."""
    started = _as_datetime(inc.started_at)
    ended = _as_datetime(inc.ended_at)
    return IncidentItem(
        key=inc.key, started_at=_iso(started) or "", ended_at=_iso(ended),
        duration_s=((ended or now) - started).total_seconds() if started else None,
        sites=list(inc.sites), devices=list(inc.devices), ports=list(inc.ports),
        vlans=list(inc.vlans), evidence=dict(inc.evidence), peak_pps=float(inc.peak_pps or 0),
        signals=int(inc.signals or 0), ongoing=ended is None)


def _compliance(names: Iterable[str], checked: dict[str, int], failing: dict[str, set[str]],
                findings: Counter[str]) -> list[ComplianceRow]:
    rows = [ComplianceRow(name=n, checked=checked.get(n, 0), failing=len(failing.get(n, ())),
                          findings=findings.get(n, 0)) for n in sorted(set(names))]
    rows.sort(key=lambda r: (r.percent, r.name))
    return rows


def compose_report(
    *,
    run: RunInfo | None,
    findings: Sequence[Finding],
    devices: Sequence[DeviceRef],
    failures: Sequence[FailureItem] = (),
    previous_findings: Sequence[Finding] | None = None,
    previous_run_id: int | None = None,
    rules: Iterable[str] = (),
    waivers: Iterable[Waiver] = (),
    trend: Sequence[TrendPoint] = (),
    storm_events: Iterable[Any] = (),
    now: datetime | None = None,
    title: str = "stormguard compliance report",
    period_start: datetime | str | None = None,
    period_end: datetime | str | None = None,
    incidents: Iterable[Any] = (),
    opstate: Iterable[Any] = (),
    topology: dict[str, Any] | None = None,
) -> ReportData:
    """Pure assembly of a report.

    ``devices`` are the devices audited in the run; ``failures`` the devices whose collection
    failed (they are not counted as audited). ``previous_findings`` None means "no previous run":
    then nothing is labelled new. ``rules`` lists rules evaluated, so that a rule with no finding
    at all still shows as 100 % compliant.
    """
    now = now or datetime.now(UTC)
    failed_names = {f.device for f in failures}
    refs: dict[str, DeviceRef] = {}
    for d in devices:
        refs.setdefault(d.name, d)
    for f in findings:  # a finding on a device the caller forgot: still show it
        if f.device not in refs:
            refs[f.device] = DeviceRef(name=f.device, platform=f.platform)
    audited = [d for d in refs.values() if d.name not in failed_names]
    site_of = {d.name: d.site for d in refs.values()}
    for fl in failures:
        if fl.site is None:
            fl.site = site_of.get(fl.device)

    previous_keys = None if previous_findings is None else {
        f.key for f in previous_findings if not f.waived}

    sections: dict[str, DeviceSection] = {}
    for d in sorted(refs.values(), key=lambda d: d.name):
        sections[d.name] = DeviceSection(
            name=d.name, anchor=device_anchor(d.name), platform=d.platform, site=d.site,
            description=d.description, warnings=list(d.warnings))
    fail_class = {fl.device: fl.failure_class for fl in failures}
    for fl in failures:
        if fl.device not in sections:
            sections[fl.device] = DeviceSection(name=fl.device, anchor=device_anchor(fl.device),
                                                platform="", site=fl.site)

    used_anchors: Counter[str] = Counter()
    severity_counts = dict.fromkeys(SEVERITIES, 0)
    waived: list[FindingItem] = []
    current_keys: set[tuple[str, str, str]] = set()
    rule_failing: dict[str, set[str]] = defaultdict(set)
    rule_findings: Counter[str] = Counter()
    site_failing: dict[str, set[str]] = defaultdict(set)
    site_findings: Counter[str] = Counter()
    for f in findings:
        anchor = finding_anchor(f.rule, f.device, f.interface)
        used_anchors[anchor] += 1
        if used_anchors[anchor] > 1:
            anchor = f"{anchor}-{used_anchors[anchor]}"
        site = site_of.get(f.device)
        item = _item(f, site, anchor)
        if f.waived:
            waived.append(item)
            continue
        if previous_keys is not None:
            item.change = "persisting" if f.key in previous_keys else "new"
        current_keys.add(f.key)
        severity_counts[f.severity] = severity_counts.get(f.severity, 0) + 1
        sections[f.device].findings.append(item)
        rule_failing[f.rule].add(f.device)
        rule_findings[f.rule] += 1
        site_failing[site or NO_SITE].add(f.device)
        site_findings[site or NO_SITE] += 1

    for sec in sections.values():
        sec.findings.sort(key=lambda i: (-i.severity_rank, i.interface or "", i.rule))
        if sec.name in fail_class:
            sec.status, sec.failure_class = "failed", fail_class[sec.name]
        elif sec.findings:
            sec.status = "findings"
    for item in waived:
        sections[item.device].waived += 1
    waived.sort(key=lambda i: (i.device, i.interface or "", i.rule))

    n_audited = len(audited)
    rule_names = set(rules) | set(rule_failing) | {w.rule for w in waived}
    rule_rows = _compliance(rule_names, dict.fromkeys(rule_names, n_audited), rule_failing,
                            rule_findings)
    site_checked: Counter[str] = Counter(d.site or NO_SITE for d in audited)
    site_rows = _compliance(site_checked, site_checked, site_failing, site_findings)

    changes = ChangeSummary(previous_run_id=previous_run_id)
    if previous_findings is not None:
        changes.new = sum(1 for sec in sections.values() for i in sec.findings
                          if i.change == "new")
        changes.persisting = sum(severity_counts.values()) - changes.new
        seen: set[tuple[str, str, str]] = set()
        audited_names = {d.name for d in audited}
        for f in previous_findings:
            if f.waived or f.key in current_keys or f.key in seen:
                continue
            if f.device not in audited_names and f.device.split("/", 1)[0] not in audited_names:
                continue  # not audited this time (collection failed): unknown, not resolved
            seen.add(f.key)
            changes.resolved_items.append(ResolvedItem(rule=f.rule, device=f.device,
                                                       interface=f.interface, severity=f.severity))
        changes.resolved = len(changes.resolved_items)
        changes.resolved_items.sort(key=lambda r: (r.device, r.interface or "", r.rule))

    storms = [_storm_item(ev, now) for ev in storm_events]
    storms.sort(key=lambda s: s.started_at)
    incident_items = sorted((_incident_item(i, now) for i in incidents),
                            key=lambda i: i.started_at, reverse=True)
    return ReportData(
        title=title,
        generated_at=_iso(now) or "",
        run=run,
        devices_audited=n_audited,
        severity_counts=severity_counts,
        failures=sorted(failures, key=lambda f: (f.failure_class, f.device)),
        failures_by_class=dict(Counter(f.failure_class for f in failures).most_common()),
        rule_compliance=rule_rows,
        site_compliance=site_rows,
        changes=changes,
        trend=list(trend),
        devices=list(sections.values()),
        waived=waived,
        expiring_waivers=_expiring(waivers, now.date(), EXPIRY_WINDOW_DAYS),
        storm_events=storms,
        incidents=incident_items,
        opstate=sorted(opstate, key=lambda o: (not o.changed, o.device, o.kind, o.interface)),
        period_start=_iso(period_start),
        period_end=_iso(period_end),
        topology=topology,
    )


# --------------------------------------------------------------------------- store I/O


def _run_info(row: Any) -> RunInfo:
    return RunInfo(id=row.id, kind=row.kind, trigger=row.trigger, status=row.status,
                   started_at=_iso(row.started_at), finished_at=_iso(row.finished_at),
                   duration_s=row.duration_s)


def _known(known: dict[str, Any], name: str) -> Any:
    """The store's device row for ``name``; a vSwitch bridge ``host/bridge`` maps to its host."""
    return known.get(name) or known.get(name.split("/", 1)[0])


def _audited_devices(store: Store, run: Any, findings: Sequence[Finding],
                     failed: set[str], known: dict[str, Any] | None = None) -> list[DeviceRef]:
    """The devices audited in ``run``.

    Preferred source: a list of names in ``run.summary["audited_devices"]``. Otherwise the
    devices whose snapshot is current as of the run: exact, but it reads every config text.
    """
    if known is None:
        known = {d.name: d for d in store.devices()}
    names: list[str] | None = None
    summary = run.summary or {}
    for key in ("audited_devices", "devices"):  # "devices" is a count in audit summaries
        listed = summary.get(key)
        if isinstance(listed, list) and all(isinstance(n, str) for n in listed):
            names = listed
            break
    if names is None:
        snaps = store.latest_snapshots(run_id=run.id)
        names = [s.device for s in snaps]
    names = [n for n in dict.fromkeys([*names, *(f.device for f in findings)]) if n not in failed]
    # A vSwitch host audited as several bridges ("hv1/br0", ...) is reported as those bridges:
    # listing the host too would show an "ok" device next to its own failing bridge.
    hosts = {n.split("/", 1)[0] for n in names if "/" in n}
    names = [n for n in names if n not in hosts]
    warned = summary.get("parse_warnings")
    warned = warned if isinstance(warned, dict) else {}
    out = []
    for n in names:
        row = _known(known, n)
        w = warned.get(n)
        out.append(DeviceRef(name=n, platform=row.platform if row else "",
                             site=row.site if row else None,
                             warnings=[str(x) for x in w] if isinstance(w, list) else []))
    return out


def build_report_data(store: Store, run_id: int | None = None, *,
                      now: datetime | None = None) -> ReportData:
    """Everything the report shows about ``run_id`` (default: the newest audited run)."""
    # Reading a 50,000-finding run builds a few hundred thousand objects that all stay alive
    # until the report is made: the cyclic collector would walk them again and again (a third
    # of the time) and find nothing to free. Paused while building, back on after.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_report_data(store, run_id, now=now)
    finally:
        if was_enabled:
            gc.enable()


def _build_report_data(store: Store, run_id: int | None, *, now: datetime | None
                       ) -> ReportData:
    now = now or datetime.now(UTC)
    if run_id is None:
        run = next((r for r in store.list_runs(limit=200) if r.audited
                    and r.status in ("ok", "partial", "failed")), None)
        if run is None:
            raise InputError("no audited run in the store yet: run `stormguard run-now` first")
    else:
        run = store.get_run(run_id)
        if run is None:
            raise InputError(f"run {run_id}: no such run in the store")
        if not run.audited:
            raise InputError(f"run {run_id}: was not audited (status {run.status}), "
                             "there are no findings to report")

    findings = store.findings(run.id)
    known = {d.name: d for d in store.devices()}
    failures = []
    for f in store.failures(run.id):
        row = _known(known, f.device)
        failures.append(FailureItem(device=f.device, site=row.site if row else None,
                                    failure_class=f.failure_class, message=f.message,
                                    at=_iso(f.at)))
    failed = {f.device for f in failures}
    devices = _audited_devices(store, run, findings, failed, known)

    prev = store.previous_run(run.id, audited=True)
    # only the keys of the previous run's findings are compared: no texts read
    previous_findings = store.findings(prev.id, brief=True) if prev is not None else None

    trend: list[TrendPoint] = []
    for row, counts in store.finding_counts("severity", runs=TREND_RUNS, up_to=run.id):
        trend.append(TrendPoint(run_id=row.id, at=_iso(row.started_at),
                                counts={s: int(counts.get(s, 0)) for s in SEVERITIES}))

    period_end = run.finished_at or now
    period_start = prev.finished_at if prev is not None and prev.finished_at else (
        period_end - timedelta(days=1))
    storms = store.storm_events(since=period_start, until=period_end)
    from stormguard.signals.store import SignalStore

    incidents = [i for i in SignalStore(store).incidents(since=period_start)
                 if i.started_at <= _as_datetime(period_end)]
    rules = (run.summary or {}).get("rules") or ()

    return compose_report(
        run=_run_info(run), findings=findings, devices=devices, failures=failures,
        previous_findings=previous_findings, previous_run_id=prev.id if prev else None,
        rules=[r for r in rules if isinstance(r, str)], waivers=store.waivers(run.id),
        trend=trend, storm_events=storms, now=now,
        period_start=period_start, period_end=period_end, incidents=incidents,
        opstate=_opstate(store, devices, run.id, prev.id if prev is not None else None),
        topology=_topology(store, run.id),
    )


def _topology(store: Store, run_id: int) -> dict[str, Any] | None:
    """The topology the newest audit up to `run_id` stored (one row read, never the
    snapshots: the graph was built at audit time)."""
    from stormguard.errors import StormguardError
    from stormguard.store.topology import latest_topology

    try:
        got = latest_topology(store, run_id)
    except StormguardError:  # a read-only store from before revision 0005: no section
        return None
    if got is None:
        return None
    topo_run, data = got
    return {**data, "run_id": topo_run}


def _opstate(store: Store, devices: Sequence[DeviceRef], run_id: int,
             prev_id: int | None) -> list[Any]:
    """Operational-state rows of the audited devices, from the state stored with their
    snapshot of this run, compared with the snapshot of the previous run."""
    from stormguard.opstate import parse_state, rows

    out: list[Any] = []
    # two bulk reads (each device's snapshot as of this run and as of the previous one), not
    # two queries per device
    states = store.snapshot_states(run_id)
    prev_states = store.snapshot_states(prev_id) if prev_id is not None else {}
    for d in devices:
        snap = states.get(d.name)
        if snap is None or not snap[2]:
            continue
        snap_id, platform, state = snap
        current = parse_state(d.name, platform, state)
        if current.empty:
            continue
        before = None
        old = prev_states.get(d.name)
        if old is not None and old[0] == snap_id:
            before = current  # not collected again since: nothing new
        elif old is not None and old[2]:
            before = parse_state(d.name, old[1], old[2])
        out.extend(rows(current, before))
    return out
