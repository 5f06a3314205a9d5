"""The reliability scenario from the collectors issue: 100 fake switches, 20 of them faulty.

All 80 healthy ones are collected and audited, each faulty one is recorded with the right
class, the run ends within its timeouts, an identical second run stores no new blobs and loses
nothing from the first, and the password never reaches the database, the logs or the output.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import time
from pathlib import Path

import pytest

from stormguard.collect.hostkeys import KnownHosts
from stormguard.collect.pool import PoolSettings
from stormguard.collect.run import collect_inventory
from stormguard.secrets_mask import mask_config
from stormguard.testing.fakenet import EXPECTED_CLASS, FAULTS, FakeNetwork

pytestmark = pytest.mark.slow

COUNT = 100
#: every fifth device is faulty, the five faults in turn: 4 of each, on rotating platforms
FAULTY = {f"rl{i:03d}": FAULTS[(i // 5) % len(FAULTS)] for i in range(0, COUNT, 5)}
#: generous for the healthy devices (20 workers on a loaded 2-core machine); the hanging ones get
#: HANG_TIMEOUT_S, so the run does not wait 2 x 15 s twice for a result known in advance
TIMEOUT_S = 15.0
HANG_TIMEOUT_S = 4.0


def test_100_devices_20_faulty(tmp_path: Path, test_password: str, password_env: str,
                               caplog: pytest.LogCaptureFixture,
                               capsys: pytest.CaptureFixture[str]) -> None:
    from stormguard.policy import load_policy
    from stormguard.store import Store
    from stormguard.store.audit import audit_snapshots

    caplog.set_level(logging.DEBUG)
    # the libraries' own loggers too: another test (the daemon's logging set-up) may have raised
    # their levels, and this test must see their DEBUG output to mean anything
    for name in ("netmiko", "paramiko", "napalm", "stormguard"):
        caplog.set_level(logging.DEBUG, logger=name)
    db = tmp_path / "sg.db"
    assert len(FAULTY) == 20
    with FakeNetwork.build(COUNT, faults=FAULTY, prefix="rl", password=test_password,
                           hang_s=120) as net, Store.open(f"sqlite:///{db}") as store:
        known = KnownHosts(tmp_path / "known_hosts")
        net.pin_all_host_keys(known.path)  # earlier nights pinned every original key
        hosts = [
            dataclasses.replace(h, timeout=HANG_TIMEOUT_S) if FAULTY.get(h.name) == "hang" else h
            for h in net.hosts(password_env=password_env, timeout=TIMEOUT_S, retries=1)
        ]
        settings = PoolSettings(workers=20, backoff_base_s=0.2)

        t0 = time.monotonic()
        first = collect_inventory(hosts, store, settings=settings, known_hosts=known)
        wall = time.monotonic() - t0
        print(f"first run: {first.as_dict()} in {wall:.1f} s")

        # -- every healthy device collected, every faulty one classified ------------------
        assert first.collected == 80 and first.changed == 80
        assert first.status == "partial"
        assert first.failed == {"auth": 4, "timeout": 4, "unreachable": 4, "host-key": 4,
                                "parse": 4}
        rows = {f.device: f for f in store.failures(first.run_id)}
        assert set(rows) == set(FAULTY)
        for name, fault in FAULTY.items():
            assert rows[name].failure_class == EXPECTED_CLASS[fault], rows[name]
        # hang: 2 attempts x 4 s (+ backoff); 80 healthy over 20 workers: a few seconds each
        assert wall < 4 * TIMEOUT_S + 60, wall

        # -- audited (the policy engine over the stored snapshots) ------------------------
        audit = audit_snapshots(store, first.run_id, load_policy())
        assert audit.devices == 80 and not audit.errors, audit.errors[:3]
        assert audit.findings  # the fakes' configs carry non-compliant ports on purpose
        assert {f.device for f in audit.findings} <= {h.name for h in hosts}

        blobs_after_first = store.blob_stats()
        run1_snapshots = {s.device: s for s in store.latest_snapshots(run_id=first.run_id)}
        assert len(run1_snapshots) == 80

        # -- an identical second night -----------------------------------------------------
        second = collect_inventory(hosts, store, settings=settings, known_hosts=known)
        assert second.collected == 80 and second.unchanged == 80 and second.changed == 0
        assert second.failed == first.failed
        blobs_after_second = store.blob_stats()
        assert blobs_after_second["blobs"] == blobs_after_first["blobs"]
        assert blobs_after_second["stored_bytes"] == blobs_after_first["stored_bytes"]
        assert blobs_after_second["snapshots"] == blobs_after_first["snapshots"] + 80

        # nothing from the first run is lost: its snapshots still read back whole
        for name, snap in run1_snapshots.items():
            again = store.snapshot_at(name, first.run_id)
            assert again is not None and again.text == snap.text
            # whole, line for line, with the secrets masked (store.keep_secrets: false)
            served = net.devices[name]
            assert again.text.strip() == mask_config(served.config, served.platform).strip()
        assert len(store.list_runs(kind="collect")) == 2

    # -- the password is nowhere: DB dump (and raw file), logs, captured output ------------
    con = sqlite3.connect(db)
    dump = "\n".join(con.iterdump())
    con.close()
    assert dump and test_password not in dump
    for f in tmp_path.glob("sg.db*"):
        assert test_password.encode() not in f.read_bytes()
    assert caplog.records  # netmiko/paramiko did log at DEBUG: the check below means something
    assert test_password not in caplog.text
    out = capsys.readouterr()
    assert test_password not in out.out and test_password not in out.err
