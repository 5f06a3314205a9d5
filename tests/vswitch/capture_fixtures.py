"""Regenerate the captured state bundles in tests/vswitch/fixtures/ and examples/.

Run as root on a machine with Open vSwitch installed:
    .venv/bin/python tests/vswitch/capture_fixtures.py

The OVS bundles and the VLAN-unaware Linux bridge bundle are captured verbatim from a real
user-space OVS and real Linux bridges in throw-away namespaces (stormguard.testing). Kernels
without bridge VLAN filtering or bonding (minimal VM kernels, like the CI machine's) cannot show
those, so ``linux_bridge-compliant.json`` is derived from a capture: the bridge's
``vlan_filtering`` flag, the ``bridge -j vlan show`` entries and the bond/NIC links are written in
exactly the shape iproute2 prints them; its "note" key says so.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from stormguard.collect.linux_bridge import collect as collect_lb  # noqa: E402
from stormguard.collect.ovs import collect as collect_ovs  # noqa: E402
from stormguard.parsers._vswitch import dump_bundle  # noqa: E402
from stormguard.testing.linuxbridge import BridgeLab  # noqa: E402
from stormguard.testing.ovs import OvsLab  # noqa: E402

FIX = ROOT / "tests" / "vswitch" / "fixtures"
EX = ROOT / "examples"

# Columns whose values change every run and say nothing about storms.
_VOLATILE = {"statistics", "datapath_id", "mac_in_use", "ifindex", "link_resets",
             "rstp_status", "rstp_statistics", "status", "mac", "bond_active_slave",
             "ofport", "link_speed", "duplex", "admin_state", "link_state", "mtu", "error"}


def _slim_ovs(text: str) -> str:
    doc = json.loads(text)
    for table in doc["tables"].values():
        keep = [i for i, h in enumerate(table["headings"]) if h not in _VOLATILE]
        table["headings"] = [table["headings"][i] for i in keep]
        table["data"] = [[row[i] for i in keep] for row in table["data"]]
    return dump_bundle(doc)


_LINK_KEEP = ("ifindex", "ifname", "flags", "mtu", "master", "operstate", "link_type",
              "address", "link_netnsid", "link", "ifalias", "parentbus", "parentdev",
              "linkinfo")
_BR_DATA_KEEP = ("forward_delay", "hello_time", "max_age", "ageing_time", "stp_state",
                 "priority", "vlan_filtering", "vlan_protocol", "vlan_default_pvid",
                 "mcast_snooping")
_PORT_KEEP = ("state", "priority", "cost", "hairpin", "guard", "root_block", "fastleave",
              "learning", "flood", "mcast_flood", "bcast_flood", "proxy_arp", "neigh_suppress",
              "vlan_tunnel", "isolated")


def _slim_link(link: dict) -> dict:
    out = {k: link[k] for k in _LINK_KEEP if k in link}
    li = out.get("linkinfo")
    if isinstance(li, dict):
        li = dict(li)
        if li.get("info_kind") == "bridge" and isinstance(li.get("info_data"), dict):
            li["info_data"] = {k: v for k, v in li["info_data"].items() if k in _BR_DATA_KEEP}
        if isinstance(li.get("info_slave_data"), dict):
            li["info_slave_data"] = {k: v for k, v in li["info_slave_data"].items()
                                     if k in _PORT_KEEP}
        out["linkinfo"] = li
    return out


def _slim_lb(text: str, netns: str) -> dict:
    doc = json.loads(text)
    doc["netns"] = netns
    doc["links"] = [_slim_link(lk) for lk in doc["links"]]
    return doc


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({len(text)} bytes)")


def capture_ovs() -> None:
    with OvsLab() as lab:
        # hv01: a trunk with an empty `trunks` set, two loose uplinks without STP, a VM port.
        lab.add_bridge("br-trunk", rstp=True)
        lab.add_port("br-trunk", "eth1", "vlan_mode=trunk",
                     "external_ids:description=uplink-tor1")
        lab.add_port("br-trunk", "vnet0", "tag=10", nic=False, iface_type="internal")
        lab.vsctl("set", "interface", "vnet0", "external_ids:iface-id=vm-web01")
        lab.add_bridge("br-loop")
        lab.add_port("br-loop", "eth5", "trunks=10,20", "external_ids:description=uplink-tor1")
        lab.add_port("br-loop", "eth6", "trunks=10,20", "external_ids:description=uplink-tor2")
        lab.add_port("br-loop", "vnet1", "tag=20", "other_config:rstp-port-admin-edge=true",
                     nic=False, iface_type="internal")
        text = _slim_ovs(collect_ovs(lab.host("hv01")).config)
        write(FIX / "ovs-hv01.json", text)
        write(EX / "ovs-violations.json", text)
    with OvsLab() as lab:
        # hv02: the compliant shape: LACP bond, trunks=[10,20], RSTP, VM ports policed.
        lab.add_bridge("br-vm", rstp=True)
        lab.add_bond("br-vm", "bond0", ["eth3", "eth4"], "trunks=10,20", "lacp=active",
                     "bond_mode=balance-tcp", "external_ids:description=uplink-tor1-tor2")
        lab.add_port("br-vm", "vnet2", "tag=10", "vlan_mode=access", nic=False,
                     iface_type="internal")
        lab.vsctl("set", "interface", "vnet2", "ingress_policing_kpkts_rate=5",
                  "external_ids:attached-mac=52:54:00:12:34:56")
        lab.add_port("br-vm", "vnet3", "tag=99", "trunks=10", "vlan_mode=native-untagged",
                     nic=False, iface_type="internal")
        lab.vsctl("set", "interface", "vnet3", "ingress_policing_kpkts_rate=5")
        lab.add_port("br-vm", "patch-int", "vlan_mode=trunk", "trunks=10,20", nic=False,
                     iface_type="patch")
        lab.vsctl("set", "interface", "patch-int", "options:peer=patch-vm")
        lab.add_port("br-vm", "eth7", "tag=30", "other_config:stp-enable=false")
        text = _slim_ovs(collect_ovs(lab.host("hv02")).config)
        write(FIX / "ovs-hv02.json", text)
        write(EX / "ovs-compliant.json", text)


def capture_lb() -> None:
    with BridgeLab() as lab:
        lab.add_bridge("br-flat")
        lab.add_uplink("br-flat", "up1", alias="uplink tor1")
        lab.add_guest("br-flat", "vm1")
        lab.add_bridge("br-loop")
        lab.add_uplink("br-loop", "up2", alias="uplink tor1")
        lab.add_uplink("br-loop", "up3", alias="uplink tor2")
        lab.add_bridge("br-stp", stp=True)
        lab.add_uplink("br-stp", "up4", alias="uplink tor1")
        lab.add_uplink("br-stp", "up5", alias="uplink tor2")
        lab.port_flag("up4", "guard", True)
        lab.port_flag("up5", "root_block", True)
        lab.add_guest("br-stp", "vm2")
        lab.port_flag("vm2", "mcast_flood", False)
        doc = _slim_lb(collect_lb(lab.host("hv03")).config, "lab")
        write(FIX / "linux_bridge-hv03.json", dump_bundle(doc))
        write(EX / "linux_bridge-violations.json", dump_bundle(doc))
        derive_hv04(doc)


def derive_hv04(base: dict) -> None:
    """A VLAN-aware bridge on a bond of two PCI NICs, STP on (see the module docstring)."""
    doc = copy.deepcopy(base)
    doc["hostname"] = "hv04"
    doc["note"] = ("derived from a capture of hv03: vlan_filtering, bridge vlan entries and the "
                   "bond/NIC links written as iproute2 6.1 prints them (the capture kernel has "
                   "no bridge VLAN filtering or bonding)")
    doc["overrides"] = {}
    links = {lk["ifname"]: lk for lk in doc["links"]}
    br = copy.deepcopy(links["br-stp"])
    br["ifname"], br["ifindex"] = "br0", 20
    br["linkinfo"]["info_data"].update({"vlan_filtering": 1, "vlan_protocol": "802.1Q",
                                        "vlan_default_pvid": 1, "stp_state": 2})
    port_tpl = copy.deepcopy(links["up5"]["linkinfo"]["info_slave_data"])
    port_tpl.update({"guard": False, "root_block": False})

    def nic(name: str, idx: int, pci: str) -> dict:
        return {"ifindex": idx, "ifname": name,
                "flags": ["BROADCAST", "MULTICAST", "SLAVE", "UP", "LOWER_UP"], "mtu": 9000,
                "master": "bond0", "operstate": "UP", "link_type": "ether",
                "address": f"3c:fd:fe:00:00:{idx:02x}", "parentbus": "pci", "parentdev": pci,
                "linkinfo": {"info_slave_kind": "bond",
                             "info_slave_data": {"state": "ACTIVE", "mii_status": "UP",
                                                 "link_failure_count": 0,
                                                 "perm_hwaddr": f"3c:fd:fe:00:00:{idx:02x}",
                                                 "queue_id": 0}}}

    bond = {"ifindex": 23, "ifname": "bond0",
            "flags": ["BROADCAST", "MULTICAST", "MASTER", "UP", "LOWER_UP"], "mtu": 9000,
            "master": "br0", "operstate": "UP", "link_type": "ether",
            "address": "3c:fd:fe:00:00:15", "ifalias": "uplink tor1/tor2 lacp",
            "linkinfo": {"info_kind": "bond",
                         "info_data": {"mode": "802.3ad", "miimon": 100, "xmit_hash_policy":
                                       "layer3+4", "ad_lacp_rate": "fast"},
                         "info_slave_kind": "bridge", "info_slave_data": dict(port_tpl)}}
    tap = {"ifindex": 24, "ifname": "vnet0",
           "flags": ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], "mtu": 1500,
           "master": "br0", "operstate": "UNKNOWN", "link_type": "ether",
           "address": "fe:54:00:aa:bb:01",
           "linkinfo": {"info_kind": "tun",
                        "info_data": {"type": "tap", "pi": False, "vnet_hdr": True,
                                      "multi_queue": False, "persist": False},
                        "info_slave_kind": "bridge",
                        "info_slave_data": dict(port_tpl, guard=True)}}
    tap2 = copy.deepcopy(tap)
    tap2.update({"ifindex": 25, "ifname": "vnet1", "address": "fe:54:00:aa:bb:02"})
    doc["links"] = [links["lo"], br, nic("enp1s0f0", 21, "0000:01:00.0"),
                    nic("enp1s0f1", 22, "0000:01:00.1"), bond, tap, tap2]
    doc["vlans"] = [
        {"ifname": "bond0", "vlans": [{"vlan": 10}, {"vlan": 20}]},
        {"ifname": "vnet0", "vlans": [{"vlan": 10, "flags": ["PVID", "Egress Untagged"]}]},
        {"ifname": "vnet1", "vlans": [{"vlan": 1, "flags": ["PVID", "Egress Untagged"]},
                                      {"vlan": 20, "vlanEnd": 22}]},
        {"ifname": "br0", "vlans": [{"vlan": 1, "flags": ["PVID", "Egress Untagged"]}]},
    ]
    doc["bridge_links"] = []
    text = dump_bundle(doc)
    write(FIX / "linux_bridge-hv04.json", text)
    write(EX / "linux_bridge-compliant.json", text)


if __name__ == "__main__":
    capture_ovs()
    capture_lb()
