"""Fuzzing the policy loader (issue 12): any pack either loads or ends in the project's one-line
error (ConfigError, one line, naming the file) - never another exception, never a hang (each
example has a deadline). Packs are built from the real keys with hostile values, and mutated
from real packs byte by byte."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stormguard.errors import ConfigError
from stormguard.policy import default_pack, load_policy

FUZZ = settings(max_examples=150, deadline=2000, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

_REGEX_BITS = ["a", "(", ")", "+", "*", "?", "|", "\\1", "(?=", "(?<!", "[", "]", "{2,}",
               "\\b", "^", "$", ".", "esx", "\\d", "(?P<x>", "(?i)", "\\", " "]
regexes = st.lists(st.sampled_from(_REGEX_BITS), max_size=12).map("".join)
globs = st.lists(st.sampled_from(["*", "?", "[a-z]", "[!0]", "Gi", "1/0/", "re:", "(a+)+$", ":"]),
                 max_size=8).map("".join)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5000), st.floats(allow_nan=True),
    st.text(max_size=20), regexes, globs,
    st.sampled_from(["high", "urgent", "10,20-30", "5000", "2027-06-30", "hypervisor",
                     "peer-link", "vpc-peer-link", "nope"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)


def mostly(good: st.SearchStrategy, bad: st.SearchStrategy = scalars) -> st.SearchStrategy:
    """`good` three times out of four, so later keys get validated too."""
    return st.one_of(good, good, good, bad)

role = st.fixed_dictionaries({}, optional={
    "description": mostly(regexes),
    "interface": st.one_of(globs, st.lists(globs, max_size=3), scalars),
    "device": st.one_of(globs, scalars),
    "ports": st.one_of(st.lists(globs, max_size=3), scalars),
    "config": st.one_of(st.lists(st.sampled_from(["vpc-peer-link", "mlag-peer-link", "x"]),
                                 max_size=2), scalars),
    "permitted_vlans": scalars,
    "permitted_vlans_by_device": st.one_of(st.dictionaries(globs, scalars, max_size=2), scalars),
    "doc": scalars,
    "bogus": scalars,
})
rule = st.one_of(st.booleans(), st.none(), st.dictionaries(
    st.sampled_from(["enabled", "severity", "roles", "exempt_roles", "max_percent",
                     "global_default_severity", "guarded_edge_roles", "all_threshold", "x"]),
    values, max_size=3))
waiver = st.dictionaries(
    st.sampled_from(["rule", "device", "interface", "reason", "owner", "expires", "x"]),
    st.one_of(scalars, globs), max_size=6)



packs = st.fixed_dictionaries({}, optional={
    "version": st.just(1),  # (other versions: one error before anything else is read)
    "description": scalars,
    "scope": mostly(st.dictionaries(st.sampled_from(["include_admin_down", "x"]),
                                    mostly(st.booleans()), max_size=2)),
    "rules": mostly(st.dictionaries(st.sampled_from(
        ["SG101", "SG202", "SG203", "SG301", "SG302", "sg401", "SG999", "SG402"]), rule,
        max_size=3)),
    "roles": mostly(st.dictionaries(st.sampled_from(
        ["hypervisor", "hypervisor-esxi", "storage", "peer-link", "trunk", "bad name", "x"]),
        mostly(role), max_size=3)),
    "role_order": mostly(st.lists(st.sampled_from(["storage", "hypervisor", "nope"]),
                                  max_size=3)),
    "waivers": mostly(st.lists(waiver, max_size=2)),
})


def _load(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_policy([path])
        except ConfigError as exc:
            msg = str(exc)
            assert "\n" not in msg, msg
            assert msg.startswith(str(path)), msg


@FUZZ
@given(packs)
def test_structured_packs_load_or_fail_in_one_line(data: dict) -> None:
    _load(yaml.safe_dump(data, allow_unicode=True))


_SEED_PACKS = [
    default_pack().read_text(encoding="utf-8"),
    (default_pack().parent / "example-site.yaml").read_text(encoding="utf-8"),
]


@FUZZ
@given(st.sampled_from(_SEED_PACKS), st.lists(
    st.tuples(st.integers(0, 4000), st.integers(0, 8),
              st.text(alphabet=st.characters(codec="utf-8"), max_size=6)), max_size=6))
def test_mutated_real_packs_load_or_fail_in_one_line(seed: str, edits: list) -> None:
    text = seed
    for pos, cut, insert in edits:
        pos = pos % (len(text) + 1)
        text = text[:pos] + insert + text[pos + cut:]
    _load(text)
