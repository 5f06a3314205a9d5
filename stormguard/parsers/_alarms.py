"""Global statements that decide whether a storm or a loop raises an alarm off the box, whether
loops are caught without BPDUs, and how err-disabled ports recover (the model's
:class:`stormguard.model.Alarms`), for the Cisco-style and the VRP-style parser cores.

Each ``*_global`` function gets the words of one column-0 statement (``neg`` when it started with
``no`` / ``undo``, which is already stripped) and returns True when it recognised the statement;
statements of these features that cannot be read become a warning with their line (through the
``warn`` callback). Pure and cheap: a ``words[0]`` dispatch, no regular expressions.
"""

from __future__ import annotations

from collections.abc import Callable

from stormguard.model import Alarms, Interface
from stormguard.vlans import VlanSet, VlanSyntaxError

Warn = Callable[[int, str, str], None]

#: syslog severity names -> numbers (the level sent to the hosts: messages at or below it go)
SYSLOG_LEVELS: dict[str, int] = {
    "emergencies": 0, "alerts": 1, "critical": 2, "errors": 3, "warnings": 4,
    "notifications": 5, "informational": 6, "debugging": 7,
    # EOS / NX-OS spell some differently
    "emergency": 0, "alert": 1, "error": 3, "warning": 4, "notice": 5, "notification": 5,
    "info": 6, "debug": 7,
}
#: err-disable recovery causes as the platforms spell them -> the model's names
RECOVERY_CAUSES: dict[str, str] = {
    "bpduguard": "bpduguard", "bpdu-guard": "bpduguard", "bpdu-protection": "bpduguard",
    "storm-control": "storm-control", "storm-constrain": "storm-control",
    "loopdetect": "loop-detect", "loop-detect": "loop-detect", "loopback": "loop-detect",
    "loop-protection": "loop-detect", "loopback-detect": "loop-detect",
    "mac-address-flapping": "loop-detect", "all": "all",
}
#: Cisco-family `snmp-server enable traps X` keywords -> the model's trap names
_CISCO_TRAPS: dict[str, str] = {
    "storm-control": "storm-control", "errdisable": "errdisable",
    "mac-notification": "mac-notification", "loop-protection": "loop-detect",
}


def _set_trap(al: Alarms, name: str, ln: int, *, off: bool) -> None:
    """A trap switched on (or off, by `no`/`undo`) at line `ln`; the later statement wins."""
    if off:
        al.traps.pop(name, None)
        al.traps_off[name] = ln
    else:
        al.traps[name] = ln
        al.traps_off.pop(name, None)

def _host(word: str) -> bool:
    """A host argument: an address or a name (not a keyword such as ``vrf`` or ``source``)."""
    return bool(word) and (word[0].isdecimal() or ":" in word or "." in word
                           or word.replace("-", "").replace("_", "").isalnum())


# -- Cisco IOS / IOS-XE, NX-OS, EOS -----------------------------------------------------------

_LOGGING_NOT_HOSTS = frozenset({
    "buffered", "console", "monitor", "trap", "facility", "source-interface", "origin-id",
    "event", "logfile", "level", "timestamp", "rate-limit", "history", "on", "queue-limit",
    "count", "persistent", "discriminator", "filter", "file", "userinfo", "message-counter",
    "sequence-numbers", "reload", "snmp-authfail", "alarm", "delimiter", "esm", "cns-events",
    "dmvpn", "hostnameprefix", "policy-firewall", "rate", "format", "synchronous", "vrf",
    "module", "ip", "ipv6", "relogging-interval", "repeat-messages", "qos", "transport",
    "source", "server-group", "trace", "smartlog", "drop", "message", "enable", "facility-level",
})


