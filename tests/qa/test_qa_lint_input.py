"""`stormguard lint` against hostile inputs: odd files in directories, bad outputs, Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_fifo_in_a_directory_is_passed_over_not_read_for_ever(sg, tmp_path):
    d = tmp_path / "configs"
    d.mkdir()
    (d / "sw1.cfg").write_text((EXAMPLES / "cisco_ios-compliant.cfg").read_text())
    os.mkfifo(d / "pipe.cfg")  # nobody ever writes to it: reading it would block
    res = sg("lint", str(d), "--format", "json", timeout=30)
    assert res.rc == 0, res.err
    assert "pipe.cfg" not in res.out
    assert '"files": 1' in res.out


def test_fifo_named_on_the_command_line_is_still_read(sg, tmp_path):
    """`stormguard lint <(ssh sw1 show run)` hands lint a pipe: that must keep working."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    proc = subprocess.Popen([sys.executable, "-m", "stormguard", "lint", str(fifo)],
                            cwd=tmp_path, env=sg.env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    with open(fifo, "w") as fh:
        fh.write((EXAMPLES / "cisco_ios-compliant.cfg").read_text())
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "cisco_ios" in out


def test_unwritable_output_is_one_line_error(sg, tmp_path):
    res = sg("lint", str(EXAMPLES / "cisco_ios-compliant.cfg"), "-o",
             str(tmp_path / "no" / "such" / "dir" / "out.txt"))
    line = res.one_line_error()
    assert res.rc == 2
    assert "out.txt: cannot write the output: No such file or directory" in line
    res = sg("lint", str(EXAMPLES / "cisco_ios-compliant.cfg"), "-o", str(tmp_path))
    assert "cannot write the output: Is a directory" in res.one_line_error()


def test_oversized_input_message_does_not_invent_a_size(tmp_path):
    from stormguard.errors import InputError
    from stormguard.sources import MAX_BYTES, decode_config

    try:
        decode_config(b"x" * (MAX_BYTES + 1), "big.cfg")
    except InputError as exc:
        assert str(exc) == f"big.cfg: larger than the {MAX_BYTES:,}-byte limit"
    else:
        raise AssertionError("no error")


def test_ctrl_c_during_a_long_lint_is_one_line_exit_130(sg, tmp_path):
    big = tmp_path / "big.cfg"
    lines = ["hostname big"]
    for i in range(20000):
        lines += [f"interface GigabitEthernet1/0/{i}", " switchport mode trunk",
                  " switchport trunk allowed vlan 10,20"]
    big.write_text("\n".join(lines) + "\n")
    for delay in (0.5, 1.5):  # mid-lint (the start-up window: the next test)
        proc = subprocess.Popen([sys.executable, "-m", "stormguard", "lint", str(big)],
                                cwd=tmp_path, env=sg.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
        assert "Traceback" not in err, (delay, err)
        if proc.returncode not in (1, -signal.SIGINT):  # finished first; killed pre-Python
            assert proc.returncode == 130, (delay, proc.returncode, err)
            assert err.strip().endswith("interrupted"), err


def test_ctrl_c_while_the_cli_starts_is_one_line_exit_130(monkeypatch, capsys):
    """Before the command runs (importing it, building the parser) Ctrl-C also ends in one
    line: that window is too short to hit reliably with a real signal, so raise it there."""
    from stormguard import cli

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert cli.main(["lint", "x.cfg"]) == 130
    err = capsys.readouterr().err
    assert err == "stormguard: interrupted\n"


def test_odd_names_and_links_in_a_directory_give_one_line_each(sg, tmp_path):
    d = tmp_path / "odd"
    d.mkdir()
    (d / "name\nwith newline").write_text("hello\n")
    (d / "dangling").symlink_to(tmp_path / "nowhere")
    (d / "a").symlink_to(d / "b")
    (d / "b").symlink_to(d / "a")  # a loop
    (d / "self").symlink_to(d)  # a directory loop: not followed
    res = sg("lint", "odd", "--format", "json", timeout=30)
    assert res.rc == 2
    assert res.err.splitlines() == [
        "stormguard lint: error: odd/a: cannot read: Too many levels of symbolic links",
        "stormguard lint: error: odd/b: cannot read: Too many levels of symbolic links",
        "stormguard lint: error: odd/dangling: no such file",
        "stormguard lint: error: odd/name\\nwith newline: cannot tell the platform from the "
        "text; give it with --platform",
    ]
