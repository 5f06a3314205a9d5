"""The store-centric commands through the real CLI entry point: db, history, diff, audit."""

from __future__ import annotations

import pytest

from stormguard.cli import main

IOS_V1 = """\
hostname core1
!
spanning-tree mode rapid-pvst
!
interface GigabitEthernet1/0/1
 description uplink-to-hv
 switchport mode trunk
!
interface GigabitEthernet1/0/2
 switchport mode access
 switchport access vlan 10
 storm-control broadcast level 1.00
!
end
"""
IOS_V2 = IOS_V1.replace(" switchport mode trunk\n",
                        " switchport mode trunk\n switchport trunk allowed vlan 10,20\n")


@pytest.fixture
def filled(db_url):
    """Three nightly runs of two devices; core1's trunk gets pruned in the third."""
    from stormguard.store import Store

    with Store.open(db_url) as s:
        s.upsert_device("core1", "cisco_ios", site="dc1", hostname="10.0.0.1")
        runs = []
        for text in (IOS_V1, IOS_V1, IOS_V2):
            rid = s.start_run("collect", "schedule")
            s.save_snapshot(rid, "core1", "cisco_ios", text)
            s.save_snapshot(rid, "leaf9", "cisco_ios", IOS_V2.replace("core1", "leaf9"))
            s.finish_run(rid, "ok")
            runs.append(rid)
    return db_url, runs


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    from stormguard.store import Store

    return ScriptDirectory.from_config(Store.alembic_config(None)).get_current_head()


def test_db_upgrade_current_history(db_url, capsys):
    assert main(["db", "current", "--db", db_url]) == 0
    assert "revision (empty)" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", db_url]) == 0
    head = _head_revision()
    assert f"upgraded (empty) -> {head}" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert f"already at revision {head}" in capsys.readouterr().out
    assert main(["db", "history", "--db", db_url]) == 0
    history = capsys.readouterr().out
    assert "0001  Initial schema" in history and "0002  Runs carry the site" in history


def test_db_url_from_env_and_config_file(tmp_path, monkeypatch, capsys):
    from stormguard.settings import database_url

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STORMGUARD_DATABASE_URL", raising=False)
    monkeypatch.delenv("STORMGUARD_CONFIG", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert database_url() == f"sqlite:///{tmp_path / 'xdg' / 'stormguard' / 'stormguard.db'}"
    (tmp_path / "stormguard.yaml").write_text(f"database_url: sqlite:///{tmp_path}/cfg.db\n")
    assert database_url() == f"sqlite:///{tmp_path}/cfg.db"
    monkeypatch.setenv("STORMGUARD_DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    assert database_url() == f"sqlite:///{tmp_path}/env.db"
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "env.db").exists()
    monkeypatch.delenv("STORMGUARD_DATABASE_URL")
    (tmp_path / "stormguard.yaml").write_text("database_url: [1, 2\n")
    assert main(["db", "current"]) == 2
    assert "stormguard.yaml:2: invalid YAML" in capsys.readouterr().err


def test_history_lists_snapshots_with_changed_flags(filled, capsys):
    url, runs = filled
    assert main(["history", "core1", "--db", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "core1: 3 snapshot(s)"
    rows = [line.split() for line in out[3:]]
    assert [r[2] for r in rows] == [str(r) for r in reversed(runs)]
    assert [r[5] for r in rows] == ["yes", "no", "yes"]
    assert rows[1][4] == rows[2][4] != rows[0][4]  # hashes: unchanged, then changed


def test_history_of_unknown_device_is_a_one_line_error(filled, capsys):
    url, _ = filled
    assert main(["history", "nope", "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no snapshots stored for device 'nope'" in err
    assert "known: core1, leaf9" in err


def test_diff_default_and_between_runs(filled, capsys):
    url, runs = filled
    assert main(["diff", "core1", "--db", url]) == 0
    out = capsys.readouterr().out
    assert f"--- core1@run{runs[1]}" in out and f"+++ core1@run{runs[2]}" in out
    assert "+ switchport trunk allowed vlan 10,20" in out
    assert main(["diff", "core1", "--from", str(runs[0]), "--to", str(runs[1]), "--db", url]) == 0
    assert "no changes between" in capsys.readouterr().out
    assert main(["diff", "core1", "--from", str(runs[2]), "--to", str(runs[0]), "--db", url]) == 0
    assert "- switchport trunk allowed vlan 10,20" in capsys.readouterr().out
    assert main(["diff", "core1", "--from", "999", "--db", url]) == 2
    assert "run 999 does not exist" in capsys.readouterr().err


def test_audit_stores_findings_in_a_new_run_and_attached(filled, capsys):
    from stormguard.store import Store

    url, runs = filled
    assert main(["audit", "--db", url, "--run", str(runs[0])]) == 0
    out = capsys.readouterr().out
    assert f"run {runs[0]}: audited 2 device(s)" in out
    assert main(["audit", "--db", url]) == 0
    out = capsys.readouterr().out
    with Store.open(url) as s:
        audit_run = s.latest_run(kind="audit")
        assert audit_run is not None and audit_run.status == "ok" and audit_run.audited
        assert f"run {audit_run.id}: audited 2 device(s)" in out
        first = {(f.device, f.rule, f.interface) for f in s.findings(runs[0])}
        latest = {(f.device, f.rule, f.interface) for f in s.findings(audit_run.id)}
        # run 1: core1's trunk allowed every VLAN; by the latest snapshots it is pruned
        assert ("core1", "SG101", "GigabitEthernet1/0/1") in first
        assert ("core1", "SG101", "GigabitEthernet1/0/1") not in latest
        assert all(f.device in ("core1", "leaf9") for f in s.findings(audit_run.id))
        assert s.findings(runs[0])[0].extra.get("site") in ("dc1", None)
        assert audit_run.summary["devices"] == ["core1", "leaf9"]
        assert "SG101" in audit_run.summary["rules"]
        assert audit_run.summary["audit"]["findings"] == len(s.findings(audit_run.id))
        attached = s.get_run(runs[0])
        assert attached.status == "ok" and attached.audited
        assert attached.summary["devices"] == ["core1", "leaf9"]
    assert main(["audit", "--db", url, "--run", "4242"]) == 2
    assert "run 4242 does not exist" in capsys.readouterr().err


def test_audit_on_an_empty_store(db_url, capsys):
    assert main(["audit", "--db", db_url]) == 0
    assert "no snapshots to audit" in capsys.readouterr().out
