"""The report by e-mail through a real aiosmtpd server on loopback."""

from __future__ import annotations

from stormguard.config import EmailConfig, NotifyConfig
from stormguard.notify import RetryPolicy, notify_run

from .conftest import PASSWORD, USER, free_port

FAST = RetryPolicy(attempts=3, backoff_s=0.05)


def _cfg(port: int, **kw) -> NotifyConfig:
    return NotifyConfig(email=EmailConfig(host="127.0.0.1", port=port, sender="sg@example.net",
                                          to=["noc@example.net", "ana@example.net"], **kw))


def test_plain_smtp_attaches_the_report(smtp_server, report):
    port, inbox = smtp_server("plain")
    results = notify_run(_cfg(port), report, policy=FAST)
    assert [(r.channel, r.ok, len(r.attempts)) for r in results] == [("email", True, 1)]
    assert results[0].target == f"smtp://127.0.0.1:{port}"
    (msg,) = inbox.messages
    assert inbox.envelopes[0].rcpt_tos == ["noc@example.net", "ana@example.net"]
    assert msg["Subject"].startswith(f"[stormguard] run #{report.run.id}: "
                                     f"{report.total_findings} findings")
    assert msg["X-Stormguard-Run"] == str(report.run.id)
    text = msg.get_body(("plain",)).get_content()
    assert f"Devices audited: {report.devices_audited}" in text
    (att,) = list(msg.iter_attachments())
    assert att.get_filename() == f"stormguard-report-run-{report.run.id}.html"
    html = att.get_content()
    assert html.startswith("<!DOCTYPE html>") and 'id="sg-data"' in html


def test_inline_html_mode(smtp_server, report):
    port, inbox = smtp_server("plain")
    (res,) = notify_run(_cfg(port), report, html="<p>hi</p>", email_mode="inline", policy=FAST)
    assert res.ok
    msg = inbox.messages[0]
    assert msg.get_body(("html",)).get_content().strip() == "<p>hi</p>"
    assert not list(msg.iter_attachments())


def test_starttls_with_login_password_from_env(smtp_server, report, tls_cert, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_cert[0]))  # trust the self-signed cert
    monkeypatch.setenv("SG_SMTP_PASSWORD", PASSWORD)
    port, inbox = smtp_server("starttls")
    (res,) = notify_run(_cfg(port, starttls=True, username=USER,
                             password_env="SG_SMTP_PASSWORD"), report, policy=FAST)
    assert res.ok, res.attempts
    assert inbox.logins == [USER] and len(inbox.messages) == 1


def test_implicit_tls_with_password_file(smtp_server, report, tls_cert, monkeypatch, tmp_path):
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_cert[0]))
    secret = tmp_path / "smtp.pw"
    secret.write_text(PASSWORD + "\n")
    port, inbox = smtp_server("ssl")
    (res,) = notify_run(_cfg(port, ssl=True, username=USER, password_file=str(secret)),
                        report, policy=FAST)
    assert res.ok, res.attempts
    assert res.target == f"smtps://127.0.0.1:{port}"
    assert inbox.logins == [USER] and len(inbox.messages) == 1


def test_wrong_password_is_not_retried_and_never_leaks(smtp_server, report, tls_cert,
                                                       monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_cert[0]))
    monkeypatch.setenv("SG_SMTP_PASSWORD", "wrong-" + PASSWORD)
    port, inbox = smtp_server("starttls")
    (res,) = notify_run(_cfg(port, starttls=True, username=USER,
                             password_env="SG_SMTP_PASSWORD"), report, policy=FAST)
    assert not res.ok and len(res.attempts) == 1
    assert "authentication failed for user reporter" in res.error
    assert PASSWORD not in repr(res.to_dict()) and inbox.messages == []


def test_untrusted_certificate_fails_cleanly(smtp_server, report):
    port, inbox = smtp_server("starttls")  # SSL_CERT_FILE not set: the cert is not trusted
    (res,) = notify_run(_cfg(port, starttls=True), report, policy=FAST)
    assert not res.ok and "TLS error" in res.error and len(res.attempts) == 1
    assert inbox.messages == []


def test_server_down_is_retried_then_recorded_without_raising(report):
    port = free_port()  # nothing listens there
    slept: list[float] = []
    (res,) = notify_run(_cfg(port), report, policy=RetryPolicy(attempts=3, backoff_s=0.01),
                        sleep=slept.append)
    assert not res.ok and len(res.attempts) == 3
    assert slept == [0.01, 0.02]  # exponential backoff between attempts
    assert "ConnectionRefusedError" in res.error
    assert all(not a.ok for a in res.attempts)


def test_missing_password_env_is_a_clear_failure(report, monkeypatch):
    monkeypatch.delenv("SG_NOPE", raising=False)
    (res,) = notify_run(_cfg(25, username="u", password_env="SG_NOPE"), report, policy=FAST)
    assert not res.ok and len(res.attempts) == 1
    assert res.error == "notify.email: environment variable SG_NOPE is not set"
