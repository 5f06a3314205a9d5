"""Shared helpers for the rule/policy/engine tests (conftest.py puts this folder on sys.path):
parse real config text, build devices directly."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable
from pathlib import Path

import pytest

from stormguard.engine import AuditResult, audit
from stormguard.findings import Finding
from stormguard.model import Device, Interface, StormControl
from stormguard.policy import Policy, load_policy
from stormguard.vlans import VlanSet

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="session")
def default_policy() -> Policy:
    return load_policy()


def parse(text: str, platform: str) -> Device:
    from stormguard.parsers import parse_config

    devs = parse_config(textwrap.dedent(text).lstrip("\n"), platform, source=f"test.{platform}")
    assert len(devs) == 1
    return devs[0]


def run(devices: Device | Iterable[Device], policy: Policy | None = None) -> AuditResult:
    if isinstance(devices, Device):
        devices = [devices]
    return audit(list(devices), policy or load_policy(), today=TODAY)


def hits(devices: Device | Iterable[Device], rule: str, policy: Policy | None = None
         ) -> list[Finding]:
    return [f for f in run(devices, policy).findings if f.rule == rule]


def on(findings: list[Finding], interface: str | None) -> list[Finding]:
    return [f for f in findings if f.interface == interface]


def write_pack(tmp_path: Path, text: str, name: str = "pack.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip("\n"))
    return p


# -- devices built directly (for the families whose parsers are not in the tree yet) ---------


def port(dev: Device, name: str, line: int, **fields) -> Interface:
    """Add a switched port; each field is recorded with a line after the header."""
    iface = dev.interface(name, line)
    iface.set("switched", True, None)
    n = line
    for key, value in fields.items():
        n += 1
        if key == "storm":
            for traffic, (level, unit) in value.items():
                iface.storm_control[traffic] = StormControl(traffic, level, unit, line=n,
                                                            lines={"level": n})
            continue
        if key == "allowed_vlans" and isinstance(value, str):
            value = VlanSet.parse(value)
        if key == "storm_actions":
            iface.storm_actions.update(value)
            iface.lines["storm_actions"] = n
            continue
        iface.set(key, value, n)
    return iface


def device(platform: str, hostname: str = "sw1") -> Device:
    return Device(hostname=hostname, platform=platform, source=f"built.{platform}")


def lineno(text: str, stmt: str, after: str | None = None) -> int:
    """1-based line of the first line reading `stmt` (stripped) after the line `after`,
    in `text` as :func:`parse` sees it (dedented, leading blank line dropped)."""
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    start = 0
    if after is not None:
        start = next(i for i, ln in enumerate(lines) if ln.strip() == after) + 1
    return next(i for i in range(start, len(lines)) if lines[i].strip() == stmt) + 1
