"""`stormguard audit`: run the policy on the latest stored snapshots and store the findings.

The configs come from the store (what `stormguard collect` saved), not from the devices, so an
audit is cheap, repeatable, and can be re-run after a policy change. Findings go into a new run
of kind ``audit``, or are attached to an existing run with ``--run`` (the nightly pipeline
audits its own collection run that way).
"""

from __future__ import annotations

import argparse
import sys

from stormguard.store.cli import add_db_argument, open_store, run_id, table

HELP = "audit the latest collected configs against the policy and store the findings"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run", type=run_id, metavar="ID", default=None,
                        help="attach the findings to this run and audit the configs as of it "
                             "(default: a new run of kind 'audit' over the latest snapshots)")
    parser.add_argument("--limit", metavar="GLOB", default=None,
                        help="audit only devices whose inventory name matches")
    parser.add_argument("--policy", action="append", default=[], metavar="FILE",
                        help="policy pack(s) on top of the default pack (repeatable)")
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    import fnmatch

    from stormguard.errors import InputError
    from stormguard.policy import load_policy
    from stormguard.store.audit import audit_snapshots

    policy = load_policy(args.policy)  # a bad policy is a usage error: one line, exit 2
    from stormguard.config import load_config

    cfg = load_config(args.config)  # change windows and alert channels for SG601 drift
    with open_store(args) as store:
        if args.limit and not any(fnmatch.fnmatchcase(d.name, args.limit)
                                  for d in store.devices()):
            # Refuse before a run exists: an audited run with no devices would become "the
            # latest report" and read as an all-clear.
            raise InputError(f"--limit {args.limit!r} matches no device in the store")
        if args.run is not None:
            target = store.get_run(args.run)
            if target is None:
                raise InputError(f"run {args.run} does not exist")
            run_id = args.run
        else:
            run_id = store.start_run("audit", "cli")
        try:
            result = audit_snapshots(store, run_id, policy, device_glob=args.limit,
                                     baseline=cfg.baseline)
        except BaseException as exc:
            if args.run is None:
                if isinstance(exc, KeyboardInterrupt):  # Ctrl-C: say so, as the daemon does
                    store.finish_run(run_id, "interrupted", {"error": "audit interrupted"})
                else:
                    store.finish_run(run_id, "failed", {"error": "audit aborted"})
            raise
        if args.run is None:
            store.finish_run(run_id, "partial" if result.errors else "ok", result.summary())
        else:
            store.update_run_summary(run_id, result.summary())
        from stormguard.baseline.drift import page_and_deliver

        queued, sent, failed = page_and_deliver(store, cfg.alerts, cfg.baseline)
        if queued:
            print(f"drift alerts: {queued} queued, {sent} sent, {failed} failed "
                  "(kept in the outbox for retry)", file=sys.stderr)
    if result.devices == 0 and not result.errors:
        print(f"run {run_id}: no snapshots to audit (run `stormguard collect` first)")
        return 0
    for err in result.errors:
        print(f"warning: {err}", file=sys.stderr)
    for w in result.expired_waivers:
        print(f"warning: {w.source or 'policy'}: waiver for {w.rule} on {w.device} "
              f"expired {w.expires}", file=sys.stderr)
    counts = result.by_severity()
    rows = [[sev, str(n)] for sev, n in counts.items() if n]
    print(f"run {run_id}: audited {result.devices} device(s) from {result.snapshots} snapshot(s): "
          f"{len(result.findings)} finding(s), {result.waived} waived, "
          f"{len(result.errors)} error(s)")
    if rows:
        print(table(["SEVERITY", "FINDINGS"], rows))
    return 0
