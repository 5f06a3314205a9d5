"""A `stormguard sniff` CLI process inside a lab namespace, its output collected."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from stormguard.testing.netns import NetnsLab


@dataclass
class SnifferProc:
    """`stormguard sniff --format json` running in a namespace; lines stamped on arrival."""

    proc: subprocess.Popen[str]
    events: list[tuple[float, dict]] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)

    def start_readers(self) -> None:
        def out() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                if line.strip():
                    self.events.append((time.time(), json.loads(line)))

        def err() -> None:
            assert self.proc.stderr is not None
            for line in self.proc.stderr:
                self.stderr.append(line.rstrip("\n"))
                if "listening on" in line:
                    self.ready.set()

        self._threads = [threading.Thread(target=f, daemon=True) for f in (out, err)]
        for t in self._threads:
            t.start()

    def wait_ready(self, timeout: float = 20.0) -> None:
        if not self.ready.wait(timeout):
            raise AssertionError(f"sniffer not ready: {self.stderr}")

    def stop(self, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout)
        for t in self._threads:
            t.join(5)
        return rc

    def coverage_line(self) -> str:
        return next((ln for ln in self.stderr if ln.startswith("# l0: read")), "")

    def read_count(self) -> int:
        line = self.coverage_line()
        return int(line.split()[3]) if line else -1


def start_sniffer(lab: NetnsLab, ns: str, iface: str, *extra: str) -> SnifferProc:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = lab.popen(ns, sys.executable, "-m", "stormguard", "sniff", "--iface", iface,
                     "--format", "json", *extra, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True, env=env)
    sp = SnifferProc(proc)
    sp.start_readers()
    return sp


