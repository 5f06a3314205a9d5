"""Render a :class:`ReportData` as HTML, Markdown or JSON.

HTML: one self-contained file from ``reports/report.html.j2`` (inline CSS and JS, no network).
Jinja2 autoescaping is on for it. At fleet size (10,000 devices, 50,000 findings) the findings
are not rendered as HTML rows: they travel once, as a compact JSON blob (string table + integer
rows) inside ``<script type="application/json">``, and the page's script draws the findings
table a page at a time and fills a device's ``<details>`` only when it is opened. Small reports
(up to :data:`STATIC_FINDINGS_LIMIT` findings) additionally get every device section rendered
server-side, so they read fine where scripts do not run (mail clients, printouts).

The JSON blob is made safe for a ``<script>`` element by escaping ``<``, ``>`` and ``&`` (so
``</script>`` and ``<!--`` cannot appear) and U+2028/2029. The page also carries a
Content-Security-Policy that allows only its own script (by hash), no network and no inline
event handlers: a defence in depth should escaping ever be missed.

Markdown: Jinja2 with a finaliser that escapes every interpolated value for Markdown (HTML
entities for ``<``/``>``/``&``, backslashes for Markdown punctuation, no raw newlines in table
cells), the same "escape by default" rule the HTML gets from autoescaping.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from stormguard.errors import InputError
from stormguard.findings import SEVERITIES
from stormguard.report.data import ReportData, TrendPoint, device_anchor
from stormguard.resources import data_dir

FORMATS: tuple[str, ...] = ("html", "md", "json")
#: Up to this many active findings, device sections are also rendered as static HTML.
STATIC_FINDINGS_LIMIT = 2000
#: Markdown is for chat and tickets: it lists at most this many findings.
MARKDOWN_FINDINGS_LIMIT = 200

SEVERITY_COLORS: dict[str, str] = {
    "critical": "#7f1d1d",
    "high": "#dc2626",
    "medium": "#d97706",
    "low": "#2563eb",
    "info": "#6b7280",
}
CHANGE_CODES = {"": 0, "new": 1, "persisting": 2}


# --------------------------------------------------------------------------- environments


@lru_cache(maxsize=1)
def _html_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(data_dir("reports"))),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["duration"] = fmt_duration
    env.filters["num"] = fmt_num
    env.globals["SEVERITIES"] = SEVERITIES
    env.globals["SEVERITY_COLORS"] = SEVERITY_COLORS
    return env


_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


class MdRaw(str):
    """A string the Markdown finaliser passes through unescaped (code blocks we built)."""


def md_escape(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, MdRaw):
        return value
    text = str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.splitlines())


def md_code(value: Any) -> MdRaw:
    """Fenced code block whose fence is longer than any backtick run inside ``value``."""
    text = "" if value is None else str(value)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return MdRaw(f"{fence}\n{text.rstrip()}\n{fence}")


@lru_cache(maxsize=1)
def _md_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(data_dir("reports"))),
        autoescape=False,  # Markdown: the finaliser escapes every value instead
        finalize=md_escape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["code"] = md_code
    env.filters["duration"] = fmt_duration
    env.filters["num"] = fmt_num
    env.globals["SEVERITIES"] = SEVERITIES
    return env


# --------------------------------------------------------------------------- helpers


def fmt_num(value: float | int | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {(s % 3600) // 60:02d}m"


def script_json(payload: Any) -> Markup:
    """JSON that is safe between ``<script type="application/json">`` tags."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return Markup(text)  # escaped above for the script-data context


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str, str]:
    folder = data_dir("reports")
    css = (folder / "report.css").read_text(encoding="utf-8")
    js = (folder / "report.js").read_text(encoding="utf-8")
    return css, js, _csp_hash(js)


