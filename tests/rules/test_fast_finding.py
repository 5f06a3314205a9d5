"""Findings built without the class call (:func:`stormguard.findings.new_finding`, and the
``make`` of :func:`stormguard.rules.base.maker`) are pinned to ``Finding(...)``: same type,
same fields, same ``__dict__`` key order (reports and ``vars()`` read it), for random values."""

from __future__ import annotations

import dataclasses
import random

from stormguard.findings import Finding, Waiver, new_finding
from stormguard.policy import load_policy
from stormguard.rules import RuleContext
from stormguard.rules.base import maker

#: The fields the fast builders set, in order: a new field must be added to them too.
FIELDS = ("rule", "severity", "device", "platform", "interface", "line", "message", "expected",
          "actual", "remediation", "source", "waived", "waiver", "extra")


def _same(fast: Finding, slow: Finding) -> None:
    assert type(fast) is Finding
    assert fast == slow
    assert list(vars(fast).items()) == list(vars(slow).items())
    assert fast.to_dict() == slow.to_dict()
    assert dataclasses.replace(fast) == slow


def test_finding_fields_are_the_ones_the_fast_builders_set() -> None:
    assert tuple(f.name for f in dataclasses.fields(Finding)) == FIELDS
    assert not hasattr(Finding, "__post_init__")


def _values(rng: random.Random) -> list:
    def s() -> str:
        return "".join(rng.choice("abcGi/01 \n") for _ in range(rng.randrange(0, 12)))
    return [s(), rng.choice(["info", "low", "high"]), s(), s(),
            rng.choice([None, s()]), rng.choice([None, 0, rng.randrange(1, 5000)]), s(), s(),
            s(), s(), s(), {s(): s() for _ in range(rng.randrange(3))}]


def test_new_finding_is_the_class_call() -> None:
    rng = random.Random(5)
    for _ in range(300):
        v = _values(rng)
        _same(new_finding(*v), Finding(*v[:11], False, None, v[11]))


def test_maker_finding_is_the_class_call() -> None:
    rng = random.Random(7)
    policy = load_policy()
    for _ in range(300):
        v = _values(rng)
        make = maker(RuleContext(v[0], policy, "cisco", (v[0], v[1], v[2], v[3], v[10])))
        fast = make(v[6], v[4], v[5], v[7], v[8], v[9], v[11])
        _same(fast, Finding(*v[:11], False, None, v[11]))


def test_fast_finding_can_be_waived_like_any_other() -> None:
    f = new_finding("SG101", "high", "sw", "cisco_ios", "Gi1", 3, "m", "e", "a", "r", "s", {})
    f.waived, f.waiver = True, Waiver(rule="SG101")
    g = Finding("SG101", "high", "sw", "cisco_ios", "Gi1", 3, "m", "e", "a", "r", "s", True,
                Waiver(rule="SG101"), {})
    _same(f, g)
