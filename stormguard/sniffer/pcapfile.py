"""Reading capture files (classic pcap and pcapng) for ``stormguard sniff --pcap``.

Small readers of our own: they stream records without loading the file, know exactly where a
file is cut short, and never need Scapy. :func:`read_frames` yields
``(ts, iface, frame_bytes, wire_len)``; a damaged file raises :class:`InputError` with a one-line
message naming the file and the byte offset, *after* every complete record before it has been
yielded, so the caller can still report the events found so far.

Only Ethernet link types are analysed (a storm is a layer-2 thing); others are refused by name.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from stormguard.errors import InputError

LINKTYPE_ETHERNET = 1
_PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
_PCAPNG_SHB = b"\x0a\x0d\x0d\x0a"
MAX_RECORD = 256 * 1024 * 1024

Frame = tuple[float, str, bytes, int]


class _Reader:
    def __init__(self, fh: BinaryIO, name: str) -> None:
        self.fh = fh
        self.name = name
        self.pos = 0

    def read(self, n: int, what: str) -> bytes:
        data = self.fh.read(n)
        if len(data) != n:
            raise InputError(f"{self.name}: truncated at byte {self.pos + len(data)} "
                             f"({what} needs {n} bytes, {len(data)} left)")
        self.pos += n
        return data

    def at_eof(self) -> bool:
        return self.fh.peek(1)[:1] == b"" if hasattr(self.fh, "peek") else False


def read_frames(path: str | Path) -> Iterator[Frame]:
    p = Path(path)
    name = p.name
    try:
        fh = open(p, "rb")  # noqa: SIM115 - closed in the finally below (generator)
    except OSError as exc:
        raise InputError(f"{p}: cannot open: {exc.strerror}") from None
    try:
        r = _Reader(fh, name)
        head = fh.peek(4)[:4] if hasattr(fh, "peek") else b""
        if len(head) < 4:
            raise InputError(f"{name}: not a pcap or pcapng file (only {len(head)} bytes)")
        if head in _PCAP_MAGICS:
            yield from _read_pcap(r, *_PCAP_MAGICS[head], iface=p.stem)
        elif head == _PCAPNG_SHB:
            yield from _read_pcapng(r, p.stem)
        else:
            raise InputError(f"{name}: not a pcap or pcapng file (starts with 0x{head.hex()})")
    finally:
        fh.close()


def _read_pcap(r: _Reader, endian: str, tick: float, iface: str) -> Iterator[Frame]:
    hdr = r.read(24, "the file header")
    _magic, _vmaj, _vmin, _tz, _sig, _snap, linktype = struct.unpack(endian + "IHHiIII", hdr)
    linktype &= 0x0FFFFFFF  # upper bits may carry FCS information
    if linktype != LINKTYPE_ETHERNET:
        raise InputError(f"{r.name}: link type {linktype} is not Ethernet; "
                         "capture on an Ethernet interface (not 'any')")
    rec = struct.Struct(endian + "IIII")
    n = 0
    while not r.at_eof():
        n += 1
        sec, frac, incl, orig = rec.unpack(r.read(16, f"record {n} header"))
        if incl > MAX_RECORD:
            raise InputError(f"{r.name}: record {n} at byte {r.pos - 16} claims {incl} bytes; "
                             "the file is damaged")
        data = r.read(incl, f"record {n}")
        yield sec + frac * tick, iface, data, orig


def _read_pcapng(r: _Reader, stem: str) -> Iterator[Frame]:
    endian = "<"
    ifaces: list[tuple[str, int, float]] = []  # (name, linktype, tick)
    n = 0
    while not r.at_eof():
        start = r.pos
        raw = r.read(8, f"block header at byte {start}")
        btype_le = struct.unpack("<I", raw[:4])[0]
        if btype_le == 0x0A0D0D0A:  # section header: learn the byte order from it
            bom = r.read(4, "section byte-order magic")
            if bom == b"\x4d\x3c\x2b\x1a":
                endian = "<"
            elif bom == b"\x1a\x2b\x3c\x4d":
                endian = ">"
            else:
                raise InputError(f"{r.name}: bad pcapng byte-order magic at byte {start + 8}")
            blen = struct.unpack(endian + "I", raw[4:8])[0]
            if blen < 28 or blen % 4 or blen > MAX_RECORD:
                raise InputError(f"{r.name}: bad pcapng section length {blen} at byte {start}")
            r.read(blen - 12, "section header")
            ifaces = []
            continue
        btype, blen = struct.unpack(endian + "II", raw)
        if blen < 12 or blen % 4 or blen > MAX_RECORD:
            raise InputError(f"{r.name}: bad pcapng block length {blen} at byte {start}")
        body = r.read(blen - 8, f"block at byte {start}")[:-4]
        if btype == 1:  # interface description
            if len(body) < 8:
                raise InputError(f"{r.name}: interface block at byte {start} is too short")
            linktype = struct.unpack_from(endian + "H", body, 0)[0]
            name, tick = _idb_options(body[8:], endian, f"{stem}#{len(ifaces)}")
            ifaces.append((name, linktype, tick))
        elif btype in (6, 3):  # enhanced / simple packet
            n += 1
            if btype == 6:
                if len(body) < 20:
                    raise InputError(f"{r.name}: packet block at byte {start} is too short")
                ifid, hi, lo, incl, orig = struct.unpack_from(endian + "IIIII", body, 0)
                if incl > len(body) - 20:
                    raise InputError(f"{r.name}: packet block at byte {start} claims {incl} "
                                     f"bytes but holds {len(body) - 20}; the file is damaged")
                data = body[20:20 + incl]
            else:
                if len(body) < 4:
                    raise InputError(f"{r.name}: packet block at byte {start} is too short")
                ifid, hi, lo = 0, 0, 0
                orig = struct.unpack_from(endian + "I", body, 0)[0]
                data = body[4:4 + orig]
            if ifid >= len(ifaces):
                raise InputError(f"{r.name}: packet at byte {start} names interface {ifid}, "
                                 "which was never described")
            name, linktype, tick = ifaces[ifid]
            if linktype != LINKTYPE_ETHERNET:
                raise InputError(f"{r.name}: interface {name} has link type {linktype}, "
                                 "not Ethernet")
            yield ((hi << 32) | lo) * tick, name, data, orig
        # other blocks (statistics, name resolution, custom) are skipped


def _idb_options(opts: bytes, endian: str, default_name: str) -> tuple[str, float]:
    name, tick = default_name, 1e-6
    i = 0
    while i + 4 <= len(opts):
        code, length = struct.unpack_from(endian + "HH", opts, i)
        value = opts[i + 4:i + 4 + length]
        if code == 0:
            break
        if code == 2 and value:  # if_name
            name = value.split(b"\x00")[0].decode("utf-8", "replace") or default_name
        elif code == 9 and value:  # if_tsresol
            v = value[0]
            tick = 2.0 ** -(v & 0x7F) if v & 0x80 else 10.0 ** -v
        i += 4 + ((length + 3) & ~3)
    return name, tick
