"""Parser warnings reach the nightly report: audited from a real SQLite store, shown (escaped)
in the HTML, Markdown and JSON renderings."""

from __future__ import annotations

import json
from pathlib import Path

from stormguard.policy import load_policy
from stormguard.report import build_report_data, render
from stormguard.store import Store
from stormguard.store.audit import audit_snapshots

CE = Path(__file__).parents[1] / "parsers_vrp_junos/fixtures/huawei_ce6857_stormcontrol.cfg"
HOSTILE = ("sysname x\n#\ninterface GigabitEthernet0/0/1\n"
           " storm-control broadcast <script>1</script>\n#\n")


def test_parser_warnings_in_every_report_format(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'sg.db'}") as store:
        store.upsert_device("ce-1", "huawei")
        store.upsert_device("hw-2", "huawei")
        store.upsert_device("clean-3", "cisco_ios")
        run = store.start_run("nightly", "schedule")
        store.save_snapshot(run, "ce-1", "huawei", CE.read_text())
        store.save_snapshot(run, "hw-2", "huawei", HOSTILE)
        store.save_snapshot(run, "clean-3", "cisco_ios",
                            "hostname c\ninterface Gi1/0/1\n switchport mode access\n")
        audit = audit_snapshots(store, run, load_policy([]))
        assert set(audit.warnings) == {"ce-1", "hw-2"}
        store.finish_run(run, "ok", audit.summary())
        data = build_report_data(store, run)
    by_dev = {d.name: d.warnings for d in data.devices}
    assert by_dev["clean-3"] == [] and len(by_dev["ce-1"]) >= 2
    assert any("max-rate lots" in w for w in by_dev["ce-1"])
    html = render(data, "html")
    assert 'id="parser-warnings"' in html and "max-rate lots" in html
    assert "<script>1</script>" not in html and "&lt;script&gt;1&lt;/script&gt;" in html
    md = render(data, "md")
    assert "## Parser warnings" in md and "max-rate lots" in md
    doc = json.loads(render(data, "json"))
    dev = next(d for d in doc["devices"] if d["name"] == "ce-1")
    assert dev["warnings"] == by_dev["ce-1"]


def test_no_section_without_warnings(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'sg.db'}") as store:
        store.upsert_device("clean-3", "cisco_ios")
        run = store.start_run("nightly", "schedule")
        store.save_snapshot(run, "clean-3", "cisco_ios",
                            "hostname c\ninterface Gi1/0/1\n switchport mode access\n")
        audit = audit_snapshots(store, run, load_policy([]))
        store.finish_run(run, "ok", audit.summary())
        data = build_report_data(store, run)
    assert "parser-warnings" not in render(data, "html")
    assert "Parser warnings" not in render(data, "md")
