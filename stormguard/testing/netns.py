"""Safe helpers to build throw-away topologies in Linux network namespaces.

Tests (and the storm lab) need real bridges, veth pairs and namespaces, but the machine is shared:
other helpers' namespaces and the host's own interfaces must never be touched. So a
:class:`NetnsLab` gives every namespace it creates a unique prefix, remembers exactly what it
created, and its :meth:`NetnsLab.teardown` deletes only that. Deleting a namespace also deletes
the veth ends and bridges inside it, which is why everything built here lives inside a lab
namespace (never in the root namespace).

Use it as a context manager so the teardown runs in a ``finally``::

    with NetnsLab("sgt") as lab:
        a = lab.add_netns("a")
        b = lab.add_netns("b")
        lab.add_veth("v0", a, "v1", b)
        lab.run(a, "ip", "link", "show")

:func:`enter_netns` switches only the *calling thread* into a namespace (``setns(2)``), so a
socket can be opened there in-process (a socket stays in the namespace it was created in).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import secrets
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

CLONE_NEWNET = 0x40000000
NETNS_RUN_DIR = Path("/var/run/netns")


class NetnsError(RuntimeError):
    """A namespace command failed; the message carries the command and its stderr."""


def unique_prefix(base: str = "sg") -> str:
    """A short prefix unlikely to collide with another process's namespaces."""
    return f"{base}{os.getpid() % 100000}{secrets.token_hex(2)}"


def _run(cmd: Sequence[str], check: bool = True, timeout: float = 20.0,
         input_: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run(list(cmd), capture_output=True, timeout=timeout, input=input_)
    if check and proc.returncode != 0:
        raise NetnsError(f"{' '.join(cmd)}: exit {proc.returncode}: "
                         f"{proc.stderr.decode(errors='replace').strip()}")
    return proc


class NetnsLab:
    """Namespaces, veths and bridges created under one unique prefix; torn down together."""

    def __init__(self, prefix: str | None = None) -> None:
        self.prefix = prefix if prefix else unique_prefix()
        self.namespaces: list[str] = []
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> NetnsLab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.teardown()

    def teardown(self) -> None:
        """Delete the namespaces this lab created (and with them everything inside)."""
        errors = []
        for ns in reversed(self.namespaces):
            proc = _run(["ip", "netns", "delete", ns], check=False)
            if proc.returncode != 0 and (NETNS_RUN_DIR / ns).exists():
                errors.append(f"{ns}: {proc.stderr.decode(errors='replace').strip()}")
        self.namespaces.clear()
        self._closed = True
        if errors:
            raise NetnsError("teardown failed for " + "; ".join(errors))

    # -- building blocks ---------------------------------------------------------------
    def ns(self, short: str) -> str:
        """Full namespace name for a short name (``a`` -> ``<prefix>-a``)."""
        return f"{self.prefix}-{short}"

    def add_netns(self, short: str) -> str:
        name = self.ns(short)
        _run(["ip", "netns", "add", name])
        self.namespaces.append(name)
        self.run(name, "ip", "link", "set", "lo", "up")
        return name

    def _own(self, ns: str) -> None:
        if ns not in self.namespaces:
            raise NetnsError(f"namespace {ns} was not created by this lab")

    def run(self, ns: str, *cmd: str, check: bool = True, timeout: float = 20.0,
            input_: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        """Run a command inside one of this lab's namespaces."""
        self._own(ns)
        return _run(["ip", "netns", "exec", ns, *cmd], check=check, timeout=timeout,
                    input_=input_)

    def popen(self, ns: str, *cmd: str, **kwargs: object) -> subprocess.Popen[bytes]:
        """Start a long-running command inside a namespace (the caller must end it)."""
        self._own(ns)
        return subprocess.Popen(["ip", "netns", "exec", ns, *cmd], **kwargs)  # type: ignore[call-overload]

    def ip(self, ns: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        self._own(ns)
        return _run(["ip", "-n", ns, *args], check=check)

    def add_veth(self, a: str, a_ns: str, b: str, b_ns: str, up: bool = True) -> None:
        """A veth pair with end ``a`` in ``a_ns`` and end ``b`` in ``b_ns``.

        It is created inside ``a_ns`` directly so that it never exists in the root namespace
        (where its name could clash with another helper's interfaces).
        """
        self._own(a_ns)
        self._own(b_ns)
        self.ip(a_ns, "link", "add", a, "type", "veth", "peer", "name", b, "netns", b_ns)
        if up:
            self.link_up(a_ns, a)
            self.link_up(b_ns, b)

    def add_bridge(self, ns: str, name: str, stp: bool = False,
                   forward_delay_cs: int | None = None, up: bool = True) -> None:
        """A Linux bridge; STP state and forward delay are set at creation, before any port."""
        args = ["link", "add", name, "type", "bridge", "stp_state", "1" if stp else "0"]
        if forward_delay_cs is not None:
            args += ["forward_delay", str(forward_delay_cs)]
        self.ip(ns, *args)
        if up:
            self.link_up(ns, name)

    def set_master(self, ns: str, port: str, bridge: str) -> None:
        self.ip(ns, "link", "set", port, "master", bridge)

    def link_up(self, ns: str, dev: str) -> None:
        self.ip(ns, "link", "set", dev, "up")

    def link_down(self, ns: str, dev: str) -> None:
        self.ip(ns, "link", "set", dev, "down")

    def read_counter(self, ns: str, dev: str, counter: str = "rx_packets") -> int:
        out = self.run(ns, "cat", f"/sys/class/net/{dev}/statistics/{counter}").stdout
        return int(out.decode().strip())


# -- per-thread namespace switching -----------------------------------------------------------
_libc: ctypes.CDLL | None = None


def _setns(fd: int) -> None:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


@contextlib.contextmanager
def enter_netns(ns: str) -> Iterator[None]:
    """Run the body with the calling thread inside network namespace ``ns``.

    Only this thread moves; sockets created inside stay in ``ns`` after the block ends.
    """
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(str(NETNS_RUN_DIR / ns), os.O_RDONLY)
    try:
        _setns(target)
        try:
            yield
        finally:
            _setns(own)
    finally:
        os.close(target)
        os.close(own)
