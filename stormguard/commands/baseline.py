"""`stormguard baseline approve|list|show`: approved configurations, the reference for SG601.

``approve DEVICE...`` (or ``--all``) records the latest committed snapshot of each device as
approved: who (``--by``, default the OS user), when, why (``--reason``). Approvals are history:
the newest one of a device is its baseline. Approving closes the device's open drift; if that
drift was paged, a resolution goes out through the alert channels of stormguard.yaml.
``list`` shows every baseline and whether the device has drifted; ``show DEVICE`` its baseline,
its approvals and drifts, and with ``--diff`` the diff from the baseline to its latest snapshot.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from stormguard.store.cli import add_db_argument, fmt_time, open_store, table

HELP = "approve devices' current configurations; list and show approved baselines and drift"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = sub.add_parser("approve", help="approve the latest committed snapshot of devices")
    p.add_argument("devices", nargs="*", metavar="DEVICE", help="inventory names")
    p.add_argument("--all", action="store_true",
                   help="every device that has a committed snapshot")
    p.add_argument("--reason", default="", metavar="TEXT", help="why (a change ticket...)")
    p.add_argument("--by", default=None, metavar="NAME", help="who approves (default: the OS "
                   "user)")
    add_db_argument(p)
    p = sub.add_parser("list", help="every approved baseline and its drift status")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_db_argument(p)
    p = sub.add_parser("show", help="one device's baseline, approvals and drifts")
    p.add_argument("device", metavar="DEVICE")
    p.add_argument("--diff", action="store_true",
                   help="also the diff from the baseline to the latest committed snapshot")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_db_argument(p)


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no passwd entry, no LOGNAME (a container)
        return "unknown"


def _one_line(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _status(drifts: list[Any]) -> str:
    if not drifts:
        return "approved"
    d = drifts[0]
    return f"DRIFT since run {d.run_id}" + (" (in change window)" if d.in_window else "")


def run(args: argparse.Namespace) -> int:
    return {"approve": _approve, "list": _list, "show": _show}[args.action](args)


def _approve(args: argparse.Namespace) -> int:
    from stormguard.baseline.store import BaselineStore
    from stormguard.errors import InputError
    from stormguard.store.records import COMMITTED_STATUSES

    if args.all and args.devices:
        raise InputError("baseline approve: name devices or give --all, not both")
    if not args.all and not args.devices:
        raise InputError("baseline approve: name at least one device, or give --all")
    by = (args.by if args.by is not None else _os_user()).strip()
    if not by:
        raise InputError("baseline approve: --by must not be empty")
    from stormguard.config import load_config

    cfg = load_config(args.config)  # its alert channels send the resolutions; read it first
    with open_store(args) as store:
        baselines = BaselineStore(store)
        if args.all:
            names = []
            for dev in store.devices():
                if any(s.run_status in COMMITTED_STATUSES
                       for s in store.snapshot_history(dev.name)):
                    names.append(dev.name)
                else:
                    print(f"skipped {dev.name}: no committed snapshot yet", file=sys.stderr)
            if not names:
                raise InputError("baseline approve --all: no device has a committed snapshot "
                                 "yet (run `stormguard collect` first)")
        else:
            names = list(dict.fromkeys(args.devices))
            for name in names:  # all or nothing: a typo must not approve half the list
                if store.get_device(name) is None:
                    raise InputError(f"unknown device {name!r}: not in the store (collect it "
                                     "first: `stormguard collect`); nothing approved")
                if not any(s.run_status in COMMITTED_STATUSES
                           for s in store.snapshot_history(name)):
                    raise InputError(f"device {name!r} has no committed snapshot yet; "
                                     "nothing approved")
        for name in names:
            open_before = len(baselines.drifts(name, open_only=True))
            a = baselines.approve(name, by=by, reason=args.reason)
            closed = f"; closed {open_before} open drift(s)" if open_before else ""
            print(f"approved {name}: snapshot {a.snapshot_id} (run {a.run_id}), sha256 "
                  f"{a.sha256[:12]}, by {a.approved_by}{closed}")
        _resolve_pages(store, cfg)
    return 0


def _resolve_pages(store: Any, cfg: Any) -> None:
    """Resolutions for the drifts an approval closed, through stormguard.yaml's channels."""
    from stormguard.baseline.drift import page_and_deliver

    queued, sent, failed = page_and_deliver(store, cfg.alerts, cfg.baseline)
    if queued:
        print(f"resolution alerts: {queued} queued, {sent} sent"
              + (f", {failed} failed (kept in the outbox for retry)" if failed else ""))


