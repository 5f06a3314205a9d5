"""Hostile policy packs: every one ends in one line naming file:line, exit 2, promptly."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "cisco_ios-violations.cfg")

BOMB = "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9) if p else ', '.join(['lol'] * 9)}]\n"
    for p, c in zip(["", "a", "b", "c", "d", "e", "f", "g", "h"], "abcdefghi", strict=True)
)


@pytest.mark.parametrize(("text", "expected"), [
    # a date that is not a date: ValueError from PyYAML's constructor, was an internal error
    ("waivers:\n  - {rule: SG101, reason: r, owner: o, expires: 2027-13-45}\n",
     "policy.yaml:2: waivers[0].expires: bad value (month must be in 1..12)"),
    # NaN compares false with everything: SG302 would never fire
    ("rules:\n  SG302:\n    max_percent: .nan\n",
     "policy.yaml:3: rules.SG302.max_percent: must be a finite number"),
    ("rules:\n  SG302:\n    max_pps: .inf\n",
     "policy.yaml:3: rules.SG302.max_pps: must be a finite number"),
    # billion laughs: used to hang for ever expanding the aliases
    (BOMB, "invalid YAML: expands to more than 1,000,000 values"),
    ("roles:\n  x: &a [*a]\n", "invalid YAML: nested more than 200 levels deep"),
    ("rules:\n\tSG302: {}\n", "policy.yaml:2: invalid YAML: found character"),
])
def test_bad_policy_is_one_line_error(sg, tmp_path, text, expected):
    (tmp_path / "policy.yaml").write_text(text)
    res = sg("lint", EXAMPLE, "--policy", "policy.yaml", timeout=30)
    line = res.one_line_error()
    assert res.rc == 2
    assert line.startswith("stormguard lint: error: policy.yaml:"), line
    assert expected in line, line
    # the same pack through `stormguard rules` and `stormguard audit`
    for cmd in (["rules"], ["audit"]):
        res = sg(*cmd, "--policy", "policy.yaml", timeout=30)
        assert expected in res.one_line_error()
