"""The pipeline in-process against real fake switches, a real SQLite store and real HTTP
receivers: one run, every stage recorded, notify failures never fail the run."""

from __future__ import annotations

import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from daemon_kit import PASSWORD, free_port, write_setup

from stormguard.config import load_config
from stormguard.daemon.logging import setup_logging
from stormguard.daemon.pipeline import PipelineInterrupted, run_pipeline
from stormguard.store import Store

HEALTHY = ["sw-ios", "sw-eos", "sw-junos"]


class _Receiver:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length", 0))
                bodies.append(json.loads(self.rfile.read(n)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_a: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T0KEN-abc-def-123"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def log_buffer():
    import logging

    buf = io.StringIO()
    handler = setup_logging("json", "info", stream=buf)
    try:
        yield buf
    finally:
        logging.getLogger().removeHandler(handler)


@pytest.mark.slow
def test_one_run_collect_audit_report_notify(tmp_path: Path, fakes, log_buffer) -> None:
    with _Receiver() as hook:
        down = f"http://127.0.0.1:{free_port()}/nobody-listens"
        cfg_path = write_setup(tmp_path, fakes, names=HEALTHY, notify={
            "retries": 1, "webhooks": [{"url": hook.url, "kind": "generic"},
                                       {"url": down, "kind": "slack", "timeout_s": 2}]})
        cfg = load_config(cfg_path, environ={})
        with Store.open(cfg.database_url) as store:
            result = run_pipeline(cfg, cfg.jobs[0], store, trigger="test")
            row = store.get_run(result.run_id)
            findings = store.findings(result.run_id)
            snaps = store.latest_snapshots()
            dump = "\n".join(store.engine.raw_connection().iterdump()) \
                if store.dialect == "sqlite" else ""

    # one run holds everything: snapshots, findings, the stages
    assert result.status == "ok" and row.status == "ok"
    assert row.kind == "nightly" and row.trigger == "test"
    assert {s.device for s in snaps} == set(HEALTHY)
    assert {s.run_id for s in snaps} == {result.run_id}
    assert row.audited and len(findings) > 0
    assert {f.device for f in findings} <= set(HEALTHY)
    stages = row.summary["stages"]
    assert list(stages) == ["collect", "audit", "report", "notify"]
    assert stages["collect"]["status"] == "ok" and stages["collect"]["collected"] == 3
    assert stages["audit"]["status"] == "ok"
    assert stages["report"]["status"] == "ok"
    # notify: one receiver got it, one was down -> recorded as failed, run still ok
    assert stages["notify"]["status"] == "failed"
    by_kind = {d["channel"]: d for d in stages["notify"]["deliveries"]}
    assert by_kind["webhook:generic"]["ok"] is True
    assert by_kind["webhook:slack"]["ok"] is False and by_kind["webhook:slack"]["attempts"] == 2
    assert len(hook.bodies) == 1
    assert hook.bodies[0]["run"]["id"] == result.run_id
    assert hook.bodies[0]["devices_audited"] == 3
    assert hook.bodies[0]["findings_total"] == sum(result.findings.values())

    html = Path(result.report_paths["html"])
    assert html.name == f"report-run-{result.run_id}.html" and html.is_file()
    assert (html.parent / "latest.html").read_text() == html.read_text()
    text = html.read_text()
    for dev in HEALTHY:
        assert dev in text
    assert json.loads(Path(result.report_paths["json"]).read_text())["run"]["id"] == \
        result.run_id

    # secrets: never in the database, the logs or the reports
    logs = log_buffer.getvalue()
    assert f'"run": {result.run_id}'.replace(" ", "") in logs.replace(" ", "")
    for blob in (dump, logs, text, Path(result.report_paths["json"]).read_text()):
        assert PASSWORD not in blob
    assert "T0KEN-abc" not in logs  # a webhook URL's path is a secret too


@pytest.mark.slow
def test_a_failed_device_makes_the_run_partial_and_a_second_run_is_unchanged(
        tmp_path: Path, fakes) -> None:
    cfg_path = write_setup(tmp_path, fakes, names=["sw-ios", "sw-eos"], timeout=10)
    inv = (tmp_path / "inventory.yaml").read_text()
    # one more host that nothing answers for: unreachable
    inv += f"  sw-gone:\n    hostname: 127.0.0.1\n    port: {free_port()}\n" \
           "    platform: cisco_ios\n"
    (tmp_path / "inventory.yaml").write_text(inv)
    cfg = load_config(cfg_path, environ={})
    with Store.open(cfg.database_url) as store:
        first = run_pipeline(cfg, cfg.jobs[0], store)
        second = run_pipeline(cfg, cfg.jobs[0], store)
        fails = store.failures(second.run_id)
    assert first.status == second.status == "partial"
    assert first.failed == {"unreachable": 1}
    assert [(f.device, f.failure_class) for f in fails] == [("sw-gone", "unreachable")]
    assert first.changed == 2 and second.changed == 0 and second.unchanged == 2
    assert second.findings == first.findings


def test_stop_during_collection_marks_the_run_interrupted(tmp_path: Path, fakes) -> None:
    cfg_path = write_setup(tmp_path, fakes, names=["sw-ios", "sw-hang"], timeout=60)
    cfg = load_config(cfg_path, environ={})
    stop = threading.Event()
    threading.Timer(2.0, stop.set).start()
    t0 = time.monotonic()
    with Store.open(cfg.database_url) as store:
        with pytest.raises(PipelineInterrupted) as exc:
            run_pipeline(cfg, cfg.jobs[0], store, stop=stop, grace_s=1.0)
        row = store.get_run(exc.value.result.run_id)
    took = time.monotonic() - t0
    assert took < 10, took  # the hung device (60 s timeout) was abandoned after the grace
    assert row.status == "interrupted"
    assert row.summary["interrupted_reason"] == "stopped by signal"
    assert row.summary["stages"]["collect"]["status"] == "interrupted"
    assert "audit" not in row.summary["stages"]
    assert not row.audited


def test_a_collection_only_job_for_one_group(tmp_path: Path, fakes) -> None:
    """Extra collection schedules: a job with its own pipeline and device selection."""
    cfg_path = write_setup(tmp_path, fakes, names=HEALTHY, jobs=[
        {"name": "nightly"},
        {"name": "ios-hourly", "cron": "5 * * * *", "limit": "sw-ios", "pipeline": ["collect"]},
    ])
    cfg = load_config(cfg_path, environ={})
    with Store.open(cfg.database_url) as store:
        result = run_pipeline(cfg, cfg.jobs[1], store, trigger="schedule")
        row = store.get_run(result.run_id)
        snaps = store.latest_snapshots()
    assert (row.kind, row.status, row.audited) == ("ios-hourly", "ok", False)
    assert list(row.summary["stages"]) == ["collect"]
    assert [s.device for s in snaps] == ["sw-ios"]
    assert result.report_paths == {} and not (tmp_path / "reports").exists()
