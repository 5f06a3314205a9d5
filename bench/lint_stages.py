"""Instructions per config of each `stormguard lint` stage, for cachegrind.

Run one stage `--repeat K` times, each time over a new set of `--files` files, after a
warm-up pass of every stage on another set; the difference between K=2 and K=1 under
``valgrind --tool=cachegrind`` is the stage's cost for those files (start-up, warm-up and
the other stages cancel out)::

    PYTHONHASHSEED=0 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\
        .venv/bin/python bench/lint_stages.py DIR --stage parse --repeat 1

Stages: ``detect`` (platform detection), ``parse`` (the platform's parser, without
detection), ``audit``
(effective values + rules + engine), ``effective`` (effective values alone), ``json``
(`--format json` bytes of the results and the summary). Not a timed test.

Caveat: with ``--policy FILE`` the audit stage came out at half its figure without one, while
the whole `stormguard lint` process with the same file counted the same as without it (not
understood); check a figure from this script against the whole process.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--stage", required=True,
                    choices=["detect", "parse", "audit", "effective", "json", "none"])
    ap.add_argument("--repeat", type=int, default=1, choices=[1, 2])
    ap.add_argument("--policy", action="append", default=[], help="policy file (repeatable)")
    ap.add_argument("--files", type=int, default=20, help="files per set (default 20)")
    args = ap.parse_args()

    from stormguard.effective import effective_device
    from stormguard.engine import audit
    from stormguard.formats import json_format
    from stormguard.lint import LintReport, LintResult
    from stormguard.parsers import parse_config, parser_for
    from stormguard.parsers.detect import detect_platform
    from stormguard.policy import load_policy

    gc.disable()
    files = sorted(Path(args.dir).glob("*.cfg"))
    n = args.files
    # set 0 warms up; repeat k runs on set k, so every measured parse sees new text (as in a
    # real run, where the line caches only know the files before)
    sets = [[(str(p), p.read_text()) for p in files[k * n:(k + 1) * n]]
            for k in range(3)]
    policy = load_policy(args.policy)

    def parsed(texts: list[tuple[str, str]]) -> list:
        return [d for src, t in texts for d in parse_config(t, source=src)]

    # the parse stage without detection: each file's parser, the platform known
    platforms = {src: detect_platform(t, src) for group in sets for src, t in group}

    def parsed_only(texts: list[tuple[str, str]]) -> list:
        return [d for src, t in texts for d in parser_for(platforms[src]).parse(t, source=src)]

    def report(devs: list) -> LintReport:
        results = []
        for d in devs:
            out = audit([d], policy)
            results.append(LintResult(source=d.source, device=d.hostname, platform=d.platform,
                                      findings=out.findings, warnings=list(d.warnings)))
        return LintReport(results=results, fail_on=None)

    devs = [parsed(sets[0])]
    reps = [report(devs[0])]
    b"".join(json_format.render_bytes(reps[0]))  # warm-up of every stage
    if args.stage != "parse":  # (a parse stage must see new text: the caches know it)
        devs += [parsed(t) for t in sets[1:]]
        if args.stage == "json":
            reps += [report(d) for d in devs[1:]]
    stages: dict[str, Callable[[int], object]] = {
        "detect": lambda k: [detect_platform(t, src) for src, t in sets[k]],
        "parse": lambda k: parsed_only(sets[k]),
        "audit": lambda k: report(devs[k]),
        "effective": lambda k: [effective_device(d, policy) for d in devs[k]],
        "json": lambda k: b"".join(json_format.render_bytes(reps[k])),
        "none": lambda k: None,
    }
    for k in range(1, args.repeat + 1):
        stages[args.stage](k)
    sys.stdout.write(f"{args.stage} x{args.repeat} over {n} files each\n")


if __name__ == "__main__":
    main()
