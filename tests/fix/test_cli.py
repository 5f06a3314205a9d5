"""`stormguard fix` and the lint output of fixes and parser warnings, through the real entry
point in a subprocess (one-line errors, exit codes, --diff, -o, --rules, --no-fix, --strict)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CE = ROOT / "tests/parsers_vrp_junos/fixtures/huawei_ce6857_stormcontrol.cfg"


def sg(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("STORMGUARD_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "stormguard", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_fix_prints_the_fixed_config_that_lints_clean(tmp_path: Path) -> None:
    out = tmp_path / "fixed.cfg"
    r = sg("fix", str(EXAMPLES / "cisco_ios-violations.cfg"), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert re.search(r"fixed \d+ findings$", r.stderr.strip())
    lint = sg("lint", str(out), "--fail-on", "low", "--format", "json")
    assert lint.returncode == 0, lint.stdout
    assert json.loads(lint.stdout)["summary"]["findings"] == 0


def test_fix_diff_and_rules_filter() -> None:
    r = sg("fix", str(EXAMPLES / "huawei-violations.cfg"), "--diff", "--rules", "sg101")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("--- ")
    changed = [ln for ln in r.stdout.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++",
                                                                                       "---")]
    assert changed and all("trunk allow-pass vlan" in ln for ln in changed)
    assert "fixed 2 findings" in r.stderr


def test_fix_junos_curly_is_printed_in_display_set_form() -> None:
    r = sg("fix", str(ROOT / "tests/parsers_vrp_junos/fixtures/junos_ex4300_els.conf"))
    assert r.returncode == 0, r.stderr
    assert all(ln.startswith(("set ", "deactivate ")) for ln in r.stdout.splitlines())
    assert "display-set form" in r.stderr


def test_fix_says_what_it_cannot_fix_and_exits_1() -> None:
    r = sg("fix", str(EXAMPLES / "ovs-violations.json"))
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert any("SG101 [eth1] not fixed: vSwitch state is not a file to edit" in ln
               for ln in lines)


def test_fix_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    cases = [
        ("fix", str(tmp_path / "missing.cfg")),
        ("fix", str(EXAMPLES / "huawei-violations.cfg"), "--rules", "SG999"),
        ("fix", str(EXAMPLES / "huawei-violations.cfg"), "-o",
         str(EXAMPLES / "huawei-violations.cfg")),
    ]
    before = (EXAMPLES / "huawei-violations.cfg").read_text()
    binary = tmp_path / "bin.cfg"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    cases.append(("fix", str(binary)))
    for args in cases:
        r = sg(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert "Traceback" not in r.stderr and r.stdout == ""
    assert (EXAMPLES / "huawei-violations.cfg").read_text() == before  # never overwritten


def test_lint_text_shows_the_fix_under_each_finding_and_no_fix_hides_it() -> None:
    path = str(EXAMPLES / "cisco_ios-violations.cfg")
    shown = sg("lint", path, "--fail-on", "never").stdout.splitlines()
    i = next(i for i, ln in enumerate(shown) if "SG303" in ln)
    assert shown[i + 1].strip() == "fix: interface GigabitEthernet1/0/43"
    assert shown[i + 2].strip() == "storm-control action trap"
    hidden = sg("lint", path, "--fail-on", "never", "--no-fix").stdout
    assert "fix:" not in hidden and "SG303" in hidden


def test_parser_warnings_in_text_and_json_and_strict_fails() -> None:
    text = sg("lint", str(CE), "--fail-on", "never")
    assert text.returncode == 0
    warn = [ln for ln in text.stdout.splitlines() if ": warning: " in ln]
    assert warn and warn[0].strip().startswith(f"{CE}:52: warning: cannot read")
    doc = json.loads(sg("lint", str(CE), "--fail-on", "never", "--format", "json").stdout)
    assert doc["summary"]["warnings"] == len(doc["results"][0]["warnings"]) >= 2
    strict = sg("lint", str(CE), "--fail-on", "never", "--strict")
    assert strict.returncode == 1
    assert "(--strict: failing)" in strict.stdout and strict.stdout.rstrip().splitlines()[
        -1].startswith("FAIL")
    clean = sg("lint", str(EXAMPLES / "cisco_ios-compliant.cfg"), "--strict", "--fail-on",
               "never")
    assert clean.returncode == 0  # no parser warning there: --strict alone does not fail it
