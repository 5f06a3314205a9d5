"""Trunk allows VLANs outside its role's permitted set.

Why it matters for storms: the policy says which VLANs a class of ports needs - hypervisor
trunks carry the VM and vMotion VLANs, not the storage or management ones. Each extra VLAN on a
trunk is one more broadcast domain whose storms (and loops) reach the far end. Keeping trunks
to their role's permitted set (``roles.<role>.permitted_vlans`` in the policy, optionally per
device with ``permitted_vlans_by_device``) limits the blast radius of a storm to the ports that
need that VLAN. The rule is silent for roles without a permitted set.

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS; role hypervisor permits 10,20)::

    interface GigabitEthernet1/0/5
     description esx-07 vmnic0
     switchport mode trunk
     switchport trunk allowed vlan 10,20,30,99

Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    interface GigabitEthernet1/0/5
     description esx-07 vmnic0
     switchport mode trunk
     switchport trunk allowed vlan 10,20

Bad (Juniper Junos)::

    set interfaces ge-0/0/5 description "esx-07 vmnic0"
    set interfaces ge-0/0/5 unit 0 family ethernet-switching vlan members [ 10 20 30 99 ]

Good (Juniper Junos)::

    set interfaces ge-0/0/5 description "esx-07 vmnic0"
    set interfaces ge-0/0/5 unit 0 family ethernet-switching vlan members [ 10 20 ]

Bad (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/5
     description esx-07 vmnic0
     port link-type trunk
     port trunk allow-pass vlan 10 20 30 99

Good (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/5
     description esx-07 vmnic0
     port link-type trunk
     port trunk allow-pass vlan 10 20
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stormguard import remediation
from stormguard.effective import EffectiveDevice
from stormguard.rules.base import Hit, RuleContext, role_extra

ID = "SG102"
NAME = "trunk-vlans-outside-role"
SEVERITY = "medium"
PARAMS: dict[str, Any] = {}


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for port in dev.ports:
        permitted = port.permitted_vlans
        if not port.is_trunk or permitted is None:
            continue
        allowed = port.allowed_vlans.value
        outside = allowed - permitted
        if not outside:
            continue
        names = dev.vlan_names if ctx.family == "junos" else None
        where = remediation.vlan_context(port)
        if allowed.is_all or len(outside) > 64:
            fix = remediation.trunk_allowed(ctx.family, port.name, permitted & allowed, names,
                                            current=allowed, **where)
        else:
            fix = remediation.trunk_remove(ctx.family, port.name, outside, names,
                                           hybrid=where["hybrid"], at=where["at"])
        yield Hit(
            message=(f"trunk {port.name} (role {port.role}) allows VLANs outside the role's "
                     f"permitted set: {outside.to_text()}"),
            interface=port.name,
            line=port.allowed_vlans.line,
            expected=f"a subset of {permitted.to_text()}",
            actual=allowed.to_text(),
            remediation=fix,
            extra={"outside": outside.to_text(), **role_extra(port)},
        )
