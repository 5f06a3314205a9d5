"""Platform detection's fast path gives exactly the scores of the plain regular-expression scan.

:func:`stormguard.parsers.detect.score_platforms` skips a signature when a literal every match
must contain is absent from the (lower-cased, ASCII) text, and compiles a signature only on its
first search. Both are speed-ups only: these tests pin that the scores stay those of searching
every signature, on every bundled config and fixture, in upper case and swapped case too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stormguard.parsers import detect
from stormguard.resources import data_dir

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted(
    [p for p in data_dir("examples").iterdir() if p.suffix in (".cfg", ".conf", ".json")]
    + [p for p in (ROOT / "tests").glob("parsers_*/fixtures/*") if p.is_file()]
)


def plain_scores(text: str) -> dict[str, int]:
    """What score_platforms computed before the fast path: every signature searched."""
    head = text[: detect._SCAN_BYTES]
    scores = {
        platform: sum(w for rx, w in sigs if re.search(rx.pattern, head, rx.flags))
        for platform, sigs in detect._SIGNATURES.items()
    }
    if scores["cisco_xe"]:
        scores["cisco_xe"] += scores["cisco_ios"]
    return scores


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"^version 1[0-5]\.\d", ("version 1", ".")),
        (r"^ storm-control (broadcast|multicast|unicast) level", (" storm-control ", " level")),
        (r"(interface-mode|port-mode) trunk;", (" trunk;",)),
        (r"^!Software Version V\d{3}R", ("!software version v", "r")),
        (r"^(system|interfaces) \{", (" {",)),
        (r"^interface Ethernet\d+(/\d+)?\s*$", ("interface ethernet",)),
        (r"ab?c", ("a", "c")),
        (r"esx|kvm", ()),  # top-level alternatives: nothing is required
        (r"a[bc", ()),  # unreadable: no pre-check
    ],
)
def test_required_literals(pattern: str, literals: tuple[str, ...]) -> None:
    assert detect._required_literals(pattern) == literals


def test_every_signature_has_a_literal_that_its_matches_contain() -> None:
    # A line-anchored signature is pre-checked by the literals its lines begin with (its
    # anchors, one scan); the others by the literals every match contains.
    for sigs in detect._PREFILTERED.values():
        for rx, _w, lits in sigs:
            assert lits or rx.anchors, rx.pattern
            for anchor in rx.anchors:
                assert anchor and anchor == anchor.lower(), rx.pattern
    building = next(rx for rx, _w, _l in detect._PREFILTERED["cisco_ios"]
                    if rx.pattern.startswith("^(Building"))
    assert building.anchors == ("building configuration", "current configuration :")


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_scores_equal_plain_scan(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert CONFIGS
    for variant in (text, text.upper(), text.swapcase()):
        assert detect.score_platforms(variant) == plain_scores(variant)


def test_non_ascii_text_takes_the_plain_path() -> None:
    # U+212A KELVIN SIGN matches "k" case-insensitively but lower() keeps it apart: the
    # literal pre-check must not be used on such text.
    text = "hostname sw1\nport trunk allow-pass vlan 10\nstorm-control broadcast min-rate 5\n"
    text = text.replace("k", "\u212a")
    assert detect.score_platforms(text) == plain_scores(text)
    assert detect.score_platforms(text)["huawei"] > 0


def test_patterns_compile_only_when_searched() -> None:
    lazy = detect._LazyPattern(r"^feature \S+", detect._M)
    assert lazy._rx is None
    assert lazy.search("hostname a\nFEATURE lacp\n") is not None
    assert lazy._rx is not None and lazy._rx.flags & re.IGNORECASE
