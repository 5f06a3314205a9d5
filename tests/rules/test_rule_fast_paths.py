"""The per-port shortcuts of the rules that report most ports of a config (SG205, SG306) are
pinned to the general helpers they stand for: SG306's classes and line (``storm_line()``),
SG205's role note and extra (``role_note`` / ``role_extra``), on every example and rule
fixture and on randomised edits of the Cisco-family ones."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from stormguard.effective import effective_device
from stormguard.engine import audit
from stormguard.parsers import parse_config
from stormguard.policy import load_policy
from stormguard.rules.base import role_extra, role_note
from stormguard.rules.sg306_no_multicast_unknown_unicast_storm_control import _BOTH, _WANTED

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted([*ROOT.glob("examples/*.cfg"), *ROOT.glob("examples/*.conf"),
                  *ROOT.glob("tests/rules/fixtures/*.cfg"),
                  *ROOT.glob("tests/rules/fixtures/*.conf")])
CISCOISH = [p for p in CONFIGS if p.name.split("-")[0].split("_")[0] in
            ("cisco", "arista", "ios", "nxos", "eos")]
PORT_LINES = [
    " storm-control broadcast level 5.00", " storm-control multicast level 5.00",
    " storm-control unicast level 5.00", " storm-control broadcast level pps 2k 1k",
    " storm-control multicast level pps 1k", " storm-control action shutdown",
    " switchport mode access", " switchport mode trunk", " description esx-01 vmnic0",
    " description user-7", " description uplink to core", " loopdetect",
    " channel-group 1 mode active", " shutdown",
]
GLOBAL_LINES = ["mac address-table notification mac-move", "no mac address-table loop-detect"]


def _check(devices: list) -> None:
    policy = load_policy()
    for dev in devices:
        eff = effective_device(dev, policy)
        family = eff.family
        for f in audit([dev], policy).findings:
            if f.rule not in ("SG205", "SG306") or f.interface is None:
                continue
            port = eff.port(f.interface)
            assert port is not None
            if f.rule == "SG306":
                assert f.line == port.storm_line()
                storm = port.storm
                wanted = _WANTED.get(family, _BOTH)
                assert f.extra["classes"] == [t for t in wanted if t not in storm
                                              or storm[t].level is None]
            else:
                assert f.extra == role_extra(port)
                assert f.message.endswith(f"){role_note(port)}")


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_fixtures(path: Path) -> None:
    _check(parse_config(path.read_text(), None, source=str(path)))


@pytest.mark.parametrize("path", CISCOISH, ids=lambda p: p.name)
def test_random_edits(path: Path) -> None:
    rng = random.Random(path.name)
    text = path.read_text()
    platform = parse_config(text, None, source=str(path))[0].platform
    for _ in range(20):
        lines = text.splitlines()
        for _ in range(rng.randrange(1, 15)):
            heads = [i for i, line in enumerate(lines) if line.startswith("interface ")]
            if heads and rng.random() < 0.9:
                lines.insert(rng.choice(heads) + 1, rng.choice(PORT_LINES))
            else:
                lines.insert(0, rng.choice(GLOBAL_LINES))
        _check(parse_config("\n".join(lines) + "\n", platform, source=str(path)))
