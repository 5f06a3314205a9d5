"""Header parsing and classification on hand-built frames (no Scapy on this path)."""

from __future__ import annotations

import socket
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from stormguard.sniffer import frames as F
from stormguard.testing.stormlab import arp_request, udp_multicast

SRC = bytes.fromhex("020000000001")
BCAST = b"\xff" * 6


def eth(dst: bytes, etype: int, payload: bytes, tags: tuple[tuple[int, int], ...] = ()) -> bytes:
    tagbytes = b"".join(struct.pack("!HH", tpid, vid) for tpid, vid in tags)
    return dst + SRC + tagbytes + struct.pack("!H", etype) + payload


def ipv4(dst: str, proto: int, l4: bytes) -> bytes:
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0, 1, proto, 0,
                       socket.inet_aton("10.0.0.1"), socket.inet_aton(dst)) + l4


def ipv6(nh: int, l4: bytes) -> bytes:
    return struct.pack("!IHBB", 6 << 28, len(l4), nh, 255) + b"\xfe\x80" + b"\0" * 14 \
        + b"\xff\x02" + b"\0" * 13 + b"\x01" + l4


def cls(frame: bytes, aux: int = -1) -> tuple[str, int]:
    _src, vlan, code = F.classify(frame, 0, len(frame), aux)
    return F.CLASS_NAMES[code], vlan


def bpdu(bpdu_type: int, flags: int) -> bytes:
    body = b"\x42\x42\x03" + struct.pack("!HBBB", 0, 0, bpdu_type, flags) + b"\0" * 30
    return b"\x01\x80\xc2\x00\x00\x00" + SRC + struct.pack("!H", len(body)) + body


def test_classes_of_common_broadcast_and_multicast() -> None:
    assert cls(arp_request("02:00:00:00:00:01", "10.0.0.1", "10.0.0.2")) == ("arp", -1)
    assert cls(udp_multicast("02:00:00:00:00:01", "10.0.0.1", "239.1.1.1", 5000, b"x")) \
        == ("ipv4-mcast", -1)
    dhcp = eth(BCAST, 0x0800, ipv4("255.255.255.255", 17, struct.pack("!HHHH", 68, 67, 8, 0)))
    assert cls(dhcp)[0] == "dhcp"
    netbios = eth(BCAST, 0x0800, ipv4("10.0.0.255", 17, struct.pack("!HHHH", 137, 137, 8, 0)))
    assert cls(netbios)[0] == "ipv4-bcast"
    ns = eth(b"\x33\x33\xff\x00\x00\x01", 0x86DD, ipv6(58, bytes([135, 0]) + b"\0" * 22))
    assert cls(ns)[0] == "ipv6-nd"
    # MLD report behind a hop-by-hop header: not ND, plain IPv6 multicast.
    hbh = bytes([58, 0, 5, 2, 0, 0, 1, 0])
    mld = eth(b"\x33\x33\x00\x00\x00\x16", 0x86DD, ipv6(0, hbh + bytes([143, 0]) + b"\0" * 6))
    assert cls(mld)[0] == "ipv6-mcast"
    ra_behind_hbh = eth(b"\x33\x33\x00\x00\x00\x01", 0x86DD,
                        ipv6(0, hbh + bytes([134, 0]) + b"\0" * 6))
    assert cls(ra_behind_hbh)[0] == "ipv6-nd"
    assert cls(eth(b"\x01\x80\xc2\x00\x00\x0e", 0x88CC, b"\0" * 40))[0] == "lldp"
    cdp = F.CDP_DST + SRC + struct.pack("!H", 40) + F.SNAP_CDP + b"\0" * 32
    assert cls(cdp)[0] == "cdp"
    assert cls(eth(BCAST, 0x88B5, b"\0" * 46))[0] == "other"


