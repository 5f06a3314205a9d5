"""User-supplied patterns run in linear time (issue 12): role description selectors and ``re:``
interface selectors on RE2, literal word lists and globs without backtracking; what RE2 cannot
run in linear time is refused at load with one line naming file:line.

The bounds below are generous (a pathological pattern under Python's `re` takes longer than
the age of the universe on these inputs); they catch a regression to backtracking, they do not
measure speed (bench/ does that)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from policy_kit import findings, pack

from stormguard.effective import effective_device
from stormguard.errors import ConfigError
from stormguard.findings import Waiver
from stormguard.model import Device
from stormguard.policy import load_policy, waiver_matches

MB = 1_000_000
BOUND_S = 2.0

# (a+)+$ and friends: exponential under a backtracking engine on 'aaaa...!'
EVIL = r"(a+)+$"


def _device(description: str = "", name: str = "GigabitEthernet1/0/1") -> Device:
    dev = Device(hostname="sw1", platform="cisco_ios", source="built")
    iface = dev.interface(name, 2)
    iface.description = description
    iface.set("switched", True, 3)
    iface.set("mode", "access", 4)
    return dev


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def test_pathological_description_selector_on_a_megabyte_description(tmp_path) -> None:
    pol = load_policy([pack(tmp_path, f"roles:\n  evil:\n    description: '{EVIL}'\n")])
    role = pol.role_named("evil")
    assert role is not None and role.description is not None
    assert not role.description.literal  # so it runs on RE2, not on `re`
    desc = "a" * MB + "!"
    (found, secs) = _timed(lambda: findings(_device(desc), pol))
    assert secs < BOUND_S, secs
    assert "SG301" in {f.rule for f in found}  # the port was judged (the role did not match)
    # and a match is still a match, with its reason
    port = effective_device(_device("a" * MB), pol).port("GigabitEthernet1/0/1")
    assert port.role == "evil" and port.role_source.startswith("description matches '(a+)+$'")


def test_pathological_interface_regex_on_a_megabyte_name(tmp_path) -> None:
    pol = load_policy([pack(tmp_path, "roles:\n  evil:\n    interface: 're:^(a|aa)+$'\n")])
    name = "a" * MB + "!"
    (port, secs) = _timed(lambda: effective_device(_device(name=name), pol).port(name))
    assert secs < BOUND_S, secs
    assert port is not None and port.role == "access"


@pytest.mark.parametrize("description", [
    "esx" * (MB // 3) + "x",  # a selector word over and over, never a whole word
    "a" * MB,
    "hyper-" * (MB // 6),
    "kvm " * (MB // 4),  # a match at the very start
    "akvm-" * (MB // 5),  # a candidate at every fifth character, each refused on its left
])
def test_default_word_lists_on_a_megabyte_description(description: str) -> None:
    pol = load_policy()
    (_, secs) = _timed(lambda: effective_device(_device(description), pol))
    assert secs < BOUND_S, secs


def test_waiver_globs_on_a_megabyte_name() -> None:
    w = Waiver(rule="SG101", device="*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
               interface="*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*c", reason="r", owner="o")
    (hit, secs) = _timed(lambda: waiver_matches(w, "SG101", "a" * MB, "b" * MB))
    assert secs < BOUND_S, secs
    assert hit is False


BACKTRACK = ("regular expression cannot run in linear time (RE2: {why}; backreferences and "
             "lookaround are not supported)")


@pytest.mark.parametrize(("body", "what"), [
    (r"description: '(nas)\1'",
     "roles.storage.description: " + BACKTRACK.format(why="invalid escape sequence")),
    ("description: 'nas(?=01)'",
     "roles.storage.description: " + BACKTRACK.format(why="invalid perl operator")),
    ("description: '(?<!dy)nas'",
     "roles.storage.description: " + BACKTRACK.format(why="invalid perl operator")),
    ("interface: ['Gi*', 're:^(Gi)\\1']",
     "roles.storage.interface[1]: " + BACKTRACK.format(why="invalid escape sequence")),
    ("description: 'nas|(netapp'", "roles.storage.description: bad regular expression: "
                                   "missing ), unterminated subpattern at position 4"),
    ("description: ' | '", "roles.storage.description: empty pattern"),
    ("description: '(x{500}){500}'",
     "roles.storage.description: " + BACKTRACK.format(why="invalid repetition size")),
])
def test_non_linear_or_bad_patterns_are_refused_at_load(tmp_path, body: str, what: str) -> None:
    p = pack(tmp_path, f"version: 1\nroles:\n  storage:\n    {body}\n")
    with pytest.raises(ConfigError) as err:
        load_policy([p])
    msg = str(err.value)
    assert msg == f"{p}:4: {what}" or msg.startswith(f"{p}:4: {what}: "), msg
    assert "\n" not in msg


def test_re2_is_imported_only_for_packs_that_need_it(tmp_path) -> None:
    words = pack(tmp_path, "roles:\n  storage:\n    description: 'nas|netapp'\n", "w.yaml")
    regex = pack(tmp_path, "roles:\n  storage:\n    description: 'nas[0-9]+'\n", "r.yaml")
    code = ("import sys\nfrom stormguard.policy import load_policy\n"
            "load_policy(sys.argv[1:])\nprint('re2' in sys.modules)\n")
    env = {**os.environ, "STORMGUARD_CACHE_DIR": ""}
    for args, want in (([], "False"), ([str(words)], "False"), ([str(regex)], "True")):
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                             text=True, check=True, env=env, timeout=60).stdout.strip()
        assert out == want, args


def test_lint_cli_with_an_evil_pattern_and_a_long_description(tmp_path) -> None:
    # lint refuses lines over 64 KiB; the in-process tests above cover a megabyte (the audit)
    cfg = tmp_path / "sw1.cfg"
    cfg.write_text("hostname sw1\n!\ninterface GigabitEthernet1/0/1\n description "
                   + "a" * 60_000 + "!\n switchport mode access\n!\nend\n")
    p = pack(tmp_path, f"roles:\n  evil:\n    description: '{EVIL}'\n")
    env = {**os.environ, "STORMGUARD_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.run([sys.executable, "-m", "stormguard", "lint", str(cfg), "--policy",
                          str(p), "--format", "json"], capture_output=True, text=True,
                         env=env, timeout=60)
    assert run.returncode == 1, run.stderr  # findings (SG301), no error
    assert "Traceback" not in run.stderr
    assert '"rule": "SG301"' in run.stdout


def test_matcher_for_a_literal_list_is_not_re2() -> None:
    hv = load_policy().role_named("hypervisor")
    assert hv is not None and hv.description is not None and hv.description.literal
    assert hv.description.search("Proxmox-2 eno1") == "proxmox"
    assert hv.description.search("xproxmox-2 proxmoxy proxmox") == "proxmox"  # the third
