"""``stormguard lint --git-diff REV``: lint what changed in a config-backup repository since REV.

Config-backup tools keep one file per device in git: Oxidized (``<group>/<device>`` or a flat
directory of device files) and RANCID (``<group>/configs/<device>``, next to ``router.db``).
A pull request there is judged on what it adds:

* the files changed since REV are the ones ``git diff REV`` names (committed and uncommitted
  changes, renames followed), plus new files git does not track yet; deleted files are gone
  and not judged; files that are not configurations (hidden files, ``.md``/``.yaml``/...,
  RANCID's ``router.db``, stormguard's own reports) are passed over as a directory walk would;
* each changed file is linted, and so is its version at REV (``git show REV:path``, followed
  through a rename); a finding whose key (rule, device, interface) was already in the file at
  REV is suppressed, counted per key, the way ``--baseline`` does with a JSON file. A new file
  has no old version: all its findings count.

git runs as a subprocess (``git`` on PATH); a directory that is not in a git repository, an
unknown REV or a missing git are one-line errors. No heavy imports: this is lint's path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from stormguard.errors import InputError

#: RANCID's and Oxidized's own files, never configurations
NOT_CONFIGS = frozenset({"router.db", "routers.all", "routers.down", "routers.up",
                         ".cvsignore", ".gitignore", ".gitattributes"})


@dataclass(frozen=True)
class ChangedFile:
    path: str  # relative to the current directory, as lint shows it
    old: str | None  # path at REV relative to the repository top, None for a new file


def _git(args: list[str], cwd: str, what: str) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=120, env={**os.environ, "GIT_TERMINAL_PROMPT": "0",
                                                "LC_ALL": "C"})
    except FileNotFoundError:
        raise InputError("--git-diff: git is not installed (no `git` on PATH)") from None
    except subprocess.TimeoutExpired:
        raise InputError(f"--git-diff: git {what} took more than 120 s") from None
    if proc.returncode != 0:
        err = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        raise InputError(f"--git-diff: git {what} failed: {err}")
    return proc.stdout


def _git_bytes(args: list[str], cwd: str) -> bytes | None:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120)
    return proc.stdout if proc.returncode == 0 else None


def repo_top(cwd: str) -> str:
    try:
        proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd,
                              capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise InputError("--git-diff: git is not installed (no `git` on PATH)") from None
    if proc.returncode != 0:
        raise InputError(f"--git-diff: {os.path.abspath(cwd)} is not inside a git repository")
    return proc.stdout.strip()


def resolve_rev(rev: str, cwd: str) -> str:
    if not rev or rev.startswith("-"):
        raise InputError(f"--git-diff: {rev!r} is not a revision")
    proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "--end-of-options",
                           f"{rev}^{{commit}}"], cwd=cwd, capture_output=True, text=True,
                          timeout=60)
    if proc.returncode != 0:
        raise InputError(f"--git-diff: unknown revision {rev!r} in this repository "
                         "(fetch it first in a shallow CI clone)")
    return proc.stdout.strip()


def _is_config_name(rel_top: str) -> bool:
    from stormguard.sources import _SKIP_SUFFIXES

    parts = PurePosixPath(rel_top).parts
    name = parts[-1]
    if any(p.startswith(".") for p in parts) or name in NOT_CONFIGS:
        return False
    return PurePosixPath(name).suffix.lower() not in _SKIP_SUFFIXES


def changed_files(rev: str, paths: Iterable[str] = (), cwd: str = ".") -> list[ChangedFile]:
    """Configuration files changed (or added) since `rev` under `paths` (default: everywhere)."""
    top = repo_top(cwd)
    commit = resolve_rev(rev, cwd)
    spec = ["--", *paths] if paths else ["--", ":/"]
    out = _git(["diff", "--name-status", "-z", "-M", "--diff-filter=ACMRT", commit, *spec],
               cwd, "diff")
    fields = out.split("\0")
    pairs: list[tuple[str, str | None]] = []  # (new top-relative, old top-relative)
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i]
        if status[0] in "RC":
            old, new = fields[i + 1], fields[i + 2]
            pairs.append((new, old))
            i += 3
        else:
            path = fields[i + 1]
            pairs.append((path, None if status[0] == "A" else path))
            i += 2
    untracked = _git(["ls-files", "--others", "--exclude-standard", "--full-name", "-z",
                      *spec], cwd, "ls-files")
    pairs += [(p, None) for p in untracked.split("\0") if p]
    here = os.path.abspath(cwd)
    result: dict[str, ChangedFile] = {}
    for new, old in pairs:
        full = os.path.join(top, new)
        if not _is_config_name(new) or not os.path.isfile(full):
            continue
        from stormguard.sources import report_kind_of_file

        if report_kind_of_file(full) is not None:
            continue
        rel = os.path.relpath(full, here)
        result[rel] = ChangedFile(path=rel, old=old)
    return [result[k] for k in sorted(result)]


def old_versions(rev: str, files: list[ChangedFile], cwd: str,
                 workdir: str) -> dict[str, str]:
    """Write each changed file's version at `rev` under `workdir`: {current path: old copy}."""
    top = repo_top(cwd)
    commit = resolve_rev(rev, cwd)
    out: dict[str, str] = {}
    for i, f in enumerate(files):
        if f.old is None:
            continue
        data = _git_bytes(["show", f"{commit}:{f.old}"], top)
        if data is None:
            continue
        dest = Path(workdir, str(i), PurePosixPath(f.old).name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        out[f.path] = str(dest)
    return out


def lint_git_diff(rev: str, paths: Iterable[str] = (), *, cwd: str = ".",
                  **lint_kwargs: Any) -> Any:
    """A :class:`stormguard.lint.LintReport` of the configs changed since `rev`, each judged
    against its own version at `rev` (only the findings the change adds remain)."""
    from stormguard.lint import LintReport, lint_paths

    paths = list(paths)
    files = changed_files(rev, paths, cwd)
    label = f"git {rev}"
    if not files:
        from stormguard.policy import load_policy

        load_policy(list(lint_kwargs.get("policy_files", ())))  # a bad pack is still an error
        fail_on = lint_kwargs.get("fail_on", "medium")
        return LintReport(results=[], fail_on=None if fail_on == "never" else fail_on,
                          baseline=label)
    report = lint_paths([f.path for f in files], **lint_kwargs)
    tmp = tempfile.mkdtemp(prefix="stormguard-git-diff-")
    try:
        olds = old_versions(rev, files, cwd, tmp)
        before: dict[str, Counter[tuple[str, str, str]]] = {}
        if olds:
            kw = {k: v for k, v in lint_kwargs.items() if k in ("platform", "policy_files",
                                                                 "today")}
            old_report = lint_paths(list(olds.values()), fail_on=None, **kw)
            back = {v: k for k, v in olds.items()}
            for res in old_report.results:
                keys = before.setdefault(back.get(res.source, res.source), Counter())
                keys.update(f.key for f in res.findings if not f.waived)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    from stormguard.lint import suppress_known

    suppress_known(report, lambda res: before.get(res.source), label)
    return report
