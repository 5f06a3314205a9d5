"""``docs/signals.md``: the syslog catalogue as a table, generated from
:data:`stormguard.signals.catalogue.E` so the page never drifts from the code (a test checks).

Regenerate: ``python -m stormguard.signals.docgen > docs/signals.md``
"""

from __future__ import annotations

from stormguard.model import PLATFORM_NAMES
from stormguard.signals import KINDS
from stormguard.signals.catalogue import E

HEAD = """# Storm signals from the switches

Switches already know when a storm starts: storm-control drops, MAC addresses flap between
ports, BPDU guard err-disables a port, loop detection shuts one. `stormguard syslog` (and the
daemon's `syslog:` listener) hears them over syslog — RFC 3164 and RFC 5424, UDP, TCP (octet
counting or newline framing) and TLS — and `stormguard snmp` (the daemon's `snmp:` poller)
reads the IF-MIB broadcast/multicast counters. Together with the sniffer's own storm events
they fold into one **incident** per storm (`stormguard incidents`): first signal, devices,
ports, VLANs, evidence per source, peak rate, end — and one alert per incident.

## Signal kinds

| kind | what the switch saw |
|---|---|
| `loop-detect` | its own loop-detection frame came back (a loop, for certain) |
| `mac-flap` | one MAC address learnt on two ports in turn |
| `storm-control` | a storm-control threshold was crossed (filtering, blocking or shutting down) |
| `bpdu-guard` | an edge port received a BPDU and was blocked / err-disabled |
| `err-disable` | a port was err-disabled; the cause is in `detail.cause` |
| `loop-guard` | loop guard blocked a port that stopped receiving BPDUs |

Each recognised message prints as one JSON line with `--format json`:
`{"kind", "device", "interface", "vlan", "macs", "ts", "message_id", "raw", ...}`. Senders are
matched to inventory devices by source address, then by the hostname in the message; messages
from unknown senders are kept (`known_sender: false`) and counted per address.

A message of a known vendor style that is not in the catalogue but whose mnemonic names storm
evidence (`...BPDUGUARD...`, `...STORM...`, `...MAC_FLAP...`, `...LOOP...DETECT...`) is still
recognised, by its mnemonic (`detail.matched = "mnemonic"`), so a release that renames a message
does not go silent.

## Catalogue

Generated from `stormguard/signals/catalogue.py`; every example below is a test fixture.

"""


def render() -> str:
    out = [HEAD]
    by_platform: dict[str, list] = {}
    for e in E:
        by_platform.setdefault(e.platforms[0], []).append(e)
    order = ["cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos", "huawei", "hp_comware"]
    for plat in order + [p for p in by_platform if p not in order]:
        entries = by_platform.get(plat)
        if not entries:
            continue
        names = sorted({PLATFORM_NAMES.get(p, p) for e in entries for p in e.platforms})
        out.append(f"### {' / '.join(names)}\n\n| message | kind | example |\n|---|---|---|\n")
        for e in sorted(entries, key=lambda x: KINDS.index(x.kind)):
            ex = e.example.replace("|", "\\|")
            out.append(f"| `{e.key}` | `{e.kind}` | `{ex}` |\n")
        out.append("\n")
    return "".join(out).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
