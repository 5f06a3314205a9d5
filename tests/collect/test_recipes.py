"""Recipes load, validate, and agree with what the fakes (and real switches) answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from stormguard.collect.recipes import available_platforms, load_recipe, load_recipe_file
from stormguard.errors import ConfigError
from stormguard.model import SWITCH_PLATFORMS
from stormguard.testing.fakenet import PLATFORMS, render_config, show_outputs


def test_every_switch_platform_has_a_recipe() -> None:
    assert set(SWITCH_PLATFORMS) <= set(available_platforms())
    assert set(PLATFORMS) == set(SWITCH_PLATFORMS)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_recipe_loads_and_covers_storm_evidence(platform: str) -> None:
    r = load_recipe(platform)
    assert r.platform == platform and r.config_command
    names = {c.name for c in r.commands}
    assert {"stp", "storm_control", "trunks", "lldp", "counters"} <= names
    # every command the recipe sends is one the fake serves (a typo here = a dead recipe)
    served = show_outputs(platform)
    for c in r.commands:
        assert c.command in served, f"{platform}: fake has no output for {c.command!r}"
    if platform in ("cisco_ios", "cisco_xe"):
        assert r.napalm_driver == "ios" and "get_config" in r.getters
    elif platform == "cisco_nxos":
        assert r.napalm_driver == "nxos_ssh"
    else:
        assert r.napalm_driver is None


@pytest.mark.parametrize("platform", PLATFORMS)
def test_completeness_rule_accepts_whole_and_rejects_cut_configs(platform: str) -> None:
    r = load_recipe(platform)
    text = render_config(platform, "edge1")
    assert r.check_complete(text) is None
    assert r.check_complete(text[: int(len(text) * 0.6)]) is not None
    assert r.check_complete(text[: int(len(text) * 0.95)]) is not None
    assert r.check_complete("") == "empty configuration"


def test_junos_braces_must_balance() -> None:
    r = load_recipe("juniper_junos")
    assert "unbalanced braces" in r.check_complete("system {\n    host-name x;\n")
    assert r.check_complete("system {\n    host-name x;\n}\n") is None


@pytest.mark.parametrize(("body", "needle"), [
    ("platform: other\nconfig: {command: show run}\n", "does not match the file name"),
    ("platform: cisco_ios\n", "config.command: missing"),
    ("platform: cisco_ios\ndriver: telnetlib\nconfig: {command: x}\n", "unknown driver"),
    ("platform: cisco_ios\nconfig: {command: x, complete: {last_line: '(('}}\n", "bad regex"),
    ("platform: cisco_ios\nconfig: {command: x}\nnapalm: {getters: [get_everything]}\n",
     "unknown getter"),
    ("platform: cisco_ios\nconfig: {command: x}\ncommands: [{name: a, command: x},"
     " {name: a, command: y}]\n", "duplicate name"),
    ("platform: [\n", "invalid YAML"),
])
def test_bad_recipe_is_a_one_line_error_naming_file_and_key(tmp_path: Path, body: str,
                                                             needle: str) -> None:
    path = tmp_path / "cisco_ios.yaml"
    path.write_text(body)
    with pytest.raises(ConfigError) as exc:
        load_recipe_file(path)
    msg = str(exc.value)
    assert needle in msg and str(path) in msg and "\n" not in msg
