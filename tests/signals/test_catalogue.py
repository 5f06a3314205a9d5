"""The vendor catalogue: every entry's real-format example is recognised with its port, VLAN
and MACs; ordinary messages of the same vendors are not storm evidence."""

from __future__ import annotations

import pytest

from stormguard.signals import KINDS
from stormguard.signals.catalogue import E, match, normalise_mac
from stormguard.signals.receiver import Receiver, SenderMap
from stormguard.signals.syslog_message import parse

#: (example key, kind, interfaces, vlan, macs, detail subset)
EXPECTED = {
    "SW_MATM-MACFLAP_NOTIF": ("mac-flap", ["Gi1/0/1", "Gi1/0/2"], 10, ["00:50:56:a1:2b:3c"], {}),
    "STORM_CONTROL-FILTERED": ("storm-control", ["Gi1/0/5"], None, [], {"action": "filter"}),
    "STORM_CONTROL-SHUTDOWN": ("storm-control", ["Gi1/0/6"], None, [], {"action": "shutdown"}),
    "SPANTREE-BLOCK_BPDUGUARD": ("bpdu-guard", ["Gi1/0/3"], None, [], {}),
    "PM-ERR_DISABLE": ("err-disable", ["Gi1/0/3"], None, [], {"cause": "bpduguard"}),
    "SPANTREE-LOOPGUARD_BLOCK": ("loop-guard", ["GigabitEthernet1/0/1"], 10, [], {}),
    "ETHCNTR-LOOP_BACK_DETECTED": ("loop-detect", ["GigabitEthernet1/0/4"], None, [], {}),
    "L2FM-L2FM_MAC_MOVE": ("mac-flap", ["Eth1/1", "Eth1/2"], 10, ["00:50:56:a1:2b:3c"], {}),
    "L2FM-L2FM_MAC_FLAP_DISABLE_LEARN_N3K": ("mac-flap", ["Eth1/1", "Eth1/2"], 10,
                                             ["00:50:56:a1:2b:3c"], {}),
    "ETHPORT-STORM_CONTROL_ABOVE_THRESHOLD": ("storm-control", ["Ethernet1/5"], None, [],
                                              {"action": "trap"}),
    "STP-BLOCK_BPDUGUARD": ("bpdu-guard", ["Ethernet1/3"], None, [], {}),
    "ETHPORT-IF_DOWN_ERROR_DISABLED": ("err-disable", ["Ethernet1/3"], None, [],
                                       {"cause": "bpduguard"}),
    "STP-LOOPGUARD_BLOCK": ("loop-guard", ["Ethernet1/1"], 10, [], {}),
    "ETH-HOST_FLAPPING": ("mac-flap", ["Ethernet1", "Port-Channel53"], 10,
                          ["00:50:56:a1:2b:3c"], {}),
    "STORMCONTROL-STORMCONTROL_DROP": ("storm-control", ["Ethernet5"], None, [], {}),
    "SPANTREE-BPDUGUARD_ERRDISABLE": ("bpdu-guard", ["Ethernet3"], None, [], {}),
    "ERRDISABLE-INTF_ERRDISABLED": ("err-disable", ["Ethernet3"], None, [],
                                    {"cause": "bpduguard"}),
    "ESWD_BPDU_BLOCK_ERROR_DISABLED": ("bpdu-guard", ["ge-0/0/3"], None, [], {}),
    "ESWD_ST_CTL_ERROR_IN_EFFECT": ("storm-control", ["ge-0/0/5"], None, [], {}),
    "L2ALD_ST_CTL_IN_EFFECT": ("storm-control", ["ge-0/0/5"], None, [], {}),
    "ESWD_MAC_MOVE_LIMIT_BLOCK": ("mac-flap", ["ge-0/0/7"], None, [], {"vlan_name": "v10"}),
    "L2ALD_MAC_MOVE_NOTIFICATION": ("mac-flap", [], None, [], {}),
    "L2IFPPI/MFLPVLANALARM": ("mac-flap", ["GE0/0/1", "GE0/0/2"], 10, ["00:50:56:a1:2b:3c"], {}),
    "FEI/hwMflpVlanLoopAlarm_active": ("mac-flap", ["10GE1/0/1", "10GE1/0/2", "10GE1/0/3"], 10,
                                       [], {}),
    "FEI_COMM/STORMCTRL_EXCEED": ("storm-control", ["10GE1/0/5"], None, [], {}),
    "FEI_COMM/STORMCTRL_ERRDOWN": ("storm-control", ["10GE1/0/6"], None, [],
                                   {"action": "error-down"}),
    "FEI/hwStormControlAlarm_active": ("storm-control", ["10GE1/0/7"], None, [], {}),
    "MSTP/BPDU_PROTECTION": ("bpdu-guard", ["GigabitEthernet0/0/3"], None, [], {}),
    "MSTP/MSTPLOG_PROPORT_BPDU_GUARDED": ("bpdu-guard", ["10GE1/0/3"], None, [], {}),
    "LDT/DetectLoop": ("loop-detect", ["GigabitEthernet0/0/4"], None, [], {}),
    "LBDT/PORTTRAP": ("loop-detect", ["GigabitEthernet0/0/4"], 10, [], {}),
    "MSTP/LOOP_GUARD": ("loop-guard", ["GigabitEthernet0/0/1"], None, [], {}),
    "LPDT/LPDT_LOOPED": ("loop-detect", ["GigabitEthernet1/0/1"], None, [], {}),
    "LPDT/LPDT_VLAN_LOOPED": ("loop-detect", ["GigabitEthernet1/0/1"], 10, [], {}),
    "STM/STORM_CONSTRAIN_CONTROLLED": ("storm-control", ["GigabitEthernet1/0/5"], None, [], {}),
    "STORM_CONSTRAIN/STORM_CONSTRAIN_ABOVE": ("storm-control", ["GigabitEthernet1/0/6"], None,
                                              [], {}),
    "STP/STP_BPDU_PROTECTION": ("bpdu-guard", ["GigabitEthernet1/0/3"], None, [], {}),
    "MAC/MAC_FLAPPING": ("mac-flap", ["GigabitEthernet1/0/1", "GigabitEthernet1/0/2"], 10,
                         ["00:50:56:a1:2b:3c"], {}),
}

