"""`stormguard fix FILE` — apply the remediations of lint's findings to a candidate config."""

from __future__ import annotations

import argparse
import os
import sys

HELP = "apply the remediations to a candidate config; print it fixed, or as a unified diff"
DESCRIPTION = (
    "Lint FILE, apply the fix of each finding (only those of --rules, if given) the way the "
    "device would apply the pasted lines, and print the fixed configuration (or, with --diff, "
    "a unified diff against FILE). A fix goes inside the interface block it names, or where the "
    "value comes from (interface range, port-group, Junos interface-range). Junos: set/delete "
    "lines are applied to the configuration in display-set form; a curly-brace configuration "
    "is printed in display-set form (inactive statements as deactivate lines, comments not "
    "kept). vSwitch state (OVS, Linux bridge) is not a file to edit: its fixes are commands to "
    "run on the host. A finding that cannot be fixed safely (the VLANs a trunk needs are not "
    "known, a value from a Junos group, a unit the platform cannot express) is left as it is "
    "and named on stderr. Exit 0 when every selected finding was fixed, 1 when some could not "
    "be, 2 on bad input."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="the candidate configuration")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="write the fixed configuration (or the diff) here, not stdout")
    p.add_argument("--rules", metavar="IDS",
                   help="comma-separated rule IDs to fix (default: every finding), "
                        "e.g. SG101,SG301")
    p.add_argument("--diff", action="store_true", help="print a unified diff, not the config")
    p.add_argument("--platform", help="Netmiko device_type of FILE (default: detect)")
    p.add_argument("--policy", action="append", default=[], metavar="FILE",
                   help="policy pack merged over the default pack (repeatable)")


def _rule_ids(spec: str | None) -> list[str] | None:
    from stormguard.errors import InputError
    from stormguard.rules import all_rules

    if not spec:
        return None
    known = {r.id for r in all_rules()}
    ids = [s.strip().upper() for s in spec.split(",") if s.strip()]
    unknown = [i for i in ids if i not in known]
    if unknown or not ids:
        raise InputError(f"--rules: unknown rule {', '.join(unknown) or repr(spec)} "
                         f"(known: {', '.join(sorted(known))})")
    return ids


def run(args: argparse.Namespace) -> int:
    from stormguard.errors import InputError, StormguardError
    from stormguard.fix import fix_config
    from stormguard.lint import one_line
    from stormguard.parsers import canonical_platform
    from stormguard.policy import load_policy
    from stormguard.sources import read_config

    rules = _rule_ids(args.rules)
    platform = canonical_platform(args.platform) if args.platform else None
    if args.output and os.path.exists(args.output) and os.path.exists(args.file) and \
            os.path.samefile(args.output, args.file):
        raise InputError(f"{args.output}: is the input FILE; write the fixed config elsewhere")
    policy = load_policy(args.policy)
    src = read_config(args.file)
    try:
        res = fix_config(src.text, platform=platform, policy=policy, rules=rules,
                         source=args.file)
    except StormguardError:
        raise
    except Exception as exc:  # a parser bug: one line, never a traceback
        raise InputError(one_line(f"{args.file}: cannot fix: {type(exc).__name__}: {exc}")
                         ) from None
    if args.diff:
        import difflib

        new_name = f"{args.file} (display set)" if res.display_set else args.file
        out = "".join(difflib.unified_diff(
            src.text.replace("\r\n", "\n").splitlines(keepends=True),
            res.text.replace("\r\n", "\n").splitlines(keepends=True),
            fromfile=args.file, tofile=new_name))
    else:
        out = res.text
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as fh:
                fh.write(out)
        except OSError as exc:
            raise InputError(f"{args.output}: cannot write the output: "
                             f"{exc.strerror or exc}") from None
    else:
        sys.stdout.write(out)
    note = f"stormguard fix: {args.file}: fixed {len(res.applied)} finding" + (
        "s" if len(res.applied) != 1 else "")
    if res.display_set:
        note += " (Junos output in display-set form)"
    print(one_line(note), file=sys.stderr)
    for f, why in [*res.skipped, *res.failed]:
        where = f" [{f.interface}]" if f.interface else ""
        print(one_line(f"stormguard fix: {args.file}:{f.line or ''}: {f.rule}{where} not fixed: "
                       f"{why}"), file=sys.stderr)
    return 1 if res.skipped or res.failed else 0
