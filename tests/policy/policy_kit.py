"""Helpers for the policy / role-resolution tests (conftest.py puts this folder on sys.path):
real parsers, the real engine, real packs."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from stormguard.engine import audit
from stormguard.findings import Finding
from stormguard.model import Device
from stormguard.policy import Policy, load_policy

TODAY = dt.date(2026, 11, 25)


def parse(text: str, platform: str) -> Device:
    from stormguard.parsers import parse_config

    devs = parse_config(textwrap.dedent(text).lstrip("\n"), platform, source=f"t.{platform}")
    assert len(devs) == 1
    return devs[0]


def parse_all(text: str, platform: str) -> list[Device]:
    from stormguard.parsers import parse_config

    return parse_config(text, platform, source=f"t.{platform}")


def findings(devs: Device | list[Device], policy: Policy | None = None,
             rule: str | None = None) -> list[Finding]:
    devs = [devs] if isinstance(devs, Device) else devs
    out = audit(devs, policy or load_policy(), today=TODAY).findings
    return [f for f in out if rule is None or f.rule == rule]


def by_port(found: list[Finding], rule: str) -> dict[str | None, Finding]:
    return {f.interface: f for f in found if f.rule == rule}


def pack(tmp_path: Path, text: str, name: str = "pack.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return p
