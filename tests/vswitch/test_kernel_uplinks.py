"""Physical uplinks decided by the kernel's own facts (``ip -d -j link show``), not by names.

The links below are in the shape iproute2 prints (captured from a lab and a hypervisor,
trimmed to the keys that matter plus a few that do not): a veth and a tap with names that look
like NICs, a bond of a PCI NIC, a PCI NIC with no ``info_kind``, a VLAN sub-interface of it.
"""

from __future__ import annotations

import json

from vswitch_kit import LinuxBundle, OvsBundle

from stormguard.collect import ovs as ovs_collect
from stormguard.collect._shell import Result
from stormguard.inventory import Host
from stormguard.parsers import parse_config
from stormguard.parsers._vswitch import dump_bundle, kernel_uplink, netdev_index, netdev_rows

#: ``ip -d -j link show`` of an OVS host (kernel datapath), trimmed
IP_LINKS = [
    {"ifindex": 1, "ifname": "lo", "flags": ["LOOPBACK", "UP", "LOWER_UP"], "mtu": 65536,
     "link_type": "loopback", "address": "00:00:00:00:00:00"},
    {"ifindex": 2, "ifname": "eno1", "flags": ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
     "mtu": 1500, "master": "ovs-system", "link_type": "ether",
     "address": "3c:ec:ef:00:00:01", "linkinfo": {"info_slave_kind": "openvswitch"},
     "parentbus": "pci", "parentdev": "0000:19:00.0"},
    {"ifindex": 3, "ifname": "eno2", "flags": ["BROADCAST", "MULTICAST", "SLAVE", "UP"],
     "mtu": 1500, "master": "bond0", "link_type": "ether", "address": "3c:ec:ef:00:00:02",
     "linkinfo": {"info_slave_kind": "bond", "info_slave_data": {"state": "ACTIVE"}},
     "parentbus": "pci", "parentdev": "0000:19:00.1"},
    {"ifindex": 4, "ifname": "bond0", "flags": ["BROADCAST", "MULTICAST", "MASTER", "UP"],
     "mtu": 1500, "master": "ovs-system", "link_type": "ether",
     "linkinfo": {"info_kind": "bond", "info_data": {"mode": "active-backup"},
                  "info_slave_kind": "openvswitch"}},
    {"ifindex": 5, "ifname": "eno3", "flags": ["BROADCAST", "MULTICAST", "UP"], "mtu": 1500,
     "link_type": "ether", "parentbus": "pci", "parentdev": "0000:1a:00.0"},
    {"ifindex": 6, "ifname": "eno3.100", "link": "eno3", "flags": ["BROADCAST", "UP"],
     "mtu": 1500, "master": "ovs-system", "link_type": "ether",
     "linkinfo": {"info_kind": "vlan", "info_data": {"protocol": "802.1Q", "id": 100},
                  "info_slave_kind": "openvswitch"}},
    {"ifindex": 7, "ifname": "vm0", "link_netnsid": 0, "flags": ["BROADCAST", "UP"],
     "mtu": 1500, "master": "ovs-system", "link_type": "ether",
     "linkinfo": {"info_kind": "veth", "info_slave_kind": "openvswitch"}},
    {"ifindex": 8, "ifname": "uplink9", "flags": ["BROADCAST", "MULTICAST", "UP"],
     "mtu": 1500, "master": "ovs-system", "link_type": "ether",
     "linkinfo": {"info_kind": "tun", "info_data": {"type": "tap", "pi": False,
                                                    "vnet_hdr": True, "multi_queue": False},
                  "info_slave_kind": "openvswitch"}},
    {"ifindex": 9, "ifname": "eth7", "flags": ["BROADCAST", "UP"], "mtu": 1500,
     "master": "ovs-system", "link_type": "ether"},  # no kind, no bus shown: undecided
]


def _ovs_bundle() -> OvsBundle:
    b = OvsBundle("hv7")
    b.bridge("br0")
    for name in ("eno1", "bond0", "eno3.100", "vm0", "uplink9", "eth7"):
        b.port("br0", name)
    return b


def _text(b: OvsBundle, **extra: object) -> str:
    doc = b.doc()
    doc.update(extra)
    return dump_bundle(doc)


def test_kernel_verdicts_from_captured_links() -> None:
    nd = netdev_index(netdev_rows(IP_LINKS))
    assert kernel_uplink("eno1", nd) == (True, "kernel: NIC on pci")
    assert kernel_uplink("bond0", nd) == (True, "kernel: bond, member eno2 is a NIC")
    assert kernel_uplink("eno3.100", nd) == (True, "kernel: vlan on eno3 (NIC on pci)")
    assert kernel_uplink("vm0", nd) == (False, "kernel: veth")
    assert kernel_uplink("uplink9", nd) == (False, "kernel: tun (tap)")
    assert kernel_uplink("lo", nd) == (False, "kernel: link type loopback")
    assert kernel_uplink("eth7", nd) == (None, "")  # the kernel does not say: heuristic
    assert kernel_uplink("dpdk0", nd) == (None, "")  # not a kernel netdev at all


