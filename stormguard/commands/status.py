"""`stormguard status`: the last runs, the next fire times and the failing devices.

Reads the store and the config (no daemon needed, nothing is started), and asks the running
daemon's metrics endpoint (``metrics.listen``, one second at most) for the health of its
components and the sniffer's state per interface (watching / link-down / missing / error).
``--format json`` for scripts and monitoring checks.
"""

from __future__ import annotations

import argparse

HELP = "show the last runs, the next scheduled runs and the devices that failed"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", "-c", metavar="FILE", default=None,
                        help="stormguard.yaml (default: $STORMGUARD_CONFIG, ./stormguard.yaml)")
    parser.add_argument("--runs", type=int, default=10, metavar="N",
                        help="how many of the last runs to show (default 10)")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


def _findings(summary: dict) -> str:
    by_sev = (summary.get("audit") or {}).get("by_severity") or {}
    total = sum(int(v) for v in by_sev.values())
    return str(total) if by_sev else "-"


def daemon_health(cfg: object, timeout: float = 1.0) -> dict:
    """What the running daemon's metrics endpoint says about its components and sniffers."""
    import urllib.request

    metrics = cfg.metrics  # type: ignore[attr-defined]
    if not metrics.enabled:
        return {"reachable": False, "url": None,
                "reason": "metrics disabled in the config: health and sniffer state unknown"}
    host, _, port = metrics.listen.rpartition(":")
    host = host.strip("[]")
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/metrics"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            body = resp.read(8 * 1024 * 1024).decode("utf-8", "replace")
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return {"reachable": False, "url": url,
                "reason": f"not reachable at {url} ({reason}): not running?"}
    from prometheus_client.parser import text_string_to_metric_families

    components: dict[str, bool] = {}
    sniffers: dict[str, dict] = {}
    try:
        for fam in text_string_to_metric_families(body):
            for sample in fam.samples:
                labels = sample.labels
                if sample.name == "stormguard_component_up":
                    components[labels.get("component", "?")] = sample.value == 1
                elif sample.name == "stormguard_sniffer_state" and sample.value == 1:
                    sniffers.setdefault(labels.get("iface", "?"), {})["state"] = labels.get(
                        "state")
                elif sample.name == "stormguard_sniffer_state_since_timestamp_seconds":
                    sniffers.setdefault(labels.get("iface", "?"), {})["since"] = sample.value
    except ValueError as exc:
        return {"reachable": False, "url": url, "reason": f"unreadable metrics: {exc}"}
    return {"reachable": True, "url": url, "components": components,
            "sniffers": [{"iface": i, "state": v.get("state"), "since": v.get("since")}
                         for i, v in sorted(sniffers.items())]}


def _since(ts: float | None) -> str:
    import time

    if not ts:
        return "-"
    return _duration(max(0.0, time.time() - ts)) + " ago"


def run(args: argparse.Namespace) -> int:
    import json
    from datetime import UTC

    from stormguard.config import load_config
    from stormguard.daemon.scheduler import lock_name, next_fire_times
    from stormguard.errors import InputError
    from stormguard.store import Store
    from stormguard.store.cli import fmt_time, table

    if args.runs < 1:
        raise InputError(f"--runs {args.runs}: must be 1 or more")
    cfg = load_config(args.config)
    nxt = next_fire_times(cfg)
    with Store.open(cfg.resolved_database_url()) as store:
        runs = store.list_runs(limit=args.runs)
        locks = {j.name: store.get_lock(lock_name(j.name, cfg.site)) for j in cfg.jobs}
        last_collect = next((r for r in runs if r.status != "running"
                             and "collect" in (r.summary or {})), None)
        failures = store.failures(last_collect.id) if last_collect else []
        store_url = store.url
    health = daemon_health(cfg)

    if args.format == "json":
        doc = {
            "store": store_url,
            "runs": [{"id": r.id, "job": r.kind, "trigger": r.trigger, "status": r.status,
                      "started_at": r.started_at.astimezone(UTC).isoformat(),
                      "finished_at": r.finished_at.astimezone(UTC).isoformat()
                      if r.finished_at else None,
                      "duration_s": r.duration_s, "collect": (r.summary or {}).get("collect"),
                      "findings": ((r.summary or {}).get("audit") or {}).get("by_severity"),
                      "stages": {k: v.get("status") for k, v in
                                 ((r.summary or {}).get("stages") or {}).items()}}
                     for r in runs],
            "jobs": [{"name": j.name, "cron": j.cron, "enabled": j.enabled,
                      "next_run": nxt[j.name].isoformat() if nxt.get(j.name) else None,
                      "running_in": locks[j.name].holder if locks.get(j.name) else None}
                     for j in cfg.jobs],
            "failing_devices": {"run": last_collect.id if last_collect else None,
                                "devices": [{"device": f.device, "class": f.failure_class,
                                             "message": f.message} for f in failures]},
            "daemon": health,
        }
        print(json.dumps(doc, indent=2))
        return 0

    print(f"store: {store_url}")
    print()
    print("last runs:")
    if runs:
        rows = []
        for r in runs:
            s = r.summary or {}
            col = s.get("collect") or {}
            failed = sum((col.get("failed") or {}).values()) if col else 0
            devices = f"{col.get('collected', 0)}/{col.get('total', 0)}" if col else "-"
            stages = s.get("stages") or {}
            bad = [k for k, v in stages.items() if v.get("status") not in ("ok", None)]
            rows.append([str(r.id), r.kind, r.trigger, r.status, fmt_time(r.started_at),
                         _duration(r.duration_s), devices, str(failed) if col else "-",
                         _findings(s), ",".join(f"{b}:{stages[b]['status']}" for b in bad)])
        print(table(["RUN", "JOB", "TRIGGER", "STATUS", "STARTED", "TOOK", "COLLECTED",
                     "FAILED", "FINDINGS", "STAGE PROBLEMS"], rows))
    else:
        print("  (no runs yet: `stormguard run-now` or start the daemon)")
    print()
    print("schedule:")
    rows = []
    for j in cfg.jobs:
        t = nxt.get(j.name)
        lock = locks.get(j.name)
        rows.append([j.name, j.cron, fmt_time(t) if (t and j.enabled) else "disabled",
                     f"running ({lock.holder})" if lock else "-"])
    print(table(["JOB", "CRON", "NEXT RUN", "NOW"], rows))
    print()
    if not health["reachable"]:
        print(f"daemon: {health['reason']}")
    else:
        comps = health["components"]
        down = [c for c, up in comps.items() if not up]
        print("daemon: " + (", ".join(f"{c} {'up' if up else 'DOWN'}"
                                      for c, up in comps.items()) or "up"))
        if down:
            print(f"  components down (restarting): {', '.join(down)}")
        if health["sniffers"]:
            print("sniffer:")
            print(table(["IFACE", "STATE", "SINCE"],
                        [[s["iface"], str(s["state"]), _since(s["since"])]
                         for s in health["sniffers"]]))
    print()
    if last_collect is None:
        print("failing devices: (no collection yet)")
    elif not failures:
        print(f"failing devices (run {last_collect.id}): none")
    else:
        print(f"failing devices (run {last_collect.id}):")
        print(table(["DEVICE", "CLASS", "REASON"],
                    [[f.device, f.failure_class, f.message] for f in failures]))
    return 0
