"""Generate large configurations of the non-Cisco platforms, for parser benchmarks.

Each generator writes the same switch as :func:`gen_ios.generate` does for IOS - hypervisor
trunks (some with long VLAN lists spread over several statements), inter-switch uplinks in an
aggregate, access ports with edge + storm-control, a VLAN database - in its platform's own
syntax (Junos curly-brace and ``display set``, Huawei VRP, H3C Comware), so parse times can be
compared per platform and across sizes (a parser whose time per line grows with the size of
the config is quadratic somewhere). Deterministic for a given seed.

Run:  .venv/bin/python bench/gen_configs.py PLATFORM [N_INTERFACES] > file
"""

from __future__ import annotations

import random
from collections.abc import Callable


def _ranges(vlans: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for v in vlans:
        if out and v == out[-1][1] + 1:
            out[-1] = (out[-1][0], v)
        else:
            out.append((v, v))
    return out


def _kind(n: int) -> str:
    k = n % 10
    if k in (0, 1, 2):
        return ("hv-list", "hv-short", "hv-all")[k]
    return "uplink" if k == 3 else "access"


def _vrp_like(n_interfaces: int, seed: int, comware: bool) -> str:
    """Huawei VRP (``allow-pass``, ``storm-control``) or H3C Comware (``permit``,
    ``broadcast-suppression``)."""
    rnd = random.Random(seed)
    permit = "permit" if comware else "allow-pass"
    agg = "Bridge-Aggregation" if comware else "Eth-Trunk"
    out = ["#", " version 7.1.070, Release 6327" if comware
           else "!Software Version V200R019C10SPC500", "#",
           f" sysname bench-{'h3c' if comware else 'vrp'}-1", "#",
           " stp mode rstp" if comware else "stp mode rstp",
           " stp global enable" if comware else "stp bpdu-protection", "#"]
    if comware:
        for vid in range(100, 200):
            out += [f"vlan {vid}", f" name tenant-{vid}", "#"]
    else:
        out += ["vlan batch 100 to 199", "#"]
        for vid in range(100, 200):
            out += [f"vlan {vid}", f" description tenant-{vid}", "#"]
    for a in (1, 2):
        out += [f"interface {agg}{a}", f" description uplink to core-{a}", " port link-type trunk",
                f" undo port trunk {permit} vlan 1", f" port trunk {permit} vlan 100 to 199", "#"]
    for n in range(n_interfaces):
        slot, port = divmod(n, 48)
        out.append(f"interface GigabitEthernet{slot + 1}/0/{port + 1}")
        kind = _kind(n)
        if kind.startswith("hv"):
            out += [f" description esx-{n:03d} vmnic{n % 4}", " port link-type trunk"]
            if kind == "hv-list":
                vlans = sorted(rnd.sample(range(100, 1000), 60))
                items = [str(a) if a == b else f"{a} to {b}" for a, b in _ranges(vlans)]
                out.append(f" undo port trunk {permit} vlan 1")
                for k in range(0, len(items), 10):  # VRP prints 10 items per line
                    out.append(f" port trunk {permit} vlan {' '.join(items[k:k + 10])}")
            elif kind == "hv-short":
                out.append(f" port trunk {permit} vlan {100 + n % 50} {200 + n % 50}")
            else:
                out.append(f" port trunk {permit} vlan 2 to 4094")
                out.append(" stp edged-port enable")
            if comware:
                out += [" broadcast-suppression 5", " storm-constrain control block"]
            else:
                out += [" storm-control broadcast min-rate 1000 max-rate 5000",
                        " storm-control enable trap"]
        elif kind == "uplink":
            out += [f" description uplink to dist-{n % 2 + 1}", " port link-type trunk",
                    (f" port link-aggregation group {n % 2 + 1}" if comware
                     else f" eth-trunk {n % 2 + 1}")]
        else:
            out += [f" description user-{n:03d}", " port link-type access",
                    f" port {'access' if comware else 'default'} vlan {100 + n % 100}",
                    " stp edged-port enable"]
            if n % 10 != 9:
                out += [" broadcast-suppression pps 2000" if comware
                        else " storm-control broadcast min-rate 1000 max-rate 2000"]
        if n % 37 == 0:
            out.append(" shutdown")
        out.append("#")
    out += ["user-interface vty 0 4", " authentication-mode aaa", "#", "return", ""]
    return "\n".join(out)


def huawei(n_interfaces: int = 300, seed: int = 7) -> str:
    return _vrp_like(n_interfaces, seed, comware=False)


def hp_comware(n_interfaces: int = 300, seed: int = 7) -> str:
    return _vrp_like(n_interfaces, seed, comware=True)


def _junos_ports(n_interfaces: int, seed: int) -> list[tuple[str, str, str, list[str], bool]]:
    """(name, description, mode, vlan member tokens, edge) per port."""
    rnd = random.Random(seed)
    ports = []
    for n in range(n_interfaces):
        fpc, port = divmod(n, 48)
        name = f"ge-{fpc}/0/{port}"
        kind = _kind(n)
        if kind == "hv-list":
            vlans = sorted(rnd.sample(range(100, 1000), 60))
            members = [str(a) if a == b else f"{a}-{b}" for a, b in _ranges(vlans)]
            ports.append((name, f"esx-{n:03d} vmnic{n % 4}", "trunk", members, False))
        elif kind == "hv-short":
            ports.append((name, f"esx-{n:03d} vmnic{n % 4}", "trunk",
                          [f"tenant-{100 + n % 50}", f"tenant-{150 + n % 50}"], False))
        elif kind == "hv-all":
            ports.append((name, f"esx-{n:03d} vmnic{n % 4}", "trunk", ["all"], True))
        elif kind == "uplink":
            ports.append((name, f"uplink to dist-{n % 2 + 1}", "trunk", ["100-199"], False))
        else:
            ports.append((name, f"user-{n:03d}", "access", [f"tenant-{100 + n % 100}"], True))
    return ports


def juniper_junos_set(n_interfaces: int = 300, seed: int = 7) -> str:
    """``show configuration | display set`` of an ELS EX switch."""
    out = ["set version 21.4R3-S5.4", "set system host-name bench-ex-1",
           "set system services ssh root-login deny"]
    fam = "unit 0 family ethernet-switching"
    ports = _junos_ports(n_interfaces, seed)
    for name, desc, mode, members, _edge in ports:
        out.append(f'set interfaces {name} description "{desc}"')
        if mode == "trunk":
            out.append(f"set interfaces {name} {fam} interface-mode trunk")
        for m in members:  # one statement per member, as display set prints them
            out.append(f"set interfaces {name} {fam} vlan members {m}")
        out.append(f"set interfaces {name} {fam} storm-control SC-HOST")
    out += ["set forwarding-options storm-control-profiles SC-HOST all bandwidth-percentage 5",
            "set forwarding-options storm-control-profiles SC-HOST action-shutdown"]
    for name, _desc, _mode, _members, edge in ports:
        if edge:
            out.append(f"set protocols rstp interface {name} edge")
    out.append("set protocols rstp bpdu-block-on-edge")
    for vid in range(100, 200):
        out.append(f"set vlans tenant-{vid} vlan-id {vid}")
    return "\n".join(out) + "\n"


def juniper_junos(n_interfaces: int = 300, seed: int = 7) -> str:
    """``show configuration`` (curly braces) of the same ELS EX switch."""
    ports = _junos_ports(n_interfaces, seed)
    out = ["## Last commit: 2026-11-24 02:14:07 UTC by netops", "version 21.4R3-S5.4;",
           "system {", "    host-name bench-ex-1;", "    services {", "        ssh {",
           "            root-login deny;", "        }", "    }", "}", "interfaces {"]
    for name, desc, mode, members, _edge in ports:
        out += [f"    {name} {{", f'        description "{desc}";', "        unit 0 {",
                "            family ethernet-switching {"]
        if mode == "trunk":
            out.append("                interface-mode trunk;")
        vl = members[0] if len(members) == 1 else "[ " + " ".join(members) + " ]"
        out += ["                vlan {", f"                    members {vl};", "                }",
                "                storm-control SC-HOST;", "            }", "        }", "    }"]
    out += ["}", "forwarding-options {", "    storm-control-profiles SC-HOST {",
            "        all {", "            bandwidth-percentage 5;", "        }",
            "        action-shutdown;", "    }", "}", "protocols {", "    rstp {"]
    for name, _desc, _mode, _members, edge in ports:
        if edge:
            out += [f"        interface {name} {{", "            edge;", "        }"]
    out += ["        bpdu-block-on-edge;", "    }", "}", "vlans {"]
    for vid in range(100, 200):
        out += [f"    tenant-{vid} {{", f"        vlan-id {vid};", "    }"]
    out.append("}")
    return "\n".join(out) + "\n"


#: device_type -> generator(n_interfaces, seed) -> config text
GENERATORS: dict[str, Callable[..., str]] = {
    "juniper_junos": juniper_junos,
    "juniper_junos (set)": juniper_junos_set,
    "huawei": huawei,
    "hp_comware": hp_comware,
}


if __name__ == "__main__":
    import sys

    gen = GENERATORS[sys.argv[1]]
    sys.stdout.write(gen(int(sys.argv[2])) if len(sys.argv) > 2 else gen())
