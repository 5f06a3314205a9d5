"""Arista EOS running configs, three spaces of indentation.

Platform facts: ``spanning-tree portfast`` has no ``trunk`` keyword and applies to trunks as
well (so ``edge_trunk`` is set with it); ``spanning-tree portfast auto`` (auto-edge, on by
default: operationally edge while no BPDU arrives) is a separate knob from admin edge, kept in
``extra["edge_auto"]`` (``no spanning-tree portfast auto`` turns it off);
``no spanning-tree vlan-id 10`` switches STP off for a VLAN
and ``spanning-tree mode none`` / ``no spanning-tree`` switch it off altogether; ``storm-control
all level N`` covers broadcast, multicast and unknown unicast; banners end with a line ``EOF``;
aggregates are spelled ``Port-Channel10``; the default STP mode is MSTP; range headers
(``interface Ethernet1-4,7``) are expanded; EOS runs no DTP.
"""

from __future__ import annotations

from stormguard.model import Device
from stormguard.parsers._cisco_like import Dialect, parse_cisco_like

PLATFORM = "arista_eos"

DIALECT = Dialect(
    platform=PLATFORM,
    aggregate_prefix="Port-Channel",
    portfast_covers_trunks=True,
    banner_ends_with_eof=True,
    stp_can_be_off=True,
)


def parse(text: str, source: str = "") -> list[Device]:
    return [parse_cisco_like(text, DIALECT, source)]
