"""Real SNMP agents for tests and the demo: snmpsim serving IF-MIB walks whose counters rise.

Each agent is one ``.snmprec`` file (its community is the file's name) with ``sysUpTime`` and,
per port, ``ifName``, ``ifHighSpeed`` and the HC in-counters driven by snmpsim's ``numeric``
variation module: a counter that rises at a given rate per second, so a "storm" port and a calm
one differ only in the rate. All agents answer on one UDP endpoint on 127.0.0.1.

snmpsim refuses to run as root: it drops to ``nobody`` then, so its data and cache directories
are made world-readable (and the cache writable) in a temporary directory of their own, and
the modules it imports late are imported before the drop (this interpreter may live under
/root, which ``nobody`` cannot read).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

_LAUNCH = """
import dbm, dbm.dumb, os, sys, tempfile
p = tempfile.mktemp(dir=sys.argv[1]); d = dbm.open(p, "n"); d.close()
for f in os.listdir(sys.argv[1]):
    if f.startswith(os.path.basename(p)):
        os.unlink(os.path.join(sys.argv[1], f))
import snmpsim.variation, snmpsim.record.search.database
from snmpsim.commands.responder import main
sys.argv = [sys.argv[0]] + sys.argv[2:]
sys.exit(main())
"""


@dataclass
class SimPort:
    name: str
    bcast_pps: float = 5.0
    mcast_pps: float = 5.0
    ucast_pps: float = 500.0
    speed_mbps: int = 10000
    initial: int = 1_000_000


@dataclass
class SimAgent:
    community: str
    ports: list[SimPort] = field(default_factory=list)


def snmprec(agent: SimAgent) -> str:
    lines = ["1.3.6.1.2.1.1.1.0|4|stormguard test agent",
             "1.3.6.1.2.1.1.3.0|67:numeric|rate=100,initial=100"]
    cols: dict[str, list[str]] = {"1": [], "7": [], "8": [], "9": [], "15": []}
    for i, p in enumerate(agent.ports, start=1):
        cols["1"].append(f"1.3.6.1.2.1.31.1.1.1.1.{i}|4|{p.name}")
        cols["7"].append(f"1.3.6.1.2.1.31.1.1.1.7.{i}|70:numeric|rate={p.ucast_pps:g},"
                         f"initial={p.initial}")
        cols["8"].append(f"1.3.6.1.2.1.31.1.1.1.8.{i}|70:numeric|rate={p.mcast_pps:g},"
                         f"initial={p.initial}")
        cols["9"].append(f"1.3.6.1.2.1.31.1.1.1.9.{i}|70:numeric|rate={p.bcast_pps:g},"
                         f"initial={p.initial}")
        cols["15"].append(f"1.3.6.1.2.1.31.1.1.1.15.{i}|66|{p.speed_mbps}")
    for c in ("1", "7", "8", "9", "15"):  # .snmprec must be in OID order
        lines += sorted(cols[c], key=lambda x: int(x.split("|")[0].rsplit(".", 1)[1]))
    return "\n".join(lines) + "\n"


class SnmpSim:
    """``with SnmpSim(agents) as sim:`` → agents answering on 127.0.0.1:``sim.port``."""

    def __init__(self, agents: list[SimAgent], extra_args: list[str] | None = None) -> None:
        self.agents = agents
        self.extra_args = list(extra_args or [])
        self.dir = Path(tempfile.mkdtemp(prefix="sg-snmpsim-"))
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> SnmpSim:
        data, cache = self.dir / "data", self.dir / "cache"
        data.mkdir()
        cache.mkdir()
        for a in self.agents:
            (data / f"{a.community}.snmprec").write_text(snmprec(a))
        for p in (self.dir, data):
            p.chmod(0o755)
        cache.chmod(0o777)
        for f in data.iterdir():
            f.chmod(0o644)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        launcher = self.dir / "launch.py"
        launcher.write_text(_LAUNCH)
        launcher.chmod(0o644)
        cmd = [sys.executable, str(launcher), str(cache), f"--data-dir={data}",
               f"--cache-dir={cache}", f"--logging-method=file:{cache / 'snmpsim.log'}"]
        if os.geteuid() == 0:
            cmd += ["--process-user=nobody", "--process-group=nogroup"]
        # v3 engine options open an engine section: its endpoint must follow them
        cmd += [*self.extra_args, f"--agent-udpv4-endpoint=127.0.0.1:{self.port}"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr \
                    else ""
                raise RuntimeError(f"snmpsim exited: {err.strip()[-300:]}")
            if self._answers():
                return self
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("snmpsim did not answer within the timeout")

    def _answers(self) -> bool:
        """A raw SNMPv2c GET of sysUpTime for the first agent (no pysnmp needed here)."""
        community = self.agents[0].community.encode()
        oid = bytes([0x06, 0x08, 0x2B, 6, 1, 2, 1, 1, 3, 0])
        vb = b"\x30" + bytes([len(oid) + 2]) + oid + b"\x05\x00"
        vbl = b"\x30" + bytes([len(vb)]) + vb
        pdu_body = b"\x02\x01\x01\x02\x01\x00\x02\x01\x00" + vbl
        pdu = b"\xa0" + bytes([len(pdu_body)]) + pdu_body
        msg_body = b"\x02\x01\x01\x04" + bytes([len(community)]) + community + pdu
        msg = b"\x30" + bytes([len(msg_body)]) + msg_body
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.5)
            try:
                s.sendto(msg, ("127.0.0.1", self.port))
                return bool(s.recv(4096))
            except OSError:
                return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> SnmpSim:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
