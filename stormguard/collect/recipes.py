"""Collection recipes: what to run on each switch platform (``collectors/<platform>.yaml``).

A recipe is data, not code, so an operator can add a show command without touching Python.
Schema::

    platform: cisco_ios            # Netmiko device_type; must match the file name
    driver: netmiko                # preferred driver when the inventory does not name one
    napalm_driver: ios | null      # NAPALM driver that speaks SSH, null for Netmiko only
    config:
      command: show running-config
      complete:                    # what a whole config looks like; else failure class `parse`
        last_line: '^end$'         # regex for the last non-blank line
        contains: ['^hostname ']   # regexes (multiline) that must all match somewhere
        balanced_braces: true      # Junos: every `{` closed
    napalm:
      getters: [get_facts, get_config]
    commands:
      - {name: stp, command: show spanning-tree, textfsm: true}

``complete`` exists because a session that dies mid-output still hands back text: saving half a
config as the current snapshot would make every port after the cut look "not configured".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from stormguard.errors import ConfigError
from stormguard.resources import data_dir

KNOWN_GETTERS = frozenset({
    "get_facts", "get_config", "get_interfaces", "get_lldp_neighbors",
    "get_interfaces_counters", "get_vlans",
})


@dataclass(frozen=True)
class Command:
    name: str  # key in Collected.state
    command: str
    textfsm: bool = False


@dataclass(frozen=True)
class Completeness:
    last_line: str | None = None
    contains: tuple[str, ...] = ()
    balanced_braces: bool = False

    def problem(self, text: str) -> str | None:
        """Why `text` is not a complete config, or None when it is."""
        lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
        if not lines:
            return "empty configuration"
        if self.balanced_braces:
            depth = 0
            for ln in lines:
                if ln.lstrip().startswith("#"):
                    continue
                depth += ln.count("{") - ln.count("}")
            if depth != 0:
                return f"unbalanced braces (depth {depth} at the end)"
        if self.last_line and not re.search(self.last_line, lines[-1].strip()):
            return f"ends with {lines[-1].strip()[:40]!r}, expected /{self.last_line}/"
        for pattern in self.contains:
            if not re.search(pattern, text, re.MULTILINE):
                return f"missing /{pattern}/"
        return None


@dataclass(frozen=True)
class Recipe:
    platform: str
    config_command: str
    driver: str = "netmiko"
    napalm_driver: str | None = None
    getters: tuple[str, ...] = ()
    commands: tuple[Command, ...] = ()
    complete: Completeness = field(default_factory=Completeness)
    source: str = ""

    def check_complete(self, text: str) -> str | None:
        return self.complete.problem(text)


def _fail(path: Path, key: str, msg: str) -> ConfigError:
    return ConfigError(f"{path}: {key}: {msg}")


def parse_recipe(data: object, path: Path) -> Recipe:
    """Validate one recipe document (already YAML-loaded); errors name file and key."""
    if not isinstance(data, dict):
        raise _fail(path, "(top)", "a recipe must be a mapping")
    platform = data.get("platform")
    if not isinstance(platform, str) or not platform:
        raise _fail(path, "platform", "missing or not a string")
    if path.stem != platform:
        raise _fail(path, "platform", f"{platform!r} does not match the file name")
    driver = data.get("driver", "netmiko")
    if driver not in ("netmiko", "napalm"):
        raise _fail(path, "driver", f"unknown driver {driver!r} (netmiko | napalm)")
    napalm_driver = data.get("napalm_driver")
    if napalm_driver is not None and not isinstance(napalm_driver, str):
        raise _fail(path, "napalm_driver", "must be a string or null")
    if driver == "napalm" and not napalm_driver:
        raise _fail(path, "driver", "napalm preferred but no napalm_driver given")
    cfg = data.get("config")
    if not isinstance(cfg, dict) or not isinstance(cfg.get("command"), str):
        raise _fail(path, "config.command", "missing")
    comp = cfg.get("complete") or {}
    if not isinstance(comp, dict):
        raise _fail(path, "config.complete", "must be a mapping")
    unknown = set(comp) - {"last_line", "contains", "balanced_braces"}
    if unknown:
        raise _fail(path, "config.complete", f"unknown keys {sorted(unknown)}")
    contains = comp.get("contains") or ()
    if isinstance(contains, str):
        contains = (contains,)
    for key, rx in [("last_line", comp.get("last_line")), *(("contains", c) for c in contains)]:
        if rx is None:
            continue
        try:
            re.compile(rx)
        except (re.error, TypeError) as exc:
            raise _fail(path, f"config.complete.{key}", f"bad regex {rx!r}: {exc}") from None
    completeness = Completeness(
        last_line=comp.get("last_line"), contains=tuple(contains),
        balanced_braces=bool(comp.get("balanced_braces", False)),
    )
    getters = tuple((data.get("napalm") or {}).get("getters") or ())
    for g in getters:
        if g not in KNOWN_GETTERS:
            raise _fail(path, "napalm.getters", f"unknown getter {g!r}")
    commands = []
    seen: set[str] = set()
    for i, item in enumerate(data.get("commands") or []):
        if not isinstance(item, dict) or not isinstance(item.get("command"), str):
            raise _fail(path, f"commands[{i}]", "needs a `command` string")
        name = str(item.get("name") or item["command"])
        if name in seen:
            raise _fail(path, f"commands[{i}].name", f"duplicate name {name!r}")
        seen.add(name)
        commands.append(Command(name=name, command=item["command"],
                                textfsm=bool(item.get("textfsm", False))))
    return Recipe(platform=platform, config_command=cfg["command"], driver=driver,
                  napalm_driver=napalm_driver, getters=getters, commands=tuple(commands),
                  complete=completeness, source=str(path))


def load_recipe_file(path: Path) -> Recipe:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: invalid YAML") from None
    return parse_recipe(data, path)


@lru_cache(maxsize=64)
def _load_cached(directory: str, platform: str) -> Recipe:
    path = Path(directory) / f"{platform}.yaml"
    if not path.is_file():
        raise FileNotFoundError(path)
    return load_recipe_file(path)


def load_recipe(platform: str, directory: Path | None = None) -> Recipe:
    """The recipe for `platform` from `directory` (default: the packaged ``collectors/``).

    Raises FileNotFoundError when there is none (the caller reports `unsupported`)."""
    return _load_cached(str(directory or data_dir("collectors")), platform)


def available_platforms(directory: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (directory or data_dir("collectors")).glob("*.yaml"))
