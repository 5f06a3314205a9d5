"""Three sites, three `stormguard daemon --site` processes, one real PostgreSQL.

Each daemon collects and audits only its own site's hosts (the site comes from the inventory's
groups), catches up on its own site's missed night, and runs under its own lock; the three runs
go on at the same time. dc3's daemon is killed with SIGKILL in the middle of its run: dc1's and
dc2's nights complete, and `stormguard report` across the sites shows dc3's night as
interrupted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from stormguard.store import Store
from stormguard.testing.fakenet import FakeDevice, FakeNetwork
from stormguard.testing.runs import set_run_times

from .conftest import PG_BASE, pg_admin

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "daemon"))
from daemon_kit import PASSWORD, PASSWORD_ENV, DaemonProc

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

SITES = {
    "dc1": [("dc1-core", "cisco_ios", None), ("dc1-leaf", "arista_eos", None)],
    "dc2": [("dc2-edge", "juniper_junos", None), ("dc2-leaf", "cisco_nxos", None)],
    "dc3": [("dc3-acc", "cisco_ios", None), ("dc3-hung", "cisco_xe", "hang")],
}


@pytest.fixture
def pg_url() -> object:
    schema = f"sg_sites_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    pg_admin(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        pg_admin(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def network() -> object:
    old = os.environ.get(PASSWORD_ENV)
    os.environ[PASSWORD_ENV] = PASSWORD
    devices = [FakeDevice(name, platform, 0, "netops", PASSWORD, fault=fault)
               for hosts in SITES.values() for name, platform, fault in hosts]
    try:
        with FakeNetwork(devices, hang_s=120) as net:
            yield net
    finally:
        if old is None:
            os.environ.pop(PASSWORD_ENV, None)
        else:
            os.environ[PASSWORD_ENV] = old


def _inventory(net: FakeNetwork) -> dict:
    """One inventory for every collector host: the site comes from the group."""
    groups = {site: {"site": site} for site in SITES}
    hosts = {name: {"hostname": "127.0.0.1", "port": net.devices[name].port,
                    "platform": platform, "groups": [site]}
             for site, members in SITES.items() for name, platform, _f in members}
    return {"defaults": {"username": "netops", "password_env": PASSWORD_ENV,
                         "host_key_policy": "tofu", "timeout": 60, "retries": 0},
            "groups": groups, "hosts": hosts}


def _collector_host(base: Path, site: str, db: str, inventory: dict, *,
                    site_in_config: bool) -> Path:
    """The working directory of one site's collector host (its own known_hosts, reports)."""
    home = base / f"collector-{site}"
    home.mkdir()
    (home / "inventory.yaml").write_text(yaml.safe_dump(inventory, sort_keys=False))
    minute = (datetime.now() - timedelta(minutes=30)).minute  # fired 30 min ago, hourly
    doc = {"database_url": db, "inventory": "inventory.yaml",
           "jobs": [{"name": "nightly", "cron": f"{minute} * * * *", "misfire_grace_s": 3 * 3600}],
           "collect": {"known_hosts": "known_hosts", "workers": 4},
           "report": {"dir": "reports", "formats": ["json"]},
           "metrics": {"enabled": False}, "shutdown_timeout_s": 3}
    if site_in_config:
        doc["site"] = site
    path = home / "stormguard.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _seed(db: str, site: str | None, ago: timedelta) -> int:
    """A finished run of `nightly` at `site` started `ago` (the night before this test)."""
    with Store.open(db, recover=False) as store:
        rid = store.start_run("nightly", "schedule", site=site)
        store.finish_run(rid, "ok", {"seeded": True})
        when = datetime.now(UTC) - ago
        set_run_times(store, rid, when, timedelta(seconds=5))
        return rid


