"""Switched port without multicast or unknown-unicast storm-control.

Why it matters for storms: a loop does not only multiply broadcasts. Every frame the switch
floods goes round: multicast the switch does not snoop, and unicast to a MAC address it has not
learnt (or has just flushed because the loop made the address flap). A port that caps only
broadcast still passes a multicast or unknown-unicast storm at line rate. This rule asks for the
other flooded classes on every port SG301 judges (the same ``exempt_roles``), at the level SG302
accepts. On IOS/IOS-XE the ``unicast`` class limits all unicast, not only unknown unicast, so
only multicast is asked for there; NX-OS, Huawei and H3C ``unicast`` classes limit unknown
unicast. On Junos an ELS storm-control profile covers every class unless it says
``no-multicast`` / ``no-unknown-unicast``; non-ELS storm control leaves multicast out unless
the stanza says ``multicast``. A Junos port with no storm-control at all is left to SG301
(whose fix profile covers every class).

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    interface GigabitEthernet1/0/7
     storm-control broadcast level 5.00

Good (Cisco IOS/IOS-XE; NX-OS also ``storm-control unicast level 5.00``; EOS
``storm-control unknown-unicast level 5``)::

    interface GigabitEthernet1/0/7
     storm-control broadcast level 5.00
     storm-control multicast level 5.00

Bad (Juniper Junos)::

    set forwarding-options storm-control-profiles sc all bandwidth-percentage 5
    set forwarding-options storm-control-profiles sc all no-multicast

Good (Juniper Junos)::

    set forwarding-options storm-control-profiles sc all bandwidth-percentage 5

Bad (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/7
     storm-control broadcast min-rate 1000 max-rate 2000

Good (Huawei VRP; H3C Comware ``multicast-suppression 5``, ``unicast-suppression 5``)::

    interface GigabitEthernet0/0/7
     storm-control broadcast min-rate 1000 max-rate 2000
     storm-control multicast min-rate 1000 max-rate 2000
     storm-control unicast min-rate 1000 max-rate 2000
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stormguard import remediation, remediation_alarms
from stormguard.effective import EffectiveDevice, EffectivePort
from stormguard.model import SWITCH_PLATFORMS
from stormguard.rules.base import Hit, RuleContext, maker
from stormguard.rules.sg302_storm_threshold_too_high import PARAMS as SG302_PARAMS

ID = "SG306"
NAME = "no-multicast-unknown-unicast-storm-control"
SEVERITY = "low"
PARAMS: dict[str, Any] = {"exempt_roles": ["inter-switch"]}
PLATFORMS = SWITCH_PLATFORMS

_BOTH = ("multicast", "unknown-unicast")
#: The classes asked for, per family (IOS `unicast` limits every unicast frame).
_WANTED: dict[str, tuple[str, ...]] = {"cisco": ("multicast",)}


#: Families whose snippet names the port only in its ``interface`` header (when the port does
#: not inherit its storm-control from a group): the rest is the same for every port.
_PORT_FREE_BODY = frozenset({"cisco", "nxos", "eos"})


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    exempt = set(params["exempt_roles"])
    family = ctx.family
    wanted = _WANTED.get(family, _BOTH)
    pol = ctx.policy.params_for("SG302", SG302_PARAMS)
    pct, pps = float(pol["max_percent"]), int(pol["max_pps"])
    v = remediation.variant(dev)
    expected = "storm-control for " + ", ".join(wanted)
    port_free = family in _PORT_FREE_BODY
    make = maker(ctx)
    # per set of missing classes: (the message after the port name, actual, fix body after
    # the header); a device has hundreds of ports missing the same classes
    said: dict[tuple[str, ...], tuple[str, str, str | None]] = {}
    single = wanted[0] if len(wanted) == 1 else None
    for port in dev.storm_ports:
        if port.role in exempt:
            continue
        storm = port.storm
        if not storm:  # a port without any storm-control misses every class wanted
            key = wanted
        elif single is not None:  # one class wanted (IOS): no list to build
            sc = storm.get(single)
            key = wanted if sc is None or sc.level is None else ()
        else:
            key = tuple([t for t in wanted if t not in storm or storm[t].level is None])
        if not key:
            continue
        known = said.get(key)
        if known is None:
            classes = " or ".join(key)
            known = said[key] = (f" has no {classes} storm-control: a loop floods those "
                                 "classes unchecked", "none for " + ", ".join(key), None)
        rest, actual, body = known
        missing = list(key)
        name = port.name
        if family == "junos":
            if not storm:
                continue  # SG301's business; its fix profile covers every class
            fix = _junos_fix(port, missing, v)
        else:
            iface = port.iface
            # remediation.source, asked only of a port that inherits anything at all
            at = (remediation.source(iface, "storm_control.broadcast", "storm_control")
                  if iface.extra.get("inherited") else None)
            if body is not None and at is None:
                fix = f"interface {name}{body}"
            else:
                parts = [remediation_alarms.storm_class(family, name, t, pct, pps, v=v,
                                                        iface=port.iface, at=at)
                         for t in missing]
                head = parts[0].split("\n", 1)[0]
                tail = "".join("\n" + p.split("\n", 1)[1] for p in parts)
                fix = head + tail
                if port_free and at is None:
                    said[key] = (rest, actual, tail)
        # Positional, in Hit's field order (message, interface, line, expected, actual,
        # remediation, extra): a class called with keywords builds a dict of them each time,
        # and this rule reports most ports of a config.
        # port.storm_line(), without the call in its common cases: the header on a port
        # without storm-control, else the broadcast line (pinned by tests/rules/
        # test_sg306_fast_paths.py)
        if not storm:
            line = port.line
        elif (bc := storm.get("broadcast")) is not None and bc.line is not None:
            line = bc.line
        else:
            line = port.storm_line()
        yield make(f"switched port {name}{rest}", name, line, expected, actual, fix,
                   {"classes": missing})


def _junos_fix(port: EffectivePort, missing: list[str], v: remediation.Variant) -> str:
    iface = port.iface
    profile = iface.extra.get("storm_control_profile")
    stanza = iface.extra.get("storm_control_stanza")
    stanza_name = stanza.get("interface") if isinstance(stanza, dict) else stanza
    bc = port.storm.get("broadcast")
    return "\n".join(remediation_alarms.junos_class(
        port.name, t, v=v, profile=profile,
        stanza=stanza_name if isinstance(stanza_name, str) else None,
        level=bc.level if bc is not None else None) for t in missing)
