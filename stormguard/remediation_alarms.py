"""Remediation snippets of the alarm and recovery rules (SG205, SG304, SG305, SG306), under the
contract of :mod:`stormguard.remediation`: the platform's own syntax, safe to paste line by
line, nothing switched off, no guessed value (an address the policy does not give is "not
auto-fixable" and says which parameter to set)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stormguard.remediation import (
    CISCOISH,
    Variant,
    _ce_suppression,
    _iface,
    comware_mechanism,
    not_fixable,
    plain,
)

#: What the platforms call the classes SG306 asks for, per family (Cisco's ``unicast`` class
#: on NX-OS, Huawei and Comware is unknown unicast).
_CLASS_WORD: dict[str, dict[str, str]] = {
    "cisco": {"multicast": "multicast", "unknown-unicast": "unicast"},
    "nxos": {"multicast": "multicast", "unknown-unicast": "unicast"},
    "eos": {"multicast": "multicast", "unknown-unicast": "unknown-unicast"},
    "huawei": {"multicast": "multicast", "unknown-unicast": "unicast"},
    "comware": {"multicast": "multicast", "unknown-unicast": "unicast"},
}


# -- SG205: loop protection that does not need BPDUs --------------------------------------------


def loop_protect(family: str, port: str, *, v: Variant | None = None, port_mode: str = "access",
                 global_on: bool = False, eos_vlans: str | None = None,
                 at: Mapping[str, Any] | None = None) -> str:
    """Switch on loop detection that works without BPDUs, for `port`.

    `global_on`: the device-wide part is already on (only the port part is added);
    `eos_vlans`: the ``protect vlan`` list EOS needs (None: the section already covers them)."""
    v = v or plain(family)
    if family == "cisco":  # a MAC moving between ports is logged (and trapped with
        return "mac address-table notification mac-move"  # mac-notification traps)
    if family == "nxos":  # a MAC flapping between ports shuts the (non-peer) port down
        return "mac address-table loop-detect port-down"
    if family == "eos":
        lines: list[str] = []
        if not global_on or eos_vlans:
            lines.append("monitor loop-protection")
            if not global_on:
                lines.append("   no shutdown")
            if eos_vlans:
                lines.append(f"   protect vlan {eos_vlans}")
        lines += [f"interface {port}", "   loop-protection"]
        return "\n".join(lines)
    if family == "huawei":
        return "mac-address flapping detection"  # global, on by default: back to the default
    if family == "comware":
        if v.comware_v5:
            cmds = ["loopback-detection enable"]
            if port_mode != "access":  # access ports block by default; trunks need control
                cmds.append("loopback-detection control enable")
            snippet = _iface(port, *cmds, family=family, at=at)
            return snippet if global_on else "loopback-detection enable\n" + snippet
        return _iface(port, "loopback-detection enable vlan all",
                      "loopback-detection action block", family=family, at=at)
    return f"enable loop detection that does not rely on BPDUs on {port}"


def comware_action(port: str, *, at: Mapping[str, Any] | None = None) -> str:
    """H3C v7 loop detection is on but only logs: block the looped port."""
    return _iface(port, "loopback-detection action block", family="comware", at=at)


def eos_port_only(port: str) -> str:
    return f"interface {port}\n   loop-protection"


# -- SG304: storm and loop events leave the box ---------------------------------------------------


def log_host(family: str, host: str) -> str:
    """A syslog destination (the policy's collector)."""
    if not host:
        return not_fixable(family, "the policy names no syslog collector (set SG304 log_host, "
                           "e.g. the stormguard syslog listener)")
    if family == "nxos":
        return f"logging server {host} 4"
    if family in CISCOISH:
        return f"logging host {host}"
    if family in ("huawei", "comware"):
        return f"info-center loghost {host}"
    if family == "junos":
        return f"set system syslog host {host} any warning"
    return f"send syslog to {host}"


def log_level(family: str) -> str:
    """Let warnings (storm-control, err-disable, MAC flap messages) reach the log hosts."""
    return "logging trap warnings"


def info_center_on() -> str:
    return "info-center enable"


def traps_on(family: str, missing: list[str]) -> str:
    """Enable the storm-control / err-disable traps a trap host needs."""
    if family == "cisco":
        return "\n".join(f"snmp-server enable traps {t}" for t in missing)
    if family in ("nxos", "eos"):
        return "\n".join(f"snmp-server enable traps {t}" for t in missing)
    if family == "huawei":
        return "snmp-agent trap enable"
    if family == "comware":
        return "snmp-agent trap enable"
    return "enable the storm-control and err-disable traps"


# -- SG305: err-disable auto-recovery ----------------------------------------------------------

#: The cause keyword each platform's recovery command takes, per model cause.
_CAUSE_WORD: dict[str, dict[str, str]] = {
    "cisco": {"bpduguard": "bpduguard", "storm-control": "storm-control",
              "loop-detect": "loopdetect"},
    "nxos": {"bpduguard": "bpduguard", "storm-control": "storm-control"},
    "eos": {"bpduguard": "bpduguard", "loop-detect": "loop-protection"},
    "huawei": {"bpduguard": "bpdu-protection", "storm-control": "storm-control",
               "loop-detect": "loopback-detect"},
    "junos": {"bpduguard": "bpdu-block"},
}


def recovery(family: str, causes: list[str], interval: int, *,
             v: Variant | None = None) -> str:
    """Auto-recovery for `causes`, after `interval` seconds where the command takes one."""
    words = _CAUSE_WORD.get(family, {})
    if family == "junos":  # BPDU-blocked ports come back after the disable-timeout
        v = v or plain(family)
        where = ("protocols layer2-control" if v.junos_els else "ethernet-switching-options")
        return f"set {where} bpdu-block disable-timeout {interval}"
    if family in CISCOISH:
        return "\n".join(f"errdisable recovery cause {words[c]}" for c in causes if c in words)
    if family == "huawei":
        return "\n".join(f"error-down auto-recovery cause {words[c]} interval {interval}"
                         for c in causes if c in words)
    if family == "comware":
        return f"shutdown-interval {interval}"
    return "configure automatic recovery of err-disabled ports"


def cause_word(family: str, cause: str) -> str | None:
    return _CAUSE_WORD.get(family, {}).get(cause)


# -- SG306: multicast and unknown-unicast storm-control --------------------------------------------


def storm_class(family: str, port: str, traffic: str, percent: float, pps: int, *,
                v: Variant | None = None, iface: Any = None,
                at: Mapping[str, Any] | None = None) -> str:
    """Storm-control for `traffic` (multicast / unknown-unicast) on `port` at the policy's
    maximum, with the mechanism the port already uses for broadcast."""
    v = v or plain(family)
    word = _CLASS_WORD.get(family, {}).get(traffic, traffic)
    if family in ("cisco", "nxos"):
        return _iface(port, f"storm-control {word} level {percent:.2f}", family=family, at=at)
    if family == "eos":
        return _iface(port, f"storm-control {word} level {percent:g}", family=family, at=at)
    if family == "huawei":
        n = max(int(pps), 2)
        if iface is not None and _ce_suppression(iface):
            if v.huawei_ce:
                cls = "unknown-unicast" if traffic == "unknown-unicast" else "multicast"
                return _iface(port, f"storm suppression {cls} packets {n}", family=family, at=at)
            return _iface(port, f"{word}-suppression packets {n}", family=family, at=at)
        kw = "storm control" if v.huawei_ce else "storm-control"
        return _iface(port, f"{kw} {word} min-rate {max(n // 2, 1)} max-rate {n}",
                      family=family, at=at)
    if family == "comware":
        # in the unit the port's broadcast limit uses (pps, else a ratio)
        bc = iface.storm_control.get("broadcast") if iface is not None else None
        kw, up = ("pps", max(int(pps), 2)) if bc is not None and bc.unit == "pps" else (
            "ratio", max(int(percent), 1))
        if comware_mechanism(iface) == "constrain":
            low = max(up // 2, 1)
            line = (f"storm-constrain {word} {up} {low} {kw}" if v.comware_v5
                    else f"storm-constrain {word} {kw} {up} {low}")
            return _iface(port, line, family=family, at=at)
        lvl = f"pps {up}" if kw == "pps" else str(up)
        return _iface(port, f"{word}-suppression {lvl}", family=family, at=at)
    return f"limit {traffic} traffic on {port}"


def junos_class(port: str, traffic: str, *, v: Variant, profile: str | None,
                stanza: str | None, level: float | None) -> str:
    """Junos: take the class back into the storm-control profile (ELS) or the
    ``ethernet-switching-options storm-control interface`` stanza (non-ELS) the port uses."""
    flag = "no-multicast" if traffic == "multicast" else "no-unknown-unicast"
    if v.junos_els:
        if not profile:
            return not_fixable("junos", f"no storm-control profile on {port} to extend")
        lines = [f"delete forwarding-options storm-control-profiles {profile} all {flag}"]
        if traffic == "multicast":
            for sub in ("no-registered-multicast", "no-unregistered-multicast"):
                lines.append(f"delete forwarding-options storm-control-profiles {profile} all "
                             f"{sub}")
        return "\n".join(lines)
    name = stanza or port
    base = f"set ethernet-switching-options storm-control interface {name}"
    if traffic == "multicast":
        if stanza is None and level is not None:
            # a stanza of its own replaces the default: keep the level it had
            return f"{base} level {level:g}\n{base} multicast"
        return f"{base} multicast"
    return f"delete ethernet-switching-options storm-control interface {name} {flag}"
