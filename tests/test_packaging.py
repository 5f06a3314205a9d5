"""The package works after a plain `pip install`: every subpackage and every default ships."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_every_python_package_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"])
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "stormguard").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert on_disk - listed == set(), "add these packages to [tool.setuptools] packages"


@pytest.mark.slow
def test_wheel_ships_defaults_and_lints_outside_the_source_tree(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("stormguard-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("stormguard/data/policies/default.yaml", "stormguard/cli.py"):
        assert needed in names, needed
    assert any(n.startswith("stormguard/data/collectors/") and n.endswith(".yaml") for n in names)
    assert any(n.startswith("stormguard/data/reports/") for n in names)
    assert any(n.startswith("stormguard/data/examples/") for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = dict(os.environ, PYTHONPATH=str(site))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import stormguard, sys; from stormguard.resources import data_dir; "
        "p = data_dir('policies'); assert str(p).startswith(sys.argv[1]), p; "
        "assert (p / 'default.yaml').is_file(); print('ok')"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(site)], cwd=elsewhere, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "ok", proc.stderr
    examples = site / "stormguard" / "data" / "examples"
    proc = subprocess.run([sys.executable, "-m", "stormguard", "lint", str(examples),
                           "--fail-on", "never", "--format", "json"],
                          cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert '"results"' in proc.stdout
