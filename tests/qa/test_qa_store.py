"""The store-centric commands (db, audit, history, diff, report) against bad URLs, bad ids and
odd output paths: one line, exit 2, no password, nothing already stored lost."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PW = "Pg-QA-S3cret"


@pytest.fixture
def seeded(sg, tmp_path):
    """Two committed collection runs of sw1 (a change between them), audited once."""
    from stormguard.store import Store

    with Store.open(sg.env["STORMGUARD_DATABASE_URL"]) as s:
        for name in ("cisco_ios-violations.cfg", "cisco_ios-compliant.cfg"):
            rid = s.start_run("collect")
            s.save_snapshot(rid, "sw1", "cisco_ios", (EXAMPLES / name).read_text())
            s.finish_run(rid, "ok")
    res = sg("audit")
    assert res.rc == 0, res.err
    return sg


@pytest.mark.parametrize("url", [
    f"postgresql+psycopg://postgres:{PW}@127.0.0.1:1/test",            # nothing listens
    f"postgresql+psycopg://postgres@127.0.0.1:1/test?password={PW}",   # password in the query
    f"postgresql+psycopg://postgres:{PW}@x@127.0.0.1:1/test",          # bare '@' in it
    f"postgresql://postgres:{PW}@127.0.0.1:5432/test?sslmode=bogus",   # driver refuses it
])
@pytest.mark.parametrize("cmd", [["db", "current"], ["history", "sw1"]])
def test_bad_database_urls_are_one_line_without_the_password(sg, url, cmd):
    res = sg(*cmd, "--db", url, timeout=60)
    line = res.one_line_error()
    assert res.rc == 2
    assert PW not in res.out + res.err
    assert PW.split("-")[-1] not in line


def test_a_file_that_is_not_a_database(sg, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("not a database " * 100)
    for cmd in (["db", "current"], ["db", "history"], ["audit"]):
        res = sg(*cmd, "--db", f"sqlite:///{junk}")
        assert res.one_line_error().endswith("junk.db: file is not a database"), res.err


def test_database_errors_mid_operation_are_store_errors_without_bound_values(tmp_path):
    """A failing statement (here a foreign key: a snapshot for a run that does not exist) is a
    one-line StoreError; SQLAlchemy's message would carry the SQL and the bound parameters,
    i.e. the whole config text with its secrets."""
    from stormguard.store import Store, StoreError

    with Store.open(f"sqlite:///{tmp_path / 'x.db'}") as s, pytest.raises(StoreError) as exc:
        s.save_snapshot(424242, "sw1", "cisco_ios", f"hostname sw1\nenable secret {PW}\n")
    msg = str(exc.value)
    assert "FOREIGN KEY constraint failed" in msg
    assert PW not in msg and "\n" not in msg and "[SQL" not in msg


@pytest.mark.parametrize("args", [
    ["audit", "--run", "99999999999999999999999"],
    ["report", "--run", "0"],
    ["diff", "sw1", "--from", "-3"],
    ["diff", "sw1", "-U", "-5"],
    ["history", "sw1", "-n", "-1"],
])
def test_bad_ids_and_counts_are_usage_errors(seeded, args):
    res = seeded(*args)
    assert res.rc == 2
    assert "Traceback" not in res.err
    assert res.err.strip().splitlines()[-1].startswith(f"stormguard {args[0]}: error: argument")


def test_audit_limit_matching_nothing_leaves_no_empty_audited_run(seeded):
    """It used to create an audited run with no device: `stormguard report` then showed that
    empty run -- 0 findings -- as the latest state of the fleet."""
    before = seeded("report", "--format", "json")
    res = seeded("audit", "--limit", "no-such-sw*")
    assert res.one_line_error() == \
        "stormguard audit: error: --limit 'no-such-sw*' matches no device in the store"
    after = seeded("report", "--format", "json")
    assert after.rc == 0 and _without_generated_at(after.out) == \
        _without_generated_at(before.out)
    assert "sw1: 2 snapshot(s)" in seeded("history", "sw1").out  # nothing lost


def _without_generated_at(report_json: str) -> dict:
    """The report minus when it was made (a text replace of that time stamp would also blank a
    run's `finished_at` that happens to fall in the same second)."""
    import json

    doc = json.loads(report_json)
    del doc["generated_at"]
    return doc


def test_report_to_a_device_or_symlink_writes_through(seeded, tmp_path):
    """`-o /dev/stdout` must not replace the device (or the symlink) by a regular file."""
    dev = tmp_path / "null"
    os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # our own /dev/null node
    res = seeded("report", "-o", str(dev))
    assert res.rc == 0, res.err
    assert stat.S_ISCHR(os.stat(dev).st_mode)
    real = tmp_path / "real.html"
    real.write_text("old")
    link = tmp_path / "link.html"
    link.symlink_to(real)
    assert seeded("report", "-o", str(link)).rc == 0
    assert link.is_symlink() and real.read_text().startswith("<!DOCTYPE html>")
    res = seeded("report", "-o", str(tmp_path))
    assert "cannot write the report: Is a directory" in res.one_line_error()


def test_history_of_a_known_device_without_snapshots(seeded):
    from stormguard.store import Store

    with Store.open(seeded.env["STORMGUARD_DATABASE_URL"]) as s:
        s.upsert_device("sw9", "cisco_ios", site="dc1")  # in the inventory, never collected
    res = seeded("history", "sw9")
    assert res.one_line_error() == ("stormguard history: error: no snapshots stored for device "
                                    "'sw9' yet (it is known, but no collection of it has "
                                    "succeeded)")
    res = seeded("diff", "sw9")
    assert "no committed snapshots stored for device 'sw9'" in res.one_line_error()


@pytest.mark.slow  # ~8 s: 300 snapshots to audit
def test_ctrl_c_during_audit_keeps_earlier_runs_and_marks_it_interrupted(sg):
    import signal
    import subprocess
    import sys
    import time

    from stormguard.store import Store

    url = sg.env["STORMGUARD_DATABASE_URL"]
    text = (EXAMPLES / "cisco_ios-violations.cfg").read_text()
    with Store.open(url) as s:
        rid = s.start_run("collect")
        for i in range(600):  # an audit of several seconds, so the signal lands inside it
            s.save_snapshot(rid, f"sw{i}", "cisco_ios", text.replace("hostname ", f"hostname x{i}"))
        s.finish_run(rid, "ok")
    assert sg("audit").rc == 0
    with Store.open(url) as s:
        first = s.latest_run("audit")
        kept = len(s.findings(first.id))
    proc = subprocess.Popen([sys.executable, "-m", "stormguard", "audit"], cwd=sg.cwd,
                            env=sg.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # signal once the new audit run is in the store and working (not on a timer)
    deadline = time.monotonic() + 60
    started = False
    while not started and time.monotonic() < deadline and proc.poll() is None:
        with Store.open(url) as s:
            latest = s.list_runs(limit=1)
            started = bool(latest) and latest[0].id > first.id and latest[0].status == "running"
        if not started:
            time.sleep(0.02)
    assert started, "the second audit never started"
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err == "stormguard audit: interrupted\n", err
    with Store.open(url) as s:
        runs = s.list_runs()
        assert runs[0].kind == "audit" and runs[0].status == "interrupted"
        assert s.latest_run("audit").id == first.id  # the interrupted one is not "latest"
        assert len(s.findings(first.id)) == kept > 0
    assert seeded_report_ok(sg, first.id)


def seeded_report_ok(sg, run: int) -> bool:
    res = sg("report", "--format", "json")
    import json

    return res.rc == 0 and json.loads(res.out)["run"]["id"] == run
