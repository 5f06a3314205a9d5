"""The fast path for `switchport trunk allowed vlan [add] LIST` in `compile_port` makes the
same plan as the general path (words split, `_switchport`), or leaves the statement to it."""

from __future__ import annotations

import random

import pytest

from stormguard.parsers import _cisco_port
from stormguard.parsers._cisco_port import _allowed_fast, _switchport, compile_port
from stormguard.parsers.cisco_ios import DIALECT

BODIES = [
    "switchport trunk allowed vlan 10",
    "switchport trunk allowed vlan 10,20-30",
    "switchport trunk allowed vlan add 242-243,250,309",
    "switchport trunk allowed vlan add 5-5,7",
    "switchport trunk allowed vlan add 30-20",  # reversed: VlanSet.parse swaps it
    "switchport trunk allowed vlan add 0-4",  # VLAN 0: a warning
    "switchport trunk allowed vlan add 4095",
    "switchport trunk allowed vlan add 010,20",
    "switchport trunk allowed vlan add 1--4",
    "switchport trunk allowed vlan add ,,10,",
    "switchport trunk allowed vlan add 10 ,20",
    "switchport trunk allowed vlan add  10",
    "switchport trunk allowed vlan add\t10",
    "switchport trunk allowed vlan add",
    "switchport trunk allowed vlan remove 10",
    "switchport trunk allowed vlan except 10-20",
    "switchport trunk allowed vlan all",
    "switchport trunk allowed vlan none",
    "switchport trunk allowed vlan addd 10",
    "switchport trunk allowed vlan 10\u00a020",
    "switchport trunk allowed vlan ４２",  # full-width digits are not ours
]


def _general(body: str) -> object:
    return _switchport(body.split(), False, body)


@pytest.mark.parametrize("body", BODIES)
def test_same_plan_as_the_general_path(body: str) -> None:
    _cisco_port.parse_vlan_list.cache_clear()
    assert compile_port(body, DIALECT) == _general(body)


def test_only_plain_lists_take_the_fast_path() -> None:
    assert _allowed_fast("switchport trunk allowed vlan add 10 ,20") is None
    assert _allowed_fast("switchport trunk allowed vlan add 0-4") is None  # VLAN 0: warned
    assert _allowed_fast("switchport trunk allowed vlan add 7,1-3") is not None
    assert _allowed_fast("switchport trunk allowed vlan remove 10") is None
    assert _allowed_fast("switchport trunk allowed vlan add 99999") is None


def test_random_lists() -> None:
    rng = random.Random(11)
    pieces = ["1", "10", "4094", "4095", "0", "07", "5-9", "9-5", "1-4094", "", "-", "3-",
              "-3", "100-100", "2000-4095", "12345678901234567890"]
    for _ in range(3000):
        text = ",".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        for body in (f"switchport trunk allowed vlan {text}",
                     f"switchport trunk allowed vlan add {text}"):
            assert compile_port(body.strip(), DIALECT) == _general(body.strip()), body


def test_plain_reader_agrees_with_vlanset_parse() -> None:
    """`_plain_vlan_list` (unmemoised, the novel-line path) gives what VlanSet.parse gives,
    or refuses the list (then the caller asks VlanSet.parse)."""
    from stormguard.vlans import VlanSet

    rng = random.Random(12)
    pieces = ["1", "10", "4094", "4095", "0", "07", "5-9", "9-5", "1-4094", "", "-", "3-",
              "-3", "100-100", "2000-4095", "1--4", "12345678901234567890", "242-243"]
    for _ in range(5000):
        text = ",".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        try:
            got = _cisco_port._plain_vlan_list(text)
        except ValueError:
            continue
        assert got == VlanSet.parse(text), text
        assert _cisco_port.parse_vlan_list.__wrapped__(text) == got


def test_vlan_set_is_the_dataclass_value() -> None:
    from stormguard.vlans import VlanSet, vlan_set

    for mask, is_all in ((0, False), (1 << 10 | 1 << 4094, False), (6, True)):
        fast, slow = vlan_set(mask, is_all), VlanSet(mask, is_all)
        assert type(fast) is VlanSet
        assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
        assert (fast.mask, fast.is_all) == (slow.mask, slow.is_all)
