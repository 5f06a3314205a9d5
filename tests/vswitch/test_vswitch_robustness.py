"""Mutated vSwitch bundles never crash the parsers: a device list or a one-line InputError."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vswitch_kit import fixture_text

from stormguard.errors import InputError
from stormguard.parsers import parse_config

_JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5000), st.text(max_size=8),
    st.lists(st.integers(0, 4096), max_size=3), st.just(["set", []]), st.just(["map", [[1]]]),
    st.just(["uuid"]), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _replace(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def _check(name: str, data: st.DataObject) -> None:
    doc = json.loads(fixture_text(name))
    paths = _paths(doc)
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(paths))
        try:
            doc = _replace(doc, path, data.draw(_JUNK))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed that spot
    try:
        devices = parse_config(json.dumps(doc), source=name)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    for dev in devices:
        assert dev.hostname and dev.platform in ("ovs", "linux_bridge")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_ovs_bundles(data: st.DataObject) -> None:
    _check(data.draw(st.sampled_from(["ovs-hv01.json", "ovs-hv02.json"])), data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_linux_bundles(data: st.DataObject) -> None:
    _check(data.draw(st.sampled_from(["linux_bridge-hv03.json", "linux_bridge-hv04.json"])),
           data)
