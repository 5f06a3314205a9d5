"""Real Linux bridges in throw-away network namespaces, for tests and demos.

A :class:`BridgeLab` creates two namespaces with unique names: ``<prefix>-<random>-h`` (the
"hypervisor", holding the bridges) and ``<prefix>-<random>-f`` (the "fabric", holding the far
ends of the uplinks). An uplink is a veth pair whose peer sits in the fabric namespace, which is
how a NIC towards a top-of-rack switch looks from the bridge; a guest port is a veth pair whose
peer stays in the hypervisor namespace (a container's interface before it is moved), or a tap.

Kernels differ in what they offer (a minimal VM kernel may lack bridge VLAN filtering, bonding
or 802.1Q): :meth:`BridgeLab.supports` probes a feature by trying it inside the lab's own
namespace, so tests can tell "not built into this kernel" from "broken".

:meth:`BridgeLab.close` (also the context manager exit) deletes only the namespaces this lab
created, which removes every bridge, bond and veth inside them: always, even after a failure.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from typing import Any

from stormguard.inventory import Host


class BridgeLabUnavailable(RuntimeError):
    """iproute2 or root (for namespaces) is missing."""


def missing_requirements() -> str | None:
    for tool in ("ip", "bridge"):
        if shutil.which(tool) is None:
            return f"missing {tool} (apt-get install iproute2)"
    if os.geteuid() != 0:
        return "needs root to create network namespaces"
    return None


class BridgeLab:
    def __init__(self, prefix: str = "sglb") -> None:
        why = missing_requirements()
        if why:
            raise BridgeLabUnavailable(why)
        tag = f"{prefix}-{secrets.token_hex(3)}"
        self.ns = f"{tag}-h"
        self.fabric_ns = f"{tag}-f"
        self._made: list[str] = []
        self._probe_count = 0

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> BridgeLab:
        try:
            for ns in (self.ns, self.fabric_ns):
                self._cmd("ip", "netns", "add", ns)
                self._made.append(ns)
                self._cmd("ip", "-n", ns, "link", "set", "lo", "up")
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        for ns in reversed(self._made):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)
        self._made.clear()

    def __enter__(self) -> BridgeLab:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers -------------------------------------------------------------------------------
    @staticmethod
    def _cmd(*argv: str) -> str:
        proc = subprocess.run(list(argv), capture_output=True, text=True, timeout=20,
                              check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)}: {proc.stderr.strip()}")
        return proc.stdout

    def ip(self, *args: str) -> str:
        return self._cmd("ip", "-n", self.ns, *args)

    def bridge_cmd(self, *args: str) -> str:
        return self._cmd("ip", "netns", "exec", self.ns, "bridge", *args)

    def supports(self, feature: str) -> bool:
        """Probe `feature` ("vlan_filtering", "bond", "vlan") in the lab namespace."""
        self._probe_count += 1
        name = f"sgprobe{self._probe_count}"
        trial = {
            "vlan_filtering": ["link", "add", name, "type", "bridge", "vlan_filtering", "1"],
            "bond": ["link", "add", name, "type", "bond"],
            "vlan": ["link", "add", "link", "lo", name, "type", "vlan", "id", "10"],
        }[feature]
        try:
            self.ip(*trial)
        except RuntimeError:
            return False
        self.ip("link", "del", name)
        return True

    # -- building ------------------------------------------------------------------------------
    def add_bridge(self, name: str, *, vlan_filtering: bool = False, stp: bool = False) -> None:
        args = ["link", "add", name, "type", "bridge", "stp_state", "1" if stp else "0"]
        if vlan_filtering:
            args += ["vlan_filtering", "1"]
        self.ip(*args)
        self.ip("link", "set", name, "up")

    def add_uplink(self, bridge: str | None, name: str, alias: str | None = None) -> None:
        """A veth whose peer lives in the fabric namespace: the bridge's view of a NIC."""
        self.ip("link", "add", name, "type", "veth", "peer", "name", name, "netns",
                self.fabric_ns)
        self._attach(bridge, name, alias)

    def add_guest(self, bridge: str, name: str, alias: str | None = None) -> None:
        """A veth whose peer stays in the hypervisor namespace: a container/VM port."""
        self.ip("link", "add", name, "type", "veth", "peer", "name", f"{name}p"[:15])
        self._attach(bridge, name, alias)

    def add_bond(self, bridge: str, name: str, members: list[str], mode: str = "active-backup"
                 ) -> None:
        self.ip("link", "add", name, "type", "bond", "mode", mode)
        for m in members:
            self.add_uplink(None, m)
            self.ip("link", "set", m, "down")
            self.ip("link", "set", m, "master", name)
        self._attach(bridge, name, None)

    def _attach(self, bridge: str | None, name: str, alias: str | None) -> None:
        if alias:
            self.ip("link", "set", name, "alias", alias)
        if bridge:
            self.ip("link", "set", name, "master", bridge)
        self.ip("link", "set", name, "up")

    def port_flag(self, port: str, flag: str, on: bool) -> None:
        """``bridge link set dev PORT <flag> on|off`` (guard, root_block, bcast_flood ...)."""
        self.bridge_cmd("link", "set", "dev", port, flag, "on" if on else "off")

    def vlan_add(self, port: str, vid: str, *, pvid: bool = False, untagged: bool = False
                 ) -> None:
        args = ["vlan", "add", "dev", port, "vid", vid]
        if pvid:
            args.append("pvid")
        if untagged:
            args.append("untagged")
        self.bridge_cmd(*args)

    def vlan_del(self, port: str, vid: str) -> None:
        self.bridge_cmd("vlan", "del", "dev", port, "vid", vid)

    def host(self, name: str = "hv-lb", **data: Any) -> Host:
        """An inventory Host that reads this lab's hypervisor namespace locally.

        The lab's uplinks are veths, which the parser's heuristic does not count as NICs, so the
        host data names them (``physical_uplinks: [up*, bond*]``) the way an operator would.
        """
        data = {"physical_uplinks": ["up*", "bond*"], **data}
        return Host(name=name, hostname="local", platform="linux_bridge", transport="local",
                    netns=self.ns, data=data)
