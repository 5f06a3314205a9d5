"""VLAN lists across lines: allow-pass/permit accumulation and undo (Huawei, H3C), Junos
members by name, ID and range -- checked against a plain Python set as the reference."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stormguard.parsers import hp_comware, huawei, juniper_junos
from stormguard.vlans import VlanSet

FULL = set(range(1, 4095))

# A VLAN list item: a single ID or a range `a to b`.
item = st.one_of(
    st.integers(1, 4094).map(lambda v: (v, v)),
    st.tuples(st.integers(1, 4094), st.integers(0, 60)).map(
        lambda t: (t[0], min(4094, t[0] + t[1]))
    ),
)
op = st.one_of(
    st.tuples(st.sampled_from(["add", "undo"]), st.lists(item, min_size=1, max_size=10)),
    st.tuples(st.sampled_from(["add-all", "undo-all"]), st.just([])),
)


def _spell(items: list[tuple[int, int]]) -> str:
    return " ".join(str(a) if a == b else f"{a} to {b}" for a, b in items)


def _reference(ops) -> set[int]:
    allowed = {1}  # a Huawei/H3C trunk starts with VLAN 1
    for kind, items in ops:
        vids = {v for a, b in items for v in range(a, b + 1)}
        if kind == "add":
            allowed |= vids
        elif kind == "undo":
            allowed -= vids
        elif kind == "add-all":
            allowed = set(FULL)
        else:
            allowed = set()
    return allowed


def _config(ops, keyword: str, trunk_cmd: str, indent_globals: bool) -> str:
    lines = ["#", (" " if indent_globals else "") + "sysname sw1", "#",
             "interface GigabitEthernet1/0/1", " port link-type trunk"]
    for kind, items in ops:
        spec = "all" if kind.endswith("all") else _spell(items)
        prefix = " undo " if kind.startswith("undo") else " "
        lines.append(f"{prefix}{trunk_cmd} {keyword} vlan {spec}")
    lines += ["#", "return"]
    return "\n".join(lines)


@settings(max_examples=150, deadline=None)
@given(st.lists(op, min_size=0, max_size=8))
def test_huawei_allow_pass_sequences_match_reference(ops):
    (dev,) = huawei.parse(_config(ops, "allow-pass", "port trunk", False))
    port = dev.interfaces["GigabitEthernet1/0/1"]
    assert set(port.allowed_vlans) == _reference(ops)
    assert (port.line_of("allowed_vlans") is None) == (not ops)
    if ops:
        assert port.line_of("allowed_vlans") == 5 + len(ops)


@settings(max_examples=150, deadline=None)
@given(st.lists(op, min_size=0, max_size=8))
def test_comware_permit_sequences_match_reference(ops):
    (dev,) = hp_comware.parse(_config(ops, "permit", "port trunk", True))
    port = dev.interfaces["GigabitEthernet1/0/1"]
    assert set(port.allowed_vlans) == _reference(ops)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([], "1"),
        (["port trunk allow-pass vlan 10 20"], "1,10,20"),
        (["undo port trunk allow-pass vlan 1"], "none"),
        (["undo port trunk allow-pass vlan 1", "port trunk allow-pass vlan 2 to 4094"], "2-4094"),
        (["port trunk allow-pass vlan all", "undo port trunk allow-pass vlan 1 to 9"], "10-4094"),
        (["port trunk allow-pass vlan all", "undo port trunk allow-pass vlan all"], "none"),
        (["port trunk allow-pass vlan 100 to 110", "undo port trunk allow-pass vlan 105"],
         "1,100-104,106-110"),
    ],
)
def test_huawei_examples(lines, expected):
    body = "\n".join(["interface Eth-Trunk1", " port link-type trunk", *(" " + ln for ln in lines)])
    (dev,) = huawei.parse(body)
    port = dev.interfaces["Eth-Trunk1"]
    assert set(port.allowed_vlans) == set(VlanSet.parse(expected))


def test_bad_vlan_list_is_a_warning_with_its_line():
    text = "\n".join([
        "interface GigabitEthernet0/0/1",
        " port link-type trunk",
        " port trunk allow-pass vlan 10",
        " port trunk allow-pass vlan 20 to 5000",
        " port trunk allow-pass vlan ten",
    ])
    (dev,) = huawei.parse(text)
    port = dev.interfaces["GigabitEthernet0/0/1"]
    assert set(port.allowed_vlans) == {1, 10}
    assert [w.split(":")[0] for w in dev.warnings] == ["line 4", "line 5"]
    assert all("cannot read VLAN list" in w for w in dev.warnings)


# -- Junos members ------------------------------------------------------------------------------
# `v10-20` is a name that looks like a range
NAMES = {"PROD": 100, "STORAGE": 200, "vl-app": 50, "v10-20": 3000}

member = st.one_of(
    st.sampled_from(sorted(NAMES)),
    st.integers(1, 4094).map(str),
    st.tuples(st.integers(1, 4000), st.integers(0, 90)).map(lambda t: f"{t[0]}-{t[0] + t[1]}"),
)


def _member_ids(tok: str) -> set[int]:
    if tok in NAMES:
        return {NAMES[tok]}
    a, _, b = tok.partition("-")
    return set(range(int(a), int(b or a) + 1))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(member, min_size=1, max_size=5), min_size=1, max_size=5), st.booleans())
def test_junos_members_resolve_like_the_reference(groups, set_form):
    defs = [f"set vlans {n} vlan-id {v}" for n, v in NAMES.items()]
    if set_form:
        lines = [
            "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members "
            f"[ {' '.join(g)} ]" for g in groups
        ]
        text = "\n".join(["set interfaces ge-0/0/1 unit 0 family ethernet-switching "
                          "interface-mode trunk", *lines, *defs])
    else:
        members = "\n".join(f"                    members [ {' '.join(g)} ];" for g in groups)
        text = (
            "interfaces {\n    ge-0/0/1 {\n        unit 0 {\n"
            "            family ethernet-switching {\n"
            "                interface-mode trunk;\n                vlan {\n"
            f"{members}\n                }}\n            }}\n        }}\n    }}\n}}\n"
            + "\n".join(defs)
        )
    (dev,) = juniper_junos.parse(text)
    expected = set().union(*(_member_ids(t) for g in groups for t in g))
    assert set(dev.interfaces["ge-0/0/1"].allowed_vlans) == expected
    assert dev.warnings == []
