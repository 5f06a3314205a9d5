"""The cache of converted policy packs: same policy, same errors, no PyYAML on a hit.

`stormguard lint` reads the default pack on every run; importing PyYAML for it costs ~20 ms, so
the plain values `_Doc.convert` makes of a pack are kept as JSON keyed by the pack's text (see
:mod:`stormguard.policy`). These tests use real files in a temporary cache directory.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stormguard import policy as policy_mod
from stormguard.errors import ConfigError
from stormguard.policy import default_pack, load_policy


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("STORMGUARD_CACHE_DIR", str(where))
    return where


def _entries(where: Path) -> list[Path]:
    return sorted(where.glob("policy-*.json")) if where.exists() else []


def _as_data(pol: policy_mod.Policy) -> object:
    # re.Pattern objects compare by pattern and flags; dataclasses.asdict keeps them as they are.
    return dataclasses.asdict(pol)


def test_second_load_comes_from_the_cache_and_is_equal(cache_dir: Path) -> None:
    first = load_policy([])
    (entry,) = _entries(cache_dir)
    assert json.loads(entry.read_text(encoding="utf-8"))["text"] == default_pack().read_text(
        encoding="utf-8")
    second = load_policy([])
    assert _as_data(second) == _as_data(first)


def test_a_cache_hit_does_not_import_yaml(cache_dir: Path) -> None:
    code = ("import sys; from stormguard.policy import load_policy; load_policy([]); "
            "print('yaml' in sys.modules)")
    env = dict(os.environ, STORMGUARD_CACHE_DIR=str(cache_dir))
    run = [sys.executable, "-c", code]
    assert subprocess.run(run, env=env, capture_output=True, text=True,
                          check=True).stdout.strip() == "True"  # first run: reads the YAML
    assert subprocess.run(run, env=env, capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_validation_errors_keep_their_lines_when_cached(cache_dir: Path, tmp_path: Path) -> None:
    pack = tmp_path / "site.yaml"
    pack.write_text("version: 1\nrules:\n  SG302:\n    max_percent: 'ten'\n", encoding="utf-8")
    messages = []
    for _ in range(2):  # YAML path, then cache path
        with pytest.raises(ConfigError) as err:
            load_policy([pack])
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    assert f"{pack}:4: rules.SG302.max_percent: must be a number" in messages[0]
    assert len(_entries(cache_dir)) == 2  # default pack + site pack


def test_changed_text_is_a_different_entry(cache_dir: Path, tmp_path: Path) -> None:
    pack = tmp_path / "site.yaml"
    pack.write_text("rules:\n  SG303: false\n", encoding="utf-8")
    assert not load_policy([pack]).rule_enabled("SG303")
    pack.write_text("rules:\n  SG303: true\n", encoding="utf-8")
    assert load_policy([pack]).rule_enabled("SG303")


def test_pack_json_cannot_carry_is_not_cached(cache_dir: Path, tmp_path: Path) -> None:
    pack = tmp_path / "waivers.yaml"
    text = ("waivers:\n  - rule: SG202\n    reason: lab\n    owner: netops\n"
            "    expires: 2027-03-31\n")
    pack.write_text(text, encoding="utf-8")
    for _ in range(2):
        assert load_policy([pack]).waivers[0].expires == "2027-03-31"
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in _entries(cache_dir)]
    assert texts == [default_pack().read_text(encoding="utf-8")]  # the dated pack is not there


def test_corrupt_entry_is_ignored_and_replaced(cache_dir: Path) -> None:
    load_policy([])
    (entry,) = _entries(cache_dir)
    entry.write_text("{not json", encoding="utf-8")
    assert load_policy([]).roles  # read from YAML again
    assert entry.read_text(encoding="utf-8").startswith("{\"format\"")


def test_unusable_cache_directory_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("STORMGUARD_CACHE_DIR", str(blocker / "sub"))  # parent is a file
    assert load_policy([]).roles
    monkeypatch.setenv("STORMGUARD_CACHE_DIR", "")  # off
    assert load_policy([]).roles
