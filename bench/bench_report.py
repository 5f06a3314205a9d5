"""Benchmark: the compliance report at fleet size (10,000 devices / 50,000 findings).

Measures:
1. building ReportData from 50,000 findings (compose_report: counts, compliance, changes);
2. rendering HTML, Markdown and JSON (median of --runs);
3. the HTML size (goal < 25 MB) and the JSON blob inside it;
4. headless Chromium (system /usr/bin/chromium) opening the file: DOMContentLoaded, first
   contentful paint, the page script ready, and the time a severity filter over all 50,000
   findings takes once loaded (median of --runs fresh pages);
5. optionally (--store) building ReportData from a real SQLite store holding the same fleet.

Run:  .venv/bin/python bench/bench_report.py [--runs 3] [--devices 10000] [--findings 50000]
Figures go into BENCHMARKS.md by hand, with the machine and date.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def timed(fn, runs: int):
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def chromium_load(path: Path, runs: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    rows: list[dict[str, float]] = []
    profile = tempfile.mkdtemp(prefix="sg-bench-chromium-")
    try:
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=ARGS,
                viewport={"width": 1300, "height": 900})
            for _ in range(runs):
                page = ctx.new_page()
                t = time.perf_counter()
                page.goto(path.as_uri(), timeout=120_000)
                page.wait_for_selector("html[data-ready]", timeout=120_000)
                wall = time.perf_counter() - t
                m = page.evaluate("""() => {
                    const n = performance.getEntriesByType('navigation')[0];
                    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                    const s = document.getElementById('flt-sev');
                    const t = performance.now();
                    s.value = '4'; s.dispatchEvent(new Event('change'));
                    const filter = performance.now() - t;
                    return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd,
                            fcp: fcp ? fcp.startTime : -1, filter: filter,
                            nodes: document.getElementsByTagName('*').length};
                }""")
                m["ready_wall"] = wall * 1000
                rows.append(m)
                page.close()
            ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return {k: statistics.median(r[k] for r in rows) for k in rows[0]}


def store_build(devices: int, findings: int) -> tuple[float, float]:
    """(seconds to fill a SQLite store with the fleet, seconds for build_report_data)."""
    from stormguard.report.build import build_report_data
    from stormguard.report.sample import sample_report
    from stormguard.store import Store

    data = sample_report(devices, findings)
    tmp = Path(tempfile.mkdtemp(prefix="sg-bench-store-"))
    try:
        with Store.open(f"sqlite:///{tmp / 'b.db'}") as store:
            t = time.perf_counter()
            for d in data.devices:
                store.upsert_device(d.name, d.platform or "cisco_ios", site=d.site)
            from stormguard.findings import Finding

            rid = store.start_run("nightly", "bench")
            store.save_findings(rid, [Finding(f.rule, f.severity, f.device, f.platform,
                                              f.interface, f.line, f.message, f.expected,
                                              f.actual, f.remediation)
                                      for f in data.findings])
            store.finish_run(rid, "ok", {"audited_devices": [d.name for d in data.devices]})
            _save_topology(store, rid)
            fill = time.perf_counter() - t
            t = time.perf_counter()
            built = build_report_data(store, rid)
            took = time.perf_counter() - t
            assert built.total_findings == data.total_findings
            return fill, took
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


_CHILD = """
import sys, time
from stormguard.report.build import build_report_data
from stormguard.store import Store
with Store.open(sys.argv[1]) as store:
    rid = max(r.id for r in store.list_runs(limit=5) if r.audited)
    for _ in range(int(sys.argv[2])):
        t, c = time.perf_counter(), time.process_time()
        built = build_report_data(store, rid)
        print(time.perf_counter() - t, time.process_time() - c, built.total_findings)
"""


def store_fill(url: str, devices: int, findings: int, nights: int = 2) -> None:
    """`nights` audited runs of the sample fleet into the (empty) store at `url`."""
    from stormguard.findings import Finding
    from stormguard.report.sample import sample_report
    from stormguard.store import Store

    data = sample_report(devices, findings)
    with Store.open(url) as store:
        if store.list_runs(limit=1):
            return  # filled by an earlier run of this benchmark
        for d in data.devices:
            store.upsert_device(d.name, d.platform or "cisco_ios", site=d.site)
        for _ in range(nights):
            rid = store.start_run("nightly", "bench")
            store.save_findings(rid, [Finding(f.rule, f.severity, f.device, f.platform,
                                              f.interface, f.line, f.message, f.expected,
                                              f.actual, f.remediation)
                                      for f in data.findings])
            store.finish_run(rid, "ok", {"audited_devices": [d.name for d in data.devices]})
            _save_topology(store, rid)


def _save_topology(store, rid: int) -> None:
    """The topology the audit stores with a run, at the report drawing's size limit."""
    from stormguard.report.sample import sample_topology
    from stormguard.store.topology import save_topology

    save_topology(store, rid, sample_topology())


