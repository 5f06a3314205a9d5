"""Header parsing and classification of broadcast/multicast frames, with ``struct`` only.

This is the hot path: during a storm it runs a few hundred thousand times a second, so it never
builds objects per layer (that is Scapy's job, for evidence and samples only). :func:`classify`
returns ``(source MAC bytes, VLAN, class code)``; class codes index :data:`CLASS_NAMES`.

VLAN: the outer 802.1Q / 802.1ad / old QinQ (0x9100) tag in the frame, unless the kernel already
stripped it into packet metadata (``aux_vlan`` >= 0, from ``PACKET_AUXDATA`` or the TPACKET_V3
header), which then wins. ``-1`` means untagged.

Anything too short or inconsistent is classed ``malformed`` rather than raising: a broken frame
on the wire must never stop the sniffer.
"""

from __future__ import annotations

import struct
from hashlib import blake2b

ARP, IPV4_MCAST, IPV4_BCAST, DHCP, IPV6_ND, IPV6_MCAST, STP, STP_TC, LLDP, CDP, OTHER, \
    MALFORMED = range(12)

#: Names used in events and reports, indexed by class code.
CLASS_NAMES: tuple[str, ...] = (
    "arp", "ipv4-mcast", "ipv4-bcast", "dhcp", "ipv6-nd", "ipv6-mcast", "stp", "stp-tc",
    "lldp", "cdp", "other", "malformed",
)
N_CLASSES = len(CLASS_NAMES)

VLAN_TPIDS = frozenset((0x8100, 0x88A8, 0x9100))
ETH_IPV4, ETH_ARP, ETH_IPV6, ETH_LLDP = 0x0800, 0x0806, 0x86DD, 0x88CC
CDP_DST = b"\x01\x00\x0c\xcc\xcc\xcc"
PVST_DST = b"\x01\x00\x0c\xcc\xcc\xcd"
SNAP_CDP = b"\xaa\xaa\x03\x00\x00\x0c\x20\x00"
SNAP_PVST = b"\xaa\xaa\x03\x00\x00\x0c\x01\x0b"

_ETH = struct.Struct("!6s6sH")
_TAG = struct.Struct("!HH")
_U16 = struct.Struct("!H")


def classify(buf: bytes | memoryview, off: int, caplen: int,
             aux_vlan: int = -1) -> tuple[bytes, int, int]:
    """Parse one frame at ``buf[off:off+caplen]``: ``(src_mac, vlan, class_code)``."""
    if caplen < 14:
        return b"", aux_vlan, MALFORMED
    end = off + caplen
    dst, src, etype = _ETH.unpack_from(buf, off)
    p = off + 14
    vlan = aux_vlan
    while etype in VLAN_TPIDS:
        if p + 4 > end:
            return src, vlan, MALFORMED  # a tag announced but cut off
        tci, etype = _TAG.unpack_from(buf, p)
        if vlan < 0:
            vlan = tci & 0x0FFF
        p += 4
    if etype == ETH_ARP:
        return src, vlan, ARP
    if etype == ETH_IPV4:
        if p + 20 > end:
            return src, vlan, MALFORMED
        ihl = (buf[p] & 0x0F) * 4
        if buf[p + 9] == 17 and p + ihl + 4 <= end:
            dport = _U16.unpack_from(buf, p + ihl + 2)[0]
            if dport == 67 or dport == 68:
                return src, vlan, DHCP
        first = buf[p + 16]
        return src, vlan, (IPV4_MCAST if 224 <= first <= 239 else IPV4_BCAST)
    if etype == ETH_IPV6:
        if p + 40 > end:
            return src, vlan, MALFORMED
        nh = buf[p + 6]
        q = p + 40
        if nh == 0 and q + 2 <= end:  # hop-by-hop options (MLD carries one)
            nh = buf[q]
            q += (buf[q + 1] + 1) * 8
        if nh == 58 and q < end and 133 <= buf[q] <= 137:
            return src, vlan, IPV6_ND
        return src, vlan, IPV6_MCAST
    if etype == ETH_LLDP:
        return src, vlan, LLDP
    if etype <= 1500:  # 802.3 length field: LLC follows
        if p + 3 > end:
            return src, vlan, MALFORMED
        if buf[p] == 0x42 and buf[p + 1] == 0x42:
            return src, vlan, _bpdu(buf, p + 3, end)
        if dst == CDP_DST and bytes(buf[p:p + 8]) == SNAP_CDP:
            return src, vlan, CDP
        if dst == PVST_DST and bytes(buf[p:p + 8]) == SNAP_PVST:
            return src, vlan, _bpdu(buf, p + 8, end)
    return src, vlan, OTHER


def _bpdu(buf: bytes | memoryview, q: int, end: int) -> int:
    """STP BPDU: TCN (type 0x80) or the topology-change flag of a config/RST BPDU -> STP_TC."""
    if q + 4 > end:
        return MALFORMED
    bpdu_type = buf[q + 3]
    if bpdu_type == 0x80:
        return STP_TC
    if q + 5 <= end and buf[q + 4] & 0x01:
        return STP_TC
    return STP


def frame_hash(buf: bytes | memoryview, off: int = 0, caplen: int | None = None) -> bytes:
    """8-byte blake2b of the frame bytes: identical frames looping around share it."""
    if caplen is None:
        caplen = len(buf) - off
    return blake2b(buf[off:off + caplen], digest_size=8).digest()


def is_group_address(buf: bytes | memoryview, off: int = 0) -> bool:
    """Broadcast or multicast destination (I/G bit), the same test as the kernel BPF filter."""
    return len(buf) > off and bool(buf[off] & 0x01)


def mac_str(mac: bytes) -> str:
    return ":".join(f"{b:02x}" for b in mac) if mac else "?"


def insert_vlan_tag(frame: bytes, vlan: int, tpid: int = 0x8100) -> bytes:
    """Put back an 802.1Q tag the kernel stripped into metadata (for evidence pcaps)."""
    if vlan < 0 or len(frame) < 12:
        return frame
    return frame[:12] + struct.pack("!HH", tpid, vlan & 0x0FFF) + frame[12:]
