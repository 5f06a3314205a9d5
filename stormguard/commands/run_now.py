"""`stormguard run-now [JOB]`: run a job's pipeline now, in the foreground.

The same pipeline as the daemon's (collect -> audit -> report -> notify, one run), under the
same store lock: when a daemon (or another run-now) is running that job, it says so and exits 1
instead of running it twice. Ctrl-C / SIGTERM stop it like the daemon: no new devices, the run
marked interrupted. Exit 0 when every device was collected, 1 when some failed, 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys

HELP = "run a job's pipeline (collect, audit, report, notify) now, in the foreground"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("job", nargs="?", default=None, metavar="JOB",
                        help="job name from stormguard.yaml (default: the first job, 'nightly')")
    parser.add_argument("--config", "-c", metavar="FILE", default=None,
                        help="stormguard.yaml (default: $STORMGUARD_CONFIG, ./stormguard.yaml)")
    parser.add_argument("--log-format", choices=("text", "json"), default=None,
                        help="progress log lines on stderr in this format")
    parser.add_argument("--site", metavar="SITE", default=None,
                        help="run it for this site's inventory only (overrides `site:`)")


def print_result(result, out=None) -> None:  # PipelineResult
    from stormguard.store.cli import table

    out = out or sys.stdout
    print(f"run {result.run_id} ({result.job}): {result.status} in {result.duration_s:.1f} s",
          file=out)
    rows = [["collected", str(result.collected)], ["  changed", str(result.changed)],
            ["  unchanged", str(result.unchanged)]]
    if result.skipped:
        rows.append(["skipped", str(result.skipped)])
    rows += [[f"failed: {cls}", str(n)] for cls, n in result.failed.items()]
    rows.append(["devices audited", str(result.devices_audited)])
    rows += [[f"findings: {sev}", str(n)] for sev, n in result.findings.items() if n]
    print(table(["RESULT", "COUNT"], rows), file=out)
    if result.failures:
        print(file=out)
        print(table(["DEVICE", "CLASS", "REASON"],
                    [[d, c, m] for d, c, m in sorted(result.failures)]), file=out)
    for fmt, path in result.report_paths.items():
        print(f"report ({fmt}): {path}", file=out)
    for n in result.notify:
        state = "delivered" if n["ok"] else f"FAILED: {n['error']}"
        print(f"notify {n['channel']} {n['target']}: {state}", file=out)


def run(args: argparse.Namespace) -> int:
    import signal
    import threading

    from stormguard.commands.daemon import with_site
    from stormguard.config import load_config
    from stormguard.daemon.logging import setup_logging
    from stormguard.daemon.scheduler import JobRunner, LockBusy
    from stormguard.errors import InputError, StormguardError
    from stormguard.store import Store

    cfg = with_site(load_config(args.config), args.site)
    setup_logging(args.log_format or cfg.log_format, cfg.log_level, stream=sys.stderr)
    names = [j.name for j in cfg.jobs]
    name = args.job or (names[0] if names else None)
    if name is None or name not in names:
        raise InputError(f"job {args.job!r} is not in {cfg.source or 'the config'} "
                         f"(jobs: {', '.join(names) or 'none'})")
    stop = threading.Event()

    def on_signal(_sig: int, _frame: object) -> None:
        stop.set()

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    store = Store.open(cfg.resolved_database_url(), keep_secrets=cfg.store.keep_secrets)
    try:
        runner = JobRunner(cfg, store, stop=stop)
        try:
            result = runner.run(name, "run-now", interactive=True)
        except LockBusy as exc:
            print(f"stormguard run-now: {exc}; not started", file=sys.stderr)
            return 1
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        store.close()
    if result is None:
        raise StormguardError(f"job {name}: did not run (see the log above)")
    print_result(result)
    if result.status == "interrupted":
        from stormguard.daemon.service import leave_if_stuck

        return leave_if_stuck(130)  # an abandoned device must not keep the process alive
    return 0 if result.status == "ok" else 1
