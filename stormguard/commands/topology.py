"""`stormguard topology`: the layer-2 graph of switches and hypervisors from the latest snapshots.

Links come from the LLDP/CDP neighbours the collectors stored (switches: ``show lldp/cdp
neighbors``; KVM/OVS/Linux-bridge hosts: lldpd; ESXi: the vmnics' CDP/LLDP view). Loops spanning
tree cannot break come first (the SG501 view), then the links with the VLANs both ends carry,
then the neighbours whose far end is unknown (listed, never guessed). ``--format svg`` draws it
without Graphviz; ``dot`` is for Graphviz users.
"""

from __future__ import annotations

import argparse

from stormguard.store.cli import add_db_argument, open_store

HELP = "show the L2 topology (switches, vSwitches, links, loops STP cannot break)"


def _vlan(text: str) -> int:
    try:
        vid = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a VLAN ID") from None
    if not 1 <= vid <= 4094:
        raise argparse.ArgumentTypeError(f"VLAN {vid} out of range 1-4094")
    return vid


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vlan", type=_vlan, default=None, metavar="N",
                        help="only links carrying VLAN N, and the loops on it")
    parser.add_argument("--device", metavar="GLOB", default=None,
                        help="only these devices (inventory name or host glob) and their links")
    parser.add_argument("--format", choices=("text", "json", "dot", "svg"), default="text")
    parser.add_argument("--policy", action="append", default=[], metavar="FILE",
                        help="policy pack(s) on top of the default pack (repeatable)")
    parser.add_argument("--output", "-o", metavar="FILE", default=None,
                        help="write to FILE instead of standard output")
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from stormguard.errors import InputError
    from stormguard.policy import load_policy
    from stormguard.topology.load import fleet_from_store
    from stormguard.topology.render import RENDERERS, select

    policy = load_policy(args.policy)
    with open_store(args) as store:
        fleet = fleet_from_store(store, policy)
    if not fleet.devices:
        print("no snapshots in the store (run `stormguard collect` first)", file=sys.stderr)
        return 1
    view = select(fleet.graph, fleet.cycles, vlan=args.vlan, device=args.device)
    if args.device and not view.nodes:
        raise InputError(f"--device {args.device!r} matches no switch or vSwitch in the store")
    text = RENDERERS[args.format](view)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{args.output}: cannot write: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    return 0
