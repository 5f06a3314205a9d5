"""The store between real processes: SIGKILL mid-transaction, lock contention, migrations
from the alembic CLI, model/migration sync, and no secret in a database dump."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

CHILD_ENV = {**os.environ, "PYTHONPATH": str(REPO)}

KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from datetime import UTC, datetime
    from sqlalchemy import insert
    from stormguard.store import Store
    from stormguard.store.core import snaps_t
    s = Store.open(sys.argv[1])
    rid = s.start_run("nightly", "schedule")
    for i in range(5):
        s.save_snapshot(rid, f"sw{i}", "cisco_ios", f"hostname sw{i}\\nNEW CONFIG\\n")
    dev = s.get_device("sw0").id
    sha = s.latest_snapshots(run_id=rid)[0].sha256
    with s._tx() as c:  # a snapshot write that never commits
        c.execute(insert(snaps_t).values(run_id=rid, device_id=dev, platform="cisco_ios",
                  blob_sha256=sha, changed=True, collected_at=datetime.now(UTC), state=None))
        print(rid, flush=True)
        time.sleep(120)
""")


def test_sigkill_mid_run_leaves_store_consistent(db_url):
    from stormguard.store import Store

    with Store.open(db_url) as s:
        r1 = s.start_run("nightly")
        for i in range(5):
            s.save_snapshot(r1, f"sw{i}", "cisco_ios", f"hostname sw{i}\nOLD CONFIG\n")
        s.finish_run(r1, "ok", {"collected": 5})
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, db_url], env=CHILD_ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip().isdigit(), proc.stderr.read()
        killed_run = int(line)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with Store.open(db_url) as s:  # open() recovers orphaned runs
        run = s.get_run(killed_run)
        assert run.status == "interrupted" and run.finished_at is not None
        assert s.get_run(r1).status == "ok" and s.get_run(r1).summary == {"collected": 5}
        latest = s.latest_snapshots()
        assert [x.run_id for x in latest] == [r1] * 5
        assert all("OLD CONFIG" in x.text for x in latest)
        # the five committed-by-statement snapshots are history; the sixth never happened
        assert len([h for h in s.snapshot_history("sw0") if h.run_id == killed_run]) == 1
        assert s.blob_stats()["snapshots"] == 10
        # and the store keeps working: a new run can write and commit
        r3 = s.start_run("nightly")
        s.save_snapshot(r3, "sw0", "cisco_ios", "hostname sw0\nNEWER\n")
        s.finish_run(r3, "ok")
        assert "NEWER" in s.latest_snapshots("sw0")[0].text


LOCKER = textwrap.dedent("""
    import sys, time
    from stormguard.store import Store
    url, me = sys.argv[1], sys.argv[2]
    s = Store.open(url)
    print("READY", flush=True)
    sys.stdin.readline()  # the parent releases everyone at once
    got = s.acquire_lock("nightly-pipeline", me, ttl_s=30)
    print("WON" if got else "LOST", flush=True)
    if got:
        time.sleep(1.5)  # hold it while the others try again
        print("RELEASED" if s.release_lock("nightly-pipeline", me) else "LOST-IT", flush=True)
    else:
        time.sleep(0.2)
        print("RETRY-" + ("WON" if s.acquire_lock("nightly-pipeline", me, ttl_s=30) else "LOST"),
              flush=True)
""")


@pytest.mark.slow
def test_lock_contention_between_processes(db_url):
    from stormguard.store import Store

    Store.open(db_url).close()  # schema ready, so the race is on the lock alone
    procs = [subprocess.Popen([sys.executable, "-c", LOCKER, db_url, f"daemon-{i}"],
                              env=CHILD_ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in range(3)]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "READY", p.stderr.read()
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        outs = []
        for p in procs:
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0, err
            outs.append(out.split())
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    winners = [o for o in outs if o[0] == "WON"]
    assert len(winners) == 1 and winners[0] == ["WON", "RELEASED"]
    assert all(o == ["LOST", "RETRY-LOST"] for o in outs if o[0] == "LOST")


@pytest.mark.slow
def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    from stormguard.store import Store

    return ScriptDirectory.from_config(Store.alembic_config(None)).get_current_head()


def test_concurrent_first_open_migrates_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'race.db'}"
    script = ("import sys; from stormguard.store import Store; s = Store.open(sys.argv[1]); "
              "print(s.current_revision())")
    procs = [subprocess.Popen([sys.executable, "-c", script, url], env=CHILD_ENV,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert out.strip() == _head_revision()


@pytest.mark.slow
def test_alembic_cli_upgrade_from_empty_and_models_in_sync(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import inspect

    from stormguard.store import Store
    from stormguard.store.models import Base

    ini = REPO / "stormguard" / "store" / "migrations" / "alembic.ini"
    alembic = Path(sys.executable).with_name("alembic")
    res = subprocess.run([str(alembic), "-c", str(ini), "-x", f"url={db_url}", "upgrade", "head"],
                         env=CHILD_ENV, capture_output=True, text=True, timeout=120, cwd="/")
    assert res.returncode == 0, res.stderr
    s = Store.open(db_url, upgrade=False)
    try:
        assert s.current_revision() == _head_revision()
        with s.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert set(Base.metadata.tables) | {"alembic_version"} == tables
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                    Base.metadata)
        assert diff == []
        # downgrade to empty and back up works too
        res = subprocess.run([str(alembic), "-c", str(ini), "-x", f"url={db_url}", "downgrade",
                              "base"], env=CHILD_ENV, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        with s.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    finally:
        s.close()


def test_inventory_password_never_reaches_the_database(db_url, tmp_path, monkeypatch, db_dump):
    from stormguard.inventory import load_inventory
    from stormguard.store import Store

    secret_inline = "Inl1ne-S3cret-Pw"
    secret_env = "Env-S3cret-Pw-42"
    secret_file = "F1le-S3cret-Pw-7"
    (tmp_path / "pw.txt").write_text(secret_file + "\n")
    monkeypatch.setenv("SG_TEST_PW", secret_env)
    inv_file = tmp_path / "inventory.yaml"
    inv_file.write_text(textwrap.dedent(f"""
        defaults:
          username: netops
          password_env: SG_TEST_PW
        groups:
          dc1: {{site: dc1, platform: cisco_ios}}
        hosts:
          sw1: {{hostname: 10.0.0.1, groups: [dc1], password: {secret_inline}}}
          sw2: {{hostname: 10.0.0.2, groups: [dc1], password_file: pw.txt}}
          sw3: {{hostname: 10.0.0.3, groups: [dc1]}}
    """))
    inv = load_inventory(inv_file)
    assert inv.hosts["sw3"].credentials.password_value("sw3") == secret_env
    assert inv.hosts["sw2"].credentials.password_value("sw2") == secret_file
    s = Store.open(db_url)
    s.upsert_hosts(inv.hosts.values())
    rid = s.start_run("nightly")
    for h in inv.hosts.values():
        s.save_snapshot(rid, h.name, h.platform, f"hostname {h.name}\nusername netops secret 5 x\n",
                        {"host": repr(h), "credentials": repr(h.credentials)})
    s.record_failure(rid, "sw3", "auth", f"sw3: {inv.hosts['sw3'].credentials!r} rejected")
    s.finish_run(rid, "ok", {"hosts": [repr(h) for h in inv.hosts.values()]})
    dump = db_dump(s, db_url)
    assert b"hostname sw1" in dump and b"10.0.0.2" in dump  # the dump does hold the data
    for secret in (secret_inline, secret_env, secret_file):
        assert secret.encode() not in dump
