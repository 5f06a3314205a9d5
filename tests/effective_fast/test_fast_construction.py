"""The port loop of :func:`stormguard.effective.effective_device` builds its ports and its
common :class:`~stormguard.effective.Eff` values bare, without the class call (the
`stormguard lint` hot path). Pinned here: a bare port is the class call's, and every port's
values (note included, which ``Eff.__eq__`` leaves out) are those of the general per-port
helpers, on every example and rule fixture and on randomised edits of the switch configs."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from stormguard import effective as E
from stormguard.effective import Eff, EffectiveDevice, EffectivePort, effective_device
from stormguard.model import PLATFORM_FAMILY
from stormguard.parsers import parse_config
from stormguard.policy import Policy, load_policy

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted([*ROOT.glob("examples/*.cfg"), *ROOT.glob("examples/*.conf"),
                  *ROOT.glob("tests/rules/fixtures/*.cfg"),
                  *ROOT.glob("tests/rules/fixtures/*.conf")])
CISCOISH = [p for p in CONFIGS if p.name.split("-")[0].split("_")[0] in
            ("cisco", "arista", "ios", "nxos", "eos")]
#: Interface and global lines the random edits insert (Cisco IOS / NX-OS / EOS spelling).
PORT_LINES = [
    " spanning-tree portfast", " spanning-tree portfast trunk", " spanning-tree port type edge",
    " spanning-tree port type edge trunk", " no spanning-tree portfast",
    " spanning-tree bpduguard enable", " spanning-tree bpduguard disable",
    " spanning-tree bpdufilter enable", " spanning-tree bpdufilter disable",
    " shutdown", " no shutdown", " switchport", " no switchport", " switchport mode trunk",
    " switchport mode access", " switchport access vlan 7", " switchport access vlan 1",
    " switchport trunk allowed vlan 10,20", " switchport trunk allowed vlan all",
    " storm-control broadcast level 5.00", " storm-control multicast level 5.00",
    " storm-control action shutdown", " storm-control action trap",
    " channel-group 1 mode active", " spanning-tree portfast auto",
    " no spanning-tree portfast auto", " spanning-tree guard loop",
]
GLOBAL_LINES = [
    "spanning-tree portfast default", "spanning-tree portfast edge default",
    "spanning-tree portfast bpduguard default", "spanning-tree portfast bpdufilter default",
    "spanning-tree port type edge bpduguard default", "spanning-tree port type edge default",
    "no spanning-tree vlan 1-4094", "spanning-tree mode mst", "system default switchport",
    "system default switchport shutdown", "spanning-tree portfast trunk default",
]


def _slots(obj: object) -> dict[str, object]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}  # type: ignore[arg-type]


def _eff(e: object) -> tuple[object, ...] | None:
    """An Eff compared in full (type and note too)."""
    if e is None:
        return None
    assert type(e) is Eff
    return (e.value, e.line, e.origin, e.note)  # type: ignore[attr-defined]


def _reference(eff: EffectiveDevice, policy: Policy) -> None:
    """Every port's values against the general helpers the loop inlines."""
    dev = eff.device
    family = PLATFORM_FAMILY.get(dev.platform, dev.platform)
    nxos_l2 = family == "nxos" and bool(dev.extra.get("default_switchport"))
    resolver = policy.resolver()
    eff_members: dict[str, list[str]] = {}
    for iface in dev.interfaces.values():
        if iface.channel_group:
            eff_members.setdefault(iface.channel_group, []).append(iface.name)
    for port in eff.all_ports:
        iface = port.iface
        # the role: the resolver's own answer (no memory of earlier ports or devices), else
        # the aggregate's for a member, else the mode
        match = resolver.from_facts(dev, iface) or resolver._from_selectors(
            dev.hostname, iface.name, iface.description)
        if match is not None:
            assert (port.role, port.role_source) == (match.role, match.source)
        elif not iface.channel_group:
            assert (port.role, port.role_source) == (iface.mode or "access", "")
        assert type(port) is EffectivePort
        assert (port.name, port.kind, port.description, port.aggregate, port.line) == (
            iface.name, iface.kind, iface.description, iface.channel_group, iface.line)
        assert port.members == eff_members.get(iface.name, [])
        assert port.in_scope == bool(port.switched and (policy.include_admin_down
                                                         or not port.shutdown)
                                     and iface.channel_group is None)
        if port.storm_from is None:
            assert port.storm is iface.storm_control or not iface.storm_control
        assert port.switched == E._switched(iface, family, nxos_l2)
        mode = iface.mode or "access"
        assert port.mode == mode
        edge = E._edge(dev, iface, mode, family)
        assert _eff(port.edge) == _eff(edge)
        assert _eff(port.bpdu_guard) == _eff(E._edge_protect(dev, iface, edge, "bpdu_guard"))
        assert _eff(port.bpdu_filter) == _eff(E._edge_protect(dev, iface, edge, "bpdu_filter"))
        assert _eff(port.stp_enabled) == _eff(E._stp_port(dev, iface))
        assert _eff(port.allowed_vlans) == _eff(E._allowed(iface, mode, family))
        assert _eff(port.edge_auto) == (_eff(E._edge_auto(iface, edge)) if family == "eos"
                                        else None)
        acts = port.storm_actions
        assert type(acts) is Eff and isinstance(acts.value, frozenset) and acts.note == ""
        assert acts.origin == ("port" if acts.value else "default")
        assert acts.line is not None or iface.line is None
        if port.storm_from is None:
            assert acts.value == frozenset(iface.storm_actions or ())
            assert acts.line == (iface.lines.get("storm_actions") or iface.line)
        # the bare port is the one the class call makes of the same values
        same = EffectivePort(**_slots(port))
        assert same == port and _slots(same) == _slots(port)
    # the cached properties effective_device fills in the loop: the ports themselves
    for got, want in ((eff.ports, [p for p in eff.all_ports if p.in_scope]),
                      (eff.storm_ports, [p for p in eff.all_ports if p.storm_scope])):
        assert type(got) is list and len(got) == len(want)
        assert all(a is b for a, b in zip(got, want, strict=True))


