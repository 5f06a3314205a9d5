"""`report_kind` (stormguard's own reports are passed over in linted directories) looks for a
text verdict line only where "PASS: " or "FAIL: " occurs: the same answer as the plain
line-anchored search, pinned here on random texts."""

from __future__ import annotations

import random

from stormguard import sources


def _plain(head: bytes, tail: bytes = b"") -> str | None:
    for rx, kind in ((sources._JSON_REPORT, "JSON report"), (sources._SARIF, "SARIF report"),
                     (sources._JUNIT, "JUnit XML report"),
                     (sources._CODECLIMATE, "Code Quality report")):
        if rx.match(head):
            return kind
    return "text report" if sources._TEXT_VERDICT.search(tail or head) else None


def test_same_as_the_plain_search() -> None:
    rng = random.Random(7)
    pieces = [b"PASS: 1 file, 1 device: 0 findings (fail-on medium)\n",
              b"FAIL: 2 files, 3 devices: 4 findings, 1 error (fail-on low)\n",
              b"PASS: 1 files, 1 devices: 1 finding (fail-on high)",
              b"PASS: x files", b"FAIL:", b"pass: 1 file, 1 device: 0 findings (fail-on medium)\n",
              b"hostname a\n", b"interface Gi1/0/1\n", b" description PASS: 1 file\n", b"\n",
              b"  FAIL: 1 file, 1 device: 0 findings (fail-on medium)\n"]
    for _ in range(3000):
        text = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        head, tail = text[:40], text[-60:] if rng.random() < 0.5 else b""
        assert sources.report_kind(head, tail) == _plain(head, tail), text
        assert sources.report_kind(text) == _plain(text), text
