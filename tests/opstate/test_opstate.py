"""Operational state from collected show outputs: err-disabled ports, STP inconsistent ports,
topology changes, storm-control discards, per platform, on fixtures in each vendor's format;
and the night-over-night comparison that puts changed ports first."""

from __future__ import annotations

from pathlib import Path

from stormguard import opstate
from stormguard.opstate import (
    ErrDisabled,
    StormDiscards,
    StpInconsistent,
    TopologyChanges,
    parse_state,
    rows,
)

FIX = Path(__file__).parent / "fixtures"


def _raw(name: str) -> str:
    return (FIX / name).read_text(encoding="utf-8")


def _state(**names: str) -> dict:
    return {k: {"command": "x", "raw": _raw(v)} for k, v in names.items()}


def test_ios_errdisabled_inconsistent_topology() -> None:
    op = parse_state("sw1", "cisco_ios", _state(errdisabled="ios_errdisabled.txt",
                                                 stp="ios_stp.txt",
                                                 stp_detail="ios_stp_detail.txt"))
    assert op.errdisabled == [ErrDisabled("Gi1/0/3", "bpduguard"),
                              ErrDisabled("Gi1/0/7", "storm-control"),
                              ErrDisabled("Gi1/0/9", "loopdetect")]
    assert op.inconsistent == [StpInconsistent("Gi1/0/2", "VLAN0010", "root"),
                               StpInconsistent("Gi1/0/2", "VLAN0020", "root"),
                               StpInconsistent("Gi1/0/4", "VLAN0020", "loop")]
    assert op.topology == [TopologyChanges("VLAN0010", 12, 221, "GigabitEthernet1/0/2"),
                           TopologyChanges("VLAN0020", 3, 93600, "GigabitEthernet1/0/48")]
    assert op.storm_discards == []  # not collected on IOS
    assert op.collected == ["err-disabled", "stp-inconsistent", "topology-change"]


def test_nxos_and_xe_storm_counters() -> None:
    op = parse_state("n9k", "cisco_nxos", _state(errdisabled="nxos_errdisabled.txt",
                                                  storm_discards="nxos_storm_counters.txt"))
    assert op.errdisabled == [ErrDisabled("Eth1/5", "BPDUGuard errDisable"),
                              ErrDisabled("Eth1/9", "storm-control errDisable")]
    assert op.storm_discards == [StormDiscards("Eth1/5", 48213), StormDiscards("Eth1/9", 120)]
    xe = parse_state("c9k", "cisco_xe", _state(storm_discards="xe_storm_counters.txt"))
    assert xe.storm_discards == [StormDiscards("Gi1/0/1", 1532, "broadcast"),
                                 StormDiscards("Gi1/0/3", 77, "multicast")]


def test_eos() -> None:
    op = parse_state("leaf", "arista_eos", _state(errdisabled="eos_errdisabled.txt",
                                                   storm_control="eos_storm.txt"))
    assert [(e.interface, e.cause) for e in op.errdisabled] == [
        ("Et5", "bpduguard"), ("Et7", "loop-protection")]
    assert op.storm_discards == [StormDiscards("Et3", 3312, "broadcast"),
                                 StormDiscards("Et4", 17, "all")]


def test_huawei() -> None:
    op = parse_state("hw", "huawei", _state(errdisabled="huawei_error_down.txt",
                                             stp_global="huawei_stp.txt"))
    assert op.errdisabled == [
        ErrDisabled("GigabitEthernet0/0/3", "bpdu-protection", "recovers in 286 s"),
        ErrDisabled("GigabitEthernet0/0/8", "storm-control", "recovers in 12 s")]
    assert op.topology == [TopologyChanges("CIST", 23, 131, "GigabitEthernet0/0/2")]


def test_comware() -> None:
    op = parse_state("h3c", "hp_comware", _state(errdisabled="comware_down.txt",
                                                  stp_abnormal="comware_abnormal.txt",
                                                  stp_global="comware_stp.txt"))
    assert op.errdisabled == [ErrDisabled("GE1/0/3", "BPDU-Protection"),
                              ErrDisabled("GE1/0/6", "Loopback-Detection")]
    assert op.inconsistent == [StpInconsistent("GigabitEthernet1/0/2", "0", "root"),
                               StpInconsistent("GigabitEthernet1/0/4", "0", "loop")]
    assert op.topology == [TopologyChanges("CIST", 5, 90, None)]


def test_junos_inconsistent() -> None:
    op = parse_state("ex", "juniper_junos", _state(stp="junos_stp_interface.txt"))
    assert op.inconsistent == [StpInconsistent("ge-0/0/2", "0", "root")]


def test_unsupported_command_output_is_not_collected() -> None:
    state = {"errdisabled": {"command": "show interfaces status err-disabled",
                             "raw": "                   ^\n% Invalid input detected at '^'"}}
    op = parse_state("sw", "cisco_ios", state)
    assert op.errdisabled == [] and op.collected == [] and op.empty


def test_durations() -> None:
    assert opstate.duration_s("00:03:41") == 221
    assert opstate.duration_s("1d02h") == 93600
    assert opstate.duration_s("2w3d") == 17 * 86400
    assert opstate.duration_s("0 days 0h:2m:11s") == 131
    assert opstate.duration_s("never") is None


def test_rows_put_what_changed_since_last_night_first() -> None:
    last = parse_state("sw1", "cisco_ios", _state(errdisabled="ios_errdisabled.txt",
                                                   stp_detail="ios_stp_detail.txt"))
    last.errdisabled = [e for e in last.errdisabled if e.interface != "Gi1/0/9"]
    last.topology = [TopologyChanges("VLAN0010", 10, 500, "Gi1/0/1"), last.topology[1]]
    now = parse_state("sw1", "cisco_ios", _state(errdisabled="ios_errdisabled.txt",
                                                  stp_detail="ios_stp_detail.txt"))
    out = rows(now, last)
    changed = [(r.kind, r.interface) for r in out if r.changed]
    assert changed == [("err-disabled", "Gi1/0/9"), ("topology-change", "VLAN0010")]
    assert [r.changed for r in out] == [True, True, False, False, False]
    # no previous night: nothing to compare, everything is news
    assert all(r.changed for r in rows(now, None))
