"""The truth test: stormguard's loop prediction must match a real storm, and its fix must end it.

A real lab (stormguard/testing/hvlab.py): two Linux-bridge "switches" with STP joined by an
inter-switch link, a user-space Open vSwitch hypervisor bridging one uplink to each with STP
off, lldpd on every box. The uplinks start gated (carrier and LLDP only), then:

1. `stormguard collect` + `audit` (the real CLI, real collectors, real lldpcli) must report
   SG501 and SG502 naming exactly that loop;
2. lifting the gate and sending ONE broadcast must storm, seen by `stormguard sniff` on a
   listener port; the gate ends it;
3. the bond stormguard proposes (the very ovs-vsctl lines of its remediation, run against the
   lab's OVSDB) must make collect + audit clean, and the same broadcast must not storm while
   the hypervisor still receives it exactly once.

The negative: the same lab with the uplinks bonded from the start: no SG501/SG502, no storm.
Every storm is rate-limited (tc tbf) and bounded; the lab (namespaces, OVS, lldpd instances) is
torn down by its context manager, i.e. in the test's finaliser, even after a failure.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
import yaml

from stormguard.cli import main
from stormguard.findings import Finding
from stormguard.store import Store
from stormguard.testing.hvlab import HvLab, missing_requirements

sys.path.insert(0, str(Path(__file__).parents[1] / "sniffer"))
from sniff_proc import SnifferProc, start_sniffer

_WHY = missing_requirements()
pytestmark = [pytest.mark.slow, pytest.mark.netns, pytest.mark.ovs,
              pytest.mark.skipif(_WHY is not None, reason=f"storm lab unavailable: {_WHY}")]

#: The loop, as links (either direction): hv1 eth0 -> sw1 swp1, sw1 swp48 -> sw2 swp48,
#: sw2 swp1 -> hv1 eth1.
LOOP = {frozenset(p) for p in (("hv1/eth0", "sw1/swp1"), ("sw1/swp48", "sw2/swp48"),
                                ("sw2/swp1", "hv1/eth1"))}
LOOP_RULES = ("SG501", "SG502")


def collect_and_audit(lab: HvLab, tmp: Path, db: str) -> list[Finding]:
    """The real CLI: collect the lab's inventory into the store, audit, return the findings."""
    inv = tmp / "inventory.yaml"
    inv.write_text(yaml.safe_dump(lab.inventory()))
    assert main(["collect", "-i", str(inv), "--db", db, "--no-progress"]) == 0
    assert main(["audit", "--db", db]) == 0
    with Store.open(db) as store:
        run = store.latest_run("audit")
        assert run is not None
        return store.findings(run.id)


def only(findings: list[Finding], rule: str) -> Finding:
    hits = [f for f in findings if f.rule == rule]
    assert len(hits) == 1, [(f.rule, f.device, f.message) for f in findings]
    return hits[0]


def hop_links(cycle: list[str]) -> set[frozenset[str]]:
    """``["a/x → b/y", ...]`` -> the links, direction and rotation left out."""
    out = set()
    for hop in cycle:
        a, b = (s.strip() for s in hop.split("→"))
        out.add(frozenset((a, b)))
    return out


def bond_lines(remediation: str, host: str | None = None) -> list[str]:
    """The ovs-vsctl lines of the remediation's bond fix: up to its first alternative
    (SG502), or the block under ``# bond the uplinks ... of <host>`` (SG501)."""
    out: list[str] = []
    inside = host is None
    for line in remediation.splitlines():
        if line.startswith("#"):
            if out:
                break
            inside = host is None or (line.startswith("# bond the uplinks")
                                      and f" of {host} " in line)
            continue
        if inside and line.startswith("ovs-vsctl "):
            out.append(line)
    return out


