"""Every file stormguard reads is bounded: `/dev/zero` (never ends) and a FIFO nobody writes to
(blocks for ever) as a policy, a baseline, an inventory, stormguard.yaml, a password file or a
URL file end at once in a one-line error with exit 2 (or, for a device's password, the
collection failure class `auth: credentials unavailable`), never a hang or a traceback."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CFG = str(EXAMPLES / "cisco_ios-compliant.cfg")


@pytest.fixture(params=["zero", "fifo", "huge"])
def endless(request, tmp_path) -> tuple[str, str]:
    """(path, what the error says) for an input that must not be read to its end."""
    if request.param == "zero":
        return "/dev/zero", "larger than the"
    if request.param == "fifo":
        p = tmp_path / "fifo"
        os.mkfifo(p)
        return str(p), "nothing to read for 1 s"
    p = tmp_path / "huge.yaml"
    with open(p, "wb") as fh:  # sparse: 2 GiB on paper, no disk used
        fh.truncate(2 * 1024**3)
    return str(p), "larger than the"


def _timed(sg, *args: str, **env: str):
    """Run the CLI; a hang would hit the timeout (times are measured, not asserted here)."""
    return sg(*args, timeout=30, **env), None


def test_config_file(sg, tmp_path):
    """Configs have their own, larger cap (a FIFO named as a config is read on purpose:
    `lint <(ssh sw1 show run)`, see test_qa_lint_input)."""
    huge = tmp_path / "huge.cfg"
    with open(huge, "wb") as fh:
        fh.truncate(2 * 1024**3)
    for path in ("/dev/zero", str(huge)):
        res, _ = _timed(sg, "lint", path)
        assert res.rc == 2
        assert f"{path}: larger than the 67,108,864-byte limit" in res.err


@pytest.mark.parametrize("args", [
    ["lint", CFG, "--policy", "{}"],
    ["lint", CFG, "--baseline", "{}"],
    ["inventory", "check", "{}"],
    ["collect", "--inventory", "{}"],
    ["run-now", "--config", "{}"],
    ["daemon", "--config", "{}"],
    ["history", "sw1", "--config", "{}"],
])
def test_settings_files(sg, endless, args):
    path, says = endless
    res, _ = _timed(sg, *[a.replace("{}", path) for a in args])
    assert res.rc == 2, (res.out, res.err)
    assert "Traceback" not in res.err
    text = res.err + res.out
    assert path in text and says in text, text


def test_stormguard_yaml_from_the_environment(sg, endless):
    path, says = endless
    res, _ = _timed(sg, "db", "current", STORMGUARD_CONFIG=path, STORMGUARD_DATABASE_URL="")
    line = res.one_line_error()
    assert path in line and says in line


def test_url_file_in_stormguard_yaml(sg, tmp_path, endless):
    path, says = endless
    (tmp_path / "sg.yaml").write_text(
        f"notify:\n  webhooks:\n    - {{kind: slack, url_file: {path}}}\n")
    res, _ = _timed(sg, "run-now", "--config", "sg.yaml")
    line = res.one_line_error()
    assert "url_file" in line and says in line and "sg.yaml:3" in line


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_password_files_of_devices(sg, tmp_path):
    """Devices whose password_file cannot be a password fail as `auth: credentials
    unavailable`, at once, without the file's bytes in any message."""
    fifo = tmp_path / "pw.fifo"
    os.mkfifo(fifo)
    binary = tmp_path / "pw.bin"
    binary.write_bytes(b"\xff\xfeS3cr3tBytes\x00\x01")
    latin = tmp_path / "pw.latin1"
    latin.write_bytes("Pässwörd-L4t1n".encode("latin-1"))
    big = tmp_path / "pw.big"
    big.write_text("A" * 10_000)
    empty = tmp_path / "pw.empty"
    empty.write_text("")
    port = _closed_port()
    hosts = {"z": "/dev/zero", "f": fifo, "b": binary, "l": latin, "g": big, "e": empty}
    lines = [f"  {n}: {{hostname: 127.0.0.1, port: {port}, platform: cisco_ios, "
             f"username: u, password_file: {p}}}" for n, p in hosts.items()]
    (tmp_path / "inventory.yaml").write_text("hosts:\n" + "\n".join(lines) + "\n")
    res, _ = _timed(sg, "collect", "--retries", "0", "--no-progress")
    assert res.rc == 1, res.err
    assert "Traceback" not in res.err
    rows = {ln.split()[0]: ln for ln in res.out.splitlines() if ln[:2].strip() in hosts}
    for name, path in hosts.items():
        assert f"auth   credentials unavailable: {name}: password_file: " in rows[name], rows
        assert str(path) in rows[name]
    assert "binary file, not a password" in rows["b"]
    assert "not UTF-8 text" in rows["l"]
    assert "larger than the 4,096-byte limit" in rows["g"] + rows["z"]
    assert "is empty" in rows["e"]
    assert "nothing to read for 1 s" in rows["f"]
    for secret in ("S3cr3tBytes", "L4t1n", "AAAAAAAA"):
        assert secret not in res.out + res.err


def test_ssh_key_files_and_known_hosts(sg, tmp_path):
    """paramiko reads these itself, so they are checked before it does: a device or a FIFO as
    an ssh_key_file is `auth: credentials unavailable`, as the known_hosts file exit 2."""
    fifo = tmp_path / "key.fifo"
    os.mkfifo(fifo)
    big = tmp_path / "key.big"
    big.write_bytes(b"-----BEGIN OPENSSH PRIVATE KEY-----\n" + b"A" * 100_000)
    port = _closed_port()
    hosts = {"z": "/dev/zero", "f": str(fifo), "g": str(big), "m": str(tmp_path / "nokey")}
    lines = [f"  {n}: {{hostname: 127.0.0.1, port: {port}, platform: cisco_ios, "
             f"username: u, ssh_key_file: {p}}}" for n, p in hosts.items()]
    (tmp_path / "inventory.yaml").write_text("hosts:\n" + "\n".join(lines) + "\n")
    res, _ = _timed(sg, "collect", "--retries", "0", "--no-progress")
    assert res.rc == 1 and "Traceback" not in res.err, res.err
    rows = {ln.split()[0]: ln for ln in res.out.splitlines() if ln[:2].strip() in hosts}
    for name in hosts:
        assert f"auth   credentials unavailable: {name}: ssh_key_file: " in rows[name], rows
    assert "is not a regular file" in rows["z"] and "is not a regular file" in rows["f"]
    assert "larger than the 65,536-byte limit of a key file" in rows["g"]
    assert "No such file or directory" in rows["m"]
    for known in ("/dev/zero", str(fifo)):
        res, _ = _timed(sg, "collect", "--known-hosts", known)
        assert res.rc == 2
        assert res.one_line_error().endswith(
            f"{known}: the known_hosts file is not a regular file")
