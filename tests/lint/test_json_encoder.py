"""`--format json` is encoded by orjson when it can, and must be byte-for-byte what
`json.dumps(indent=2)` writes, whichever encoder ran (escapes, empty containers, fallbacks)."""

from __future__ import annotations

import json

import pytest

from stormguard.findings import Finding
from stormguard.formats.json_format import dumps_indented, render, render_bytes, to_dict
from stormguard.lint import LintReport, LintResult, lint_paths
from stormguard.resources import data_dir

DOCS = [
    {"a": "".join(chr(i) for i in range(0x7f)), "b": [], "c": {}, "d": [1, {"x": None}]},
    {"del": "\x7f", "latin": "caf\u00e9", "bidi": "\u202e"},  # json escapes these: fallback
    {"surrogate": "\ud800"},  # orjson refuses: fallback
    {"big": 2**70, "neg": -(2**63), "max": 2**63 - 1, "t": True, "f": False},
    [[], [{}], {"k": [[]]}],
    "plain", 0, None, [],
]


@pytest.mark.parametrize("doc", DOCS)
def test_same_bytes_as_json_dumps(doc):
    assert dumps_indented(doc) == json.dumps(doc, indent=2) + "\n"


def test_lint_report_of_every_example_is_identical_to_json_dumps():
    examples = [str(p) for p in data_dir("examples").iterdir()
                if p.is_file() and not p.name.startswith((".", "_")) and p.suffix != ".py"]
    report = lint_paths(examples, fail_on="medium")
    assert render(report) == json.dumps(to_dict(report), indent=2, sort_keys=False) + "\n"


def _report(*results: LintResult) -> LintReport:
    return LintReport(results=list(results), fail_on="medium")


@pytest.mark.parametrize("report", [
    _report(),  # `"results": []`
    _report(LintResult(source="a.cfg", errors=["a.cfg: unreadable"])),
    # one result orjson writes, one (non-ASCII, DEL) that json.dumps writes, one empty
    _report(LintResult(source="a.cfg", device="sw1", platform="cisco_ios",
                       findings=[Finding("SG101", "high", "sw1", "cisco_ios", "Gi1/0/1", 3,
                                         "m\n2", extra={"role": "edge", "role_source": "x"})]),
            LintResult(source="caf\u00e9\x7f.cfg", warnings=["line 1: \u202e"]),
            LintResult(source="b.cfg")),
])
def test_streamed_report_is_identical_to_json_dumps_of_the_whole(report):
    # render_bytes encodes one result at a time and indents it into place
    expected = json.dumps(to_dict(report), indent=2, sort_keys=False) + "\n"
    assert b"".join(render_bytes(report)) == expected.encode("ascii")
    assert render(report) == expected
