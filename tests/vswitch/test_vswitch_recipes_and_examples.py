"""The shipped vSwitch recipes and example bundles: loadable, lintable, and bad recipes fail
with a one-line error."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from stormguard.collect._shell import load_vswitch_recipe
from stormguard.errors import ConfigError
from stormguard.inventory import Host
from stormguard.resources import data_dir


@pytest.mark.parametrize("platform", ["ovs", "linux_bridge"])
def test_shipped_recipes_load(platform: str) -> None:
    host = Host(name="h", hostname="local", platform=platform, transport="local")
    recipe = load_vswitch_recipe(host, platform, None)
    assert recipe["platform"] == platform and recipe["driver"] == platform
    assert all({"name", "command"} <= set(c) for c in recipe["commands"])


@pytest.mark.parametrize(
    ("recipe", "needle"),
    [
        ([], "config: missing"),
        ({"config": {}}, "config.command"),
        ({"config": {"command": "x"}, "commands": [{"name": "a"}]}, "commands"),
    ],
)
def test_bad_recipe_is_a_config_error(recipe, needle: str) -> None:
    host = Host(name="h", hostname="local", platform="ovs", transport="local")
    with pytest.raises(ConfigError) as err:
        load_vswitch_recipe(host, "ovs", recipe)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_lint_on_the_example_bundles() -> None:
    ex = data_dir("examples")
    files = sorted(str(p) for p in ex.glob("*.json") if p.name.startswith(("ovs-", "linux_")))
    assert len(files) == 4
    proc = subprocess.run([sys.executable, "-m", "stormguard", "lint", "--format", "json",
                           *files], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1, proc.stderr  # findings at or above medium
    doc = json.loads(proc.stdout)
    got = {(r["device"], f["rule"]) for r in doc["results"] for f in r["findings"]}
    assert got == {
        ("hv01/br-loop", "SG201"), ("hv01/br-loop", "SG401"), ("hv01/br-trunk", "SG101"),
        ("hv03/br-flat", "SG402"),  # one uplink: no SG201
        ("hv03/br-loop", "SG201"), ("hv03/br-loop", "SG401"), ("hv03/br-loop", "SG402"),
        ("hv03/br-stp", "SG402"),
    }
    assert {r["device"] for r in doc["results"]} >= {"hv02/br-vm", "hv04/br0"}
    for r in doc["results"]:
        for f in r["findings"]:
            assert isinstance(f["line"], int) and f["remediation"]
