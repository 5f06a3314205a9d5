"""The hypervisor storm lab: two "physical" switches with STP, one Open vSwitch bridging both.

Topology (every box is its own network namespace; LLDP is real: one lldpd per box)::

                         swp48 ====== swp48
      [h] h0 -- swp10 [sw1: br0 STP]      [sw2: br0 STP] swp10 -- l0 [l]
                        swp1                   swp1                listener
                          |                     |                 (the sniffer)
                        eth0 [hv1: OVS br0, STP off] eth1
                                    vm0 (a guest port, vm0-far its far end)

``sw1`` and ``sw2`` are Linux bridges with kernel STP on (forward delay 2 s, the minimum),
joined by ``swp48``. ``hv1`` is a real user-space Open vSwitch (:class:`OvsLab`:
``datapath_type=netdev``) with uplink ``eth0`` to ``sw1`` and ``eth1`` to ``sw2`` and STP off.
Open vSwitch drops BPDUs unless told to forward them, so the switches' STP only sees the
inter-switch link and never blocks the loop through the hypervisor: the first broadcast storms.
With ``bonded=True`` the uplinks are one active-backup bond from the start (the negative case).

The gate. The loop must stay open while the lab is collected, yet LLDP must see every link, and
an administratively down link has no LLDP neighbour at all (lldpd forgets a neighbour as soon as
carrier drops, so nobody, stormguard included, could predict a loop through it). So both switch
ports towards the hypervisor start *gated*: a tc ingress filter on ``swp1`` passes LLDP
(ethertype 0x88cc) and drops everything else, which opens the loop in both directions without
touching any configuration stormguard reads. :meth:`HvLab.ungate` ("bring the links up")
removes the filters and :meth:`HvLab.gate` puts them back ("break the loop").

Every storm is bounded: ``tc tbf`` on every switch port of the loop (``rate``), the gate to end
it, and the teardown. :meth:`HvLab.close` stops the lldpd instances it started (by their own
process handles), the Open vSwitch and deletes only the lab's namespaces and run directory; it
runs from ``with HvLab() as lab`` even after a failure. IPv6 is off in every namespace so no
neighbour discovery seeds a storm at an unplanned moment.

Several lldpd on one machine: each gets its own control socket (``lldpd -u PATH``) and config
file (``-O``: system name, ``tx-interval 1`` so a neighbour shows in about a second); the
inventory hosts carry ``lldpd_socket`` so the collectors' ``{lldpcli}`` reads the right one.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stormguard.testing.netns import NetnsLab, enter_netns, unique_prefix
from stormguard.testing.ovs import OvsLab
from stormguard.testing.ovs import missing_requirements as ovs_missing
from stormguard.testing.stormlab import arp_request

BRIDGE = "br0"
UPLINKS = ("eth0", "eth1")
BOND = "bond0"
SWITCH_PORTS = {  # switch -> {port: what is behind it}
    "sw1": {"swp1": "hv1 eth0", "swp48": "sw2 swp48", "swp10": "h h0"},
    "sw2": {"swp1": "hv1 eth1", "swp48": "sw1 swp48", "swp10": "l l0"},
}


def missing_requirements() -> str | None:
    """Why the lab cannot be built here, or None."""
    why = ovs_missing()
    if why:
        return why
    for tool in ("lldpd", "lldpcli", "tc", "bridge"):
        if shutil.which(tool) is None:
            return f"missing {tool} (apt-get install lldpd iproute2)"
    return None


def _run(argv: list[str], check: bool = True, timeout: float = 20.0) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {proc.returncode}: {proc.stderr.strip()}")
    return proc.stdout


@dataclass
class Lldpd:
    """One lldpd instance: its namespace, control socket and process."""

    name: str  # the system name it advertises
    ns: str
    socket: Path
    proc: subprocess.Popen[bytes]

    def neighbors(self) -> dict[str, str]:
        """Local interface -> far system name, as this lldpd sees it now."""
        out = _run(["lldpcli", "-u", str(self.socket), "-f", "json", "show", "neighbors"],
                   check=False)
        try:
            doc = json.loads(out or "{}")
        except ValueError:
            return {}
        ifaces = (doc.get("lldp") or {}).get("interface") or {}
        items = ifaces.items() if isinstance(ifaces, dict) else [
            kv for item in ifaces for kv in item.items()]
        seen = {}
        for ifname, body in items:
            chassis = body.get("chassis") or {}
            names = [k for k in chassis if k != "id"]
            seen[ifname] = names[0] if names else ""
        return seen


class HvLab:
    """Build the lab; gate and ungate the loop; send a broadcast; always torn down."""

    SENDER_MAC = "02:53:47:00:09:01"

    def __init__(self, bonded: bool = False, rate: str = "4mbit", prefix: str | None = None
                 ) -> None:
        why = missing_requirements()
        if why:
            raise RuntimeError(why)
        self.bonded = bonded
        self.rate = rate
        self.net = NetnsLab(prefix or unique_prefix("sghv"))
        self.ovs = OvsLab(prefix="sghvovs")
        self.run_dir = Path(tempfile.mkdtemp(prefix="stormguard-hvlab-"))
        # lldpd runs lldpcli on its -O file after dropping privileges (user _lldpd): that
        # lldpcli must reach the control socket in here
        self.run_dir.chmod(0o755)
        self.lldpd: dict[str, Lldpd] = {}
        self._tx: socket.socket | None = None
        self.gated = False

    # -- names -----------------------------------------------------------------------------
    def ns(self, box: str) -> str:
        """The namespace of a box: sw1, sw2, h, l (lab namespaces) or hv1 (the OVS one)."""
        return self.ovs.netns if box == "hv1" else self.net.ns(box)

    listener_if = "l0"

    @property
    def listener_ns(self) -> str:
        return self.ns("l")

    # -- life cycle ------------------------------------------------------------------------
    def __enter__(self) -> HvLab:
        try:
            self.build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def build(self) -> None:
        n = self.net
        for box in ("sw1", "sw2", "h", "l"):
            n.add_netns(box)
            self._no_ipv6(self.ns(box))
        self.ovs.start()
        self._no_ipv6(self.ovs.netns)
        for sw in ("sw1", "sw2"):  # STP set before any port exists
            n.add_bridge(self.ns(sw), BRIDGE, stp=True, forward_delay_cs=200)
        self._veth("sw1", "swp48", "sw2", "swp48")
        self._veth("sw1", "swp1", "hv1", "eth0")
        self._veth("sw2", "swp1", "hv1", "eth1")
        self._veth("sw1", "swp10", "h", "h0")
        self._veth("sw2", "swp10", "l", "l0")
        _run(["ip", "-n", self.ns("h"), "link", "set", "h0", "address", self.SENDER_MAC])
        for sw in ("sw1", "sw2"):
            for port in SWITCH_PORTS[sw]:
                n.set_master(self.ns(sw), port, BRIDGE)
                if port != "swp10":  # every loop hop leaves a switch through a tbf
                    n.ip(self.ns(sw), "link", "set", port, "txqueuelen", "1000")
                    n.run(self.ns(sw), "tc", "qdisc", "add", "dev", port, "root", "tbf",
                          "rate", self.rate, "burst", "32kbit", "latency", "50ms")
        self.ovs.add_bridge(BRIDGE, stp=False, rstp=False)
        if self.bonded:
            self.ovs.vsctl("add-bond", BRIDGE, BOND, *UPLINKS, "--", "set", "port", BOND,
                           "bond_mode=active-backup")
        else:
            for up in UPLINKS:
                self.ovs.vsctl("add-port", BRIDGE, up)
        # a guest: what reaches the hypervisor's VMs. A veth named like nothing in particular
        # (not via make_nic: it does not stand for a NIC), so only the kernel's own facts keep
        # it from counting as a physical uplink
        _run(["ip", "-n", self.ovs.netns, "link", "add", "vm0", "type", "veth", "peer", "name",
              "vm0-far"])
        _run(["ip", "-n", self.ovs.netns, "link", "set", "vm0", "up"])
        self.ovs.add_port(BRIDGE, "vm0", nic=False)
        _run(["ip", "-n", self.ovs.netns, "link", "set", "vm0-far", "up"])
        self.gate()
        for box, ports in (("sw1", "swp*"), ("sw2", "swp*"), ("hv1", ",".join(UPLINKS))):
            self._start_lldpd(box, ports)
        for sw in ("sw1", "sw2"):
            for port in SWITCH_PORTS[sw]:
                n.link_up(self.ns(sw), port)
        for box, dev in (("h", "h0"), ("l", "l0")):
            n.link_up(self.ns(box), dev)
        for up in UPLINKS:
            _run(["ip", "-n", self.ovs.netns, "link", "set", up, "up"])
        self.wait_converged()

    def close(self) -> None:
        """Stop the lab's lldpd instances, its Open vSwitch, delete its namespaces."""
        if self._tx is not None:
            self._tx.close()
            self._tx = None
        with contextlib.suppress(Exception):
            if self.ovs.started:
                self.gate()  # the loop opens first
        for d in self.lldpd.values():
            if d.proc.poll() is None:
                d.proc.terminate()
                try:
                    d.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    d.proc.kill()
                    d.proc.wait(timeout=5)
        self.lldpd.clear()
        self.ovs.close()
        try:
            self.net.teardown()
        finally:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    # -- building blocks -------------------------------------------------------------------
    @staticmethod
    def _no_ipv6(ns: str) -> None:
        for key in ("all", "default"):
            _run(["ip", "netns", "exec", ns, "sysctl", "-q", "-w",
                  f"net.ipv6.conf.{key}.disable_ipv6=1"])

    def _veth(self, a_box: str, a: str, b_box: str, b: str) -> None:
        """A veth from `a` in a_box to `b` in b_box, created inside a_box (never in the root
        namespace) and left down."""
        _run(["ip", "-n", self.ns(a_box), "link", "add", a, "type", "veth", "peer", "name", b,
              "netns", self.ns(b_box)])

    def _start_lldpd(self, box: str, pattern: str) -> None:
        conf = self.run_dir / f"lldpd-{box}.conf"
        conf.write_text(f"configure system hostname {box}\n"
                        "configure lldp tx-interval 1\n"
                        "configure lldp tx-hold 10\n")
        sock = self.run_dir / f"lldpd-{box}.socket"
        log = (self.run_dir / f"lldpd-{box}.log").open("wb")
        try:
            proc = subprocess.Popen(
                ["ip", "netns", "exec", self.ns(box), "lldpd", "-d", "-u", str(sock),
                 "-O", str(conf), "-I", pattern],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        finally:
            log.close()
        self.lldpd[box] = Lldpd(box, self.ns(box), sock, proc)

    # -- waiting ---------------------------------------------------------------------------
    def expected_neighbors(self) -> dict[str, dict[str, str]]:
        return {"sw1": {"swp1": "hv1", "swp48": "sw2"}, "sw2": {"swp1": "hv1", "swp48": "sw1"},
                "hv1": {"eth0": "sw1", "eth1": "sw2"}}

    def wait_lldp(self, timeout: float = 20.0) -> float:
        """Until every lldpd sees its expected neighbours; returns the seconds waited."""
        t0 = time.monotonic()
        want = self.expected_neighbors()
        while True:
            seen = {box: d.neighbors() for box, d in self.lldpd.items()}
            if all(all(seen[b].get(p) == far for p, far in ports.items())
                   for b, ports in want.items()):
                return time.monotonic() - t0
            for d in self.lldpd.values():
                if d.proc.poll() is not None:
                    raise RuntimeError(f"lldpd of {d.name} exited: {self.lldpd_log(d.name)}")
            if time.monotonic() - t0 > timeout:
                raise RuntimeError(f"LLDP did not converge in {timeout:.0f} s: {seen}")
            time.sleep(0.2)

    def port_states(self, sw: str) -> dict[str, str]:
        out = _run(["ip", "netns", "exec", self.ns(sw), "bridge", "-j", "link", "show"])
        return {p["ifname"]: p.get("state", "") for p in json.loads(out or "[]")}

    def wait_forwarding(self, timeout: float = 15.0) -> None:
        """Until STP has every switch port forwarding (no loop among the switches alone)."""
        deadline = time.monotonic() + timeout
        while True:
            states = {sw: self.port_states(sw) for sw in ("sw1", "sw2")}
            if all(states[sw].get(p) == "forwarding" for sw in states for p in SWITCH_PORTS[sw]):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"STP ports not forwarding after {timeout:.0f} s: {states}")
            time.sleep(0.1)

    def wait_converged(self) -> None:
        self.wait_forwarding()
        self.wait_lldp()

    def lldpd_log(self, box: str) -> str:
        with contextlib.suppress(OSError):
            return (self.run_dir / f"lldpd-{box}.log").read_text(errors="replace")[-2000:]
        return ""

    # -- the gate --------------------------------------------------------------------------
    def ofctl(self, *args: str) -> str:
        return _run(["ovs-ofctl", *args[:1], f"unix:{self.ovs.run_dir / (BRIDGE + '.mgmt')}",
                     *args[1:]])

    def gate(self) -> None:
        """The hypervisor's uplinks neither receive nor forward (OpenFlow ``no-receive``,
        ``no-forward``): the loop is open, carrier and LLDP stay."""
        for up in UPLINKS:
            self.ofctl("mod-port", up, "no-receive")
            self.ofctl("mod-port", up, "no-forward")
        self.gated = True

    def ungate(self) -> None:
        """Lift the gates: the uplinks carry traffic (the loop closes, if there is one)."""
        for up in UPLINKS:
            self.ofctl("mod-port", up, "receive")
            self.ofctl("mod-port", up, "forward")
        self.gated = False

    # -- traffic ---------------------------------------------------------------------------
    def _socket(self) -> socket.socket:
        if self._tx is None:
            with enter_netns(self.ns("h")):
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            s.bind(("h0", 0))
            self._tx = s
        return self._tx

    def broadcast(self, target: str = "10.99.0.1") -> None:
        """One broadcast ARP request from the host on sw1."""
        self._socket().send(arp_request(self.SENDER_MAC, "10.99.0.2", target))

    def counter(self, box: str, dev: str, counter: str = "rx_packets") -> int:
        out = _run(["ip", "netns", "exec", self.ns(box), "cat",
                    f"/sys/class/net/{dev}/statistics/{counter}"])
        return int(out.strip())

    def listener_rx(self) -> int:
        return self.counter("l", "l0")

    def guest_rx(self) -> int:
        """Frames the hypervisor delivered to its guest port."""
        return self.counter("hv1", "vm0-far")

    # -- applying a fix --------------------------------------------------------------------
    def vsctl_line(self, line: str) -> str:
        """Run one ``ovs-vsctl ...`` line (as a remediation prints it) against the lab's OVSDB."""
        import shlex

        argv = shlex.split(line)
        if not argv or argv[0] != "ovs-vsctl":
            raise ValueError(f"not an ovs-vsctl line: {line!r}")
        return self.ovs.vsctl(*argv[1:])

    def appctl(self, *args: str) -> str:
        return _run(["ovs-appctl", "-t", str(self.ovs.vswitchd_ctl), *args])

    def wait_bond_forwarding(self, timeout: float = 10.0) -> float:
        """Until a bond of the hypervisor has an active member (an LACP bond without an LACP
        partner falls back to active-backup after ~3 s, when told to); returns the seconds
        waited. Raises when no member ever forwards: the host would be cut off."""
        t0 = time.monotonic()
        while True:
            out = self.appctl("bond/show")
            if re.search(r"^active member mac: \S+\((?!none)", out, re.M):
                return time.monotonic() - t0
            if time.monotonic() - t0 > timeout:
                raise RuntimeError(f"no bond member forwards after {timeout:.0f} s:\n{out}")
            time.sleep(0.2)

    # -- the inventory ---------------------------------------------------------------------
    def inventory(self) -> dict[str, Any]:
        """An inventory document: sw1/sw2 as ``linux_bridge`` hosts in their namespaces, hv1
        as an ``ovs`` host on the lab's OVSDB, read inside the OVS namespace (where the kernel
        facts of its ports live); each with its lldpd control socket. The uplinks are veths
        standing for NICs, so they are named in ``physical_uplinks``; the guest ``vm0`` is not,
        and the kernel (veth) keeps it from counting."""
        hosts: dict[str, Any] = {}
        for sw in ("sw1", "sw2"):
            hosts[sw] = {"platform": "linux_bridge", "transport": "local", "netns": self.ns(sw),
                         "data": {"lldpd_socket": str(self.lldpd[sw].socket),
                                  "physical_uplinks": ["swp*"]}}
        hosts["hv1"] = {"platform": "ovs", "transport": "local", "netns": self.ovs.netns,
                        "data": {"ovsdb": self.ovs.db,
                                 "ovs_appctl_target": str(self.ovs.vswitchd_ctl),
                                 "lldpd_socket": str(self.lldpd["hv1"].socket),
                                 "physical_uplinks": list(UPLINKS)}}
        return {"hosts": hosts}

