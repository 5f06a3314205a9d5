"""One report across sites: each site's collector writes its own runs into the shared store.

:func:`build_sites_report` takes, per site, the newest audited run of the job and composes one
:class:`ReportData` of them (findings, failures, new / resolved / persisting against each
site's own previous run, a trend per night summed over the sites), and says per site how its
night went (:class:`SiteRun`):

``ok`` / ``partial``
    the site's newest run is audited and recent;
``interrupted`` / ``failed``
    its newest run stopped (daemon killed, host rebooted, store unreachable...): the findings
    shown are those of its last audited run, with its date, or none;
``running``
    a run is in progress (its findings are not in yet);
``missed``
    no run started within ``missed_after_h`` of the newest run of any site: the site's daemon
    did not run its night (down, unreachable, misconfigured);
``never``
    a site of the inventory without any run yet (only when `expected_sites` names it).

New / resolved / persisting compare each site with its own previous night; the findings of a
site with no earlier night are neither new nor persisting.

Each site also carries its own topology (``SiteRun.topology``): the L2 graph its newest audit
up to the run shown stored (``run_topology``), drawn per site like the single-site report's
section; a site that missed its night shows its last known topology labelled with that run's
date (``SiteRun.topology_note``), never as tonight's. Sites are separate layer-2 domains here:
one site's loop is drawn in that site's section only.

Sites only exist here through their runs (``runs.site``) and ``expected_sites``; runs without a
site (a daemon without ``site:``) are not part of a report across sites.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from stormguard.errors import InputError
from stormguard.findings import SEVERITIES, Finding
from stormguard.report.build import TREND_RUNS, DeviceRef, compose_report
from stormguard.report.data import FailureItem, ReportData, SiteRun, TrendPoint

if TYPE_CHECKING:
    from stormguard.store import Store

MISSED_AFTER_H = 20.0


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _known(known: dict[str, Any], name: str) -> Any:
    """The device row of `name`; a vSwitch bridge ``host/bridge`` maps to its host."""
    return known.get(name) or known.get(name.split("/", 1)[0])


def _audited(store: Store, run: Any, findings: Sequence[Finding], failed: set[str],
             known: dict[str, Any], site: str) -> list[DeviceRef]:
    """The devices audited in `run`: the names its audit recorded (else its snapshots), a
    vSwitch host shown as its bridges, failed collections left out."""
    names: list[str] | None = None
    for key in ("audited_devices", "devices"):  # "devices" is a count in older summaries
        listed = (run.summary or {}).get(key)
        if isinstance(listed, list) and all(isinstance(n, str) for n in listed):
            names = list(listed)
            break
    if names is None:
        names = [snap.device for snap in store.latest_snapshots(run_id=run.id)]
    names = [n for n in dict.fromkeys([*names, *(f.device for f in findings)])
             if n not in failed]
    hosts = {n.split("/", 1)[0] for n in names if "/" in n}
    out = []
    for n in names:
        if n in hosts:
            continue
        row = _known(known, n)
        out.append(DeviceRef(name=n, platform=row.platform if row else "",
                             site=(row.site if row else None) or site))
    return out
_HISTORY = 50  # runs looked at per site for its newest and newest audited run


def _site_state(latest: Any, newest_start: datetime, missed_after: timedelta) -> str:
    if latest is None:
        return "never"
    if latest.started_at < newest_start - missed_after:
        return "missed"
    return latest.status if latest.status in ("ok", "partial", "running", "interrupted",
                                               "failed") else "failed"


def _note(state: str, latest: Any, shown: Any) -> str:
    when = _iso(shown.started_at) if shown is not None else None
    shown_txt = (f"findings from run #{shown.id} of {when}" if shown is not None
                 else "no audited run to show")
    if state == "missed":
        return f"missed its night: last run #{latest.id} started {_iso(latest.started_at)}; " \
               + shown_txt
    if state in ("interrupted", "failed"):
        why = (latest.summary or {}).get("interrupted_reason") or (latest.summary or {}).get(
            "error") or ""
        return f"run #{latest.id} {state}" + (f" ({why})" if why else "") + f"; {shown_txt}"
    if state == "running":
        return f"run #{latest.id} in progress; {shown_txt}"
    if state == "never":
        return "no run from this site's daemon yet"
    return ""


def _site_topology(store: Store, state: str, latest: Any, shown: Any
                   ) -> tuple[dict[str, Any] | None, str]:
    """(topology, note) of one site: the newest topology stored up to the run whose findings
    are shown (else up to the site's latest run), one row read, never a snapshot (the graph was
    built at audit time). A site that did not report its night gets its last known topology
    labelled with the date of the run that computed it, so nobody takes it for tonight's."""
    from stormguard.errors import StormguardError
    from stormguard.store.topology import latest_topology_at

    basis = shown if shown is not None else latest
    if basis is None:
        return None, ("no run from this site's daemon yet" if state == "never"
                      else "no topology stored for this site yet")
    try:
        got = latest_topology_at(store, basis.id)
    except StormguardError:  # a read-only store from before revision 0005: no section
        got = None
    if got is None:
        return None, "no topology stored for this site yet: its next audit computes it"
    topo_run, started, data = got
    when = _iso(started) or "an unknown date"
    topo = {**data, "run_id": topo_run, "at": _iso(started)}
    label = f"topology from run #{topo_run} of {when}"
    if state == "missed":
        last = "" if latest.id == topo_run else \
            f" (last run #{latest.id} started {_iso(latest.started_at)})"
        return topo, f"missed its night{last}: last known {label}"
    if state in ("interrupted", "failed", "running"):
        what = "in progress" if state == "running" else state
        return topo, f"run #{latest.id} {what}: last known {label}"
    if shown is None or topo_run != shown.id:
        return topo, f"run #{shown.id if shown is not None else latest.id} stored no " \
                     f"topology: last known {label}"
    return topo, ""


