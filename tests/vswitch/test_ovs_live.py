"""A real user-space Open vSwitch: build bridges, collect through the driver, parse, audit."""

from __future__ import annotations

import shlex
import subprocess

import pytest
from vswitch_kit import netns_names

from stormguard.collect.base import CollectError
from stormguard.collect.ovs import collect
from stormguard.engine import audit
from stormguard.parsers import parse_config
from stormguard.policy import load_policy
from stormguard.testing.ovs import OvsLab, missing_requirements
from stormguard.vlans import VlanSet

pytestmark = [pytest.mark.ovs, pytest.mark.netns]


@pytest.fixture(scope="module")
def built(ovs_lab: OvsLab):
    """The three bridges of the brief, built once in the module's OVS, collected once."""
    lab = ovs_lab
    lab.add_bridge("br-trunk", rstp=True)
    lab.add_port("br-trunk", "eth1", "vlan_mode=trunk")  # trunks empty: ALL VLANs
    lab.add_bridge("br-loop")  # STP and RSTP off
    lab.add_port("br-loop", "eth5", "trunks=10,20")
    lab.add_port("br-loop", "eth6", "trunks=10,20")
    lab.add_bridge("br-ok", rstp=True)
    lab.add_bond("br-ok", "bond0", ["eth3", "eth4"], "trunks=10,20", "lacp=active")
    lab.add_port("br-ok", "vnet0", "tag=10", nic=False, iface_type="internal")
    got = collect(lab.host("hv-live"))
    return got, {d.hostname: d for d in parse_config(got.config, source="live")}


def test_collected_bundle_and_state(built) -> None:
    got, _ = built
    assert got.platform == "ovs" and got.driver == "ovs" and got.host == "hv-live"
    assert got.config.startswith('{\n "kind": "ovs",')
    assert "Bridge br-ok" in got.state["show"]["raw"]
    # lldpcli answers only where lldpd runs (not on this test host): recorded, never fatal
    assert all("raw" in v for k, v in got.state.items() if k != "lldp"), got.state
    assert "raw" in got.state["lldp"] or "error" in got.state["lldp"]
    assert "bond0" in got.state["bonds"]["raw"]  # ovs-appctl bond/show via the lab's unixctl
    assert got.state["show"]["command"].startswith("ovs-vsctl --db=unix:")
    assert got.duration_s > 0


def test_model_from_live_ovs(built) -> None:
    _, devs = built
    assert set(devs) == {"hv-live/br-trunk", "hv-live/br-loop", "hv-live/br-ok"}
    eth1 = devs["hv-live/br-trunk"].interfaces["eth1"]
    assert eth1.mode == "trunk" and eth1.allowed_vlans.is_all and eth1.physical_uplink
    loop = devs["hv-live/br-loop"]
    assert loop.stp.enabled is False
    assert {n for n, i in loop.interfaces.items() if i.physical_uplink} == {"eth5", "eth6"}
    ok = devs["hv-live/br-ok"]
    assert ok.stp.enabled and ok.stp.mode == "rstp"
    bond = ok.interfaces["bond0"]
    assert bond.kind == "aggregate" and sorted(bond.extra["members"]) == ["eth3", "eth4"]
    assert bond.allowed_vlans == VlanSet.of([10, 20]) and bond.extra["lacp"] == "active"
    assert ok.interfaces["vnet0"].access_vlan == 10 and not ok.interfaces["vnet0"].physical_uplink


def test_rules_fire_on_live_ovs(built) -> None:
    _, devs = built
    fs = audit(devs.values(), load_policy()).findings
    by_dev: dict[str, set[str]] = {}
    for f in fs:
        by_dev.setdefault(f.device, set()).add(f.rule)
    assert by_dev.get("hv-live/br-trunk") == {"SG101"}
    assert by_dev.get("hv-live/br-loop") == {"SG201", "SG401"}
    assert "hv-live/br-ok" not in by_dev


def test_change_is_seen_on_next_collection(ovs_lab: OvsLab, built) -> None:
    ovs_lab.add_bridge("br-fix")
    ovs_lab.add_port("br-fix", "eth8", "vlan_mode=trunk")
    ovs_lab.add_port("br-fix", "eth9", "vlan_mode=trunk")
    devs = {d.hostname: d for d in parse_config(collect(ovs_lab.host("hv-live")).config)}
    assert "SG401" in {f.rule for f in audit([devs["hv-live/br-fix"]], load_policy()).findings}
    ovs_lab.vsctl("set", "bridge", "br-fix", "rstp_enable=true")
    ovs_lab.vsctl("set", "port", "eth8", "trunks=10")
    ovs_lab.vsctl("set", "port", "eth9", "trunks=10")
    devs = {d.hostname: d for d in parse_config(collect(ovs_lab.host("hv-live")).config)}
    assert audit([devs["hv-live/br-fix"]], load_policy()).findings == []


def test_unreachable_database_is_classified(ovs_lab: OvsLab) -> None:
    host = ovs_lab.host("hv-gone", ovsdb=f"unix:{ovs_lab.run_dir}/nope.sock")
    host.timeout = 2
    with pytest.raises(CollectError) as err:
        collect(host)
    assert err.value.failure_class == "unreachable" and err.value.host == "hv-gone"
    assert "\n" not in str(err.value)


def test_truncated_output_is_a_parse_failure(ovs_lab: OvsLab) -> None:
    recipe = {"config": {"command": "sh -c 'echo \"{\\\"headings\\\": [\"'", "tables": ["Bridge"]},
              "commands": []}
    with pytest.raises(CollectError) as err:
        collect(ovs_lab.host("hv-trunc"), recipe)
    assert err.value.failure_class == "parse" and "Bridge" in str(err.value)


