"""Where an interface is, and whether its link is up: the sniffer's view of the network stack.

A switch's storm-control ``shutdown``, err-disable recovery, a re-plugged cable, a VM whose tap
is re-created, a hot-plugged USB NIC: all change the interface under a capture socket. The
kernel tells a packet socket about some of it (``ENETDOWN`` on its error queue when the
interface goes administratively down or is deleted) but not about carrier loss, and a socket
bound to a deleted interface never sees the new one of the same name (new ifindex).

So the engine asks here instead:

* :meth:`LinkMonitor.query` — ifindex and flags by name (an rtnetlink ``RTM_GETLINK`` on a
  socket of the capture's namespace; ``SIOCGIFFLAGS`` as the fallback), giving ``missing`` /
  ``down`` (not ``IFF_UP``: admin down; not ``IFF_LOWER_UP``: no carrier) / ``up``. Carrier
  is read directly: the operational state (``IFF_RUNNING``) and the kernel's notification
  follow it up to a second later, while frames already flow;
* an rtnetlink socket subscribed to link changes (``RTMGRP_LINK``) whose file descriptor the
  engine polls, so a link coming back or a new interface is noticed at once and nothing has to
  poll while everything is down.

:class:`NetnsRef` remembers the network namespace the engine was opened in, so a socket
re-opened later from the engine's own thread lands in the same namespace (a socket stays in
the namespace its creating thread was in).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass

SIOCGIFFLAGS = 0x8913
SIOCGIFINDEX = 0x8933
IFF_UP = 0x1
IFF_RUNNING = 0x40
IFF_LOWER_UP = 0x10000
RTMGRP_LINK = 0x1
RTM_NEWLINK, RTM_GETLINK = 16, 18
NLMSG_ERROR = 2
NLM_F_REQUEST = 1
IFLA_IFNAME = 3
_NLMSGHDR = struct.Struct("=IHHII")
_IFINFOMSG = struct.Struct("=BxHiII")
_RTATTR = struct.Struct("=HH")
CLONE_NEWNET = 0x40000000
_IFREQ = struct.Struct("16sH14x")  # ifr_name, then a short (flags) or int (index) in the union
_IFREQ_INDEX = struct.Struct("16si12x")

MISSING, DOWN, UP = "missing", "down", "up"


@dataclass(frozen=True)
class LinkInfo:
    state: str  # missing | down | up
    ifindex: int | None = None
    detail: str = ""


class LinkMonitor:
    """Link state by name, and a pollable descriptor that becomes readable on link changes."""

    def __init__(self) -> None:
        self._ctl = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._seq = 0
        self._q: socket.socket | None = None
        try:
            q = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
            q.settimeout(1.0)
            q.bind((0, 0))
            self._q = q
        except OSError:
            self._q = None
        self.nl: socket.socket | None = None
        try:
            nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_NONBLOCK,
                               socket.NETLINK_ROUTE)
            nl.bind((0, RTMGRP_LINK))
            self.nl = nl
        except OSError:  # no rtnetlink: the engine falls back to its periodic checks
            self.nl = None

    def fileno(self) -> int | None:
        return self.nl.fileno() if self.nl is not None else None

    def drain(self) -> int:
        """Read and discard the pending link notifications; returns how many were read.

        Their content does not matter: any of them means "look again". An overrun
        (``ENOBUFS``) just means the same.
        """
        if self.nl is None:
            return 0
        n = 0
        while n < 1024:
            try:
                self.nl.recv(65536)
            except BlockingIOError:
                break
            except OSError as exc:
                if exc.errno == errno.ENOBUFS:
                    n += 1
                    continue
                break
            n += 1
        return n

    def query(self, iface: str) -> LinkInfo:
        if self._q is not None:
            try:
                return self._query_netlink(iface)
            except (OSError, struct.error):
                pass  # fall back to the ioctls
        return self._query_ioctl(iface)

    def _query_netlink(self, iface: str) -> LinkInfo:
        assert self._q is not None
        self._seq = (self._seq + 1) & 0xFFFFFFFF
        name = iface.encode()[:15] + b"\0"
        attr = _RTATTR.pack(_RTATTR.size + len(name), IFLA_IFNAME) + name
        attr += b"\0" * (-len(attr) % 4)
        body = _IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0) + attr
        self._q.send(_NLMSGHDR.pack(_NLMSGHDR.size + len(body), RTM_GETLINK, NLM_F_REQUEST,
                                    self._seq, 0) + body)
        while True:
            data = self._q.recv(65536)
            off = 0
            while off + _NLMSGHDR.size <= len(data):
                length, kind, _flags, seq, _pid = _NLMSGHDR.unpack_from(data, off)
                if length < _NLMSGHDR.size:
                    break
                if seq == self._seq:
                    if kind == NLMSG_ERROR:
                        err = -struct.unpack_from("=i", data, off + _NLMSGHDR.size)[0]
                        if err in (errno.ENODEV, errno.ENXIO):
                            return LinkInfo(MISSING, None, "no such network interface")
                        raise OSError(err, os.strerror(err))
                    if kind == RTM_NEWLINK:
                        _t, index, flags, _c = _IFINFOMSG.unpack_from(data,
                                                                      off + _NLMSGHDR.size)[1:]
                        return self._info(index, flags, carrier=True)
                off += (length + 3) & ~3

    @staticmethod
    def _info(index: int, flags: int, carrier: bool) -> LinkInfo:
        if not flags & IFF_UP:
            return LinkInfo(DOWN, index, "administratively down")
        if not flags & (IFF_LOWER_UP if carrier else IFF_RUNNING):
            return LinkInfo(DOWN, index, "no carrier")
        return LinkInfo(UP, index)

    def _query_ioctl(self, iface: str) -> LinkInfo:
        name = iface.encode()[:15]
        try:
            raw = fcntl.ioctl(self._ctl, SIOCGIFINDEX, _IFREQ_INDEX.pack(name, 0))
            index = _IFREQ_INDEX.unpack(raw)[1]
            raw = fcntl.ioctl(self._ctl, SIOCGIFFLAGS, _IFREQ.pack(name, 0))
            flags = _IFREQ.unpack(raw)[1]
        except OSError as exc:
            if exc.errno in (errno.ENODEV, errno.ENXIO):
                return LinkInfo(MISSING, None, "no such network interface")
            return LinkInfo(MISSING, None, exc.strerror or str(exc))
        return self._info(index, flags, carrier=False)  # 16-bit flags: no IFF_LOWER_UP

    def close(self) -> None:
        self._ctl.close()
        if self._q is not None:
            self._q.close()
            self._q = None
        if self.nl is not None:
            self.nl.close()
            self.nl = None


# -- network namespaces -------------------------------------------------------------------------
_libc: ctypes.CDLL | None = None


def _setns(fd: int) -> None:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


class NetnsRef:
    """The network namespace of the thread that created it, to come back to later."""

    def __init__(self) -> None:
        self._fd = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        self.inode = os.fstat(self._fd).st_ino

    @contextlib.contextmanager
    def entered(self) -> Iterator[None]:
        """Run the body in this namespace (a no-op when the calling thread is already in it)."""
        if os.stat("/proc/thread-self/ns/net").st_ino == self.inode:
            yield
            return
        own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        try:
            _setns(self._fd)
            try:
                yield
            finally:
                _setns(own)
        finally:
            os.close(own)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)
