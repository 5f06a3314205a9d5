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


def _discovered_packages() -> set[str]:
    """What setuptools finds with the [tool.setuptools.packages.find] settings of pyproject."""
    from setuptools.discovery import PEP420PackageFinder

    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"]["find"]
    assert find.get("namespaces", True), "data-only packages need namespace discovery"
    found = set()
    for where in find.get("where", ["."]):
        found |= set(PEP420PackageFinder.find(str(ROOT / where), include=find["include"]))
    return found


def test_package_discovery_finds_every_package_and_the_data_packages() -> None:
    found = _discovered_packages()
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "stormguard").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert on_disk - found == set()
    data = {"stormguard.data.policies", "stormguard.data.collectors", "stormguard.data.reports",
            "stormguard.data.examples", "stormguard.testing.configs"}
    assert data <= found
    # the data packages are the top-level folders users edit (relative symlinks into the tree)
    for kind in ("policies", "collectors", "reports", "examples"):
        link = ROOT / "stormguard" / "data" / kind
        assert link.is_symlink() and link.resolve() == (ROOT / kind).resolve(), link


def test_the_demo_network_is_a_runtime_dependency() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.split(">")[0].split("<")[0].split("=")[0].strip() == "fakenos" for d in deps)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-w", str(dist), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    # no wall of packaging warnings (package discovery, data directories...)
    assert "Warning" not in proc.stderr and "warning" not in proc.stderr.lower(), proc.stderr
    (whl,) = dist.glob("stormguard-*.whl")
    return whl


@pytest.mark.slow
def test_wheel_ships_defaults_and_lints_outside_the_source_tree(tmp_path: Path,
                                                                wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("stormguard/data/policies/default.yaml", "stormguard/cli.py",
                   "stormguard/testing/configs/cisco_ios.cfg",
                   "stormguard/testing/configs/juniper_junos.show.yaml",
                   "stormguard/store/migrations/alembic.ini"):
        assert needed in names, needed
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
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


@pytest.mark.slow
def test_pip_install_without_extras_then_demo_works(tmp_path: Path, wheel: Path) -> None:
    """`pip install stormguard` (no extras) into a fresh venv, then `stormguard demo`.

    The dependencies come from a wheelhouse re-packed from this venv (offline, same versions),
    restricted to stormguard's runtime requirements: nothing from the test extras is there."""
    sys.path.insert(0, str(Path(__file__).parent / "packaging"))
    try:
        from wheelhouse import build_wheelhouse
    finally:
        sys.path.pop(0)
    house = tmp_path / "wheelhouse"
    packed = {p.name.split("-")[0].lower() for p in build_wheelhouse(house)}
    assert "fakenos" in packed
    assert not packed & {"pytest", "hypothesis", "psycopg", "playwright", "aiosmtpd"}, packed
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                          "--no-index", "--find-links", str(house), str(wheel)],
                         capture_output=True, text=True, timeout=600)
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STORMGUARD_", "PYTHON", "VIRTUAL_ENV"))}
    env["HOME"] = str(tmp_path / "home")  # platformdirs: nothing from this user's real setup
    out = elsewhere / "report.html"
    proc = subprocess.run([str(venv / "bin" / "stormguard"), "demo", "--no-vswitches",
                           "-o", str(out)],
                          cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "ModuleNotFoundError" not in proc.stderr and "Traceback" not in proc.stderr
    assert "stormguard demo: nightly compliance" in proc.stdout
    assert out.read_text().lstrip().lower().startswith("<!doctype html")
    # it really ran from the fresh venv, not from this checkout
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import stormguard, fakenos; print(stormguard.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert where.stdout.strip().startswith(str(venv)), where.stdout + where.stderr


def test_editable_build_is_a_plain_pth_without_warnings(tmp_path: Path) -> None:
    """What `pip install -e .` (scripts/setup.sh) builds: a .pth to the checkout, no import hook
    and no packaging warnings (the data packages are symlinks inside the package)."""
    code = ("import sys; from setuptools import build_meta as b; "
            "print(b.build_editable(sys.argv[1]))")
    proc = subprocess.run([sys.executable, "-W", "default", "-c", code, str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Warning" not in proc.stderr and "warning:" not in proc.stderr.lower(), proc.stderr
    (whl,) = tmp_path.glob("stormguard-*.whl")
    names = zipfile.ZipFile(whl).namelist()
    pth = [n for n in names if n.endswith(".pth")]
    assert len(pth) == 1 and not any("finder" in n for n in names), names
    assert zipfile.ZipFile(whl).read(pth[0]).decode().strip() == str(ROOT)
