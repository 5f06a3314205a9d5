"""Hypothesis strategies: candidate configurations of every switch platform, in real syntax.

Each strategy draws a device (global spanning-tree settings, a VLAN database) and a handful of
ports with any mix of the settings stormguard judges (mode, VLAN lists, edge, BPDU guard and
filter, STP off, storm-control in each unit, actions), so the fix round trip meets every rule
in many combinations.
"""

from __future__ import annotations

from hypothesis import strategies as st

VIDS = st.sampled_from([10, 20, 30, 100, 101, 110, 250, 999])
DESCS = st.sampled_from(["desk", "esx-01 vmnic0", "kvm-compute-07 eno1", "uplink core-1",
                         "printer", "hyper-v host 3"])


def _vlan_list(draw, sep=",", rng="-") -> str:
    kind = draw(st.sampled_from(["few", "range", "all-ish"]))
    if kind == "few":
        vids = sorted(set(draw(st.lists(VIDS, min_size=1, max_size=4))))
        return sep.join(str(v) for v in vids)
    if kind == "range":
        return f"100{rng}110"
    return f"1{rng}4094" if rng == "-" else f"2{rng}4094"


@st.composite
def cisco_like(draw, family: str) -> str:
    """Cisco IOS (``cisco``), NX-OS (``nxos``) or Arista EOS (``eos``)."""
    vids = sorted(set(draw(st.lists(VIDS, min_size=0, max_size=5))))
    out = ["hostname fz-sw"]
    if family == "cisco":
        out.append(f"spanning-tree mode {draw(st.sampled_from(['rapid-pvst', 'pvst', 'mst']))}")
    elif family == "nxos":
        out.append("feature lacp")
    else:
        out.append(f"spanning-tree mode {draw(st.sampled_from(['mstp', 'rapid-pvst']))}")
    if draw(st.booleans()) and vids:
        word = "vlan-id" if family == "eos" else "vlan"
        out.append(f"no spanning-tree {word} {draw(st.sampled_from(vids))}")
    edge_kw = {"cisco": "portfast", "nxos": "port type edge", "eos": "edge-port"}[family]
    for glob in ("bpduguard", "bpdufilter"):
        if draw(st.integers(0, 3)) == 0:
            out.append(f"spanning-tree {edge_kw} {glob} default")
    if family == "cisco" and draw(st.integers(0, 3)) == 0:
        out.append("spanning-tree portfast default")
    for v in vids:
        out += ["!", f"vlan {v}", f" name V{v}"]
    name = {"cisco": "GigabitEthernet1/0/{}", "nxos": "Ethernet1/{}", "eos": "Ethernet{}"}[family]
    for i in range(1, draw(st.integers(1, 5)) + 1):
        out += ["!", "interface " + name.format(i), f" description {draw(DESCS)}"]
        if family == "nxos":
            out.append(" switchport")
        trunk = draw(st.booleans())
        if trunk:
            out.append(" switchport mode trunk")
            if draw(st.booleans()):
                out.append(f" switchport trunk allowed vlan {_vlan_list(draw)}")
        else:
            out.append(" switchport mode access")
            out.append(f" switchport access vlan {draw(VIDS)}")
        edge = draw(st.sampled_from(["", "plain", "trunk", "off"]))
        if edge == "plain":
            out.append({"cisco": " spanning-tree portfast", "nxos": " spanning-tree port type "
                        "edge", "eos": " spanning-tree portfast"}[family])
        elif edge == "trunk":
            out.append({"cisco": " spanning-tree portfast trunk", "nxos": " spanning-tree port "
                        "type edge trunk", "eos": " spanning-tree portfast"}[family])
        elif edge == "off" and family == "cisco":
            out.append(" spanning-tree portfast disable")
        for knob in ("bpduguard", "bpdufilter"):
            val = draw(st.sampled_from(["", "enable", "disable"]))
            if val:
                out.append(f" spanning-tree {knob} {val}")
        storm = draw(st.sampled_from(["", "pct", "pps", "bps"]))
        if storm == "pct":
            out.append(f" storm-control broadcast level {draw(st.sampled_from([1, 5, 30, 80]))}")
        elif storm == "pps" and family != "nxos":
            out.append(f" storm-control broadcast level pps {draw(st.sampled_from([500, 20000]))}")
        elif storm == "bps" and family == "cisco":
            out.append(" storm-control broadcast level bps "
                       f"{draw(st.sampled_from(['50m', '500m', '1000000']))}")
        if family != "eos" and draw(st.booleans()):
            out.append(f" storm-control action {draw(st.sampled_from(['trap', 'shutdown']))}")
    out += ["!", "end"]
    return "\n".join(out) + "\n"


