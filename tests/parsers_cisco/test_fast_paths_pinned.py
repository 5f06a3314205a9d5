"""The fast paths of the Cisco-style parser are pinned to its general path: with every fast
path switched off the parser must build the same model (values, lines, warnings, key order)
and leave its line caches in the same state, on the fixtures and on randomised configs."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from stormguard.parsers import _cisco_like, _cisco_port, arista_eos, cisco_ios, cisco_nxos

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.cfg"))
EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.cfg"))
DIALECTS = {"ios": cisco_ios.DIALECT, "nxos": cisco_nxos.DIALECT, "eos": arista_eos.DIALECT}


def _general_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch every fast path off: what is left is the general path."""
    # novel `switchport trunk allowed vlan [add] LIST` lines: compiled like any other line
    monkeypatch.setattr(_cisco_like._Parser, "novel_allowed", lambda *args: False)
    # one-class storm-control levels: the loop over classes of _storm, and the class call
    storm = _cisco_port._storm
    monkeypatch.setattr(_cisco_port, "_storm_class", lambda p, iface, ln, arg: storm(
        p, iface, ln, (False, (arg[0],), *arg[1:])))
    # `vlan N` headers seen before: read by vlan_header every time (never kept in _HEADERS)
    remember = _cisco_like._Parser.remember
    monkeypatch.setattr(_cisco_like._Parser, "remember", staticmethod(
        lambda cache, key, value: None if isinstance(value, int) else remember(cache, key, value)))


def _fresh_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_cisco_like, "_CACHES", {})
    monkeypatch.setattr(_cisco_like, "_HEADERS", {})


def _model(text: str, dialect: _cisco_like.Dialect) -> object:
    """The whole model, in insertion order (dataclasses.asdict keeps dict order; repr shows
    what asdict would hide: set order, the types in `extra`)."""
    try:
        dev = _cisco_like.parse_cisco_like(text, dialect, "x.cfg")
    except Exception as exc:  # the same error is the same result
        return f"{type(exc).__name__}: {exc}"
    return repr(dev), dataclasses.asdict(dev), [list(i.lines) for i in dev.interfaces.values()]


def _caches() -> object:
    """What the line caches hold (the lines, not the plans: a switched-off fast path has
    plans of its own)."""
    return {d.platform: (list(plans), {raw: (e[0], e[3]) for raw, e in hot.items()},
                         set(young))
            for d, (plans, hot, young) in _cisco_like._CACHES.items()}


def _run(texts: list[tuple[str, _cisco_like.Dialect]], monkeypatch: pytest.MonkeyPatch,
         general: bool) -> tuple[list[object], object]:
    with monkeypatch.context() as m:
        _fresh_caches(m)
        if general:
            _general_only(m)
        models = [_model(text, dialect) for text, dialect in texts]
        return models, _caches()


