"""Switched port without broadcast storm-control.

Why it matters for storms: storm-control is the last line of defence when everything else has
failed - a loop that STP missed, a NIC stuck transmitting, a VM bridging two vNICs. It caps the
broadcast rate a port accepts, so one bad port cannot take the whole VLAN (and every switch CPU
in it) down. Every switched port in scope should have it, except the roles listed in
``exempt_roles`` (by default inter-switch links, where a cap would drop legitimate flooding of the
whole network). On the Cisco family and EOS storm-control is judged on the members of a
Port-channel, where it is configured.

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    interface GigabitEthernet1/0/6
     switchport mode access
     switchport access vlan 10

Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    interface GigabitEthernet1/0/6
     switchport mode access
     switchport access vlan 10
     storm-control broadcast level 5.00

Bad (Juniper Junos)::

    set interfaces ge-0/0/6 unit 0 family ethernet-switching vlan members v10

Good (Juniper Junos)::

    set forwarding-options storm-control-profiles sc all bandwidth-percentage 5
    set interfaces ge-0/0/6 unit 0 family ethernet-switching storm-control sc

Bad (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/6
     port link-type access
     port default vlan 10

Good (Huawei VRP; H3C Comware uses ``broadcast-suppression 5``)::

    interface GigabitEthernet0/0/6
     port link-type access
     port default vlan 10
     storm-control broadcast min-rate 1000 max-rate 2000

H3C ``storm-constrain`` thresholds without ``storm-constrain control block|shutdown`` only send
traps and logs (on by default): the port limits nothing, and the rule says so.

Bad (H3C Comware)::

    interface GigabitEthernet1/0/6
     port access vlan 10
     storm-constrain broadcast pps 2000 1000

Good (H3C Comware)::

    interface GigabitEthernet1/0/6
     port access vlan 10
     storm-constrain broadcast pps 2000 1000
     storm-constrain control block
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from stormguard import remediation
from stormguard.effective import EffectiveDevice, EffectivePort
from stormguard.model import SWITCH_PLATFORMS
from stormguard.rules.base import Hit, RuleContext, maker
from stormguard.rules.sg302_storm_threshold_too_high import PARAMS as SG302_PARAMS

ID = "SG301"
NAME = "no-broadcast-storm-control"
SEVERITY = "medium"
PARAMS: dict[str, Any] = {"exempt_roles": ["inter-switch"]}
#: vSwitches have no storm-control (Open vSwitch only polices all ingress traffic).
PLATFORMS = SWITCH_PLATFORMS
#: Families whose fix names the port only in its ``interface`` header (this rule's fix never
#: goes to an inherited group): the rest of it is the same for every port of a device.
_PORT_FREE_BODY = frozenset({"cisco", "nxos", "eos"})


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    exempt = set(params["exempt_roles"])
    pol = ctx.policy.params_for("SG302", SG302_PARAMS)  # propose a level SG302 accepts
    fix = _fixer(dev, ctx.family, pol)
    make = maker(ctx)  # a config has dozens of such ports: findings built directly
    # positional below, in Hit's field order (message, interface, line, expected, actual,
    # remediation, extra)
    for port in dev.storm_ports:
        if port.role in exempt:
            continue
        storm = port.storm
        sc = storm.get("broadcast") if storm else None
        if sc is not None and sc.level is not None:
            inert = port.iface.extra.get("storm_inert")
            if inert and "broadcast" in inert:
                yield make(
                    f"broadcast storm-constrain on {port.name} sets thresholds but no "
                    "limiting action: a storm is reported, never limited",
                    port.name, sc.line,
                    "storm-constrain control block (or shutdown)",
                    "thresholds set, no limiting action",
                    # at the port-group / range the thresholds come from, if any
                    remediation._iface(
                        port.name, "storm-constrain control block", family=ctx.family,
                        at=remediation.source(port.iface, "storm_control.broadcast")),
                    {})
            continue
        name = port.name
        yield make(f"switched port {name} has no broadcast storm-control", name, port.line,
                   "broadcast storm-control configured", "none", fix(port), {})


def _fixer(dev: EffectiveDevice, family: str, pol: Mapping[str, Any]
           ) -> Callable[[EffectivePort], str]:
    """:func:`stormguard.remediation.storm_broadcast` for a port of `dev`, at the level SG302
    accepts. On the Cisco family and EOS it is built for the first port only: the others get
    its body under their own ``interface`` header (a config has dozens of ports without
    storm-control, and the snippet costs more than the rest of the rule's work on a port)."""
    pct, pps = float(pol["max_percent"]), int(pol["max_pps"])
    body: list[str] = []  # the fix after its header line, once known

    def fix(port: EffectivePort) -> str:
        name = port.name
        if body:
            return f"interface {name}{body[0]}"
        out = remediation.storm_broadcast(family, name, pct, pps, v=remediation.variant(dev),
                                          iface=port.iface)
        head = f"interface {name}\n"
        if family in _PORT_FREE_BODY and "\n" not in name and out.startswith(head):
            body.append(out[len(head) - 1:])
        return out

    return fix
