"""`stormguard inventory check|list` through the real CLI entry point."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from stormguard.cli import main

GOOD = textwrap.dedent("""\
    defaults:
      username: netops
      password_env: SG_PW
    groups:
      dc1: {site: dc1, platform: ios, tags: [prod]}
    hosts:
      core1: {hostname: 10.0.0.1, groups: [dc1]}
      leaf1: {hostname: 10.0.0.2, groups: [dc1], platform: eos}
      hv1: {platform: ovs, transport: local, site: dc2}
      lab1: {platform: ios, password: Pl4in-Text-Pw}
""")


def test_check_ok_prints_counts(tmp_path, capsys):
    inv = tmp_path / "inventory.yaml"
    inv.write_text(GOOD)
    assert main(["inventory", "check", str(inv)]) == 0
    cap = capsys.readouterr()
    assert cap.out.strip() == (f"OK: {inv}: 4 host(s), 1 group(s), 2 site(s); platforms: "
                               "arista_eos 1, cisco_ios 2, ovs 1")
    assert "hosts.lab1.password: plaintext password" in cap.err
    assert "Pl4in-Text-Pw" not in cap.out + cap.err


def test_check_errors_exit_2_with_every_error(tmp_path, capsys):
    inv = tmp_path / "inventory.yaml"
    inv.write_text(GOOD.replace("platform: eos", "platform: ciscoo").replace(
        "transport: local", "transport: telnet"))
    assert main(["inventory", "check", str(inv)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("warning: inventory.yaml:10: hosts.lab1.password")
    assert err[1].startswith("inventory.yaml:8: hosts.leaf1.platform: unknown platform 'ciscoo'")
    assert err[2] == ("inventory.yaml:9: hosts.hv1.transport: expected one of ssh, local, "
                      "got 'telnet'")
    assert err[3] == f"{inv}: 2 error(s)"


def test_check_defaults_to_inventory_yaml_in_cwd(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STORMGUARD_INVENTORY", raising=False)
    assert main(["inventory", "check"]) == 2
    assert "inventory.yaml: inventory file not found" in capsys.readouterr().err
    Path("inventory.yaml").write_text(GOOD)
    assert main(["inventory", "check"]) == 0


def test_list_shows_hosts_and_secret_sources_not_secrets(tmp_path, capsys):
    inv = tmp_path / "inventory.yaml"
    inv.write_text(GOOD)
    assert main(["inventory", "list", str(inv), "--limit", "site:dc*"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "HOSTNAME", "PORT", "PLATFORM", "SITE", "GROUPS", "TAGS",
                                "TRANSPORT", "USER", "SECRET"]
    assert [line.split()[0] for line in lines[2:]] == ["core1", "hv1", "leaf1"]
    assert "env:SG_PW" in out and "Pl4in-Text-Pw" not in out
    assert main(["inventory", "list", str(inv), "--limit", "lab*"]) == 0
    out = capsys.readouterr().out
    assert "plaintext!" in out and "Pl4in-Text-Pw" not in out


def test_list_of_a_broken_inventory_is_one_line(tmp_path):
    inv = tmp_path / "inventory.yaml"
    inv.write_text("hosts:\n  sw1: {platform: ciscoo}\n  sw2: {}\n")
    res = subprocess.run([sys.executable, "-m", "stormguard", "inventory", "list", str(inv)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert "inventory.yaml:2: hosts.sw1.platform: unknown platform 'ciscoo'" in res.stderr
    assert "(and 1 more; see `stormguard inventory check`)" in res.stderr
