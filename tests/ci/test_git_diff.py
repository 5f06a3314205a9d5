"""`stormguard lint --git-diff REV` in real git repositories laid out like Oxidized and RANCID."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import EXAMPLES, git


def _lint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stormguard", "lint", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def _json(cwd: Path, *args: str) -> tuple[int, dict]:
    proc = _lint(cwd, *args, "--format", "json")
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _open_trunk(path: Path) -> None:
    """The classic bad change: a trunk loses its allowed-VLAN list (now carries every VLAN)."""
    text = path.read_text()
    m = re.search(r"\n switchport trunk allowed vlan [^\n]*", text)
    assert m, path
    path.write_text(text.replace(m.group(), "", 1))


def _rancid(repo: Path) -> None:
    """RANCID: <group>/configs/<device> with its header lines, and router.db."""
    (repo / "dc1" / "configs").mkdir(parents=True)
    for name, example in (("core1", "cisco_ios-compliant.cfg"),
                          ("leaf1", "arista_eos-violations.cfg"),
                          ("acc1", "cisco_ios-violations.cfg")):
        text = (EXAMPLES / example).read_text()
        (repo / "dc1" / "configs" / name).write_text(
            "!RANCID-CONTENT-TYPE: cisco\n!\n" + text if example.startswith("cisco") else text)
    (repo / "dc1" / "router.db").write_text("core1;cisco;up\nleaf1;arista;up\nacc1;cisco;up\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "nightly backup")


def test_only_what_the_change_adds_counts(config_repo: Path) -> None:
    _rancid(config_repo)
    base = git(config_repo, "rev-parse", "HEAD").strip()
    configs = config_repo / "dc1" / "configs"
    _open_trunk(configs / "core1")  # compliant file, now one new SG101
    (config_repo / "dc1" / "router.db").write_text("core1;cisco;up\nnew1;cisco;up\n")
    git(config_repo, "commit", "-qam", "core1: open trunk")
    # a brand-new device (untracked, not even added) with findings of its own
    shutil.copy(EXAMPLES / "huawei-violations.cfg", configs / "new1")

    rc, doc = _json(config_repo, "--git-diff", base)
    assert rc == 1
    by_source = {r["source"]: r for r in doc["results"]}
    # leaf1 and acc1 (old findings, untouched) and router.db are not linted at all
    assert set(by_source) == {"dc1/configs/core1", "dc1/configs/new1"}
    core = by_source["dc1/configs/core1"]["findings"]
    assert [f["rule"] for f in core] == ["SG101"]
    assert by_source["dc1/configs/new1"]["findings"]  # a new file: every finding counts
    assert doc["summary"]["baseline"] == f"git {base}"

    # acc1 changes too, but only by touching a description: its nine findings were there before
    acc = configs / "acc1"
    acc.write_text(acc.read_text().replace("description uplink", "description Uplink", 1))
    rc, doc = _json(config_repo, "--git-diff", base, "dc1/configs/acc1")
    assert [r["source"] for r in doc["results"]] == ["dc1/configs/acc1"]
    assert doc["results"][0]["findings"] == []
    assert doc["summary"]["baseline_suppressed"] >= 5 and rc == 0

    # ... until the change adds one: only that one counts
    _open_trunk(acc)
    rc, doc = _json(config_repo, "--git-diff", base, "dc1/configs/acc1")
    assert rc == 1
    assert [f["rule"] for f in doc["results"][0]["findings"]] == ["SG101"]


def test_renamed_file_is_judged_against_its_old_name_and_deleted_files_are_not(
        config_repo: Path) -> None:
    # Oxidized: a flat directory of device files named by device, no extension
    shutil.copy(EXAMPLES / "cisco_ios-violations.cfg", config_repo / "acc-b2-fl4-sw01")
    shutil.copy(EXAMPLES / "arista_eos-compliant.cfg", config_repo / "leaf-2a")
    git(config_repo, "add", "-A")
    git(config_repo, "commit", "-q", "-m", "backup")
    git(config_repo, "mv", "acc-b2-fl4-sw01", "acc-b2-fl4-sw01.old-name-scheme")
    git(config_repo, "rm", "-q", "leaf-2a")
    git(config_repo, "commit", "-q", "-m", "rename, decommission")
    _, plain = _json(config_repo, "acc-b2-fl4-sw01.old-name-scheme")
    had = plain["summary"]["findings"]
    assert had >= 5
    rc, doc = _json(config_repo, "--git-diff", "HEAD~1")
    assert rc == 0, doc
    assert [r["source"] for r in doc["results"]] == ["acc-b2-fl4-sw01.old-name-scheme"]
    assert doc["results"][0]["findings"] == [] and doc["summary"]["baseline_suppressed"] == had


def test_nothing_changed_passes_and_paths_limit_the_diff(config_repo: Path) -> None:
    _rancid(config_repo)
    proc = _lint(config_repo, "--git-diff", "HEAD")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS" in proc.stdout and "0 files" in proc.stdout
    _open_trunk(config_repo / "dc1" / "configs" / "core1")
    assert _lint(config_repo, "--git-diff", "HEAD", "dc2").returncode == 0
    sub = config_repo / "dc1"
    proc = _lint(sub, "--git-diff", "HEAD")  # from a subdirectory: paths relative to it
    assert proc.returncode == 1 and "configs/core1:" in proc.stdout, proc.stdout


def test_one_line_errors(config_repo: Path, tmp_path: Path) -> None:
    _rancid(config_repo)
    plain = tmp_path / "plain"
    plain.mkdir()
    cases = [
        (plain, ["--git-diff", "HEAD"], "is not inside a git repository"),
        (config_repo, ["--git-diff", "no-such-branch"], "unknown revision 'no-such-branch'"),
        (config_repo, ["--git-diff=--all"], "is not a revision"),
        (config_repo, ["--git-diff", "HEAD", "--baseline", "x.json"], "use one of them"),
        (config_repo, [], "give at least one PATH"),
    ]
    for cwd, args, needle in cases:
        proc = _lint(cwd, *args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        err = proc.stderr.strip()
        assert needle in err and len(err.splitlines()) == 1, (args, err)
        assert "Traceback" not in err


def test_git_diff_and_codeclimate_stay_free_of_heavy_imports(config_repo: Path) -> None:
    _rancid(config_repo)
    _open_trunk(config_repo / "dc1" / "configs" / "core1")
    code = (
        "import sys\n"
        "from stormguard.cli import main\n"
        "rc = main(['lint', '--git-diff', 'HEAD', '--format', 'codeclimate', '-o', "
        "'/dev/null'])\n"
        "heavy = [m for m in ('napalm', 'netmiko', 'scapy', 'sqlalchemy', 'paramiko', 'rich', "
        "'jinja2', 'pydantic') if m in sys.modules]\n"
        "print(rc, heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=config_repo, capture_output=True,
                          text=True, timeout=60)
    assert proc.stdout.strip() == "1 []", proc.stdout + proc.stderr
