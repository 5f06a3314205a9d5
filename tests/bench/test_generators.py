"""The benchmark's config generators produce configs the parsers read completely.

A benchmark on configs the parser half ignores would measure the wrong thing: each generated
config must be detected as its platform, parse without warnings, hold every generated port,
and give findings on the ports generated to be non-compliant.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from gen_configs import GENERATORS
from gen_ios import generate

from stormguard.engine import audit
from stormguard.parsers import parse_config
from stormguard.parsers.detect import detect_platform
from stormguard.policy import load_policy

CASES = {"cisco_ios": lambda n: generate(n), **GENERATORS}


@pytest.mark.parametrize("name", list(CASES))
def test_generated_config_parses_fully(name: str) -> None:
    platform = name.split(" ")[0]
    text = CASES[name](60)
    assert detect_platform(text) == platform
    (dev,) = parse_config(text, None, source=f"gen-{platform}")
    assert dev.platform == platform
    assert dev.warnings == []
    ports = [i for i in dev.interfaces.values() if i.kind == "physical"]
    assert len(ports) >= 60
    trunks = [i for i in ports if i.mode == "trunk"]
    assert len(trunks) >= 24  # 3 hypervisor trunks + 1 uplink per 10 ports
    assert any(i.allowed_vlans is not None and len(i.allowed_vlans) >= 50 for i in trunks)
    assert len(dev.vlans) >= 100
    rules = {f.rule for f in audit([dev], load_policy([])).findings}
    assert "SG101" in rules  # the generated `all` / `2 to 4094` hypervisor trunks


def test_generators_are_deterministic() -> None:
    for gen in CASES.values():
        assert gen(30) == gen(30)