def cisco_global(al: Alarms, words: list[str], neg: bool, body: str, ln: int,
                 warn: Warn) -> bool:
    w0 = words[0]
    if w0 == "logging":
        return _cisco_logging(al, words[1:], neg, body, ln, warn)
    if w0 == "snmp-server":
        return _cisco_snmp(al, words[1:], neg, body, ln, warn)
    if w0 == "errdisable" and words[1:2] == ["recovery"]:
        return _cisco_recovery(al, words[2:], neg, body, ln, warn)
    if w0 in ("mac", "mac-address-table"):
        rest = words[2:] if w0 == "mac" and words[1:2] == ["address-table"] else words[1:]
        if rest[:2] == ["notification", "mac-move"]:
            _switch(al, "mac-move-notification", not neg, ln)
            return True
        if rest[:1] == ["loop-detect"]:
            if rest[1:2] == ["port-down"] or neg:  # NX-OS: shut the port, not only log
                _switch(al, "loop-detect", not neg, ln)
            return True
        return False
    if w0 == "monitor" and words[1:2] == ["loop-protection"]:
        if neg:  # EOS: the section is shut down until `no shutdown` inside it
            _switch(al, "loop-protection", False, ln)
        else:
            al.lines["loop_protection_section"] = ln
        return True
    return False


def _switch(al: Alarms, mech: str, on: bool, ln: int) -> None:
    if on:
        al.loop_protect[mech] = ln
        al.loop_protect_off.pop(mech, None)
    else:
        al.loop_protect_off[mech] = ln
        al.loop_protect.pop(mech, None)


def _cisco_logging(al: Alarms, rest: list[str], neg: bool, body: str, ln: int,
                   warn: Warn) -> bool:
    if not rest:
        return False
    if rest[0] == "vrf" and rest[2:3] == ["host"]:  # EOS `logging vrf MGMT host X`
        rest = rest[2:]
    w = rest[0]
    if w in ("host", "server"):  # IOS/EOS `logging host X`, NX-OS `logging server X`
        if len(rest) < 2 or not _host(rest[1]):
            warn(ln, "cannot read the logging host", body)
            return True
        if rest[1] in ("ipv6", "vrf") and len(rest) > 2:
            host = rest[2] if rest[1] == "ipv6" else (rest[3] if len(rest) > 3 else "")
        else:
            host = rest[1]
        if neg:
            al.log_hosts.pop(host, None)
        elif host:
            al.log_hosts[host] = ln
        return True
    if w == "trap":  # IOS/EOS: the severity sent to the hosts
        if neg:
            al.set("log_level", None, ln)
        elif len(rest) == 1:
            al.set("log_level", 6, ln)
        else:
            lvl = rest[1]
            level = int(lvl) if lvl.isdecimal() else SYSLOG_LEVELS.get(lvl)
            if level is None:
                warn(ln, "cannot read the logging trap level", body)
            else:
                al.set("log_level", level, ln)
        return True
    if w in _LOGGING_NOT_HOSTS or len(rest) != 1:
        return False
    if w[0].isdecimal() or ":" in w:  # old IOS `logging 10.1.1.1`
        if neg:
            al.log_hosts.pop(w, None)
        else:
            al.log_hosts[w] = ln
        return True
    return False


def _cisco_snmp(al: Alarms, rest: list[str], neg: bool, body: str, ln: int,
                warn: Warn) -> bool:
    if not rest:
        return False
    if rest[0] == "host":
        if len(rest) < 2 or not _host(rest[1]):
            warn(ln, "cannot read the SNMP host", body)
            return True
        host = rest[1]
        if neg:
            al.trap_hosts.pop(host, None)
        elif "use-vrf" in rest or "filter-vrf" in rest or len(rest) >= 3:
            al.trap_hosts[host] = ln
        else:
            warn(ln, "SNMP host without a community or user: it is not a trap host", body)
        return True
    if rest[:2] == ["enable", "traps"]:
        names = rest[2:]
        if not names:
            if neg:
                al.traps.clear()
                al.traps_off["all"] = ln
            else:
                al.traps["all"] = ln
                al.traps_off.clear()
            return True
        name = _CISCO_TRAPS.get(names[0])
        if name is None:
            return True  # a trap with nothing to do with storms (bgp, config ...)
        _set_trap(al, name, ln, off=neg)
        return True
    return False


