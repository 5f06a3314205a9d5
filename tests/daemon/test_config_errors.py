"""stormguard.yaml validation as the daemon sees it: one line, file:line, the key, the reason."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stormguard.config import load_config
from stormguard.errors import ConfigError

CASES = [
    ("jobs:\n  - name: nightly\n    cron: '0 26 * * *'\n", 3, "jobs.0.cron"),
    ("jobs:\n  - name: nightly\n    cron: 'at two'\n", 3, "expected 5 fields"),
    ("metrics:\n  listen: 127.0.0.1:9731\n  enable: true\n", 3, "metrics.enable: unknown key"),
    ("collect:\n  workers: lots\n", 2, "collect.workers"),
    ("shutdown_timeout_s: [1]\n", 1, "shutdown_timeout_s"),
]


@pytest.mark.parametrize("text, line, what", CASES)
def test_config_error_is_one_line_with_file_and_line(tmp_path: Path, text: str, line: int,
                                                     what: str) -> None:
    path = tmp_path / "stormguard.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as exc:
        load_config(path, environ={})
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith(f"{path}:{line}: ")
    assert what in msg


@pytest.mark.parametrize("command", ["daemon", "run-now", "status"])
def test_commands_print_the_config_error_without_traceback(tmp_path: Path, command: str) -> None:
    path = tmp_path / "stormguard.yaml"
    path.write_text("jobs:\n  - name: nightly\n    cron: '0 2 * * 8'\n")
    proc = subprocess.run([sys.executable, "-m", "stormguard", command, "--config", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert f"{path}:3: jobs.0.cron" in lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout


def test_env_override_error_names_the_variable(tmp_path: Path) -> None:
    path = tmp_path / "stormguard.yaml"
    path.write_text("log_format: text\n")
    with pytest.raises(ConfigError) as exc:
        load_config(path, environ={"STORMGUARD_SHUTDOWN_TIMEOUT_S": "soon"})
    assert "$STORMGUARD_SHUTDOWN_TIMEOUT_S" in str(exc.value)
