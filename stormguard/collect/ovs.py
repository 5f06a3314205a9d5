"""Collect an Open vSwitch host: OVSDB tables in, an ``ovs`` state bundle out.

``collect(host, recipe)`` runs the recipe (``collectors/ovs.yaml``): one
``ovs-vsctl --format=json list <table>`` per table (Bridge, Port, Interface), locally or over SSH
(see :mod:`stormguard.collect._shell`), checks that each answer is the JSON table ovs-vsctl
prints, and writes them into the bundle documented in :mod:`stormguard.parsers.ovs`, one row per
line. Host data used: ``ovsdb`` (an OVSDB remote such as ``unix:/run/openvswitch/db.sock``;
default: ovs-vsctl's own), ``ovs_appctl_target`` (for the evidence commands), ``lldpd_socket``
(lldpd's control socket, when not the default: ``{lldpcli}`` in the recipe), and the uplink
overrides ``physical_uplinks`` / ``not_physical_uplinks`` (copied into the bundle, so the parser
sees them too).

The recipe's ``config.netdevs`` command (``ip -j -d link show``, run like every other command:
inside ``host.netns`` when given, which must be the namespace ovs-vswitchd's ports live in) adds
the kernel's view of the ports' netdevs to the bundle as ``netdevs`` (see
:func:`stormguard.parsers._vswitch.netdev_rows`): the parser prefers it to the name heuristic.
When it fails or prints no JSON, the bundle records ``netdevs_error`` instead (the parser warns,
naming the host and the command, and judges by name); collection goes on.

Everything it runs is read-only: ``list``, ``show``, ``*/show``.
"""

from __future__ import annotations

import json
import shlex
import time

from stormguard.collect._shell import (
    Runner,
    fill_in,
    lldpcli_command,
    load_vswitch_recipe,
    must,
    open_runner,
    run_extras,
)
from stormguard.collect.base import Collected, CollectError
from stormguard.inventory import Host
from stormguard.parsers._vswitch import (
    BUNDLE_VERSION,
    dump_bundle,
    netdev_rows,
    overrides_from_host_data,
)

PLATFORM = "ovs"
DRIVER = "ovs"


def placeholders(host: Host) -> dict[str, str]:
    vsctl = ["ovs-vsctl"]
    if host.data.get("ovsdb"):
        vsctl.append(f"--db={host.data['ovsdb']}")
    vsctl.append(f"--timeout={max(1, int(host.timeout))}")
    appctl = ["ovs-appctl"]
    if host.data.get("ovs_appctl_target"):
        appctl += ["-t", str(host.data["ovs_appctl_target"])]
    return {"vsctl": shlex.join(vsctl), "appctl": shlex.join(appctl),
            "lldpcli": lldpcli_command(host)}


def _table(host: Host, name: str, text: str) -> dict:
    try:
        doc = json.loads(text)
    except ValueError:
        raise CollectError(host.name, "parse",
                           f"`list {name}` did not print JSON (truncated output?)") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("headings"), list) or not isinstance(
        doc.get("data"), list
    ):
        raise CollectError(host.name, "parse", f"`list {name}` printed JSON without a table")
    return {"headings": doc["headings"], "data": doc["data"]}


def _interface_names(table: dict) -> set[str]:
    heads = table.get("headings") or []
    if "name" not in heads:
        return set()
    at = heads.index("name")
    return {str(row[at]) for row in table.get("data") or []
            if isinstance(row, list) and len(row) > at and isinstance(row[at], str)}


def _netdevs(runner: Runner, host: Host, command: str, wanted: set[str]) -> dict:
    """``{"netdevs": rows}``, or ``{"netdevs_error": {...}}`` when the command fails."""
    res = runner.run(command, host.timeout)
    if not res.ok:
        last = (res.stderr.strip().splitlines() or [""])[-1][:200]
        return {"netdevs_error": {"command": command, "error": f"exit {res.exit_code}: {last}"}}
    try:
        return {"netdevs": netdev_rows(json.loads(res.stdout), wanted)}
    except ValueError as exc:
        return {"netdevs_error": {"command": command,
                                  "error": f"not the JSON list of links ({str(exc)[:120]})"}}


def collect(host: Host, recipe: dict | None = None) -> Collected:
    """Read the bridges, ports and interfaces of the OVS on `host` into a state bundle."""
    started = time.monotonic()
    recipe = load_vswitch_recipe(host, PLATFORM, recipe)
    cfg = recipe["config"]
    tables = cfg.get("tables") or ["Bridge", "Port", "Interface"]
    fill = placeholders(host)
    runner = open_runner(host)
    try:
        bundle_tables = {}
        for table in tables:
            command = fill_in(str(cfg["command"]), {**fill, "table": str(table)})
            res = runner.run(command, host.timeout)
            bundle_tables[str(table)] = _table(host, str(table), must(host, res, f"list {table}"))
        kernel: dict = {}
        if cfg.get("netdevs"):
            kernel = _netdevs(runner, host, fill_in(str(cfg["netdevs"]), fill),
                              _interface_names(bundle_tables.get("Interface", {})))
        state = run_extras(runner, host, recipe, fill, host.timeout)
        if "netdevs_error" in kernel:
            state["netdevs"] = kernel["netdevs_error"]
    finally:
        runner.close()
    version = str(state.get("version", {}).get("raw", "")).splitlines()
    bundle = {
        "kind": PLATFORM,
        "version": BUNDLE_VERSION,
        "hostname": host.name,
        "ovs_version": version[0].rsplit(" ", 1)[-1] if version and version[0] else None,
        "overrides": overrides_from_host_data(host.data),
        "tables": bundle_tables,
        **kernel,
    }
    return Collected(host=host.name, platform=PLATFORM, config=dump_bundle(bundle),
                     driver=DRIVER, state=state, duration_s=time.monotonic() - started)
