"""`stormguard lint`: judge candidate configurations before a change, locally and in CI.

Pure orchestration over the parsers, the policy and the engine: read each file, parse it
(detecting the platform unless told), audit it, optionally subtract a baseline, and hand a
:class:`LintReport` to a formatter. A file that cannot be read or parsed becomes an error entry
for that file; the other files are still linted.

This module and everything it imports must stay free of heavy imports (napalm, netmiko, scapy,
sqlalchemy): `stormguard lint` is run on every commit.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any

from stormguard.errors import InputError, StormguardError
from stormguard.findings import SEVERITIES, SEVERITY_RANK, Finding, Waiver, severity_at_least

JSON_VERSION = 1


@dataclass
class LintResult:
    """One device out of one source file (a vSwitch bundle may hold several bridges)."""

    source: str
    device: str | None = None
    platform: str | None = None
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class LintReport:
    results: list[LintResult]
    fail_on: str | None  # None: never fail on findings
    expired_waivers: list[Waiver] = field(default_factory=list)
    baseline: str | None = None
    baseline_suppressed: int = 0
    #: files passed over in linted directories because they are stormguard's own reports
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, what it is)
    #: `--strict`: a parser warning (configuration that could not be read) fails the run
    strict: bool = False
    #: :func:`finding_counts` of the findings already written out and released (a streamed
    #: run: see :func:`lint_paths`' ``on_result``); :meth:`summary` and :meth:`exit_code`
    #: count them with the findings still held in :attr:`results`.
    released: Counter[tuple[str, str, bool]] = field(default_factory=Counter)

    @property
    def warnings(self) -> list[str]:
        return [w for r in self.results for w in r.warnings]

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    @property
    def errors(self) -> list[str]:
        return [e for r in self.results for e in r.errors]

    def failing(self) -> list[Finding]:
        if self.fail_on is None:
            return []
        return [f for f in self.findings
                if not f.waived and severity_at_least(f.severity, self.fail_on)]

    def _fails_on_findings(self) -> bool:
        """``bool(self.failing())`` without building the list: stops at the first one (the
        released findings count too)."""
        if self.fail_on is None:
            return False
        floor = SEVERITY_RANK[self.fail_on]
        if any(not waived and n and SEVERITY_RANK[severity] >= floor
               for (_, severity, waived), n in self.released.items()):
            return True
        return any(not f.waived and SEVERITY_RANK[f.severity] >= floor
                   for r in self.results for f in r.findings)

    def exit_code(self) -> int:
        if any(r.errors for r in self.results):
            return 2
        if self.strict and any(r.warnings for r in self.results):
            return 1
        return 1 if self._fails_on_findings() else 0

    def summary(self, counts: Counter[tuple[str, str, bool]] | None = None) -> dict[str, Any]:
        """The run in numbers. `counts`: :func:`finding_counts` over every result's findings,
        when the caller has made it already (the JSON writer counts each result while it has
        its findings at hand: a pass over tens of thousands of findings afterwards reads them
        all from memory again)."""
        if counts is None:
            counts = Counter(self.released)
            for r in self.results:
                counts.update(map(_COUNT_KEY, r.findings))
        elif self.released:
            counts = counts + self.released
        by_sev: Counter[str] = Counter()
        by_rule: Counter[str] = Counter()
        active = waived = 0
        for (rule, severity, is_waived), n in counts.items():  # a few dozen keys
            if is_waived:
                waived += n
            else:
                active += n
                by_sev[severity] += n
                by_rule[rule] += n
        return {
            "files": len({r.source for r in self.results}),
            "devices": sum(1 for r in self.results if r.device is not None),
            "findings": active,
            "waived": waived,
            "by_severity": {s: by_sev.get(s, 0) for s in reversed(SEVERITIES)},
            "by_rule": dict(sorted(by_rule.items())),
            "errors": len(self.errors),
            "warnings": sum(len(r.warnings) for r in self.results),
            "strict": self.strict,
            "expired_waivers": [
                {"rule": w.rule, "device": w.device, "interface": w.interface,
                 "expires": w.expires, "owner": w.owner, "source": w.source}
                for w in self.expired_waivers
            ],
            "fail_on": self.fail_on or "never",
            "failed": self.exit_code() != 0,
            "baseline": self.baseline,
            "baseline_suppressed": self.baseline_suppressed,
        }


_COUNT_KEY = attrgetter("rule", "severity", "waived")


def finding_counts(findings: Iterable[Finding]) -> Counter[tuple[str, str, bool]]:
    """``(rule, severity, waived) -> number of findings``: all that
    :meth:`LintReport.summary` counts, in one pass (in C)."""
    return Counter(map(_COUNT_KEY, findings))


#: What a config or a file name must not put raw into an output: C0/C1 controls (newlines,
#: terminal escapes: ESC and the one-byte CSI), DEL, Unicode line separators, bidirectional
#: overrides ("Trojan source"), lone surrogates and the non-characters XML 1.0 forbids.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                      "\ud800-\udfff\ufffe\uffff]")


def _escape(m: re.Match[str]) -> str:
    c = m.group()
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def one_line(message: str) -> str:
    """An error entry is one line whatever the file was called: control characters in a file
    name (a newline, a terminal escape) are shown escaped, as Python would spell them."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1] if m.group() in "\n\r\t"
                        else _escape(m), message)