def _same(texts: list[tuple[str, _cisco_like.Dialect]],
          monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _run(texts, monkeypatch, general=False)
    slow = _run(texts, monkeypatch, general=True)
    for k, (a, b) in enumerate(zip(fast[0], slow[0], strict=True)):
        assert a == b, texts[k][0]
    assert fast[1] == slow[1]


# -- random configs ----------------------------------------------------------------------------

_LISTS = ["10", "10,20", "100-199", "1-4094", "4094", "4095", "0", "0-4", "007", "5-5",
          "30-20", "1--4", ",10", "10,", "", "242-243,250,309", "2,4,6,8,10-12,4000-4003",
          "10 ,20", "10 20", "all", "none", "１２", "1_0", "+5", "12345678901234567890",
          "3-", "-3"]
_VLAN_HEADERS = ["vlan 10", "vlan 10,20", "vlan 0010", "vlan 4094", "vlan 4095", "vlan 0",
                 "vlan 1-3", "vlan 10 ", "vlan 5\n name five", "vlan 7\n name  seven ",
                 "vlan \u00b2", "vlan internal allocation policy ascending"]
_PORT_LINES = [
    "switchport mode trunk", "switchport mode access", "switchport access vlan 10",
    "switchport trunk native vlan 99", "description some port", "load-interval 30",
    "spanning-tree portfast", "spanning-tree portfast trunk", "no switchport trunk allowed vlan",
    "storm-control broadcast level 5.00 3.00", "storm-control action trap",
    "storm-control broadcast level pps 2k 1k", "storm-control multicast level 10",
    "storm-control action shutdown", "no storm-control broadcast level",
    "storm-control all level 20", "channel-group 5 mode active", "shutdown", "no shutdown",
    "no switchport", "switchport", "ip address 10.0.0.1 255.255.255.0",
    "storm-control unicast level 1.5", "storm-control unknown-unicast level bps 10m",
    "storm-control all level 50", "no storm-control all", "storm-control multicast level 200",
]


def _allowed_line(rng: random.Random) -> str:
    op = rng.choice(["", "", "add ", "add ", "add ", "remove ", "except ", "addd ", "add  "])
    items = ",".join(rng.choice(_LISTS) for _ in range(rng.randint(1, 4)))
    tail = rng.choice(["", "", "", " ", "\t"])
    return f"switchport trunk allowed vlan {op}{items}{tail}"


def _random_config(rng: random.Random, indent: str) -> str:
    out = ["hostname r", "spanning-tree mode rapid-pvst"]
    for v in rng.sample(range(1, 60), rng.randint(0, 6)):
        out += [f"vlan {v}", f"{indent}name v{v}"]
        if rng.random() < 0.3:
            out += [rng.choice(_VLAN_HEADERS), f"{indent}name w{v}"]
    for port in range(rng.randint(1, 12)):
        if rng.random() < 0.1:
            out.append(f"interface range GigabitEthernet1/0/{port + 1} - {port + 3}")
        else:
            out.append(f"interface GigabitEthernet1/0/{rng.choice([port, port, 1])}")
        for _ in range(rng.randint(0, 9)):
            r = rng.random()
            body = _allowed_line(rng) if r < 0.5 else rng.choice(_PORT_LINES)
            lead = indent
            if rng.random() < 0.08:
                lead = rng.choice([indent + " ", indent + indent, "\t", " " * 9])
            out.append(lead + body)
        if rng.random() < 0.7:
            out.append("!")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("seed", range(10))
def test_random_configs(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    texts = []
    for _ in range(40):
        name = rng.choice(sorted(DIALECTS))
        indent = {"ios": " ", "nxos": "  ", "eos": "   "}[name]
        texts.append((_random_config(rng, indent), DIALECTS[name]))
    texts += texts[:10]  # second sightings: lines join the hot table
    _same(texts, monkeypatch)


def test_fixtures_and_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = []
    for path in FIXTURES + EXAMPLES:
        text = path.read_text()
        for dialect in DIALECTS.values():
            texts.append((text, dialect))
    assert texts
    _same(texts + texts, monkeypatch)


def test_the_allowed_fast_path_is_taken() -> None:
    """The novel-line path reads a plain list (guards against the pin comparing the general
    path with itself)."""
    from stormguard.model import Interface

    iface = Interface("Gi1/0/1")
    raw = " switchport trunk allowed vlan add 7,9-10"
    assert _cisco_port.plain_allowed(iface, 4, raw, 1 + _cisco_like._ALLOWED_LEN)
    assert sorted(iface.allowed_vlans) == list(range(1, 4095))  # `add` starts from all
    assert not _cisco_port.plain_allowed(iface, 5, raw + " ", 1 + _cisco_like._ALLOWED_LEN)


def test_token_cache_size_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain-list items are read the same whatever the item table holds."""
    from stormguard.vlans import VlanSet

    rng = random.Random(5)
    lists = [",".join(rng.choice(_LISTS) for _ in range(rng.randint(1, 6)))
             for _ in range(3000)]

    def read_all() -> list[object]:
        out: list[object] = []
        for text in lists:
            try:
                out.append(_cisco_port._plain_vlan_list(text))
            except ValueError:
                out.append(None)
        return out

    monkeypatch.setattr(_cisco_port, "_TOKEN_CACHE_SIZE", 1 << 20)
    want = read_all()
    for size in (0, 1, 4095, 4100):
        table = _cisco_port._TokenMasks()
        monkeypatch.setattr(_cisco_port, "_TOKEN_MASKS", table)
        monkeypatch.setattr(_cisco_port, "_token_mask_of", table.__getitem__)
        monkeypatch.setattr(_cisco_port, "_TOKEN_CACHE_SIZE", size)
        assert read_all() == want
    for text, got in zip(lists, want, strict=True):
        if got is not None:
            assert got == VlanSet.parse(text), text


def test_storm_control_is_built_as_its_init_builds_it() -> None:
    """_storm_class makes its StormControl without the dataclass __init__: same fields, same
    values, same attribute order."""
    from stormguard.model import Interface, StormControl

    assert [f.name for f in dataclasses.fields(StormControl)] == [
        "traffic", "level", "unit", "falling", "line", "lines"]
    for falling in (None, 3.0):
        iface = Interface("Gi1/0/1")
        _cisco_port._storm_class(None, iface, 7, ("broadcast", 5.0, "pps", falling))
        got = iface.storm_control["broadcast"]
        lines = {"level": 7, "unit": 7} | ({} if falling is None else {"falling": 7})
        want = StormControl("broadcast", 5.0, "pps", falling, 7, lines)  # type: ignore[arg-type]
        assert got == want and list(vars(got).items()) == list(vars(want).items())
        assert list(got.lines) == list(want.lines)


def test_vlan_headers_are_kept() -> None:
    """A plain `vlan N` header is read from the header table when it comes again."""
    text = "hostname a\nvlan 3001\n name x\n"
    _cisco_like.parse_cisco_like(text, cisco_ios.DIALECT)
    assert _cisco_like._HEADERS.get("vlan 3001") == 3001
    dev = _cisco_like.parse_cisco_like(text, cisco_ios.DIALECT)
    assert dev.vlans[3001].name == "x" and dev.vlans[3001].lines == {"name": 3}


def test_new_interface_is_the_dataclass_value() -> None:
    """new_interface builds what Interface(name, line) builds: every field (none missed when
    one is added), in the same order, with fresh containers."""
    from stormguard.model import Interface, new_interface

    for name, line in (("Gi1/0/1", 3), ("Po1", None)):
        got, want = new_interface(name, line), Interface(name, line)
        assert got == want
        assert list(vars(got).items()) == list(vars(want).items())
        assert [f.name for f in dataclasses.fields(Interface)] == list(vars(got))
    a, b = new_interface("a"), new_interface("b")
    for field in ("storm_control", "storm_actions", "extra", "lines"):
        assert getattr(a, field) is not getattr(b, field)
