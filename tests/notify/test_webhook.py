"""Run summaries to a real local HTTP receiver: generic JSON and Slack shape, retries, records."""

from __future__ import annotations

import threading
import time

from stormguard.config import EmailConfig, NotifyConfig, WebhookConfig
from stormguard.notify import RetryPolicy, notify_run

from .conftest import free_port

FAST = RetryPolicy(attempts=3, backoff_s=0.05)


def _hooks(*hooks: tuple[str, str]) -> NotifyConfig:
    return NotifyConfig(webhooks=[WebhookConfig(url=u, kind=k, timeout_s=3) for u, k in hooks])


def test_generic_and_slack_payloads(http_receiver, report):
    rx = http_receiver()
    base = f"http://127.0.0.1:{rx.port}"
    results = notify_run(_hooks((f"{base}/generic", "generic"),
                                (f"{base}/services/T000/B000/XXXXSECRET", "slack")),
                         report, report_url="https://reports.example.net/run-129.html",
                         policy=FAST)
    assert [(r.channel, r.ok) for r in results] == [("webhook:generic", True),
                                                    ("webhook:slack", True)]
    generic, slack = rx.bodies
    assert rx.paths == ["/generic", "/services/T000/B000/XXXXSECRET"]
    assert generic["event"] == "stormguard.run.report"
    assert generic["run"]["id"] == report.run.id
    assert generic["findings"] == report.severity_counts
    assert generic["findings_total"] == report.total_findings
    assert generic["collections_failed"] == report.devices_failed
    assert generic["changes"]["new"] == report.changes.new
    assert generic["report_url"] == "https://reports.example.net/run-129.html"
    assert slack["text"].startswith(f"[stormguard] run #{report.run.id}: ")
    assert "<https://reports.example.net/run-129.html|Open the report>" in slack["text"]
    fields = {f["title"]: f["value"] for f in slack["attachments"][0]["fields"]}
    assert fields["Devices audited"] == f"{report.devices_audited:,}"
    # the token in a Slack URL path never reaches a record
    assert "XXXXSECRET" not in repr([r.to_dict() for r in results])
    assert results[1].target == base


def test_receiver_down_then_back_is_retried_and_recorded(http_receiver, report, store):
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    timer = threading.Timer(0.4, lambda: http_receiver(port))  # comes up during the retries
    timer.start()
    try:
        started = time.monotonic()
        (res,) = notify_run(_hooks((url, "generic")), report, store=store,
                            policy=RetryPolicy(attempts=6, backoff_s=0.2, factor=2))
    finally:
        timer.join()
    assert res.ok, res.attempts
    assert len(res.attempts) >= 2 and not res.attempts[0].ok and res.attempts[-1].ok
    assert "Connection refused" in res.attempts[0].error
    assert time.monotonic() - started < 10
    # recorded in the store: one finished outbox row, with every attempt in its payload
    (row,) = [o for o in store.outbox() if o.channel == "notify:webhook:generic"]
    assert row.id == res.outbox_id and row.status == "sent"
    assert len(row.payload["attempts"]) == len(res.attempts)
    assert row.payload["run_id"] == report.run.id
    assert store.claim_due() == []  # a record, not a queue entry: nobody will re-send it


def test_server_errors_retry_client_errors_do_not(http_receiver, report, store):
    flaky = http_receiver(fail_first=2)
    broken = http_receiver(status=404)
    results = notify_run(_hooks((f"http://127.0.0.1:{flaky.port}/x", "slack"),
                                (f"http://127.0.0.1:{broken.port}/y", "generic")),
                         report, store=store, policy=FAST)
    ok, bad = results
    assert ok.ok and [a.ok for a in ok.attempts] == [False, False, True]
    assert "HTTP 500" in ok.attempts[0].error
    assert not bad.ok and len(bad.attempts) == 1 and "HTTP 404" in bad.error
    rows = {o.channel: o for o in store.outbox()}
    assert rows["notify:webhook:slack"].status == "sent"
    assert rows["notify:webhook:generic"].status == "dead"
    assert "HTTP 404" in rows["notify:webhook:generic"].last_error


def test_notify_never_raises(report, monkeypatch):
    """Every channel failing (bad scheme, nothing listening, broken store) still returns."""

    class BrokenStore:
        def enqueue(self, *a, **k):
            raise RuntimeError("database is locked")

    cfg = NotifyConfig.model_construct(
        retries=3,
        email=EmailConfig(host="127.0.0.1", port=free_port(), to=["x@example.net"]),
        # the config refuses such a URL at load; notify must still survive one built directly
        webhooks=[WebhookConfig.model_construct(url="ftp://example.net/x", kind="generic",
                                                timeout_s=10.0),
                  WebhookConfig(url=f"http://127.0.0.1:{free_port()}/", kind="slack")])
    results = notify_run(cfg, report, store=BrokenStore(),
                         policy=RetryPolicy(attempts=2, backoff_s=0.01))
    assert [r.ok for r in results] == [False, False, False]
    assert "must be http:// or https://" in results[1].error and len(results[1].attempts) == 1
    assert len(results[2].attempts) == 2
    assert all(r.outbox_id is None for r in results)
    assert notify_run(None, report) == []
