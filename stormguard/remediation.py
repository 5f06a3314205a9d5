"""Remediation snippets, in each platform's own syntax.

A finding is only useful if the engineer on call can act on it, so each one carries the lines to
paste: ``interface X`` + sub-commands on the Cisco family, Arista EOS, Huawei VRP and H3C
Comware; ``set``/``delete`` lines on Junos; ``ovs-vsctl`` / ``bridge`` commands on vSwitches.
Every function takes the platform *family* (:data:`stormguard.model.PLATFORM_FAMILY`) first and
returns a snippet (lines joined with newlines; sub-commands indented by one space the way the
running config shows them). Rules call these instead of formatting commands themselves, so all
rules speak a platform the same way.

VLAN lists are written the way the platform writes them: ``10,20-30`` (Cisco/EOS/NX-OS),
``10 20 to 30`` (Huawei/H3C), ``[ 10 20-30 ]`` (Junos), ``10,20-30`` (OVS trunks ranges are
expanded, since ``trunks=`` takes single IDs).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from stormguard.vlans import VlanSet

CISCOISH = frozenset({"cisco", "nxos", "eos"})
VRPISH = frozenset({"huawei", "comware"})
#: Name of the storm-control profile proposed on Junos.
JUNOS_STORM_PROFILE = "sg-storm"


def _iface(name: str, *lines: str) -> str:
    return "\n".join([f"interface {name}", *(f" {ln}" for ln in lines)])


def vlan_text(family: str, vlans: VlanSet | str) -> str:
    if isinstance(vlans, str):
        return vlans
    return _vlan_text(family, vlans)


@lru_cache(maxsize=512)
def _vlan_text(family: str, vlans: VlanSet) -> str:
    """Memoised: a device repeats the same few VLAN lists on hundreds of ports."""
    if family in VRPISH:
        return vlans.to_text(sep=" ", range_sep=" to ")
    if family == "junos":
        return "[ " + vlans.to_text(sep=" ") + " ]"
    if family == "ovs":
        return ",".join(str(v) for v in vlans)
    return vlans.to_text()


def _junos_members(vlans: VlanSet, names: Mapping[int, str] | None) -> list[str]:
    """Junos ``vlan members`` tokens: a VLAN the config names is written by its name (that is
    how the member list spells it, and ``delete`` must match it), the rest as IDs/ranges."""
    out: list[str] = []
    for a, b in vlans.ranges():
        if names and (b - a) < 64 and any(v in names for v in range(a, b + 1)):
            run: list[int] = []
            for v in range(a, b + 1):
                if v in names:
                    if run:
                        out.append(_range_text(run[0], run[-1]))
                        run = []
                    out.append(names[v])
                else:
                    run.append(v)
            if run:
                out.append(_range_text(run[0], run[-1]))
        else:
            out.append(_range_text(a, b))
    return out


def _range_text(a: int, b: int) -> str:
    return str(a) if a == b else f"{a}-{b}"


def _junos_unit(name: str) -> str:
    return f"interfaces {name} unit 0 family ethernet-switching"


# -- VLANs ------------------------------------------------------------------------------------


def trunk_allowed(family: str, port: str, vlans: VlanSet | str,
                  names: Mapping[int, str] | None = None) -> str:
    """Replace a trunk's allowed list with `vlans` (Junos: by name where `names` has one)."""
    v = vlan_text(family, vlans)
    if family in CISCOISH:
        return _iface(port, f"switchport trunk allowed vlan {v}")
    if family == "junos":
        if names and isinstance(vlans, VlanSet):
            v = "[ " + " ".join(_junos_members(vlans, names)) + " ]"
        return (f"delete {_junos_unit(port)} vlan members\n"
                f"set {_junos_unit(port)} vlan members {v}")
    if family == "huawei":
        return _iface(port, "undo port trunk allow-pass vlan all",
                      f"port trunk allow-pass vlan {v}")
    if family == "comware":
        return _iface(port, "undo port trunk permit vlan all", f"port trunk permit vlan {v}")
    if family == "ovs":
        return f"ovs-vsctl set port {port} trunks={v}"
    if family == "linux_bridge":
        if not isinstance(vlans, VlanSet):
            return f"bridge vlan del dev {port} vid 1-4094\nbridge vlan add dev {port} vid {v}"
        # `bridge vlan add` takes one VLAN or one A-B range per call
        from stormguard.remediation_vswitch import bridge_vlan_add

        return "\n".join([f"bridge vlan del dev {port} vid 1-4094",
                          *bridge_vlan_add(port, vlans)])
    return f"allow only VLANs {v} on {port}"


def trunk_remove(family: str, port: str, vlans: VlanSet,
                 names: Mapping[int, str] | None = None) -> str:
    """Take `vlans` off a trunk's allowed list (Junos: by name where `names` has one)."""
    v = vlan_text(family, vlans)
    if family in CISCOISH:
        return _iface(port, f"switchport trunk allowed vlan remove {v}")
    if family == "junos":
        return "\n".join(f"delete {_junos_unit(port)} vlan members {m}"
                         for m in _junos_members(vlans, names))
    if family == "huawei":
        return _iface(port, f"undo port trunk allow-pass vlan {v}")
    if family == "comware":
        return _iface(port, f"undo port trunk permit vlan {v}")
    if family == "ovs":
        return f"ovs-vsctl remove port {port} trunks {v}"
    if family == "linux_bridge":
        return "\n".join(f"bridge vlan del dev {port} vid {a if a == b else f'{a}-{b}'}"
                         for a, b in vlans.ranges())
    return f"remove VLANs {v} from {port}"


