"""The HTML report in real headless Chromium (system /usr/bin/chromium, driven by Playwright)."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from stormguard.report.render import render_html
from stormguard.report.sample import sample_report

from .conftest import XSS_COMMENT, XSS_IMG, XSS_SCRIPT

pytestmark = pytest.mark.chromium

SHOTS = os.environ.get("STORMGUARD_SCREENSHOTS")  # keep screenshots here when set


def _shot(watch, tmp_path, name: str, full: bool = False) -> None:
    path = tmp_path / name
    if full:
        watch.page.evaluate("window.scrollTo(0, 0)")
    watch.page.screenshot(path=str(path), full_page=full)
    assert path.stat().st_size > 10_000  # a real, non-blank render
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        shutil.copy(path, os.path.join(SHOTS, name))


def _rows(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#sg-findings-body tr", "rows => rows.map(r => Array.from(r.cells, c => c.innerText))")


def _wait(page, expr: str, timeout: float = 10.0) -> None:
    """Poll ``expr`` (page.wait_for_function would need 'unsafe-eval', which our CSP forbids)."""
    end = time.monotonic() + timeout
    while not page.evaluate(f"() => ({expr})"):
        assert time.monotonic() < end, f"timed out waiting for {expr}"
        time.sleep(0.05)


def _assert_clean(watch) -> None:
    assert watch.errors == [], watch.errors
    assert watch.dialogs == [], watch.dialogs
    assert all(u.startswith(("file://", "data:", "about:")) for u in watch.requests), \
        watch.requests
    assert watch.page.evaluate("document.querySelectorAll('img').length") == 0
    assert watch.page.evaluate("document.scripts.length") == 2


def test_static_report_renders_sorts_filters_and_is_inert(hostile_report, open_report, tmp_path):
    watch = open_report(render_html(hostile_report))
    page = watch.page
    _shot(watch, tmp_path, "report-top.png")
    assert page.inner_text("header.top h1") == "stormguard compliance report"
    summary = page.inner_text("#summary")
    assert "DEVICES AUDITED\n5\n4 with findings" in summary and "timeout 1" in summary
    assert page.evaluate("document.querySelectorAll('#trend svg polyline').length") == 5

    rows = _rows(page)
    assert len(rows) == 7 and rows[0][0] == "CRITICAL"  # worst first
    page.click("#sg-findings th[data-col=dev] button")
    devices = [r[2] for r in _rows(page)]
    assert devices == sorted(devices, key=str.lower) or devices[0] == XSS_IMG
    page.click("#sg-findings th[data-col=dev] button")  # again: descending
    assert [r[2] for r in _rows(page)] == list(reversed(devices))

    page.select_option("#flt-sev", label="medium")
    assert {r[0] for r in _rows(page)} == {"MEDIUM"} and len(_rows(page)) == 2
    page.select_option("#flt-site", label="fra")
    assert len(_rows(page)) == 2
    assert page.is_hidden("#dev-core-1") and page.is_visible("#dev-edge-2")
    page.click("#flt-reset")
    page.select_option("#flt-rule", label="trunk-allowed-vlans")
    assert sorted(r[2] for r in _rows(page)) == ["core-1", "edge-2"]
    page.click("#flt-reset")
    page.fill("#flt-dev", "hv-")
    _wait(page, "document.querySelectorAll('#sg-findings-body tr').length === 2")
    assert {r[2] for r in _rows(page)} == {"hv-3"}
    page.click("#flt-reset")

    # the hostile device description and the finding text show as text
    page.click("#dev-core-1 > summary")
    body = page.inner_text("#dev-core-1")
    assert XSS_SCRIPT in body and XSS_IMG in body and XSS_COMMENT in body
    assert "<script>" in page.inner_text("#failures")
    assert XSS_COMMENT in page.inner_text("#waived")
    _shot(watch, tmp_path, "report-full.png", full=True)
    _assert_clean(watch)


def test_lazy_sections_anchors_and_print(hostile_report, open_report, tmp_path):
    target = next(f for f in hostile_report.findings if f.device == "hv-3")
    watch = open_report(render_html(hostile_report, static_devices=False), "lazy.html",
                        fragment=f"#{target.id}")
    page = watch.page
    # the linked finding's device was filled and opened, the finding highlighted
    assert page.evaluate("document.getElementById('dev-hv-3').open") is True
    assert page.get_attribute(f"#{target.id}", "class") == "finding hl"
    # other devices are still empty shells
    assert page.evaluate("document.querySelector('#dev-core-1 .body')") is None
    page.click("#dev-core-1 > summary")
    text = page.inner_text("#dev-core-1 .body")
    assert XSS_SCRIPT in text and "spanning-tree mode rapid-pvst" in text
    assert page.inner_text("#dev-core-1 pre.fix").endswith(XSS_COMMENT)
    # a table link to a device anchor opens it
    page.click(f"#sg-findings-body a[href='#{target.id}']")
    assert page.evaluate("location.hash") == f"#{target.id}"
    page.evaluate("location.hash = '#dev-edge-2'")
    _wait(page, "document.getElementById('dev-edge-2').open === true")
    # printing: every shown device expands, the filters disappear
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("Array.from(document.querySelectorAll('details.dev')).every(d => d.open)")
    assert page.is_hidden("#sg-filters")
    _shot(watch, tmp_path, "report-print.png")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    assert page.evaluate("document.getElementById('dev-ok-4').open") is False
    _assert_clean(watch)


@pytest.mark.slow
def test_fleet_size_report_opens_without_freezing(open_report, tmp_path):
    data = sample_report(devices=10_000, findings=50_000)
    t0 = time.perf_counter()
    html = render_html(data)
    assert time.perf_counter() - t0 < 10
    assert len(html.encode()) < 25_000_000
    t0 = time.perf_counter()
    watch = open_report(html, "fleet.html")
    load_s = time.perf_counter() - t0
    page = watch.page
    assert load_s < 15, load_s
    assert page.evaluate("document.querySelectorAll('details.dev').length") == 300
    assert "(10,000 in total)" in page.inner_text("#sg-devices-count")
    assert len(_rows(page)) == 250  # one page of the 50k, not 50k DOM rows
    assert "of 49," in page.inner_text("#sg-findings-count")
    # a filter over all findings answers quickly (the page is not frozen)
    took = page.evaluate("""() => { const t = performance.now();
        const s = document.getElementById('flt-sev'); s.value = '4';
        s.dispatchEvent(new Event('change')); return performance.now() - t; }""")
    assert took < 2000, took
    assert {r[0] for r in _rows(page)} == {"CRITICAL"}
    took = page.evaluate("""() => { const t = performance.now();
        document.querySelector('#sg-findings th[data-col=rule] button').click();
        return performance.now() - t; }""")
    assert took < 2000, took
    # a link to a device far beyond the first page still opens it
    last = data.devices[-1]
    page.evaluate(f"location.hash = '#{last.anchor}'")
    _wait(page, f"document.getElementById('{last.anchor}')?.open === true")
    _shot(watch, tmp_path, "report-fleet.png")
    _assert_clean(watch)


def test_report_built_from_a_real_store(store, open_report, tmp_path):
    from stormguard.report.build import build_report_data

    from .test_build import _seed_store

    _, r2 = _seed_store(store)
    watch = open_report(render_html(build_report_data(store)), "store.html")
    page = watch.page
    assert f"Run #{r2}" in page.inner_text("header.top")
    assert [r[2] for r in _rows(page)] == ["sw1", "hv1/br0"]  # high first, then medium
    assert "auth" in page.inner_text("#failures") and "hv1:vnet1" in page.inner_text("#storms")
    assert "ana" in page.inner_text("#expiring")
    page.click("#dev-sw1 > summary")
    assert "switchport trunk allowed vlan 10,20" in page.inner_text("#dev-sw1 pre.fix")
    _shot(watch, tmp_path, "report-store.png", full=True)
    _assert_clean(watch)


def test_empty_report_opens_clean(open_report):
    from stormguard.report.build import compose_report

    watch = open_report(render_html(compose_report(run=None, findings=[], devices=[])),
                        "empty.html")
    assert "Showing 0 of 0 matching findings" in watch.page.inner_text("#sg-findings-count")
    assert watch.page.is_hidden("#sg-more") and watch.page.is_hidden("#sg-more-devices")
    _assert_clean(watch)
