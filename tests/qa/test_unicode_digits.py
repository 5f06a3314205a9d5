"""Digits that `str.isdigit` accepts but `int` refuses (superscripts such as ``²``) must give a
warning, not "parser failed": the parsers test numbers with `isdecimal`, which admits exactly
what `int` reads."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from stormguard.errors import StormguardError
from stormguard.parsers import parse_config

EXAMPLES = sorted(p for p in (Path(__file__).parents[2] / "examples").iterdir()
                  if p.suffix in (".cfg", ".conf"))


def test_superscript_vlan_and_numbers_are_warned() -> None:
    text = ("hostname x\ninterface GigabitEthernet1/0/1\n switchport access vlan \u00b2\n"
            " switchport trunk native vlan \u00b2\n switchport trunk allowed vlan \u00b2\n"
            " channel-group \u00b2 mode active\n storm-control broadcast level \u00b2\n!\n")
    (dev,) = parse_config(text, "cisco_ios", source="sup.ios")
    port = dev.interfaces["GigabitEthernet1/0/1"]
    assert port.access_vlan is None and port.native_vlan is None
    warned = {w.split(":")[0] for w in dev.warnings}
    assert warned == {"line 3", "line 4", "line 5", "line 6", "line 7"}, dev.warnings


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize("digit", ["2", "4"])
def test_every_platform_reads_superscripts_without_crashing(path: Path, digit: str) -> None:
    platform = path.name.split("-")[0]
    text = path.read_text().replace(digit, {"2": "\u00b2", "4": "\u2074"}[digit])
    # a clear one-line refusal is fine; any other exception is a parser bug
    with contextlib.suppress(StormguardError):
        parse_config(text, platform, source=path.name)