def test_stp_bpdus_and_topology_change() -> None:
    assert cls(bpdu(0x00, 0x00))[0] == "stp"
    assert cls(bpdu(0x00, 0x01))[0] == "stp-tc"  # config BPDU with TC flag
    assert cls(bpdu(0x02, 0x3C))[0] == "stp"  # RST BPDU, no TC
    assert cls(bpdu(0x02, 0x3D))[0] == "stp-tc"
    assert cls(bpdu(0x80, 0x00))[0] == "stp-tc"  # TCN BPDU
    pvst = F.PVST_DST + SRC + struct.pack("!H", 50) + F.SNAP_PVST + \
        struct.pack("!HBBB", 0, 2, 2, 0x01) + b"\0" * 30
    assert cls(pvst)[0] == "stp-tc"


def test_vlan_from_tags_and_from_aux_data() -> None:
    arp = arp_request("02:00:00:00:00:01", "10.0.0.1", "10.0.0.2")[14:]
    assert cls(eth(BCAST, 0x0806, arp, ((0x8100, 0x2000 | 42),))) == ("arp", 42)
    qinq = eth(BCAST, 0x0806, arp, ((0x88A8, 100), (0x8100, 200)))
    assert cls(qinq) == ("arp", 100)  # the outer (service) tag is reported
    assert cls(eth(BCAST, 0x0806, arp, ((0x9100, 7),))) == ("arp", 7)
    # Tag stripped by the NIC: the kernel's metadata wins.
    assert cls(eth(BCAST, 0x0806, arp), aux=300) == ("arp", 300)
    assert cls(eth(BCAST, 0x0806, arp, ((0x8100, 200),)), aux=100) == ("arp", 100)


def test_malformed_frames_never_raise() -> None:
    assert cls(b"")[0] == "malformed"
    assert cls(BCAST + SRC)[0] == "malformed"  # truncated Ethernet header
    assert cls(BCAST + SRC + b"\x81\x00\x00")[0] == "malformed"  # 802.1Q tag cut off
    assert cls(BCAST + SRC + b"\x81\x00")[0] == "malformed"
    assert cls(eth(BCAST, 0x0800, b"\x45\x00"))[0] == "malformed"  # IPv4 header cut off
    assert cls(eth(BCAST, 0x86DD, b"\x60"))[0] == "malformed"
    assert cls(eth(b"\x01\x80\xc2\x00\x00\x00", 38, b"\x42\x42\x03\x00"))[0] == "malformed"
    jumbo = eth(BCAST, 0x0806, b"\0" * 9000)
    assert cls(jumbo)[0] == "arp"
    # Offsets into a larger buffer (as in the capture ring) work the same.
    buf = memoryview(b"\0" * 100 + jumbo)
    assert F.classify(buf, 100, len(jumbo))[2] == F.ARP
    assert F.frame_hash(buf, 100, len(jumbo)) == F.frame_hash(jumbo)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.integers(min_value=-1, max_value=4095))
def test_classify_total_on_arbitrary_bytes(data: bytes, aux: int) -> None:
    _src, vlan, code = F.classify(data, 0, len(data), aux)
    assert 0 <= code < F.N_CLASSES
    assert -1 <= vlan <= 4095


def test_frame_hash_is_8_bytes_and_content_sensitive() -> None:
    a = arp_request("02:00:00:00:00:01", "10.0.0.1", "10.0.0.2")
    b = arp_request("02:00:00:00:00:01", "10.0.0.1", "10.0.0.3")
    assert len(F.frame_hash(a)) == 8
    assert F.frame_hash(a) == F.frame_hash(bytes(a))
    assert F.frame_hash(a) != F.frame_hash(b)


def test_insert_vlan_tag_roundtrip() -> None:
    a = arp_request("02:00:00:00:00:01", "10.0.0.1", "10.0.0.2")
    tagged = F.insert_vlan_tag(a, 42)
    assert len(tagged) == len(a) + 4
    assert cls(tagged) == ("arp", 42)
    assert F.insert_vlan_tag(a, -1) == a
