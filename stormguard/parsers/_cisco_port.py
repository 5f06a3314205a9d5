"""Port statements of the Cisco-style core (:mod:`stormguard.parsers._cisco_like`), compiled.

A statement inside an ``interface`` section is read in two steps: :func:`compile_port` turns
its text into a *plan* -- ``(action, argument)``, or None for a statement that sets nothing --
and the action applies the plan to one port. Everything that depends only on the text (the
split into words, which statement it is, VLAN lists, storm-control levels, the warning it
deserves) is in the plan; everything that depends on the port (what an earlier line set) is in
the action. Plans are pure functions of (text, dialect), so the parser keeps them by text: a
config repeats the same few dozen port statements on hundreds of ports (``switchport mode
access``, ``spanning-tree portfast``, ``storm-control action shutdown``), and each repeat then
costs one dictionary look-up and one call instead of the split and the keyword dispatch.

An action is ``action(parser, iface, line, argument)``; warnings go through ``parser.warn``
(which a range statement mutes for its 2nd, 3rd ... port).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from stormguard.model import Interface, StormControl
from stormguard.parsers import _alarms
from stormguard.vlans import VlanSet, vlan_set

if TYPE_CHECKING:
    from stormguard.parsers._cisco_like import Dialect

Action = Callable[[Any, Interface, int, Any], None]
_new = object.__new__
Plan = tuple[Action, Any]

# Traffic classes as the configs spell them -> the model's names.
STORM_CLASSES: dict[str, tuple[str, ...]] = {
    "broadcast": ("broadcast",),
    "multicast": ("multicast",),
    "unicast": ("unknown-unicast",),
    "unknown-unicast": ("unknown-unicast",),
    "all": ("broadcast", "multicast", "unknown-unicast"),  # EOS
}
_STORM_ACTIONS = frozenset({"shutdown", "trap"})
#: First words of the port statements read here (``no`` for their negated forms).
PORT_KEYWORDS = frozenset(
    {
        "description", "no", "shutdown", "switchport", "spanning-tree", "storm-control",
        "channel-group", "vrf", "ip", "vpc", "inherit", "source", "macro", "loopdetect",
        "loop-protection",
    }
)
# Second words of port statements that are understood and have nothing to do with storms (no
# warning); any other unreadable `switchport` / `spanning-tree` statement is warned about.
SWITCHPORT_OTHER = frozenset(
    {
        "port-security", "protected", "block", "backup", "priority", "autostate", "private-vlan",
        "dot1q", "vlan", "monitor", "capture", "mac", "tap", "tool", "phone", "default",
        "source-interface", "fabricpath", "isolated", "trunk-group", "access-group",
    }
)
_SWITCHPORT_TRUNK_OTHER = frozenset({"encapsulation", "pruning", "group", "tag"})
_SWITCHPORT_MODES = frozenset(
    {"private-vlan", "dot1q-tunnel", "fex-fabric", "routed", "tap", "tool", "tap-tool",
     "vntag", "fabricpath"}
)
_PORT_STP_WORDS = frozenset(
    {"cost", "port-priority", "vlan", "mst", "link-type", "priority", "lc-issu", "bpduguard",
     "bpdufilter", "guard", "disable", "portfast", "port", "bpdu", "link"}
)
_MGMT_VRFS = frozenset({"mgmt-vrf", "mgmt-intf", "management", "mgmt"})


# ----------------------------------------------------------------------------------------------
# actions


def _warn(p: Any, iface: Interface, ln: int, arg: tuple[str, str]) -> None:
    p.warn(ln, arg[0], arg[1])


def _set(p: Any, iface: Interface, ln: int, arg: tuple[str, object]) -> None:
    setattr(iface, arg[0], arg[1])
    iface.lines[arg[0]] = ln


def _sets(p: Any, iface: Interface, ln: int, arg: tuple[tuple[str, object], ...]) -> None:
    lines = iface.lines
    for name, value in arg:
        setattr(iface, name, value)
        lines[name] = ln


def _description(p: Any, iface: Interface, ln: int, arg: str) -> None:
    iface.description = arg
    iface.lines["description"] = ln


def _extra(p: Any, iface: Interface, ln: int, arg: tuple[str, object]) -> None:
    iface.extra[arg[0]] = arg[1]


def _extra_line(p: Any, iface: Interface, ln: int, arg: tuple[str, object]) -> None:
    iface.extra[arg[0]] = arg[1]
    iface.lines[arg[0]] = ln


def _extra_pop(p: Any, iface: Interface, ln: int, arg: str) -> None:
    iface.extra.pop(arg, None)


def _switched(iface: Interface, ln: int) -> None:
    """A port that takes switchport mode/access/trunk statements is a layer-2 port."""
    if iface.switched is None:
        iface.switched = True
        iface.lines["switched"] = ln


def _sw_set(p: Any, iface: Interface, ln: int, arg: tuple[str, object]) -> None:
    lines = iface.lines
    setattr(iface, arg[0], arg[1])
    lines[arg[0]] = ln
    if iface.switched is None:  # _switched, inlined (~270 of these per config)
        iface.switched = True
        lines["switched"] = ln


def _sw_extra(p: Any, iface: Interface, ln: int, arg: tuple[str, object]) -> None:
    iface.extra[arg[0]] = arg[1]
    _switched(iface, ln)


def _sw_mode(p: Any, iface: Interface, ln: int, mode: str) -> None:
    lines = iface.lines
    iface.mode = mode  # type: ignore[assignment]
    lines["mode"] = ln
    if iface.negotiation is not None:
        iface.negotiation = None
        lines["negotiation"] = ln
    if iface.extra.pop("switchport_mode", None) is not None:
        del lines["switchport_mode"]
    if iface.switched is None:  # _switched, inlined (~300 of these per config)
        iface.switched = True
        lines["switched"] = ln


def _sw_dynamic(p: Any, iface: Interface, ln: int, how: str) -> None:
    # DTP: the port becomes whatever the far end negotiates (a trunk, too)
    lines = iface.lines
    iface.negotiation = how  # type: ignore[assignment]
    lines["negotiation"] = ln
    if iface.mode is not None:
        iface.mode = None
        lines["mode"] = ln
    iface.extra["switchport_mode"] = "dynamic " + how
    lines["switchport_mode"] = ln
    _switched(iface, ln)


def _sw_mode_other(p: Any, iface: Interface, ln: int, mode: str) -> None:
    iface.extra["switchport_mode"] = mode
    iface.lines["switchport_mode"] = ln
    _switched(iface, ln)


def _sw_host(p: Any, iface: Interface, ln: int, arg: None) -> None:
    # IOS macro: access mode + portfast (+ no channel group); printed expanded on newer
    # releases, kept as typed in candidate configs.
    lines = iface.lines
    iface.mode = "access"
    lines["mode"] = ln
    iface.edge = True
    lines["edge"] = ln
    if iface.negotiation is not None:
        iface.negotiation = None
        lines["negotiation"] = ln
    _switched(iface, ln)


def _allowed_history(iface: Interface, ln: int, restart: bool) -> None:
    history = iface.extra.get("allowed_vlans_lines")
    if restart or history is None:
        iface.extra["allowed_vlans_lines"] = history = []
        iface.lines["allowed_vlans"] = ln
    history.append(ln)


def _allowed_set(p: Any, iface: Interface, ln: int, new: VlanSet) -> None:
    """A list that replaces what was there (a plain list, or ``except``)."""
    _allowed_history(iface, ln, True)
    iface.allowed_vlans = new
    _switched(iface, ln)


def _allowed_change(p: Any, iface: Interface, ln: int, arg: tuple[bool, VlanSet]) -> None:
    """``add`` / ``remove``: with no list yet the trunk carries every VLAN, so they start from
    all (as the switch itself does)."""
    add, vlans = arg
    cur = iface.allowed_vlans
    base = VlanSet.all() if cur is None else cur
    new = base.add(vlans) if add else base.remove(vlans)
    _allowed_history(iface, ln, cur is None)
    iface.allowed_vlans = new
    _switched(iface, ln)


def plain_allowed(iface: Interface, ln: int, raw: str, start: int) -> bool:
    """Apply ``switchport trunk allowed vlan [add] LIST`` (`raw` from `start`: ``[add ]LIST``)
    to `iface` as :func:`_allowed_set` / :func:`_allowed_change` apply the plan
    :func:`_allowed_fast` makes of it, when LIST is spelled the plain way; False (nothing
    done) for anything else.

    Why: the wrapped trunk lists (~220 per config) are mostly lines never seen before, and
    this reads one straight into the port: no statement text, plan, entry or VlanSet for the
    list, and one call instead of six. The parser's line caches see the line as before
    (:meth:`stormguard.parsers._cisco_like._Parser.novel_allowed`).
    """
    add = raw.startswith("add ", start)
    try:  # _list_mask, inlined
        mask = reduce(or_, map(_token_mask_of, (raw[start + 4:] if add else raw[start:])
                               .split(",")))
    except ValueError:
        return False  # the general path reads it (VlanSet.parse, or the warning)
    if mask & 1:
        return False  # VLAN 0: the general path warns
    extra = iface.extra
    cur = iface.allowed_vlans
    if add and cur is not None:  # the common case: one more wrapped line
        iface.allowed_vlans = vlan_set(cur.mask | mask, cur.is_all)
        history = extra.get("allowed_vlans_lines")
        if history is not None:
            history.append(ln)
        else:
            extra["allowed_vlans_lines"] = [ln]
            iface.lines["allowed_vlans"] = ln
    else:  # a list, or `add` to a trunk that carries every VLAN so far
        iface.allowed_vlans = vlan_set(_ALL_MASK, True) if add else vlan_set(mask)
        extra["allowed_vlans_lines"] = [ln]
        iface.lines["allowed_vlans"] = ln
    if iface.switched is None:
        iface.switched = True
        iface.lines["switched"] = ln
    return True


def _no_allowed(p: Any, iface: Interface, ln: int, arg: None) -> None:
    iface.allowed_vlans = None
    iface.lines["allowed_vlans"] = ln
    iface.extra.pop("allowed_vlans_lines", None)


def _edge_auto(p: Any, iface: Interface, ln: int, on: bool) -> None:
    # EOS auto-edge (on by default): operationally edge while no BPDU arrives. A separate knob
    # from admin edge (`show running-config all` prints both `no spanning-tree portfast` and
    # `spanning-tree portfast auto`).
    iface.extra["edge_auto"] = on
    iface.lines["edge_auto"] = ln


def _edge_on(p: Any, iface: Interface, ln: int, trunk: bool) -> None:
    iface.edge = True
    iface.lines["edge"] = ln
    if trunk:
        iface.edge_trunk = True
        iface.lines["edge_trunk"] = ln


def not_edge(iface: Interface, value: bool | None, ln: int) -> None:
    """A later statement undoes an earlier ``portfast trunk``: the last one wins."""
    iface.edge = value
    iface.lines["edge"] = ln
    if iface.edge_trunk:
        iface.edge_trunk = False
        iface.lines["edge_trunk"] = ln


def _edge_off(p: Any, iface: Interface, ln: int, port_type: str | None) -> None:
    not_edge(iface, False, ln)
    if port_type is not None:
        iface.extra["port_type"] = port_type


def _storm_action(p: Any, iface: Interface, ln: int, acts: tuple[str, ...]) -> None:
    if not iface.storm_actions:
        iface.lines["storm_actions"] = ln
    iface.storm_actions.update(acts)


def _no_storm_action(p: Any, iface: Interface, ln: int, acts: tuple[str, ...]) -> None:
    for act in acts or list(iface.storm_actions):
        iface.storm_actions.discard(act)
    iface.lines["storm_actions"] = ln


def _no_storm(p: Any, iface: Interface, ln: int, classes: tuple[str, ...]) -> None:
    for traffic in classes:
        iface.storm_control.pop(traffic, None)


def _storm(p: Any, iface: Interface, ln: int,
           arg: tuple[bool, tuple[str, ...], float, str, float | None]) -> None:
    every, classes, level, unit, falling = arg
    # EOS `storm-control all` fills in the classes that have no statement of their own; a
    # per-class statement wins over it whatever the order.
    # (A list, not a set, so `extra` stays JSON-serialisable.)
    from_all: list[str] | None = iface.extra.get("storm_control_from_all")
    if every and from_all is None:
        from_all = iface.extra["storm_control_from_all"] = []
    storm = iface.storm_control
    for traffic in classes:
        if every:
            if traffic in storm and traffic not in from_all:  # type: ignore[operator]
                continue
            if traffic not in from_all:  # type: ignore[operator]
                from_all.append(traffic)  # type: ignore[union-attr]
        elif from_all and traffic in from_all:
            from_all.remove(traffic)
        lines = {"level": ln, "unit": ln}
        if falling is not None:
            lines["falling"] = ln
        storm[traffic] = StormControl(traffic, level, unit, falling, ln, lines)  # type: ignore[arg-type]


def _storm_class(p: Any, iface: Interface, ln: int,
                 arg: tuple[str, float, str, float | None]) -> None:
    """``storm-control CLASS level ...`` for one class (every spelling but EOS ``all``): what
    :func:`_storm` does for it, without the loop over classes, and the StormControl built
    as its dataclass ``__init__`` builds it (same attributes, same order), without the
    class call (~240 of these per config)."""
    traffic, level, unit, falling = arg
    from_all = iface.extra.get("storm_control_from_all")
    if from_all and traffic in from_all:
        from_all.remove(traffic)
    sc = _new(StormControl)
    sc.traffic = traffic
    sc.level = level
    sc.unit = unit
    sc.falling = falling
    sc.line = ln
    sc.lines = {"level": ln, "unit": ln} if falling is None else {
        "level": ln, "unit": ln, "falling": ln}
    iface.storm_control[traffic] = sc


def _channel_group(p: Any, iface: Interface, ln: int, arg: tuple[str, str | None]) -> None:
    iface.channel_group = arg[0]
    iface.lines["channel_group"] = ln
    if arg[1] is not None:
        iface.extra["lacp_mode"] = arg[1]


def _ip_address(p: Any, iface: Interface, ln: int, arg: None) -> None:
    # A port with an IP address is routed (a router's, or a routed port whose `no switchport`
    # the platform does not print).
    if iface.switched is None:
        iface.switched = False
        iface.lines["switched"] = ln


def _vrf(p: Any, iface: Interface, ln: int, arg: tuple[str, bool]) -> None:
    # A port in the management VRF is a management port.
    iface.extra["vrf"] = arg[0]
    if arg[1] and iface.kind == "physical":
        iface.kind = "management"
        iface.lines["kind"] = ln


def _loop_port(p: Any, iface: Interface, ln: int, arg: tuple[list[str], bool, str]) -> None:
    _alarms.cisco_port(iface, arg[0], arg[1], arg[2], ln, p.warn)


# ----------------------------------------------------------------------------------------------
# compiling a statement into a plan


def _warning(what: str, body: str) -> Plan:
    return (_warn, (what, body))


def compile_port(body: str, d: Dialect) -> Plan | None:
    """The plan of one port statement (`body`: stripped, not a comment), None when it sets
    nothing. Cheap first-word filter: most port statements (ip, cdp, speed ...) are not ours."""
    if body.startswith(_ALLOWED):  # wrapped trunk lists: ~220 new ones per config
        fast = _allowed_fast(body)
        if fast is not None:
            return fast
    sp = body.find(" ")
    first = body if sp < 0 else body[:sp]
    if first not in PORT_KEYWORDS:
        return None
    if first == "description":
        return (_description, body[sp + 1:].strip()) if sp > 0 else None
    neg = first == "no"
    words = body.split()
    if neg:
        words = words[1:]
        if not words:
            return None
    w0 = words[0]
    if w0 == "shutdown":
        return (_set, ("shutdown", not neg)) if len(words) == 1 else None
    if w0 == "switchport":
        return _switchport(words, neg, body)
    if w0 == "spanning-tree":
        return _port_stp(words[1:], neg, body, d)
    if w0 == "storm-control":
        return _storm_control(words[1:], body) if not neg else _no_storm_control(words[1:], body)
    if w0 == "channel-group":
        if neg or len(words) <= 1:
            return None
        num = words[1]
        if not num.isdecimal():
            return _warning("cannot read channel-group number", body)
        lacp = words[words.index("mode", 2) + 1] if "mode" in words[2:-1] else None
        return (_channel_group, (d.aggregate_prefix + num, lacp))
    if w0 in ("vrf", "ip") and not neg:
        # IOS-XE `vrf forwarding Mgmt-vrf`, NX-OS `vrf member management`, EOS `vrf MGMT`,
        # old IOS `ip vrf forwarding X`.
        if w0 == "ip":
            if len(words) >= 3 and words[1] == "address":
                return (_ip_address, None)
            if len(words) != 4 or words[1:3] != ["vrf", "forwarding"]:
                return None
            vrf = words[3]
        elif len(words) == 2 or (len(words) == 3 and words[1] in ("forwarding", "member")):
            vrf = words[-1]
        else:
            return None
        return (_vrf, (vrf, vrf.lower() in _MGMT_VRFS))
    if w0 in ("loopdetect", "loop-protection"):
        return (_loop_port, (words, neg, body))
    if w0 == "vpc" and not neg:
        if words[1:2] == ["peer-link"]:
            return (_extra, ("vpc_peer_link", True))
        return (_extra, ("vpc", words[1])) if len(words) > 1 else None
    if neg:
        return None
    if w0 == "inherit" and words[1:2] == ["port-profile"]:
        return _warning("port-profile settings are not read (the port is judged on its own "
                        "lines only)", body)
    if w0 == "source" and words[1:2] == ["template"]:
        return _warning("interface template settings are not read (the port is judged on "
                        "its own lines only)", body)
    if w0 == "macro" and words[1:2] in (["apply"], ["trace"]):
        return _warning("macro is not expanded (the port is judged on its own lines only)",
                        body)
    return None


_ALLOWED = "switchport trunk allowed vlan "
_ALLOWED_ADD = _ALLOWED + "add "


def _allowed_fast(body: str) -> Plan | None:
    """The plan of ``switchport trunk allowed vlan [add] LIST`` spelled the plain way (single
    spaces, LIST only digits, commas and dashes), as :func:`_allowed` makes it, without
    splitting the statement into words; None for anything else (the general path reads it)."""
    add = body.startswith(_ALLOWED_ADD)
    text = body[len(_ALLOWED_ADD):] if add else body[len(_ALLOWED):]
    try:
        vlans = _plain_vlan_list(text)  # not parse_vlan_list: these lists rarely repeat
    except ValueError:
        return None  # the general path reads it (VlanSet.parse, or the warning)
    return (_allowed_change, (True, vlans)) if add else (_allowed_set, vlans)


def _switchport(w: list[str], neg: bool, body: str) -> Plan | None:
    if len(w) == 1:
        return (_set, ("switched", not neg))
    w1 = w[1]
    if neg:
        return _no_switchport(w, body)
    if w1 == "mode":
        if len(w) < 3:
            return _warning("switchport mode missing", body)
        mode = w[2]
        if mode in ("access", "trunk"):
            return (_sw_mode, mode)
        if mode == "dynamic" and len(w) == 4 and w[3] in ("auto", "desirable"):
            return (_sw_dynamic, w[3])
        if mode in _SWITCHPORT_MODES:  # private-vlan, dot1q-tunnel, fex-fabric ...
            return (_sw_mode_other, " ".join(w[2:]))
        return _warning("unrecognised switchport mode", body)
    if w1 == "access":
        if len(w) != 4 or w[2] != "vlan":
            return _warning("unrecognised switchport access statement", body)
        vid = vlan_id(w[3])
        if vid is None:
            return _warning("cannot read access VLAN", body)
        return (_sw_set, ("access_vlan", vid))
    if w1 == "trunk":
        if len(w) >= 4 and w[3] == "vlan" and w[2] in ("allowed", "native"):
            if w[2] == "allowed":
                if len(w) < 5:
                    return _warning("allowed VLAN list missing", body)
                return _allowed(w[4:], body)
            if len(w) != 5:
                return _warning("cannot read native VLAN", body)
            if w[4] == "tag":
                return (_extra, ("native_vlan_tagged", True))
            vid = vlan_id(w[4])
            if vid is None:
                return _warning("cannot read native VLAN", body)
            return (_sw_set, ("native_vlan", vid))
        if len(w) > 2 and w[2] in _SWITCHPORT_TRUNK_OTHER:
            if w[2] == "encapsulation" and len(w) == 4:  # older Catalysts: ISL or dot1q
                return (_extra, ("trunk_encapsulation", w[3]))
            return None  # pruning, EOS trunk group ...
        return _warning("unrecognised switchport trunk statement", body)
    if w1 == "nonegotiate" and len(w) == 2:
        return (_sw_set, ("nonegotiate", True))
    if w1 == "host" and len(w) == 2:
        return (_sw_host, None)
    if w1 == "voice" and len(w) == 4 and w[2] == "vlan":
        return (_sw_extra, ("voice_vlan", w[3]))
    if w1 not in SWITCHPORT_OTHER:
        return _warning("unrecognised switchport statement", body)
    return None


def _no_switchport(w: list[str], body: str) -> Plan | None:
    """``no switchport ...`` (candidate configs undo what a range or an earlier line set)."""
    w1 = w[1]
    if w1 == "mode":
        return (_sets, (("mode", None), ("negotiation", None)))
    if w1 == "nonegotiate":
        return (_set, ("nonegotiate", False))
    if w1 == "access" and w[2:3] == ["vlan"]:
        return (_set, ("access_vlan", None))
    if w1 == "trunk" and w[3:4] == ["vlan"] and w[2] == "allowed":
        if len(w) == 4:
            return (_no_allowed, None)
        return _warning("unrecognised switchport trunk statement", body)
    if w1 == "trunk" and w[3:4] == ["vlan"] and w[2] == "native":
        if w[4:] == ["tag"]:
            return (_extra_pop, "native_vlan_tagged")
        return (_set, ("native_vlan", None))
    if w1 == "host":
        return (_sets, (("mode", None), ("edge", None)))
    if w1 not in SWITCHPORT_OTHER and w1 not in ("trunk", "voice"):
        return _warning("unrecognised switchport statement", body)
    return None


def _allowed(rest: list[str], body: str) -> Plan:
    """One `switchport trunk allowed vlan ...` statement, applied on top of the ones before
    (``show running-config`` wraps a long list into further ``... allowed vlan add`` lines)."""
    op = rest[0]
    try:
        if op in ("add", "remove", "except"):
            if len(rest) < 2:
                raise ValueError(f"nothing after {op!r}")
            arg = parse_vlan_list(",".join(rest[1:]))
            if op == "except":
                return (_allowed_set, VlanSet.all().except_(arg))
            return (_allowed_change, (op == "add", arg))
        return (_allowed_set, parse_vlan_list(",".join(rest)))
    except ValueError as exc:
        return _warning(f"cannot read VLAN list ({exc})", body)


def _port_stp(w: list[str], neg: bool, body: str, d: Dialect) -> Plan | None:
    if not w:
        return (_set, ("stp_disabled", True)) if neg else None  # `no spanning-tree` on a port
    w0 = w[0]
    if w0 == "disable":
        return (_set, ("stp_disabled", not neg))
    if w0 == "portfast":
        if w[1:] == ["auto"]:
            return (_edge_auto, not neg)
        return _edge(w[1:], neg, body, d)
    if w0 == "port":
        if len(w) >= 3 and w[1] == "type":
            return _edge(w[2:], neg, body, d)
        return _warning("unrecognised spanning-tree statement", body)
    if w0 not in _PORT_STP_WORDS:
        return _warning("unrecognised spanning-tree statement", body)
    if w0 in ("bpduguard", "bpdufilter"):
        field = "bpdu_guard" if w0 == "bpduguard" else "bpdu_filter"
        arg = w[1] if len(w) > 1 else ""
        if neg:
            return (_set, (field, None))
        if arg == "enable":
            return (_set, (field, True))
        if arg == "disable":
            return (_set, (field, False))
        return _warning(f"cannot read {w0} setting", body)
    if w0 == "guard":
        arg = w[1] if len(w) > 1 else ""
        if neg or arg == "none":
            return (_sets, (("root_guard", False), ("loop_guard", False)))
        if arg == "root":
            return (_set, ("root_guard", True))
        if arg == "loop":
            return (_set, ("loop_guard", True))
        return _warning("cannot read spanning-tree guard", body)
    return None


def _edge(w: list[str], neg: bool, body: str, d: Dialect) -> Plan:
    """portfast [edge] [trunk] | disable | network | normal | auto; port type edge [trunk]."""
    if neg:
        return (_edge_off, None)
    if not w:
        # IOS `spanning-tree portfast`: access ports only; EOS: every port, trunks too.
        return (_edge_on, d.portfast_covers_trunks)
    w0 = w[0]
    if w0 in ("edge", "trunk"):
        return (_edge_on, "trunk" in w or d.portfast_covers_trunks)
    if w0 in ("disable", "network", "normal"):
        return (_edge_off, None if w0 == "disable" else w0)
    return _warning("cannot read spanning-tree edge setting", body)


def _storm_control(w: list[str], body: str) -> Plan | None:
    if not w:
        return None
    w0 = w[0]
    if w0 == "action":
        acts = tuple(a for a in w[1:] if a in _STORM_ACTIONS)
        if not acts:
            return _warning("cannot read storm-control action", body)
        return (_storm_action, acts)
    classes = STORM_CLASSES.get(w0)
    if classes is None or len(w) < 2 or w[1] != "level":
        if classes is None or w[1:2] != ["include"]:  # `broadcast include multicast`: ok
            return _warning("unrecognised storm-control statement", body)
        return None
    rest = w[2:]
    unit = "percent"
    if rest and rest[0] in ("bps", "pps"):
        unit, rest = rest[0], rest[1:]
    level = parse_number(rest[0]) if rest else None
    falling = parse_number(rest[1]) if len(rest) > 1 else None
    if (
        level is None
        or len(rest) > 2
        or (len(rest) == 2 and falling is None)
        or (unit == "percent" and level > 100)
    ):
        return _warning("cannot read storm-control level", body)
    if w0 != "all" and len(classes) == 1:
        return (_storm_class, (classes[0], level, unit, falling))
    return (_storm, (w0 == "all", classes, level, unit, falling))


def _no_storm_control(w: list[str], body: str) -> Plan | None:
    """``no storm-control broadcast [level ...]`` / ``no storm-control action X``."""
    if not w:
        return None
    if w[0] == "action":
        return (_no_storm_action, tuple(w[1:]))
    classes = STORM_CLASSES.get(w[0])
    if classes is None:
        return _warning("unrecognised storm-control statement", body)
    return (_no_storm, classes)


# ----------------------------------------------------------------------------------------------
# values

_SUFFIX = {"k": 1e3, "m": 1e6, "g": 1e9}


@lru_cache(maxsize=256)
def parse_number(token: str) -> float | None:
    """``10.00`` -> 10.0, ``2k`` -> 2000.0, ``1.5m`` -> 1500000.0; None if unreadable.

    Memoised: a config repeats the same few levels on hundreds of ports, and the ``2k`` form
    costs a caught exception each time it is read afresh.
    """
    try:
        value = float(token)
    except ValueError:
        mult = _SUFFIX.get(token[-1:].lower())
        if mult is None:
            return None
        try:
            value = float(token[:-1]) * mult
        except ValueError:
            return None
    if not 0 <= value < _INF:  # negative, inf, NaN
        return None
    return value


_INF = float("inf")
_ALL_MASK = VlanSet.all().mask


@lru_cache(maxsize=1024)
def parse_vlan_list(text: str) -> VlanSet:
    """Read a Cisco-style VLAN list (``10,20-30``) without regular expressions.

    Anything unusual (spaces, ``all``, ``none``, junk, reversed ranges, out-of-range IDs) goes
    to :meth:`VlanSet.parse`, which reads every spelling and raises a clear error. Memoised
    (a :class:`VlanSet` is immutable): `vlan N` headers and VLAN lists repeat across the
    configs of one run. The wrapped trunk lists of :func:`_allowed_fast` are mostly new each
    time, so that path calls :func:`_plain_vlan_list` itself: a cache miss costs more than
    reading the list.
    """
    if text.translate(_NOT_LIST_CHARS):  # something besides digits, commas and dashes
        return VlanSet.parse(text)
    try:
        return _plain_vlan_list(text)
    except ValueError:
        return VlanSet.parse(text)


def _plain_vlan_list(text: str) -> VlanSet:
    """A list of only digits, commas and dashes; ValueError when it is not spelled the plain
    way (the caller then lets :meth:`VlanSet.parse` judge it).

    This is the hot path for wrapped trunk lists (~220 new ones per config). Each item is
    looked up in :data:`_TOKEN_MASKS` (its bits in a VlanSet mask) and the masks are OR-ed
    together, all without a bytecode per item: a Python loop over the items (a look-up, a
    test and an OR each) cost ~3x as much. An item not in the table (a range, ``007``, junk)
    is read by :func:`_token_mask` through the table's ``__missing__``.
    """
    return vlan_set(_list_mask(text))


def _list_mask(text: str) -> int:
    """The mask of a plain VLAN list (see :func:`_plain_vlan_list`)."""
    mask = reduce(or_, map(_token_mask_of, text.split(",")))
    if mask & 1:
        raise ValueError("VLAN 0")
    return mask


def _token_mask(tok: str) -> int:
    """The mask of one item of a plain VLAN list (``10``, ``20-30``; bit 0 for VLAN 0, which
    the caller refuses); ValueError for anything else (a character besides digits and
    dashes, an empty or reversed range, an ID above 4094)."""
    if not tok or tok.translate(_NOT_LIST_CHARS) or "," in tok:
        raise ValueError(tok)
    if "-" in tok:
        lo, _, hi = tok.partition("-")
        a, b = int(lo), int(hi)
        if a > b or b > 4094:  # also keeps a huge ID from allocating a huge int
            raise ValueError(tok)
        return (1 << b + 1) - (1 << a)
    a = int(tok)
    if a > 4094:
        raise ValueError(tok)
    return 1 << a


class _TokenMasks(dict[str, int]):
    """VLAN-list item -> its mask: every plain ID (``0`` ... ``4094``) from the first miss
    on (filled at once, ~1 MB, when the table is empty), other items (ranges) as they are
    read, up to :data:`_TOKEN_CACHE_SIZE` in all (a value is a pure function of its text, so
    what is kept changes only the speed)."""

    __slots__ = ()

    def __missing__(self, tok: str) -> int:
        if not self:
            self.update((str(n), 1 << n) for n in range(4095))
            if tok in self:
                return self[tok]
        mask = _token_mask(tok)
        if len(self) < _TOKEN_CACHE_SIZE:
            self[tok] = mask
        return mask


_NOT_LIST_CHARS = str.maketrans("", "", "0123456789,-")
#: Items kept by _TOKEN_MASKS (the 4,095 IDs and ~4,000 ranges: a range's mask can be 512
#: bytes).
_TOKEN_CACHE_SIZE = 8192
_TOKEN_MASKS = _TokenMasks()
_token_mask_of = _TOKEN_MASKS.__getitem__


def vlan_id(tok: str) -> int | None:
    if tok.isdecimal() and len(tok) <= 4:
        vid = int(tok)
        if 1 <= vid <= 4094:
            return vid
    return None
