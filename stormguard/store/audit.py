"""Audit what the store holds: latest snapshots -> parsers -> policy engine -> stored findings.

Used by ``stormguard audit`` and the daemon's nightly pipeline (collect -> audit -> report).
Findings are keyed by the device's *inventory* name (the store's key), not by the hostname the
config claims, so history, the report and waivers line up with the inventory. A vSwitch
snapshot holds several bridges: those become ``<inventory name>/<bridge>``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from stormguard.findings import SEVERITIES, Finding, Waiver


@dataclass
class AuditResult:
    run_id: int
    snapshots: int = 0
    devices: int = 0
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per snapshot that failed
    expired_waivers: list[Waiver] = field(default_factory=list)
    device_names: list[str] = field(default_factory=list)  # audited, as findings name them
    rules: list[str] = field(default_factory=list)  # ids of the rules the policy enabled
    #: parser warnings per audited device (configuration that could not be read)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    #: what the report's topology section draws (stored in ``run_topology``), None if unknown
    topology: dict[str, Any] | None = None

    @property
    def waived(self) -> int:
        return sum(1 for f in self.findings if f.waived)

    def by_severity(self, include_waived: bool = False) -> dict[str, int]:
        out = {s: 0 for s in reversed(SEVERITIES)}
        for f in self.findings:
            if include_waived or not f.waived:
                out[f.severity] = out.get(f.severity, 0) + 1
        return out

    def summary(self) -> dict[str, Any]:
        """For run.summary: "devices" and "rules" are what the report reads."""
        return {"devices": self.device_names, "rules": self.rules,
                "audit": {"run": self.run_id, "snapshots": self.snapshots,
                          "devices": self.devices, "findings": len(self.findings),
                          "waived": self.waived, "by_severity": self.by_severity(),
                          "expired_waivers": len(self.expired_waivers),
                          "errors": self.errors[:50]},
                "topology": dict((self.topology or {}).get("totals") or {}),
                # the report shows them; capped so a broken config cannot bloat the run row
                "parse_warnings": {d: w[:MAX_WARNINGS_PER_DEVICE] for d, w in
                                   list(self.warnings.items())[:MAX_WARNING_DEVICES]}}


MAX_WARNINGS_PER_DEVICE = 50
MAX_WARNING_DEVICES = 2000


def _device_name(inventory_name: str, parsed_name: str, count: int) -> str:
    if count == 1:
        return inventory_name
    if parsed_name.startswith(inventory_name + "/"):
        return parsed_name
    return f"{inventory_name}/{parsed_name.rsplit('/', 1)[-1]}"


def audit_snapshots(store: Any, run_id: int, policy: Any, *, device_glob: str | None = None,
                    devices: Collection[str] | None = None,
                    today: date | None = None, baseline: Any = None) -> AuditResult:
    """Audit the snapshots current as of `run_id` and store findings + waivers on that run.

    `baseline`: the ``baseline:`` settings (change windows) for SG601 drift findings.

    `devices` (inventory names) restricts the audit to a job's selection, e.g. its groups; a
    selected device whose collection failed this run is audited from its last snapshot."""
    from stormguard.engine import audit
    from stormguard.errors import StormguardError
    from stormguard.parsers import parse_config

    result = AuditResult(run_id=run_id)
    snaps = store.latest_snapshots(device_glob, run_id=run_id)
    if devices is not None:
        wanted = set(devices)
        snaps = [snap for snap in snaps if snap.device in wanted]
    result.snapshots = len(snaps)
    devices = []
    for snap in snaps:
        source = f"{snap.device} (snapshot {snap.id}, run {snap.run_id})"
        try:
            parsed = parse_config(snap.text or "", snap.platform, source=source)
        except StormguardError as exc:
            result.errors.append(f"{snap.device}: {exc}")
            continue
        except Exception as exc:  # a parser bug must not hide the rest of the fleet
            result.errors.append(f"{snap.device}: parser failed: {type(exc).__name__}: {exc}")
            continue
        for dev in parsed:
            dev.hostname = _device_name(snap.device, dev.hostname or "", len(parsed))
            dev.source = source
            devices.append(dev)
            if dev.warnings:
                result.warnings[dev.hostname] = list(dev.warnings)
    result.devices = len(devices)
    result.device_names = [d.hostname for d in devices]
    from stormguard.rules import all_rules

    result.rules = [r.id for r in all_rules() if policy.rule_enabled(r.id)]
    expired: dict[tuple[Any, ...], Waiver] = {}
    # what is behind each switch port (LLDP/CDP from both sides) decides its role first
    facts: Any = None
    role_sources: list[Any] = []
    try:
        from stormguard.topology.fact_roles import neighbor_role_source
        from stormguard.topology.fleet import collect_facts

        facts = collect_facts((s.device, s.platform, s.state, s.text) for s in snaps)
        role_sources = [neighbor_role_source(facts.neighbors, devices,
                                             [r.name for r in policy.roles])]
    except Exception as exc:  # roles then come from descriptions, as in `stormguard lint`
        result.errors.append(f"neighbour facts failed: {type(exc).__name__}: {exc}")
    for dev in devices:  # one at a time: one broken device must not sink the audit
        try:
            outcome = audit([dev], policy, today=today, fact_sources=role_sources)
        except Exception as exc:
            result.errors.append(f"{dev.hostname}: audit failed: {type(exc).__name__}: {exc}")
            continue
        result.errors.extend(getattr(outcome, "errors", []) or [])
        for f in outcome.findings:
            f.source = f.source or dev.source
        result.findings.extend(outcome.findings)
        for w in getattr(outcome, "expired_waivers", []):
            expired[(w.rule, w.device, w.interface, w.expires)] = w
    # cross-layer (fleet) rules over every device, linked by the collected LLDP/CDP facts
    try:
        from stormguard.engine import audit_fleet
        from stormguard.topology.fleet import collect_facts

        if facts is None:
            facts = collect_facts((s.device, s.platform, s.state, s.text) for s in snaps)
        fleet = audit_fleet(devices, policy, facts.neighbors, today=today,
                            warnings=facts.warnings)
        result.errors.extend(fleet.errors)
        for f in fleet.findings:
            f.source = f.source or f.device
        result.findings.extend(fleet.findings)
        view = fleet.fleet
    except Exception as exc:  # a topology bug must not cost the per-device findings
        result.errors.append(f"fleet audit failed: {type(exc).__name__}: {exc}")
        view = None
    # the report's topology section: computed here, once, and stored with the run
    try:
        result.topology = _topology(devices, policy, facts, view, result.findings)
    except Exception as exc:  # the drawing must not cost the findings
        result.errors.append(f"topology for the report failed: {type(exc).__name__}: {exc}")
    # SG601: drift from approved baselines (needs the store: stormguard.baseline.drift)
    try:
        from stormguard.baseline.drift import drift_findings

        result.findings.extend(drift_findings(store, run_id, snaps, policy, baseline,
                                              today=today))
    except Exception as exc:  # drift must not cost the other findings
        result.errors.append(f"baseline drift check failed: {type(exc).__name__}: {exc}")
    result.expired_waivers = list(expired.values())
    store.save_findings(run_id, result.findings)
    store.save_waivers(run_id, list(getattr(policy, "waivers", [])))
    if result.topology is not None:
        from stormguard.store.topology import save_topology

        save_topology(store, run_id, result.topology)
    return result


def _topology(devices: list[Any], policy: Any, facts: Any, view: Any,
              findings: list[Finding]) -> dict[str, Any] | None:
    """What the report draws of the fleet (:func:`stormguard.topology.render.report_topology`),
    from the FleetView the fleet rules already used (its graph and loops computed once); built
    here only when no fleet rule ran. SG502's bridged uplinks come from its findings."""
    from stormguard.topology.render import report_topology

    if view is None:
        if facts is None:
            return None
        from stormguard.effective import effective_device
        from stormguard.topology.fact_roles import neighbor_role_source
        from stormguard.topology.fleet import FleetView

        roles = [neighbor_role_source(facts.neighbors, devices, [r.name for r in policy.roles])]
        view = FleetView([effective_device(d, policy, fact_sources=roles) for d in devices],
                         facts.neighbors, list(facts.warnings))
    sg501 = policy.rule_enabled("SG501")
    bridged = []
    for f in findings:
        if f.rule == "SG502" and isinstance(f.extra, dict):
            ports = [str(p) for p in f.extra.get("uplinks") or ()]
            bridged.append((f.device, ports, str(f.extra.get("shared_vlans") or "")))
    return report_topology(view.graph, view.cycles if sg501 else [], bridged=bridged)