def test_netdev_rows_keep_only_what_the_ports_need() -> None:
    rows = netdev_rows(IP_LINKS, {"bond0", "eno3.100", "vm0"})
    # bond members and the VLAN's lower link come along; a veth's peer and the rest do not
    assert [r["name"] for r in rows] == ["eno2", "bond0", "eno3", "eno3.100", "vm0"]


def test_ovs_kernel_facts_beat_the_name_heuristic() -> None:
    b = _ovs_bundle()
    rows = netdev_rows(IP_LINKS, {"eno1", "bond0", "eno3.100", "vm0", "uplink9", "eth7"})
    (dev,) = parse_config(_text(b, netdevs=rows), platform="ovs")
    got = {n: (i.physical_uplink, i.extra.get("uplink_source"))
           for n, i in dev.interfaces.items() if n != "br0"}
    assert got == {
        "eno1": (True, "kernel: NIC on pci"),
        "bond0": (True, "kernel: bond, member eno2 is a NIC"),
        "eno3.100": (True, "kernel: vlan on eno3 (NIC on pci)"),
        "vm0": (False, "kernel: veth"),
        "uplink9": (False, "kernel: tun (tap)"),
        "eth7": (True, "name heuristic"),
    }
    assert dev.interfaces["vm0"].kind == "other" and dev.warnings == []
    # the old bundle (no netdevs): the name heuristic, as before
    (old,) = parse_config(b.text(), platform="ovs")
    assert {n for n, i in old.interfaces.items() if i.physical_uplink} == {
        "eno1", "bond0", "eno3.100", "vm0", "uplink9", "eth7"}
    assert {i.extra["uplink_source"] for n, i in old.interfaces.items() if n != "br0"} == {
        "name heuristic"}
    # the inventory beats the kernel
    b.overrides = {"physical_uplinks": ["vm0"]}
    (dev,) = parse_config(_text(b, netdevs=rows), platform="ovs")
    assert dev.interfaces["vm0"].physical_uplink
    assert dev.interfaces["vm0"].extra["uplink_source"] == "inventory physical_uplinks 'vm0'"


def test_ovs_external_ids_beat_a_kernel_nic() -> None:
    b = OvsBundle("hv7")
    b.bridge("br0")
    b.port("br0", "eno1", external_ids={"iface-id": "vf-rep-1"})
    b.ifaces[-1]["external_ids"] = {"iface-id": "vf-rep-1"}
    (dev,) = parse_config(_text(b, netdevs=netdev_rows(IP_LINKS, {"eno1"})), platform="ovs")
    assert not dev.interfaces["eno1"].physical_uplink
    assert dev.interfaces["eno1"].extra["uplink_source"] == "external_ids iface-id"


def test_ovs_netdevs_error_and_garbage_warn_and_fall_back() -> None:
    b = _ovs_bundle()
    err = {"command": "ip -j -d link show", "error": "exit 127: ip: not found"}
    (dev,) = parse_config(_text(b, netdevs_error=err), platform="ovs")
    assert dev.interfaces["vm0"].physical_uplink  # judged by name
    assert any("hv7" in w and "`ip -j -d link show` failed" in w for w in dev.warnings)
    (dev,) = parse_config(_text(b, netdevs="garbage"), platform="ovs")
    assert any("hv7" in w and "netdevs" in w for w in dev.warnings)
    assert dev.interfaces["vm0"].physical_uplink
    # the {name: row} spelling reads too
    (dev,) = parse_config(_text(b, netdevs={"vm0": {"kind": "veth", "bus": False}}),
                          platform="ovs")
    assert not dev.interfaces["vm0"].physical_uplink


def test_ovs_facts_from_another_namespace_are_not_used() -> None:
    b = OvsBundle("hv7")
    b.bridge("br0")
    b.port("br0", "vm0", ifindex=42)  # OVSDB's ifindex: 42; the kernel read says 7
    doc = b.doc()
    doc["tables"]["Interface"]["headings"].append("ifindex")
    for row in doc["tables"]["Interface"]["data"]:
        row.append(42)
    doc["netdevs"] = netdev_rows(IP_LINKS, {"vm0"})
    (dev,) = parse_config(dump_bundle(doc), platform="ovs")
    assert dev.interfaces["vm0"].extra["uplink_source"] == "name heuristic"
    assert any("another ifindex" in w and "vm0" in w for w in dev.warnings)


