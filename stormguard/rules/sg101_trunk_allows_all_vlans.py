"""Trunk allows all VLANs.

Why it matters for storms: a broadcast storm in one VLAN floods every trunk that carries that
VLAN. A trunk that allows every VLAN (no allowed list, ``all``, or a range such as ``1-4094`` that
covers practically all of them) carries every storm in the network to the device on the other
end - typically a hypervisor whose vSwitch then floods it to every VM, or the next switch, which
passes it on. Pruning a trunk to the VLANs it needs confines a storm to the ports that really
take part in that VLAN. A list of at least ``all_threshold`` IDs counts as ``all``.

Ports whose role is in ``exempt_roles`` are not judged: by default the ``peer-link`` role, which
the configuration gives to a vPC peer-link (NX-OS ``vpc peer-link`` under the port-channel) or an
MLAG peer-link (EOS ``mlag configuration`` / ``peer-link Port-ChannelN``). A peer-link must carry
every VLAN of its vPC/MLAG domain, so pruning it would break the domain rather than confine a
storm.

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    interface GigabitEthernet1/0/1
     switchport mode trunk

Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    interface GigabitEthernet1/0/1
     switchport mode trunk
     switchport trunk allowed vlan 10,20

Bad (Juniper Junos)::

    set interfaces ge-0/0/1 unit 0 family ethernet-switching interface-mode trunk
    set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members all

Good (Juniper Junos)::

    set interfaces ge-0/0/1 unit 0 family ethernet-switching interface-mode trunk
    set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members [ 10 20 ]

Bad (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/1
     port link-type trunk
     port trunk allow-pass vlan 2 to 4094

Good (Huawei VRP, H3C Comware)::

    interface GigabitEthernet0/0/1
     port link-type trunk
     undo port trunk allow-pass vlan 1
     port trunk allow-pass vlan 10 20
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from stormguard import remediation
from stormguard.effective import EffectiveDevice, EffectivePort
from stormguard.rules.base import Hit, RuleContext, maker, role_extra
from stormguard.vlans import VlanSet

ID = "SG101"
NAME = "trunk-allows-all-vlans"
SEVERITY = "high"
PARAMS: dict[str, Any] = {"all_threshold": 4000, "exempt_roles": ["peer-link"]}
_VLAN1 = VlanSet.of([1])
#: Families whose fix names the port only in its ``interface`` header (when the list is not
#: inherited from a group): the rest depends on the VLANs alone.
_PORT_FREE_BODY = remediation.CISCOISH


def suggested_vlans(dev: EffectiveDevice, permitted: VlanSet | None,
                    defined: VlanSet | None = None) -> VlanSet | str:
    """What to propose instead of `all`: the role's permitted set, else the VLANs the device
    defines (without the default VLAN 1, which a trunk rarely needs tagged); the engineer
    trims it to what the far end uses. `defined` is that device-wide fallback when the caller
    has already computed it (it is the same for every trunk of the device)."""
    if permitted is not None and permitted:
        return permitted
    if defined is None:
        defined = dev.defined_vlans - _VLAN1
    return defined if defined else "VLAN-LIST"


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    threshold = int(params["all_threshold"])
    exempt = set(params.get("exempt_roles", ()))
    defined: VlanSet | None = None  # the device-wide suggestion, computed on first need
    fix = _fixer(dev, ctx.family, threshold)
    expected = f"an explicit list of the VLANs needed (fewer than {threshold})"
    make = maker(ctx)  # a config has dozens of such trunks: findings built directly
    for port in dev.ports:
        if port.mode != "trunk" or port.role in exempt:  # (is_trunk, without the call)
            continue
        allowed = port.allowed_vlans
        vlans = allowed.value
        if not vlans.covers_all(threshold):
            continue
        if allowed.origin == "default":
            actual = "all VLANs (no allowed-VLAN list)"
        elif vlans.is_all:
            actual = "all VLANs (allowed list 'all')"
        else:
            actual = f"{len(vlans)} VLANs ({vlans.to_text()})"
        if defined is None:
            defined = dev.defined_vlans - _VLAN1
        name = port.name
        # positional, in Hit's field order (message, interface, line, expected, actual,
        # remediation, extra)
        yield make(f"trunk {name} allows all VLANs: every broadcast storm reaches it", name,
                   allowed.line, expected, actual,
                   fix(port, suggested_vlans(dev, port.permitted_vlans, defined), vlans),
                   role_extra(port) if port.role_source else {})


def _fixer(dev: EffectiveDevice, family: str, threshold: int
           ) -> Callable[[EffectivePort, VlanSet | str, VlanSet], str]:
    """``fix(port, proposal, current)``: :func:`stormguard.remediation.trunk_allowed` for a
    trunk of `dev`. On the Cisco family, NX-OS and EOS a port whose list is its own gets the
    body of an earlier port's fix for the same VLANs under its own ``interface`` header (the
    trunks of a device mostly share their proposal, and the snippet costs more than the rest
    of the rule's work on a port)."""
    names = dev.vlan_names if family == "junos" else None
    port_free = family in _PORT_FREE_BODY
    bodies: dict[tuple[Any, ...], str] = {}  # (proposal, current, keep, hybrid) -> body

    def fix(port: EffectivePort, proposal: VlanSet | str, current: VlanSet) -> str:
        name = port.name
        where = remediation.vlan_context(port)
        key = None
        if port_free and where["at"] is None and "\n" not in name:
            key = (proposal, current, where["keep"], where["hybrid"])
            body = bodies.get(key)
            if body is not None:
                return f"interface {name}{body}"
        out = remediation.trunk_allowed(family, name, proposal, names, current=current,
                                        all_threshold=threshold, **where)
        head = f"interface {name}\n"
        if key is not None and out.startswith(head):
            bodies[key] = out[len(head) - 1:]
        return out

    return fix
