"""ESXi passes guest BPDUs to BPDU-guarded ports, or a port group accepts forged frames.

An ESXi host with ``Net.BlockGuestBPDU`` off behind switch ports with BPDU guard, or a port
group that accepts forged transmits or promiscuous mode on a VLAN the switch trunk carries.

Why it matters for storms: VMware's recommended switch port towards ESXi is an edge trunk with
BPDU guard. A single guest that sends a BPDU (a VM running a software bridge, a nested
hypervisor) then err-disables the uplink it leaves by; ESXi fails the guest's traffic over to
the next uplink, which BPDU guard shuts too, one after another, until the host is cut off.
``Net.BlockGuestBPDU = 1`` drops guest BPDUs in the vSwitch. A port group that accepts forged
transmits lets a guest send frames with source MACs that are not its own: a guest bridging two
vNICs on the same VLAN forwards every broadcast back into the vSwitch, a loop no spanning tree
sees; promiscuous mode hands the guest every frame of the VLAN to bridge (reported at low
severity when forged transmits are rejected: the guest cannot send them back under other MACs).
Only VLANs the switch trunk behind the vSwitch carries are judged (port group VLAN 4095: any
carried VLAN; VLAN 0: the trunk's native VLAN), found with the L2 graph (LLDP/CDP).

Bad (VMware ESXi)::

    esxcli system settings advanced list -o /Net/BlockGuestBPDU
       Int Value: 0
    esxcli network vswitch standard portgroup policy security get -p 'Nested Lab'
       Allow Promiscuous: true
       Allow Forged Transmits: true

Good (VMware ESXi)::

    esxcli system settings advanced set -o /Net/BlockGuestBPDU -i 1
    esxcli network vswitch standard portgroup policy security set -p 'Nested Lab' \\
        --allow-promiscuous=false --allow-forged-transmits=false

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS: the switch side that err-disables)::

    interface GigabitEthernet1/0/10
     description esx-07 vmnic0
     switchport mode trunk
     spanning-tree portfast trunk
     spanning-tree bpduguard enable

Good (Cisco IOS/IOS-XE, NX-OS, Arista EOS: keep BPDU guard, block guest BPDUs on the host)::

    interface GigabitEthernet1/0/10
     spanning-tree portfast trunk
     spanning-tree bpduguard enable
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from stormguard.rules.base import Hit, RuleContext, role_extra
from stormguard.vlans import VlanSet

# The topology package is loaded by the fleet audit that runs this rule, not by `stormguard lint`
# (which loads every rule module): at module level only annotations name it; the functions
# that call it import it.
if TYPE_CHECKING:
    from stormguard.topology.fleet import FleetView
    from stormguard.topology.hostside import HostLink

ID = "SG505"
NAME = "esxi-guest-bpdu-and-forged-transmits"
SEVERITY = "medium"
SCOPE = "fleet"
PARAMS: dict[str, Any] = {}


def _carried(links: list[HostLink]) -> tuple[VlanSet, set[int]]:
    """(tagged VLANs the switch trunks carry towards the vSwitch, native VLANs carried)."""
    tagged = VlanSet.none()
    native: set[int] = set()
    for lk in links:
        tagged = tagged | lk.edge.vlans
        nat = lk.port.iface.native_vlan or 1
        if lk.port.is_trunk and nat in lk.port.allowed_vlans.value:
            native.add(nat)
    return tagged, native


def check(fleet: FleetView, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    from stormguard.topology.hostside import host_links
    by_dev: dict[str, list[HostLink]] = {}
    for link in host_links(fleet):
        if link.host.platform == "esxi":
            by_dev.setdefault(link.host.hostname, []).append(link)
    # 1. Net.BlockGuestBPDU off behind BPDU guard: one finding per host
    by_host: dict[str, list[HostLink]] = {}
    for name in sorted(by_dev):
        by_host.setdefault(name.split("/", 1)[0], []).extend(by_dev[name])
    for host, links in sorted(by_host.items()):
        dev = links[0].host
        if dev.device.extra.get("block_guest_bpdu") is not False:
            continue  # on, or not read: nothing to say
        guarded = [lk for lk in links if lk.port.bpdu_guard.value]
        if not guarded:
            continue
        ports = sorted({f"{lk.switch.hostname} {lk.port.name}" for lk in guarded})
        yield Hit(
            device=dev.hostname,
            interface=None,
            line=dev.device.lines.get("block_guest_bpdu"),
            message=(f"ESXi host {host} has Net.BlockGuestBPDU off behind switch ports with "
                     f"BPDU guard ({', '.join(ports)}): one guest BPDU err-disables its "
                     "uplinks one after another"),
            expected="/Net/BlockGuestBPDU = 1",
            actual="/Net/BlockGuestBPDU = 0",
            remediation="esxcli system settings advanced set -o /Net/BlockGuestBPDU -i 1",
            extra={"host": host, "switch_ports": ports,
                   "switch_roles": {f"{lk.switch.hostname} {lk.port.name}": role_extra(lk.port)
                                    for lk in guarded}},
        )
    # 2. port groups accepting forged transmits / promiscuous mode on a carried VLAN
    for name, links in sorted(by_dev.items()):
        dev = links[0].host
        tagged, native = _carried(links)
        ports = sorted({f"{lk.switch.hostname} {lk.port.name}" for lk in links})
        for p in dev.all_ports:
            iface = p.iface
            if not iface.extra.get("portgroup"):
                continue
            sec = iface.extra.get("security") or {}
            forged, promisc = sec.get("allow_forged_transmits"), sec.get("allow_promiscuous")
            if forged is not True and promisc is not True:
                continue
            vid = iface.extra.get("vlan_id")
            if vid == 4095:
                on = tagged.to_text() if tagged else ""
            elif vid == 0:
                on = ",".join(str(v) for v in sorted(native))
                on = f"untagged (native VLAN {on})" if on else ""
            elif isinstance(vid, int) and vid in tagged:
                on = str(vid)
            else:
                on = ""
            if not on:
                continue
            what = " and ".join(w for w, v in (("forged transmits", forged),
                                               ("promiscuous mode", promisc)) if v is True)
            flags = " ".join(f for f, v in (("--allow-forged-transmits=false", forged),
                                            ("--allow-promiscuous=false", promisc))
                             if v is True)
            yield Hit(
                device=name,
                interface=p.name,
                line=iface.lines.get("security") or p.line,
                message=(f"port group {p.name!r} on {name} accepts {what} on VLAN {on}, which "
                         f"the switch trunk carries ({', '.join(ports)}): a guest that "
                         "bridges can loop it back into the fabric"),
                expected="forged transmits and promiscuous mode rejected",
                actual=what + " accepted",
                remediation=("esxcli network vswitch standard portgroup policy security set "
                             f"-p {shlex.quote(p.name)} {flags}"),
                severity=None if forged is True else "low",
                extra={"portgroup": p.name, "vlan_id": vid, "switch_ports": ports},
            )
