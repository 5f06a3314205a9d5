"""LintReport.summary from :func:`finding_counts` (one pass, made by the JSON writer while it
has each result at hand) is pinned equal to counting the findings one list at a time."""

from __future__ import annotations

from collections import Counter
from itertools import filterfalse
from operator import attrgetter
from pathlib import Path

import pytest

from stormguard.findings import SEVERITIES
from stormguard.lint import LintReport, finding_counts, lint_paths

ROOT = Path(__file__).resolve().parents[2]
PACK = """\
waivers:
  - {rule: SG205, interface: "*1/0/1*", reason: r, owner: o}
  - {rule: SG306, reason: r, owner: o}
  - {rule: SG101, reason: gone, owner: o, expires: 2001-01-01}
"""


def _counted_by_lists(report: LintReport) -> dict:
    findings = report.findings
    active = list(filterfalse(attrgetter("waived"), findings))
    by_sev = Counter(map(attrgetter("severity"), active))
    by_rule = Counter(map(attrgetter("rule"), active))
    return {"findings": len(active), "waived": len(findings) - len(active),
            "by_severity": {s: by_sev.get(s, 0) for s in reversed(SEVERITIES)},
            "by_rule": dict(sorted(by_rule.items()))}


@pytest.mark.parametrize("waivers", [False, True])
def test_summary_counts(tmp_path: Path, waivers: bool) -> None:
    packs = []
    if waivers:
        (tmp_path / "pack.yaml").write_text(PACK)
        packs = [str(tmp_path / "pack.yaml")]
    report = lint_paths([str(ROOT / "examples")], policy_files=packs, fail_on="low")
    assert report.findings and (any(f.waived for f in report.findings) == waivers)
    whole = report.summary()
    assert whole == report.summary(finding_counts(report.findings))
    assert {k: whole[k] for k in _counted_by_lists(report)} == _counted_by_lists(report)


def test_summary_counts_of_nothing() -> None:
    report = LintReport(results=[], fail_on=None)
    assert report.summary() == report.summary(Counter())
    assert report.summary()["by_rule"] == {} and report.summary()["findings"] == 0
