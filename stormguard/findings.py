"""What an audit produces: findings, and the severities they carry."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
SEVERITY_RANK: dict[str, int] = {name: i for i, name in enumerate(SEVERITIES)}


def severity_at_least(severity: str, floor: str) -> bool:
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[floor]


@dataclass
class Waiver:
    """An accepted exception: rule + device glob + interface glob, with reason, owner, expiry."""

    rule: str
    device: str = "*"
    interface: str = "*"
    reason: str = ""
    owner: str = ""
    expires: str | None = None  # ISO date (YYYY-MM-DD); None = never
    source: str = ""  # file:line where the waiver was declared


@dataclass
class Finding:
    # The `stormguard lint` hot path builds findings field by field, without the class call
    # (new_finding below, stormguard.rules.base.maker): a new field must be set there too
    # (tests/rules/test_fast_finding.py fails until it is). Not slotted: reports read
    # findings through ``__dict__``.
    rule: str
    severity: str
    device: str
    platform: str
    interface: str | None  # None for a device-wide (global) finding
    line: int | None  # source line in the config text
    message: str
    expected: str = ""
    actual: str = ""
    remediation: str = ""  # snippet in the device's own syntax
    source: str = ""  # file or snapshot the config came from
    waived: bool = False
    waiver: Waiver | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity across runs: (rule, device, interface). Used for baselines and new/resolved."""
        return (self.rule, self.device, self.interface or "")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("extra", None)
        return d


_new = object.__new__


def new_finding(rule: str, severity: str, device: str, platform: str, interface: str | None,
                line: int | None, message: str, expected: str, actual: str, remediation: str,
                source: str, extra: dict[str, Any]) -> Finding:
    """``Finding(rule, ..., source, False, None, extra)``: not waived, every other field given.

    Why not the class call: calling a dataclass runs its generated ``__init__`` through the
    type's slot wrapper, ~3x the cost of setting the fields on a bare instance, and the
    engine makes hundreds of findings per config. The fields are set in their declared
    order, so the instance (its ``__dict__`` and that dict's key order included) is the one
    ``Finding(...)`` makes; tests/rules/test_engine_maker.py pins that and fails when a field
    is added (add it here too: :func:`stormguard.rules.base.maker` builds through this).
    """
    f = _new(Finding)
    f.rule = rule
    f.severity = severity
    f.device = device
    f.platform = platform
    f.interface = interface
    f.line = line
    f.message = message
    f.expected = expected
    f.actual = actual
    f.remediation = remediation
    f.source = source
    f.waived = False
    f.waiver = None
    f.extra = extra
    return f