#: Ordinary messages, same vendors, same formats: none of them is storm evidence.
NOISE = [
    "<189>2124: *Dec  4 18:22:04.000 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/9, "
    "changed state to up",
    "<189>2125: *Dec  4 18:22:04.001 UTC: %LINEPROTO-5-UPDOWN: Line protocol on Interface "
    "GigabitEthernet1/0/9, changed state to up",
    "<189>2126: *Dec  4 18:22:04.002 UTC: %SYS-5-CONFIG_I: Configured from console by admin "
    "on vty0",
    "<189>: 2026 Dec  4 18:22:04 UTC: %ETHPORT-5-IF_UP: Interface Ethernet1/9 is up in mode trunk",
    "<190>Dec  4 18:22:04 leaf1 Lldp: %LLDP-5-NEIGHBOR_NEW: LLDP neighbor with chassisId "
    "5254.0012.3456 and portId \"Ethernet1\" added on interface Ethernet9",
    "<30>Dec  4 18:22:04 ex1 mgd[3333]: UI_COMMIT: User 'admin' requested 'commit' operation",
    "<190>Dec  4 2026 18:22:04 HW-S5735 %%01SHELL/5/CMDRECORD(s)[5]:Recorded command "
    "information. (Task=VT0, Ip=10.0.0.9, VpnName=, User=admin, Command=\"display version\")",
    "<190>Dec  4 18:22:04:500 2026 H3C-S5560 %%10IFNET/3/PHY_UPDOWN: Physical state on the "
    "interface GigabitEthernet1/0/9 changed to up.",
    "<13>Dec  4 18:22:04 host1 root: hello world",
    "",
    "garbage \x00\xff without any header",
]


