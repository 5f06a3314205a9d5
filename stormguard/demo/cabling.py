"""How the demo network is cabled: which switch port each hypervisor NIC is plugged into.

A fake switch serves the LLDP / CDP tables of its platform's sample outputs; here the demo
gives each switch its own (``FakeDevice.outputs``), in the exact text format of its platform,
so the topology joins the switches and the hypervisors as a real fleet's LLDP would:

* dc1: ``dc1-leaf-nxos`` Eth1/49 -- ``dc1-leaf-eos`` Et48 and ``dc1-core-ios`` Gi1/0/48 --
  ``dc1-agg-xe`` Gi1/0/48 (inter-switch trunks, spanning tree on);
* the KVM / Open vSwitch host ``dc1-hv-ovs``: bridge ``br-vm`` (STP off) has two loose uplinks,
  eth1 -> ``dc1-leaf-nxos`` Eth1/1 and eth2 -> ``dc1-leaf-eos`` Et1, trunks sharing VLANs
  10,20,30 with the inter-switch link: **the one loop spanning tree cannot break** (SG501,
  SG502). Its ``br-storage`` is an LACP bond (eth3 -> Eth1/3, eth4 -> Et3) with RSTP: no loop;
* the ESXi host ``dc1-esx01``: vmnic0 -> ``dc1-core-ios`` Gi1/0/3, vmnic1 -> ``dc1-agg-xe``
  Gi1/0/3 (two unbonded uplinks to joined switches: no loop, a standard vSwitch never forwards
  between uplinks); its own CDP view (``query_networkhint``) names the same ports;
* dc2: the Linux-bridge host ``dc2-hv-lb``: ``br-stp`` (STP on) up3 -> ``dc2-access-junos``
  ge-0/0/1, up4 -> ge-0/0/3: a loop spanning tree breaks (not red); ``br-flat`` (STP off) has
  one cabled uplink, up1 -> ge-0/0/2: no loop. ``dc2-access-junos`` xe-0/2/0 goes to
  ``dc2-access-vrp`` GE0/0/24 (both sides name the link: the VRP's ``display lldp neighbor``
  is read by ``stormguard.topology.vrp_lldp``, as ntc-templates has no template for it).

Rows for hosts the demo does not collect (``hv01``, ``hv12``...) stay as in the samples: they
are the "unknown far ends" of the report, listed, never guessed.
"""

from __future__ import annotations

ESXI_HOST = "dc1-esx01"

