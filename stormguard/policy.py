"""Policy packs: which rules run, how severe they are, their thresholds, port roles, waivers.

A policy is the default pack (``policies/default.yaml``, shipped as package data) merged with
user packs, in the order given. A pack looks like this (every top-level key is optional)::

    version: 1
    scope:
      include_admin_down: false     # judge administratively down ports too?
    rules:
      SG302:                        # rule ID (unknown IDs are errors)
        enabled: true
        severity: high              # override the rule's default severity
        max_percent: 5              # any key of the rule's PARAMS (type-checked)
    roles:                          # tried in order; first match wins; else trunk / access
      hypervisor:
        description: 'kvm|proxmox'  # regex, case-insensitive, matching whole words (RE2)
        config: [vpc-peer-link]     # configuration facts (stormguard.roles.CONFIG_FACTS); ORed
        interface: ['Gi1/0/*', 're:^Eth1/(1|2)$']   # globs, or regexes with a re: prefix
        device: 'dc1-*'             # glob on the hostname
        ports: ['dc1-sw1:Gi1/0/7']  # explicit list (device glob:interface glob); ORed
        permitted_vlans: '10,20-30' # SG102: what a trunk in this role may carry
        permitted_vlans_by_device:  # per device glob, first match wins over permitted_vlans
          'dc2-*': '100-199'
    role_order: [storage, hypervisor, inter-switch]   # optional: reorder roles
    waivers:
      - rule: SG202
        device: 'dc1-sw*'
        interface: 'Gi1/0/4*'
        reason: 'vMotion test host, CHG-1234'
        owner: 'netops@example.com'
        expires: 2027-03-31

Within a role the selectors given (description, interface, device) must all match; ``ports``
and ``config`` are alternatives. Roles are resolved by :mod:`stormguard.roles` (configuration
facts first, then selectors in order; every answer carries the reason shown in findings).
A later pack's settings for a rule are merged key by key over earlier ones;
so are a role's (a user pack can add ``permitted_vlans`` to the default ``hypervisor`` role
without repeating its selector; ``description: null`` drops an inherited selector); a role keeps
its position; new roles go after the existing ones unless ``role_order`` says otherwise; waivers
accumulate.

Validation is strict because a typo in a policy silently weakens an audit: unknown keys and
unknown rule IDs are errors, and every error names the file, the line and the key path
(``policy.yaml:12: rules.SG302.max_percent: must be a number``); rule parameters that name
roles (``roles``, ``*_roles``) must name roles that exist once all packs are merged. Line
numbers come from the YAML node tree (``yaml.compose``), not from re-reading the text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stormguard.errors import ConfigError
from stormguard.findings import SEVERITIES, Waiver
from stormguard.resources import data_dir
from stormguard.roles import (
    CONFIG_FACTS,
    FactSource,
    PatternError,
    Role,
    RoleResolver,
    WordPattern,
    check_interface_regex,
    glob_match,
    glob_match_any_case,
)
from stormguard.vlans import VlanSet, VlanSyntaxError

if TYPE_CHECKING:
    import yaml

_TOP_KEYS = {"version", "scope", "rules", "roles", "role_order", "waivers", "description"}
_SCOPE_KEYS = {"include_admin_down"}
_RULE_KEYS = {"enabled", "severity"}
_ROLE_KEYS = {"description", "interface", "device", "ports", "config", "permitted_vlans",
              "permitted_vlans_by_device", "doc"}
_WAIVER_KEYS = {"rule", "device", "interface", "reason", "owner", "expires"}
#: YAML tags a policy may use (plain data); anything else (!!python/..., !!binary, custom) is
#: rejected before it is constructed.
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in
                        ("str", "int", "float", "bool", "null", "map", "seq", "timestamp"))
#: Names a port falls back to when no role selector matches (by mode).
MODE_ROLES = ("trunk", "access")


# --------------------------------------------------------------------------------------------
# the policy model


@dataclass
class RulePolicy:
    enabled: bool = True
    severity: str | None = None  # None = the rule's default
    params: dict[str, Any] = field(default_factory=dict)  # overrides only
    param_sources: dict[str, str] = field(default_factory=dict)  # key -> "file:line"


@dataclass
class Policy:
    rules: dict[str, RulePolicy] = field(default_factory=dict)
    roles: list[Role] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    include_admin_down: bool = False
    sources: list[str] = field(default_factory=list)

    # -- queries used by the engine ----------------------------------------------------------
    def rule_enabled(self, rule_id: str) -> bool:
        rp = self.rules.get(rule_id)
        return True if rp is None else rp.enabled

    def severity_for(self, rule_id: str, default: str) -> str:
        rp = self.rules.get(rule_id)
        return rp.severity if rp is not None and rp.severity else default

    def params_for(self, rule_id: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(defaults)
        rp = self.rules.get(rule_id)
        if rp is not None:
            out.update(rp.params)
        return out

    def role_for(self, hostname: str, iface_name: str, description: str) -> Role | None:
        """The first role whose selectors match (configuration facts aside: see resolver)."""
        for role in self.roles:
            if role.matches(hostname, iface_name, description):
                return role
        return None

    def resolver(self, fact_sources: Sequence[FactSource] = ()) -> RoleResolver:
        """The role resolver for these roles: `fact_sources` (collected facts such as LLDP
        neighbours) first, then configuration facts, then the selectors in order."""
        return RoleResolver.for_roles(self.roles, fact_sources)

    def role_named(self, name: str) -> Role | None:
        return next((r for r in self.roles if r.name == name), None)


# --------------------------------------------------------------------------------------------
# YAML with line numbers


class _Doc:
    """Plain Python values from a YAML node tree, plus the line of every key path."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lines: dict[tuple[Any, ...], int] = {}
        self._ctor: Any = None  # a yaml SafeConstructor, made when YAML is read

    def convert(self, node: yaml.Node, at: tuple[Any, ...] = ()) -> Any:
        import yaml  # imported here: a pack found in the cache needs no YAML at all

        if self._ctor is None:
            self._ctor = yaml.constructor.SafeConstructor()
        self.lines.setdefault(at, node.start_mark.line + 1)
        if node.tag not in _PLAIN_TAGS:
            self.fail(at, f"unsupported YAML tag {node.tag!r}", node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for knode, vnode in node.value:
                if not isinstance(knode, yaml.ScalarNode):
                    self.fail(at, "keys must be plain names", knode.start_mark.line + 1)
                if knode.tag == "tag:yaml.org,2002:merge" or knode.value == "<<":
                    # checked before constructing: the safe constructor has no merge-tag builder
                    self.fail(at, "YAML merge keys are not supported", knode.start_mark.line + 1)
                try:
                    key = self._ctor.construct_object(knode)
                except (yaml.YAMLError, ValueError, OverflowError):
                    self.fail(at, "keys must be plain names", knode.start_mark.line + 1)
                if key in out:
                    self.fail((*at, key), "duplicate key", knode.start_mark.line + 1)
                self.lines[(*at, key)] = knode.start_mark.line + 1
                out[key] = self.convert(vnode, (*at, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(v, (*at, i)) for i, v in enumerate(node.value)]
        try:
            return self._ctor.construct_object(node)
        except yaml.YAMLError as exc:
            self.fail(at, f"bad value ({exc.problem or exc})")
        except (ValueError, OverflowError) as exc:  # e.g. a date like 2027-13-45
            self.fail(at, f"bad value ({exc})", node.start_mark.line + 1)

    def line(self, at: tuple[Any, ...]) -> int | None:
        while at not in self.lines and at:
            at = at[:-1]
        return self.lines.get(at)

    def fail(self, at: tuple[Any, ...], what: str, line: int | None = None) -> None:
        line = line or self.line(at)
        key = ".".join(str(k) if not isinstance(k, int) else f"[{k}]" for k in at)
        key = key.replace(".[", "[")
        where = f"{self.path}:{line}" if line else self.path
        raise ConfigError(f"{where}: {key}: {what}" if key else f"{where}: {what}")

    def where(self, at: tuple[Any, ...]) -> str:
        line = self.line(at)
        return f"{self.path}:{line}" if line else self.path


def _read_pack(path: Path) -> tuple[dict[str, Any], _Doc]:
    doc = _Doc(str(path))
    from stormguard.readlimits import MAX_SETTINGS_BYTES, read_text

    try:  # capped: /dev/zero or a FIFO nobody writes to is a one-line error, not a hang
        text = read_text(path, MAX_SETTINGS_BYTES, "policy file")
    except FileNotFoundError:
        raise ConfigError(f"{path}: policy file not found") from None
    cached = _cache_load(text)
    if cached is not None:
        data, doc.lines = cached
        return data, doc
    import yaml

    from stormguard import yamlsafe

    # One-line errors; alias bombs and absurd nesting refused before _Doc.convert walks them.
    node = yamlsafe.compose(text, str(path), loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if node is None:
        return {}, doc
    data = doc.convert(node)
    if not isinstance(data, dict):
        doc.fail((), "a policy pack must be a mapping (version, rules, roles, waivers ...)")
    _cache_store(text, data, doc.lines)
    return data, doc


# --------------------------------------------------------------------------------------------
# cache of converted packs
#
# Importing PyYAML costs ~20 ms, a tenth of a `stormguard lint FILE` run, and every run reads
# the same default pack. So the plain values and line numbers `_Doc.convert` makes of a pack are
# kept as JSON in the user's cache directory ($STORMGUARD_CACHE_DIR, else
# $XDG_CACHE_HOME/stormguard, else ~/.cache/stormguard; STORMGUARD_CACHE_DIR="" turns it off).
#
# An entry is named by the SHA-256 of the pack's text and validated on every read: it must be
# JSON of the expected shape, hold that text exactly, and carry a SHA-256 over its own contents
# (format, text, values, lines) that still matches. An entry edited by hand, truncated,
# corrupt, too large or of another format is ignored, and the pack is read from YAML and the
# entry written again. (The checksum catches damage, not a forger; the values are validated
# the same way whether they come from YAML or the cache, so errors are the same.) Only what
# JSON carries exactly is stored (a pack with a date or a non-string key is read from YAML
# each time). Any problem with the cache (unwritable, a race) falls back to reading the YAML.

#: Bump when `_Doc.convert` or the entry layout changes, so old entries stop matching.
_CACHE_FORMAT = 2
#: An entry larger than this is not read (a pack is capped well below it).
_CACHE_MAX_BYTES = 32 * 1024 * 1024


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _cache_path(key: str) -> Path | None:
    where = os.environ.get("STORMGUARD_CACHE_DIR")
    if where is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        where = os.path.join(base, "stormguard")
    if not where:
        return None
    return Path(where) / f"policy-{_CACHE_FORMAT}-{key}.json"


def _entry_check(text: str, data: Any, lines: Any) -> str:
    """The checksum an entry carries: over everything it holds, in a canonical encoding."""
    body = json.dumps([_CACHE_FORMAT, text, data, lines], sort_keys=True, ensure_ascii=True,
                      separators=(",", ":"), allow_nan=False)
    return _sha256(body)


def _cache_load(text: str) -> tuple[dict[str, Any], dict[tuple[Any, ...], int]] | None:
    key = _sha256(text)
    path = _cache_path(key)
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            raw = fh.read(_CACHE_MAX_BYTES + 1)
        if len(raw) > _CACHE_MAX_BYTES:
            return None
        entry = json.loads(raw.decode("utf-8"))
        if (not isinstance(entry, dict) or entry.get("format") != _CACHE_FORMAT
                or entry.get("sha256") != key or entry.get("text") != text):
            return None
        data, raw_lines = entry["data"], entry["lines"]
        if entry.get("check") != _entry_check(text, data, raw_lines):
            return None  # edited or damaged
        if not isinstance(data, dict) or not isinstance(raw_lines, list):
            return None
        lines: dict[tuple[Any, ...], int] = {}
        for item in raw_lines:
            k, v = item
            if not isinstance(k, list) or isinstance(v, bool) or not isinstance(v, int):
                return None
            lines[tuple(k)] = v
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    return data, lines


def _cache_store(text: str, data: dict[str, Any], lines: dict[tuple[Any, ...], int]) -> None:
    key = _sha256(text)
    path = _cache_path(key)
    if path is None:
        return
    line_list = [[list(k), v] for k, v in lines.items()]
    try:
        entry = {"format": _CACHE_FORMAT, "sha256": key,
                 "check": _entry_check(text, data, line_list), "text": text, "data": data,
                 "lines": line_list}
        encoded = json.dumps(entry, allow_nan=False)
        back = json.loads(encoded)
        if back["data"] != data or {tuple(k): v for k, v in back["lines"]} != lines:
            return  # something JSON cannot carry exactly (a non-string key ...)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(encoded, encoding="utf-8")
        os.replace(tmp, path)  # atomic: a concurrent run sees the old entry or the new one
    except (OSError, TypeError, ValueError, RecursionError):  # dates, NaN, a read-only home ...
        return


# --------------------------------------------------------------------------------------------
# validation + merge


def _check_keys(doc: _Doc, at: tuple[Any, ...], value: Any, allowed: set[str], what: str) -> None:
    if not isinstance(value, dict):
        doc.fail(at, f"must be a mapping ({what})")
    for key in value:
        if key not in allowed:
            doc.fail((*at, key), f"unknown key (expected one of: {', '.join(sorted(allowed))})")


def _str_list(doc: _Doc, at: tuple[Any, ...], value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    doc.fail(at, "must be a string or a list of strings")
    return ()


def _vlans(doc: _Doc, at: tuple[Any, ...], value: Any) -> VlanSet:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    elif isinstance(value, list):
        value = ",".join(str(v) for v in value)
    if not isinstance(value, str):
        doc.fail(at, "must be a VLAN list such as '10,20-30'")
    try:
        return VlanSet.parse(value)
    except VlanSyntaxError as exc:
        doc.fail(at, f"bad VLAN list: {exc}")
    raise AssertionError  # unreachable


def _param(doc: _Doc, at: tuple[Any, ...], value: Any, default: Any) -> Any:
    """Type-check an override against the type of the rule's default."""
    if value is None:
        doc.fail(at, "must not be empty")
    if isinstance(default, bool):
        if not isinstance(value, bool):
            doc.fail(at, "must be true or false")
    elif isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            doc.fail(at, "must be a number")
        if not math.isfinite(value):  # .nan compares false with everything: a silent no-op
            doc.fail(at, "must be a finite number")
        if value < 0:
            doc.fail(at, "must not be negative")
    elif isinstance(default, str):
        if not isinstance(value, str):
            doc.fail(at, "must be a string")
    elif isinstance(default, list | tuple):
        return list(_str_list(doc, at, value))
    return value


def _reserved_rule(doc: _Doc, at: tuple[Any, ...], body: Any) -> None:
    """A rule ID reserved for a module not installed: check the generic keys only."""
    if body is None or isinstance(body, bool):
        return
    _check_keys(doc, at, body, _RULE_KEYS, "enabled, severity")
    if "severity" in body and body["severity"] not in SEVERITIES:
        doc.fail((*at, "severity"), f"must be one of {', '.join(SEVERITIES)}")


def _apply_rules(doc: _Doc, data: Any, policy: Policy) -> None:
    from stormguard.rules import RESERVED_IDS, all_rules

    known = {r.id: r for r in all_rules()}
    if not isinstance(data, dict):
        doc.fail(("rules",), "must be a mapping of rule ID to settings")
    for rid, body in data.items():
        at = ("rules", rid)
        rule = known.get(str(rid).upper()) if isinstance(rid, str) else None
        if rule is None and isinstance(rid, str) and rid.upper() in RESERVED_IDS:
            _reserved_rule(doc, at, body)
            continue
        if rule is None:
            doc.fail(at, f"unknown rule ID (known: {', '.join(sorted(known))})")
        assert rule is not None
        rp = policy.rules.setdefault(rule.id, RulePolicy())
        if body is None:
            continue
        if isinstance(body, bool):  # `SG303: false` disables
            rp.enabled = body
            continue
        if not isinstance(body, dict):
            doc.fail(at, "must be a mapping (enabled, severity, parameters) or true/false")
        for key, value in body.items():
            kat = (*at, key)
            if key == "enabled":
                if not isinstance(value, bool):
                    doc.fail(kat, "must be true or false")
                rp.enabled = value
            elif key == "severity":
                if value not in SEVERITIES:
                    doc.fail(kat, f"must be one of {', '.join(SEVERITIES)}")
                rp.severity = value
            elif key in rule.params:
                rp.params[key] = _param(doc, kat, value, rule.params[key])
                choices = _PARAM_CHOICES.get((rule.id, key))
                if choices and not set(rp.params[key]) <= choices:
                    doc.fail(kat, f"must be a list of: {', '.join(sorted(choices))}")
                if key.endswith("_severity") and value not in SEVERITIES:
                    doc.fail(kat, f"must be one of {', '.join(SEVERITIES)}")
                rp.param_sources[key] = doc.where(kat)
            else:
                allowed = sorted(_RULE_KEYS | set(rule.params))
                doc.fail(kat, f"unknown key for {rule.id} (expected one of: {', '.join(allowed)})")


#: Parameters whose (list) values come from a fixed set: (rule ID, key) -> allowed values.
_PARAM_CHOICES: dict[tuple[str, str], frozenset[str]] = {
    ("SG305", "recovery_deliberately_absent"): frozenset(
        {"bpduguard", "storm-control", "loop-detect"}),
}


def _role(doc: _Doc, name: str, body: Any, base: Role | None) -> Role:
    """A role from `body`; keys not given keep `base`'s values (an earlier pack's role)."""
    at = ("roles", name)
    if body is None:
        body = {}
    _check_keys(doc, at, body, _ROLE_KEYS, "role selectors")
    role = dataclasses.replace(base, source=doc.where(at)) if base else Role(
        name=name, source=doc.where(at))
    if body.get("description", "") is None:
        role.description = None
    elif "description" in body:
        pat = body["description"]
        if not isinstance(pat, str):
            doc.fail((*at, "description"), "must be a regular expression string")
        try:
            role.description = WordPattern(pat)
        except PatternError as exc:
            doc.fail((*at, "description"), str(exc))
    if "interface" in body:
        role.interface = _str_list(doc, (*at, "interface"), body["interface"])
        for i, pat in enumerate(role.interface):
            if pat.startswith("re:"):
                try:
                    check_interface_regex(pat[3:])
                except PatternError as exc:
                    where = (*at, "interface", i) if isinstance(body["interface"], list) else (
                        *at, "interface")
                    doc.fail(where, str(exc))
    if "config" in body:
        role.config = () if body["config"] is None else _str_list(
            doc, (*at, "config"), body["config"])
        for i, fact in enumerate(role.config):
            if fact not in CONFIG_FACTS:
                where = (*at, "config", i) if isinstance(body["config"], list) else (
                    *at, "config")
                doc.fail(where, f"unknown configuration fact {fact!r} "
                                f"(known: {', '.join(sorted(CONFIG_FACTS))})")
    if "device" in body:
        if not isinstance(body["device"], str):
            doc.fail((*at, "device"), "must be a hostname glob")
        role.device = body["device"]
    if "ports" in body:
        role.ports = _str_list(doc, (*at, "ports"), body["ports"])
    if "permitted_vlans" in body:
        pv = body["permitted_vlans"]
        role.permitted_vlans = None if pv is None else _vlans(doc, (*at, "permitted_vlans"), pv)
    if "permitted_vlans_by_device" in body:
        per = body["permitted_vlans_by_device"]
        pat = (*at, "permitted_vlans_by_device")
        if not isinstance(per, dict):
            doc.fail(pat, "must be a mapping of device glob to VLAN list")
        role.permitted_vlans_by_device = tuple(
            (str(g), _vlans(doc, (*pat, g), v)) for g, v in per.items()
        )
    return role


def _apply_roles(doc: _Doc, data: Any, policy: Policy) -> None:
    if not isinstance(data, dict):
        doc.fail(("roles",), "must be a mapping of role name to selectors")
    for name, body in data.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][\w.-]*", name):
            doc.fail(("roles", name), "role names are letters, digits, '-', '_' or '.'")
        if name in MODE_ROLES:
            doc.fail(("roles", name), f"'{name}' is the fallback role by mode; pick another name")
        for i, old in enumerate(policy.roles):
            if old.name == name:
                policy.roles[i] = _role(doc, name, body, old)
                break
        else:
            policy.roles.append(_role(doc, name, body, None))


def _apply_order(doc: _Doc, data: Any, policy: Policy) -> None:
    names = _str_list(doc, ("role_order",), data)
    by_name = {r.name: r for r in policy.roles}
    for i, n in enumerate(names):
        if n not in by_name:
            doc.fail(("role_order", i), f"unknown role {n!r}")
    head = [by_name[n] for n in names]
    policy.roles = head + [r for r in policy.roles if r.name not in names]


def _apply_waivers(doc: _Doc, data: Any, policy: Policy) -> None:
    from stormguard.rules import RESERVED_IDS, rule_ids

    known = set(rule_ids()) | RESERVED_IDS
    if not isinstance(data, list):
        doc.fail(("waivers",), "must be a list of waivers")
    for i, body in enumerate(data):
        at = ("waivers", i)
        _check_keys(doc, at, body, _WAIVER_KEYS, "a waiver")
        for req in ("rule", "reason", "owner"):
            if not body.get(req):
                doc.fail(at, f"a waiver needs '{req}'")
        rule = str(body["rule"]).upper()
        if rule not in known:
            doc.fail((*at, "rule"), f"unknown rule ID {body['rule']!r}")
        for key in ("device", "interface", "reason", "owner"):
            if key in body and not isinstance(body[key], str):
                doc.fail((*at, key), "must be a string")
        expires = body.get("expires")
        if expires is not None:
            if isinstance(expires, dt.datetime):
                expires = expires.date()
            if isinstance(expires, str):
                try:
                    expires = dt.date.fromisoformat(expires)
                except ValueError:
                    doc.fail((*at, "expires"), "must be a date YYYY-MM-DD")
            if not isinstance(expires, dt.date):
                doc.fail((*at, "expires"), "must be a date YYYY-MM-DD")
        policy.waivers.append(Waiver(
            rule=rule,
            device=body.get("device", "*"),
            interface=body.get("interface", "*"),
            reason=body["reason"],
            owner=body["owner"],
            expires=expires.isoformat() if expires is not None else None,
            source=doc.where(at),
        ))


def _apply_pack(path: Path, policy: Policy) -> None:
    data, doc = _read_pack(path)
    for key in data:
        if key not in _TOP_KEYS:
            doc.fail((key,), f"unknown key (expected one of: {', '.join(sorted(_TOP_KEYS))})")
    if "version" in data and data["version"] != 1:
        doc.fail(("version",), "only version 1 is supported")
    if data.get("scope") is not None:
        _check_keys(doc, ("scope",), data["scope"], _SCOPE_KEYS, "scope settings")
        if "include_admin_down" in data["scope"]:
            v = data["scope"]["include_admin_down"]
            if not isinstance(v, bool):
                doc.fail(("scope", "include_admin_down"), "must be true or false")
            policy.include_admin_down = v
    if data.get("rules") is not None:
        _apply_rules(doc, data["rules"], policy)
    if data.get("roles") is not None:
        _apply_roles(doc, data["roles"], policy)
    if data.get("role_order") is not None:
        _apply_order(doc, data["role_order"], policy)
    if data.get("waivers") is not None:
        _apply_waivers(doc, data["waivers"], policy)
    policy.sources.append(str(path))


def default_pack() -> Path:
    return data_dir("policies") / "default.yaml"


def load_policy(paths: Sequence[str | Path] = (), *, defaults: bool = True) -> Policy:
    """The default pack (unless ``defaults=False``) merged with the user packs, in order.

    Raises :class:`ConfigError` naming file, line and key on any invalid input.
    """
    policy = Policy()
    packs = ([default_pack()] if defaults else []) + [Path(p) for p in paths]
    for path in packs:
        _apply_pack(path, policy)
    _check_role_params(policy)
    _check_platform_params(policy)
    return policy


def _check_platform_params(policy: Policy) -> None:
    """Rule parameters that name platforms (``*_platforms``) must name device types that exist
    (``cisco_ios``, ``huawei`` ...): a typo there would silently change nothing."""
    from stormguard.model import PLATFORMS

    for rid, rp in policy.rules.items():
        for key, value in rp.params.items():
            if not key.endswith("_platforms"):
                continue
            for name in value:
                if name not in PLATFORMS:
                    where = rp.param_sources.get(key, "policy")
                    raise ConfigError(
                        f"{where}: rules.{rid}.{key}: unknown platform {name!r} "
                        f"(known: {', '.join(PLATFORMS)})")


def _check_role_params(policy: Policy) -> None:
    """Rule parameters that name roles (``roles``, ``*_roles``) must name roles that exist:
    a typo there would silently exempt or skip ports."""
    known = {r.name for r in policy.roles} | set(MODE_ROLES)
    for rid, rp in policy.rules.items():
        for key, value in rp.params.items():
            if key != "roles" and not key.endswith("_roles"):
                continue
            for name in value:
                if name not in known:
                    where = rp.param_sources.get(key, "policy")
                    raise ConfigError(
                        f"{where}: rules.{rid}.{key}: unknown role {name!r} "
                        f"(known: {', '.join(sorted(known))})")


# --------------------------------------------------------------------------------------------
# waivers


def waiver_expired(waiver: Waiver, today: dt.date) -> bool:
    """A waiver is valid through its expiry date and stops applying the day after."""
    return waiver.expires is not None and dt.date.fromisoformat(waiver.expires) < today


def waiver_matches(waiver: Waiver, rule: str, device: str, interface: str | None) -> bool:
    if waiver.rule != rule or not glob_match(device, waiver.device):
        return False
    if interface is None:  # a device-wide finding: only a waiver for any interface covers it
        return waiver.interface in ("*", "")
    return glob_match_any_case(interface, waiver.interface)