class _Strings:
    """String table for the JSON blob: every distinct string is sent once."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, value: str | None) -> int:
        if value is None or value == "":
            return -1
        i = self.index.get(value)
        if i is None:
            i = self.index[value] = len(self.items)
            self.items.append(value)
        return i


def page_payload(data: ReportData) -> dict[str, Any]:
    """The compact blob the page script reads: ``f`` rows are grouped by device, in device order.

    f row: [id, severity index, rule, device, site, interface, line, message, expected, actual,
            remediation, change (0 none, 1 new, 2 persisting), platform, source]
    d row: [name, anchor, platform, site, description, status, failure class, first f row,
            number of f rows, waived count, worst severity index or -1]
    """
    s = _Strings()
    sev_index = {name: i for i, name in enumerate(SEVERITIES)}
    rows: list[list[Any]] = []
    devs: list[list[Any]] = []
    for d in data.devices:
        first = len(rows)
        worst = -1
        for f in d.findings:
            sev = sev_index.get(f.severity, 0)
            worst = max(worst, sev)
            rows.append([f.id, sev, s(f.rule), s(f.device), s(f.site), s(f.interface), f.line,
                         s(f.message), s(f.expected), s(f.actual), s(f.remediation),
                         CHANGE_CODES.get(f.change, 0), s(f.platform), s(f.source)])
        devs.append([s(d.name), d.anchor, s(d.platform), s(d.site), s(d.description), d.status,
                     s(d.failure_class), first, len(rows) - first, d.waived, worst])
    rules = sorted({r.name for r in data.rule_compliance})
    sites = sorted({d.site for d in data.devices if d.site})
    return {
        "sev": list(SEVERITIES),
        "rules": [s(r) for r in rules],
        "sites": [s(x) for x in sites],
        "s": s.items,
        "f": rows,
        "d": devs,
    }


@dataclass
class TrendChart:
    """Geometry of the inline SVG trend chart (numbers only; labels are escaped by Jinja)."""

    width: int
    height: int
    left: int
    bottom: int
    top: int
    right: int
    ymax: int
    series: list[dict[str, Any]]  # {"severity", "color", "points": "x,y x,y", "dots": [...]}
    xlabels: list[tuple[float, str]]
    yticks: list[tuple[float, int]]
    totals: list[tuple[float, float, int, str]]


def _nice_max(value: int) -> int:
    """Top of the y axis: four equal integer steps of 1, 2, 3 or 5 x 10^k covering ``value``."""
    magnitude = 1
    while True:
        for step in (1, 2, 3, 5):
            if 4 * step * magnitude >= value:
                return 4 * step * magnitude
        magnitude *= 10


def trend_chart(points: list[TrendPoint], width: int = 760, height: int = 220) -> TrendChart | None:
    if not points:
        return None
    left, right, top, bottom = 48, 16, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    ymax = _nice_max(max(max(p.counts.values(), default=0) for p in points))
    n = len(points)

    def x(i: int) -> float:
        return round(left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2), 1)

    def y(v: int) -> float:
        return round(top + plot_h - plot_h * v / ymax, 1)

    series = []
    for sev in reversed(SEVERITIES):
        coords = [(x(i), y(p.counts.get(sev, 0)), p.counts.get(sev, 0), p.run_id)
                  for i, p in enumerate(points)]
        series.append({
            "severity": sev,
            "color": SEVERITY_COLORS[sev],
            "points": " ".join(f"{cx},{cy}" for cx, cy, _, _ in coords),
            "dots": coords,
        })
    step = max(1, n // 10)
    xlabels = [(x(i), f"#{p.run_id}") for i, p in enumerate(points) if i % step == 0 or i == n - 1]
    yticks = [(y(ymax * k // 4), ymax * k // 4) for k in range(5)]
    totals = [(x(i), y(p.counts.get("critical", 0)), p.total, p.at or "")
              for i, p in enumerate(points)]
    return TrendChart(width, height, left, bottom, top, right, ymax, series, xlabels, yticks,
                      totals)


# --------------------------------------------------------------------------- renderers


def render_html(data: ReportData, *, static_devices: bool | None = None) -> str:
    """The self-contained HTML report. ``static_devices`` None: automatic by size."""
    if static_devices is None:
        static_devices = (data.total_findings <= STATIC_FINDINGS_LIMIT
                          and len(data.devices) <= STATIC_FINDINGS_LIMIT)
    css, js, js_hash = _assets()
    csp = (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
           f"script-src {js_hash}; base-uri 'none'; form-action 'none'")
    template = _html_env().get_template("report.html.j2")
    return template.render(
        r=data,
        topology_svg=topology_svg(data),
        topology_blocks=topology_blocks(data) if data.sites else [],
        css=Markup(css),  # our own packaged stylesheet
        js=Markup(js),  # our own packaged script (its hash is in the CSP)
        csp=csp,
        payload=script_json(page_payload(data)),
        chart=trend_chart(data.trend),
        static_devices=static_devices,
        max_resolved=500,
    )


def topology_svg(data: ReportData) -> Markup | None:
    """The inline SVG of the report's topology section (None when there is nothing to draw).
    Our own renderer's output: every text in it is escaped, and it holds no script."""
    return _svg(data.topology)


def _svg(topo: dict[str, Any] | None) -> Markup | None:
    if not topo or not topo.get("nodes"):
        return None
    from stormguard.topology.render import report_svg

    return Markup(report_svg(topo))


def site_anchor(site: str) -> str:
    """``topology-site-NAME``: the HTML id of a site's block in the topology section."""
    return "topology-site-" + device_anchor(site).removeprefix("dev-")


def topology_blocks(data: ReportData, *, svg: bool = True) -> list[dict[str, Any]]:
    """What the topology section shows, one block per topology: the report's own (one site),
    or one per site of a report across sites, in site order. Each block: ``site`` (None for
    the single-site report), ``id``, ``t`` (the stored data or None; ``t.run_id`` the run that
    computed it, ``t.at`` its start for a site), ``svg`` (HTML only), ``older`` (computed by
    an earlier run than the one reported), ``note`` (why a site's topology is not tonight's,
    or why there is none) and ``current``."""
    if not data.sites:
        t = data.topology
        older = bool(t and data.run and t.get("run_id") != data.run.id)
        return [{"site": None, "id": "topology", "t": t, "svg": _svg(t) if svg else None,
                 "older": older, "note": "", "current": not older}]
    out = []
    for s in data.sites:
        t = s.topology
        out.append({"site": s.site, "id": site_anchor(s.site), "t": t,
                    "svg": _svg(t) if svg else None, "older": not s.topology_current,
                    "note": s.topology_note, "current": s.topology_current})
    return out


def render_markdown(data: ReportData, *, max_findings: int = MARKDOWN_FINDINGS_LIMIT) -> str:
    template = _md_env().get_template("report.md.j2")
    findings = data.findings
    return template.render(r=data, findings=findings[:max_findings],
                           more=max(0, len(findings) - max_findings),
                           topology_blocks=topology_blocks(data, svg=False))


def render_json(data: ReportData, *, indent: int | None = None) -> str:
    """Compact by default (a fleet's report is tens of MB); pass ``indent`` for humans."""
    return json.dumps(data.to_dict(), indent=indent, ensure_ascii=False) + "\n"


def render(data: ReportData, fmt: str) -> str:
    if fmt == "html":
        return render_html(data)
    if fmt == "md":
        return render_markdown(data)
    if fmt == "json":
        return render_json(data)
    raise InputError(f"unknown report format {fmt!r}: choose one of {', '.join(FORMATS)}")
