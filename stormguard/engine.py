"""The audit engine: devices + policy in, findings out.

For each device the effective model is computed once (:mod:`stormguard.effective`), then every
enabled rule that applies to the platform runs over it. The engine - not the rules - fills in
what every finding shares (rule, severity after policy overrides, device, platform, source) and
applies waivers: a matching, unexpired waiver marks the finding ``waived=True`` and attaches
itself; the finding is kept, so reports can show what is accepted and by whom. Expired waivers
stop applying and are returned in :attr:`AuditResult.expired_waivers` so they get renewed or
removed rather than silently rotting.

A rule that raises (a bug, or input no one foresaw) must not sink the audit of every other
device: the error is recorded in :attr:`AuditResult.errors` and the device's warnings, and the
other rules still run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from stormguard.effective import effective_device
from stormguard.findings import SEVERITY_RANK, Finding, Waiver, new_finding
from stormguard.model import HYPERVISOR_PLATFORMS, PLATFORM_FAMILY, Device
from stormguard.policy import Policy, waiver_expired, waiver_matches
from stormguard.roles import FactSource
from stormguard.rules import Rule, RuleContext, all_rules

if TYPE_CHECKING:
    from stormguard.topology.neighbors import Neighbor


@dataclass
class AuditResult:
    findings: list[Finding]
    expired_waivers: list[Waiver]
    devices: int
    errors: list[str] = field(default_factory=list)  # "device: rule SG101 failed: ..."
    #: audit_fleet's FleetView (graph and loops already computed), for the report's topology
    fleet: Any = None


class _Active(NamedTuple):
    """A rule with the policy's severity and params for it. (A named tuple rather than a
    frozen dataclass, whose ``__init__`` sets each field through ``object.__setattr__``:
    `stormguard lint` asks for a platform's rules once per device.)"""

    rule: Rule
    severity: str
    params: dict


def _mark_waived(f: Finding, waivers: Sequence[Waiver]) -> None:
    """The first live waiver that matches the finding waives it."""
    for w in waivers:
        if waiver_matches(w, f.rule, f.device, f.interface):
            f.waived = True
            f.waiver = w
            return


def _active(policy: Policy, rule: Rule) -> _Active | None:
    """The policy's settings for `rule`, or None when the policy disables it."""
    if not policy.rule_enabled(rule.id):
        return None
    return _Active(rule, policy.severity_for(rule.id, rule.severity),
                   policy.params_for(rule.id, rule.params))


_UNASKED: Any = object()


def _active_rules(policy: Policy) -> list[_Active]:
    return [a for r in all_rules() if (a := _active(policy, r)) is not None]


