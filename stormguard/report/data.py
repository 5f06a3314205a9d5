"""The one data shape every report format renders from.

:func:`stormguard.report.build.build_report_data` fills a :class:`ReportData` from the store;
tests and benchmarks may fill it with :func:`stormguard.report.build.compose_report` from plain
findings. The HTML, Markdown and JSON renderers only read it, so the three formats can never
disagree about a number.

Everything here is plain data (str/int/float/None, lists, dicts): ``to_dict()`` is the JSON
format, and nothing in it is a secret (findings and waivers only, never credentials).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from stormguard.findings import SEVERITIES, SEVERITY_RANK

#: Bumped when the JSON shape changes incompatibly.
SCHEMA_VERSION = 1

#: Waivers whose expiry falls within this many days are listed as "expiring soon".
EXPIRY_WINDOW_DAYS = 14

_ANCHOR_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def device_anchor(name: str) -> str:
    """``dev-NAME`` usable as an HTML id and URL fragment, stable for a given device name.

    Names that need mangling get a short hash so that ``sw/1`` and ``sw_1`` cannot collide.
    """
    safe = _ANCHOR_SAFE.sub("_", name)
    if safe != name or not safe:
        safe = f"{safe}~{hashlib.sha1(name.encode()).hexdigest()[:6]}"
    return f"dev-{safe}"


def finding_anchor(rule: str, device: str, interface: str | None) -> str:
    """``f-ID`` derived from the finding key, so the same finding keeps its link across runs."""
    digest = hashlib.sha1(f"{rule}\0{device}\0{interface or ''}".encode()).hexdigest()
    return f"f-{digest[:12]}"


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(obj: Any) -> Any:
    """Like :func:`dataclasses.asdict` without its deep copies: cheap enough for 50,000 findings."""
    if hasattr(obj, "__dataclass_fields__"):
        return {k: v if type(v) in _SCALARS else _plain(v) for k, v in obj.__dict__.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


@dataclass
class RunInfo:
    id: int | None
    kind: str = "audit"
    trigger: str = ""
    status: str = "ok"
    started_at: str | None = None  # ISO 8601, UTC
    finished_at: str | None = None
    duration_s: float | None = None


@dataclass
class FindingItem:
    id: str  # anchor, "f-..."
    rule: str
    severity: str
    device: str
    site: str | None
    platform: str
    interface: str | None
    line: int | None
    message: str
    expected: str = ""
    actual: str = ""
    remediation: str = ""
    source: str = ""
    change: str = ""  # "new" | "persisting" ("" when there is no previous run to compare with)
    waiver_reason: str = ""
    waiver_owner: str = ""
    waiver_expires: str | None = None
    waiver_source: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule, self.device, self.interface or "")

    @property
    def severity_rank(self) -> int:
        return SEVERITY_RANK.get(self.severity, -1)


@dataclass
class FailureItem:
    device: str
    site: str | None
    failure_class: str
    message: str
    at: str | None = None


@dataclass
class ComplianceRow:
    """Compliance of one rule or one site: devices checked vs devices with an active finding."""

    name: str
    checked: int
    failing: int
    findings: int

    @property
    def compliant(self) -> int:
        return self.checked - self.failing

    @property
    def percent(self) -> float:
        return 100.0 if self.checked == 0 else round(100.0 * self.compliant / self.checked, 1)


@dataclass
class ResolvedItem:
    rule: str
    device: str
    interface: str | None
    severity: str


@dataclass
class ChangeSummary:
    previous_run_id: int | None = None
    new: int = 0
    resolved: int = 0
    persisting: int = 0
    resolved_items: list[ResolvedItem] = field(default_factory=list)


@dataclass
class TrendPoint:
    run_id: int
    at: str | None
    counts: dict[str, int]  # severity -> active findings

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class DeviceSection:
    name: str
    anchor: str
    platform: str
    site: str | None
    description: str = ""
    status: str = "ok"  # ok | findings | failed
    failure_class: str | None = None
    findings: list[FindingItem] = field(default_factory=list)  # active (not waived)
    waived: int = 0
    #: parser warnings: configuration lines that could not be read (never dropped silently)
    warnings: list[str] = field(default_factory=list)

    @property
    def worst(self) -> str | None:
        if not self.findings:
            return None
        return max(self.findings, key=lambda f: f.severity_rank).severity


@dataclass
class WaiverItem:
    rule: str
    device: str
    interface: str
    reason: str
    owner: str
    expires: str | None
    days_left: int | None
    source: str = ""


@dataclass
class StormItem:
    where: str  # "host:iface"
    host: str
    iface: str
    started_at: str
    ended_at: str | None
    duration_s: float | None
    peak_pps: float
    frames: int = 0
    vlans: list[Any] = field(default_factory=list)
    ongoing: bool = False


@dataclass
class IncidentItem:
    """One storm incident (sniffer + switch syslog + SNMP folded) that overlaps the period."""

    key: str
    started_at: str
    ended_at: str | None
    duration_s: float | None
    sites: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    ports: list[str] = field(default_factory=list)
    vlans: list[int] = field(default_factory=list)
    evidence: dict[str, dict[str, int]] = field(default_factory=dict)  # source -> kind -> n
    peak_pps: float = 0.0
    signals: int = 0
    ongoing: bool = False

    @property
    def evidence_text(self) -> str:
        return "; ".join(f"{src}: " + ", ".join(f"{k} ×{n}" for k, n in sorted(per.items()))
                         for src, per in sorted(self.evidence.items()))


@dataclass
class SiteRun:
    """One site in a report across sites: its daemon's latest night and what is shown of it."""

    site: str
    state: str  # ok | partial | interrupted | failed | missed | running | never
    run_id: int | None = None  # the site's latest run (any status)
    run_status: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    reported_run_id: int | None = None  # the audited run whose findings this report shows
    reported_at: str | None = None
    devices_audited: int = 0
    devices_failed: int = 0
    findings: int = 0
    note: str = ""
    #: the site's L2 topology as the newest audit up to its reported run stored it (plain data
    #: of stormguard.topology.render.report_topology, plus "run_id" and "at", the ISO start of
    #: the run that computed it); None when that site has none stored
    topology: dict[str, Any] | None = None
    #: why the topology shown is not tonight's ("" when it is): "missed its night: last known
    #: topology from run #12 of 2026-12-01T02:00:00Z", or why there is none
    topology_note: str = ""

    @property
    def topology_current(self) -> bool:
        """The topology shown was computed by the run whose findings are shown, on a night
        the site reported."""
        return (self.topology is not None and self.healthy
                and self.topology.get("run_id") == self.reported_run_id)

    @property
    def healthy(self) -> bool:
        return self.state in ("ok", "partial")


