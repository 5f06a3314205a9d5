"""The first few hundred frames of each storm, kept as a classic pcap for the post-mortem.

A tiny writer of our own (the format is a 24-byte header and a 16-byte header per record):
no Scapy import on the capture path. A VLAN tag the kernel stripped into metadata is put back
into the frame, so Wireshark shows the VLAN the sniffer reported.
"""

from __future__ import annotations

import logging
import os
import re
import struct
import tempfile
from collections.abc import Iterable
from pathlib import Path

from stormguard.sniffer.frames import insert_vlan_tag

log = logging.getLogger("stormguard.sniffer")

PCAP_MAGIC_US = 0xA1B2C3D4
LINKTYPE_ETHERNET = 1


def write_pcap(path: str | Path, frames: Iterable[tuple[float, bytes, int]],
               snaplen: int = 65535, restore_vlan: bool = True) -> Path:
    """Write ``(ts, frame, vlan)`` records to ``path`` atomically; returns the path."""
    p = Path(path)
    tmp = p.with_name(p.name + ".part")
    with open(tmp, "wb") as fh:
        fh.write(struct.pack("<IHHiIII", PCAP_MAGIC_US, 2, 4, 0, 0, snaplen, LINKTYPE_ETHERNET))
        for ts, frame, vlan in frames:
            data = insert_vlan_tag(frame, vlan) if restore_vlan and vlan >= 0 and not \
                _has_tag(frame) else frame
            sec = int(ts)
            usec = min(999999, round((ts - sec) * 1e6))
            fh.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
            fh.write(data)
    os.replace(tmp, p)
    return p


def _has_tag(frame: bytes) -> bool:
    return len(frame) >= 14 and frame[12:14] in (b"\x81\x00", b"\x88\xa8", b"\x91\x00")


def writable_problem(directory: str | Path) -> str | None:
    """Why pcaps cannot be written under ``directory`` (None when they can): it is created
    if needed and a file is created and removed in it, so a read-only mount, a full
    disk or a file in the way are found at start, not at the first storm."""
    d = Path(directory)
    try:
        d.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=d, prefix=".stormguard-probe-"):
            pass
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


class EvidenceStore:
    """Writes one pcap per event under ``directory`` (created on first use)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.failures = 0

    def __call__(self, event_id: str, iface: str,
                 frames: list[tuple[float, bytes, int]]) -> str | None:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", event_id)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            return str(write_pcap(self.directory / f"storm-{safe}.pcap", frames))
        except OSError as exc:
            # Evidence is a bonus: a full disk must not stop storm detection; but say so.
            self.failures += 1
            if self.failures == 1 or self.failures % 100 == 0:
                log.warning("evidence pcap for %s not written under %s: %s", event_id,
                            self.directory, exc.strerror or exc,
                            extra={"fields": {"iface": iface, "storm": event_id,
                                              "failures": self.failures}})
            return None
