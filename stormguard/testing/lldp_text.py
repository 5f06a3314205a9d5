"""Cisco IOS ``show lldp neighbors`` text, as a switch prints it, for tests and fakes.

Tests that cable fake switches by LLDP write the neighbour table the way IOS does and let the
collector's own TextFSM parsing read it, so the state they build is what a collection stores.
"""

from __future__ import annotations

from typing import Any

COMMAND = "show lldp neighbors"

_TABLE = """\
Capability codes:
    (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device
    (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other

Device ID           Local Intf     Hold-time  Capability      Port ID
{rows}

Total entries displayed: {n}"""


def ios_lldp_table(rows: list[tuple[str, str, str, str]]) -> str:
    """(neighbour, local port, capability codes, far port) rows as IOS prints them."""
    lines = "\n".join(f"{dev:<20}{local:<15}120        {cap:<16}{far}"
                      for dev, local, cap, far in rows)
    return _TABLE.format(rows=lines, n=len(rows))


def ios_lldp_state(rows: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    """The snapshot state a collection stores for that table: raw text and TextFSM rows."""
    from stormguard.collect.netmiko_driver import parse_textfsm

    raw = ios_lldp_table(rows)
    parsed = parse_textfsm("cisco_ios", COMMAND, raw)
    return {"lldp": {"command": COMMAND, "raw": raw, "parsed": parsed}}
