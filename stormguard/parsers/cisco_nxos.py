"""Cisco NX-OS running configs, two spaces of indentation.

Platform facts: edge ports are ``spanning-tree port type edge [trunk]`` (``network`` and
``normal`` are not edge), global defaults are ``spanning-tree port type edge [bpduguard|
bpdufilter] default``; aggregates are spelled ``port-channel10``; older releases name the device
with ``switchname``; ``system default switchport`` makes physical ports layer 2 unless they say
otherwise (kept in ``Device.extra["default_switchport"]``; without it they are routed), and
``system default switchport shutdown`` makes such ports admin down unless they say ``no
shutdown`` (``Device.extra["default_switchport_shutdown"]``); :mod:`stormguard.effective`
applies both. Range headers (``interface Ethernet1/1-4, Ethernet1/7``) are expanded; NX-OS runs
no DTP.
"""

from __future__ import annotations

from stormguard.model import Device
from stormguard.parsers._cisco_like import Dialect, parse_cisco_like

PLATFORM = "cisco_nxos"

DIALECT = Dialect(
    platform=PLATFORM,
    aggregate_prefix="port-channel",
    hostname_keywords=frozenset({"hostname", "switchname"}),
)


def parse(text: str, source: str = "") -> list[Device]:
    return [parse_cisco_like(text, DIALECT, source)]