def _cisco_recovery(al: Alarms, rest: list[str], neg: bool, body: str, ln: int,
                    warn: Warn) -> bool:
    if rest[:1] == ["interval"]:
        if neg:
            al.set("recovery_interval", None, ln)
        elif len(rest) == 2 and rest[1].isdecimal():
            al.set("recovery_interval", int(rest[1]), ln)
        else:
            warn(ln, "cannot read the errdisable recovery interval", body)
        return True
    if rest[:1] == ["cause"]:
        if len(rest) < 2:
            warn(ln, "errdisable recovery cause without a cause", body)
            return True
        cause = RECOVERY_CAUSES.get(rest[1])
        if cause is None:
            return True  # a cause with nothing to do with storms (psecure-violation ...)
        if neg:
            al.recovery.pop(cause, None)
        else:
            al.recovery[cause] = ln
        return True
    warn(ln, "errdisable recovery statement not understood", body)
    return True


def cisco_port(iface: Interface, words: list[str], neg: bool, body: str, ln: int,
               warn: Warn) -> None:
    """IOS-XE ``loopdetect [action syslog]``, EOS ``loop-protection`` on a port."""
    w0 = words[0]
    lp = iface.extra.setdefault("loop_protect", {})
    if w0 == "loopdetect":
        if len(words) == 1:
            if neg:
                lp.pop("loopdetect", None)
            else:
                lp["loopdetect"] = ln
        elif words[1:2] == ["action"]:
            if neg:
                iface.extra.pop("loop_action", None)
            elif len(words) == 3:
                iface.extra["loop_action"] = words[2]
                iface.lines["loop_action"] = ln
            else:
                warn(ln, "cannot read the loopdetect action", body)
        elif words[1:2] not in (["time"], ["source-port"]):
            warn(ln, "loopdetect statement not understood", body)
    elif w0 == "loop-protection":
        if len(words) == 1:
            if neg:
                lp.pop("loop-protection", None)
                iface.extra["loop_protect_off"] = ln
            else:
                lp["loop-protection"] = ln
        # `loop-protection vlan ...` etc. narrow it: still on
        elif not neg:
            lp["loop-protection"] = ln
    if not lp:
        iface.extra.pop("loop_protect", None)


def eos_loop_section(al: Alarms, body: str, ln: int, warn: Warn) -> None:
    """A statement inside EOS ``monitor loop-protection``: ``shutdown`` switches it off."""
    words = body.split()
    if words == ["shutdown"]:
        _switch(al, "loop-protection", False, ln)
    elif words == ["no", "shutdown"]:
        al.loop_protect["loop-protection"] = ln
        al.loop_protect_off.pop("loop-protection", None)
    elif words[:2] == ["protect", "vlan"] and len(words) == 3:
        try:
            vset = VlanSet.parse(words[2])
        except VlanSyntaxError:
            warn(ln, "cannot read the loop-protection VLAN list", body)
            return
        al.loop_vlans = vset if al.loop_vlans is None else al.loop_vlans | vset
        al.lines["loop_vlans"] = ln
    elif words[:1] == ["disabled-time"]:
        if len(words) == 2 and words[1].isdecimal():
            al.recovery["loop-detect"] = ln
        else:
            warn(ln, "cannot read the loop-protection disabled-time", body)


# -- Huawei VRP, H3C Comware -------------------------------------------------------------------