def visible(value: object) -> str:
    """`value` as text safe for a terminal and for XML 1.0: every character from
    :data:`_CONTROL` shown escaped (``\\x1b``, ``\\n``, ``\\u202e``), the rest untouched."""
    return one_line(str(value))


def lint_paths(
    paths: Iterable[str],
    *,
    platform: str | None = None,
    policy_files: Iterable[str] = (),
    fail_on: str | None = "medium",
    baseline: str | None = None,
    today: date | None = None,
    output: str | None = None,
    on_result: Callable[[LintResult], None] | None = None,
) -> LintReport:
    """Lint every config file under `paths` into a :class:`LintReport`.

    `on_result` (optional) streams the run: each result is handed to it as soon as its file
    is audited, in the order of the report, and its findings are then released (counted in
    :attr:`LintReport.released`), so a 200-file run does not hold ~100,000 findings until
    the end. Not with `baseline`, which judges each finding against the whole run."""
    if on_result is not None and baseline:
        raise ValueError("on_result and baseline cannot be combined")
    from stormguard.engine import audit
    from stormguard.parsers import parse_config
    from stormguard.policy import load_policy
    from stormguard.sources import expand_paths, read_config

    if fail_on == "never":
        fail_on = None
    policy_files = list(policy_files)
    policy = load_policy(policy_files)  # a bad policy is a usage error: raise
    results: list[LintResult] = []
    released: Counter[tuple[str, str, bool]] = Counter()
    expired: dict[tuple[str, str, str, str | None], Waiver] = {}
    skipped: list[tuple[str, str]] = []
    files = list(expand_paths(list(paths), skipped))
    if output is not None:
        refuse_output_over_input(output, [*files, *policy_files, *([baseline] if baseline
                                                                     else [])])
    if not files:
        raise InputError("no configuration files found in the paths given")
    if on_result is None:
        add = results.append
    else:
        def add(result: LintResult) -> None:
            on_result(result)
            if result.findings:
                released.update(map(_COUNT_KEY, result.findings))
                result.findings = []
            results.append(result)
    for path in files:
        try:
            src = read_config(path)
            devices = parse_config(src.text, platform, source=path)
        except StormguardError as exc:
            add(LintResult(source=path, errors=[one_line(str(exc))]))
            continue
        except Exception as exc:  # a parser bug must not hide the other files
            add(LintResult(
                source=path,
                errors=[one_line(f"{path}: parser failed: {type(exc).__name__}: {exc}")]))
            continue
        for dev in devices:
            dev.source = path
            outcome = audit([dev], policy, today=today)  # findings carry dev.source: path
            for w in outcome.expired_waivers:
                expired[(w.rule, w.device, w.interface, w.expires)] = w
            add(LintResult(source=path, device=dev.hostname, platform=dev.platform,
                           findings=outcome.findings, warnings=list(dev.warnings)))
    report = LintReport(results=results, fail_on=fail_on, expired_waivers=list(expired.values()),
                        skipped=skipped, released=released)
    if baseline:
        apply_baseline(report, baseline)
    return report