# -- spanning tree -----------------------------------------------------------------------------


def stp_enable_global(family: str, bridge: str = "BRIDGE") -> str:
    """Turn spanning tree on for the device (for a vSwitch: on `bridge`)."""
    return {
        "cisco": "spanning-tree mode rapid-pvst\nspanning-tree vlan 1-4094",
        "nxos": "spanning-tree mode rapid-pvst\nspanning-tree vlan 1-3967",
        "eos": "spanning-tree mode mstp",
        "junos": "set protocols rstp",
        "huawei": "stp mode rstp\nstp enable",
        "comware": "stp mode rstp\nstp global enable",
        "ovs": f"ovs-vsctl set bridge {bridge} rstp_enable=true",
        "linux_bridge": f"ip link set dev {bridge} type bridge stp_state 1",
    }.get(family, "enable spanning tree")


def stp_enable_vlans(family: str, vlans: VlanSet) -> str:
    v = vlans.to_text()
    if family in ("cisco", "nxos"):
        return f"spanning-tree vlan {v}"
    if family == "eos":
        return f"spanning-tree vlan-id {v}"
    if family == "junos":
        return "\n".join(f"delete protocols vstp vlan {a if a == b else f'{a}-{b}'} disable"
                         for a, b in vlans.ranges())
    if family in VRPISH:
        return f"stp vlan {vlan_text(family, vlans)} enable"
    return f"enable spanning tree for VLANs {v}"


def stp_enable_port(family: str, port: str) -> str:
    if family in CISCOISH:
        return _iface(port, "no spanning-tree disable")
    if family == "junos":
        return f"delete protocols rstp interface {port} disable"
    if family in VRPISH:
        return _iface(port, "stp enable")
    if family == "ovs":
        return f"ovs-vsctl remove port {port} other_config stp-enable"
    return f"enable spanning tree on {port}"


def edge_off(family: str, port: str, from_global: bool) -> str:
    """Stop `port` from being an edge port (port setting, or override of a global default)."""
    if family == "cisco":
        return _iface(port, "spanning-tree portfast disable" if from_global
                      else "no spanning-tree portfast")
    if family == "nxos":
        return _iface(port, "spanning-tree port type normal" if from_global
                      else "no spanning-tree port type edge")
    if family == "eos":
        return _iface(port, "no spanning-tree portfast")
    if family == "junos":
        return f"delete protocols rstp interface {port} edge"
    if family == "huawei":
        return _iface(port, "stp edged-port disable")
    if family == "comware":
        return _iface(port, "undo stp edged-port")
    if family == "ovs":
        return f"ovs-vsctl set port {port} other_config:rstp-port-admin-edge=false"
    return f"make {port} a non-edge port"


def bpdu_filter_off(family: str, port: str, from_global: bool) -> str:
    if from_global:
        return {
            "cisco": "no spanning-tree portfast bpdufilter default",
            "nxos": "no spanning-tree port type edge bpdufilter default",
            "eos": "no spanning-tree edge-port bpdufilter default",
            "huawei": "undo stp bpdu-filter default",
            "comware": "undo stp bpdu-filter default",
        }.get(family, "remove the global BPDU filter default")
    if family in CISCOISH:
        return _iface(port, "no spanning-tree bpdufilter enable")
    if family == "huawei":
        return _iface(port, "stp bpdu-filter disable")
    if family == "comware":
        return _iface(port, "undo stp bpdu-filter")
    return f"remove BPDU filtering from {port}"


def bpdu_guard_on(family: str, port: str) -> str:
    if family in CISCOISH:
        return _iface(port, "spanning-tree bpduguard enable")
    if family == "junos":
        return f"set protocols layer2-control bpdu-block interface {port}"
    if family == "huawei":
        return "stp bpdu-protection"
    if family == "comware":
        return _iface(port, "stp port bpdu-protection enable")
    return f"enable BPDU guard on {port}"


# -- storm control -----------------------------------------------------------------------------


def storm_broadcast(family: str, port: str, percent: float, pps: int) -> str:
    """Broadcast storm-control at the policy's maximum (a sane starting point)."""
    pct = f"{percent:g}"
    if family == "cisco":
        return _iface(port, f"storm-control broadcast level {percent:.2f}")
    if family == "nxos":
        return _iface(port, f"storm-control broadcast level {percent:.2f}")
    if family == "eos":
        return _iface(port, f"storm-control broadcast level {pct}")
    if family == "junos":
        return (f"set forwarding-options storm-control-profiles {JUNOS_STORM_PROFILE} all "
                f"bandwidth-percentage {pct}\n"
                f"set {_junos_unit(port)} storm-control {JUNOS_STORM_PROFILE}")
    if family == "huawei":
        return _iface(port, f"storm-control broadcast min-rate {max(pps // 2, 1)} max-rate {pps}")
    if family == "comware":
        return _iface(port, f"broadcast-suppression {pct}")
    return f"limit broadcast traffic on {port} to {pct} %"


def storm_action(family: str, port: str, profile: str | None = None) -> str:
    """Make a storm visible: a trap (or a shutdown where that is all the platform offers)."""
    if family in ("cisco", "nxos"):
        return _iface(port, "storm-control action trap")
    if family == "junos":
        return (f"set forwarding-options storm-control-profiles {profile or JUNOS_STORM_PROFILE} "
                "action-shutdown")
    if family == "huawei":
        return _iface(port, "storm-control enable trap")
    if family == "comware":
        return _iface(port, "storm-constrain enable trap")
    return f"configure a storm-control trap or shutdown action on {port}"
