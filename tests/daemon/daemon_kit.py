"""Helpers for the daemon tests: config writing, the daemon as a subprocess, store peeks."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from stormguard.testing.fakenet import FakeNetwork

ROOT = Path(__file__).resolve().parents[2]
#: distinctive, so a grep through the DB, the logs and the reports cannot miss it
PASSWORD = "Sg-Daemon-Pw-4e1b7d"
PASSWORD_ENV = "SG_DAEMON_TEST_PASSWORD"

def write_setup(tmp: Path, net: FakeNetwork, *, names: list[str] | None = None,
                timeout: float = 20.0, **config: Any) -> Path:
    """inventory.yaml + stormguard.yaml in `tmp`; returns the config path."""
    inv = net.inventory(password_env=PASSWORD_ENV, timeout=timeout, retries=0, names=names)
    (tmp / "inventory.yaml").write_text(yaml.safe_dump(inv, sort_keys=False))
    doc: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp / 'sg.db'}",
        "inventory": "inventory.yaml",
        "jobs": [{"name": "nightly", "cron": "0 2 * * *"}],
        "collect": {"known_hosts": "known_hosts", "workers": 8},
        "report": {"dir": "reports", "formats": ["html", "json"]},
        "metrics": {"enabled": False},
        "shutdown_timeout_s": 3,
    }
    for key, value in config.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            doc[key] = {**doc[key], **value}
        else:
            doc[key] = value
    path = tmp / "stormguard.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def free_port() -> int:
    from stormguard.testing.fakenet import free_port as fp

    return fp()


class DaemonProc:
    """`stormguard daemon` in a subprocess with JSON logs read line by line."""

    def __init__(self, config: Path, name: str = "daemon",
                 prefix: list[str] | None = None) -> None:
        env = dict(os.environ)
        env.pop("STORMGUARD_DATABASE_URL", None)
        env.pop("STORMGUARD_CONFIG", None)
        self.name = name
        self.proc = subprocess.Popen(
            [*(prefix or []), sys.executable, "-m", "stormguard", "daemon", "--config",
             str(config),
             "--log-format", "json"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
            cwd=config.parent)
        self.lines: list[str] = []
        self.records: list[dict[str, Any]] = []
        self._q: queue.Queue[dict[str, Any]] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            try:
                rec = json.loads(line)
            except ValueError:
                rec = {"msg": line.rstrip("\n"), "level": "raw"}
            self.records.append(rec)
            self._q.put(rec)

    def wait_for(self, text: str, timeout: float = 30.0) -> dict[str, Any]:
        """The first log record (old or new) whose message contains `text`."""
        end = time.monotonic() + timeout
        seen = 0
        while True:
            for rec in self.records[seen:]:
                if text in str(rec.get("msg", "")):
                    return rec
            seen = len(self.records)
            left = end - time.monotonic()
            if left <= 0 or (self.proc.poll() is not None and self._q.empty()):
                if self.proc.poll() is not None:
                    time.sleep(0.2)
                    for rec in self.records[seen:]:
                        if text in str(rec.get("msg", "")):
                            return rec
                raise AssertionError(f"{self.name}: no log line with {text!r} within "
                                     f"{timeout:g} s; log:\n" + "\n".join(self.lines[-40:]))
            with contextlib.suppress(queue.Empty):
                self._q.get(timeout=min(left, 0.5))

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def wait(self, timeout: float = 30.0) -> int:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(5)
        return code

    def log_text(self) -> str:
        return "\n".join(self.lines)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def open_store(config: Path) -> Any:
    from stormguard.config import load_config
    from stormguard.store import Store

    cfg = load_config(config, environ={})
    return Store.open(cfg.database_url, recover=False)


def seed_past_run(config: Path, job: str, started_ago_s: float) -> int:
    """A finished run of `job` that started `started_ago_s` seconds ago (as if the daemon had
    run it before the host went down)."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from stormguard.store.models import RunModel

    runs_t = RunModel.__table__

    store = open_store(config)
    try:
        rid = store.start_run(job, "schedule")
        store.finish_run(rid, "ok", {"seeded": True})
        when = datetime.now(UTC) - timedelta(seconds=started_ago_s)
        with store.engine.begin() as c:
            c.execute(update(runs_t).where(runs_t.c.id == rid)
                      .values(started_at=when, finished_at=when + timedelta(seconds=5),
                              heartbeat_at=when))
        return rid
    finally:
        store.close()


def runs_of(config: Path, job: str = "nightly") -> list[Any]:
    store = open_store(config)
    try:
        return sorted(store.list_runs(limit=100, kind=job), key=lambda r: r.id)
    finally:
        store.close()


def wait_until(pred: Any, timeout: float, step: float = 0.3, what: str = "condition") -> Any:
    end = time.monotonic() + timeout
    while True:
        val = pred()
        if val:
            return val
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(step)
