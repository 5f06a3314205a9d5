"""``stormguard demo``: the demo network, a few simulated nights, the report, a summary, clean-up.

Steps (each printed as it happens, so a newcomer sees what stormguard does):

1. start the demo network (:mod:`stormguard.demo.network`);
2. write a throw-away ``inventory.yaml`` and ``stormguard.yaml`` into a temp directory, with a
   SQLite store there too;
3. run the nightly pipeline (the daemon's own code: collect -> audit -> report -> notify) once
   per simulated night, with the network changing in between (a trunk opened to every VLAN, a
   fix applied, a new device): the runs are dated at 02:00 of consecutive nights, so the report
   has a trend and new / resolved / persisting findings;
4. copy the HTML report to a place that outlives the clean-up (``-o``, default
   ``./stormguard-demo-report.html``) and print a summary table;
5. stop everything and delete the temp directory. With ``--keep`` the daemon runs against the
   demo network (metrics on 127.0.0.1) until Ctrl-C first.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from stormguard.findings import SEVERITIES

DEFAULT_OUTPUT = "stormguard-demo-report.html"
_SEV_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan",
              "info": "dim"}


def write_config(workdir: Path, *, metrics_listen: str | None = None) -> Path:
    import yaml

    doc = {
        "database_url": f"sqlite:///{workdir / 'stormguard.db'}",
        "inventory": "inventory.yaml",
        "jobs": [{"name": "nightly", "cron": "0 2 * * *"}],
        "collect": {"workers": 16, "known_hosts": "known_hosts"},
        "report": {"dir": "reports", "formats": ["html", "md", "json"]},
        "metrics": {"enabled": metrics_listen is not None,
                    "listen": metrics_listen or "127.0.0.1:9731"},
        "shutdown_timeout_s": 10,
    }
    path = workdir / "stormguard.yaml"
    text = "# stormguard demo config (throw-away)\n" + yaml.safe_dump(doc, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _summary_table(data: Any, net: Any) -> Any:
    from rich.table import Table

    table = Table(title="stormguard demo: nightly compliance", title_justify="left")
    table.add_column("device")
    table.add_column("platform")
    table.add_column("site")
    table.add_column("collection")
    sevs = [s for s in reversed(SEVERITIES) if s != "info"]
    for sev in sevs:
        table.add_column(sev, justify="right", style=_SEV_STYLE[sev])
    rows: dict[str, list[str]] = {}
    for dev in data.devices:
        if dev.status == "failed":
            continue
        counts = {s: 0 for s in sevs}
        for f in dev.findings:
            if f.severity in counts:
                counts[f.severity] += 1
        rows[dev.name] = [dev.name, dev.platform or net.platforms.get(dev.name, ""),
                          dev.site or "-", "ok", *[str(counts[s]) if counts[s] else "·"
                                                   for s in sevs]]
    for fail in data.failures:
        mark = "*" if fail.device in net.faulty else ""
        rows[fail.device] = [fail.device, net.platforms.get(fail.device, ""), fail.site or "-",
                             f"[red]failed: {fail.failure_class}{mark}[/red]",
                             *["-" for _ in sevs]]
    for name in sorted(rows):
        table.add_row(*rows[name])
    totals = [str(data.severity_counts.get(s, 0)) for s in sevs]
    table.add_section()
    table.add_row("total", "", "", f"{data.devices_audited} ok, {data.devices_failed} failed",
                  *totals, style="bold")
    if any(f.device in net.faulty for f in data.failures):
        table.caption = "* " + "; ".join(f"{d} {why}" for d, why in sorted(net.faulty.items()))
        table.caption_justify = "left"
    return table


def _date_as_night(store: Any, run_id: int, night: int, nights: int) -> datetime:
    """Date run `run_id` at 02:00 (local time) of its simulated night, keeping its duration:
    the last night is last night, the first one `nights - 1` nights before."""
    from sqlalchemy import update

    from stormguard.store.models import RunModel

    today = datetime.now().astimezone().replace(hour=2, minute=0, second=0, microsecond=0)
    when = (today - timedelta(days=nights - night)).astimezone(UTC)
    row = store.get_run(run_id)
    took = (row.finished_at - row.started_at) if row and row.finished_at else timedelta(0)
    runs_t = RunModel.__table__
    with store.engine.begin() as c:
        c.execute(update(runs_t).where(runs_t.c.id == run_id).values(
            started_at=when, finished_at=when + took, heartbeat_at=when + took))
    return when


def run_demo(output: str | os.PathLike[str] | None = None, *, keep: bool = False,
             vswitches: bool = True, metrics_listen: str = "127.0.0.1:9731",
             console: Any = None) -> int:
    from rich.console import Console

    from stormguard.config import load_config
    from stormguard.daemon.pipeline import run_pipeline
    from stormguard.demo.network import NIGHTS, demo_network, write_inventory
    from stormguard.report import build_report_data
    from stormguard.store import Store

    if console is None:
        console = Console()
        if not console.is_terminal:  # piped or in CI: wide enough for the table, no wrapping
            console = Console(width=120)
    out = Path(output or DEFAULT_OUTPUT).resolve()
    if out.is_dir():
        out = out / DEFAULT_OUTPUT
    out.parent.mkdir(parents=True, exist_ok=True)
    # the demo's own store and config, whatever this shell has exported for a real install
    saved = {k: os.environ.pop(k) for k in list(os.environ)
             if k.startswith("STORMGUARD_")}
    t0 = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="stormguard-demo-"))
    try:
        console.print("[bold]stormguard demo[/bold]: starting a demo network on loopback ...")
        with demo_network(vswitches=vswitches) as net:
            inv = write_inventory(net, workdir / "inventory.yaml", night=1)
            cfg_path = write_config(workdir, metrics_listen=metrics_listen if keep else None)
            cfg = load_config(cfg_path, environ={})
            kinds = sorted(set(net.platforms.values()))
            console.print(f"  {len(net.hosts)} devices ({', '.join(kinds)}) in {inv}")
            for note in net.notes:
                console.print(f"  [yellow]note:[/yellow] {note}")
            console.print(f"running the nightly pipeline (collect -> audit -> report -> notify) "
                          f"for {NIGHTS} simulated nights, the network changing in between")
            store = Store.open(cfg.resolved_database_url())
            history: list[tuple[int, int]] = []  # (run id, active findings) per night
            try:
                for night in range(1, NIGHTS + 1):
                    events = net.change(night)
                    events += [f"{n}: new device, added to the inventory"
                               for n in net.joining(night)]
                    write_inventory(net, workdir / "inventory.yaml", night=night)
                    result = run_pipeline(cfg, cfg.jobs[0], store, trigger="demo")
                    when = _date_as_night(store, result.run_id, night, NIGHTS)
                    total = sum(result.findings.values())
                    history.append((result.run_id, total))
                    local = when.astimezone().strftime("%a %d %b %H:%M")
                    console.print(f"  night {night} ({local}): run {result.run_id} "
                                  f"{result.status}, {total} active finding(s)", highlight=False)
                    for ev in events:
                        console.print(f"    changed before it: {ev}", highlight=False)
                data = build_report_data(store, result.run_id)
            finally:
                store.close()
            html = result.html_report
            if html is None:
                console.print("[red]the report could not be written; see the log above[/red]")
                return 1
            shutil.copyfile(html, out)
            console.print(_summary_table(data, net))
            ch = data.changes
            console.print("trend of active findings: "
                          + " -> ".join(f"{n} (run {rid})" for rid, n in history),
                          highlight=False)
            console.print(f"since run {ch.previous_run_id}: {ch.new} new, {ch.resolved} "
                          f"resolved, {ch.persisting} persisting", highlight=False)
            _print_topology(console, data.topology)
            console.print(f"run {result.run_id}: {result.status}, {data.total_findings} active "
                          f"finding(s) on {data.devices_audited} device(s), "
                          f"{data.devices_failed} collection failure(s), "
                          f"{time.monotonic() - t0:.1f} s")
            console.print(f"[bold green]report:[/bold green] {out}")
            console.print(f"open it in a browser: file://{out}", highlight=False)
            if keep:
                _keep_running(cfg, console, metrics_listen)
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        os.environ.update(saved)


def _print_topology(console: Any, topo: dict[str, Any] | None) -> None:
    """One line for the L2 graph, then each risky loop hop by hop (as the report lists it)."""
    if not topo:
        console.print("topology: none stored (no audit computed it)")
        return
    t = topo.get("totals") or {}
    console.print(f"topology: {t.get('nodes', 0)} switches and vSwitches, "
                  f"{t.get('links', 0)} links, {t.get('loops', 0)} risky loop(s)",
                  highlight=False)
    for n, loop in enumerate(topo.get("loops") or [], 1):
        console.print(f"  [red]loop {n}[/red] ({' + '.join(loop.get('rules') or [])}, VLANs "
                      f"{loop.get('vlans', '')}): {', '.join(loop.get('hops') or [])}",
                      highlight=False)


def _keep_running(cfg: Any, console: Any, metrics_listen: str) -> None:
    from stormguard.daemon.logging import setup_logging
    from stormguard.daemon.service import Daemon

    console.print(f"--keep: the daemon runs against the demo network; metrics on "
                  f"http://{metrics_listen}/metrics; Ctrl-C to stop and clean up")
    setup_logging(cfg.log_format, cfg.log_level)
    Daemon(cfg).run()