def audit(devices: Iterable[Device], policy: Policy, *, today: dt.date | None = None,
          fact_sources: Sequence[FactSource] = ()) -> AuditResult:
    """Run the per-device rules. `fact_sources` (collected facts, e.g. LLDP/CDP neighbours:
    :func:`stormguard.topology.fact_roles.neighbor_role_source`) decide port roles ahead of
    the policy's description selectors; `stormguard lint` passes none."""
    today = today or dt.date.today()
    # the device rules in ID order; the policy's settings of each asked once per call, on
    # first need (`stormguard lint` audits one device per call: a platform's rules only)
    rules = [r for r in all_rules() if r.scope == "device"]
    acts: dict[str, _Active | None] = {}
    live_waivers = [w for w in policy.waivers if not waiver_expired(w, today)]
    expired = [w for w in policy.waivers if waiver_expired(w, today)]
    findings: list[Finding] = []
    errors: list[str] = []
    count = 0
    rank = SEVERITY_RANK.__getitem__
    append = findings.append
    for dev in devices:
        count += 1
        eff = effective_device(dev, policy, fact_sources=fact_sources)
        platform = dev.platform
        family = PLATFORM_FAMILY.get(platform, platform)
        hostname = dev.hostname
        source = dev.source
        for rule in rules:
            if rule.platforms and platform not in rule.platforms:
                continue
            if not rule.platforms and platform in HYPERVISOR_PLATFORMS:
                continue  # ESXi: only rules that name it (switch/Linux syntax does not apply)
            rule_id = rule.id
            act = acts.get(rule_id, _UNASKED)
            if act is _UNASKED:
                act = acts[rule_id] = _active(policy, rule)
            if act is None:
                continue  # disabled by the policy
            severity = act.severity
            ctx = RuleContext(rule_id, policy, family,
                              (rule_id, severity, hostname, platform, source))
            try:
                hits = list(rule.check(eff, act.params, ctx))
            except Exception as exc:  # keep auditing the rest; report the failure
                msg = f"{hostname}: rule {rule.id} failed: {type(exc).__name__}: {exc}"
                errors.append(msg)
                dev.warnings.append(msg)
                continue
            # the hot path of `stormguard lint` (hundreds of findings per config): findings
            # the rule made itself (rules.base.maker) are taken as they are, the rest built
            # by findings.new_finding; waivers looked at only when there are any
            for hit in hits:
                if hit.__class__ is Finding:
                    f = hit
                else:
                    cap = hit.severity
                    f = new_finding(rule_id,
                                    severity if cap is None else min(cap, severity, key=rank),
                                    hostname, platform, hit.interface, hit.line, hit.message,
                                    hit.expected, hit.actual, hit.remediation, source,
                                    hit.extra)
                if live_waivers:
                    _mark_waived(f, live_waivers)
                append(f)
    return AuditResult(findings=findings, expired_waivers=expired, devices=count, errors=errors)


def audit_fleet(devices: Iterable[Device], policy: Policy, neighbors: Iterable[Neighbor], *,
                today: dt.date | None = None, warnings: Iterable[str] = ()) -> AuditResult:
    """Run the fleet rules (``SCOPE = "fleet"``: cross-layer, over the L2 graph) once over
    `devices` linked by `neighbors`. Per-device rules are :func:`audit`'s business; call both.
    A fleet rule that raises is recorded in :attr:`AuditResult.errors`, the others still run."""
    from stormguard.topology.fleet import FleetView

    today = today or dt.date.today()
    active = [a for a in _active_rules(policy) if a.rule.scope == "fleet"]
    devs = list(devices)
    live_waivers = [w for w in policy.waivers if not waiver_expired(w, today)]
    expired = [w for w in policy.waivers if waiver_expired(w, today)]
    result = AuditResult(findings=[], expired_waivers=expired, devices=len(devs))
    if not active:
        return result
    from stormguard.topology.fact_roles import neighbor_role_source

    nbs = list(neighbors)
    # switch-port roles from what is behind each port (LLDP/CDP), ahead of descriptions
    roles = [neighbor_role_source(nbs, devs, [r.name for r in policy.roles])]
    fleet = FleetView([effective_device(d, policy, fact_sources=roles) for d in devs], nbs,
                      list(warnings))
    result.fleet = fleet
    by_name = {d.hostname: d for d in devs}
    for act in active:
        rule = act.rule
        ctx = RuleContext(rule_id=rule.id, policy=policy, family="")
        try:
            hits = list(rule.check(fleet, act.params, ctx))  # type: ignore[arg-type]
        except Exception as exc:  # keep the other fleet rules
            result.errors.append(f"fleet: rule {rule.id} failed: {type(exc).__name__}: {exc}")
            continue
        for hit in hits:
            dev = by_name.get(hit.device or "")
            f = Finding(
                rule=rule.id,
                severity=act.severity if hit.severity is None
                else min(hit.severity, act.severity, key=SEVERITY_RANK.__getitem__),
                device=hit.device or "fleet",
                platform=dev.platform if dev is not None else "",
                interface=hit.interface,
                line=hit.line,
                message=hit.message,
                expected=hit.expected,
                actual=hit.actual,
                remediation=hit.remediation,
                source=dev.source if dev is not None else "",
                extra=hit.extra,
            )
            _mark_waived(f, live_waivers)
            result.findings.append(f)
    return result
