"""`stormguard rules`: list the storm-prevention rules, their severities and parameters."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "list the rules (ID, name, severity, parameters) as text, JSON or Markdown"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                        help="output format (default: text)")
    parser.add_argument("--policy", action="append", default=[], metavar="FILE",
                        help="show severities/parameters/enabled state after this policy pack "
                             "(repeatable)")


def run(args: argparse.Namespace) -> int:
    from stormguard.policy import load_policy
    from stormguard.rules import all_rules
    from stormguard.rules.docgen import render

    if args.format == "markdown":
        sys.stdout.write(render())
        return 0
    policy = load_policy(args.policy)
    rows = []
    for r in all_rules():
        d = r.to_dict()
        d["default_severity"] = r.severity
        d["severity"] = policy.severity_for(r.id, r.severity)
        d["params"] = policy.params_for(r.id, r.params)
        d["enabled"] = policy.rule_enabled(r.id)
        rows.append(d)
    if args.format == "json":
        json.dump({"version": 1, "rules": rows}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    width = max(len(r["name"]) for r in rows)
    for d in rows:
        state = "" if d["enabled"] else "  [disabled]"
        print(f"{d['id']}  {d['severity']:<6}  {d['name']:<{width}}  {d['title']}{state}")
        if d["params"]:
            params = ", ".join(f"{k}={json.dumps(v)}" for k, v in d["params"].items())
            print(f"{'':7}{'':8}{'':{width}}  params: {params}")
    return 0
