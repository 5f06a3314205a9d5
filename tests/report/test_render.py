"""HTML / Markdown / JSON from one ReportData; escaping; the `stormguard report` command."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from itertools import pairwise

from stormguard.cli import main
from stormguard.report.render import (
    STATIC_FINDINGS_LIMIT,
    md_escape,
    page_payload,
    render,
    render_html,
    render_json,
    render_markdown,
    script_json,
)
from stormguard.report.sample import sample_report

from .conftest import XSS_COMMENT, XSS_SCRIPT


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def test_html_escapes_everything_and_is_self_contained(hostile_report):
    html = render_html(hostile_report)
    doc = _Collector()
    doc.feed(html)
    tags = [t for t, _ in doc.tags]
    assert tags.count("script") == 2  # the JSON blob and our own script, nothing injected
    assert "img" not in tags
    assert not any(k.startswith("on") for _, attrs in doc.tags for k in attrs)
    assert not any((attrs.get("src") or "").startswith(("http", "//")) for _, attrs in doc.tags)
    assert not re.search(r"""(?:href|src)=["']?(?:https?:)?//""", html)  # no network at all
    assert "&lt;script&gt;alert(&#39;desc&#39;)&lt;/script&gt;" in html  # the description
    assert "&#34;&gt;&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    blob = doc.scripts[0]
    assert "</script" not in blob.lower() and "<!--" not in blob and "<" not in blob
    data = json.loads(blob)
    assert XSS_SCRIPT in data["s"] and XSS_COMMENT in " ".join(data["s"])
    csp = next(a["content"] for t, a in doc.tags
               if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp


def test_json_blob_escapes_script_breakers():
    text = str(script_json({"x": "</script><!-- \u2028 & >"}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"x": "</script><!-- \u2028 & >"}


def test_page_payload_rows_grouped_by_device(hostile_report):
    p = page_payload(hostile_report)
    s = p["s"]
    for d in p["d"]:
        first, count = d[7], d[8]
        assert all(s[row[3]] == s[d[0]] for row in p["f"][first:first + count])
    assert sum(d[8] for d in p["d"]) == hostile_report.total_findings


def test_markdown_and_json_agree_with_html(hostile_report):
    md = render_markdown(hostile_report)
    js = json.loads(render_json(hostile_report))
    html = render_html(hostile_report)
    assert js["schema_version"] == 1
    assert js["totals"] == {"devices_audited": 5, "devices_with_findings": 4,
                            "devices_failed": 1, "findings": 7, "waived": 1}
    assert js["severity_counts"]["critical"] == 1
    assert js["changes"]["new"] == 5 and js["changes"]["resolved"] == 1
    assert "**Since run #48:** 5 new, 1 resolved, 2 persisting." in md
    assert "critical 1, high 2, medium 2, low 1, info 1" in md
    assert "5 new · 1 resolved · 2 persisting" in html
    # Markdown escapes: no raw HTML, no table-breaking pipes, code stays readable
    assert "<script>" not in md and "<img" not in md
    assert "&lt;script&gt;" in md
    xss_row = next(ln for ln in md.splitlines() if ln.startswith("| low | bpdu-guard |"))
    assert len(re.findall(r"(?<!\\)\|", xss_row)) == 8  # 7 columns, payload cannot split one
    assert "&quot;" not in xss_row and "\"&gt;&lt;img src=x onerror=\"alert(1)\"&gt;" in xss_row


def test_md_escape():
    assert md_escape("a|b*c_[x](y)\nz <b>") == "a\\|b\\*c\\_\\[x\\](y) z &lt;b&gt;"
    assert md_escape(None) == ""


def test_static_sections_only_for_small_reports(hostile_report):
    small = render_html(hostile_report)
    assert 'data-filled="1"' in small and 'id="dev-core-1"' in small
    assert small.count('class="finding"') == hostile_report.total_findings
    big = sample_report(devices=600, findings=STATIC_FINDINGS_LIMIT + 100, runs=5)
    html = render_html(big)
    assert 'data-filled="1"' not in html and 'class="finding"' not in html
    assert len(json.loads(_blob(html))["f"]) == big.total_findings


def _blob(html: str) -> str:
    m = re.search(r'<script type="application/json" id="sg-data">(.*?)</script>', html, re.S)
    assert m
    return m.group(1)


def test_render_dispatch_rejects_unknown_format(hostile_report):
    import pytest

    from stormguard.errors import InputError

    with pytest.raises(InputError, match="unknown report format 'pdf'"):
        render(hostile_report, "pdf")


def test_cli_report_from_store(store, tmp_path, capsys):
    from .test_build import _seed_store

    _, r2 = _seed_store(store)
    db = str(store.url) if "***" not in str(store.url) else None
    url = db or f"sqlite:///{tmp_path / 'sg.db'}"
    out = tmp_path / "out" / "r.html"
    assert main(["report", "--db", url, "-o", str(out)]) == 0
    assert f"run {r2}:" in capsys.readouterr().err
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and f"run #{r2}" in html
    assert main(["report", "--db", url, "--run", "1", "-o", str(tmp_path / "r.md")]) == 0
    assert (tmp_path / "r.md").read_text().startswith("# stormguard compliance report — run #1")
    assert main(["report", "--db", url, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["run"]["id"] == r2
    assert main(["report", "--db", url, "--run", "77"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "stormguard report: error: run 77: no such run in the store"


def test_trend_chart_geometry():
    from stormguard.report.data import TrendPoint
    from stormguard.report.render import trend_chart

    pts = [TrendPoint(run_id=i, at=None, counts={"high": v, "low": 1}) for i, v in
           enumerate((3, 9, 5))]
    chart = trend_chart(pts)
    assert chart.ymax == 12
    assert [v for _, v in chart.yticks] == [0, 3, 6, 9, 12]
    ys = [y for y, _ in chart.yticks]
    assert len({round(b - a, 1) for a, b in pairwise(ys)}) == 1  # even steps
    high = next(s for s in chart.series if s["severity"] == "high")
    assert [v for _, _, v, _ in high["dots"]] == [3, 9, 5]
    assert trend_chart([]) is None
