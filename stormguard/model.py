"""The vendor-neutral model of one switch (physical or virtual).

Parsers fill these dataclasses from configuration text or vSwitch state; rules read them (through
:mod:`stormguard.effective`, which resolves global defaults against per-port settings once).

Conventions
-----------
* A field that the configuration did not set is ``None`` (tri-state booleans: ``True`` = enabled
  on the port, ``False`` = explicitly disabled on the port, ``None`` = not configured, so the
  global default applies). Parsers never invent defaults; :mod:`stormguard.effective` applies them.
* Every value remembers the source line it came from: ``obj.lines[field_name] = line_number``
  (1-based, in the text that was parsed). Use :meth:`Sourced.set` to assign both at once.
  ``Interface.line`` is the line of the interface header itself.
* Names are spelled as the configuration spells them (``GigabitEthernet1/0/1``, ``ge-0/0/1``,
  ``10GE1/0/1``, ``Bridge-Aggregation1``, an OVS port name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from stormguard.vlans import VlanSet

Mode = Literal["access", "trunk"]
TrafficClass = Literal["broadcast", "multicast", "unknown-unicast"]
StormUnit = Literal["percent", "bps", "pps"]
StormAction = Literal["shutdown", "trap", "log", "block"]
InterfaceKind = Literal[
    "physical", "aggregate", "vlan", "loopback", "management", "tunnel", "internal", "other"
]

#: Netmiko device_type names of the switch platforms, plus the two vSwitch platforms.
SWITCH_PLATFORMS: tuple[str, ...] = (
    "cisco_ios",
    "cisco_xe",
    "cisco_nxos",
    "arista_eos",
    "juniper_junos",
    "huawei",
    "hp_comware",
)
VSWITCH_PLATFORMS: tuple[str, ...] = ("ovs", "linux_bridge")
#: Hypervisor switches that never forward between their uplinks and run no STP (ESXi standard
#: and distributed vSwitches, parsed from esxcli output). Per-device rules apply to them only
#: when the rule names them in its PLATFORMS (the switch and Linux rules do not fit them).
HYPERVISOR_PLATFORMS: tuple[str, ...] = ("esxi",)
PLATFORMS: tuple[str, ...] = SWITCH_PLATFORMS + VSWITCH_PLATFORMS + HYPERVISOR_PLATFORMS

#: Human names, for reports and messages.
PLATFORM_NAMES: dict[str, str] = {
    "cisco_ios": "Cisco IOS",
    "cisco_xe": "Cisco IOS-XE",
    "cisco_nxos": "Cisco NX-OS",
    "arista_eos": "Arista EOS",
    "juniper_junos": "Juniper Junos",
    "huawei": "Huawei VRP",
    "hp_comware": "H3C Comware",
    "ovs": "Open vSwitch",
    "linux_bridge": "Linux bridge",
    "esxi": "VMware ESXi",
}

#: Platform families share syntax for remediation snippets and docstring examples.
PLATFORM_FAMILY: dict[str, str] = {
    "cisco_ios": "cisco",
    "cisco_xe": "cisco",
    "cisco_nxos": "nxos",
    "arista_eos": "eos",
    "juniper_junos": "junos",
    "huawei": "huawei",
    "hp_comware": "comware",
    "ovs": "ovs",
    "linux_bridge": "linux_bridge",
    "esxi": "esxi",
}


class Sourced:
    """Mixin: ``lines`` maps a field name to the 1-based source line that set it."""

    lines: dict[str, int]

    def set(self, name: str, value: Any, line: int | None) -> None:
        setattr(self, name, value)
        if line is not None:
            self.lines[name] = line

    def line_of(self, name: str) -> int | None:
        return self.lines.get(name)


@dataclass
class StormControl(Sourced):
    """Storm-control for one traffic class on one port."""

    traffic: TrafficClass
    level: float | None = None  # rising threshold, in `unit`
    unit: StormUnit = "percent"
    falling: float | None = None  # falling threshold (hysteresis), same unit
    line: int | None = None
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Interface(Sourced):
    name: str
    line: int | None = None
    description: str = ""
    kind: InterfaceKind = "physical"
    shutdown: bool = False  # administratively down
    switched: bool | None = None  # True = layer-2 switchport, False = routed, None = unknown
    mode: Mode | None = None  # None = not set (dynamic / platform default)
    # Negotiated switchport mode (Cisco DTP `switchport mode dynamic auto|desirable`, Huawei LNP
    # `port link-type negotiation-auto|negotiation-desirable`): "auto" / "desirable"; None = static
    # or not configured (the policy says whether a platform's implicit default is negotiated).
    negotiation: Literal["auto", "desirable"] | None = None
    nonegotiate: bool = False  # `switchport nonegotiate`: DTP frames are never sent
    access_vlan: int | None = None
    allowed_vlans: VlanSet | None = None  # None = no allowed list configured (= all on a trunk)
    native_vlan: int | None = None
    channel_group: str | None = None  # parent aggregate (Port-channel10, Eth-Trunk1, bond0 ...)
    # Spanning tree, as configured on the port (None = not configured -> global default).
    edge: bool | None = None  # portfast / port type edge / edged-port / rstp edge
    edge_trunk: bool = False  # the edge setting names trunks too (`portfast trunk`, `edge trunk`)
    bpdu_guard: bool | None = None
    bpdu_filter: bool | None = None
    root_guard: bool = False
    loop_guard: bool | None = None
    stp_disabled: bool = False  # spanning tree switched off on this port
    # Storm control, per traffic class, and the action taken when a threshold is crossed.
    storm_control: dict[str, StormControl] = field(default_factory=dict)
    storm_actions: set[str] = field(default_factory=set)  # {"shutdown", "trap", ...}; empty=drop
    # vSwitch facts: True when this port is a physical NIC (an uplink towards the fabric).
    physical_uplink: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # platform-specific facts
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def is_trunk(self) -> bool:
        return self.mode == "trunk"


_new = object.__new__


def new_interface(name: str, line: int | None = None) -> Interface:
    """``Interface(name, line)``, built without the class call: the same attributes in the
    same order, fresh containers. Why: a config has hundreds of ports, and the dataclass's
    ``__init__`` (27 parameters, four default factories) behind a class call costs more;
    tests/parsers_cisco/test_fast_paths_pinned.py keeps the two the same."""
    iface = _new(Interface)
    iface.name = name
    iface.line = line
    iface.description = ""
    iface.kind = "physical"
    iface.shutdown = False
    iface.switched = None
    iface.mode = None
    iface.negotiation = None
    iface.nonegotiate = False
    iface.access_vlan = None
    iface.allowed_vlans = None
    iface.native_vlan = None
    iface.channel_group = None
    iface.edge = None
    iface.edge_trunk = False
    iface.bpdu_guard = None
    iface.bpdu_filter = None
    iface.root_guard = False
    iface.loop_guard = None
    iface.stp_disabled = False
    iface.storm_control = {}
    iface.storm_actions = set()
    iface.physical_uplink = False
    iface.extra = {}
    iface.lines = {}
    return iface


@dataclass
class SpanningTree(Sourced):
    """Global spanning-tree settings."""

    enabled: bool = True  # STP runs on the device at all
    mode: str | None = None  # pvst, rapid-pvst, mst, rstp, stp, ...
    disabled_vlans: VlanSet = field(default_factory=VlanSet.none)  # `no spanning-tree vlan X`
    edge_default: bool = False  # portfast default / port type edge default / edged-port default
    edge_default_trunk: bool = False  # the global edge default also covers trunks
    bpdu_guard_default: bool = False  # applies to ports in edge state
    bpdu_filter_default: bool = False  # applies to ports in edge state
    loop_guard_default: bool = False
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Alarms(Sourced):
    """Device-wide facts that decide whether a storm or a loop raises an alarm off the box and
    how the switch recovers (SG205, SG304, SG305): logging and trap hosts, the traps enabled,
    BPDU-independent loop protection switched on globally, err-disable auto-recovery. Every
    dict maps a normalised name to its source line. Per-port loop protection lives in
    ``Interface.extra["loop_protect"]`` (mechanism -> line) and ``extra["loop_action"]``.

    Normalised names: traps ``all``, ``storm-control``, ``errdisable``, ``mac-notification``,
    ``loop-detect``; loop mechanisms ``mac-move-notification`` (IOS/IOS-XE), ``loop-detect``
    (NX-OS ``mac address-table loop-detect port-down``, Junos ``protocols loop-detect``),
    ``loop-protection`` (EOS ``monitor loop-protection``), ``loopback-detect`` (Huawei, H3C),
    ``mac-flapping`` (Huawei MAC flapping detection), ``mac-move-limit`` (Junos); recovery
    causes ``bpduguard``, ``storm-control``, ``loop-detect``, ``all``."""

    log_hosts: dict[str, int] = field(default_factory=dict)  # host -> line
    trap_hosts: dict[str, int] = field(default_factory=dict)
    traps: dict[str, int] = field(default_factory=dict)  # trap enabled -> line
    traps_off: dict[str, int] = field(default_factory=dict)  # explicitly disabled -> line
    log_level: int | None = None  # severity sent to the log hosts (0-7); None = default
    loop_protect: dict[str, int] = field(default_factory=dict)  # enabled globally -> line
    loop_protect_off: dict[str, int] = field(default_factory=dict)  # switched off -> line
    loop_action: str | None = None  # global action on a loop (H3C, Huawei): shutdown, block ...
    recovery: dict[str, int] = field(default_factory=dict)  # auto-recovery cause -> line
    recovery_interval: int | None = None  # seconds; None = the platform default
    loop_vlans: VlanSet | None = None  # EOS `protect vlan`: the VLANs loop protection covers
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Vlan(Sourced):
    vid: int
    name: str | None = None
    line: int | None = None
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Device(Sourced):
    """One switch: a physical switch or a vSwitch bridge (its ports are interfaces)."""

    hostname: str
    platform: str
    source: str = ""  # where the text came from (a path, `ovs:host/br0`, a snapshot id)
    stp: SpanningTree = field(default_factory=SpanningTree)
    alarms: Alarms = field(default_factory=Alarms)  # storm/loop alarms and recovery (SG2xx/3xx)
    vlans: dict[int, Vlan] = field(default_factory=dict)
    interfaces: dict[str, Interface] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # platform-specific facts
    warnings: list[str] = field(default_factory=list)  # non-fatal parse notes
    lines: dict[str, int] = field(default_factory=dict)

    def interface(self, name: str, line: int | None = None) -> Interface:
        """Get or create the interface `name` (keeps first-seen order)."""
        iface = self.interfaces.get(name)
        if iface is None:
            iface = new_interface(name, line)
            self.interfaces[name] = iface
        elif iface.line is None and line is not None:
            iface.line = line
        return iface
