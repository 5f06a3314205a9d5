"""The policy cache is keyed by the SHA-256 of the pack and validated on every read: an entry
edited by hand, damaged, truncated, too large or of another shape is ignored and rebuilt, and
the policy is the same as one read from YAML (real files in a temporary cache directory)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import pytest
from policy_kit import pack

from stormguard import policy as policy_mod
from stormguard.policy import load_policy

SITE = """
version: 1
rules:
  SG302: {max_percent: 5}
roles:
  storage:
    description: 'nas|netapp'
    permitted_vlans: '50-51'
"""


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("STORMGUARD_CACHE_DIR", str(where))
    return where


def _entry_for(cache_dir: Path, text: str) -> Path:
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    (entry,) = cache_dir.glob(f"policy-*-{key}.json")
    return entry


def _state(pol: policy_mod.Policy) -> object:
    return dataclasses.asdict(pol)


def _from_yaml(path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setenv("STORMGUARD_CACHE_DIR", "")
    try:
        return _state(load_policy([path]))
    finally:
        monkeypatch.undo()


def test_entry_is_named_by_the_content_hash_and_carries_a_checksum(cache_dir, tmp_path) -> None:
    p = pack(tmp_path, SITE)
    load_policy([p])
    text = p.read_text(encoding="utf-8")
    entry = json.loads(_entry_for(cache_dir, text).read_text(encoding="utf-8"))
    assert entry["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert entry["text"] == text and len(entry["check"]) == 64
    # the same text under another file name is the same entry
    other = pack(tmp_path, SITE, "copy.yaml")
    load_policy([other])
    assert len(list(cache_dir.glob("policy-*.json"))) == 2  # default pack + this text


def _edit(entry: Path, change) -> None:
    doc = json.loads(entry.read_text(encoding="utf-8"))
    change(doc)
    entry.write_text(json.dumps(doc), encoding="utf-8")


@pytest.mark.parametrize("damage", [
    # a value edited by hand: the checksum no longer matches
    pytest.param(lambda d: d["data"]["rules"]["SG302"].update(max_percent=50), id="edited-value"),
    pytest.param(lambda d: d["data"].pop("roles"), id="dropped-key"),
    pytest.param(lambda d: d["lines"].clear(), id="edited-lines"),
    pytest.param(lambda d: d.update(check="0" * 64), id="wrong-check"),
    pytest.param(lambda d: d.update(sha256="f" * 64), id="wrong-key"),
    pytest.param(lambda d: d.update(text=d["text"] + "# x\n"), id="other-text"),
    pytest.param(lambda d: d.update(data=[1, 2]), id="data-not-a-mapping"),
    pytest.param(lambda d: d.update(format=99), id="other-format"),
])
def test_edited_entry_is_ignored_and_rebuilt(cache_dir, tmp_path, monkeypatch, damage) -> None:
    p = pack(tmp_path, SITE)
    first = _state(load_policy([p]))
    entry = _entry_for(cache_dir, p.read_text(encoding="utf-8"))
    good = entry.read_text(encoding="utf-8")
    _edit(entry, damage)
    again = load_policy([p])
    assert _state(again) == first == _from_yaml(p, monkeypatch)
    assert again.params_for("SG302", {})["max_percent"] == 5
    assert entry.read_text(encoding="utf-8") == good  # rebuilt


def test_edited_entry_with_a_recomputed_key_still_validates_like_yaml(cache_dir, tmp_path
                                                                      ) -> None:
    """An entry edited AND re-checksummed is a forgery, not damage: its values still go through
    the same validation as YAML, so it cannot smuggle in what a pack could not say."""
    p = pack(tmp_path, SITE)
    load_policy([p])
    text = p.read_text(encoding="utf-8")
    entry = _entry_for(cache_dir, text)
    doc = json.loads(entry.read_text(encoding="utf-8"))
    doc["data"]["rules"]["SG302"]["max_percent"] = "ten"
    doc["check"] = policy_mod._entry_check(text, doc["data"], doc["lines"])
    entry.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(policy_mod.ConfigError, match=r"rules.SG302.max_percent: must be a "):
        load_policy([p])


@pytest.mark.parametrize("content", [
    b"", b"{", b"null", b"[]", b"\xff\xfe garbage", b'{"format": 2}', b"{" * 100_000,
])
def test_corrupt_entry_is_ignored_and_rebuilt(cache_dir, tmp_path, content: bytes) -> None:
    p = pack(tmp_path, SITE)
    first = _state(load_policy([p]))
    entry = _entry_for(cache_dir, p.read_text(encoding="utf-8"))
    entry.write_bytes(content)
    assert _state(load_policy([p])) == first
    assert json.loads(entry.read_text(encoding="utf-8"))["format"] == policy_mod._CACHE_FORMAT


def test_oversized_entry_is_not_read(cache_dir, tmp_path, monkeypatch) -> None:
    p = pack(tmp_path, SITE)
    first = _state(load_policy([p]))
    entry = _entry_for(cache_dir, p.read_text(encoding="utf-8"))
    monkeypatch.setattr(policy_mod, "_CACHE_MAX_BYTES", 64)
    assert policy_mod._cache_load(p.read_text(encoding="utf-8")) is None
    assert _state(load_policy([p])) == first
    assert entry.exists()


def test_cache_hit_is_used(cache_dir, tmp_path, monkeypatch) -> None:
    p = pack(tmp_path, SITE)
    load_policy([p])
    calls = []
    real = policy_mod._Doc.convert

    def spy(self, node, at=()):
        calls.append(at)
        return real(self, node, at)

    monkeypatch.setattr(policy_mod._Doc, "convert", spy)
    load_policy([p])
    assert calls == []  # neither the default pack nor the site pack was read from YAML