#: device -> command -> output (``{base_prompt}`` is replaced by the device's name)
OUTPUTS: dict[str, dict[str, str]] = {
    "dc1-core-ios": {
        "show lldp neighbors": """\
Capability codes:
    (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device
    (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other

Device ID           Local Intf     Hold-time  Capability      Port ID
hv01                Gi1/0/1        120        S               3c:ec:ef:10:00:01
hv02                Gi1/0/2        120        S               3c:ec:ef:10:00:02
dc1-esx01           Gi1/0/3        120        S               vmnic0
dc1-agg-xe          Gi1/0/48       120        B,R             Gi1/0/48

Total entries displayed: 4""",
        "show cdp neighbors": """\
Capability Codes: R - Router, T - Trans Bridge, B - Source Route Bridge
                  S - Switch, H - Host, I - IGMP, r - Repeater, P - Phone,
                  D - Remote, C - CVTA, M - Two-port Mac Relay

Device ID        Local Intrfce     Holdtme    Capability  Platform  Port ID
dc1-agg-xe.dc1.example.net
                 Gig 1/0/48        163              R S I  C9300-48P Gig 1/0/48

Total cdp entries displayed : 1""",
    },
    "dc1-agg-xe": {
        "show lldp neighbors": """\
Capability codes:
    (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device
    (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other

Device ID           Local Intf     Hold-time  Capability      Port ID
hv01                Gi1/0/1        120        S               3c:ec:ef:10:00:01
hv02                Gi1/0/2        120        S               3c:ec:ef:10:00:02
dc1-esx01           Gi1/0/3        120        S               vmnic1
dc1-core-ios        Gi1/0/48       120        B,R             Gi1/0/48

Total entries displayed: 4""",
        "show cdp neighbors": """\
Capability Codes: R - Router, T - Trans Bridge, B - Source Route Bridge
                  S - Switch, H - Host, I - IGMP, r - Repeater, P - Phone,
                  D - Remote, C - CVTA, M - Two-port Mac Relay

Device ID        Local Intrfce     Holdtme    Capability  Platform  Port ID
dc1-core-ios.dc1.example.net
                 Gig 1/0/48        163              R S I  WS-C2960X Gig 1/0/48

Total cdp entries displayed : 1""",
    },
    "dc1-leaf-nxos": {
        "show lldp neighbors": """\
Capability codes:
  (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device
  (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other
Device ID            Local Intf      Hold-time  Capability  Port ID
dc1-hv-ovs           Eth1/1          120        B           eth1
hv12                 Eth1/2          120        S           3cec.ef20.0002
dc1-hv-ovs           Eth1/3          120        B           eth3
dc1-leaf-eos         Eth1/49         120        BR          Ethernet48

Total entries displayed: 4""",
        "show cdp neighbors": """\
Capability Codes: R - Router, T - Trans-Bridge, B - Source-Route-Bridge
                  S - Switch, H - Host, I - IGMP, r - Repeater,
                  V - VoIP-Phone, D - Remotely-Managed-Device,
                  s - Supports-STP-Dispute

Device-ID          Local Intrfce  Hldtme Capability  Platform      Port ID

Total entries displayed: 0""",
    },
    "dc1-leaf-eos": {
        "show lldp neighbors": """\
Last table change time   : 2 days, 1:02:03 ago
Number of table inserts  : 4
Number of table deletes  : 0
Number of table drops    : 0
Number of table age-outs : 0

Port          Neighbor Device ID       Neighbor Port ID    TTL
---------- ------------------------ ------------------- ---
Et1           dc1-hv-ovs               eth2                120
Et2           hv22                     3cec.ef30.0002      120
Et3           dc1-hv-ovs               eth4                120
Et48          dc1-leaf-nxos            Ethernet1/49        120""",
    },
    "dc2-access-junos": {
        "show lldp neighbors": """\
Local Interface    Parent Interface    Chassis Id          Port info          System Name
ge-0/0/1           -                   02:00:5e:10:00:03   up3                dc2-hv-lb
ge-0/0/2           -                   02:00:5e:10:00:01   up1                dc2-hv-lb
ge-0/0/3           -                   02:00:5e:10:00:04   up4                dc2-hv-lb
xe-0/2/0           -                   70:7d:b9:00:00:24   GE0/0/24           dc2-access-vrp""",
    },
    "dc2-access-vrp": {
        "display lldp neighbor": """\
GigabitEthernet0/0/1 has 1 neighbor(s):

Neighbor index                     :1
Chassis type                       :MAC address
Chassis ID                         :3cec-ef60-0001
Port ID type                       :Interface name
Port ID                            :eth0
Port description                   :eth0
System name                        :hv41
System description                 :Ubuntu 22.04.4 LTS Linux 5.15.0-105-generic
System capabilities supported      :stationOnly
System capabilities enabled        :stationOnly
Expired time                       :102s

GigabitEthernet0/0/24 has 1 neighbor(s):

Neighbor index                     :1
Chassis type                       :MAC address
Chassis ID                         :707d-b900-0001
Port ID type                       :Interface name
Port ID                            :xe-0/2/0
Port description                   :uplink dc2-access-vrp
System name                        :dc2-access-junos
System description                 :Juniper Networks, Inc. ex4300-48t Ethernet Switch
System capabilities supported      :bridge router
System capabilities enabled        :bridge router
Expired time                       :98s""",
    },
}


def esxi_outputs(networkhint: str) -> dict[str, str]:
    """The ESXi host's own CDP view, naming the demo switch ports its vmnics are cabled to
    (the sample names leaf1/leaf2 Gi1/0/10, which the demo does not have)."""
    text = (networkhint.replace("leaf1.dc1.example.net", "dc1-core-ios.dc1.example.net")
            .replace("leaf2.dc1.example.net", "dc1-agg-xe.dc1.example.net")
            .replace("GigabitEthernet1/0/10", "GigabitEthernet1/0/3"))
    return {"vim-cmd hostsvc/net/query_networkhint": text}
