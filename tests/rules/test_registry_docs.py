"""Registry contract, generated docs, `stormguard rules`, import weight, speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stormguard.findings import SEVERITIES
from stormguard.rules import all_rules, get_rule
from stormguard.rules.docgen import render

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {"SG101": "high", "SG102": "medium", "SG103": "high", "SG201": "high",
            "SG202": "high",
            "SG203": "high", "SG204": "medium", "SG205": "high", "SG301": "medium",
            "SG302": "medium", "SG303": "low", "SG304": "medium", "SG305": "low",
            "SG306": "low"}


def test_registry_ids_and_severities() -> None:
    rules = all_rules()
    assert [r.id for r in rules] == sorted(r.id for r in rules)
    got = {r.id: r.severity for r in rules}
    for rid, sev in EXPECTED.items():
        assert got[rid] == sev
    for r in rules:
        assert r.severity in SEVERITIES and r.name == r.name.lower() and callable(r.check)
        assert r.title and r.title.endswith(".")
    assert get_rule("SG101").params == {"all_threshold": 4000, "exempt_roles": ["peer-link"]}
    assert get_rule("SG999") is None


@pytest.mark.parametrize("rid", sorted(EXPECTED))
def test_docstrings_explain_why_and_show_examples_per_family(rid) -> None:
    doc = get_rule(rid).doc
    assert "Why it matters for storms" in doc
    for fam in ("Cisco IOS/IOS-XE", "Juniper Junos", "Huawei VRP"):
        assert f"({fam}" in doc, (rid, fam)
    # SG203: Junos has no BPDU-filter statement, SG103: Junos has no negotiated port mode, so
    # no Junos "Bad" example there
    assert doc.count("Bad (") >= (2 if rid in ("SG103", "SG203") else 3)
    assert doc.count("Good (") >= 3


#: Cross-layer rules (SCOPE "fleet": run over the L2 graph by the store audit, never by lint).
FLEET = {"SG503": "medium", "SG504": "high", "SG505": "medium"}


@pytest.mark.parametrize("rid", sorted(FLEET))
def test_fleet_rules_registered_with_docs_per_hypervisor_kind(rid) -> None:
    rule = get_rule(rid)
    assert rule is not None and rule.severity == FLEET[rid] and rule.scope == "fleet"
    assert "Why it matters for storms" in rule.doc
    assert "Bad (VMware ESXi" in rule.doc and "Good (" in rule.doc
    if rid != "SG505":  # SG505 is ESXi-only (guest BPDUs, port group security)
        for kind in ("Open vSwitch", "Linux bridge"):
            assert f"Bad ({kind}" in rule.doc, (rid, kind)


def test_default_pack_names_every_rule() -> None:
    text = (ROOT / "policies" / "default.yaml").read_text()
    for r in all_rules():
        assert f"  {r.id}:" in text


def test_docs_rules_md_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/rules.md is stale: run `python -m stormguard.rules.docgen > docs/rules.md`")


def test_docgen_module_output_matches() -> None:
    out = subprocess.run([sys.executable, "-m", "stormguard.rules.docgen"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert out == render()
    assert "## SG101 `trunk-allows-all-vlans`" in out
    assert "```\ninterface GigabitEthernet1/0/1" in out


def test_rules_command_formats(tmp_path, capsys) -> None:
    from stormguard.cli import main

    assert main(["rules", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_id = {r["id"]: r for r in data["rules"]}
    assert by_id["SG302"]["params"]["max_percent"] == 10 and by_id["SG302"]["enabled"]
    pack = tmp_path / "p.yaml"
    pack.write_text("rules:\n  SG302: {severity: high, max_percent: 3}\n  SG303: false\n")
    assert main(["rules", "--format", "json", "--policy", str(pack)]) == 0
    by_id = {r["id"]: r for r in json.loads(capsys.readouterr().out)["rules"]}
    assert by_id["SG302"]["severity"] == "high" and by_id["SG302"]["default_severity"] == "medium"
    assert by_id["SG302"]["params"]["max_percent"] == 3 and not by_id["SG303"]["enabled"]
    assert main(["rules"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].startswith("SG101  high    trunk-allows-all-vlans")
    assert main(["rules", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == render()


def test_rule_path_imports_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from stormguard.policy import load_policy\n"
        "from stormguard.engine import audit\n"
        "from stormguard.parsers import parse_config\n"
        "import stormguard.commands.rules, stormguard.rules.docgen\n"
        "audit(parse_config('hostname s\\ninterface Gi1/0/1\\n switchport mode trunk\\n',"
        " 'cisco_ios'), load_policy())\n"
        "bad = [m for m in ('napalm', 'netmiko', 'scapy', 'sqlalchemy', 'paramiko', 'jinja2')"
        " if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""