def _list(args: argparse.Namespace) -> int:
    from stormguard.baseline.store import BaselineStore

    with open_store(args, recover=False) as store:
        baselines = BaselineStore(store)
        current = baselines.current()
        open_drifts: dict[str, list[Any]] = {}
        for d in baselines.drifts(open_only=True):
            open_drifts.setdefault(d.device, []).append(d)
        unapproved = [d.name for d in store.devices() if d.name not in current]
    if args.format == "json":
        print(json.dumps({"baselines": [
            {**a.to_dict(), "status": _status(open_drifts.get(a.device, [])),
             "open_drifts": [d.id for d in open_drifts.get(a.device, [])]}
            for a in current.values()], "unapproved_devices": unapproved}, indent=2))
        return 0
    if not current:
        print("no approved baselines (stormguard baseline approve DEVICE... | --all)")
        return 0
    rows = [[a.device, _status(open_drifts.get(a.device, [])), fmt_time(a.approved_at),
             _one_line(a.approved_by, 24), str(a.run_id or "-"), a.sha256[:12],
             _one_line(a.reason)] for a in current.values()]
    print(table(["DEVICE", "STATUS", "APPROVED", "BY", "RUN", "SHA256", "REASON"], rows))
    if unapproved:
        print(f"{len(unapproved)} device(s) in the store have no approved baseline: "
              + ", ".join(unapproved[:10]) + (" ..." if len(unapproved) > 10 else ""))
    return 0


def _show(args: argparse.Namespace) -> int:
    from stormguard.baseline.drift import drift_diff
    from stormguard.baseline.store import BaselineStore
    from stormguard.errors import InputError
    from stormguard.store.records import COMMITTED_STATUSES

    with open_store(args, recover=False) as store:
        if store.get_device(args.device) is None:
            raise InputError(f"unknown device {args.device!r}: not in the store")
        baselines = BaselineStore(store)
        history = baselines.approvals(args.device)
        if not history:
            raise InputError(f"device {args.device!r} has no approved baseline (stormguard "
                             f"baseline approve {args.device})")
        drifts = baselines.drifts(args.device)
        diff: list[str] = []
        latest = next((s for s in store.snapshot_history(args.device)
                       if s.run_status in COMMITTED_STATUSES), None)
        if args.diff and latest is not None:
            snap = store.get_snapshot(latest.id)
            if snap is not None and snap.sha256 != history[0].sha256:
                diff = drift_diff(baselines.approved_text(history[0]), history[0], snap,
                                  keep_secrets=store.keep_secrets)
    base = history[0]
    open_ = [d for d in drifts if d.open]
    if args.format == "json":
        print(json.dumps({
            "device": args.device, "baseline": base.to_dict(), "status": _status(open_),
            "approvals": [a.to_dict() for a in history],
            "drifts": [{"id": d.id, "approval": d.approval_id, "run": d.run_id,
                        "snapshot": d.snapshot_id, "collected_at": d.collected_at.isoformat(),
                        "in_change_window": d.in_window, "window": d.window,
                        "closed_at": d.closed_at.isoformat() if d.closed_at else None,
                        "closed_reason": d.closed_reason,
                        "paged": d.paged_at is not None} for d in drifts],
            **({"diff": "".join(diff)} if args.diff else {})}, indent=2))
        return 0
    print(f"{args.device}: {_status(open_)}")
    print(f"baseline: approval #{base.id}, snapshot {base.snapshot_id} (run {base.run_id}), "
          f"sha256 {base.sha256[:12]}, {base.platform}")
    print(f"approved {fmt_time(base.approved_at)} by {base.approved_by}"
          + (f": {_one_line(base.reason, 200)}" if base.reason else ""))
    if latest is not None and latest.sha256 != base.sha256 and not open_:
        print(f"latest snapshot {latest.id} (run {latest.run_id}) differs in its text; the next "
              "audit compares its configuration")
    print("\napprovals (newest first):")
    print(table(["#", "APPROVED", "BY", "RUN", "SHA256", "REASON"],
                [[str(a.id), fmt_time(a.approved_at), _one_line(a.approved_by, 24),
                  str(a.run_id or "-"), a.sha256[:12], _one_line(a.reason)] for a in history]))
    if drifts:
        print("\ndrifts (newest first):")
        print(table(["#", "SEEN IN RUN", "COLLECTED", "WINDOW", "PAGED", "CLOSED"],
                    [[str(d.id), str(d.run_id or "-"), fmt_time(d.collected_at),
                      d.window or "-", "yes" if d.paged_at else "no",
                      (f"{fmt_time(d.closed_at)}: {_one_line(d.closed_reason or '', 50)}"
                       if d.closed_at else "open")] for d in drifts[:20]]))
    if args.diff:
        print()
        if diff:
            for line in diff:
                print(line, end="")
        else:
            print("no difference between the baseline and the latest committed snapshot")
    return 0
