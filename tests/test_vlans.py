"""VlanSet algebra against a plain-set reference model."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stormguard.vlans import VlanSet, VlanSyntaxError

vids = st.integers(min_value=1, max_value=4094)
ranges = st.tuples(vids, vids).map(lambda t: (min(t), max(t)))
specs = st.lists(st.one_of(vids.map(lambda v: (v, v)), ranges), min_size=1, max_size=12)


def ref(spec: list[tuple[int, int]]) -> set[int]:
    return {v for a, b in spec for v in range(a, b + 1)}


def cisco(spec: list[tuple[int, int]]) -> str:
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in spec)


def huawei(spec: list[tuple[int, int]]) -> str:
    return " ".join(str(a) if a == b else f"{a} to {b}" for a, b in spec)


@given(specs)
def test_parse_every_spelling(spec: list[tuple[int, int]]) -> None:
    expected = ref(spec)
    assert set(VlanSet.parse(cisco(spec))) == expected
    assert set(VlanSet.parse(huawei(spec))) == expected
    assert set(VlanSet.parse("[ " + huawei(spec).replace(" to ", "-") + " ]")) == expected
    assert len(VlanSet.parse(cisco(spec))) == len(expected)


@given(specs, specs, specs)
def test_add_remove_except_match_sets(a: list, b: list, c: list) -> None:
    va, vb, vc = (VlanSet.parse(cisco(x)) for x in (a, b, c))
    ra, rb, rc = ref(a), ref(b), ref(c)
    assert set(va.add(vb).remove(vc)) == (ra | rb) - rc
    assert set(VlanSet.none().except_(va)) == set(range(1, 4095)) - ra
    assert set(va & vb) == ra & rb
    assert va.add(vb).issubset(VlanSet.all())
    # round trip through the display form
    assert VlanSet.parse(va.to_text()) == va
    assert VlanSet.parse(va.to_text(" ", " to ")) == va


def test_all_and_near_all() -> None:
    assert VlanSet.all().is_all and len(VlanSet.all()) == 4094
    assert VlanSet.parse("all").covers_all()
    assert VlanSet.parse("2-4094").covers_all() and not VlanSet.parse("2-4094").is_all
    assert VlanSet.parse("2 to 4094").covers_all()
    assert not VlanSet.parse("1-3999").covers_all()
    assert VlanSet.all().remove(VlanSet.parse("1")).to_text() == "2-4094"
    assert VlanSet.all().add(VlanSet.parse("5")).is_all
    assert str(VlanSet.none()) == "none"


@pytest.mark.parametrize("bad", ["x", "0", "4095", "10-", "3-a", "1,2,foo"])
def test_bad_lists_raise_clearly(bad: str) -> None:
    with pytest.raises(VlanSyntaxError):
        VlanSet.parse(bad)
