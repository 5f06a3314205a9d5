"""`stormguard lint` outputs against hostile names and broken outputs: XML that always parses,
no raw terminal escapes, stdout failures in one line with exit 2, `-o` never over an input,
its own reports in a linted directory passed over, SARIF proportional and capped."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from stormguard.findings import Finding
from stormguard.lint import LintReport, LintResult, lint_paths

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HOSTILE = "sw\x1b[2J\x1b]0;pwned\x07\n\x00\x0c\x9b31m\u202eevil\ufffe\ud800"


def _hostile_report() -> LintReport:
    f = Finding(rule="SG301", severity="medium", device=HOSTILE, platform="cisco_ios",
                interface=f"Gi1/0/1{HOSTILE}", line=7, message=f"no storm-control {HOSTILE}",
                expected=f"x{HOSTILE}", actual=f"y{HOSTILE}",
                remediation=f"interface Gi1/0/1{HOSTILE}\n storm-control broadcast level 10",
                source=f"configs/{HOSTILE}.cfg")
    res = LintResult(source=f"configs/{HOSTILE}.cfg", device=HOSTILE, platform="cisco_ios",
                     findings=[f], warnings=[f"odd line {HOSTILE}"])
    bad = LintResult(source=f"x{HOSTILE}", errors=[f"x{HOSTILE}: cannot read"])
    return LintReport(results=[res, bad], fail_on="medium")


def _raw_controls(text: str, allowed: str = "\n") -> list[str]:
    return sorted({c for c in text if (ord(c) < 32 and c not in allowed) or 0x7f <= ord(c) <= 0x9f
                   or c in "\u202e\ufffe" or 0xD800 <= ord(c) <= 0xDFFF})


def test_junit_parses_and_shows_control_characters_escaped():
    from stormguard.formats.junit_format import render

    xml = render(_hostile_report())
    assert _raw_controls(xml) == []
    root = ET.fromstring(xml.encode("utf-8"))  # would raise on any character XML 1.0 forbids
    failure = root.find(".//failure")
    assert failure is not None and "\\x1b[2J" in failure.get("message", "")
    # the remediation keeps its own line breaks (a name read from a config line has none)
    assert "\\x0c\\x9b31m\\u202eevil\\ufffe\\ud800\n storm-control broadcast level 10" \
        in (failure.text or "")
    suite = root.find("testsuite")
    assert suite is not None and "\\x1b]0;pwned\\x07" in suite.get("name", "")


def test_text_output_has_no_raw_escapes_and_one_line_per_item():
    from stormguard.formats.text_format import render

    plain = render(_hostile_report(), color=False)
    assert _raw_controls(plain) == []
    assert "\\x1b[2J" in plain and "\\u202eevil" in plain
    lines = plain.splitlines()
    assert sum("SG301" in ln for ln in lines) == 1
    coloured = render(_hostile_report(), color=True)
    # the only escapes are stormguard's own colour codes
    assert coloured.replace("\x1b[33m", "").replace("\x1b[0m", "").count("\x1b") == 0


def test_hostile_file_name_through_the_cli(sg, tmp_path):
    d = tmp_path / "configs"
    d.mkdir()
    name = "sw\x1b[2J\nFAKE: PASS.cfg"
    (d / name).write_text((EXAMPLES / "cisco_ios-violations.cfg").read_text())
    for fmt in ("text", "junit"):
        res = sg("lint", str(d), "--format", fmt)
        assert res.rc == 1, res.err
        assert _raw_controls(res.out) == [], fmt
        assert "sw\\x1b[2J\\nFAKE: PASS.cfg" in res.out
        assert not any(ln.startswith("FAKE") for ln in res.out.splitlines())
        if fmt == "junit":
            ET.fromstring(res.out.encode())


def test_stdout_to_a_full_disk_is_one_line_exit_2(sg):
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "stormguard", "lint",
                               str(EXAMPLES / "cisco_ios-violations.cfg")], cwd=sg.cwd,
                              env=sg.env, stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "stormguard lint: error: cannot write to standard output: No space left on device"]


def test_stdout_to_a_closed_pipe_is_one_line_exit_2(sg):
    r, w = os.pipe()
    os.close(r)  # nobody will ever read: the first write fails with EPIPE
    try:
        proc = subprocess.run([sys.executable, "-m", "stormguard", "lint",
                               str(EXAMPLES / "cisco_ios-violations.cfg")], cwd=sg.cwd,
                              env=sg.env, stdout=w, stderr=subprocess.PIPE, text=True,
                              timeout=60)
    finally:
        os.close(w)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "stormguard lint: error: cannot write to standard output: Broken pipe"]


def test_output_over_an_input_is_refused_and_the_input_kept(sg, tmp_path):
    cfg = tmp_path / "sw1.cfg"
    original = (EXAMPLES / "cisco_ios-violations.cfg").read_text()
    cfg.write_text(original)
    (tmp_path / "link.cfg").symlink_to(cfg)
    pol = tmp_path / "site.yaml"
    pol.write_text("version: 1\n")
    for args in (["sw1.cfg", "-o", "sw1.cfg"], ["sw1.cfg", "-o", "./link.cfg"],
                 [".", "-o", str(cfg)], ["sw1.cfg", "--policy", "site.yaml", "-o", "site.yaml"]):
        res = sg("lint", *args)
        line = res.one_line_error()
        assert res.rc == 2
        assert "the output file is also an input" in line and "refusing to overwrite it" in line
    assert cfg.read_text() == original
    assert pol.read_text() == "version: 1\n"
    base = tmp_path / "base.json"
    assert sg("lint", "sw1.cfg", "--format", "json", "-o", str(base)).rc == 1
    saved = base.read_text()
    res = sg("lint", "sw1.cfg", "--baseline", "base.json", "-o", "base.json")
    assert "the output file is also an input" in res.one_line_error()
    assert base.read_text() == saved


def test_own_reports_in_a_linted_directory_are_skipped_by_content(sg, tmp_path):
    d = tmp_path / "cfgs"
    d.mkdir()
    (d / "sw1.cfg").write_text((EXAMPLES / "cisco_ios-violations.cfg").read_text())
    for fmt in ("json", "sarif", "junit", "codeclimate", "text"):  # names like configs
        assert sg("lint", str(d / "sw1.cfg"), "--format", fmt, "-o",
                  str(d / f"report-{fmt}.cfg")).rc == 1
    (d / "baseline").write_text((d / "report-json.cfg").read_text())  # no suffix at all
    res = sg("lint", str(d), "--format", "json")
    assert res.rc == 1, res.err
    doc = json.loads(res.out)
    assert [r["source"] for r in doc["results"]] == [str(d / "sw1.cfg")]
    assert doc["summary"]["errors"] == 0
    text = sg("lint", str(d))
    notes = [ln for ln in text.out.splitlines() if ln.startswith("note: skipped")]
    assert len(notes) == 6
    assert f"note: skipped {d / 'report-sarif.cfg'}: a stormguard lint SARIF report, not a " \
           "configuration" in notes
    # named explicitly, a report is an error that says what it is
    res = sg("lint", str(d / "baseline"))
    assert res.rc == 2
    assert "a stormguard lint JSON report, not a configuration" in res.out


def _many_findings(n: int) -> LintReport:
    rep = lint_paths(sorted(str(p) for p in EXAMPLES.glob("*violations*")), fail_on="never")
    results, total, i = [], 0, 0
    while total < n:
        r0 = rep.results[i % len(rep.results)]
        r = LintResult(source=f"site{i:05d}/{r0.source}", device=f"{r0.device}-{i}",
                       platform=r0.platform, findings=[])
        for f in r0.findings[: n - total]:
            g = copy.copy(f)
            g.source, g.device = r.source, r.device
            r.findings.append(g)
        total += len(r.findings)
        results.append(r)
        i += 1
    return LintReport(results=results, fail_on="medium")


def test_sarif_for_100k_findings_is_capped_most_severe_first_and_says_so():
    from stormguard.findings import SEVERITY_RANK
    from stormguard.formats.sarif_format import DEFAULT_MAX_RESULTS, render

    report = _many_findings(100_000)
    text = render(report, max_results=DEFAULT_MAX_RESULTS)
    assert len(text.encode()) < 6_000_000  # GitHub refuses files over 10 MB
    run = json.loads(text)["runs"][0]
    assert len(run["results"]) == DEFAULT_MAX_RESULTS
    sev = [SEVERITY_RANK[r["properties"]["severity"]] for r in run["results"]]
    assert sev == sorted(sev, reverse=True)
    worst_left = max(SEVERITY_RANK[f.severity] for f in report.findings)
    assert sev[0] == worst_left
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[-1]["message"]["text"] == (
        f"95,000 of 100,000 results left out (--max-results {DEFAULT_MAX_RESULTS}): the most "
        "severe are kept")


def test_sarif_max_results_through_the_cli(sg, tmp_path):
    res = sg("lint", str(EXAMPLES), "--format", "sarif", "--max-results", "3",
             "--fail-on", "never")
    assert res.rc == 0, res.err
    run = json.loads(res.out)["runs"][0]
    assert [r["level"] for r in run["results"]] == ["error"] * 3
    assert "left out of the SARIF output (--max-results 3); the most severe are kept" in res.err
    res = sg("lint", str(EXAMPLES), "--format", "sarif", "--max-results", "0",
             "--fail-on", "never")
    assert len(json.loads(res.out)["runs"][0]["results"]) > 3 and "left out" not in res.err
    res = sg("lint", str(EXAMPLES), "--format", "sarif", "--max-results", "-1")
    assert res.rc == 2 and "invalid count '-1'" in res.err
