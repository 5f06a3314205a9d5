"""Machine output, shape kept stable (version 1)::

    {"version": 1,
     "results": [{"source", "device", "platform",
                  "findings": [{"rule", "severity", "interface", "line", "message",
                                "expected", "actual", "remediation", "waived", "waiver",
                                "role", "role_source" (role-based findings only)}],
                  "errors": [...], "warnings": [...]}],
     "summary": {...}}
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from stormguard.findings import Finding
from stormguard.lint import JSON_VERSION, LintReport, LintResult, finding_counts

try:
    import orjson as _orjson
except ImportError:  # a stripped-down install: the standard library is always right
    _orjson = None  # type: ignore[assignment]


def finding_dict(f: Finding) -> dict[str, Any]:
    return finding_dicts([f])[0]


def finding_dicts(findings: list[Finding]) -> list[dict[str, Any]]:
    """Each finding's JSON object, in one loop rather than a call per finding (a config has
    hundreds): the keys every finding has, then ``role`` and ``role_source`` (role-based
    findings), then ``waiver`` (waived ones)."""
    out: list[dict[str, Any]] = []
    append = out.append
    for f in findings:
        extra = f.extra
        d: dict[str, Any]
        if extra and (why := extra.get("role_source")):  # why the port has the role it needs
            # all eleven keys in one display: adding two to a nine-key dict resizes it
            d = {"rule": f.rule, "severity": f.severity, "interface": f.interface,
                 "line": f.line, "message": f.message, "expected": f.expected,
                 "actual": f.actual, "remediation": f.remediation, "waived": f.waived,
                 "role": extra.get("role"), "role_source": why}
        else:
            d = {"rule": f.rule, "severity": f.severity, "interface": f.interface,
                 "line": f.line, "message": f.message, "expected": f.expected,
                 "actual": f.actual, "remediation": f.remediation, "waived": f.waived}
        w = f.waiver
        if w is not None:
            d["waiver"] = {"reason": w.reason, "owner": w.owner, "expires": w.expires,
                           "source": w.source}
        append(d)
    return out


def result_dict(r: LintResult) -> dict[str, Any]:
    return {
        "source": r.source, "device": r.device, "platform": r.platform,
        "findings": finding_dicts(r.findings),
        "errors": r.errors, "warnings": r.warnings,
    }


def to_dict(report: LintReport) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "results": list(map(result_dict, report.results)),
        "summary": report.summary(),
    }


def render(report: LintReport) -> str:
    return b"".join(render_bytes(report)).decode("ascii")


def render_bytes(report: LintReport) -> Iterator[bytes | memoryview]:
    """``json.dumps(to_dict(report), indent=2) + "\n"`` as UTF-8 bytes (it is ASCII), in
    pieces to write one after the other (bytes, or views of bytes): one per result, each
    encoded as its own document and indented to its place in the list.

    Why: a 200-file run writes ~64 MB. Encoding the whole document at once held every
    finding's dict and the whole output at the same time (~100 MB more memory to fault in);
    a result's dicts are freed as soon as its piece is written. The layout is the same
    because a newline in indented JSON output is always layout (strings escape theirs), so a
    nested value's text is its own document with every newline followed by its depth's
    indent; and each piece chooses its encoder the way :func:`dumps_indented` does.
    :class:`JsonStream` writes the same pieces while the run goes on.
    """
    pieces: list[bytes | memoryview] = []
    stream = JsonStream(pieces.append, count=True)
    for r in report.results:
        stream.result(r)
        yield from pieces
        pieces.clear()
    stream.finish(report)
    yield from pieces


class JsonStream:
    """The ``--format json`` document written while `stormguard lint` runs: the opening and
    each result as soon as it is audited (:meth:`result`, the ``on_result`` of
    :func:`stormguard.lint.lint_paths`), the summary at the end (:meth:`finish`). The bytes
    are :func:`render_bytes`' (which is written with it); the run then never holds more
    than one file's findings and their dicts.

    `count`: count each result's findings for the summary here, while they are at hand
    (:func:`render_bytes`); a streamed run leaves it to the report, which counts what it
    releases (:attr:`stormguard.lint.LintReport.released`).
    """

    def __init__(self, write: Callable[[bytes | memoryview], object], *,
                 count: bool = False) -> None:
        self.write = write
        self.counts: Counter[tuple[str, str, bool]] | None = Counter() if count else None
        self.sep = b'{\n  "version": %d,\n  "results": [\n    ' % JSON_VERSION

    def result(self, r: LintResult) -> None:
        write = self.write
        write(self.sep)
        self.sep = b",\n    "
        write(_nested(result_dict(r), 2))
        if self.counts is not None:
            self.counts.update(finding_counts(r.findings))

    def finish(self, report: LintReport) -> None:
        if self.sep[0] == ord("{"):  # no result: json.dumps writes an empty list as `[]`
            self.write(b'{\n  "version": %d,\n  "results": [],' % JSON_VERSION)
        else:
            self.write(b"\n  ],")
        self.write(b'\n  "summary": ' + _nested(report.summary(self.counts), 1) + b"\n}\n")


def _nested(value: Any, depth: int) -> memoryview:
    """`value` as ``json.dumps(indent=2)`` writes it `depth` levels deep (without the
    indent of its first line): encoded inside `depth` one-element lists, so that the encoder
    indents it, and cut out of them. (Re-indenting it afterwards, a replace of every
    newline, cost ~0.3 ms per 100 kB config.)"""
    wrapped = value
    for _ in range(depth):
        wrapped = [wrapped]
    out = _encode(wrapped)
    # each list opens with "[", a newline and the next level's indent, and closes with a
    # newline, its own indent and "]"
    head = sum(2 + 2 * level for level in range(1, depth + 1))
    tail = sum(2 + 2 * level for level in range(depth))
    # a view, not a copy (a config's result is ~350 kB of JSON)
    return memoryview(out)[head:len(out) - tail]


def dumps_indented(doc: Any) -> str:
    """``json.dumps(doc, indent=2) + "\n"``, byte for byte, through orjson when it can.

    orjson writes the same layout (two-space indent, ``": "``, ``","`` at line ends) about
    twenty times faster. It writes non-ASCII and DEL raw where ``json.dumps`` escapes them
    (``ensure_ascii``), and refuses what ``json`` takes (lone surrogates, integers beyond
    64 bits, non-string keys) or writes differently (NaN): any output that is not plain
    printable ASCII, and any refusal, goes through ``json.dumps`` instead, so the output never
    depends on which encoder ran. Floats do not occur in this document.
    """
    return (_encode(doc) + b"\n").decode("ascii")


def _encode(doc: Any) -> bytes:
    """:func:`dumps_indented` encoded (it is ASCII), without the final newline."""
    if _orjson is not None:
        try:
            out = _orjson.dumps(doc, option=_orjson.OPT_INDENT_2)
        except (TypeError, ValueError):
            out = None
        if out is not None and out.isascii() and b"\x7f" not in out:
            return out
    return json.dumps(doc, indent=2, sort_keys=False).encode("ascii")
