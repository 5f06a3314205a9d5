"""Adversarial QA through the real `stormguard` CLI (a subprocess, as a user runs it).

Every test gets its own working directory and its own SQLite database, never the user's."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass
class Result:
    rc: int
    out: str
    err: str

    def one_line_error(self) -> str:
        """The run failed cleanly: non-zero exit, no traceback, exactly one error line."""
        assert self.rc not in (0, 1, 3), (self.rc, self.out, self.err)
        assert "Traceback" not in self.err + self.out, self.err
        lines = [ln for ln in self.err.splitlines() if ln.strip()]
        assert len(lines) == 1, lines
        return lines[0]


@dataclass
class Cli:
    cwd: Path
    env: dict[str, str]

    def __call__(self, *args: str, timeout: float = 60, **env: str) -> Result:
        proc = subprocess.run([sys.executable, "-m", "stormguard", *args], cwd=self.cwd,
                              env={**self.env, **env}, capture_output=True, text=True,
                              timeout=timeout)
        return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def sg(tmp_path: Path) -> Cli:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORMGUARD_")}
    env["STORMGUARD_DATABASE_URL"] = f"sqlite:///{tmp_path / 'qa.db'}"
    return Cli(tmp_path, env)
