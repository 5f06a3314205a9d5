"""Generate a realistic Cisco IOS running configuration for benchmarks.

About 3,000 lines and 300 interfaces: hypervisor trunks (some with long allowed lists wrapped
onto `switchport trunk allowed vlan add` lines the way `show running-config` prints them, some
with none), port-channel uplinks, access ports with portfast + BPDU guard + storm-control, SVIs,
plus the global boilerplate (VLAN names, AAA, logging, line vty) a real access switch carries.
Deterministic for a given seed.
"""

from __future__ import annotations

import random


def _wrapped_allowed(vlans: list[int]) -> list[str]:
    """Format an allowed list as IOS prints it: first line, then `add` lines, ~8 items each."""
    items: list[str] = []
    i = 0
    while i < len(vlans):
        j = i
        while j + 1 < len(vlans) and vlans[j + 1] == vlans[j] + 1:
            j += 1
        items.append(str(vlans[i]) if i == j else f"{vlans[i]}-{vlans[j]}")
        i = j + 1
    lines = []
    for k in range(0, len(items), 8):
        chunk = ",".join(items[k:k + 8])
        verb = "" if k == 0 else "add "
        lines.append(f" switchport trunk allowed vlan {verb}{chunk}")
    return lines


def generate(n_interfaces: int = 300, seed: int = 7, hostname: str = "bench-sw1") -> str:
    rnd = random.Random(seed)
    out = [
        "Building configuration...",
        "",
        "Current configuration : 98123 bytes",
        "!",
        "! Last configuration change at 02:14:07 UTC Tue Nov 24 2026 by netops",
        "!",
        "version 15.2",
        "no service pad",
        "service timestamps debug datetime msec localtime show-timezone",
        "service timestamps log datetime msec localtime show-timezone",
        "service password-encryption",
        "!",
        f"hostname {hostname}",
        "!",
        "boot-start-marker",
        "boot-end-marker",
        "!",
        "logging buffered 64000 informational",
        "aaa new-model",
        "aaa authentication login default group tacacs+ local",
        "aaa authorization exec default group tacacs+ local",
        "!",
        "clock timezone UTC 0 0",
        "ip domain-name dc1.example.net",
        "!",
        "spanning-tree mode rapid-pvst",
        "spanning-tree portfast bpduguard default",
        "spanning-tree extend system-id",
        "!",
        "banner motd ^C",
        "Authorised access only. interface GigabitEthernet9/9/9",
        " switchport mode trunk",
        "^C",
        "!",
    ]
    for vid in range(100, 200):
        out += [f"vlan {vid}", f" name tenant-{vid}"]
    out.append("!")
    for pc in range(1, 3):
        out += [f"interface Port-channel{pc}", f" description uplink to core-{pc}",
                " switchport mode trunk", " switchport trunk allowed vlan 100-199",
                " spanning-tree guard loop", "!"]
    for n in range(n_interfaces):
        slot, port = divmod(n, 48)
        name = f"GigabitEthernet{slot + 1}/0/{port + 1}"
        out.append(f"interface {name}")
        out.append(" load-interval 30")
        kind = n % 10
        if kind in (0, 1, 2):  # hypervisor trunk
            out.append(f" description esx-{n:03d} vmnic{n % 4}")
            if kind == 0:
                vlans = sorted(rnd.sample(range(100, 1000), 60))
                out += _wrapped_allowed(vlans)
            elif kind == 1:
                out.append(f" switchport trunk allowed vlan {100 + n % 50},{200 + n % 50}")
            out.append(" switchport trunk native vlan 999")
            out.append(" switchport mode trunk")
            if kind == 2:
                out.append(" spanning-tree portfast trunk")
            out.append(" storm-control broadcast level 5.00 3.00")
            out.append(" storm-control action trap")
        elif kind == 3:  # port-channel member uplink
            out.append(f" description uplink to dist-{n % 2 + 1}")
            out.append(" switchport mode trunk")
            out.append(f" channel-group {n % 2 + 1} mode active")
        else:  # access port
            out.append(f" description user-{n:03d}")
            out.append(f" switchport access vlan {100 + n % 100}")
            out.append(" switchport mode access")
            out.append(" spanning-tree portfast")
            if kind != 9:
                out.append(" storm-control broadcast level pps 2k 1k")
                out.append(" storm-control action shutdown")
        if n % 37 == 0:
            out.append(" shutdown")
        out.append("!")
    for vid in range(100, 110):
        out += [f"interface Vlan{vid}", f" ip address 10.{vid}.0.1 255.255.255.0", "!"]
    out += ["ip ssh version 2", "!", "line con 0", " logging synchronous", "line vty 0 4",
            " transport input ssh", "line vty 5 15", " transport input ssh", "!", "end", ""]
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    text = generate()
    sys.stdout.write(text)
    print(f"# {text.count(chr(10))} lines", file=sys.stderr)
