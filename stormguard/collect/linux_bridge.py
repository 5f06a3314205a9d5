"""Collect a Linux host's bridges: iproute2 JSON in, a ``linux_bridge`` state bundle out.

``collect(host, recipe)`` runs the recipe (``collectors/linux_bridge.yaml``):
``ip -j -d link show``, ``bridge -j vlan show`` and ``bridge -j link show``, locally, inside
``host.netns`` (``ip netns exec``) when given, or over SSH (see :mod:`stormguard.collect._shell`),
and writes the outputs into the bundle documented in :mod:`stormguard.parsers.linux_bridge`, one
link per line. Host data ``physical_uplinks`` / ``not_physical_uplinks`` (globs) are copied into
the bundle, so the parser's uplink heuristic can be overridden per host; ``lldpd_socket`` is
lldpd's control socket when not the default (``{lldpcli}`` in the recipe). The ``links`` are
already the kernel's view of every netdev (``linkinfo.info_kind``, ``parentbus``): the parser
decides the physical uplinks from them (veth, tun/tap, ... never), no extra command needed.

Everything it runs is read-only.
"""

from __future__ import annotations

import json
import time
from typing import Any

from stormguard.collect._shell import (
    lldpcli_command,
    load_vswitch_recipe,
    must,
    open_runner,
    run_extras,
)
from stormguard.collect.base import Collected, CollectError
from stormguard.inventory import Host
from stormguard.parsers._vswitch import BUNDLE_VERSION, dump_bundle, overrides_from_host_data

PLATFORM = "linux_bridge"
DRIVER = "linux_bridge"
DEFAULT_SECTIONS = {
    "links": "ip -j -d link show",
    "vlans": "bridge -j vlan show",
    "bridge_links": "bridge -j link show",
}


def _json(host: Host, command: str, text: str) -> Any:
    if not text.strip():
        return []  # `bridge -j vlan show` prints nothing at all on some iproute2 versions
    try:
        return json.loads(text)
    except ValueError:
        raise CollectError(host.name, "parse",
                           f"`{command}` did not print JSON (truncated output?)") from None


def collect(host: Host, recipe: dict | None = None) -> Collected:
    """Read every bridge on `host` (or in its netns) into a state bundle."""
    started = time.monotonic()
    recipe = load_vswitch_recipe(host, PLATFORM, recipe)
    cfg = recipe["config"]
    sections = cfg.get("sections") or DEFAULT_SECTIONS
    optional = set(cfg.get("optional") or ())
    runner = open_runner(host)
    bundle: dict[str, Any] = {
        "kind": PLATFORM,
        "version": BUNDLE_VERSION,
        "hostname": host.name,
        "netns": host.netns,
        "overrides": overrides_from_host_data(host.data),
    }
    try:
        missing: dict[str, Any] = {}
        for key, command in sections.items():
            res = runner.run(str(command), host.timeout)
            if not res.ok and key in optional:
                missing[str(key)] = {"command": str(command),
                                     "error": f"exit {res.exit_code}: {res.stderr.strip()[:200]}"}
                continue
            bundle[str(key)] = _json(host, str(command), must(host, res, str(key)))
        if not isinstance(bundle.get("links"), list):
            raise CollectError(host.name, "parse", "`ip -j -d link show` did not print a list")
        state = run_extras(runner, host, recipe, {"lldpcli": lldpcli_command(host)},
                           host.timeout)
        state.update(missing)
    finally:
        runner.close()
    return Collected(host=host.name, platform=PLATFORM, config=dump_bundle(bundle),
                     driver=DRIVER, state=state, duration_s=time.monotonic() - started)
