"""Signals and incidents in the store, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stormguard.signals import Signal
from stormguard.signals.incidents import Correlator, Evidence
from stormguard.signals.store import SignalStore


def _sig(i: int, device: str = "sw1") -> Signal:
    return Signal(kind="mac-flap", device=device, interface="Gi1/0/1", vlan=10,
                  macs=["00:50:56:a1:2b:3c"], ts=1_790_000_000.0 + i,
                  message_id="SW_MATM-4-MACFLAP_NOTIF", raw="%SW_MATM-4-MACFLAP_NOTIF: Host ...",
                  platform="cisco_ios", interfaces=["Gi1/0/1", "Gi1/0/2"],
                  detail={"matched": "catalogue"})


def test_signals_round_trip(store) -> None:
    ss = SignalStore(store)
    for i in range(5):
        ss.add(_sig(i, "sw1" if i % 2 else "sw2"), incident_key="incident-1")
    got = ss.signals()
    assert [s.ts for s in got] == [1_790_000_000.0 + i for i in range(5)]
    assert got[0].to_dict() == _sig(0, "sw2").to_dict()
    assert len(ss.signals(device="sw1")) == 2
    since = datetime.fromtimestamp(1_790_000_003, UTC)
    assert len(ss.signals(since)) == 2


def test_incident_insert_then_update_then_end(store) -> None:
    ss = SignalStore(store)
    c = Correlator(sites={"sw1": "dc1", "sw2": "dc1"}, quiet_s=10)
    evs = c.add(Evidence("syslog", "sw1", "Gi1/0/1", frozenset({10}), 100.0, "mac-flap"))
    evs += c.add(Evidence("syslog", "sw2", "Eth1/1", frozenset({10}), 101.0, "storm-control"))
    evs += c.tick(200.0)
    for e in evs:
        ss.save_incident(e)
    (inc,) = ss.incidents()
    assert inc.devices == ["sw1", "sw2"] and inc.ports == ["sw1/Gi1/0/1", "sw2/Eth1/1"]
    assert inc.vlans == [10] and inc.signals == 2 and inc.sites == ["dc1"]
    assert inc.ended_at == datetime.fromtimestamp(101.0, UTC)
    assert inc.to_dict()["duration_s"] == 1.0
    assert ss.incidents(since=datetime.fromtimestamp(500, UTC)) == []
    assert len(ss.incidents(since=datetime.fromtimestamp(100, UTC) - timedelta(days=1))) == 1


def test_the_nightly_report_lists_the_incidents_of_its_period(store) -> None:
    """An incident stored by the syslog listener shows in the report built from the store,
    in HTML, Markdown and JSON."""
    import json

    from stormguard.findings import Finding
    from stormguard.report.build import build_report_data
    from stormguard.report.render import render_html, render_json, render_markdown

    ss = SignalStore(store)
    c = Correlator(sites={"sw1": "dc1", "sw2": "dc1"}, quiet_s=10)
    now = datetime.now(UTC).timestamp()
    evs = c.add(Evidence("syslog", "sw1", "Gi1/0/1", frozenset({10}), now - 60, "mac-flap"))
    evs += c.add(Evidence("syslog", "sw2", "Eth1/1", frozenset({10}), now - 59, "storm-control"))
    for e in evs + c.tick(now):
        ss.save_incident(e)
    run = store.start_run("audit")
    store.upsert_device("sw1", "cisco_ios", "dc1")
    store.save_findings(run, [Finding(rule="SG101", severity="high", device="sw1",
                                      platform="cisco_ios", interface="Gi1/0/1", line=3,
                                      message="m")])
    store.finish_run(run, "ok", {"devices": 1})
    data = build_report_data(store, run)
    (inc,) = data.incidents
    assert inc.devices == ["sw1", "sw2"] and inc.sites == ["dc1"] and not inc.ongoing
    assert inc.evidence_text == "syslog: mac-flap ×1, storm-control ×1"
    html = render_html(data)
    assert 'id="incidents"' in html and "storm-control ×1" in html
    assert "## Storm incidents of the period" in render_markdown(data)
    assert json.loads(render_json(data))["incidents"][0]["devices"] == ["sw1", "sw2"]
