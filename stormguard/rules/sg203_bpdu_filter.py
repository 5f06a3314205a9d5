"""BPDU filter in effect on a port.

Why it matters for storms: BPDU filter stops a port from sending and receiving BPDUs, which
switches spanning tree off on that port without saying so. A loop through that port is then
invisible to STP, and BPDU guard cannot catch it either (it never sees a BPDU). Set on a port,
it is always in effect: severity high. A global default (``spanning-tree portfast bpdufilter
default``, EOS/NX-OS ``spanning-tree port type edge bpdufilter default``) is weaker: it applies
only while a port is operationally edge, stops sending BPDUs there, and lifts as soon as a BPDU
arrives (the port then leaves edge state and runs STP normally). A loop closed by another switch
is therefore still caught; one closed through a device that sends no BPDU (a bridging host, a
looped cable on a port that saw no BPDU in its first seconds) is not. That case is reported at
``global_default_severity`` (default medium; never above the rule's own severity), worded as
such.

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    spanning-tree portfast bpdufilter default
    interface GigabitEthernet1/0/3
     spanning-tree portfast
     spanning-tree bpdufilter enable

Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    spanning-tree portfast bpduguard default
    interface GigabitEthernet1/0/3
     spanning-tree portfast

Juniper Junos has no BPDU-filter statement; the nearest equivalent - leaving a port out of
spanning tree - is SG201 (``set protocols rstp interface ge-0/0/3 disable``). Good (Juniper Junos)::

    set protocols rstp interface ge-0/0/3 edge
    set protocols rstp bpdu-block-on-edge

Bad (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/3
     stp bpdu-filter enable

Good (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/3
     stp edged-port enable
    stp bpdu-protection
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stormguard import remediation
from stormguard.effective import EffectiveDevice
from stormguard.rules.base import Hit, RuleContext

ID = "SG203"
NAME = "bpdu-filter"
SEVERITY = "high"
PARAMS: dict[str, Any] = {"global_default_severity": "medium"}


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    glob_severity = str(params.get("global_default_severity") or "medium")
    for port in dev.ports:
        bf = port.bpdu_filter
        if not bf.value:
            continue
        if bf.origin == "global":
            yield Hit(
                message=(f"the global BPDU-filter default applies to edge port {port.name}: "
                         "it sends no BPDUs while operationally edge (the filter lifts when a "
                         "BPDU arrives), so a loop through a device that sends none goes unseen"),
                interface=port.name,
                line=bf.line,
                expected="no BPDU-filter default (BPDU guard on edge ports instead)",
                actual="BPDU filter on edge ports (global default)",
                remediation=remediation.bpdu_filter_off(ctx.family, port.name, True),
                extra={"origin": bf.origin},
                severity=glob_severity,
            )
            continue
        yield Hit(
            message=f"BPDU filter is in effect on {port.name}: STP cannot see a loop there",
            interface=port.name,
            line=bf.line,
            expected="no BPDU filter",
            actual="BPDU filter enabled",
            remediation=remediation.bpdu_filter_off(
                ctx.family, port.name, False, v=remediation.variant(dev),
                at=remediation.source(port.iface, "bpdu_filter")),
            extra={"origin": bf.origin},
        )
