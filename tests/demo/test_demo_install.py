"""`stormguard demo` and its one dependency beyond the core: fakenos (a runtime dependency).

The full `pip install` + demo in a fresh venv is tests/test_packaging.py; here, without fakenos
(an install made with --no-deps), the demo says in one line what to install."""

from __future__ import annotations

import subprocess
import sys


def test_demo_without_fakenos_says_what_to_install(tmp_path) -> None:
    code = ("import sys; sys.modules['fakenos'] = None\n"
            "from stormguard.cli import main\n"
            "sys.exit(main(['demo', '--no-vswitches', '-o', 'x.html']))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and "pip install 'fakenos" in err, err
    assert "Traceback" not in err and not (tmp_path / "x.html").exists()
