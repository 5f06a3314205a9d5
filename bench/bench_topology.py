"""Topology build + cross-layer audit for a synthetic fleet (issue 9: 2,000 switches and 10,000
hosts in under 10 s).

The fleet: a spine-leaf fabric (``--spines`` spines, the rest leaves in rack pairs joined by an
inter-switch link, each leaf uplinked to two spines), every rack with its own ten VLANs (spines
carry them all; past 390 racks the VLAN blocks repeat), and ``--hosts`` hypervisors spread over
the racks, one vSwitch each, both NICs
cabled to the rack's two leaves: OVS with the NICs bonded, ESXi (never forwards between its
uplinks), and a share (``--loopy``, default 2 %) of Linux bridges without STP bridging both NICs
unbonded - each of those closes a loop through the fabric that SG501 must name. Neighbour facts
as the collectors deliver them: LLDP from both sides between switches, from the host side
(lldpd / ESXi CDP) towards the leaves.

What is timed (median of ``--runs``): :func:`stormguard.engine.audit_fleet` over all devices,
i.e. the effective model of every device, the graph from the neighbour facts, the per-VLAN loop
search and the SG501 / SG502 rules. Generating the synthetic fleet is not timed.

    .venv/bin/python bench/bench_topology.py                     # 2,000 switches, 10,000 hosts
    .venv/bin/python bench/bench_topology.py --switches 200 --hosts 1000 --runs 1
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date

from stormguard.engine import audit_fleet
from stormguard.model import Device, Interface
from stormguard.policy import load_policy
from stormguard.topology.neighbors import Neighbor
from stormguard.vlans import VlanSet


def _trunk(dev: Device, name: str, vlans: VlanSet, line: int, *, uplink: bool = False
           ) -> Interface:
    iface = dev.interface(name, line)
    iface.switched = True
    iface.set("mode", "trunk", line)
    iface.set("allowed_vlans", vlans, line)
    iface.physical_uplink = uplink
    return iface


def fleet(switches: int, hosts: int, spines: int, loopy: float
          ) -> tuple[list[Device], list[Neighbor], int]:
    devices: list[Device] = []
    nbs: list[Neighbor] = []
    racks = (switches - spines) // 2
    blocks = min(racks, 390)  # ten VLANs per rack, 100-3999, reused past 390 racks
    all_vlans = VlanSet.from_range(100, 99 + 10 * blocks)
    spine_devs = []
    for s in range(spines):
        dev = Device(hostname=f"spine{s:02d}", platform="arista_eos", source="bench")
        dev.stp.set("mode", "mstp", 1)
        devices.append(dev)
        spine_devs.append(dev)
    loops = 0
    for r in range(racks):
        vlans = VlanSet.from_range(100 + 10 * (r % blocks), 109 + 10 * (r % blocks))
        pair = []
        for side in (0, 1):
            leaf = Device(hostname=f"leaf{r:04d}{'ab'[side]}", platform="cisco_nxos",
                          source="bench")
            leaf.stp.set("mode", "rapid-pvst", 1)
            devices.append(leaf)
            pair.append(leaf)
            for u in range(2):
                spine = spine_devs[(2 * r + side + u) % spines]
                lp, sp = f"Ethernet1/{49 + u}", f"Ethernet{r + 1}/{side + 1}"
                _trunk(leaf, lp, vlans, 10 + u)
                if sp not in spine.interfaces:
                    _trunk(spine, sp, all_vlans, 10 + len(spine.interfaces))
                nbs.append(Neighbor(leaf.hostname, lp, spine.hostname, sp, "lldp",
                                    frozenset({"bridge"})))
                nbs.append(Neighbor(spine.hostname, sp, leaf.hostname, lp, "lldp",
                                    frozenset({"bridge"})))
            _trunk(leaf, "Ethernet1/54", vlans, 20)
        nbs.append(Neighbor(pair[0].hostname, "Ethernet1/54", pair[1].hostname, "Ethernet1/54",
                            "lldp"))
        nbs.append(Neighbor(pair[1].hostname, "Ethernet1/54", pair[0].hostname, "Ethernet1/54",
                            "lldp"))
    loopy_every = int(1 / loopy) if loopy > 0 else 0
    by_name = {d.hostname: d for d in devices}
    for h in range(hosts):
        r = h % racks
        vlans = VlanSet.from_range(100 + 10 * (r % blocks), 109 + 10 * (r % blocks))
        leaves = [by_name[f"leaf{r:04d}a"], by_name[f"leaf{r:04d}b"]]
        port = f"Ethernet1/{h // racks + 1}"
        name = f"hv{h:05d}"
        kind = h % 3
        if loopy_every and h % loopy_every == 0:
            dev = Device(hostname=f"{name}/br0", platform="linux_bridge", source="bench")
            dev.stp.set("enabled", False, 1)
            nics = [_trunk(dev, f"eno{i + 1}", vlans, 2 + i, uplink=True) for i in range(2)]
            loops += 1
        elif kind == 0:
            dev = Device(hostname=f"{name}/vSwitch0", platform="esxi", source="bench")
            dev.stp.set("enabled", False, 1)
            nics = [_trunk(dev, f"vmnic{i}", vlans, 2, uplink=True) for i in range(2)]
        else:
            dev = Device(hostname=f"{name}/br-int", platform="ovs", source="bench")
            dev.stp.set("enabled", False, 1)
            bond = _trunk(dev, "bond0", vlans, 2, uplink=True)
            bond.kind = "aggregate"
            bond.extra["members"] = ["eth1", "eth2"]
            nics = [Interface(name="eth1"), Interface(name="eth2")]
        devices.append(dev)
        for leaf, nic in zip(leaves, nics, strict=True):
            _trunk(leaf, port, vlans, 30 + h // racks)
            nbs.append(Neighbor(name, nic.name, leaf.hostname, port, "lldp",
                                frozenset({"bridge"})))
    return devices, nbs, loops


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--switches", type=int, default=2000)
    p.add_argument("--hosts", type=int, default=10000)
    p.add_argument("--spines", type=int, default=20)
    p.add_argument("--loopy", type=float, default=0.02,
                   help="share of hosts that bridge two unbonded uplinks without STP")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--rules", default=None, metavar="IDS",
                   help="only these fleet rules (comma-separated, e.g. SG501,SG502); "
                        "default: every fleet rule")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    devices, nbs, loops = fleet(args.switches, args.hosts, args.spines, args.loopy)
    gen_s = time.perf_counter() - t0
    packs = []
    if args.rules:
        import tempfile

        from stormguard.rules import all_rules

        keep = {r.strip().upper() for r in args.rules.split(",")}
        off = [r.id for r in all_rules() if r.scope == "fleet" and r.id not in keep]
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
            fh.write("rules:\n" + "".join(f"  {rid}: false\n" for rid in off))
        packs.append(fh.name)
    policy = load_policy(packs)
    fleet_rules = [r.id for r in __import__("stormguard.rules", fromlist=["x"]).all_rules()
                   if r.scope == "fleet" and policy.rule_enabled(r.id)]
    times = []
    result = None
    for _ in range(args.runs):
        t = time.perf_counter()
        result = audit_fleet(devices, policy, nbs)
        times.append(time.perf_counter() - t)
    assert result is not None and not result.errors, result.errors if result else None
    sg501 = sum(1 for f in result.findings if f.rule == "SG501")
    sg502 = sum(1 for f in result.findings if f.rule == "SG502")
    switches = sum(1 for d in devices if d.platform in ("arista_eos", "cisco_nxos"))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"date {date.today()}  python {platform.python_version()}  "
          f"cpus {os.cpu_count()}  load {load}")
    print(f"fleet: {switches} switches, {len(devices) - switches} host vSwitches, "
          f"{len(nbs)} neighbour facts, {loops} loopy hosts (generated in {gen_s:.1f} s)")
    print(f"audit_fleet (effective + graph + loops + {'/'.join(fleet_rules)}): runs "
          f"{', '.join(f'{t:.2f}' for t in times)} s; median {statistics.median(times):.2f} s")
    print(f"findings: SG501 {sg501}, SG502 {sg502} (expected {loops} each)")
    return 0 if sg501 == loops and sg502 == loops else 1


if __name__ == "__main__":
    sys.exit(main())