def vrp_global(al: Alarms, w: list[str], undo: bool, body: str, ln: int, warn: Warn) -> bool:
    """``info-center``, ``snmp-agent``, ``loopback-detect[ion]``, ``mac-address flapping``,
    ``error-down auto-recovery`` and ``shutdown-interval`` in the system view."""
    w0 = w[0]
    if w0 == "info-center":
        if w[1:2] == ["loghost"]:
            rest = [t for t in w[2:] if t != "ipv6"]
            if rest[:1] == ["vpn-instance"]:
                rest = rest[2:]
            if rest[:1] in (["source"], ["source-ip"], ["channel"]):
                return True  # `info-center loghost source Vlanif10`: not a host
            if not rest or not _host(rest[0]):
                warn(ln, "cannot read the info-center log host", body)
                return True
            if undo:
                al.log_hosts.pop(rest[0], None)
            else:
                al.log_hosts[rest[0]] = ln
            return True
        if w[1:] == ["enable"]:
            if undo:  # `undo info-center enable`: no log leaves the box at all
                al.lines["info_center_off"] = ln
            else:
                al.lines.pop("info_center_off", None)
            return True
        return True
    if w0 == "snmp-agent":
        if w[1:2] == ["target-host"]:
            if "trap" not in w[2:4] and "trap-hostname" not in w[2:4]:
                return True  # inform / other target kinds
            if "address" not in w:
                warn(ln, "cannot read the SNMP trap target", body)
                return True
            j = w.index("address") + 1
            if w[j:j + 1] == ["udp-domain"]:
                j += 1
            host = w[j] if j < len(w) else ""
            if not _host(host):
                warn(ln, "cannot read the SNMP trap target", body)
            elif undo:
                al.trap_hosts.pop(host, None)
            else:
                al.trap_hosts[host] = ln
            return True
        if w[1:3] == ["trap", "enable"]:
            rest = w[3:]
            if rest[:1] == ["feature-name"] and len(rest) > 1:
                name = {"storm-control": "storm-control", "stormcontrol": "storm-control",
                        "storm-constrain": "storm-control", "lbdt": "loop-detect",
                        "loopback-detect": "loop-detect", "loopback-detection": "loop-detect",
                        "mstp": "errdisable", "error-down": "errdisable",
                        }.get(rest[1].lower())
            elif rest:
                name = {"storm-constrain": "storm-control", "loopback-detection": "loop-detect",
                        "stp": "errdisable"}.get(rest[0].lower())
            else:
                name = "all"
            if name is None:
                return True
            _set_trap(al, name, ln, off=undo)
            return True
        return True
    if w0 in ("loopback-detect", "loopback-detection"):
        rest = w[1:]
        if rest[:2] == ["global", "enable"] or rest[:1] == ["enable"]:
            _switch(al, "loopback-detect", not undo, ln)  # H3C v7 global / v5 global
        elif rest[:2] == ["global", "action"]:
            if undo:
                al.set("loop_action", None, ln)
            elif len(rest) == 3:
                al.set("loop_action", rest[2], ln)
            else:
                warn(ln, "cannot read the loopback-detection action", body)
        elif rest[:1] == ["action"] and len(rest) == 2 and not undo:
            al.set("loop_action", rest[1], ln)
        return True
    if w0 == "mac-address" and w[1:2] == ["flapping"]:
        if w[2:3] == ["detection"] and len(w) == 3:
            _switch(al, "mac-flapping", not undo, ln)
        return True
    if w0 == "error-down" and w[1:2] == ["auto-recovery"]:
        if undo:
            if w[2:3] == ["cause"] and len(w) > 3:
                cause = RECOVERY_CAUSES.get(w[3])
                if cause:
                    al.recovery.pop(cause, None)
            return True
        if w[2:3] != ["cause"] or len(w) < 4 or "interval" not in w:
            warn(ln, "cannot read the error-down auto-recovery statement", body)
            return True
        cause = RECOVERY_CAUSES.get(w[3])
        j = w.index("interval") + 1
        if j >= len(w) or not w[j].isdecimal():
            warn(ln, "cannot read the error-down auto-recovery interval", body)
            return True
        if cause:
            al.recovery[cause] = ln
            al.lines[f"recovery_interval.{cause}"] = ln
            al.set("recovery_interval", int(w[j]), ln)
        return True
    if w0 == "shutdown-interval":  # H3C: every port shut by a protection comes back after N s
        if undo:
            al.set("recovery_interval", None, ln)
        elif len(w) == 2 and w[1].isdecimal():
            al.set("recovery_interval", int(w[1]), ln)
        else:
            warn(ln, "cannot read the shutdown-interval", body)
        return True
    return False