def refuse_output_over_input(output: str, inputs: list[str]) -> None:
    """`-o FILE` must not name a file being read: the report would replace the config (or the
    policy, or the baseline) it judges. Compared by identity (links, ``./`` and ``..`` see
    through), before anything is written."""
    import os

    try:
        out_stat = os.stat(output)
    except OSError:
        out_stat = None
    out_real = os.path.realpath(output)
    for path in inputs:
        try:
            same = (os.path.samestat(out_stat, os.stat(path)) if out_stat is not None
                    else os.path.realpath(path) == out_real)
        except OSError:
            same = os.path.realpath(path) == out_real
        if same:
            raise InputError(f"{one_line(output)}: the output file is also an input "
                             f"({one_line(path)}); refusing to overwrite it")


def load_baseline(path: str) -> Counter[tuple[str, str, str]]:
    """Finding keys (rule, device, interface) of an earlier `--format json` output."""
    from stormguard.readlimits import MAX_BASELINE_BYTES, read_text

    try:
        doc = json.loads(read_text(path, MAX_BASELINE_BYTES, "baseline", InputError))
    except FileNotFoundError:
        raise InputError(f"{path}: baseline file not found") from None
    except (ValueError, RecursionError) as exc:
        reason = exc if isinstance(exc, ValueError) else "nested too deep"
        raise InputError(f"{path}: not a stormguard JSON baseline ({reason})") from None
    if not isinstance(doc, dict) or doc.get("version") != JSON_VERSION or not isinstance(
        doc.get("results"), list
    ):
        raise InputError(f"{path}: not a stormguard JSON baseline (version {JSON_VERSION})")
    keys: Counter[tuple[str, str, str]] = Counter()
    for i, res in enumerate(doc["results"]):
        if not isinstance(res, dict):
            raise InputError(f"{path}: not a stormguard JSON baseline "
                             f"(results[{i}] is not an object)")
        found = res.get("findings", [])
        if not isinstance(found, list):
            raise InputError(f"{path}: not a stormguard JSON baseline "
                             f"(results[{i}].findings is not a list)")
        for j, f in enumerate(found):
            if not isinstance(f, dict) or not isinstance(f.get("rule"), str) or not isinstance(
                f.get("interface", ""), str | None
            ):
                raise InputError(f"{path}: not a stormguard JSON baseline "
                                 f"(results[{i}].findings[{j}] is not a finding)")
            if not f.get("waived"):
                keys[(f["rule"], str(res.get("device")), f.get("interface") or "")] += 1
    return keys


def apply_baseline(report: LintReport, path: str) -> None:
    """Keep only findings that are new compared with the baseline (counted per key)."""
    known = load_baseline(path)
    suppress_known(report, lambda res: known, path)


def suppress_known(report: LintReport, known_for: Any, label: str) -> None:
    """Drop each result's findings that `known_for(result)` (a Counter of finding keys, or
    None) already counts — one per count, so a second copy of a finding is still new."""
    suppressed = 0
    for res in report.results:
        known = known_for(res)
        if not known:
            continue
        kept = []
        for f in res.findings:
            if not f.waived and known[f.key] > 0:
                known[f.key] -= 1
                suppressed += 1
            else:
                kept.append(f)
        res.findings = kept
    report.baseline = label
    report.baseline_suppressed = suppressed
