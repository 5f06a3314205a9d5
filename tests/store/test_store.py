"""The store on both backends: runs, snapshots/blobs, findings, storm events, outbox, locks."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from stormguard.findings import Finding, Waiver

CFG_A = "hostname sw1\n!\ninterface Gi1/0/1\n switchport mode trunk\n!\n" * 40
CFG_B = CFG_A + "interface Gi1/0/2\n shutdown\n!\n"


def _count(store, table: str) -> int:
    with store.engine.connect() as c:
        return c.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


# ------------------------------------------------------------------------------------ opening
def test_open_creates_schema_at_head(store):
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(store.alembic_config()).get_current_head()
    assert store.current_revision() == head
    assert store.list_runs() == []


def test_sqlite_pragmas_wal_busy_timeout_foreign_keys(tmp_path):
    from stormguard.store import Store

    with Store.open(f"sqlite:///{tmp_path / 'x' / 'deep' / 's.db'}") as s, \
            s.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert (tmp_path / "x" / "deep" / "s.db").exists()


def test_reopen_is_idempotent(db_url):
    from stormguard.store import Store

    with Store.open(db_url) as s:
        rid = s.start_run("collect")
        s.finish_run(rid, "ok")
    with Store.open(db_url) as s:
        assert [r.id for r in s.list_runs()] == [rid]


def test_bad_urls_give_one_line_errors(tmp_path):
    from stormguard.errors import StormguardError
    from stormguard.store import Store

    with pytest.raises(StormguardError, match="unsupported database 'mysql'"):
        Store.open("mysql://u:secretpw@h/db")
    with pytest.raises(StormguardError) as exc:
        Store.open("postgresql+psycopg://postgres:secretpw@127.0.0.1:1/nope")
    assert "secretpw" not in str(exc.value) and "\n" not in str(exc.value)
    assert "cannot open the store" in str(exc.value)
    junk = tmp_path / "junk.db"
    junk.write_text("this is not a database, just some text " * 100)
    with pytest.raises(StormguardError, match=r"junk\.db: file is not a database"):
        Store.open(f"sqlite:///{junk}")


# ------------------------------------------------------------------------------------ runs
def test_runs_lifecycle(store):
    r1 = store.start_run("nightly", "schedule")
    run = store.get_run(r1)
    assert run.status == "running" and run.kind == "nightly" and run.trigger == "schedule"
    assert run.started_at.tzinfo is not None
    store.finish_run(r1, "ok", {"collected": 3, "at": datetime(2026, 1, 1, tzinfo=UTC)})
    r2 = store.start_run("nightly", "manual")
    store.finish_run(r2, "partial", {"failed": {"auth": 1}})
    r3 = store.start_run("collect")
    store.finish_run(r3, "failed")
    r4 = store.start_run("nightly")
    assert store.get_run(r1).summary == {"collected": 3, "at": "2026-01-01T00:00:00+00:00"}
    assert store.get_run(r1).duration_s >= 0
    assert [r.id for r in store.list_runs()] == [r4, r3, r2, r1]
    assert [r.id for r in store.list_runs(limit=2, kind="nightly")] == [r4, r2]
    assert store.previous_run(r4).id == r2
    assert store.previous_run(r2).id == r1
    assert store.previous_run(r1) is None
    assert store.previous_run(r4, same_kind=False).id == r2  # r3 failed: not committed
    assert store.latest_run().id == r2
    assert store.latest_run(committed=False).id == r4
    assert store.get_run(9999) is None
    assert store.update_run_summary(r1, {"rules": ["SG101"], "collected": 4}) == {
        "collected": 4, "at": "2026-01-01T00:00:00+00:00", "rules": ["SG101"]}
    assert store.get_run(r1).summary["collected"] == 4
    with pytest.raises(ValueError):
        store.finish_run(r4, "done")


def test_orphaned_run_of_other_host_with_stale_heartbeat_is_interrupted(store):
    rid = store.start_run("nightly")
    live = store.start_run("nightly")
    old = datetime.now(UTC) - timedelta(hours=2)
    with store.engine.begin() as c:
        c.execute(text("UPDATE runs SET owner_host='elsewhere', heartbeat_at=:t WHERE id=:i"),
                  {"t": old.replace(tzinfo=None), "i": rid})
    assert store.mark_orphaned_runs(stale_after_s=600) == [rid]
    assert store.get_run(rid).status == "interrupted"
    assert store.get_run(rid).finished_at is not None
    assert store.get_run(live).status == "running"  # ours, and we are alive


def test_orphan_detection_sees_through_pid_reuse(store):
    rid = store.start_run("collect")
    store.heartbeat(rid)
    assert store.mark_orphaned_runs() == []
    # same host, same PID, but a different process start time: the PID was reused
    with store.engine.begin() as c:
        c.execute(text("UPDATE runs SET owner_start = owner_start + 1 WHERE id=:i"), {"i": rid})
    assert store.mark_orphaned_runs() == [rid]
    assert store.get_run(rid).summary["interrupted_reason"] == "owner process gone"


# ------------------------------------------------------------------------------------ snapshots
def test_identical_config_stores_no_new_blob(store):
    r1 = store.start_run("collect")
    sid1, changed1 = store.save_snapshot(r1, "sw1", "cisco_ios", CFG_A, {"stp": "x"})
    store.finish_run(r1, "ok")
    r2 = store.start_run("collect")
    sid2, changed2 = store.save_snapshot(r2, "sw1", "cisco_ios", CFG_A, {"stp": "y"})
    store.finish_run(r2, "ok")
    assert changed1 is True and changed2 is False and sid2 != sid1
    stats = store.blob_stats()
    assert stats["blobs"] == 1 and stats["snapshots"] == 2
    assert stats["stored_bytes"] < stats["raw_bytes"] / 5  # compressed
    r3 = store.start_run("collect")
    _, changed3 = store.save_snapshot(r3, "sw1", "cisco_ios", CFG_B)
    assert changed3 is True
    assert store.blob_stats()["blobs"] == 2
    latest = store.latest_snapshots(run_id=r3)
    assert latest[0].text == CFG_B
    assert store.config_text(sid1) == CFG_A
    assert store.get_snapshot(sid2).state == {"stp": "y"}


def test_concurrent_identical_saves_share_one_blob(store):
    rid = store.start_run("collect")
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            store.save_snapshot(rid, f"sw{i}", "cisco_ios", CFG_A)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.blob_stats() == {"blobs": 1, "raw_bytes": len(CFG_A.encode()),
                                  "stored_bytes": store.blob_stats()["stored_bytes"],
                                  "snapshots": 8}


def test_snapshot_is_current_only_once_its_run_committed(store):
    r1 = store.start_run("collect")
    store.save_snapshot(r1, "sw1", "cisco_ios", CFG_A)
    store.save_snapshot(r1, "sw2", "arista_eos", "hostname sw2\n")
    assert store.latest_snapshots() == []  # run still going
    store.finish_run(r1, "ok")
    r2 = store.start_run("collect")
    store.save_snapshot(r2, "sw1", "cisco_ios", CFG_B)
    assert [s.text for s in store.latest_snapshots("sw1")] == [CFG_A]
    assert [s.text for s in store.latest_snapshots("sw1", run_id=r2)] == [CFG_B]
    store.finish_run(r2, "failed")
    assert [s.text for s in store.latest_snapshots("sw1")] == [CFG_A]
    r3 = store.start_run("collect")
    store.save_snapshot(r3, "sw1", "cisco_ios", CFG_B)
    store.finish_run(r3, "partial")
    latest = store.latest_snapshots()
    assert [(s.device, s.run_id) for s in latest] == [("sw1", r3), ("sw2", r1)]
    assert latest[0].changed is True  # against the last *committed* snapshot (CFG_A)
    assert [s.device for s in store.latest_snapshots("sw*2")] == ["sw2"]
    assert store.latest_snapshots("nomatch*") == []
    hist = store.snapshot_history("sw1")
    assert [(h.run_id, h.run_status) for h in hist] == [(r3, "partial"), (r2, "failed"),
                                                       (r1, "ok")]
    assert hist[0].text is None
    assert store.snapshot_at("sw1", r1).text == CFG_A
    assert store.snapshot_at("sw1", r2).text == CFG_B  # a run always sees its own snapshots
    assert store.snapshot_at("sw1", r3).text == CFG_B


def test_exception_inside_snapshot_transaction_leaves_nothing(store):
    r1 = store.start_run("collect")
    store.save_snapshot(r1, "sw1", "cisco_ios", CFG_A)
    store.finish_run(r1, "ok")
    before = store.blob_stats()
    # A snapshot for a run that does not exist: the blob INSERT succeeds, then the snapshot's
    # foreign key fails inside the same transaction -> everything rolls back.
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        store.save_snapshot(99999, "sw1", "cisco_ios", CFG_B)
    assert store.blob_stats() == before
    # And an exception raised by our own code in the middle of a transaction:
    with pytest.raises(RuntimeError), store._tx() as c:
        c.execute(text("INSERT INTO collection_failures (run_id, device, failure_class, "
                       "message, at) VALUES (:r, 'sw9', 'auth', 'x', :t)"),
                  {"r": r1, "t": datetime.now(UTC).replace(tzinfo=None)})
        raise RuntimeError("crash mid-transaction")
    assert store.failures(r1) == []
    assert [s.text for s in store.latest_snapshots()] == [CFG_A]


def test_state_that_is_not_json_is_refused_before_writing(store):
    rid = store.start_run("collect")
    with pytest.raises(TypeError):
        store.save_snapshot(rid, "sw1", "cisco_ios", CFG_A, {"sock": object()})
    assert store.blob_stats()["blobs"] == 0


# ------------------------------------------------------------------------------------ devices
def test_devices_upsert_by_inventory_name(store):
    from stormguard.inventory import Credentials, Host

    hosts = [Host("sw1", "10.0.0.1", "cisco_ios", site="dc1",
                  credentials=Credentials(username="u", password="pw-never-stored")),
             Host("hv1", "local", "ovs", site="dc2", transport="local")]
    ids = store.upsert_hosts(hosts)
    assert set(ids) == {"sw1", "hv1"}
    store.upsert_device("sw1", "cisco_xe", site="dc3")
    d = store.get_device("sw1")
    assert (d.platform, d.site, d.hostname, d.id) == ("cisco_xe", "dc3", "10.0.0.1", ids["sw1"])
    assert [x.name for x in store.devices()] == ["hv1", "sw1"]
    assert store.get_device("nope") is None


def test_failures_per_run(store):
    rid = store.start_run("collect")
    store.record_failure(rid, "sw7", "auth", "sw7: authentication failed for user netops")
    store.record_failure(rid, "sw3", "timeout", "sw3: no answer in 60 s")
    assert [(f.device, f.failure_class) for f in store.failures(rid)] == [("sw3", "timeout"),
                                                                          ("sw7", "auth")]


# ------------------------------------------------------------------------------------ findings
def _finding(rule: str, sev: str, dev: str, iface: str | None = "Gi1", waived=False):
    w = Waiver(rule, dev, "*", "lab", "ops", "2030-01-01", "p.yaml:3") if waived else None
    return Finding(rule=rule, severity=sev, device=dev, platform="cisco_ios", interface=iface,
                   line=12, message=f"{rule} on {dev}", expected="a", actual="b",
                   remediation="interface Gi1\n switchport trunk allowed vlan 10",
                   source="snap", waived=waived, waiver=w, extra={"vlans": [1, 2]})


def test_findings_round_trip_and_counts(store):
    store.upsert_device("sw1", "cisco_ios", site="dc1")
    store.upsert_device("hv1", "ovs", site="dc2")
    counts_runs = []
    for n in range(3):
        rid = store.start_run("nightly")
        fs = [_finding("SG101", "high", "sw1"), _finding("SG201", "critical", "hv1/br0", None)]
        fs += [_finding("SG301", "medium", "sw1", f"Gi{i}") for i in range(n)]
        fs.append(_finding("SG102", "low", "sw1", waived=True))
        assert store.save_findings(rid, fs) == len(fs)
        store.finish_run(rid, "ok")
        counts_runs.append(rid)
    empty = store.start_run("nightly")
    store.save_findings(empty, [])
    store.finish_run(empty, "ok")
    got = store.findings(counts_runs[0])
    assert [f.rule for f in got] == ["SG101", "SG201", "SG102"]
    assert got[0].remediation.startswith("interface Gi1") and got[0].line == 12
    assert got[2].waived and got[2].waiver.owner == "ops" and got[2].waiver.expires == "2030-01-01"
    assert got[1].interface is None and got[1].extra["site"] == "dc2"  # bridge -> its host
    assert store.findings(counts_runs[0], device="hv1/br0")[0].rule == "SG201"
    trend = store.finding_counts("severity")
    assert [r.id for r, _ in trend] == [*counts_runs, empty]
    assert [c for _, c in trend] == [
        {"high": 1, "critical": 1}, {"high": 1, "critical": 1, "medium": 1},
        {"high": 1, "critical": 1, "medium": 2}, {}]
    by_site = store.finding_counts("site", include_waived=True)
    assert by_site[0][1] == {"dc1": 2, "dc2": 1}
    assert [c for _, c in store.finding_counts("rule", runs=1)] == [{}]
    assert store.previous_run(empty, audited=True).id == counts_runs[-1]
    # re-saving replaces the run's findings
    store.save_findings(counts_runs[0], [_finding("SG101", "high", "sw1")])
    assert len(store.findings(counts_runs[0])) == 1


def test_waivers_per_run(store):
    rid = store.start_run("audit")
    ws = [Waiver("SG101", "sw*", "Gi1/0/*", "lab trunk", "alice", "2026-12-31", "site.yaml:7"),
          Waiver("SG201")]
    store.save_waivers(rid, ws)
    assert store.waivers(rid) == ws


# ------------------------------------------------------------------------------------ storms
def test_storm_events_lifecycle_and_period(store):
    t0 = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
    e1 = store.create_storm_event("veth0", "sniffer1", t0, key="ev-1", pps=5000.0,
                                  peak_pps=5000.0, vlans=[10, 20], classes={"arp": 0.9})
    store.update_storm_event(e1, pps=250000.0, peak_pps=250000.0, frames=1_200_000,
                             evidence=["duplicate-frames", "mac-flap"],
                             top_sources=[["02:00:00:00:00:01", 900000]],
                             coverage={"seen": 0.99, "dropped": 1200}, pcap_path="/tmp/e1.pcap")
    store.end_storm_event(e1, t0 + timedelta(seconds=42), pps=10.0)
    e2 = store.create_storm_event("eth1", "sniffer1", t0 + timedelta(days=3))
    ev = store.get_storm_event(e1)
    assert ev.duration_s == 42 and ev.peak_pps == 250000.0 and ev.frames == 1_200_000
    assert ev.evidence == ["duplicate-frames", "mac-flap"] and ev.vlans == [10, 20]
    assert ev.coverage["seen"] == 0.99 and ev.pcap_path == "/tmp/e1.pcap"
    assert store.storm_event_by_key("ev-1").id == e1
    assert [e.id for e in store.storm_events()] == [e1, e2]
    assert [e.id for e in store.storm_events(t0 + timedelta(days=1))] == [e2]  # e2 still open
    assert [e.id for e in store.storm_events(t0 - timedelta(hours=1),
                                             t0 + timedelta(hours=1))] == [e1]
    assert [e.id for e in store.storm_events(open_only=True)] == [e2]
    assert [e.id for e in store.storm_events(iface="veth0")] == [e1]
    with pytest.raises(ValueError, match="unknown storm event field"):
        store.update_storm_event(e2, bogus=1)


# ------------------------------------------------------------------------------------ outbox
def test_outbox_enqueue_is_idempotent_per_channel(store):
    a, created_a = store.enqueue("webhook", "storm-start", {"id": 1}, "storm-1-start")
    b, created_b = store.enqueue("webhook", "storm-start", {"id": 1}, "storm-1-start")
    c, created_c = store.enqueue("smtp", "storm-start", {"id": 1}, "storm-1-start")
    assert (created_a, created_b, created_c) == (True, False, True)
    assert a == b != c
    assert len(store.outbox()) == 2


def test_outbox_claim_retry_and_nothing_deleted(store):
    now = datetime.now(UTC)
    i1, _ = store.enqueue("webhook", "storm-start", {"n": 1}, "k1")
    i2, _ = store.enqueue("webhook", "storm-end", {"n": 2}, "k2")
    i3, _ = store.enqueue("webhook", "reminder", {"n": 3}, "k3",
                          not_before=now + timedelta(minutes=5))
    claimed = store.claim_due(now + timedelta(seconds=1), lease_s=30)
    assert [x.id for x in claimed] == [i1, i2] and all(x.attempts == 1 for x in claimed)
    assert store.claim_due(now + timedelta(seconds=2)) == []  # leased
    store.mark_sent(i1)
    store.mark_failed(i2, "connection refused", now + timedelta(seconds=60))
    assert store.claim_due(now + timedelta(seconds=30)) == []  # not due yet
    again = store.claim_due(now + timedelta(seconds=61), lease_s=30)
    assert [x.id for x in again] == [i2] and again[0].attempts == 2
    assert again[0].last_error == "connection refused"
    # the claimer died: after the lease the item is claimable again
    third = store.claim_due(now + timedelta(seconds=61 + 31))
    assert [x.id for x in third] == [i2] and third[0].attempts == 3
    store.mark_failed(i2, "gave up after 3 attempts", None)
    later = store.claim_due(now + timedelta(hours=1))
    assert [x.id for x in later] == [i3]
    everything = {x.id: x for x in store.outbox()}
    assert set(everything) == {i1, i2, i3}
    assert everything[i1].status == "sent" and everything[i1].sent_at is not None
    assert everything[i2].status == "dead" and everything[i2].last_error.startswith("gave up")
    assert [x.id for x in store.outbox("dead")] == [i2]


def test_outbox_concurrent_claimers_never_share_an_item(store):
    ids = [store.enqueue("webhook", "k", {"i": i}, f"d{i}")[0] for i in range(60)]
    seen: list[int] = []
    lock = threading.Lock()

    def claimer() -> None:
        while True:
            got = store.claim_due(limit=4, lease_s=300)
            if not got:
                return
            with lock:
                seen.extend(x.id for x in got)

    threads = [threading.Thread(target=claimer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == ids  # every item exactly once


# ------------------------------------------------------------------------------------ locks
def test_named_lock_semantics(store):
    assert store.acquire_lock("nightly", "daemon-a", ttl_s=60)
    assert store.acquire_lock("nightly", "daemon-a", ttl_s=60)  # re-entrant for its holder
    assert not store.acquire_lock("nightly", "daemon-b", ttl_s=60)
    assert not store.renew_lock("nightly", "daemon-b", 60)
    assert not store.release_lock("nightly", "daemon-b")
    assert store.get_lock("nightly").holder == "daemon-a"
    assert store.renew_lock("nightly", "daemon-a", 60)
    assert store.release_lock("nightly", "daemon-a")
    assert store.get_lock("nightly") is None
    assert store.acquire_lock("nightly", "daemon-b", ttl_s=0.01)
    import time

    time.sleep(0.05)
    assert store.acquire_lock("nightly", "daemon-a", ttl_s=60)  # b's lock expired
    assert not store.renew_lock("nightly", "daemon-b", 60)  # b lost it
    assert store.acquire_lock("other-job", "daemon-b", ttl_s=60)  # names are independent


def test_blob_storage_grows_with_changes_not_with_nights(store):
    devices = [f"sw{i:02d}" for i in range(25)]
    configs = {d: CFG_A.replace("sw1", d) for d in devices}
    changes = 0
    for night in range(8):
        rid = store.start_run("nightly", "schedule")
        if night:  # one device (4 %) changes per night
            d = devices[night]
            configs[d] += f"! change {night}\n"
            changes += 1
        flags = [store.save_snapshot(rid, d, "cisco_ios", configs[d])[1] for d in devices]
        store.finish_run(rid, "ok")
        assert sum(flags) == (len(devices) if night == 0 else 1)
    stats = store.blob_stats()
    assert stats["blobs"] == len(devices) + changes
    assert stats["snapshots"] == len(devices) * 8


def test_schema_from_a_newer_stormguard_is_a_clear_error(db_url):
    from stormguard.errors import StormguardError
    from stormguard.store import Store

    with Store.open(db_url) as s, s.engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StormguardError, match="newer stormguard"):
        Store.open(db_url)
