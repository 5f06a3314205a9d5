"""Inventory group graphs that would blow up a naive resolver, and a fuzz run of the loader.

Group inheritance is resolved iteratively with every group finished once: a diamond ladder (each
level's groups all belong to both groups of the next level: 2**depth paths) loads at once, a
chain deeper than the limit is an explicit one-line error, and a chain thousands of groups long
is that same error, never a RecursionError or a silently truncated lineage.
"""

from __future__ import annotations

import string
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stormguard.errors import ConfigError
from stormguard.inventory import MAX_GROUP_DEPTH, check_inventory, load_inventory


def _write(tmp_path: Path, doc: dict) -> Path:
    p = tmp_path / "inventory.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    return p


def _ladder(depth: int) -> dict:
    """Level i has groups Li_a and Li_b, both members of L(i+1)_a and L(i+1)_b."""
    groups: dict = {}
    for i in range(depth):
        below = [f"L{i + 1}_a", f"L{i + 1}_b"] if i + 1 < depth else []
        groups[f"L{i}_a"] = {"groups": below, "data": {f"a{i}": i}}
        groups[f"L{i}_b"] = {"groups": below, "tags": [f"t{i}"]}
    groups[f"L{depth - 1}_b"]["platform"] = "cisco_ios"
    return {"groups": groups, "hosts": {"sw1": {"groups": ["L0_a", "L0_b"]}}}


def test_diamond_ladder_resolves_each_group_once(tmp_path):
    depth = 40  # 2**40 paths from sw1 to the bottom: a path-walking resolver never finishes
    t0 = time.monotonic()
    inv = load_inventory(_write(tmp_path, _ladder(depth)))
    elapsed = time.monotonic() - t0
    host = inv.hosts["sw1"]
    assert host.platform == "cisco_ios"  # inherited from the very bottom of the ladder
    # every group once, depth-first in the order listed: L0_a, L1_a, L1_b... then L0_b
    assert len(host.groups) == 2 * depth
    assert host.groups[:3] == ["L0_a", "L1_a", "L2_a"]
    assert host.groups[-1] == "L0_b"
    assert host.data == {f"a{i}": i for i in range(depth)}
    assert set(host.tags) == {f"t{i}" for i in range(depth)}
    assert elapsed < 5, elapsed  # generous: linear work is milliseconds


def test_group_nesting_deeper_than_the_limit_is_an_explicit_error(tmp_path):
    n = MAX_GROUP_DEPTH + 1
    groups = {f"g{i}": {"groups": [f"g{i + 1}"]} for i in range(n - 1)}
    groups[f"g{n - 1}"] = {"platform": "cisco_ios"}
    inv, errors, _ = check_inventory(_write(tmp_path, {"groups": groups,
                                                       "hosts": {"sw1": {"groups": ["g0"]}}}))
    assert inv is None
    assert errors == [f"inventory.yaml:3: groups.g0.groups: groups nested {n} levels deep, more "
                      f"than the limit of {MAX_GROUP_DEPTH} (g0 -> g1 -> g2 -> ... -> "
                      f"g{n - 2} -> g{n - 1})"]


def test_at_the_limit_still_loads_with_the_whole_lineage(tmp_path):
    n = MAX_GROUP_DEPTH
    groups = {f"g{i}": {"groups": [f"g{i + 1}"]} for i in range(n - 1)}
    groups[f"g{n - 1}"] = {"platform": "cisco_ios", "site": "bottom"}
    inv = load_inventory(_write(tmp_path, {"groups": groups,
                                           "hosts": {"sw1": {"groups": ["g0"]}}}))
    assert inv.hosts["sw1"].groups == [f"g{i}" for i in range(n)]
    assert inv.hosts["sw1"].site == "bottom"  # no silent stop before the last level


def test_a_chain_of_thousands_of_groups_is_the_depth_error_not_a_recursion_error(tmp_path):
    n = 5000
    groups = {f"g{i}": {"groups": [f"g{i + 1}"]} for i in range(n - 1)}
    groups[f"g{n - 1}"] = {"platform": "cisco_ios"}
    with pytest.raises(ConfigError, match=f"groups nested {n} levels deep"):
        load_inventory(_write(tmp_path, {"groups": groups, "hosts": {"sw1": {"groups": ["g0"]}}}))


def test_a_long_cycle_is_named(tmp_path):
    n = 3000
    groups = {f"g{i}": {"groups": [f"g{(i + 1) % n}"]} for i in range(n)}
    inv, errors, _ = check_inventory(_write(tmp_path, {
        "defaults": {"platform": "cisco_ios"}, "groups": groups,
        "hosts": {"sw1": {"groups": ["g0"]}}}))
    assert inv is None
    assert len(errors) == 1 and "groups.g0.groups: group cycle: g0 -> g1 -> " in errors[0]
    assert errors[0].endswith("-> g2999 -> g0")


# ----------------------------------------------------------------------------- fuzz
_names = st.text(string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=4)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.floats(allow_nan=True),
                     st.text(max_size=8), st.sampled_from(["cisco_ios", "ios", "ovs", "junos",
                                                           "ssh", "local", "netmiko", "tofu"]))
_keys = st.sampled_from(["hostname", "port", "platform", "site", "transport", "driver",
                         "timeout", "retries", "host_key_policy", "netns", "username",
                         "password_env", "password_file", "prompt", "groups", "tags", "data",
                         "credentials", "bogus"])


def _entry(group_names: st.SearchStrategy) -> st.SearchStrategy:
    value = st.one_of(_scalars, st.lists(st.one_of(group_names, _scalars), max_size=4),
                      st.dictionaries(_names, _scalars, max_size=3))
    return st.one_of(st.none(), _scalars, st.dictionaries(_keys, value, max_size=6))


_group_names = st.sampled_from(["a", "b", "c", "d", "e"])
_inventories = st.fixed_dictionaries({}, optional={
    "defaults": _entry(_group_names),
    "groups": st.one_of(_scalars, st.dictionaries(_group_names, _entry(_group_names),
                                                  max_size=5)),
    "hosts": st.one_of(_scalars, st.dictionaries(_names, _entry(_group_names), max_size=5)),
    "extra": _scalars,
})


def _check_outcome(path: Path) -> None:
    try:
        inv = load_inventory(path)
    except ConfigError as exc:  # InventoryError is a ConfigError: the one-line error type
        msg = str(exc)
        assert msg and "\n" not in msg, msg
        return
    assert inv.hosts


_FUZZ = settings(max_examples=150, deadline=timedelta(seconds=2),
                 suppress_health_check=[HealthCheck.too_slow])


@_FUZZ
@given(doc=_inventories)
def test_fuzz_structured_inventories_load_or_raise_one_line(doc):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "inventory.yaml"
        p.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        _check_outcome(p)


_yaml_bits = st.sampled_from([
    "hosts:", "groups:", "defaults:", "  sw1:", "  a:", "    groups: [a, b]", "    groups: a",
    "    platform: ios", "    port: 99999", "    password: *x", "  &x b:", "    <<: *x", "- 1",
    "    data: {k: !!binary aGk=}", "    tags: [x, x]", "  sw1: {groups: [b]}", ": :", "\t",
    "    credentials: {password_env: '1 2'}", "    timeout: 2027-13-45", "'", "\"\\x",
    "  b: {groups: [a]}", "  a: {groups: [b]}",
])


@_FUZZ
@given(lines=st.lists(st.one_of(_yaml_bits, st.text(max_size=12)), max_size=12))
def test_fuzz_raw_text_inventories_load_or_raise_one_line(lines):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "inventory.yaml"
        p.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
        _check_outcome(p)