def test_missing_tool_is_unsupported(ovs_lab: OvsLab) -> None:
    recipe = {"config": {"command": "ovs-vsctl-not-here list {table}"}, "commands": []}
    with pytest.raises(CollectError) as err:
        collect(ovs_lab.host("hv-x"), recipe)
    assert err.value.failure_class == "unsupported"


@pytest.mark.skipif(missing_requirements() is not None, reason="needs OVS and root")
def test_lab_tears_down_everything_even_after_a_failure() -> None:
    before = netns_names()
    lab = OvsLab(prefix="sgovs-td")
    with pytest.raises(RuntimeError), lab:
        lab.add_bridge("br-x")
        lab.make_nic("td1")
        pids = [p.pid for p in lab._procs]
        raise RuntimeError("test body failed")
    assert lab.netns not in netns_names() and lab.netns not in before
    assert not lab.run_dir.exists()
    for pid in pids:
        ps = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True,
                            text=True, check=False)
        assert ps.stdout.strip() == ""  # gone (and reaped: not even a zombie)


def test_through_the_collector_pool(ovs_lab: OvsLab, built, tmp_path) -> None:
    """The registry adapter and the worker pool drive the same driver (as `stormguard collect`
    and the daemon do)."""
    from stormguard.collect.hostkeys import KnownHosts
    from stormguard.collect.pool import PoolSettings, collect_many

    (res,) = collect_many([ovs_lab.host("hv-pool")], known_hosts=KnownHosts(tmp_path / "kh"),
                          settings=PoolSettings(workers=1))
    assert res.ok, res.error
    assert res.collected.driver == "ovs"
    names = {d.hostname for d in parse_config(res.collected.config)}
    assert {"hv-pool/br-trunk", "hv-pool/br-loop", "hv-pool/br-ok"} <= names


def _run_vsctl_line(lab: OvsLab, line: str) -> None:
    argv = shlex.split(line)
    assert argv[0] == "ovs-vsctl"
    lab.vsctl(*argv[1:])


def test_sg401_and_sg101_remediation_applies_on_real_ovs(ovs_lab: OvsLab, built) -> None:
    """The snippets in the findings are real ovs-vsctl commands that fix what they report."""
    ovs_lab.add_bridge("br-rem")
    ovs_lab.add_port("br-rem", "eth11", "vlan_mode=trunk")
    ovs_lab.add_port("br-rem", "eth12", "trunks=10")

    def findings():
        devs = {d.hostname: d
                for d in parse_config(collect(ovs_lab.host("hv-rem")).config)}
        return audit([devs["hv-rem/br-rem"]], load_policy()).findings

    fs = {f.rule: f for f in findings()}
    assert set(fs) == {"SG101", "SG201", "SG401"}
    bond_lines = fs["SG401"].remediation.split("# or")[0].strip().splitlines()
    for line in bond_lines:
        _run_vsctl_line(ovs_lab, line)
    _run_vsctl_line(ovs_lab, "ovs-vsctl set port br-rem-bond trunks=10,20")
    # one bond now: with STP still off the bridge cannot close a loop, so no SG201 either
    assert findings() == []
    _run_vsctl_line(ovs_lab, fs["SG401"].remediation.splitlines()[-1])  # rstp_enable=true
    assert findings() == []


def _guest_veth(lab: OvsLab, bridge: str, name: str) -> None:
    """A guest's veth (a container's, say) named like anything at all: not via make_nic."""
    subprocess.run(["ip", "-n", lab.netns, "link", "add", name, "type", "veth", "peer", "name",
                    f"{name}-g"], check=True, capture_output=True)
    subprocess.run(["ip", "-n", lab.netns, "link", "set", name, "up"], check=True,
                   capture_output=True)
    lab.add_port(bridge, name, nic=False)


def test_guest_veth_is_no_uplink_by_the_kernel(ovs_lab: OvsLab) -> None:
    """A veth guest port whose name looks like a NIC (eth15) or like nothing (vm7): the kernel
    says veth, so it is no physical uplink, and SG201/SG401 do not count it."""
    lab = ovs_lab
    lab.add_bridge("br-guest")  # two real uplinks + a guest: the loop is eth13/eth14 only
    lab.add_port("br-guest", "eth13", "trunks=10,20")
    lab.add_port("br-guest", "eth14", "trunks=10,20")
    _guest_veth(lab, "br-guest", "vm7")
    lab.add_bridge("br-guest2")  # one uplink + a guest named like a NIC: no loop at all
    lab.add_port("br-guest2", "eth16", "trunks=10,20")
    _guest_veth(lab, "br-guest2", "eth15")
    got = collect(lab.host("hv-guest"))
    devs = {d.hostname: d for d in parse_config(got.config, source="live")}
    one, two = devs["hv-guest/br-guest"], devs["hv-guest/br-guest2"]
    for dev, guest in ((one, "vm7"), (two, "eth15")):
        assert not dev.interfaces[guest].physical_uplink
        assert dev.interfaces[guest].extra["uplink_source"] == "kernel: veth"
        assert dev.warnings == []
    assert {n for n, i in one.interfaces.items() if i.physical_uplink} == {"eth13", "eth14"}
    assert one.interfaces["eth13"].extra["uplink_source"] == "inventory physical_uplinks 'eth13'"
    fs = audit([one, two], load_policy()).findings
    sg401 = [f for f in fs if f.rule == "SG401"]
    assert [f.device for f in sg401] == ["hv-guest/br-guest"]
    assert sorted(sg401[0].extra["uplinks"]) == ["eth13", "eth14"]
    assert not [f for f in fs if f.rule in ("SG201", "SG401") and f.device.endswith("br-guest2")]
