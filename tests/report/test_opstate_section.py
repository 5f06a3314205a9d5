"""The report's "Operational state" section: built from the state stored with two nights'
snapshots in a real SQLite store, changed ports first, rendered in HTML and Markdown."""

from __future__ import annotations

from pathlib import Path

from stormguard.report.build import build_report_data
from stormguard.report.render import render_html, render_markdown

FIX = Path(__file__).resolve().parents[1] / "opstate" / "fixtures"


def _entry(command: str, name: str) -> dict:
    return {"command": command, "raw": (FIX / name).read_text(encoding="utf-8")}


def test_operational_state_section_lists_changed_ports_first(store) -> None:
    store.upsert_device("sw1", "cisco_ios", site="ams")
    store.upsert_device("hw1", "huawei", site="ams")
    # night 1: sw1 had Gi1/0/3 and Gi1/0/7 err-disabled; hw1 nothing abnormal
    r1 = store.start_run("nightly", "schedule")
    errd = _entry("show interfaces status err-disabled", "ios_errdisabled.txt")
    night1 = dict(errd)
    night1["raw"] = "\n".join(ln for ln in errd["raw"].splitlines() if "Gi1/0/9" not in ln)
    store.save_snapshot(r1, "sw1", "cisco_ios", "hostname sw1\n", state={"errdisabled": night1})
    store.save_snapshot(r1, "hw1", "huawei", "sysname hw1\n", state={})
    store.save_findings(r1, [])
    store.finish_run(r1, "ok", {"audited_devices": ["sw1", "hw1"]})
    # night 2: Gi1/0/9 joined them; hw1 err-disabled a port and counted topology changes
    r2 = store.start_run("nightly", "schedule")
    store.save_snapshot(r2, "sw1", "cisco_ios", "hostname sw1\n!\n", state={"errdisabled": errd})
    store.save_snapshot(r2, "hw1", "huawei", "sysname hw1\n#\n", state={
        "errdisabled": _entry("display error-down recovery", "huawei_error_down.txt"),
        "stp_global": _entry("display stp", "huawei_stp.txt"),
    })
    store.save_findings(r2, [])
    store.finish_run(r2, "ok", {"audited_devices": ["sw1", "hw1"]})

    data = build_report_data(store)
    got = [(o.device, o.kind, o.interface, o.changed) for o in data.opstate]
    assert got == [
        ("hw1", "err-disabled", "GigabitEthernet0/0/3", True),
        ("hw1", "err-disabled", "GigabitEthernet0/0/8", True),
        ("hw1", "topology-change", "CIST", True),
        ("sw1", "err-disabled", "Gi1/0/9", True),
        ("sw1", "err-disabled", "Gi1/0/3", False),
        ("sw1", "err-disabled", "Gi1/0/7", False),
    ]
    topo = next(o for o in data.opstate if o.kind == "topology-change")
    assert topo.detail == "23 changes, last 131 s ago from GigabitEthernet0/0/2"
    assert data.to_dict()["opstate"][0]["interface"] == "GigabitEthernet0/0/3"

    html = render_html(data)
    section = html.split('<section id="opstate">', 1)[1].split("</section>", 1)[0]
    assert "Operational state (6)" in section
    assert section.index("Gi1/0/9") < section.index("Gi1/0/3")  # changed first
    assert section.count('class="opstate-row changed"') == 4
    assert "bpdu-protection (recovers in 286 s)" in section
    md = render_markdown(data)
    assert "## Operational state" in md and "| changed | sw1 | err-disabled | Gi1/0/9 |" in md


def test_no_collected_state_says_so(store) -> None:
    store.upsert_device("sw1", "cisco_ios")
    r1 = store.start_run("nightly", "schedule")
    store.save_snapshot(r1, "sw1", "cisco_ios", "hostname sw1\n")
    store.save_findings(r1, [])
    store.finish_run(r1, "ok", {"audited_devices": ["sw1"]})
    data = build_report_data(store)
    assert data.opstate == []
    assert "No err-disabled or inconsistent port" in render_html(data)