def _trend(store: Store, sites: Sequence[str], kind: str | None) -> list[TrendPoint]:
    """One point per night (UTC date): each site's last audited run of that night, summed."""
    nights: dict[str, dict[str, tuple[int, dict[str, int]]]] = {}
    for site in sites:
        for row, counts in store.finding_counts("severity", runs=TREND_RUNS, site=site):
            if kind is not None and row.kind != kind:
                continue
            night = row.started_at.astimezone(UTC).date().isoformat()
            per_site = nights.setdefault(night, {})
            if site not in per_site or per_site[site][0] < row.id:
                per_site[site] = (row.id, counts)
    out = []
    for night in sorted(nights)[-TREND_RUNS:]:
        per_site = nights[night]
        total = {s: sum(int(c.get(s, 0)) for _rid, c in per_site.values()) for s in SEVERITIES}
        out.append(TrendPoint(run_id=max(rid for rid, _c in per_site.values()), at=night,
                              counts=total))
    return out


def build_sites_report(store: Store, *, kind: str | None = None,
                       expected_sites: Iterable[str] = (), now: datetime | None = None,
                       missed_after_h: float = MISSED_AFTER_H) -> ReportData:
    """The report across every site that has runs of `kind` (default: the newest run's job)."""
    now = now or datetime.now(UTC)
    if kind is None:
        newest = next((r for r in store.list_runs(limit=200) if r.site is not None), None)
        if newest is None:
            raise InputError("no run with a site in the store: a report across sites needs "
                             "daemons started with --site (or `site:` in stormguard.yaml)")
        kind = newest.kind
    sites = sorted(set(store.run_sites(kind)) | set(expected_sites))
    if not sites:
        raise InputError(f"no run of job {kind} with a site in the store")
    latest: dict[str, Any] = {}
    shown: dict[str, Any] = {}
    for site in sites:
        runs = store.list_runs(limit=_HISTORY, kind=kind, site=site)
        latest[site] = runs[0] if runs else None
        shown[site] = next((r for r in runs if r.audited and r.status in ("ok", "partial")),
                           None)
    starts = [r.started_at for r in latest.values() if r is not None]
    newest_start = max(starts) if starts else now
    missed_after = timedelta(hours=missed_after_h)

    known = {d.name: d for d in store.devices()}
    findings: list[Finding] = []
    previous: list[Finding] = []
    any_previous = False
    failures: list[FailureItem] = []
    devices = []
    rules: set[str] = set()
    first_nights: set[str] = set()  # sites with no earlier night: nothing there is "new"
    site_rows: list[SiteRun] = []
    for site in sites:
        run, last = shown[site], latest[site]
        state = _site_state(last, newest_start, missed_after)
        row = SiteRun(site=site, state=state, note=_note(state, last, run))
        if last is not None:
            row.run_id, row.run_status = last.id, last.status
            row.started_at, row.finished_at = _iso(last.started_at), _iso(last.finished_at)
        if run is not None:
            site_findings = store.findings(run.id)
            site_failures = []
            for f in store.failures(run.id):
                dev = _known(known, f.device)
                site_failures.append(FailureItem(device=f.device, site=dev.site if dev else site,
                                                 failure_class=f.failure_class,
                                                 message=f.message, at=_iso(f.at)))
            failed = {f.device for f in site_failures}
            refs = _audited(store, run, site_findings, failed, known, site)
            prev = store.previous_run(run.id, audited=True)
            if prev is not None:
                any_previous = True
                previous += store.findings(prev.id)
            else:
                first_nights.add(site)
            findings += site_findings
            failures += site_failures
            devices += refs
            rules.update(r for r in (run.summary or {}).get("rules") or () if isinstance(r, str))
            row.reported_run_id, row.reported_at = run.id, _iso(run.started_at)
            row.devices_audited = len(refs)
            row.devices_failed = len(site_failures)
            row.findings = sum(1 for f in site_findings if not f.waived)
        row.topology, row.topology_note = _site_topology(store, state, last, run)
        site_rows.append(row)

    trend = _trend(store, [s for s in sites if shown[s] is not None], kind)
    period_end = now
    period_start = min((r.started_at for r in shown.values() if r is not None),
                       default=now - timedelta(days=1))
    storms = store.storm_events(since=period_start, until=period_end)
    from stormguard.signals.store import SignalStore

    incidents = SignalStore(store).incidents(since=period_start)
    healthy = sum(1 for r in site_rows if r.healthy)
    data = compose_report(
        run=None, findings=findings, devices=devices, failures=failures,
        previous_findings=previous if any_previous else None, previous_run_id=None,
        rules=sorted(rules), trend=trend, storm_events=storms, now=now,
        title=f"stormguard compliance report: {len(sites)} sites ({kind}), "
              f"{healthy} reported their night",
        period_start=period_start, period_end=period_end, incidents=incidents,
    )
    data.sites = site_rows
    if first_nights and any_previous:
        for sec in data.devices:
            if (sec.site or "") in first_nights:
                for item in sec.findings:
                    item.change = ""
        active = [i for sec in data.devices for i in sec.findings]
        data.changes.new = sum(1 for i in active if i.change == "new")
        data.changes.persisting = sum(1 for i in active if i.change == "persisting")
    return data