def test_linux_bridge_records_why() -> None:
    b = LinuxBundle()
    b.bridge("br0")
    b.port("br0", "eno1", nic=True)
    b.port("br0", "eth9")
    b.port("br0", "vm0", kind="veth")
    b.port("br0", "tap1", kind="tun", info_data={"type": "tap"})
    b.port(None, "eno2", nic=True, master="bond0")
    b.port("br0", "bond0", kind="bond")
    b.port(None, "eno3", nic=True)
    b.port("br0", "eno3.100", kind="vlan", link="eno3")
    (dev,) = parse_config(b.text(), platform="linux_bridge")
    got = {n: (i.physical_uplink, i.extra["uplink_source"]) for n, i in dev.interfaces.items()}
    assert got == {
        "eno1": (True, "kernel: NIC on pci"),
        "eth9": (True, "kernel: no link kind (a NIC driver)"),
        "vm0": (False, "kernel: veth"),
        "tap1": (False, "kernel: tun (tap)"),
        "bond0": (True, "kernel: bond, member eno2 is a NIC (kernel: NIC on pci)"),
        "eno3.100": (True, "kernel: vlan on eno3 (NIC on pci)"),
    }


class _FakeRunner:
    def __init__(self, answers: dict[str, Result]) -> None:
        self.answers = answers

    def run(self, command: str, timeout: float) -> Result:
        for prefix, res in self.answers.items():
            if command.startswith(prefix) or prefix in command:
                return res
        return Result(command, 1, "", "unknown")

    def close(self) -> None:
        pass


def _collect_with(monkeypatch, ip_result: Result) -> tuple[dict, list]:
    b = _ovs_bundle()
    tables = b.doc()["tables"]
    answers = {f"list {t}": Result(f"list {t}", 0, json.dumps(tables[t]), "") for t in tables}
    answers["ip -j -d link show"] = ip_result
    monkeypatch.setattr(ovs_collect, "open_runner", lambda host: _FakeRunner(answers))
    host = Host(name="hv7", hostname="local", platform="ovs", transport="local")
    got = ovs_collect.collect(host)
    return json.loads(got.config), parse_config(got.config), got.state


def test_collector_records_netdevs(monkeypatch) -> None:
    doc, (dev,), _ = _collect_with(monkeypatch, Result("ip", 0, json.dumps(IP_LINKS), ""))
    assert {r["name"] for r in doc["netdevs"]} == {
        "eno1", "eno2", "bond0", "eno3", "eno3.100", "vm0", "uplink9", "eth7"}
    assert not dev.interfaces["vm0"].physical_uplink
    assert dev.interfaces["eno1"].physical_uplink


def test_collector_survives_a_failing_or_garbage_ip(monkeypatch) -> None:
    for res in (Result("ip", 1, "", "Cannot open netlink socket"),
                Result("ip", 0, "[{\"ifindex\": 1, \"ifn", "")):
        doc, (dev,), state = _collect_with(monkeypatch, res)
        assert "netdevs" not in doc and doc["netdevs_error"]["command"] == "ip -j -d link show"
        assert state["netdevs"]["command"] == "ip -j -d link show"
        assert any(w.startswith("hv7: `ip -j -d link show` failed") for w in dev.warnings)
        assert dev.interfaces["vm0"].physical_uplink  # the heuristic applies


def test_sg401_says_which_fact_made_each_port_an_uplink() -> None:
    """The finding quotes ``uplink_source``: one reason for all, or each port's own, so an
    engineer sees whether it rests on the kernel, the inventory or the name heuristic."""
    from stormguard.engine import audit
    from stormguard.policy import load_policy

    b = OvsBundle("hv7")
    b.bridge("br0")
    for name in ("eno1", "eno3.100", "eth7"):
        b.port("br0", name)
    rows = netdev_rows(IP_LINKS, {"eno1", "eno3.100", "eth7"})

    def sg401(text: str) -> tuple[str, dict]:
        (f,) = [f for f in audit(parse_config(text, platform="ovs"), load_policy()).findings
                if f.rule == "SG401"]
        return f.message, f.extra["uplink_sources"]

    message, sources = sg401(_text(b, netdevs=rows))
    assert ("(eno1, eno3.100, eth7; eno1 per kernel: NIC on pci; eno3.100 per kernel: vlan on "
            "eno3 (NIC on pci); eth7 per name heuristic)") in message
    assert sources == {"eno1": "kernel: NIC on pci",
                       "eno3.100": "kernel: vlan on eno3 (NIC on pci)", "eth7": "name heuristic"}
    b.overrides = {"physical_uplinks": ["e*"]}
    message, sources = sg401(_text(b, netdevs=rows))
    assert "(eno1, eno3.100, eth7; uplinks per inventory physical_uplinks 'e*')" in message
    assert set(sources.values()) == {"inventory physical_uplinks 'e*'"}
