"""Real receivers on loopback for the alert tests: HTTP webhook, SMTP (aiosmtpd), syslog
(UDP and TCP), and a real Prometheus Alertmanager when the binary is installed."""

from __future__ import annotations

import json
import shutil
import socket
import socketserver
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebhookReceiver:
    """A real HTTP server that records JSON POSTs; can be stopped and restarted on its port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[tuple[str, object]] = []
        self.auth: list[str | None] = []
        self._server: ThreadingHTTPServer | None = None
        self.status = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        recv = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                recv.requests.append((self.path, json.loads(body)))
                recv.auth.append(self.headers.get("Authorization"))
                self.send_response(recv.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *a: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def bodies(self) -> list[object]:
        return [b for _, b in self.requests]


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver()
    r.start()
    try:
        yield r
    finally:
        r.stop()


class SmtpSink:
    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[str, list[str], bytes]] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.content))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    s = SmtpSink()
    s.controller.start()
    try:
        yield s
    finally:
        s.controller.stop()


class SyslogListener:
    def __init__(self, protocol: str) -> None:
        self.protocol = protocol
        self.messages: list[bytes] = []
        listener = self
        if protocol == "udp":
            class U(socketserver.BaseRequestHandler):
                def handle(self) -> None:
                    listener.messages.append(self.request[0])

            self.server: socketserver.BaseServer = socketserver.ThreadingUDPServer(
                ("127.0.0.1", 0), U)
        else:
            class T(socketserver.StreamRequestHandler):
                def handle(self) -> None:
                    # RFC 6587 octet counting: "LEN SP MSG"
                    while True:
                        head = b""
                        while not head.endswith(b" "):
                            c = self.rfile.read(1)
                            if not c:
                                return
                            head += c
                        listener.messages.append(self.rfile.read(int(head)))

            socketserver.ThreadingTCPServer.allow_reuse_address = True
            self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), T)
        self.port = self.server.server_address[1]  # type: ignore[attr-defined]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(params=["udp", "tcp"])
def syslog(request: pytest.FixtureRequest) -> Iterator[SyslogListener]:
    s = SyslogListener(request.param)
    try:
        yield s
    finally:
        s.close()


class Alertmanager:
    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        cfg = tmp / "alertmanager.yml"
        cfg.write_text(
            "route:\n  receiver: 'null'\n  group_wait: 1s\nreceivers:\n  - name: 'null'\n")
        self.proc = subprocess.Popen(
            ["prometheus-alertmanager", f"--config.file={cfg}",
             f"--storage.path={tmp / 'am-data'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address="],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/-/ready", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("alertmanager did not become ready")

    def alerts(self, active: bool = True) -> list[dict]:
        q = "active=true&inhibited=false&silenced=false&unprocessed=true"
        if not active:
            q = "active=false&inhibited=true&silenced=true&unprocessed=true"
        with urllib.request.urlopen(f"{self.url}/api/v2/alerts?{q}", timeout=5) as r:
            return json.loads(r.read())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[Alertmanager]:
    if shutil.which("prometheus-alertmanager") is None:
        pytest.fail("prometheus-alertmanager is not installed (scripts/setup.sh installs it)")
    am = Alertmanager(tmp_path)
    try:
        yield am
    finally:
        am.stop()


@pytest.fixture
def store(tmp_path: Path):
    from stormguard.store import Store

    s = Store.open(f"sqlite:///{tmp_path / 'alerts.db'}")
    try:
        yield s
    finally:
        s.close()
