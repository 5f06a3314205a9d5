"""The pre-commit hook (`.pre-commit-hooks.yaml`), run for real by the `pre-commit` tool.

A config repository in a temp dir uses this checkout as its hook repository; pre-commit builds
the hook's own virtualenv (pip from a wheelhouse re-packed from this venv: offline) and runs
`stormguard lint` on the staged config files: a compliant change passes, a trunk opened to all
VLANs fails the commit, and files the hook does not target are left alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import EXAMPLES, ROOT, git, init_repo

pytestmark = pytest.mark.slow

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


def test_hook_definition_targets_config_files() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "stormguard-lint" and hook["language"] == "python"
    assert hook["entry"].split()[:2] == ["stormguard", "lint"]
    import re

    files = re.compile(hook["files"])
    for name in ("core1.cfg", "sw/leaf.conf", "rancid/configs/dc1-core1", "a.junos"):
        assert files.search(name), name
    for name in ("README.md", "rancid/router.db", ".pre-commit-config.yaml"):
        assert not files.search(name), name


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """This checkout as a committed git repo (pre-commit wants a rev), and a wheelhouse."""
    sys.path.insert(0, str(ROOT / "tests" / "packaging"))
    try:
        from wheelhouse import build_wheelhouse
    finally:
        sys.path.pop(0)
    base = tmp_path_factory.mktemp("hook")
    repo = base / "stormguard"
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-co", "--exclude-standard",
                             "-z"], capture_output=True, text=True, check=True).stdout
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if rel.startswith("tests/") or not (src.is_file() or src.is_symlink()):
            continue
        dst = repo / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)
    init_repo(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "stormguard as it stands")
    rev = git(repo, "rev-parse", "HEAD").strip()
    house = base / "wheelhouse"
    build_wheelhouse(house, build_backend=True)  # the hook's `pip install .` builds it
    return repo, rev, house


def _pre_commit(repo: Path, env_home: Path, house: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STORMGUARD_", "PIP_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(PRE_COMMIT_HOME=str(env_home), PIP_NO_INDEX="1", PIP_FIND_LINKS=str(house),
               PIP_DISABLE_PIP_VERSION_CHECK="1", GIT_CONFIG_NOSYSTEM="1", HOME=str(repo),
               PRE_COMMIT_COLOR="never", NO_COLOR="1")
    return subprocess.run([str(PRE_COMMIT), *args], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=900)


def test_pre_commit_runs_stormguard_lint_on_changed_configs(
        config_repo: Path, hook_repo: tuple[Path, str, Path], tmp_path: Path) -> None:
    repo, rev, house = hook_repo
    (config_repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({
        "repos": [{"repo": str(repo), "rev": rev,
                   "hooks": [{"id": "stormguard-lint", "args": ["--fail-on", "high"]}]}]}))
    (config_repo / "README.md").write_text("switch configs, backed up nightly\n")
    shutil.copy(EXAMPLES / "cisco_ios-compliant.cfg", config_repo / "core1.cfg")
    git(config_repo, "add", "-A")
    home = tmp_path / "pre-commit-home"

    passed = _pre_commit(config_repo, home, house, "run")
    out = passed.stdout + passed.stderr
    assert passed.returncode == 0, out[-4000:]
    assert "stormguard lint" in out and "Passed" in out, out

    git(config_repo, "commit", "-q", "-m", "core1")
    shutil.copy(EXAMPLES / "cisco_ios-violations.cfg", config_repo / "access2.cfg")
    git(config_repo, "add", "access2.cfg")
    failed = _pre_commit(config_repo, home, house, "run")
    out = failed.stdout + failed.stderr
    assert failed.returncode == 1, out[-4000:]
    assert "Failed" in out and "SG101" in out and "access2.cfg" in out, out[-4000:]
    assert "core1.cfg" not in out  # only the changed file was linted

    # the hook's stormguard is the one pre-commit installed from the hook repo, not this venv
    envs = list(home.glob("repo*/py_env-*/bin/stormguard"))
    assert envs, sorted(p.name for p in home.iterdir())
