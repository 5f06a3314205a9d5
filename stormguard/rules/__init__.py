"""The rule registry: every ``sgNNN_*.py`` module in this package is one rule.

See :mod:`stormguard.rules.base` for the contract a rule module follows. Rules are found by file
name (no central list to edit): adding ``sg401_ovs_trunk_all_vlans.py`` is enough. Each module is
validated when it is loaded (ID shape matches the file name, kebab-case NAME, known SEVERITY,
``PARAMS`` dict, callable ``check``, a docstring), so a malformed rule fails loudly in tests
rather than silently never running.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import lru_cache

from stormguard.findings import SEVERITIES
from stormguard.rules.base import Hit, Rule, RuleContext

__all__ = ["RESERVED_IDS", "Hit", "Rule", "RuleContext", "all_rules", "get_rule", "rule_ids"]

#: Rule IDs reserved for rules that another module series adds (the vSwitch rules). A policy
#: pack may name them (enabled / severity only) before their modules exist; they are ignored
#: until then.
RESERVED_IDS: frozenset[str] = frozenset({"SG401", "SG402"})

_MODULE_RE = re.compile(r"^sg(\d{3})_[a-z0-9_]+$")
_ID_RE = re.compile(r"^SG\d{3}$")
_NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class RuleDefinitionError(Exception):
    """A rule module breaks the contract (a programming error, not user input)."""


def _load(modname: str) -> Rule:
    mod = importlib.import_module(f"{__name__}.{modname}")
    where = f"{__name__}.{modname}"
    rid = getattr(mod, "ID", None)
    if not isinstance(rid, str) or not _ID_RE.match(rid):
        raise RuleDefinitionError(f"{where}: ID must look like 'SG101', got {rid!r}")
    if rid[2:] != _MODULE_RE.match(modname).group(1):  # type: ignore[union-attr]
        raise RuleDefinitionError(f"{where}: ID {rid} does not match the module name")
    name = getattr(mod, "NAME", None)
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise RuleDefinitionError(f"{where}: NAME must be kebab-case, got {name!r}")
    severity = getattr(mod, "SEVERITY", None)
    if severity not in SEVERITIES:
        raise RuleDefinitionError(f"{where}: SEVERITY must be one of {SEVERITIES}")
    params = getattr(mod, "PARAMS", {})
    if not isinstance(params, dict):
        raise RuleDefinitionError(f"{where}: PARAMS must be a dict")
    check = getattr(mod, "check", None)
    if not callable(check):
        raise RuleDefinitionError(f"{where}: check() missing")
    doc = (mod.__doc__ or "").strip()
    if not doc:
        raise RuleDefinitionError(f"{where}: the module docstring documents the rule; it is empty")
    platforms = tuple(getattr(mod, "PLATFORMS", ()) or ())
    scope = getattr(mod, "SCOPE", "device")
    if scope not in ("device", "fleet"):
        raise RuleDefinitionError(f"{where}: SCOPE must be 'device' or 'fleet', got {scope!r}")
    return Rule(id=rid, name=name, severity=severity, params=dict(params), doc=doc,
                check=check, module=where, platforms=platforms, scope=scope)


@lru_cache(maxsize=1)
def _registry() -> tuple[Rule, ...]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if _MODULE_RE.match(m.name))
    rules = [_load(n) for n in names]
    seen: dict[str, str] = {}
    for r in rules:
        if r.id in seen:
            raise RuleDefinitionError(f"rule {r.id} defined twice ({seen[r.id]}, {r.module})")
        seen[r.id] = r.module
    return tuple(sorted(rules, key=lambda r: r.id))


def all_rules() -> list[Rule]:
    """Every rule, sorted by ID."""
    return list(_registry())


def rule_ids() -> list[str]:
    return [r.id for r in _registry()]


def get_rule(rule_id: str) -> Rule | None:
    for r in _registry():
        if r.id == rule_id:
            return r
    return None