@st.composite
def vrp(draw, family: str) -> str:
    """Huawei VRP S-series (``huawei``), CloudEngine (``huawei-ce``), H3C Comware v7
    (``comware``) or v5 (``comware5``)."""
    huawei = family.startswith("huawei")
    ce = family == "huawei-ce"
    v5 = family == "comware5"
    vids = sorted(set(draw(st.lists(VIDS, min_size=0, max_size=5))))
    out: list[str] = []
    if not huawei:
        out += [f" version {'5.20, Release 2220P02' if v5 else '7.1.070, Release 3208P03'}"]
        out += ["#", " sysname FZ-H3C"]
        out += ["#", " stp enable" if v5 else " stp global enable"] if draw(st.booleans()) else []
        for v in vids:
            out += ["#", f"vlan {v}"]
    else:
        out += ["sysname FZ-VRP", "#"]
        if draw(st.integers(0, 3)) == 0:
            out.append("stp disable")
        if vids:
            out.append("vlan batch " + " ".join(str(v) for v in vids))
        if draw(st.integers(0, 3)) == 0:
            out.append("stp bpdu-filter default")
    word = "allow-pass" if huawei else "permit"
    name = "10GE1/0/{}" if ce else ("GigabitEthernet0/0/{}" if huawei else "GigabitEthernet1/0/{}")
    for i in range(1, draw(st.integers(1, 5)) + 1):
        out += ["#", "interface " + name.format(i), f" description {draw(DESCS)}"]
        if draw(st.booleans()):
            out.append(" port link-type trunk")
            lst = draw(st.sampled_from(["", "all", "few", "2 to 4094"]))
            if lst == "all":
                out.append(f" port trunk {word} vlan all")
            elif lst == "few":
                out.append(f" port trunk {word} vlan {_vlan_list(draw, ' ', ' to ')}")
            elif lst:
                out.append(f" port trunk {word} vlan {lst}")
        else:
            out.append(" port link-type access")
            out.append(f" port {'default' if huawei else 'access'} vlan {draw(VIDS)}")
        if draw(st.booleans()):
            out.append(" stp edged-port enable" if (huawei or v5) else " stp edged-port")
        if draw(st.integers(0, 2)) == 0:
            out.append(" stp bpdu-filter enable" if huawei else " bpdu-drop any")
        if draw(st.integers(0, 3)) == 0:
            out.append(" stp disable" if huawei else " undo stp enable")
        storm = draw(st.sampled_from(["", "supp", "rate", "pps"]))
        level = draw(st.sampled_from([3, 40]))
        if storm == "supp":
            out.append(f" storm suppression broadcast percent {level}" if ce
                       else f" broadcast-suppression {level}")
        elif storm == "rate" and huawei:
            kw = "storm control" if ce else "storm-control"
            out.append(f" {kw} broadcast min-rate {level * 100} max-rate {level * 1000}")
            if draw(st.booleans()):
                out.append(f" {kw} action {draw(st.sampled_from(['block', 'error-down']))}")
        elif storm in ("rate", "pps") and not huawei:
            out.append(f" storm-constrain broadcast pps {level * 1000} {level * 100}")
            if draw(st.booleans()):
                out.append(" storm-constrain control block")
    out += ["#", "return"]
    return "\n".join(out) + "\n"


