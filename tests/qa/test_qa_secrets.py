"""Recognisable secrets in the inventory and in stormguard.yaml never reach any output, the
outbox, the reports or the database (dumped and grepped)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SECRETS = {
    "inv_plain": "InvPlain-QA-0001", "inv_env": "InvEnv-QA-0002", "inv_file": "InvFile-QA-0003",
    "smtp": "Smtp-QA-0004", "hook_path": "HookPathTok-QA-0005", "hook_query": "HookQry-QA-0006",
    "slack_file": "SlackTok-QA-0007", "notify_smtp": "NotifySmtp-QA-0008",
}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _leaks(text: str) -> list[str]:
    return [k for k, v in SECRETS.items() if v in text]


@pytest.mark.slow  # ~14 s: a dozen CLI runs
def test_secrets_never_leak(sg, tmp_path):
    port = _closed_port()
    (tmp_path / "pw.txt").write_text(SECRETS["inv_file"] + "\n")
    (tmp_path / "slack.url").write_text(
        f"http://127.0.0.1:{port}/services/T0/B0/{SECRETS['slack_file']}\n")
    (tmp_path / "inventory.yaml").write_text(f"""\
defaults: {{username: netops, password: {SECRETS['inv_plain']}}}
hosts:
  sw1: {{hostname: 127.0.0.1, platform: cisco_ios}}
  sw2: {{hostname: 127.0.0.1, platform: arista_eos, password_env: QA_SW2_PW}}
  sw3: {{hostname: 127.0.0.1, platform: huawei, password_file: pw.txt}}
""")
    (tmp_path / "stormguard.yaml").write_text(f"""\
alerts:
  channels:
    - name: hook
      type: webhook
      url: http://127.0.0.1:{port}/hooks/{SECRETS['hook_path']}?token={SECRETS['hook_query']}
      timeout_s: 2
    - {{name: chat, type: slack, url_file: slack.url, timeout_s: 2}}
    - name: mail
      type: email
      host: 127.0.0.1
      port: {port}
      to: [noc@example.com]
      username: bob
      password: {SECRETS['smtp']}
      timeout_s: 2
notify:
  email: {{host: 127.0.0.1, port: {port}, username: bob, password: {SECRETS['notify_smtp']}}}
""")
    env = {"QA_SW2_PW": SECRETS["inv_env"]}
    seen = []
    for args in (["inventory", "check"], ["inventory", "list"], ["alerts", "test"]):
        res = sg(*args, **env)
        assert "Traceback" not in res.err, res.err
        seen.append(res.out + res.err)
    assert seen[2].count("FAIL") == 3  # all three channels really tried and failed

    # the stores' paths: hosts recorded as collection does it, storm alerts queued and tried
    from stormguard.alerts.dispatcher import Alerter
    from stormguard.config import load_config
    from stormguard.inventory import load_inventory
    from stormguard.store import Store

    cfg = load_config(tmp_path / "stormguard.yaml")
    with Store.open(sg.env["STORMGUARD_DATABASE_URL"]) as s:
        s.upsert_hosts(load_inventory(tmp_path / "inventory.yaml").hosts.values())
        rid = s.start_run("collect")
        s.save_snapshot(rid, "sw1", "cisco_ios",
                        (EXAMPLES / "cisco_ios-violations.cfg").read_text())
        s.finish_run(rid, "ok")
        Alerter(s, cfg.alerts).on_event({"event": "storm-start", "id": "qa-1", "iface": "eth0",
                                         "ts": 1_700_000_000, "pps": 90000})
    for args in (["alerts", "deliver"], ["alerts", "list"], ["audit"],
                 ["report", "-o", "r.html"], ["report", "-o", "r.md"],
                 ["report", "-o", "r.json"], ["history", "sw1"]):
        res = sg(*args, **env)
        assert "Traceback" not in res.err, (args, res.err)
        seen.append(res.out + res.err)
    assert "hook" in seen[4] and "last error" in seen[4]  # the failures were recorded
    for name in ("r.html", "r.md", "r.json"):
        seen.append((tmp_path / name).read_text())
    import sqlite3

    con = sqlite3.connect(tmp_path / "qa.db")
    seen.append("\n".join(con.iterdump()))
    con.close()
    for text in seen:
        assert not _leaks(text), (_leaks(text), text[:2000])
