"""Golden JSON outputs: `stormguard lint --format json` on every bundled example is pinned.

A change in findings, lines, messages or remediation snippets shows up here as a diff to review.
After a deliberate change, regenerate with ``STORMGUARD_UPDATE_GOLDEN=1 pytest tests/lint``
and read the diff before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from stormguard.formats.json_format import to_dict
from stormguard.lint import lint_paths
from stormguard.resources import data_dir

EXAMPLES = sorted(p for p in data_dir("examples").iterdir()
                  if p.is_file() and not p.name.startswith((".", "_")) and p.suffix != ".py")
GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_matches_golden(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example.parent)
    doc = to_dict(lint_paths([example.name], fail_on="medium"))
    golden = GOLDEN / (example.name + ".json")
    text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
    if os.environ.get("STORMGUARD_UPDATE_GOLDEN") or not golden.exists():
        golden.write_text(text)
        if not os.environ.get("STORMGUARD_UPDATE_GOLDEN"):
            pytest.fail(f"{golden.name} did not exist; written now: review and commit it")
    assert json.loads(text) == json.loads(golden.read_text())


def test_every_example_is_linted_without_errors() -> None:
    assert len(EXAMPLES) >= 12
    doc = to_dict(lint_paths([str(p) for p in EXAMPLES], fail_on="never"))
    assert [e for r in doc["results"] for e in r["errors"]] == []
    compliant = [r for r in doc["results"] if "-compliant" in r["source"]]
    violations = [r for r in doc["results"] if "-violations" in r["source"]]
    assert compliant and violations
    assert all(not r["findings"] for r in compliant), [
        (r["source"], [f["rule"] for f in r["findings"]]) for r in compliant if r["findings"]]
    assert all(r["findings"] for r in violations)