def wait_event(sn: SnifferProc, kind: str, after: int, timeout: float) -> tuple[float, dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for arrived, ev in sn.events[after:]:
            if ev["event"] == kind:
                return arrived, ev
        time.sleep(0.02)
    raise AssertionError(f"no {kind} within {timeout} s: {[e for _, e in sn.events]} "
                         f"{sn.stderr[-5:]}")


def sniff(lab: HvLab) -> SnifferProc:
    # --duration bounds the sniffer even if the test dies before stopping it
    return start_sniffer(lab.net, lab.listener_ns, lab.listener_if, "--duration", "80",
                         "--no-evidence", "--update-interval-s", "1")


def test_prediction_matches_a_real_storm_and_the_fix_ends_it(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'sg.db'}"
    timings: dict[str, float] = {}
    t0 = time.monotonic()
    with HvLab() as lab:
        timings["build_s"] = time.monotonic() - t0
        sn = sniff(lab)
        try:
            # 1. the prediction, from the real collectors and lldpd
            t = time.monotonic()
            findings = collect_and_audit(lab, tmp_path, db)
            timings["collect_audit_s"] = time.monotonic() - t
            sg501, sg502 = only(findings, "SG501"), only(findings, "SG502")
            assert hop_links(sg501.extra["cycle"]) == LOOP, sg501.extra
            assert len(sg501.extra["cycle"]) == 3
            assert set(sg501.extra["nodes"]) == {"hv1", "sw1", "sw2"}
            assert sg501.device == "hv1" and sg501.extra["down"] is False
            assert "hv1: spanning tree is off" in sg501.message
            assert sg502.device == "hv1"
            # the guest port vm0 (a veth with no telltale name) is no uplink: the kernel says
            # veth; the two real uplinks are (the inventory names them)
            sg401 = only(findings, "SG401")
            assert sg401.device.startswith("hv1"), sg401
            assert sorted(sg401.extra["uplinks"]) == ["eth0", "eth1"], sg401.extra
            assert "vm0" not in only(findings, "SG201").message
            assert sg502.extra["uplinks"] == ["eth0", "eth1"]
            assert sg502.extra["switch_ports"] == ["sw1/swp1", "sw2/swp1"]
            fix = bond_lines(sg502.remediation)
            assert fix and all(" br0 " in ln for ln in fix), sg502.remediation  # the bridge
            assert bond_lines(sg501.remediation, "hv1") == fix  # one fix, one text
            # the switches run STP: nothing of theirs is to be "bonded"
            assert "of sw1" not in sg501.remediation and "of sw2" not in sg501.remediation
            sn.wait_ready()
            time.sleep(0.5)  # some quiet first

            # 2. the storm: links up, one broadcast
            mark = len(sn.events)
            lab.ungate()
            sent = time.time()
            lab.broadcast()
            arrived, start = wait_event(sn, "storm-start", mark, timeout=3.0)
            rx0 = lab.listener_rx()
            time.sleep(1.0)
            storm_rate = lab.listener_rx() - rx0
            broken = time.time()
            lab.gate()  # the loop opens: the storm must end
            _, end = wait_event(sn, "storm-end", mark, timeout=4.0)
            timings.update(detect_s=start["ts"] - sent, printed_s=arrived - sent,
                           end_after_break_s=end["ts"] - broken, listener_pps=storm_rate,
                           peak_pps=end["peak_pps"])
            assert 0 < start["ts"] - sent <= 1.0, timings
            assert start["iface"] == lab.listener_if
            assert "duplicate-frames" in start["evidence"]
            assert start["top_sources"][0]["mac"] == HvLab.SENDER_MAC
            assert storm_rate >= 5_000, timings  # one frame became thousands per second
            assert end["ts"] - broken <= 2.5, timings

            # 3. stormguard's own fix, exactly as printed, on the lab's OVSDB
            for line in fix:
                lab.vsctl_line(line)
            lab.gate()  # the bond's members are new OpenFlow ports: keep them gated
            lab.wait_lldp()
            after = collect_and_audit(lab, tmp_path, db)
            assert not [f for f in after if f.rule in LOOP_RULES], \
                [(f.rule, f.message) for f in after if f.rule in LOOP_RULES]
            # the fix must not cut the host off: the bond forwards (LACP falls back to
            # active-backup, the lab's switches speak no LACP)
            timings["bond_forwarding_s"] = lab.wait_bond_forwarding()

            # 4. links up again, the same broadcast: no storm, delivered once to the guest
            mark = len(sn.events)
            rx0, g0 = lab.listener_rx(), lab.guest_rx()
            lab.ungate()
            lab.broadcast()
            time.sleep(3.0)  # the bounded observation window
            quiet_rx, guest = lab.listener_rx() - rx0, lab.guest_rx() - g0
            lab.gate()
            assert [e for _, e in sn.events[mark:]] == []
            assert quiet_rx < 30, quiet_rx  # the broadcast, LLDP and BPDUs: no storm
            assert guest == 1, guest
        finally:
            sn.stop()
    print(f"\ntruth lab timings: {json.dumps({k: round(v, 3) for k, v in timings.items()})}")


def test_bonded_from_the_start_predicts_nothing_and_does_not_storm(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'sg.db'}"
    with HvLab(bonded=True) as lab:
        sn = sniff(lab)
        try:
            findings = collect_and_audit(lab, tmp_path, db)
            assert not [f for f in findings if f.rule in LOOP_RULES], \
                [(f.rule, f.message) for f in findings if f.rule in LOOP_RULES]
            # one bond and a guest veth (vm0): one uplink, so no SG201/SG401 on the hypervisor
            # (vm0 used to count as a second uplink by its name)
            assert not [f for f in findings if f.rule in ("SG201", "SG401")
                        and f.device.startswith("hv1")], \
                [(f.rule, f.device, f.message) for f in findings if f.rule in ("SG201", "SG401")]
            # not for want of facts: the topology has all three links, the bond as one port
            out = tmp_path / "topology.json"
            assert main(["topology", "--db", db, "--format", "json", "-o", str(out)]) == 0
            doc = json.loads(out.read_text())
            links = {frozenset((f"{e['a']['node']}/{e['a']['port']}",
                                f"{e['b']['node']}/{e['b']['port']}")) for e in doc["links"]}
            assert links == {frozenset(p) for p in (("hv1/bond0", "sw1/swp1"),
                                                    ("hv1/bond0", "sw2/swp1"),
                                                    ("sw1/swp48", "sw2/swp48"))}, links
            # each link seen by the lldpd at both ends; no loop
            assert all(len(e["seen_by"]) == 2 for e in doc["links"]), doc["links"]
            assert doc["loops"] == [] and doc["unknown"] == []
            lab.wait_bond_forwarding()
            sn.wait_ready()
            rx0, g0 = lab.listener_rx(), lab.guest_rx()
            lab.ungate()
            lab.broadcast()
            time.sleep(3.0)
            quiet_rx, guest = lab.listener_rx() - rx0, lab.guest_rx() - g0
            lab.gate()
        finally:
            sn.stop()
    assert sn.events == []
    assert quiet_rx < 30, quiet_rx
    assert guest == 1, guest  # the bond carries traffic: once, not in a loop
