"""SSH host-key pinning: ``strict`` | ``tofu`` | ``ignore``.

A nightly collector logs in to hundreds of switches with one service password; if it would
talk to whatever answers on a switch's address, one spoofed box collects that password. So:

* ``tofu`` (default) -- trust on first use: the first key seen for ``[host]:port`` is pinned in
  a known_hosts file; a different key later refuses the device (failure class ``host-key``)
  *before* the password is sent (paramiko compares keys during key exchange).
* ``strict`` -- only keys already in the file are accepted; an unknown device is refused.
* ``ignore`` -- no checking at all (lab use).

The file is a plain OpenSSH known_hosts file (``ssh-keygen -R '[10.0.0.1]:22' -f FILE`` removes
a pin after a legitimate re-install). Default location: ``known_hosts`` under stormguard's data
dir; ``STORMGUARD_KNOWN_HOSTS`` or ``known_hosts_file`` in the collector settings override it.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

POLICIES: tuple[str, ...] = ("strict", "tofu", "ignore")
KNOWN_HOSTS_ENV = "STORMGUARD_KNOWN_HOSTS"


def default_known_hosts() -> Path:
    env = os.environ.get(KNOWN_HOSTS_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("stormguard")) / "known_hosts"


def host_entry_name(hostname: str, port: int) -> str:
    """The name OpenSSH and paramiko file a key under."""
    return hostname if port == 22 else f"[{hostname}]:{port}"


def fingerprint(key_b64: str) -> str:
    digest = hashlib.sha256(base64.b64decode(key_b64)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


#: A known_hosts file with a pin for 100,000 devices is ~60 MB.
MAX_KNOWN_HOSTS_BYTES = 128 * 1024 * 1024


def _check_known_hosts(path: Path) -> None:
    """One line, before any reader (ours, paramiko's) opens it: a device or a FIFO would be
    read for ever, and the file is rewritten by rename, so it must be a regular file."""
    import stat

    from stormguard.errors import ConfigError

    try:
        st = os.stat(path)
    except FileNotFoundError:
        return  # created on the first pin
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the known_hosts file: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(f"{path}: the known_hosts file is not a regular file")
    if st.st_size > MAX_KNOWN_HOSTS_BYTES:
        raise ConfigError(f"{path}: the known_hosts file is larger than the "
                          f"{MAX_KNOWN_HOSTS_BYTES:,}-byte limit")


class KnownHosts:
    """A known_hosts file shared by the worker threads of one process (and, via ``flock``, by
    several processes: the daemon and a manual ``stormguard collect``)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else default_known_hosts()
        self._lock = threading.Lock()
        _check_known_hosts(self.path)

    def _entries(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return out
        for line in text.splitlines():
            parts = line.split()
            if len(parts) < 3 or line.lstrip().startswith("#"):
                continue
            for name in parts[0].split(","):
                out.setdefault(name, {})[parts[1]] = parts[2]
        return out

    def lookup(self, hostname: str, port: int) -> dict[str, str]:
        """{key type: base64} pinned for this host (empty when unknown)."""
        return self._entries().get(host_entry_name(hostname, port), {})

    def pin(self, hostname: str, port: int, key_type: str, key_b64: str) -> bool:
        """Pin a key seen for the first time. Returns False (and writes nothing) when a key of
        that type is already pinned: pins are never overwritten silently.

        The file is rewritten to a temporary name and renamed over the old one, so a worker
        reading it at that moment (paramiko loads it on every connect) sees the old or the new
        file, never half a line. Writers serialise on a lock file (threads and processes)."""
        name = host_entry_name(hostname, port)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock_path = self.path.with_name(self.path.name + ".lock")
            with open(lock_path, "a+", encoding="utf-8") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    try:
                        text = self.path.read_text(encoding="utf-8")
                    except FileNotFoundError:
                        text = ""
                    for line in text.splitlines():
                        parts = line.split()
                        if (len(parts) >= 3 and name in parts[0].split(",")
                                and parts[1] == key_type):
                            return False
                    if text and not text.endswith("\n"):
                        text += "\n"
                    tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
                    tmp.write_text(text + f"{name} {key_type} {key_b64}\n", encoding="utf-8")
                    os.replace(tmp, self.path)
                    return True
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def netmiko_host_key_args(policy: str, known: KnownHosts, hostname: str,
                          port: int) -> Iterator[dict[str, Any]]:
    """ConnectHandler keyword arguments that make paramiko enforce `policy` during key
    exchange: a pinned key that differs raises ``BadHostKeyException``; with ``strict`` an
    unknown one raises ``SSHException`` (RejectPolicy).

    Paramiko is handed a private one-host copy of the pins, never the shared file: its
    AutoAddPolicy rewrites whatever file it loaded (truncate, then write), which would let a
    concurrent worker read half a file. New pins are written by :func:`check_after_connect`."""
    if policy not in POLICIES:
        raise ValueError(f"unknown host_key_policy {policy!r}")
    if policy == "ignore":
        yield {"ssh_strict": False, "system_host_keys": False, "alt_host_keys": False}
        return
    name = host_entry_name(hostname, port)
    lines = [f"{name} {kt} {b64}\n" for kt, b64 in known.lookup(hostname, port).items()]
    fd, tmp = tempfile.mkstemp(prefix="sg-known-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.writelines(lines)
        yield {"ssh_strict": policy == "strict", "system_host_keys": False,
               "alt_host_keys": True, "alt_key_file": tmp}
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def check_after_connect(policy: str, known: KnownHosts, hostname: str, port: int,
                        transport: Any) -> str | None:
    """Second line of defence once the session is up (and where TOFU pins a new key).

    Returns a one-line reason to refuse the device, or None when it may be used."""
    if policy == "ignore" or transport is None:
        return None
    key = transport.get_remote_server_key()
    key_type, key_b64 = key.get_name(), key.get_base64()
    pinned = known.lookup(hostname, port)
    if key_type in pinned:
        if pinned[key_type] != key_b64:
            return (f"host key changed: now {fingerprint(key_b64)}, pinned "
                    f"{fingerprint(pinned[key_type])} in {known.path}")
        return None
    if policy == "strict":
        return f"host key {fingerprint(key_b64)} not in {known.path} (strict)"
    known.pin(hostname, port, key_type, key_b64)
    return None


def classify_host_key_error(exc: BaseException, known: KnownHosts) -> str | None:
    """A one-line message when `exc` is a host-key refusal by paramiko, else None."""
    import paramiko

    if isinstance(exc, paramiko.BadHostKeyException):
        got = exc.key.get_base64()
        expected = exc.expected_key.get_base64()
        return (f"host key changed: now {fingerprint(got)}, pinned {fingerprint(expected)} "
                f"in {known.path}")
    if isinstance(exc, paramiko.SSHException) and "not found in known_hosts" in str(exc):
        return f"unknown host key (strict policy; not in {known.path})"
    return None


def verify_session_key(host: Any, known: KnownHosts, conn: Any) -> None:
    """Refuse an open Netmiko session (also the one NAPALM drives) whose host key the policy
    does not accept: raises CollectError(host-key)."""
    from stormguard.collect.base import CollectError

    transport = conn.remote_conn.get_transport() if conn.remote_conn else None
    refusal = check_after_connect(host.host_key_policy, known, host.hostname, host.port,
                                  transport)
    if refusal:
        raise CollectError(host.name, "host-key", refusal)