def store_compare(url: str, runs: int, ref_tree: str | None) -> None:
    """build_report_data of the newest run (with the run before it to compare against), in a
    fresh process per round (3 calls each), alternating with `ref_tree` when given."""
    import os
    import subprocess

    trees = [("this tree", None)] + ([("reference", ref_tree)] if ref_tree else [])
    res: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in trees}
    for _ in range(runs):
        for label, tree in trees:
            env = dict(os.environ)
            if tree:
                env["PYTHONPATH"] = tree
            # cwd "/": not the checkout, which `-c` would put ahead of PYTHONPATH
            out = subprocess.run([sys.executable, "-c", _CHILD, url, "3"], env=env, check=True,
                                 capture_output=True, text=True, cwd="/").stdout
            for line in out.splitlines():
                wall, cpu, _n = line.split()
                res[label].append((float(wall), float(cpu)))
    with open("/proc/loadavg") as fh:
        load = " ".join(fh.read().split()[:3])
    for label, rows in res.items():
        walls, cpus = [w for w, _ in rows], [c for _, c in rows]
        print(f"  {label:10s} build_report_data wall median {statistics.median(walls):.2f} s "
              f"(min {min(walls):.2f}), CPU median {statistics.median(cpus):.2f} s (min "
              f"{min(cpus):.2f}); {len(rows)} calls; load now {load}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store-url", metavar="URL",
                    help="only: fill this (empty) store with 2 nights of the fleet once, then "
                         "time build_report_data from it (e.g. sqlite:////tmp/b.db, "
                         "postgresql+psycopg://postgres@127.0.0.1:5432/bench)")
    ap.add_argument("--ref-tree", metavar="DIR",
                    help="with --store-url: alternate with the package found in DIR")
    ap.add_argument("--devices", type=int, default=10_000)
    ap.add_argument("--findings", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-chromium", action="store_true")
    ap.add_argument("--store", action="store_true", help="also time build_report_data on SQLite")
    ap.add_argument("--keep", metavar="PATH", help="keep the HTML report here")
    args = ap.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if args.store_url:
        store_fill(args.store_url, args.devices, args.findings)
        store_compare(args.store_url, args.runs, args.ref_tree)
        return 0
    from stormguard.report.render import page_payload, render_html, render_json, render_markdown
    from stormguard.report.sample import sample_report

    build_s, data = timed(lambda: sample_report(args.devices, args.findings), 1)
    from stormguard.report.sample import sample_topology

    data.topology = {**sample_topology(), "run_id": data.run.id if data.run else None}
    print(f"fleet: {args.devices:,} devices, {data.total_findings:,} active findings "
          f"(+{len(data.waived):,} waived), {len(data.trend)} trend runs")
    print(f"build ReportData (synthetic + compose): {build_s:.2f} s")
    html_s, html = timed(lambda: render_html(data), args.runs)
    md_s, md = timed(lambda: render_markdown(data), args.runs)
    json_s, js = timed(lambda: render_json(data), args.runs)
    blob = len(json.dumps(page_payload(data), separators=(",", ":")).encode())
    size = len(html.encode())
    print(f"render html: {html_s:.2f} s (median of {args.runs}), {size / 1e6:.1f} MB "
          f"(embedded data {blob / 1e6:.1f} MB)")
    print(f"render md:   {md_s:.2f} s, {len(md.encode()) / 1e3:.0f} kB")
    print(f"render json: {json_s:.2f} s, {len(js.encode()) / 1e6:.1f} MB")
    ok = html_s < 10 and size < 25_000_000
    if args.store:
        fill, took = store_build(args.devices, args.findings)
        print(f"store: filled SQLite in {fill:.1f} s; build_report_data {took:.2f} s")
    if not args.no_chromium:
        path = Path(args.keep) if args.keep else Path(tempfile.mkdtemp()) / "fleet.html"
        path.write_text(html, encoding="utf-8")
        m = chromium_load(path, args.runs)
        print(f"chromium: DOMContentLoaded {m['dcl']:.0f} ms, first contentful paint "
              f"{m['fcp']:.0f} ms, load {m['load']:.0f} ms, script ready (wall) "
              f"{m['ready_wall']:.0f} ms, severity filter over all findings "
              f"{m['filter']:.0f} ms, DOM elements {m['nodes']:,.0f} (median of {args.runs})")
        if not args.keep:
            shutil.rmtree(path.parent, ignore_errors=True)
    print("goals (render < 10 s, HTML < 25 MB):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
