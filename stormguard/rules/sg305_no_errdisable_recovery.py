"""Err-disabled ports do not recover, and the policy does not say that is deliberate.

Why it matters for storms: BPDU guard, storm-control with a shutdown action and loop detection
protect the network by err-disabling the port - and then the port stays down until someone
types ``shutdown`` / ``no shutdown``. At 3 a.m. that is an outage of its own (a hypervisor or a
phone that lost its uplink), often "fixed" by switching the protection off. Automatic recovery
brings the port back after an interval; if the loop is still there it is shut again. Some teams
prefer ports to stay down until a human looks: that is a valid choice, and the policy records
it (``recovery_deliberately_absent: [bpduguard, storm-control, loop-detect]``), so the rule only
fires for a cause that can err-disable a port on this device and that neither recovers nor is
declared. IOS/IOS-XE, NX-OS and EOS recover with ``errdisable recovery cause X`` (after
``errdisable recovery interval``, 300 s by default); Huawei with ``error-down auto-recovery
cause X interval N``; H3C brings every port a protection shut back after ``shutdown-interval``
(30 s by default; ``shutdown-interval 0`` means never); Junos brings BPDU-blocked ports back
after ``bpdu-block disable-timeout`` (only BPDU blocking is judged there).

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    spanning-tree portfast bpduguard default

Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    spanning-tree portfast bpduguard default
    errdisable recovery cause bpduguard
    errdisable recovery interval 300

Bad (Juniper Junos)::

    set protocols layer2-control bpdu-block interface ge-0/0/5

Good (Juniper Junos)::

    set protocols layer2-control bpdu-block interface ge-0/0/5
    set protocols layer2-control bpdu-block disable-timeout 300

Bad (Huawei VRP, H3C Comware)::

    stp bpdu-protection

Good (Huawei VRP; H3C Comware ``shutdown-interval 300``)::

    stp bpdu-protection
    error-down auto-recovery cause bpdu-protection interval 300
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stormguard import remediation, remediation_alarms
from stormguard.effective import EffectiveDevice
from stormguard.rules.base import Hit, RuleContext

ID = "SG305"
NAME = "no-errdisable-recovery"
SEVERITY = "low"
PARAMS: dict[str, Any] = {"recovery_deliberately_absent": [], "interval": 300}
PLATFORMS = ("cisco_ios", "cisco_xe", "cisco_nxos", "arista_eos", "juniper_junos", "huawei",
             "hp_comware")

CAUSES = ("bpduguard", "storm-control", "loop-detect")
_NONE: Mapping[str, int] = {}  # a port without loop protection (never written to)


def _in_use(dev: EffectiveDevice, family: str) -> dict[str, int | None]:
    """The causes that can err-disable a port on this device -> a line that shows it."""
    found: dict[str, int | None] = {}
    for p in dev.ports:
        if "bpduguard" not in found and p.bpdu_guard.value:
            found["bpduguard"] = p.bpdu_guard.line
        if "loop-detect" not in found:
            lp = p.iface.extra.get("loop_protect") or _NONE
            if family == "cisco" and "loopdetect" in lp and p.iface.extra.get(
                    "loop_action") != "syslog":
                found["loop-detect"] = lp["loopdetect"]
            elif family == "eos" and "loop-protection" in lp and (
                    "loop-protection" in dev.device.alarms.loop_protect):
                found["loop-detect"] = lp["loop-protection"]
            elif family == "huawei" and (p.iface.extra.get("loop_action") == "shutdown"
                                         or p.iface.extra.get("flap_action") == "error-down"):
                found["loop-detect"] = p.iface.lines.get("loop_action") or p.line
    if family != "eos":  # EOS storm-control only drops
        for p in dev.storm_ports:
            if "shutdown" in p.storm_actions.value:
                found["storm-control"] = p.storm_actions.line
                break
    if family == "comware" and dev.device.alarms.loop_action == "shutdown":
        found.setdefault("loop-detect", dev.device.alarms.lines.get("loop_action"))
    return found


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    family = ctx.family
    al = dev.device.alarms
    declared = set(params["recovery_deliberately_absent"])
    in_use = {c: ln for c, ln in _in_use(dev, family).items() if c not in declared}
    if not in_use:
        return
    interval = int(params["interval"])
    if family == "comware":
        if al.recovery_interval != 0:
            return  # shutdown-interval (30 s by default) brings every such port back
        missing = sorted(in_use)
        line = al.lines.get("recovery_interval")
    else:
        if "all" in al.recovery:
            return
        missing = [c for c in CAUSES if c in in_use and c not in al.recovery
                   and remediation_alarms.cause_word(family, c)]
        if not missing:
            return
        line = in_use[missing[0]]
    yield Hit(
        message=(f"ports err-disabled by {', '.join(missing)} on {dev.hostname} never come "
                 "back on their own, and the policy does not declare that deliberate"),
        interface=None,
        line=line,
        expected="automatic recovery with an interval, or the cause listed in "
                 "recovery_deliberately_absent",
        actual="no recovery for " + ", ".join(missing),
        remediation=remediation_alarms.recovery(family, missing, interval,
                                                v=remediation.variant(dev)),
        extra={"causes": missing},
    )