@st.composite
def junos_set(draw) -> str:
    """Junos (ELS) in ``display set`` form."""
    vids = sorted(set(draw(st.lists(VIDS, min_size=0, max_size=5))))
    out = ["set system host-name fz-ex"]
    proto = draw(st.sampled_from(["", "rstp", "mstp"]))
    if proto:
        out.append(f"set protocols {proto} interface all")
        if draw(st.integers(0, 4)) == 0:
            out.append(f"set protocols {proto} disable")
    for v in vids:
        out.append(f"set vlans v{v} vlan-id {v}")
    out.append("set forwarding-options storm-control-profiles SC all bandwidth-percentage "
               f"{draw(st.sampled_from([5, 40]))}")
    for i in range(draw(st.integers(1, 5))):
        port = f"ge-0/0/{i}"
        unit = f"set interfaces {port} unit 0 family ethernet-switching"
        out.append(f'set interfaces {port} description "{draw(DESCS)}"')
        if draw(st.booleans()):
            out.append(f"{unit} interface-mode trunk")
            members = draw(st.sampled_from(["all", "few", ""]))
            if members == "all":
                out.append(f"{unit} vlan members all")
            elif members == "few" and vids:
                out.append(f"{unit} vlan members [ {' '.join(f'v{v}' for v in vids[:2])} ]")
        else:
            out.append(f"{unit} interface-mode access")
            if vids:
                out.append(f"{unit} vlan members v{vids[0]}")
        if proto and draw(st.booleans()):
            out.append(f"set protocols {proto} interface {port} edge")
        if proto and draw(st.integers(0, 3)) == 0:
            out.append(f"set protocols {proto} interface {port} disable")
        if draw(st.booleans()):
            out.append(f"{unit} storm-control SC")
    return "\n".join(out) + "\n"


PLATFORM_CONFIGS = {
    "cisco_ios": cisco_like("cisco"),
    "cisco_nxos": cisco_like("nxos"),
    "arista_eos": cisco_like("eos"),
    "huawei": vrp("huawei"),
    "huawei-ce": vrp("huawei-ce"),
    "hp_comware": vrp("comware"),
    "hp_comware-v5": vrp("comware5"),
    "juniper_junos": junos_set(),
}


_PAIRED = frozenset({"unit", "interface", "storm-control-profiles", "interface-range"})


def set_to_curly(text: str, inactive_description: bool = False) -> str:
    """A ``display set`` config printed the way ``show configuration`` prints it (blocks,
    ``leaf value;``, ``[ list ]``), with a comment and optionally an ``inactive:`` statement."""
    tree: dict = {}
    for line in text.splitlines():
        toks = _split_set(line[4:])
        leaf_at = len(toks) - 1
        if "[" in toks:
            leaf_at = toks.index("[") - 1
        elif len(toks) >= 2 and toks[-2] not in ("interfaces", "vlans"):
            leaf_at = len(toks) - 2
        heads: list[str] = []
        i = 0
        while i < leaf_at:
            if toks[i] in _PAIRED and i + 1 < leaf_at:
                heads.append(f"{toks[i]} {toks[i + 1]}")
                i += 2
            else:
                heads.append(toks[i])
                i += 1
        node = tree
        for h in heads:
            node = node.setdefault(h, {})
        node.setdefault(";", []).append(" ".join(toks[leaf_at:]))
    out = ["## Last commit: 2026-11-30 10:00:00 UTC by netops", "/* generated for the fix test */"]

    def emit(node: dict, depth: int) -> None:
        pad = "    " * depth
        for leaf in node.get(";", []):
            mark = "inactive: " if inactive_description and leaf.startswith("description") else ""
            out.append(f"{pad}{mark}{leaf};")
        for key, sub in node.items():
            if key == ";":
                continue
            out.append(f"{pad}{key} {{")
            emit(sub, depth + 1)
            out.append(f"{pad}}}")

    emit(tree, 0)
    return "\n".join(out) + "\n"


def _split_set(s: str) -> list[str]:
    out: list[str] = []
    cur = ""
    quoted = False
    for ch in s:
        if ch == '"':
            quoted = not quoted
            cur += ch
        elif ch == " " and not quoted:
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


@st.composite
def junos_curly(draw) -> str:
    return set_to_curly(draw(junos_set()), inactive_description=draw(st.booleans()))


PLATFORM_CONFIGS["juniper_junos-curly"] = junos_curly()
