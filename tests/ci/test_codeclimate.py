"""`--format codeclimate`: GitLab Code Quality issues, validated against the documented shape."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema

from .conftest import EXAMPLES

# GitLab's Code Quality report format (the fields GitLab reads, with their types)
SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "type": {"const": "issue"},
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {"type": "object", "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}


def _lint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stormguard", "lint", *args,
                           "--format", "codeclimate"], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_codeclimate_issues_have_gitlab_shape(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "cisco_ios-violations.cfg", tmp_path / "access.cfg")
    shutil.copy(EXAMPLES / "juniper_junos-violations.conf", tmp_path / "edge.conf")
    (tmp_path / "empty.cfg").write_text("")
    proc = _lint(tmp_path, "access.cfg", "edge.conf", "empty.cfg", "--fail-on", "never")
    assert proc.returncode == 2, proc.stderr  # the empty file is an input error
    issues = json.loads(proc.stdout)
    jsonschema.validate(issues, SCHEMA)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    by_path: dict[str, list[dict]] = {}
    for i in issues:
        by_path.setdefault(i["location"]["path"], []).append(i)
    assert set(by_path) == {"access.cfg", "edge.conf", "empty.cfg"}
    (err,) = by_path["empty.cfg"]
    assert err["check_name"] == "stormguard/input-error" and "empty" in err["description"]
    # the same findings as the JSON format, at the same lines, with the mapped severities
    js = json.loads(subprocess.run([sys.executable, "-m", "stormguard", "lint", "access.cfg",
                                    "--format", "json", "--fail-on", "never"], cwd=tmp_path,
                                   capture_output=True, text=True, timeout=120).stdout)
    want = {(f["rule"], f["line"], {"critical": "blocker", "high": "critical",
                                    "medium": "major", "low": "minor", "info": "info"}
             [f["severity"]]) for r in js["results"] for f in r["findings"] if not f["waived"]}
    got = {(i["check_name"], i["location"]["lines"]["begin"], i["severity"])
           for i in by_path["access.cfg"]}
    assert got == want and len(by_path["access.cfg"]) == len(want)
    sg101 = next(i for i in by_path["access.cfg"] if i["check_name"] == "SG101")
    assert "GigabitEthernet1/0/37" in sg101["description"] or "GigabitEthernet1/0/38" in sg101[
        "description"]
    assert "switchport trunk allowed vlan" in sg101["content"]["body"]


def test_fingerprint_survives_a_moved_line_and_waived_findings_are_left_out(
        tmp_path: Path) -> None:
    text = (EXAMPLES / "cisco_ios-violations.cfg").read_text()
    (tmp_path / "a.cfg").write_text(text)
    before = {i["check_name"] + i["description"].split(":")[0]: i["fingerprint"]
              for i in json.loads(_lint(tmp_path, "a.cfg").stdout)}
    (tmp_path / "a.cfg").write_text("!\n!\n!\n" + text)  # every line moves down by three
    after_issues = json.loads(_lint(tmp_path, "a.cfg").stdout)
    after = {i["check_name"] + i["description"].split(":")[0]: i["fingerprint"]
             for i in after_issues}
    assert before == after
    # a waiver makes the finding disappear from Code Quality (SARIF keeps it as suppressed)
    sg101 = [i for i in after_issues if i["check_name"] == "SG101"]
    assert sg101
    policy = tmp_path / "waive.yaml"
    policy.write_text("waivers:\n  - rule: SG101\n    device: '*'\n    interface: '*'\n"
                      "    reason: ESXi uplinks, reviewed\n    owner: netops\n"
                      "    expires: '2999-01-01'\n")
    waived = _lint(tmp_path, "a.cfg", "--policy", str(policy))
    assert waived.returncode in (0, 1), waived.stderr
    left = json.loads(waived.stdout)
    assert not [i for i in left if i["check_name"] == "SG101"]
    assert len(left) == len(after_issues) - len(sg101)
