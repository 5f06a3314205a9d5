"""The per-line caches of the Cisco-style parser (plans, recurring lines, lines seen once)
change only the speed: a config parses to the same model whatever the caches hold, however
small they are (each is emptied when full), and in whatever order configs come."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from stormguard.parsers import _cisco_like, parse_config

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.cfg"))
EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.cfg"))


def _models(paths: list[Path]) -> list[object]:
    out = []
    for path in paths:
        devs = parse_config(path.read_text(), None, source=str(path))
        out.append([dataclasses.asdict(d) for d in devs])
    return out


def _fresh_caches(monkeypatch: pytest.MonkeyPatch, plans: int, young: int) -> None:
    monkeypatch.setattr(_cisco_like, "_CACHES", {})
    monkeypatch.setattr(_cisco_like, "_HEADERS", {})
    monkeypatch.setattr(_cisco_like, "_PLAN_CACHE_SIZE", plans)
    monkeypatch.setattr(_cisco_like, "_YOUNG_CACHE_SIZE", young)


def test_tiny_caches_parse_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = FIXTURES + EXAMPLES
    assert paths
    _fresh_caches(monkeypatch, 1 << 20, 1 << 20)
    want = _models(paths)
    for plans, young in ((1, 1), (3, 2), (7, 5), (64, 1)):
        _fresh_caches(monkeypatch, plans, young)
        assert _models(paths) == want, (plans, young)
        assert _models(paths[::-1]) == want[::-1], (plans, young)


def test_a_line_joins_the_hot_table_on_its_second_sighting(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh_caches(monkeypatch, 1 << 20, 1 << 20)
    text = ("hostname a\ninterface Gi1/0/1\n switchport mode access\n"
            " switchport trunk allowed vlan 7,9\ninterface Gi1/0/2\n switchport mode access\n")
    parse_config(text, "cisco_ios")
    _plans, hot, young = next(iter(_cisco_like._CACHES.values()))
    assert " switchport mode access" in hot
    assert hash(" switchport mode access") not in young
    assert hash(" switchport trunk allowed vlan 7,9") in young
    assert " switchport trunk allowed vlan 7,9" not in hot


@pytest.mark.parametrize("spec", ["10", "0010", "4094", "4095", "0", "\u0663", "\u00b2",
                                  "10 20", "10,20", "1-3", "x"])
def test_vlan_header_fast_path_reads_as_the_vlan_list(spec: str) -> None:
    """`vlan N` (one plain ID) skips parse_vlan_list; every header reads as that list."""
    from stormguard.parsers.cisco_ios import DIALECT

    dev = _cisco_like.parse_cisco_like(f"hostname a\nvlan {spec}\n name n\n", DIALECT)
    if not spec[:1].isdigit():
        assert not dev.vlans and not dev.warnings  # not a VLAN header at all
        return
    try:
        want = sorted(_cisco_like.parse_vlan_list(",".join(spec.split())))
    except ValueError:
        assert not dev.vlans and dev.warnings
        return
    assert sorted(dev.vlans) == want
    assert all(v.name == "n" and v.line == 2 for v in dev.vlans.values())
