"""Storm and loop events cannot leave the switch.

Why it matters for storms: storm-control drops, BPDU guard and loop detection err-disabling a
port, MAC addresses flapping between ports - the switch knows the moment a storm starts, but if
it sends those messages nowhere they sit in a local buffer that the storm itself will soon
overwrite, and on-call learns of the storm from users. An event leaves the box by syslog (a log
host, with a level that lets warnings through: ``%STORM_CONTROL-3``, ``%PM-4-ERR_DISABLE``,
``%SW_MATM-4-MACFLAP_NOTIF``) or by an SNMP trap (a trap host, with the storm-control and
err-disable traps enabled where the platform leaves them off by default: IOS/IOS-XE and NX-OS).
The rule fires when neither way works. A syslog host is enough (stormguard's own ``stormguard
syslog`` listener turns those messages into storm incidents); ``log_host`` names the collector
the remediation points at (without it the fix is not automatic). EOS, Huawei VRP and H3C
Comware send their traps unless switched off (``no snmp-server enable traps``, ``undo snmp-agent
trap enable``); Junos sends every trap category to a ``snmp trap-group`` target unless the group
lists ``categories``.

Bad (Cisco IOS/IOS-XE, NX-OS, Arista EOS)::

    snmp-server community s3cret RO
    interface GigabitEthernet1/0/5
     storm-control broadcast level 5.00

Good (Cisco IOS/IOS-XE; NX-OS ``logging server 192.0.2.10 4``)::

    logging host 192.0.2.10
    snmp-server host 192.0.2.11 version 2c s3cret
    snmp-server enable traps storm-control
    snmp-server enable traps errdisable

Bad (Juniper Junos)::

    set system syslog file messages any notice

Good (Juniper Junos)::

    set system syslog host 192.0.2.10 any warning

Bad (Huawei VRP, H3C Comware)::

    undo info-center enable

Good (Huawei VRP, H3C Comware)::

    info-center enable
    info-center loghost 192.0.2.10
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stormguard import remediation_alarms
from stormguard.effective import EffectiveDevice
from stormguard.rules.base import Hit, RuleContext

ID = "SG304"
NAME = "storm-events-stay-on-box"
SEVERITY = "medium"
PARAMS: dict[str, Any] = {"log_host": ""}
PLATFORMS = ("cisco_ios", "cisco_xe", "cisco_nxos", "arista_eos", "juniper_junos", "huawei",
             "hp_comware")

#: Traps that must be enabled explicitly (off by default), per family.
_NEEDED_TRAPS: dict[str, tuple[str, ...]] = {
    "cisco": ("storm-control", "errdisable"),
    "nxos": ("storm-control",),
}
#: Traps on by default that a `no ... enable traps X` / `undo ...` can switch off, per family.
_DEFAULT_TRAPS: dict[str, tuple[str, ...]] = {
    "eos": ("all",),
    "huawei": ("all", "storm-control", "errdisable", "loop-detect"),
    "comware": ("all", "storm-control", "errdisable", "loop-detect"),
}
_WARNINGS = 4  # syslog severity of the err-disable and MAC-flap messages


def _missing_traps(al: Any, family: str) -> list[str]:
    if family in _NEEDED_TRAPS:
        if "all" in al.traps:
            return []
        return [t for t in _NEEDED_TRAPS[family] if t not in al.traps]
    return [t for t in _DEFAULT_TRAPS.get(family, ()) if t in al.traps_off]


def check(dev: EffectiveDevice, params: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    al = dev.device.alarms
    family = ctx.family
    info_off = al.lines.get("info_center_off")
    level_low = al.log_level is not None and al.log_level < _WARNINGS
    log_ok = bool(al.log_hosts) and info_off is None and not level_low
    missing = _missing_traps(al, family) if al.trap_hosts else []
    trap_ok = bool(al.trap_hosts) and not missing
    if log_ok or trap_ok:
        return
    if al.trap_hosts:
        host, line = next(iter(al.trap_hosts.items()))
        why = (f"SNMP trap host {host} gets no storm-control / err-disable traps "
               f"({', '.join(missing)} not enabled)")
        fix = remediation_alarms.traps_on(family, missing)
        if family in _DEFAULT_TRAPS:
            line = min(al.traps_off[t] for t in missing)
    elif al.log_hosts and info_off is not None:
        why, line = "info-center is disabled: no log reaches the log hosts", info_off
        fix = remediation_alarms.info_center_on()
    elif al.log_hosts and level_low:
        why = (f"logging trap level {al.log_level} drops the warnings storm-control, "
               "err-disable and MAC-flap messages are sent at")
        line = al.lines.get("log_level")
        fix = remediation_alarms.log_level(family)
    else:  # nothing to point at but the device itself: its hostname line
        why, line = "no syslog host and no SNMP trap host", dev.device.lines.get("hostname")
        fix = remediation_alarms.log_host(family, str(params["log_host"]))
    yield Hit(
        message=f"storm and loop events cannot leave {dev.hostname}: {why}",
        interface=None,
        line=line,
        expected="a syslog host, or an SNMP trap host with the storm-control and err-disable "
                 "traps enabled",
        actual=why,
        remediation=fix,
    )
