"""Storm-control with no trap or shutdown action.

Why it matters for storms: storm-control that only drops excess traffic keeps the switch alive
but tells nobody: the loop or the babbling NIC goes on, half the broadcasts still get through,
and the first sign is users complaining. A trap (or a shutdown, which also raises an alarm)
turns a silent storm into an alert. Applies where the platform offers an action: IOS/IOS-XE,
NX-OS, Junos (``action-shutdown``), Huawei VRP and H3C Comware; Arista EOS only drops. H3C
``storm-constrain`` sends traps by default (it fires only after ``undo storm-constrain enable
trap``); H3C ``broadcast-suppression`` never alerts.

Bad (Cisco IOS/IOS-XE, NX-OS)::

    interface GigabitEthernet1/0/8
     storm-control broadcast level 5.00

Good (Cisco IOS/IOS-XE, NX-OS)::

    interface GigabitEthernet1/0/8
     storm-control broadcast level 5.00
     storm-control action trap

Bad (Juniper Junos)::

    set forwarding-options storm-control-profiles sc all bandwidth-percentage 5

Good (Juniper Junos)::

    set forwarding-options storm-control-profiles sc all bandwidth-percentage 5
    set forwarding-options storm-control-profiles sc action-shutdown

Bad (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/8
     storm-control broadcast min-rate 2000 max-rate 5000

Good (Huawei VRP; H3C Comware ``storm-constrain enable trap``)::

    interface GigabitEthernet0/0/8
     storm-control broadcast min-rate 2000 max-rate 5000
     storm-control enable trap
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stormguard import remediation
from stormguard.effective import EffectiveDevice
from stormguard.rules.base import Hit, RuleContext

ID = "SG303"
NAME = "storm-control-no-action"
SEVERITY = "low"
PARAMS: dict[str, Any] = {}
#: Platforms whose storm-control can raise a trap or shut the port (EOS only drops).
PLATFORMS = ("cisco_ios", "cisco_xe", "cisco_nxos", "juniper_junos", "huawei", "hp_comware")

_ALERTING = frozenset({"trap", "shutdown"})


def _limits(ctx: RuleContext) -> dict[str, float]:
    """SG302's maxima, so a fix that rewrites a threshold is never looser than SG302 allows."""
    from stormguard.rules.sg302_storm_threshold_too_high import PARAMS as SG302_PARAMS

    pol = ctx.policy.params_for("SG302", SG302_PARAMS)
    return {"percent": float(pol["max_percent"]), "pps": float(pol["max_pps"]),
            "bps": float(pol["max_bps"])}


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for port in dev.storm_ports:
        for sc in port.storm.values():
            if sc.level is not None:
                break
        else:
            continue  # no storm-control level at all: SG301's business
        actions = port.storm_actions.value
        if actions & _ALERTING:
            continue
        profile = port.iface.extra.get("storm_control_profile")
        yield Hit(
            message=(f"storm-control on {port.name} only drops traffic: "
                     "a storm there raises no alarm"),
            interface=port.name,
            line=port.storm_line(),
            expected="storm-control action trap or shutdown",
            actual="drop only" if not actions else ", ".join(sorted(actions)),
            remediation=remediation.storm_action(ctx.family, port.name, profile,
                                                 v=remediation.variant(dev), iface=port.iface,
                                                 at=remediation.source(
                                                     port.iface, "storm_actions",
                                                     "storm_control.broadcast", "storm_control"),
                                                 limits=_limits(ctx) if ctx.family in (
                                                     "comware", "huawei") else None),
        )
