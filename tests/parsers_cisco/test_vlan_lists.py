"""`switchport trunk allowed vlan` algebra across wrapped lines, against a plain-set reference.

The parser applies each statement on top of the ones before (that is how the switch reads its
own wrapped ``show running-config``). The reference below does the same with Python sets, so the
two are compared exhaustively over short sequences and by hypothesis over long random ones.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stormguard.parsers import arista_eos, cisco_ios, cisco_nxos
from stormguard.vlans import VlanSet

FULL = frozenset(range(1, 4095))
PARSERS = {"cisco_ios": (cisco_ios, " "), "cisco_nxos": (cisco_nxos, "  "),
           "arista_eos": (arista_eos, "   ")}


def reference(ops: list[tuple[str, frozenset[int]]]) -> tuple[frozenset[int], bool] | None:
    """(VLANs, said-all) after the statements; None when there is no statement at all."""
    cur: frozenset[int] | None = None
    said_all = False
    for op, arg in ops:
        if op == "set":
            cur, said_all = arg, False
        elif op == "all":
            cur, said_all = FULL, True
        elif op == "none":
            cur, said_all = frozenset(), False
        elif op == "except":
            cur, said_all = FULL - arg, False
        elif op == "add":
            if cur is None:
                cur, said_all = FULL, True  # no list = all VLANs, adding keeps it all
            cur = cur | arg
        elif op == "remove":
            if cur is None:
                cur = FULL
            cur, said_all = cur - arg, False
    return None if cur is None else (cur, said_all)


def spell(vids: frozenset[int]) -> str:
    """Cisco spelling with ranges: 1-3,7,9-10 (the parser must read any such spelling)."""
    return VlanSet.of(vids).to_text()


def render(ops: list[tuple[str, frozenset[int]]]) -> list[str]:
    out = []
    for op, arg in ops:
        if op in ("all", "none"):
            out.append(f"switchport trunk allowed vlan {op}")
        elif op == "set":
            out.append(f"switchport trunk allowed vlan {spell(arg)}")
        else:
            out.append(f"switchport trunk allowed vlan {op} {spell(arg)}")
    return out


def parse_allowed(platform: str, stmts: list[str]) -> VlanSet | None:
    mod, indent = PARSERS[platform]
    text = "hostname t\ninterface Ethernet1\n" + "".join(f"{indent}{s}\n" for s in stmts)
    dev = mod.parse(text)[0]
    assert dev.warnings == []
    return dev.interfaces["Ethernet1"].allowed_vlans


def check(platform: str, ops: list[tuple[str, frozenset[int]]]) -> None:
    got = parse_allowed(platform, render(ops))
    want = reference(ops)
    if want is None:
        assert got is None
        return
    assert got is not None
    assert frozenset(got) == want[0], ops
    assert got.is_all == want[1], ops


# -- exhaustive over every sequence of up to three statements from a representative alphabet --
ALPHABET: list[tuple[str, frozenset[int]]] = [
    ("set", frozenset(range(10, 21))),
    ("set", frozenset({15})),
    ("add", frozenset({5, 30})),
    ("add", frozenset(range(18, 26))),
    ("remove", frozenset(range(12, 17))),
    ("remove", frozenset({4094})),
    ("except", frozenset(range(1, 101))),
    ("none", frozenset()),
    ("all", frozenset()),
]
SEQUENCES = [
    list(seq) for n in range(0, 4) for seq in itertools.product(ALPHABET, repeat=n)
]


@pytest.mark.parametrize("platform", sorted(PARSERS))
def test_every_short_sequence(platform):
    assert len(SEQUENCES) == 1 + 9 + 81 + 729
    for ops in SEQUENCES:
        check(platform, ops)


# -- hypothesis: long random sequences with random sets --------------------------------------
vlan_sets = st.frozensets(st.integers(1, 4094), max_size=40) | st.builds(
    lambda a, n: frozenset(range(a, min(a + n, 4094) + 1)),
    st.integers(1, 4094),
    st.integers(0, 600),
)
ops_strategy = st.lists(
    st.tuples(st.sampled_from(["set", "add", "remove", "except", "all", "none"]), vlan_sets)
    .filter(lambda t: t[0] not in ("add", "remove", "except", "set") or t[1]),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(platform=st.sampled_from(sorted(PARSERS)), ops=ops_strategy)
def test_random_sequences_match_reference(platform, ops):
    check(platform, ops)


def wrap_like_ios(vids: frozenset[int], width: int = 80) -> list[str]:
    """What `show running-config` prints for a long list: the first chunk, then `add` lines."""
    items = VlanSet.of(vids).to_text().split(",")
    lines: list[str] = []
    chunk: list[str] = []
    prefix = "switchport trunk allowed vlan "
    for item in items:
        head = prefix if not lines else prefix + "add "
        if chunk and len(head) + len(",".join([*chunk, item])) > width:
            lines.append(head + ",".join(chunk))
            chunk = []
        chunk.append(item)
    head = prefix if not lines else prefix + "add "
    lines.append(head + ",".join(chunk))
    return lines


@settings(max_examples=100, deadline=None)
@given(vids=st.frozensets(st.integers(1, 4094), min_size=1, max_size=400))
def test_wrapped_show_run_list_round_trips(vids):
    stmts = wrap_like_ios(vids)
    assert all(len(s) <= 80 for s in stmts)
    got = parse_allowed("cisco_ios", stmts)
    assert frozenset(got) == vids
    assert not got.is_all


def test_wrapped_list_of_every_odd_vlan():
    odd = frozenset(range(1, 4095, 2))
    stmts = wrap_like_ios(odd)
    assert len(stmts) > 100  # a realistic worst case: 2047 single VLANs
    for platform in PARSERS:
        assert frozenset(parse_allowed(platform, stmts)) == odd


def test_new_base_line_restarts_the_source_lines():
    text = (
        "interface Gi1\n switchport trunk allowed vlan 10\n switchport trunk allowed vlan add 20\n"
        " switchport trunk allowed vlan 30\n switchport trunk allowed vlan add 40\n"
    )
    gi = cisco_ios.parse(text)[0].interfaces["Gi1"]
    assert gi.allowed_vlans == VlanSet.of([30, 40])
    assert gi.line_of("allowed_vlans") == 4
    assert gi.extra["allowed_vlans_lines"] == [4, 5]


# -- the fast list reader agrees with VlanSet.parse on every input ----------------------------
list_text = st.lists(
    st.one_of(
        st.integers(0, 5000).map(str),
        st.tuples(st.integers(0, 5000), st.integers(0, 5000)).map(lambda t: f"{t[0]}-{t[1]}"),
        st.sampled_from(["", " ", "all", "none", "x", "10-", "-5", "00010", "1--2", "٣"]),
    ),
    min_size=1,
    max_size=8,
).map(",".join)


@settings(max_examples=400, deadline=None)
@given(text=list_text)
def test_fast_list_reader_matches_vlanset_parse(text):
    from stormguard.parsers._cisco_like import parse_vlan_list

    try:
        want = VlanSet.parse(text)
    except ValueError:
        with pytest.raises(ValueError):
            parse_vlan_list(text)
        return
    assert parse_vlan_list(text) == want