def test_catalogue_covers_every_kind_and_vendor() -> None:
    assert {e.kind for e in E} == set(KINDS)
    platforms = {p for e in E for p in e.platforms}
    assert platforms >= {"cisco_ios", "cisco_xe", "cisco_nxos", "arista_eos", "juniper_junos",
                         "huawei", "hp_comware"}
    assert set(EXPECTED) == {e.key for e in E}


@pytest.mark.parametrize("entry", E, ids=lambda e: e.key)
def test_each_example_is_recognised(entry) -> None:
    kind, ifaces, vlan, macs, detail = EXPECTED[entry.key]
    sig = Receiver().feed(entry.example.encode(), "192.0.2.10", received_at=1000.0)
    assert sig is not None
    assert (sig.kind, sig.interfaces, sig.vlan, sig.macs) == (kind, ifaces, vlan, macs)
    assert sig.interface == (ifaces[0] if ifaces else None)
    for k, v in detail.items():
        assert sig.detail[k] == v
    # the vendor's own message id, with the severity digit the device sent
    module, _, mnemonic = entry.key.replace("/", "-").partition("-")
    assert sig.message_id.startswith(module) and sig.message_id.endswith(mnemonic or module)


@pytest.mark.parametrize("line", NOISE)
def test_ordinary_messages_are_not_signals(line: str) -> None:
    r = Receiver()
    assert r.feed(line.encode("utf-8", "surrogateescape"), "192.0.2.10", 1.0) is None
    assert r.received == 1 and r.recognised == 0


def test_unknown_release_spelling_is_recognised_by_mnemonic() -> None:
    line = ("<186>Dec  4 18:22:02 leaf1 Stp: %SPANTREE-2-BPDUGUARD_TRIGGERED: BPDU received "
            "on port Ethernet10 with BPDU Guard enabled. Disabling port.")
    sig = Receiver().feed(line.encode(), None, 1.0)
    assert sig is not None and sig.kind == "bpdu-guard"
    assert sig.interfaces == ["Ethernet10"] and sig.detail["matched"] == "mnemonic"


def test_sender_matched_by_address_then_hostname() -> None:
    class H:
        def __init__(self, name: str, hostname: str, platform: str, site: str) -> None:
            self.name, self.hostname, self.platform, self.site = name, hostname, platform, site

    senders = SenderMap.from_hosts([H("core-sw1", "192.0.2.1", "cisco_ios", "dc1"),
                                    H("leaf1.dc2.example", "192.0.2.2", "arista_eos", "dc2")])
    r = Receiver(senders=senders)
    ios = next(e for e in E if e.key == "SW_MATM-MACFLAP_NOTIF").example.encode()
    eos = next(e for e in E if e.key == "ETH-HOST_FLAPPING").example.encode()
    assert r.feed(ios, "192.0.2.1", 1.0).device == "core-sw1"
    sig = r.feed(eos, "198.51.100.7", 1.0)  # relayed: the address is unknown, the name is not
    assert sig.device == "leaf1.dc2.example" and sig.known_sender
    stranger = r.feed(ios, "198.51.100.99", 1.0)
    assert stranger.device == "198.51.100.99" and not stranger.known_sender
    assert r.unknown_senders == {"198.51.100.99": 1}
    assert stranger.platform == "cisco_ios"  # from the catalogue when the sender is unknown


def test_mac_spellings_normalise() -> None:
    assert normalise_mac("0050.56A1.2b3c") == normalise_mac("00-50-56-a1-2b-3c") == \
        normalise_mac("00:50:56:a1:2b:3c") == "00:50:56:a1:2b:3c"


