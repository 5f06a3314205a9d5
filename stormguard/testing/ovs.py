"""A real, throw-away Open vSwitch in user space, for tests and demos.

Why user space: the kernel datapath module is not available in containers and CI machines, and a
test must never touch the host's own switch. So each :class:`OvsLab` gets

* its own run directory under a temp dir, a fresh database made with ``ovsdb-tool create``,
* an ``ovsdb-server`` listening on a unix socket in that directory (nothing on the network),
* an ``ovs-vswitchd`` started with ``--disable-system`` inside a network namespace the lab
  creates (``sgovs-<random>``), so the tap devices the ``netdev`` datapath makes, and the veth
  pairs that stand for physical NICs, live and die with that namespace,
* bridges with ``datapath_type=netdev``, and every ``ovs-vsctl`` call with ``--db=unix:...``.

:meth:`OvsLab.close` (also the context manager exit) stops both daemons it started, by their
own process handles, deletes its namespace and its run directory: always, even after a failure.
It never touches another OVS, namespace or bridge.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from stormguard.inventory import Host

SCHEMA_CANDIDATES = (
    "/usr/share/openvswitch/vswitch.ovsschema",
    "/usr/local/share/openvswitch/vswitch.ovsschema",
)
BINARIES = ("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ip")


class OvsUnavailable(RuntimeError):
    """Open vSwitch binaries, the schema, or root (for the namespace) are missing."""


def missing_requirements() -> str | None:
    """Why an OvsLab cannot start here, or None when it can."""
    lacking = [b for b in BINARIES if shutil.which(b) is None]
    if lacking:
        return f"missing binaries: {', '.join(lacking)} (apt-get install openvswitch-switch)"
    if _schema() is None:
        return "vswitch.ovsschema not found"
    if os.geteuid() != 0:
        return "needs root to create a network namespace"
    return None


def _schema() -> str | None:
    return next((p for p in SCHEMA_CANDIDATES if Path(p).is_file()), None)


def _run(argv: list[str], timeout: float = 20.0) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {proc.returncode}: {proc.stderr.strip()}")
    return proc.stdout


def _wait_for(path: Path, proc: subprocess.Popen[bytes], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before it was ready")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(0.02)


class OvsLab:
    """One private Open vSwitch (ovsdb-server + ovs-vswitchd) and the namespace it runs in."""

    def __init__(self, prefix: str = "sgovs") -> None:
        why = missing_requirements()
        if why:
            raise OvsUnavailable(why)
        self.name = f"{prefix}-{secrets.token_hex(3)}"
        self.netns = self.name
        self.run_dir = Path(tempfile.mkdtemp(prefix=f"stormguard-{self.name}-"))
        self.db_path = self.run_dir / "conf.db"
        self.db_sock = self.run_dir / "db.sock"
        self.db = f"unix:{self.db_sock}"
        self.vswitchd_ctl = self.run_dir / "ovs-vswitchd.ctl"
        self._procs: list[subprocess.Popen[bytes]] = []
        self._netns_made = False
        self.started = False
        self.nics: list[str] = []  # the veths that stand for NICs (make_nic)

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> OvsLab:
        try:
            _run(["ovsdb-tool", "create", str(self.db_path), str(_schema())])
            _run(["ip", "netns", "add", self.netns])
            self._netns_made = True
            _run(["ip", "-n", self.netns, "link", "set", "lo", "up"])
            env = dict(os.environ, OVS_RUNDIR=str(self.run_dir), OVS_LOGDIR=str(self.run_dir),
                       OVS_DBDIR=str(self.run_dir))
            self._procs.append(subprocess.Popen(
                ["ovsdb-server", str(self.db_path), f"--remote=punix:{self.db_sock}",
                 f"--unixctl={self.run_dir / 'ovsdb-server.ctl'}",
                 f"--log-file={self.run_dir / 'ovsdb-server.log'}", "-vconsole:off"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env=env,
            ))
            _wait_for(self.db_sock, self._procs[0], "ovsdb-server", 10)
            self.vsctl("--no-wait", "init")
            self._procs.append(subprocess.Popen(
                ["ip", "netns", "exec", self.netns, "ovs-vswitchd", self.db, "--disable-system",
                 f"--unixctl={self.vswitchd_ctl}",
                 f"--log-file={self.run_dir / 'ovs-vswitchd.log'}", "-vconsole:off"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env=env,
            ))
            _wait_for(self.vswitchd_ctl, self._procs[1], "ovs-vswitchd", 15)
            self.started = True
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Stop what this lab started, newest first; remove its namespace and run directory."""
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
        self._procs.clear()
        if self._netns_made:
            subprocess.run(["ip", "netns", "del", self.netns], capture_output=True, check=False)
            self._netns_made = False
        shutil.rmtree(self.run_dir, ignore_errors=True)
        self.started = False

    def __enter__(self) -> OvsLab:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- building ------------------------------------------------------------------------------
    def vsctl(self, *args: str) -> str:
        return _run(["ovs-vsctl", f"--db={self.db}", "--timeout=15", *args])

    def add_bridge(self, name: str, *, stp: bool = False, rstp: bool = False) -> None:
        self.vsctl("add-br", name, "--", "set", "bridge", name, "datapath_type=netdev",
                   f"stp_enable={str(stp).lower()}", f"rstp_enable={str(rstp).lower()}")

    def make_nic(self, name: str) -> None:
        """A veth pair inside the lab namespace: `name` stands for a physical NIC (the kernel
        says veth, so :meth:`host` names it in ``physical_uplinks``, as an operator would)."""
        self.nics.append(name)
        _run(["ip", "-n", self.netns, "link", "add", name, "type", "veth", "peer", "name",
              f"{name}-far"[:15]])
        _run(["ip", "-n", self.netns, "link", "set", name, "up"])

    def add_port(self, bridge: str, name: str, *settings: str, nic: bool = True,
                 iface_type: str | None = None) -> None:
        """Add port `name`; `settings` are ``column=value`` items for the Port row."""
        if nic and iface_type is None:
            self.make_nic(name)
        argv = ["add-port", bridge, name]
        if settings:
            argv += ["--", "set", "port", name, *settings]
        if iface_type:
            argv += ["--", "set", "interface", name, f"type={iface_type}"]
        self.vsctl(*argv)

    def add_bond(self, bridge: str, name: str, members: list[str], *settings: str) -> None:
        for m in members:
            self.make_nic(m)
        argv = ["add-bond", bridge, name, *members]
        if settings:
            argv += ["--", "set", "port", name, *settings]
        self.vsctl(*argv)

    def host(self, name: str = "hv-ovs", **data: Any) -> Host:
        """An inventory Host that collects this lab locally, inside the lab's namespace (where
        the ports' netdevs live, so the collector reads their kernel facts), with the stand-in
        NICs made so far named in ``physical_uplinks`` (override with `data`)."""
        base: dict[str, Any] = {"ovsdb": self.db, "ovs_appctl_target": str(self.vswitchd_ctl)}
        if self.nics:
            base["physical_uplinks"] = list(self.nics)
        return Host(name=name, hostname="local", platform="ovs", transport="local",
                    netns=self.netns, data={**base, **data})

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            text = (self.run_dir / "ovs-vswitchd.log").read_text(errors="replace")
            return "\n".join(text.splitlines()[-lines:])
        return ""
