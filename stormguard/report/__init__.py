"""The compliance report: one data shape, three formats.

What the daemon (or anything else) calls after an audited run::

    from stormguard.report import build_report_data, render
    data = build_report_data(store, run_id)        # ReportData (run_id None: newest audited)
    html = render(data, "html")                    # also "md", "json"

    from stormguard.notify import notify_run
    results = notify_run(config.notify, data, html=html, store=store)   # never raises

* :mod:`stormguard.report.data` -- the :class:`ReportData` dataclasses;
* :mod:`stormguard.report.build` -- store -> ReportData (and the pure :func:`compose_report`);
* :mod:`stormguard.report.render` -- Jinja2 templates in ``reports/`` (autoescaped HTML with
  inline CSS/JS, Markdown, JSON);
* :mod:`stormguard.report.sample` -- a synthetic fleet for benchmarks and tests.
"""

from __future__ import annotations

from stormguard.report.build import build_report_data, compose_report
from stormguard.report.data import ReportData
from stormguard.report.render import FORMATS, render, render_html, render_json, render_markdown

__all__ = [
    "FORMATS",
    "ReportData",
    "build_report_data",
    "compose_report",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
]