def _policies() -> list[Policy]:
    down = load_policy()
    down.include_admin_down = True
    return [load_policy(), down]


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_ports_equal_the_general_helpers(path: Path) -> None:
    for policy in _policies():
        for dev in parse_config(path.read_text(), None, source=str(path)):
            _reference(effective_device(dev, policy), policy)


def _edit(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    heads = [i for i, line in enumerate(lines) if line.startswith("interface ")]
    for _ in range(rng.randrange(1, 12)):
        if heads and rng.random() < 0.8:
            at = rng.choice(heads) + 1
            lines.insert(at, rng.choice(PORT_LINES))
            heads = [h + 1 if h >= at else h for h in heads]
        else:
            lines.insert(0, rng.choice(GLOBAL_LINES))
            heads = [h + 1 for h in heads]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("path", CISCOISH, ids=lambda p: p.name)
def test_random_edits_equal_the_general_helpers(path: Path) -> None:
    rng = random.Random(path.name)
    text = path.read_text()
    platform = parse_config(text, None, source=str(path))[0].platform
    policies = _policies()
    for _ in range(25):
        edited = _edit(text, rng)
        for dev in parse_config(edited, platform, source=str(path)):
            for policy in policies:
                _reference(effective_device(dev, policy), policy)


def test_the_loop_knows_every_field() -> None:
    """The port loop sets each field by name: a new field must be added there (until it is,
    ``_slots`` above fails on the unset slot)."""
    assert tuple(f.name for f in dataclasses.fields(EffectivePort)) == (
        "name", "iface", "kind", "role", "mode", "switched", "shutdown", "in_scope",
        "storm_scope", "description", "aggregate", "members", "allowed_vlans",
        "permitted_vlans", "edge", "bpdu_guard", "bpdu_filter", "stp_enabled", "storm",
        "storm_actions", "line", "role_source", "edge_auto", "storm_from")
    assert EffectivePort.__slots__ == tuple(f.name for f in dataclasses.fields(EffectivePort))