#: First words of the system-view statements :func:`vrp_global` reads.
VRP_WORDS = frozenset({"info-center", "snmp-agent", "loopback-detect", "loopback-detection",
                       "mac-address", "error-down", "shutdown-interval"})


def vrp_port(iface: Interface, w: list[str], undo: bool, body: str, ln: int,
             warn: Warn) -> None:
    """Huawei ``loopback-detect enable|action X``, H3C ``loopback-detection enable [vlan ...]``,
    ``loopback-detection action X`` (v7), ``loopback-detection shutdown|control enable`` (v5),
    Huawei ``mac-address flapping action X`` on a port."""
    lp = iface.extra.setdefault("loop_protect", {})
    rest = w[1:]
    if w[0] == "mac-address":
        if rest[:2] == ["flapping", "action"] and len(rest) == 3:
            if undo:
                iface.extra.pop("flap_action", None)
            else:
                iface.extra["flap_action"] = rest[2]
    elif rest[:1] == ["enable"]:
        if undo:
            lp.pop("loopback-detect", None)
            iface.extra["loop_protect_off"] = ln
        else:
            lp["loopback-detect"] = ln
            iface.extra.pop("loop_protect_off", None)
    elif rest[:1] == ["action"]:
        if undo:
            iface.extra.pop("loop_action", None)
        elif len(rest) == 2:
            iface.extra["loop_action"] = rest[1]
            iface.lines["loop_action"] = ln
        else:
            warn(ln, "cannot read the loopback-detection action", body)
    elif rest[1:2] == ["enable"] and rest[:1] in (["shutdown"], ["control"]):  # H3C v5
        if undo:
            iface.extra.pop("loop_action", None)
        else:
            iface.extra["loop_action"] = "shutdown" if rest[0] == "shutdown" else "block"
            iface.lines["loop_action"] = ln
    if not lp:
        iface.extra.pop("loop_protect", None)


# -- Junos ---------------------------------------------------------------------------------------

#: First tokens of the Junos statements :func:`junos_statement` may read.
JUNOS_WORDS = frozenset({"system", "snmp", "protocols", "ethernet-switching-options"})


def junos_statement(al: Alarms, toks: tuple[str, ...], ln: int, warn: Warn) -> bool:
    """``system syslog host X``, ``snmp trap-group G targets X``, ``protocols layer2-control
    bpdu-block disable-timeout N`` (ELS) and ``ethernet-switching-options bpdu-block
    disable-timeout N`` (non-ELS). True when the statement was one of these."""
    t0 = toks[0]
    if t0 == "system":
        if toks[1:3] == ("syslog", "host"):
            if len(toks) < 4:
                warn(ln, "cannot read the syslog host", " ".join(toks))
            else:
                al.log_hosts.setdefault(toks[3], ln)
            return True
        return False
    if t0 == "snmp":
        if toks[1:2] == ("trap-group",) and "targets" in toks:
            j = toks.index("targets") + 1
            if j < len(toks):
                al.trap_hosts.setdefault(toks[j], ln)
            else:
                warn(ln, "cannot read the SNMP trap target", " ".join(toks))
            return True
        return False
    if t0 == "protocols":
        rest = toks[2:] if toks[1:2] == ("layer2-control",) else None
    elif t0 == "ethernet-switching-options":
        rest = toks[1:]
    else:
        return False
    if rest is None or rest[:2] != ("bpdu-block", "disable-timeout"):
        return False
    if len(rest) == 3 and rest[2].isdecimal():
        al.recovery["bpduguard"] = ln
        al.set("recovery_interval", int(rest[2]), ln)
    else:
        warn(ln, "cannot read the bpdu-block disable-timeout", " ".join(toks))
    return False  # the parser reads the statement too (it marks ELS / non-ELS style)
