"""The CI snippets of docs/lint-in-ci.md, parsed as YAML and their stormguard commands run.

A config repository with an upstream (`origin`, a bare repo holding `main`) and a merge-request
branch that opens a trunk to all VLANs: the GitHub Actions steps and the GitLab CI script lines
are run as written (CI variables and `${{ }}` expressions filled in), the reports they write are
checked, and the gate fails on the change and passes once it is fixed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import EXAMPLES, ROOT, git, init_repo

DOC = ROOT / "docs" / "lint-in-ci.md"


def _yaml_block(heading: str) -> dict:
    text = DOC.read_text()
    start = text.index(f"\n{heading}\n")
    m = re.search(r"```yaml\n(.*?)```", text[start:], re.S)
    assert m, heading
    return yaml.safe_load(m.group(1))


def _run(cmd: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def merge_request(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    upstream = init_repo(tmp_path / "seed")
    (upstream / "configs").mkdir()
    (upstream / "policies").mkdir()
    shutil.copy(EXAMPLES / "cisco_ios-compliant.cfg", upstream / "configs" / "core1.cfg")
    shutil.copy(EXAMPLES / "cisco_ios-violations.cfg", upstream / "configs" / "acc1.cfg")
    shutil.copy(ROOT / "policies" / "example-site.yaml", upstream / "policies" / "site.yaml")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-q", "-m", "configs")
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(upstream), str(bare)], check=True)
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(bare), str(work)], check=True)
    git(work, "config", "user.name", "t")
    git(work, "config", "user.email", "t@example.invalid")
    git(work, "checkout", "-q", "-b", "open-trunk")
    core = work / "configs" / "core1.cfg"
    text = core.read_text()
    allowed = re.search(r"\n switchport trunk allowed vlan [^\n]*", text)
    assert allowed
    core.write_text(text.replace(allowed.group(), "", 1))
    git(work, "commit", "-qam", "core1: carry every VLAN to the new blade chassis")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORMGUARD_")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}"
    env["HOME"] = str(tmp_path)
    return work, env


def _fix(work: Path) -> None:
    core = work / "configs" / "core1.cfg"
    good = (EXAMPLES / "cisco_ios-compliant.cfg").read_text()
    core.write_text(good)
    git(work, "commit", "-qam", "core1: prune the trunk again")


def test_github_actions_snippet(merge_request: tuple[Path, dict[str, str]]) -> None:
    work, env = merge_request
    wf = _yaml_block("## GitHub Actions and code scanning (SARIF)")
    assert wf["permissions"]["security-events"] == "write"
    steps = wf["jobs"]["lint"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"][
        "fetch-depth"] == 0
    upload = next(s for s in steps if str(s.get("uses", "")).startswith(
        "github/codeql-action/upload-sarif"))
    lint_steps = [s for s in steps if "stormguard lint" in s.get("run", "")]
    assert len(lint_steps) == 2
    env = {**env, "GITHUB_WORKSPACE": str(work)}

    def command(step: dict) -> str:
        return step["run"].replace("${{ github.base_ref }}", "main")

    sarif_step, gate = lint_steps
    proc = _run(command(sarif_step), work, env)
    assert proc.returncode == 0, proc.stderr  # --fail-on never: every finding, no failure
    sarif = json.loads((work / upload["with"]["sarif_file"]).read_text())
    results = sarif["runs"][0]["results"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in results} == {"configs/acc1.cfg", "configs/core1.cfg"}

    assert gate["if"] == "github.event_name == 'pull_request'"
    proc = _run(command(gate), work, env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "configs/core1.cfg" in proc.stdout and "SG101" in proc.stdout
    assert "configs/acc1.cfg" not in proc.stdout  # its old findings are not the change's
    _fix(work)
    proc = _run(command(gate), work, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_gitlab_ci_snippet(merge_request: tuple[Path, dict[str, str]]) -> None:
    work, env = merge_request
    doc = _yaml_block("## GitLab CI: Code Quality and JUnit")
    job = doc["stormguard-lint"]
    assert job["variables"]["GIT_DEPTH"] == 0
    reports = job["artifacts"]["reports"]
    env = {**env, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_PROJECT_DIR": str(work),
           "CI_PIPELINE_SOURCE": "merge_request_event"}
    *reporting, gate = job["script"]
    for line in reporting:
        proc = _run(line, work, env)
        assert proc.returncode == 0, (line, proc.stdout, proc.stderr)
    issues = json.loads((work / reports["codequality"]).read_text())
    assert {i["location"]["path"] for i in issues} == {"configs/acc1.cfg", "configs/core1.cfg"}
    assert all(i["severity"] in ("info", "minor", "major", "critical", "blocker")
               for i in issues)
    junit = (work / reports["junit"]).read_text()
    assert "core1.cfg" in junit and "SG101" in junit and "acc1.cfg" not in junit
    proc = _run(gate, work, env)
    assert proc.returncode == 1 and "SG101" in proc.stdout, proc.stdout + proc.stderr
    _fix(work)
    assert _run(gate, work, env).returncode == 0


def test_pre_commit_snippet_names_the_shipped_hook() -> None:
    cfg = _yaml_block("## pre-commit hook")
    (repo,) = cfg["repos"]
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert {h["id"] for h in repo["hooks"]} <= hooks
    assert repo["rev"] and repo["repo"]
