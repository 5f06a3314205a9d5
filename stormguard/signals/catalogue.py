"""The catalogue of vendor syslog messages that are storm evidence, one entry per message.

Each entry names the vendor's message ID (without its severity digit, which differs between
releases), the signal kind, a regular expression that reads the port, VLAN and MACs from the
message text, and a real-format example (the examples are the test fixtures and the rows of
``docs/signals.md``). Lookup is by message ID through a dict, so a message that is not storm
evidence costs one regex search and a dict miss.

Message ID styles:

* Cisco IOS/IOS-XE, NX-OS, Arista EOS: ``%FACILITY-SEVERITY-MNEMONIC:``
* Huawei VRP and H3C Comware: ``%%01MODULE/SEVERITY/MNEMONIC(l)[0]:`` (the ``%%nn`` prefix and
  the ``(l)[n]`` suffix are optional, CloudEngine omits them)
* Junos: ``TAG: text`` (e.g. ``ESWD_BPDU_BLOCK_ERROR_DISABLED: ge-0/0/3.0: ...``), or the
  RFC 5424 MSGID field

Messages of these styles that are not in the catalogue but whose mnemonic plainly names storm
evidence (``...BPDUGUARD...``, ``...STORM...``, ``...MAC_FLAP...``, ``...LOOP...DETECT...``) are
recognised by that mnemonic (``detail.matched = "mnemonic"``), so a release that renames a
message still raises the signal; the entry-based match is preferred because it reads the VLAN
and MACs reliably.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from stormguard.signals.syslog_message import SyslogMessage

# An interface as the vendors spell it in messages: Gi1/0/1, GigabitEthernet1/0/1, Eth1/1,
# Ethernet5, Port-Channel53, ge-0/0/3.0, xe-0/0/1, GE0/0/1, 10GE1/0/1, XGigabitEthernet0/0/1,
# Eth-Trunk1, Bridge-Aggregation1, Po10.
IF = r"(?:\d{2,3})?[A-Za-z][A-Za-z\-]*\d+(?:/\d+)*(?:\.\d+)?"
MAC = (r"(?:[0-9a-fA-F]{4}[.\-][0-9a-fA-F]{4}[.\-][0-9a-fA-F]{4}"
       r"|[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}|[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){5})")

_CISCO_ID = re.compile(r"%([A-Z][A-Z0-9_]*)-(\d)-([A-Z][A-Z0-9_]*)\s*:\s*")
_VRP_ID = re.compile(
    r"(?:%%\d{2})?([A-Z][A-Z0-9_]*)/(\d)/([A-Za-z][A-Za-z0-9_]*)(?:\([a-z]\))?(?:\[\d+\])?\s*:\s*")
#: How far into a message the vendor ID is looked for. It follows the header (time stamp, host,
#: sequence number) within a few dozen characters; the bound keeps a long run of capitals in a
#: hostile or garbled 64 KB datagram from costing seconds (each start position of the run would
#: be tried against the rest of it: quadratic), which would stall the receiver.
ID_WINDOW = 1024

_JUNOS_ID = re.compile(r"([A-Z][A-Z0-9]*_[A-Z0-9_]+)(?:\s*\[[^\]]*\])?:\s*")

_IF_RE = re.compile(IF)
_NOT_IF = re.compile(r"(?i)vlan|vl\d|instance|process|oid|mst|vsi")
_MAC_RE = re.compile(MAC)


@dataclass(frozen=True)
class Entry:
    style: str  # cisco | vrp | junos
    key: str  # FACILITY-MNEMONIC | MODULE/MNEMONIC | TAG
    platforms: tuple[str, ...]
    kind: str
    pattern: str  # named groups: iface, iface2, iface3, vlan, vlan_name, mac, cause, action
    example: str  # a complete message as the device sends it (after <PRI>)
    detail: dict[str, Any] = field(default_factory=dict)


_C = ("cisco_ios", "cisco_xe")
E: list[Entry] = [
    # --- Cisco IOS / IOS-XE --------------------------------------------------------------
    Entry("cisco", "SW_MATM-MACFLAP_NOTIF", _C, "mac-flap",
          rf"Host (?P<mac>{MAC}) in vlan (?P<vlan>\d+) is flapping between port (?P<iface>{IF})"
          rf" and port (?P<iface2>{IF})",
          "<188>2117: *Dec  4 18:22:01.123 UTC: %SW_MATM-4-MACFLAP_NOTIF: Host 0050.56a1.2b3c in "
          "vlan 10 is flapping between port Gi1/0/1 and port Gi1/0/2"),
    Entry("cisco", "STORM_CONTROL-FILTERED", _C, "storm-control",
          rf"storm was detected on (?P<iface>{IF})",
          "<187>2118: *Dec  4 18:22:01.456 UTC: %STORM_CONTROL-3-FILTERED: A packet storm was "
          "detected on Gi1/0/5. A packet filter action has been applied on the interface.",
          {"action": "filter"}),
    Entry("cisco", "STORM_CONTROL-SHUTDOWN", _C, "storm-control",
          rf"storm was detected on (?P<iface>{IF})",
          "<187>2119: *Dec  4 18:22:01.457 UTC: %STORM_CONTROL-3-SHUTDOWN: A packet storm was "
          "detected on Gi1/0/6. The interface has been disabled.",
          {"action": "shutdown"}),
    Entry("cisco", "SPANTREE-BLOCK_BPDUGUARD", (*_C, "arista_eos"), "bpdu-guard",
          rf"on port (?P<iface>{IF})",
          "<186>2120: *Dec  4 18:22:02.001 UTC: %SPANTREE-2-BLOCK_BPDUGUARD: Received BPDU on "
          "port Gi1/0/3 with BPDU Guard enabled. Disabling port."),
    Entry("cisco", "PM-ERR_DISABLE", _C, "err-disable",
          rf"(?P<cause>[\w\-]+) error detected on (?P<iface>{IF})",
          "<188>2121: *Dec  4 18:22:02.002 UTC: %PM-4-ERR_DISABLE: bpduguard error detected on "
          "Gi1/0/3, putting Gi1/0/3 in err-disable state"),
    Entry("cisco", "SPANTREE-LOOPGUARD_BLOCK", _C, "loop-guard",
          rf"blocking port (?P<iface>{IF}) on VLAN0*(?P<vlan>\d+)",
          "<186>2122: *Dec  4 18:22:03.100 UTC: %SPANTREE-2-LOOPGUARD_BLOCK: Loop guard blocking "
          "port GigabitEthernet1/0/1 on VLAN0010."),
    Entry("cisco", "ETHCNTR-LOOP_BACK_DETECTED", _C, "loop-detect",
          rf"detected on (?P<iface>{IF})",
          "<187>2123: *Dec  4 18:22:03.200 UTC: %ETHCNTR-3-LOOP_BACK_DETECTED: Loop-back detected "
          "on GigabitEthernet1/0/4. The port is forced to linkdown."),
    # --- Cisco NX-OS ----------------------------------------------------------------------
    Entry("cisco", "L2FM-L2FM_MAC_MOVE", ("cisco_nxos",), "mac-flap",
          rf"Mac (?P<mac>{MAC}) in vlan (?P<vlan>\d+) has moved from (?P<iface>{IF}) to "
          rf"(?P<iface2>{IF})",
          "<188>: 2026 Dec  4 18:22:01 UTC: %L2FM-4-L2FM_MAC_MOVE: Mac 0050.56a1.2b3c in vlan 10 "
          "has moved from Eth1/1 to Eth1/2"),
    Entry("cisco", "L2FM-L2FM_MAC_FLAP_DISABLE_LEARN_N3K", ("cisco_nxos",), "mac-flap",
          rf"for mac (?P<mac>{MAC}) among ports (?P<iface>{IF}) and (?P<iface2>{IF}) vlan "
          rf"(?P<vlan>\d+)",
          "<186>: 2026 Dec  4 18:22:01 UTC: %L2FM-2-L2FM_MAC_FLAP_DISABLE_LEARN_N3K: Loops "
          "detected in the network for mac 0050.56a1.2b3c among ports Eth1/1 and Eth1/2 vlan 10 - "
          "Disabling dynamic learning notifications for a period between 120 and 240 seconds on "
          "vlan 10"),
    Entry("cisco", "ETHPORT-STORM_CONTROL_ABOVE_THRESHOLD", ("cisco_nxos",), "storm-control",
          rf"port (?P<iface>{IF}) exceeds the configured threshold\s*,\s*action - (?P<action>\w+)",
          "<189>: 2026 Dec  4 18:22:01 UTC: %ETHPORT-5-STORM_CONTROL_ABOVE_THRESHOLD: Traffic in "
          "port Ethernet1/5 exceeds the configured threshold , action - Trap"),
    Entry("cisco", "STP-BLOCK_BPDUGUARD", ("cisco_nxos",), "bpdu-guard",
          rf"on port (?P<iface>{IF})",
          "<186>: 2026 Dec  4 18:22:02 UTC: %STP-2-BLOCK_BPDUGUARD: Received BPDU on port "
          "Ethernet1/3 with BPDU Guard enabled. Disabling port."),
    Entry("cisco", "ETHPORT-IF_DOWN_ERROR_DISABLED", ("cisco_nxos",), "err-disable",
          rf"Interface (?P<iface>{IF}) is down \(Error disabled\. Reason:\s*(?P<cause>[^)]+)\)",
          "<186>: 2026 Dec  4 18:22:02 UTC: %ETHPORT-2-IF_DOWN_ERROR_DISABLED: Interface "
          "Ethernet1/3 is down (Error disabled. Reason:BPDUGuard)"),
    Entry("cisco", "STP-LOOPGUARD_BLOCK", ("cisco_nxos",), "loop-guard",
          rf"blocking port (?P<iface>{IF}) on VLAN0*(?P<vlan>\d+)",
          "<186>: 2026 Dec  4 18:22:03 UTC: %STP-2-LOOPGUARD_BLOCK: Loop guard blocking port "
          "Ethernet1/1 on VLAN0010."),
    # --- Arista EOS -----------------------------------------------------------------------
    Entry("cisco", "ETH-HOST_FLAPPING", ("arista_eos",), "mac-flap",
          rf"Host (?P<mac>{MAC}) in VLAN (?P<vlan>\d+) is flapping between interface "
          rf"(?P<iface>{IF}) and interface (?P<iface2>{IF})",
          "<188>Dec  4 18:22:01 leaf1 PortSec: %ETH-4-HOST_FLAPPING: Host 00:50:56:a1:2b:3c in "
          "VLAN 10 is flapping between interface Ethernet1 and interface Port-Channel53 (message "
          "repeated 23 times in 5.51062 secs)"),
    Entry("cisco", "STORMCONTROL-STORMCONTROL_DROP", ("arista_eos",), "storm-control",
          rf"on interface (?P<iface>{IF})",
          "<188>Dec  4 18:22:01 leaf1 StormControl: %STORMCONTROL-4-STORMCONTROL_DROP: Storm "
          "control is dropping broadcast packets on interface Ethernet5"),
    Entry("cisco", "SPANTREE-BPDUGUARD_ERRDISABLE", ("arista_eos",), "bpdu-guard",
          rf"(?:Interface|port) (?P<iface>{IF})",
          "<186>Dec  4 18:22:02 leaf1 Stp: %SPANTREE-2-BPDUGUARD_ERRDISABLE: Interface Ethernet3 "
          "has been errdisabled by BPDU guard"),
    Entry("cisco", "ERRDISABLE-INTF_ERRDISABLED", ("arista_eos",), "err-disable",
          rf"Interface (?P<iface>{IF}) .*?(?:due to|reason:?)\s*(?P<cause>[\w\-]+)",
          "<188>Dec  4 18:22:02 leaf1 Ebra: %ERRDISABLE-4-INTF_ERRDISABLED: Interface Ethernet3 "
          "has been error-disabled due to bpduguard"),
    # --- Juniper Junos --------------------------------------------------------------------
    Entry("junos", "ESWD_BPDU_BLOCK_ERROR_DISABLED", ("juniper_junos",), "bpdu-guard",
          rf"(?P<iface>{IF}): bpdu-block disabled port",
          "<25>Dec  4 18:22:02 ex1 eswd[1421]: ESWD_BPDU_BLOCK_ERROR_DISABLED: ge-0/0/3.0: "
          "bpdu-block disabled port"),
    Entry("junos", "ESWD_ST_CTL_ERROR_IN_EFFECT", ("juniper_junos",), "storm-control",
          rf"(?P<iface>{IF}): storm control",
          "<25>Dec  4 18:22:01 ex1 eswd[1421]: ESWD_ST_CTL_ERROR_IN_EFFECT: ge-0/0/5.0: storm "
          "control error condition in effect"),
    Entry("junos", "L2ALD_ST_CTL_IN_EFFECT", ("juniper_junos",), "storm-control",
          rf"(?P<iface>{IF}): storm control",
          "<28>Dec  4 18:22:01 ex2 l2ald[2210]: L2ALD_ST_CTL_IN_EFFECT: ge-0/0/5.0: storm control "
          "in effect on the port"),
    Entry("junos", "ESWD_MAC_MOVE_LIMIT_BLOCK", ("juniper_junos",), "mac-flap",
          rf"exceeded at (?P<vlan_name>[\w.\-]+); shutting down interface (?P<iface>{IF})",
          "<25>Dec  4 18:22:01 ex1 eswd[1421]: ESWD_MAC_MOVE_LIMIT_BLOCK: MAC move limit (5) "
          "exceeded at v10; shutting down interface ge-0/0/7.0"),
    Entry("junos", "L2ALD_MAC_MOVE_NOTIFICATION", ("juniper_junos",), "mac-flap",
          rf"(?:(?P<mac>{MAC}).*?(?P<iface>{IF}).*?(?P<iface2>{IF}))?",
          "<28>Dec  4 18:22:01 ex2 l2ald[2210]: L2ALD_MAC_MOVE_NOTIFICATION: MAC Moves detected "
          "in the system"),
    # --- Huawei VRP (S-series and CloudEngine) --------------------------------------------
    Entry("vrp", "L2IFPPI/MFLPVLANALARM", ("huawei",), "mac-flap",
          rf"VlanId = (?P<vlan>\d+), MacAddress = (?P<mac>{MAC}), Original-Port = "
          rf"(?P<iface>{IF}), Flapping port = (?P<iface2>{IF})",
          "<188>Dec  4 2026 18:22:01 HW-S5735 %%01L2IFPPI/4/MFLPVLANALARM(l)[0]:MAC move "
          "detected, VlanId = 10, MacAddress = 0050-56a1-2b3c, Original-Port = GE0/0/1, Flapping "
          "port = GE0/0/2. Please check the network accessed to flapping port."),
    Entry("vrp", "FEI/hwMflpVlanLoopAlarm_active", ("huawei",), "mac-flap",
          rf"VlanId = (?P<vlan>\d+), Original-Port = (?P<iface>{IF}), Flapping port 1 = "
          rf"(?P<iface2>{IF})(?:, port 2 = (?P<iface3>{IF}))?",
          "<188>Dec  4 2026 18:22:01 CE6881 FEI/4/hwMflpVlanLoopAlarm_active: MAC flapping "
          "detected, VlanId = 10, Original-Port = 10GE1/0/1, Flapping port 1 = 10GE1/0/2, port 2 "
          "= 10GE1/0/3. The MAC flapping is caused by a loop."),
    Entry("vrp", "FEI_COMM/STORMCTRL_EXCEED", ("huawei",), "storm-control",
          rf"Interface=(?P<iface>{IF})",
          "<188>Dec  4 2026 18:22:01 CE6881 FEI_COMM/4/STORMCTRL_EXCEED:The rate of broadcast "
          "packets exceeds the threshold. (Rate of packets=25000pps, Threshold=10000pps, "
          "Interface=10GE1/0/5)"),
    Entry("vrp", "FEI_COMM/STORMCTRL_ERRDOWN", ("huawei",), "storm-control",
          rf"Interface=(?P<iface>{IF})",
          "<188>Dec  4 2026 18:22:01 CE6881 FEI_COMM/4/STORMCTRL_ERRDOWN:This interface changes "
          "to the error-down state because of storm control. Storm control occurred because the "
          "rate of broadcast packets exceeds the threshold. (Rate of packets=25000pps, "
          "Threshold=10000pps, Interface=10GE1/0/6)", {"action": "error-down"}),
    Entry("vrp", "FEI/hwStormControlAlarm_active", ("huawei",), "storm-control",
          rf"IfName=(?P<iface>{IF})",
          "<186>Dec  4 2026 18:22:01 CE6881 FEI/2/hwStormControlAlarm_active: Rate of packets "
          "exceeded the storm control threshold.(IfIndex=17, IfName=10GE1/0/7, Type=broadcast, "
          "Threshold=10000, Mode=pps, Action=block)"),
    Entry("vrp", "MSTP/BPDU_PROTECTION", ("huawei",), "bpdu-guard",
          rf"edged-port (?P<iface>{IF})",
          "<188>Dec  4 2026 18:22:02 HW-S5735 %%01MSTP/4/BPDU_PROTECTION(l)[1]:This edged-port "
          "GigabitEthernet0/0/3 that enabled BPDU-Protection will be shutdown, because it received "
          "BPDU packet!"),
    Entry("vrp", "MSTP/MSTPLOG_PROPORT_BPDU_GUARDED", ("huawei",), "bpdu-guard",
          rf"PortName=(?P<iface>{IF})",
          "<188>Dec  4 2026 18:22:02 CE6881 MSTP/4/MSTPLOG_PROPORT_BPDU_GUARDED: The MSTP "
          "process's edge port with BPDU protection enabled will be shut down, because it "
          "received a BPDU packet. (ProcessID=0, PortID=3, IfIndex=20, PortName=10GE1/0/3, "
          "SrcMac=00e0-fc12-3456, TAG=10)"),
    Entry("vrp", "LDT/DetectLoop", ("huawei",), "loop-detect",
          rf"InterfaceName[=:]\s*(?P<iface>{IF})",
          "<188>Dec  4 2026 18:22:01 HW-S5735 %%01LDT/4/DetectLoop(l)[2]:OID "
          "1.3.6.1.4.1.2011.5.25.174.3.1 The port detected loop. (InterfaceIndex=7, "
          "InterfaceName=GigabitEthernet0/0/4, VlanListLow=10, VlanListHigh=)"),
    Entry("vrp", "LBDT/PORTTRAP", ("huawei",), "loop-detect",
          rf"Loopback exists on interface\(\d+\) (?P<iface>{IF})(?: \((?:VLAN )?(?P<vlan>\d+)\))?",
          "<188>Dec  4 2026 18:22:01 HW-S5735 %%01LBDT/4/PORTTRAP(l)[3]:OID "
          "1.3.6.1.4.1.2011.5.25.174.3.3 Loopback exists on interface(7) GigabitEthernet0/0/4 "
          "(10), loopback detection status: 2, auto loop detection for trap only on VLAN ."),
    Entry("vrp", "MSTP/LOOP_GUARD", ("huawei",), "loop-guard",
          rf"LOOP-Protection port (?P<iface>{IF})",
          "<188>Dec  4 2026 18:22:03 HW-S5735 %%01MSTP/4/LOOP_GUARD(l)[4]:MSTP process 0 "
          "Instance0's LOOP-Protection port GigabitEthernet0/0/1 did not receive message in "
          "prescriptive time!"),
    # --- H3C Comware ----------------------------------------------------------------------
    Entry("vrp", "LPDT/LPDT_LOOPED", ("hp_comware",), "loop-detect",
          rf"Loopback exists on (?P<iface>{IF})",
          "<188>Dec  4 18:22:01:123 2026 H3C-S5560 %%10LPDT/4/LPDT_LOOPED: Loopback exists on "
          "GigabitEthernet1/0/1."),
    Entry("vrp", "LPDT/LPDT_VLAN_LOOPED", ("hp_comware",), "loop-detect",
          rf"Loopback exists on (?P<iface>{IF}) in VLAN (?P<vlan>\d+)",
          "<188>Dec  4 18:22:01:124 2026 H3C-S5560 %%10LPDT/4/LPDT_VLAN_LOOPED: Loopback exists "
          "on GigabitEthernet1/0/1 in VLAN 10."),
    Entry("vrp", "STM/STORM_CONSTRAIN_CONTROLLED", ("hp_comware",), "storm-control",
          rf"(?P<iface>{IF}) turned into controlled status",
          "<188>Dec  4 18:22:01:200 2026 H3C-S5560 %%10STM/4/STORM_CONSTRAIN_CONTROLLED: "
          "GigabitEthernet1/0/5 turned into controlled status, port status is controlled, packet "
          "type is broadcast, upper threshold is 2000pps."),
    Entry("vrp", "STORM_CONSTRAIN/STORM_CONSTRAIN_ABOVE", ("hp_comware",), "storm-control",
          rf"(?P<iface>{IF}) is in controlled status",
          "<187>Dec  4 18:22:01:201 2026 H3C-S5560 %%10STORM_CONSTRAIN/3/STORM_CONSTRAIN_ABOVE: "
          "GigabitEthernet1/0/6 is in controlled status, BC flux exceeds its upper threshold "
          "10%."),
    Entry("vrp", "STP/STP_BPDU_PROTECTION", ("hp_comware",), "bpdu-guard",
          rf"BPDU-Protection port (?P<iface>{IF})",
          "<188>Dec  4 18:22:02:300 2026 H3C-S5560 %%10STP/4/STP_BPDU_PROTECTION: "
          "BPDU-Protection port GigabitEthernet1/0/3 received BPDUs."),
    Entry("vrp", "MAC/MAC_FLAPPING", ("hp_comware",), "mac-flap",
          rf"MAC address (?P<mac>{MAC}) in VLAN (?P<vlan>\d+) has moved from port "
          rf"(?P<iface>{IF}) to port (?P<iface2>{IF})",
          "<188>Dec  4 18:22:01:400 2026 H3C-S5560 %%10MAC/4/MAC_FLAPPING: MAC address "
          "0050-56a1-2b3c in VLAN 10 has moved from port GigabitEthernet1/0/1 to port "
          "GigabitEthernet1/0/2 for 1 times."),
]

#: By (style, key) → entries (a key shared by two platforms has one entry per spelling).
CATALOGUE: dict[tuple[str, str], list[tuple[Entry, re.Pattern[str]]]] = {}
for _e in E:
    CATALOGUE.setdefault((_e.style, _e.key), []).append((_e, re.compile(_e.pattern)))

# Mnemonic keywords → kind, for messages of a known style that are not in the catalogue.
_MNEMONIC_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"LOOP_?BACK|LOOP_?DETECT|LPDT|LBDT|DETECTLOOP", re.I), "loop-detect"),
    (re.compile(r"MAC_?FLAP|HOST_?FLAP|MAC_?MOVE|MFLP", re.I), "mac-flap"),
    (re.compile(r"STORM", re.I), "storm-control"),
    (re.compile(r"BPDU_?GUARD|BPDU_?PROTECT|BPDU_?BLOCK", re.I), "bpdu-guard"),
    (re.compile(r"LOOP_?GUARD|LOOP_?PROTECT", re.I), "loop-guard"),
    (re.compile(r"ERR_?DISABLE|ERROR_?DISABLE", re.I), "err-disable"),
)

_CAUSES = {
    "bpduguard": "bpduguard", "bpdu-guard": "bpduguard", "bpdu guard": "bpduguard",
    "storm-control": "storm-control", "storm_control": "storm-control",
    "loopback": "loopback", "loopdetect": "loopdetect", "loop-detect": "loopdetect",
}


@dataclass
class Match:
    kind: str
    message_id: str
    platforms: tuple[str, ...]
    interfaces: list[str]
    vlan: int | None
    macs: list[str]
    detail: dict[str, Any]
    text: str  # the message text from the vendor ID on


def normalise_mac(mac: str) -> str:
    hexdigits = re.sub(r"[^0-9a-fA-F]", "", mac).lower()
    return ":".join(hexdigits[i:i + 2] for i in range(0, 12, 2))


def normalise_iface(name: str, style: str) -> str:
    """Junos logs the logical unit (``ge-0/0/3.0``); configs judge the physical port."""
    if style == "junos" and name.endswith(".0"):
        return name[:-2]
    return name


def _find_id(msg: SyslogMessage) -> tuple[str, str, str, str, int] | None:
    """(style, key, full message id, text from the id on, end of the id) or None."""
    text = msg.text
    m = _CISCO_ID.search(text, 0, ID_WINDOW)
    if m:
        fac, sev, mnem = m.groups()
        full = f"{fac}-{sev}-{mnem}"
        return "cisco", f"{fac}-{mnem}", full, text[m.start():], m.end() - m.start()
    m = _VRP_ID.search(text, 0, ID_WINDOW)
    if m:
        mod, sev, mnem = m.groups()
        return "vrp", f"{mod}/{mnem}", f"{mod}/{sev}/{mnem}", text[m.start():], m.end() - m.start()
    if msg.msgid and _JUNOS_ID.fullmatch(msg.msgid + ": "):
        return "junos", msg.msgid, msg.msgid, text, 0
    m = _JUNOS_ID.match(text)
    if m:
        tag = m.group(1)
        return "junos", tag, tag, text, m.end()
    return None


def _kind_from_mnemonic(key: str) -> str | None:
    for rx, kind in _MNEMONIC_KINDS:
        if rx.search(key):
            return kind
    return None


def match(msg: SyslogMessage) -> Match | None:
    """The catalogue entry (or mnemonic) this message is, with its port/VLAN/MACs read."""
    found = _find_id(msg)
    if found is None:
        return None
    style, key, message_id, text, body_at = found
    body = text[body_at:]
    entries = CATALOGUE.get((style, key))
    if entries:
        for entry, rx in entries:
            m = rx.search(body)
            if m is None:
                continue
            g = {k: v for k, v in m.groupdict().items() if v}
            ifaces = [normalise_iface(g[k], style) for k in ("iface", "iface2", "iface3") if k in g]
            detail: dict[str, Any] = dict(entry.detail)
            if "cause" in g:
                cause = g["cause"].strip().lower()
                detail["cause"] = _CAUSES.get(cause, cause)
            if "action" in g:
                detail["action"] = g["action"].lower()
            if "vlan_name" in g:
                detail["vlan_name"] = g["vlan_name"]
            macs = [normalise_mac(g["mac"])] if "mac" in g else []
            vlan = int(g["vlan"]) if "vlan" in g else None
            return Match(entry.kind, message_id, entry.platforms, ifaces, vlan, macs, detail, text)
    kind = _kind_from_mnemonic(key)
    if kind is None:
        return None
    # Not catalogued (another release's spelling): read what can be read safely.
    ifaces = [normalise_iface(i, style) for i in _IF_RE.findall(body)
              if not _NOT_IF.match(i)][:2]
    macs = [normalise_mac(x) for x in _MAC_RE.findall(body)][:2]
    vm = re.search(r"\bvlan\s*(?:id\s*=\s*)?0*(\d{1,4})\b", body, re.I)
    return Match(kind, message_id, (), ifaces, int(vm.group(1)) if vm else None, macs,
                 {"matched": "mnemonic"}, text)
