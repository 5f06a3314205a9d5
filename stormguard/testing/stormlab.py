"""The storm lab: a real layer-2 loop between two Linux bridges, built in namespaces.

Topology (every box is its own network namespace, named ``<prefix>-<x>``)::

      [h] h0 ---- hb [b: br-b] b1 ==== a1 [a: br-a] la ---- l0 [l]
                           b2 ==== a2
    host that                   loop links                  listener
    sends traffic                                         (the sniffer)

``a1-b1`` is always up; ``a2-b2`` starts down. :meth:`StormLab.close_loop` brings it up and
sends one broadcast from ``h``; with STP off that frame circulates forever (both directions)
and ``br-a`` floods every copy to the listener. :meth:`StormLab.break_loop` sets ``a2`` down,
which ends the storm at once.

Options: ``second_listener`` also attaches the listener to ``br-b`` (``lb``/``l1``), so a
sniffer on ``l0`` and ``l1`` sees the same looping source on two interfaces; ``rate_limit``
puts a ``tc tbf`` on every loop-link end so the storm runs at a repeatable ~20-30k frames/s
and leaves CPU for the test; ``stp=True`` creates both bridges with
``stp_state 1 forward_delay 200`` (2 s, the kernel minimum) *before* any port exists, so the
kernel blocks one loop port and no storm forms.

IPv6 is disabled in the lab namespaces by default so that no stray neighbour discovery starts a
storm at an unplanned moment; the tests decide when the first frame is sent.

The lab is always torn down by ``with StormLab() as lab`` (or :meth:`StormLab.teardown`), which
breaks the loop first and then deletes only the namespaces it created.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from dataclasses import dataclass

from stormguard.testing.netns import NetnsLab, enter_netns, unique_prefix

ETH_P_ALL = 0x0003
TBF = ("tbf", "rate", "8mbit", "burst", "32kbit", "latency", "50ms")


def mac_bytes(mac: str) -> bytes:
    return bytes(int(x, 16) for x in mac.split(":"))


def arp_request(src_mac: str, src_ip: str, target_ip: str) -> bytes:
    """A broadcast ARP who-has frame (60 bytes, padded like a NIC would)."""
    src = mac_bytes(src_mac)
    frame = (b"\xff" * 6 + src + b"\x08\x06"
             + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
             + src + socket.inet_aton(src_ip) + b"\x00" * 6 + socket.inet_aton(target_ip))
    return frame.ljust(60, b"\x00")


def udp_multicast(src_mac: str, src_ip: str, group: str, port: int, payload: bytes) -> bytes:
    """An IPv4 UDP datagram to a multicast group (01:00:5e MAC), checksum left 0 (allowed)."""
    g = socket.inet_aton(group)
    dst = bytes([0x01, 0x00, 0x5E, g[1] & 0x7F, g[2], g[3]])
    udp = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload
    total = 20 + len(udp)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0, 1, 17, 0,
                      socket.inet_aton(src_ip), g)
    csum = _ip_checksum(hdr)
    hdr = hdr[:10] + struct.pack("!H", csum) + hdr[12:]
    return (dst + mac_bytes(src_mac) + b"\x08\x00" + hdr + udp).ljust(60, b"\x00")


def _ip_checksum(data: bytes) -> int:
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


@dataclass
class LabInfo:
    listener_ns: str
    listener_if: str
    host_ns: str
    host_if: str


class StormLab:
    """Build the loop; close it, break it, send traffic; always torn down."""

    HOST_MAC = "02:53:47:00:00:01"

    def __init__(self, stp: bool = False, rate_limit: bool = True, ipv6: bool = False,
                 prefix: str | None = None, second_listener: bool = False) -> None:
        self.stp = stp
        self.second_listener = second_listener
        self.rate_limit = rate_limit
        self.ipv6 = ipv6
        self.net = NetnsLab(prefix or unique_prefix("sgl"))
        self._tx: socket.socket | None = None
        self._senders: list[tuple[threading.Thread, threading.Event]] = []
        self.loop_closed_at: float | None = None
        self.loop_broken_at: float | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> StormLab:
        try:
            self.build()
        except BaseException:
            self.teardown()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.teardown()

    @property
    def a(self) -> str:
        return self.net.ns("a")

    @property
    def b(self) -> str:
        return self.net.ns("b")

    @property
    def listener_ns(self) -> str:
        return self.net.ns("l")

    @property
    def host_ns(self) -> str:
        return self.net.ns("h")

    listener_if = "l0"
    host_if = "h0"

    def build(self) -> None:
        n = self.net
        for short in ("a", "b", "l", "h"):
            ns = n.add_netns(short)
            if not self.ipv6:
                n.run(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1")
                n.run(ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1")
        fd = 200 if self.stp else None
        # Bridges first, with STP settings, before any port exists or comes up.
        n.add_bridge(self.a, "br-a", stp=self.stp, forward_delay_cs=fd)
        n.add_bridge(self.b, "br-b", stp=self.stp, forward_delay_cs=fd)
        # Listener and host attachments.
        n.add_veth("la", self.a, "l0", self.listener_ns, up=False)
        n.add_veth("hb", self.b, "h0", self.host_ns, up=False)
        if self.second_listener:  # l1: the listener also attached to br-b
            n.add_veth("lb", self.b, "l1", self.listener_ns, up=False)
            n.set_master(self.b, "lb", "br-b")
            n.link_up(self.b, "lb")
            n.link_up(self.listener_ns, "l1")
        n.ip(self.host_ns, "link", "set", "h0", "address", self.HOST_MAC)
        # The two loop links, created down.
        n.add_veth("a1", self.a, "b1", self.b, up=False)
        n.add_veth("a2", self.a, "b2", self.b, up=False)
        for ns, port, br in ((self.a, "la", "br-a"), (self.a, "a1", "br-a"),
                             (self.a, "a2", "br-a"), (self.b, "hb", "br-b"),
                             (self.b, "b1", "br-b"), (self.b, "b2", "br-b")):
            n.set_master(ns, port, br)
        if self.rate_limit:
            for ns, dev in ((self.a, "a1"), (self.a, "a2"), (self.b, "b1"), (self.b, "b2")):
                n.ip(ns, "link", "set", dev, "txqueuelen", "1000")
                n.run(ns, "tc", "qdisc", "add", "dev", dev, "root", *TBF)
        for ns, dev in ((self.a, "la"), (self.listener_ns, "l0"), (self.b, "hb"),
                        (self.host_ns, "h0"), (self.a, "a1"), (self.b, "b1"),
                        (self.b, "b2")):
            n.link_up(ns, dev)
        # a2 stays down: the loop is open until close_loop().

    def teardown(self) -> None:
        for thread, stop in self._senders:
            stop.set()
            thread.join(timeout=5)
        self._senders.clear()
        if self._tx is not None:
            self._tx.close()
            self._tx = None
        try:
            if self.net.namespaces:
                self.net.link_down(self.a, "a2")
        except Exception:
            pass  # best effort: the namespace deletion below ends the loop anyway
        self.net.teardown()

    # -- the loop ----------------------------------------------------------------------
    def close_loop(self, seed: bool = True, timeout: float = 5.0) -> float:
        """Bring the second loop link up; with ``seed`` send broadcasts until one circulates.

        The kernel activates a device's queueing discipline through linkwatch, up to ~1 s after
        the link is set up; until then frames sent into the loop are silently dropped. So the
        seed is re-sent every 100 ms until the listener sees a storm (or ``timeout`` passes,
        e.g. with STP blocking a port). Returns (and records in ``loop_closed_at``) the
        wall-clock time of the seed that started the storm, or of the last seed sent.
        """
        self.net.link_up(self.a, "a2")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._port_ready(self.a, "a2") and self._port_ready(self.b, "b2"):
                break
            time.sleep(0.02)
        self.loop_closed_at = time.time()
        if not seed:
            return self.loop_closed_at
        frame = arp_request(self.HOST_MAC, "10.99.0.2", "10.99.0.1")
        end = time.monotonic() + timeout
        while True:
            before = self.listener_rx()
            self.loop_closed_at = time.time()
            self.send(frame)
            time.sleep(0.1)
            if self.listener_rx() - before > 200 or time.monotonic() > end:
                return self.loop_closed_at

    def _port_ready(self, ns: str, dev: str) -> bool:
        info = json.loads(self.net.ip(ns, "-j", "link", "show", "dev", dev).stdout or b"[]")
        if not info or info[0].get("operstate") != "UP":
            return False
        if self.stp:
            return True  # with STP the port goes listening/blocking: carrier is what counts
        ports = json.loads(self.net.run(ns, "bridge", "-j", "link", "show", "dev", dev).stdout
                           or b"[]")
        return bool(ports) and ports[0].get("state") == "forwarding"

    def break_loop(self) -> float:
        """Set a looping link down; returns the wall-clock time just before."""
        self.loop_broken_at = time.time()
        self.net.link_down(self.a, "a2")
        return self.loop_broken_at

    def port_states(self, ns: str | None = None) -> str:
        """``bridge link show`` output of one bridge namespace (default: a)."""
        return self.net.run(ns or self.a, "bridge", "link", "show").stdout.decode()

    def listener_rx(self) -> int:
        return self.net.read_counter(self.listener_ns, "l0")

    # -- traffic from the host namespace -------------------------------------------------
    def _tx_socket(self) -> socket.socket:
        if self._tx is None:
            with enter_netns(self.host_ns):
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            s.bind((self.host_if, 0))
            self._tx = s
        return self._tx

    def send(self, frame: bytes, count: int = 1) -> None:
        s = self._tx_socket()
        for _ in range(count):
            s.send(frame)

    def start_ordinary_traffic(self, fps: float = 20.0) -> None:
        """ARP requests and IPv4 multicast from ``h`` at ``fps`` each, until teardown.

        Each frame is different (target address / sequence number), as on a quiet LAN.
        """
        stop = threading.Event()

        def loop() -> None:
            seq = 0
            while not stop.is_set():
                seq += 1
                self.send(arp_request(self.HOST_MAC, "10.99.0.2",
                                      f"10.99.{(seq >> 8) & 0xFF}.{seq & 0xFF}"))
                self.send(udp_multicast(self.HOST_MAC, "10.99.0.2", "239.1.2.3", 5004,
                                        seq.to_bytes(4, "big") * 4))
                stop.wait(1.0 / fps)

        t = threading.Thread(target=loop, name="stormlab-traffic", daemon=True)
        t.start()
        self._senders.append((t, stop))

    def stop_ordinary_traffic(self) -> None:
        for thread, stop in self._senders:
            stop.set()
            thread.join(timeout=5)
        self._senders.clear()

    # -- interfaces that come and go under the listener ------------------------------------
    def delete_listener(self, name: str = "l0") -> None:
        """Delete the listener's interface (its bridge-side peer goes with it)."""
        self.net.ip(self.listener_ns, "link", "del", name)

    def add_listener(self, name: str = "l0", peer: str = "la") -> None:
        """(Re-)create a listener interface ``name`` on ``br-a`` (peer ``peer`` in ``a``), up:
        what a re-created VM interface or a hot-plugged NIC looks like to the sniffer."""
        n = self.net
        n.add_veth(peer, self.a, name, self.listener_ns, up=False)
        n.set_master(self.a, peer, "br-a")
        n.link_up(self.a, peer)
        n.link_up(self.listener_ns, name)

    def info(self) -> LabInfo:
        return LabInfo(self.listener_ns, self.listener_if, self.host_ns, self.host_if)
