"""An offline wheelhouse for the install test: the runtime dependencies re-packed from this venv.

A wheel is a zip of the files a distribution installed (its ``RECORD``) plus its ``.dist-info``;
re-packing the installed files gives the same wheel pip installed here, without the network.
Only the closure of stormguard's *runtime* requirements is packed, so a fresh venv that installs
from this wheelhouse gets exactly what ``pip install stormguard`` (no extras) would pull.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def runtime_closure(root: str = "stormguard", *,
                    include_root: bool = False) -> list[metadata.Distribution]:
    """The installed distributions `root` needs at run time (markers evaluated, no extras)."""
    env = default_environment()
    seen: dict[str, metadata.Distribution] = {}
    visited: set[tuple[str, frozenset[str]]] = set()
    todo: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if (key, extras) in visited:
            continue
        visited.add((key, extras))
        dist = metadata.distribution(name)
        seen[key] = dist
        envs = [{**env, "extra": e} for e in extras] or [{**env, "extra": ""}]
        for text in dist.requires or ():
            req = Requirement(text)
            if req.marker is not None and not any(req.marker.evaluate(e) for e in envs):
                continue
            todo.append((req.name, frozenset(req.extras)))
    if not include_root:
        seen.pop(canonicalize_name(root), None)
    return list(seen.values())


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def repack(dist: metadata.Distribution, dest: Path) -> Path:
    """Write `dist` (installed) back as a wheel into `dest`."""
    info = Path(str(dist._path))  # type: ignore[attr-defined]  # the .dist-info directory
    site = info.parent
    wheel_meta = (info / "WHEEL").read_text()
    tags = [ln.split(":", 1)[1].strip() for ln in wheel_meta.splitlines()
            if ln.startswith("Tag:")]
    # several Tag lines (py2-none-any, py3-none-any) compress to one name tag: py2.py3-none-any
    parts = [t.split("-") for t in tags] or [["py3", "none", "any"]]
    tag = "-".join(".".join(dict.fromkeys(p[i] for p in parts)) for i in range(3))
    name = canonicalize_name(dist.metadata["Name"]).replace("-", "_")
    path = dest / f"{name}-{dist.version}-{tag}.whl"
    rows = list(csv.reader((info / "RECORD").read_text().splitlines()))
    record_name = f"{info.name}/RECORD"
    out_rows = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for row in rows:
            if not row:
                continue
            rel = row[0]
            src = (site / rel).resolve()
            if rel == record_name or rel.endswith(".pyc") or ".." in Path(rel).parts \
                    or not src.is_file() or info.name + "/INSTALLER" == rel \
                    or rel.endswith("/REQUESTED") or rel.endswith("/direct_url.json"):
                continue
            data = src.read_bytes()
            zf.writestr(rel, data)
            out_rows.append([rel, _record_hash(data), str(len(data))])
        out_rows.append([record_name, "", ""])
        lines = [",".join(r) for r in out_rows]
        zf.writestr(record_name, "\n".join(lines) + "\n")
    return path


def build_wheelhouse(dest: Path, *, build_backend: bool = False) -> list[Path]:
    """stormguard's runtime closure; with `build_backend`, also what building it from source
    needs (setuptools, wheel and theirs), for a `pip install .` without an index."""
    dest.mkdir(parents=True, exist_ok=True)
    dists = {d.metadata["Name"]: d for d in runtime_closure()}
    if build_backend:
        for root in ("setuptools", "wheel"):
            dists.update({d.metadata["Name"]: d
                          for d in runtime_closure(root, include_root=True)})
    return [repack(d, dest) for d in dists.values()]
