"""The fleet's topology from the store: latest snapshots -> devices + neighbour facts (I/O).

Devices are named as the audit names them (the inventory name; ``<name>/<bridge>`` for each
bridge or vSwitch of a host), so the topology, the findings and the report agree.
"""

from __future__ import annotations

from typing import Any

from stormguard.effective import effective_device
from stormguard.topology.fleet import FleetView, collect_facts


def fleet_from_store(store: Any, policy: Any, *, run_id: int | None = None) -> FleetView:
    """Every device of the latest snapshots (as of `run_id`), linked by their LLDP/CDP facts.
    A snapshot that cannot be parsed is a warning in the view, never silently missing."""
    from stormguard.errors import StormguardError
    from stormguard.parsers import parse_config
    from stormguard.store.audit import _device_name

    snaps = store.latest_snapshots(None, run_id=run_id)
    devices = []
    warnings: list[str] = []
    for snap in snaps:
        source = f"{snap.device} (snapshot {snap.id}, run {snap.run_id})"
        try:
            parsed = parse_config(snap.text or "", snap.platform, source=source)
        except StormguardError as exc:
            warnings.append(f"{snap.device}: {exc}: not in the topology")
            continue
        except Exception as exc:  # a parser bug must not hide the rest of the fleet
            warnings.append(f"{snap.device}: parser failed ({type(exc).__name__}): not in the "
                            "topology")
            continue
        for dev in parsed:
            dev.hostname = _device_name(snap.device, dev.hostname or "", len(parsed))
            dev.source = source
            devices.append(effective_device(dev, policy))
    facts = collect_facts((s.device, s.platform, s.state, s.text) for s in snaps)
    return FleetView(devices, facts.neighbors, warnings + facts.warnings)
