"""Findings a rule builds itself (:func:`stormguard.rules.base.maker`, the `stormguard lint`
hot path of SG101, SG205, SG301 and SG306) are pinned equal to the ones the engine makes of
Hits: every field, waivers and severity overrides included, over every example and rule
fixture."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from stormguard.effective import effective_device
from stormguard.engine import audit
from stormguard.findings import Finding
from stormguard.parsers import parse_config
from stormguard.policy import load_policy
from stormguard.rules import RuleContext
from stormguard.rules import sg101_trunk_allows_all_vlans as sg101
from stormguard.rules import sg205_no_bpdu_independent_loop_protection as sg205
from stormguard.rules import sg301_no_broadcast_storm_control as sg301
from stormguard.rules import sg306_no_multicast_unknown_unicast_storm_control as sg306
from stormguard.rules.base import Hit, maker

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted([*ROOT.glob("examples/*.cfg"), *ROOT.glob("tests/rules/fixtures/*.cfg"),
                  *ROOT.glob("tests/rules/fixtures/*.conf")])
PACK = """\
rules:
  SG306: {severity: high}
  SG205: {severity: low}
  SG101: {severity: medium}
waivers:
  - {rule: SG205, interface: "*1/0/1*", reason: r, owner: o, expires: 2099-12-31}
  - {rule: SG306, interface: "*", reason: r, owner: o}
  - {rule: SG101, interface: "*1*", reason: r, owner: o}
  - {rule: SG301, device: "*", interface: "*", reason: r, owner: o, expires: 2099-01-01}
  - {rule: SG306, interface: "*", reason: gone, owner: o, expires: 2001-01-01}
"""


def _hits_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The general path: the rules yield Hits and the engine completes them."""
    for rule in (sg101, sg205, sg301, sg306):
        monkeypatch.setattr(rule, "maker", lambda ctx: Hit)


@pytest.mark.parametrize("pack", [False, True])
@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_made_findings_equal_engine_findings(path: Path, pack: bool, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    packs = []
    if pack:
        (tmp_path / "pack.yaml").write_text(PACK)
        packs = [tmp_path / "pack.yaml"]
    policy = load_policy(packs)
    today = dt.date(2026, 1, 1)
    devices = parse_config(path.read_text(), None, source=str(path))
    fast = audit(devices, policy, today=today)
    with monkeypatch.context() as m:
        _hits_only(m)
        slow = audit(devices, policy, today=today)
    assert fast.findings == slow.findings
    assert fast.errors == slow.errors and fast.expired_waivers == slow.expired_waivers
    made = [f for f in fast.findings if f.rule in ("SG101", "SG205", "SG301", "SG306")]
    assert all(type(f) is Finding for f in made)


def test_maker_outside_the_engine_is_hit() -> None:
    policy = load_policy()
    assert maker(RuleContext("SG205", policy, "cisco")) is Hit
    make = maker(RuleContext("SG205", policy, "cisco", ("SG205", "high", "sw", "cisco_ios",
                                                          "f.cfg")))
    f = make("msg", "Gi1", 3, "exp", "act", "fix", {"role": "access"})
    assert f == Finding("SG205", "high", "sw", "cisco_ios", "Gi1", 3, "msg", "exp", "act", "fix",
                        "f.cfg", extra={"role": "access"})


def test_storm_line_without_storm_control_is_the_header() -> None:
    text = "hostname s\ninterface GigabitEthernet1/0/1\n switchport mode access\n"
    eff = effective_device(parse_config(text, "cisco_ios", source="t")[0], load_policy())
    port = eff.port("GigabitEthernet1/0/1")
    assert port is not None and not port.storm
    assert port.storm_line() == port.line == 2