def test_signal_json_has_the_documented_keys() -> None:
    import json

    sig = Receiver().feed(E[0].example.encode(), None, 5.0)
    d = json.loads(sig.to_json())
    assert {"kind", "device", "interface", "vlan", "macs", "ts", "message_id", "raw"} <= set(d)
    assert d["raw"].startswith("%SW_MATM-4-MACFLAP_NOTIF")


@pytest.mark.parametrize(("line", "host", "app", "rfc", "text_start"), [
    ("<165>1 2026-12-04T18:22:01.123Z ex1 eswd 1421 ESWD_BPDU_BLOCK_ERROR_DISABLED "
     "[junos@2636.1.1.1.2.57 interface-name=\"ge-0/0/3.0\" x=\"a\\]b\"] ge-0/0/3.0: bpdu-block "
     "disabled port", "ex1", "eswd", "5424", "ge-0/0/3.0"),
    ("<165>1 - - - - - - \ufeffplain", None, None, "5424", "plain"),
    ("<188>Dec  4 18:22:01 leaf1 PortSec: %ETH-4-HOST_FLAPPING: x", "leaf1", "PortSec", "3164",
     "%ETH"),
    ("<188>2117: *Dec  4 18:22:01.123 UTC: %SW_MATM-4-MACFLAP_NOTIF: x", None, None, "3164",
     "%SW_MATM"),
    ("<188>12: sw9: *Dec  4 18:22:01.123 UTC: %SW_MATM-4-MACFLAP_NOTIF: x", "sw9", None, "3164",
     "%SW_MATM"),
    ("<188>: 2026 Dec  4 18:22:01 UTC: %L2FM-4-L2FM_MAC_MOVE: x", None, None, "3164", "%L2FM"),
    ("<188>Dec  4 2026 18:22:01 HW-S5735 %%01L2IFPPI/4/MFLPVLANALARM(l)[0]:x", "HW-S5735", None,
     "3164", "%%01"),
    ("<188>Dec  4 18:22:01:123 2026 H3C %%10LPDT/4/LPDT_LOOPED: x", "H3C", None, "3164", "%%10"),
    ("no header at all", None, None, "raw", "no header"),
])
def test_header_variants(line, host, app, rfc, text_start) -> None:
    msg = parse(line.encode(), 42.0)
    assert (msg.hostname, msg.app, msg.rfc) == (host, app, rfc)
    assert msg.text.startswith(text_start)


def test_rfc5424_timestamp_is_used_3164_clock_is_not() -> None:
    assert parse(b"<165>1 2026-12-04T18:22:01Z h a - - - m", 1.0).ts == 1796408521.0
    assert parse(b"<188>Dec  4 18:22:01 h t: m", 7.0).ts == 7.0


def test_pri_out_of_range_and_binary_do_not_raise() -> None:
    for data in (b"<999>x", b"<", b"\xff\xfe\x00" * 100, b"<13>" + b"A" * 70000):
        parse(data, 1.0)
        match(parse(data, 1.0))


def test_docs_signals_md_is_generated_from_the_catalogue() -> None:
    from pathlib import Path

    from stormguard.signals.docgen import render

    doc = Path(__file__).resolve().parents[2] / "docs" / "signals.md"
    assert doc.read_text() == render(), (
        "docs/signals.md is stale: python -m stormguard.signals.docgen > docs/signals.md")


def test_the_vendor_id_is_looked_for_only_near_the_start() -> None:
    # a long run of capitals (garbled or hostile datagram) is not searched end to end: each
    # start position would be tried against the rest of the run, quadratic in its length
    from stormguard.signals.catalogue import ID_WINDOW

    tail = next(e.example for e in E if e.style == "cisco").split(": %", 1)[1]
    near = parse(f"<187>sw1: {'A' * (ID_WINDOW - 200)} %{tail}".encode(), 1.0)
    far = parse(f"<187>sw1: {'A' * (ID_WINDOW + 100)} %{tail}".encode(), 1.0)
    found = match(near)
    assert found is not None and tail.startswith(found.message_id)
    assert match(far) is None