def test_three_site_daemons_on_one_postgresql_one_killed(tmp_path: Path, network: FakeNetwork,
                                                        pg_url: str) -> None:
    inv = _inventory(network)
    configs = {site: _collector_host(tmp_path, site, pg_url, inv, site_in_config=site == "dc2")
               for site in SITES}
    with Store.open(pg_url):
        pass  # the schema, once, before three daemons race to create it
    for site in SITES:  # each site's previous night, two hours ago: every site catches up ...
        _seed(pg_url, site, timedelta(hours=2, minutes=1))
    # ... although a run without a site (another, site-less daemon) ran a minute ago
    _seed(pg_url, None, timedelta(minutes=1))

    daemons: dict[str, DaemonProc] = {}
    try:
        for site, cfg in configs.items():
            # dc1 and dc3 get their site on the command line, dc2 from `site:` in its config
            daemons[site] = SiteDaemon(cfg, site, on_command_line=site != "dc2")
        started = {site: d.wait_for("started: job nightly", 60) for site, d in daemons.items()}
        for site, rec in started.items():
            assert f"at site {site}" in rec["msg"], rec
            assert rec.get("devices") == 2, rec  # only its own site's two hosts

        # dc3: its healthy switch is in, the hung one is in flight: kill the daemon now
        daemons["dc3"].wait_for("collected dc3-acc", 60)
        killed_run = started["dc3"]["run"]
        daemons["dc3"].signal(signal.SIGKILL)
        assert daemons["dc3"].wait(10) == -signal.SIGKILL

        done = {site: daemons[site].wait_for(" ok in ", 90) for site in ("dc1", "dc2")}
        for site in ("dc1", "dc2"):
            daemons[site].signal(signal.SIGTERM)
            assert daemons[site].wait(30) == 0
        logs = {site: d.log_text() for site, d in daemons.items()}
    finally:
        for d in daemons.values():
            d.stop()

    with Store.open(pg_url, recover=False) as store:
        runs = {r.id: r for r in store.list_runs(limit=50)}
        # what a SIGKILL leaves behind: dc3's run still "running", its lock still held
        assert runs[killed_run].status == "running" and runs[killed_run].site == "dc3"
        assert store.get_lock("job:dc3:nightly") is not None
        assert store.get_lock("job:dc1:nightly") is None  # released on SIGTERM
        assert store.get_lock("job:dc2:nightly") is None
        assert store.get_lock("job:nightly") is None  # no daemon took the site-less lock
        for site in ("dc1", "dc2"):
            run = runs[done[site]["run"]]
            assert (run.site, run.status, run.trigger) == (site, "ok", "startup-catchup")
            assert sorted(run.summary["devices"]) == sorted(
                n for n, _p, _f in SITES[site])
            devices = {f.device for f in store.findings(run.id)}
            assert devices and devices <= {n for n, _p, _f in SITES[site]}
        # the three runs went on at the same time: sites never wait for each other
        spans = [(runs[r].started_at, runs[r].finished_at or datetime.now(UTC))
                 for r in (done["dc1"]["run"], done["dc2"]["run"], killed_run)]
        assert max(s for s, _e in spans) < min(e for _s, e in spans)
        # one catch-up per site, and nothing else
        per_site = {}
        for r in runs.values():
            per_site.setdefault(r.site, []).append(r.trigger)
        assert per_site == {"dc1": ["startup-catchup", "schedule"],
                            "dc2": ["startup-catchup", "schedule"],
                            "dc3": ["startup-catchup", "schedule"], None: ["schedule"]}

    for site in ("dc1", "dc2"):
        assert PASSWORD not in logs[site]

    # the report across sites (opening the store marks the dead daemon's run interrupted)
    out = tmp_path / "all-sites.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORMGUARD_")}
    proc = subprocess.run([sys.executable, "-m", "stormguard", "report", "--db", pg_url,
                           "-o", str(out)], capture_output=True, text=True, timeout=120,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    sites = {s["site"]: s for s in doc["sites"]}
    assert set(sites) == {"dc1", "dc2", "dc3"}
    assert sites["dc1"]["state"] == "ok" and sites["dc2"]["state"] == "ok"
    assert sites["dc3"]["state"] == "interrupted"
    assert sites["dc3"]["run_id"] == killed_run
    assert "owner process gone" in sites["dc3"]["note"]
    assert sites["dc3"]["reported_run_id"] is None  # nothing of dc3 audited yet: none shown
    assert {d["name"] for d in doc["devices"]} == {
        n for s in ("dc1", "dc2") for n, _p, _f in SITES[s]}
    assert "dc1" in doc["title"] or "3 sites" in doc["title"]


class SiteDaemon(DaemonProc):
    """`stormguard daemon --config CFG [--site SITE]` with the JSON log read line by line."""

    def __init__(self, config: Path, site: str, *, on_command_line: bool) -> None:
        import queue
        import threading

        env = {k: v for k, v in os.environ.items()
               if k not in ("STORMGUARD_DATABASE_URL", "STORMGUARD_CONFIG", "STORMGUARD_SITE")}
        self.name = f"daemon-{site}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "stormguard", "daemon", "--config", str(config),
             *(["--site", site] if on_command_line else []), "--log-format", "json"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
            cwd=config.parent)
        self.lines: list[str] = []
        self.records: list[dict] = []
        self._q: queue.Queue[dict] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
