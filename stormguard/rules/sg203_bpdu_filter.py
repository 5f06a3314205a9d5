"""BPDU filter in effect on a port.

Why it matters for storms: BPDU filter stops a port from sending and receiving BPDUs, which
switches spanning tree off on that port without saying so. A loop through that port is then
invisible to STP, and BPDU guard cannot catch it either (it never sees a BPDU). It is in effect
when set on the port, or through a global default (``spanning-tree portfast bpdufilter default``)
on every port in edge state.

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
PARAMS: dict[str, Any] = {}


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for port in dev.ports:
        bf = port.bpdu_filter
        if not bf.value:
            continue
        glob = bf.origin == "global"
        via = " through the global default" if glob else ""
        yield Hit(
            message=f"BPDU filter is in effect on {port.name}{via}: STP cannot see a loop there",
            interface=port.name,
            line=bf.line,
            expected="no BPDU filter",
            actual="BPDU filter enabled" + (" (global default)" if glob else ""),
            remediation=remediation.bpdu_filter_off(ctx.family, port.name, glob),
            extra={"origin": bf.origin},
        )
