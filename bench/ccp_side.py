"""The ciscoconfparse2 side of `bench_lint.py --ciscoconfparse2-python PY` (run in *that*
interpreter: ciscoconfparse2 is GPL and pins old hier_config, so it lives in a venv of its own
and is never a stormguard dependency). Prints one JSON line: CPU ms per call and the answers."""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_ios import generate


def main() -> None:
    n_ports, seed, runs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    from ciscoconfparse2 import CiscoConfParse

    text = generate(n_ports, seed)

    def parse_and_query() -> tuple[list[str], list[str]]:
        parse = CiscoConfParse(text.splitlines(), syntax="ios")
        trunks = parse.find_parent_objects(["^interface ", "^ switchport mode trunk"])
        listed = {o.text for o in parse.find_parent_objects(
            ["^interface ", "^ switchport trunk allowed vlan"])}
        names = [o.text.split(None, 1)[1] for o in trunks]
        return names, [o.text.split(None, 1)[1] for o in trunks if o.text not in listed]

    parse_and_query()  # warm up
    samples = []
    for _ in range(runs):
        t0 = time.process_time()
        trunks, no_list = parse_and_query()
        samples.append((time.process_time() - t0) * 1000)
    print(json.dumps({"median": statistics.median(samples), "min": min(samples),
                      "trunks": sorted(trunks), "no_list": sorted(no_list)}))


if __name__ == "__main__":
    main()
