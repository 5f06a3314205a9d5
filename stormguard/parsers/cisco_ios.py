"""Cisco IOS and IOS-XE running configs (``show running-config``), one space of indentation.

IOS-XE prints the same statements as IOS for everything stormguard reads, so ``cisco_xe`` is
parsed here too (:func:`stormguard.parsers.parse_config` relabels the device). Platform facts:
``spanning-tree portfast`` alone applies to access ports only (``portfast trunk`` / ``portfast
edge trunk`` name trunks); aggregates are spelled ``Port-channel10``; ``switchport mode dynamic
auto|desirable`` (DTP) sets ``Interface.negotiation`` and ``switchport nonegotiate``
``Interface.nonegotiate``; ``interface range`` sections of candidate configs are expanded.
"""

from __future__ import annotations

from stormguard.model import Device
from stormguard.parsers._cisco_like import Dialect, parse_cisco_like

PLATFORM = "cisco_ios"

DIALECT = Dialect(platform=PLATFORM, aggregate_prefix="Port-channel")


def parse(text: str, source: str = "") -> list[Device]:
    return [parse_cisco_like(text, DIALECT, source)]