@dataclass
class ReportData:
    title: str
    generated_at: str
    run: RunInfo | None
    devices_audited: int
    severity_counts: dict[str, int]  # active findings per severity, every severity present
    failures: list[FailureItem] = field(default_factory=list)
    failures_by_class: dict[str, int] = field(default_factory=dict)
    rule_compliance: list[ComplianceRow] = field(default_factory=list)
    site_compliance: list[ComplianceRow] = field(default_factory=list)
    changes: ChangeSummary = field(default_factory=ChangeSummary)
    trend: list[TrendPoint] = field(default_factory=list)
    devices: list[DeviceSection] = field(default_factory=list)
    waived: list[FindingItem] = field(default_factory=list)
    expiring_waivers: list[WaiverItem] = field(default_factory=list)
    storm_events: list[StormItem] = field(default_factory=list)
    incidents: list[IncidentItem] = field(default_factory=list)
    # operational state (stormguard.opstate.OpRow): err-disabled / STP-inconsistent ports,
    # topology changes, storm discards; what changed since the previous night first
    opstate: list[Any] = field(default_factory=list)
    period_start: str | None = None  # storm events are those overlapping [start, end]
    period_end: str | None = None
    sites: list[SiteRun] = field(default_factory=list)  # a report across sites: one per site
    #: the fleet's L2 topology as the newest audit up to this run computed it (plain data of
    #: stormguard.topology.render.report_topology, plus "run_id"); None when none was stored
    topology: dict[str, Any] | None = None

    @property
    def parser_warnings(self) -> list[tuple[str, str]]:
        """(device, warning) for every audited device whose config was not fully read."""
        return [(d.name, w) for d in self.devices for w in d.warnings]

    @property
    def findings(self) -> list[FindingItem]:
        """Active findings of every device, worst first."""
        out = [f for d in self.devices for f in d.findings]
        out.sort(key=lambda f: (-f.severity_rank, f.device, f.interface or "", f.rule))
        return out

    @property
    def total_findings(self) -> int:
        return sum(self.severity_counts.values())

    @property
    def devices_failed(self) -> int:
        return len(self.failures)

    @property
    def devices_with_findings(self) -> int:
        return sum(1 for d in self.devices if d.findings)

    @property
    def worst_severity(self) -> str | None:
        for sev in reversed(SEVERITIES):
            if self.severity_counts.get(sev):
                return sev
        return None

    def to_dict(self) -> dict[str, Any]:
        d = _plain(self)
        d["schema_version"] = SCHEMA_VERSION
        d["totals"] = {
            "devices_audited": self.devices_audited,
            "devices_with_findings": self.devices_with_findings,
            "devices_failed": self.devices_failed,
            "findings": self.total_findings,
            "waived": len(self.waived),
        }
        for out, site in zip(d["sites"], self.sites, strict=True):
            out["topology_current"] = site.topology_current
        for key, rows in (("rule_compliance", self.rule_compliance),
                          ("site_compliance", self.site_compliance)):
            for out, row in zip(d[key], rows, strict=True):
                out["compliant"] = row.compliant
                out["percent"] = row.percent
        return d
