"""`stormguard syslog` and `stormguard incidents` as an operator runs them: a real process
listening on loopback, `logger` sending, JSON lines out, signals and incidents in the store."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from stormguard.signals.catalogue import E

EX = {e.key: e.example for e in E}
CLI = [sys.executable, "-m", "stormguard"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _inventory(tmp: Path) -> Path:
    inv = tmp / "inventory.yaml"
    inv.write_text(
        "hosts:\n"
        "  core1: {hostname: 127.0.0.1, platform: cisco_ios, site: dc1}\n"
        "  leaf1: {hostname: 192.0.2.3, platform: arista_eos, site: dc1}\n"
        "  h3c1: {hostname: 192.0.2.4, platform: hp_comware, site: dc1}\n")
    return inv


def test_listen_prints_json_signals_and_counts_the_rest(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [*CLI, "syslog", "--listen", f"udp://127.0.0.1:{port}", "--listen",
         f"tcp://127.0.0.1:{port}", "--inventory", str(_inventory(tmp_path)), "--format",
         "json", "--duration", "8"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "STORMGUARD_DATABASE_URL": ""})
    try:
        deadline = time.monotonic() + 15
        line = proc.stderr.readline()
        while "listening" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
        assert f"udp://127.0.0.1:{port}" in line
        body = EX["SW_MATM-MACFLAP_NOTIF"].split(": ", 1)[1].split(": ", 1)[1]
        subprocess.run(["logger", "-n", "127.0.0.1", "-P", str(port), "-d", "--rfc3164",
                        "-t", "x", body], check=True, timeout=10)
        subprocess.run(["logger", "-n", "127.0.0.1", "-P", str(port), "-T", "--octet-count",
                        "-t", "x", "%LINK-3-UPDOWN: Interface Gi1/0/9, changed state to up"],
                       check=True, timeout=10)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    (sig,) = [json.loads(x) for x in out.splitlines()]
    assert sig["kind"] == "mac-flap" and sig["device"] == "core1"  # matched by address
    assert sig["interface"] == "Gi1/0/1" and sig["vlan"] == 10
    assert sig["macs"] == ["00:50:56:a1:2b:3c"] and sig["message_id"] == "SW_MATM-4-MACFLAP_NOTIF"
    assert {"kind", "device", "interface", "vlan", "macs", "ts", "message_id", "raw"} <= set(sig)
    assert "2 message(s); 1 signal(s)" in err


def test_replay_stores_signals_and_one_incident(tmp_path: Path) -> None:
    # as a central rsyslog server writes it: ISO or traditional stamp, then the sender's name
    log = tmp_path / "burst.log"
    lines = [
        "2026-12-04T18:22:01.123456+00:00 core1 %SW_MATM-4-MACFLAP_NOTIF: Host 0050.56a1.2b3c "
        "in vlan 10 is flapping between port Gi1/0/1 and port Gi1/0/2",
        "Dec  4 18:22:01 leaf1 PortSec: %ETH-4-HOST_FLAPPING: Host 00:50:56:a1:2b:3c in VLAN 10 "
        "is flapping between interface Ethernet1 and interface Ethernet2",
        "2026-12-04T18:22:02+00:00 core1 %STORM_CONTROL-3-FILTERED: A packet storm was detected "
        "on Gi1/0/5. A packet filter action has been applied on the interface.",
        "Dec  4 18:22:02 h3c1 %%10LPDT/4/LPDT_LOOPED: Loopback exists on GigabitEthernet1/0/1.",
    ]
    log.write_text("\n".join(lines * 5) + "\nnot syslog at all\n")
    db = f"sqlite:///{tmp_path / 'sg.db'}"
    cfg = tmp_path / "stormguard.yaml"
    cfg.write_text(f"database_url: {db}\ninventory: {_inventory(tmp_path)}\n")
    r = subprocess.run([*CLI, "syslog", "--replay", str(log), "--config", str(cfg)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 20
    assert "21 message(s); 20 signal(s)" in r.stderr
    r = subprocess.run([*CLI, "incidents", "--db", db, "--format", "json"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    (inc,) = json.loads(r.stdout)
    assert inc["signals"] == 20 and inc["ended_at"] is not None
    assert sorted(inc["devices"]) == ["core1", "h3c1", "leaf1"] and inc["sites"] == ["dc1"]
    assert inc["evidence"]["syslog"] == {"mac-flap": 10, "storm-control": 5, "loop-detect": 5}
    text = subprocess.run([*CLI, "incidents", "--db", db, "--since", "1h"],
                          capture_output=True, text=True, timeout=60)
    assert text.returncode == 0 and inc["id"] in text.stdout and "mac-flap×10" in text.stdout


def test_bad_listen_address_and_missing_replay_file_are_one_line_errors(tmp_path: Path) -> None:
    r = subprocess.run([*CLI, "syslog", "--listen", "http://0.0.0.0:1", "--duration", "1"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "http://0.0.0.0:1" in r.stderr
    r = subprocess.run([*CLI, "syslog", "--replay", str(tmp_path / "nope.log")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "nope.log" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([*CLI, "incidents", "--since", "yesterday-ish"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--since" in r.stderr
