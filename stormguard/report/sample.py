"""A synthetic fleet for the report benchmark and tests: realistic shapes, deterministic content.

Not demo data (the demo runs a real pipeline): this only exists so that the renderers can be
measured at 10,000 devices / 50,000 findings without collecting anything.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from stormguard.findings import SEVERITIES, Finding, Waiver
from stormguard.report.build import DeviceRef, compose_report
from stormguard.report.data import FailureItem, ReportData, RunInfo, TrendPoint

_RULES = (
    ("trunk-allowed-vlans", "high", "Trunk {i} allows all VLANs (1-4094); it needs only {v}",
     "switchport trunk allowed vlan {v}", "switchport trunk allowed vlan all",
     "interface {i}\n switchport trunk allowed vlan {v}"),
    ("stp-enabled", "critical", "Spanning tree is disabled for VLAN {v}",
     "spanning-tree vlan {v}", "no spanning-tree vlan {v}", "spanning-tree vlan {v}"),
    ("edge-port-on-hypervisor", "high", "Port {i} faces a hypervisor but is an edge port",
     "no spanning-tree portfast", "spanning-tree portfast trunk",
     "interface {i}\n no spanning-tree portfast"),
    ("storm-control-broadcast", "medium", "Port {i} has no broadcast storm-control",
     "storm-control broadcast level 1.00", "(none)",
     "interface {i}\n storm-control broadcast level 1.00\n storm-control action trap"),
    ("bpdu-guard", "low", "Access port {i} has no BPDU guard",
     "spanning-tree bpduguard enable", "(none)", "interface {i}\n spanning-tree bpduguard enable"),
    ("native-vlan", "info", "Trunk {i} uses native VLAN 1", "switchport trunk native vlan 999",
     "(default: 1)", "interface {i}\n switchport trunk native vlan 999"),
)
_PLATFORMS = ("cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos", "huawei", "hp_comware",
              "ovs", "linux_bridge")


def sample_report(devices: int = 200, findings: int = 1000, *, seed: int = 7, runs: int = 30,
                  failures: int | None = None, now: datetime | None = None) -> ReportData:
    rnd = random.Random(seed)
    now = now or datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
    sites = [f"site-{c}" for c in ("ams", "fra", "lon", "par", "nyc", "sfo", "sin", "syd")]
    refs = [DeviceRef(name=f"sw-{sites[n % len(sites)][5:]}-{n:05d}",
                      platform=_PLATFORMS[n % len(_PLATFORMS)], site=sites[n % len(sites)],
                      description=f"rack {n % 40 + 1}, row {n % 7 + 1}")
            for n in range(devices)]
    n_fail = max(1, devices // 100) if failures is None else failures
    failed = refs[-n_fail:] if n_fail else []
    audited = refs[: len(refs) - n_fail]
    classes = ("timeout", "auth", "unreachable", "host-key")
    fails = [FailureItem(device=d.name, site=d.site, failure_class=classes[i % len(classes)],
                         message=f"{d.name}: {classes[i % len(classes)]} after 60 s",
                         at=now.isoformat()) for i, d in enumerate(failed)]

    out: list[Finding] = []
    previous: list[Finding] = []
    waivers: list[Waiver] = []
    seen: set[tuple[str, str, str]] = set()
    while len(out) < findings and audited:
        d = audited[rnd.randrange(len(audited))]
        rule, sev, msg, exp, act, fix = _RULES[rnd.randrange(len(_RULES))]
        iface = f"GigabitEthernet1/0/{rnd.randrange(1, 49)}"
        if (rule, d.name, iface) in seen:
            continue
        seen.add((rule, d.name, iface))
        vlans = ",".join(str(v) for v in sorted(rnd.sample(range(10, 400), 3)))
        f = Finding(rule=rule, severity=sev, device=d.name, platform=d.platform, interface=iface,
                    line=rnd.randrange(10, 900), message=msg.format(i=iface, v=vlans),
                    expected=exp.format(i=iface, v=vlans), actual=act.format(i=iface, v=vlans),
                    remediation=fix.format(i=iface, v=vlans), source=f"run/{d.name}.cfg")
        if rnd.random() < 0.02:
            w = Waiver(rule=rule, device=d.name, interface=iface, reason="vendor appliance",
                       owner="netops", expires=(now + timedelta(days=rnd.randrange(-2, 60))
                                                ).date().isoformat(), source="policy.yaml:12")
            f.waived, f.waiver = True, w
            waivers.append(w)
        out.append(f)
        if rnd.random() < 0.8:
            previous.append(f)
    for k in range(len(out) // 20):  # fixed since the previous run
        d = audited[k % len(audited)]
        previous.append(Finding(rule="bpdu-guard", severity="low", device=d.name,
                                platform=d.platform, interface=f"Ethernet9/{k}", line=5,
                                message="resolved"))

    trend = []
    for i in range(runs):
        base = len(out) * (0.6 + 0.4 * i / max(1, runs - 1))
        trend.append(TrendPoint(run_id=100 + i, at=(now - timedelta(days=runs - 1 - i)).isoformat(),
                                counts={s: int(base * w) for s, w in zip(
                                    SEVERITIES, (0.15, 0.2, 0.3, 0.25, 0.1), strict=True)}))
    run = RunInfo(id=100 + runs - 1, kind="nightly", trigger="schedule", status="partial",
                  started_at=(now - timedelta(minutes=20)).isoformat(),
                  finished_at=now.isoformat(), duration_s=1200.0)
    return compose_report(run=run, findings=out, devices=audited, failures=fails,
                          previous_findings=previous, previous_run_id=100 + runs - 2,
                          rules=[r[0] for r in _RULES], waivers=waivers, trend=trend, now=now)


def sample_topology(nodes: int = 300, *, loops: int = 40, seed: int = 7) -> dict[str, Any]:
    """A topology section's data at the drawing's size limit (the shape
    :func:`stormguard.topology.render.report_topology` stores with a run): `nodes` switches and
    vSwitches, each hypervisor bridge on two leaves, `loops` of them bridging loose uplinks."""
    rnd = random.Random(seed)
    leaves = max(2, nodes // 4)
    out_nodes: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for i in range(leaves):
        out_nodes.append({"name": f"leaf-{i:03d}", "kind": "switch", "platform": "cisco_nxos",
                          "host": f"leaf-{i:03d}", "stp": "", "risky": False})
        if i % 2:
            links.append({"a": f"leaf-{i - 1:03d}/Ethernet1/49", "b": f"leaf-{i:03d}/Ethernet1/49",
                          "a_node": f"leaf-{i - 1:03d}", "b_node": f"leaf-{i:03d}",
                          "vlans": "10,20,30,40", "seen_by": ["lldp@a", "lldp@b"], "weak": "",
                          "down": False, "risky": False})
    items: list[dict[str, Any]] = []
    for j in range(nodes - leaves):
        name = f"hv-{j:04d}/br0"
        left = 2 * rnd.randrange(leaves // 2)
        a, b = f"leaf-{left:03d}", f"leaf-{left + 1:03d}"
        risky = j < loops
        out_nodes.append({"name": name, "kind": "vswitch", "platform": "ovs",
                          "host": name.split("/")[0], "risky": risky,
                          "stp": "spanning tree is off (line 3)" if risky else ""})
        first = len(links)
        for sw, nic, port in ((a, "eth1", f"Ethernet1/{j % 48 + 1}"),
                              (b, "eth2", f"Ethernet1/{j % 48 + 1}")):
            links.append({"a": f"{name}:{nic}", "b": f"{sw}/{port}", "a_node": name,
                          "b_node": sw, "vlans": "10,20,30", "seen_by": [f"lldp@{sw}"],
                          "weak": "", "down": False, "risky": risky})
        if risky:
            for n in out_nodes:
                if n["name"] in (a, b):
                    n["risky"] = True
            items.append({"rules": ["SG501", "SG502"], "kind": "loop", "vlans": "10,20,30",
                          "hops": [f"{name}:eth1 → {a}/Ethernet1/{j % 48 + 1}",
                                   f"{a}/Ethernet1/49 → {b}/Ethernet1/49",
                                   f"{b}/Ethernet1/{j % 48 + 1} → {name}:eth2"],
                          "reasons": [f"{name}: spanning tree is off (line 3)"],
                          "nodes": [name, a, b], "down": False,
                          "links": [first, first + 1]})
    return {"version": 1, "totals": {"nodes": nodes, "links": len(links), "loops": len(items),
                                     "unknown": 0},
            "partial": False, "note": "", "nodes": out_nodes, "links": links, "loops": items,
            "warnings": []}
