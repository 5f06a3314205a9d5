"""Real receivers on loopback: an aiosmtpd SMTP server (plain, STARTTLS, implicit TLS) and an
http.server webhook receiver that can be started late (to test "down, then back")."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from stormguard.report.sample import sample_report

USER, PASSWORD = "reporter", "s3cr3t-Pa55word!"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def report():
    return sample_report(devices=12, findings=30, runs=5)


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    d = tmp_path_factory.mktemp("tls")
    cert_path, key_path = d / "cert.pem", d / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []
        self.envelopes: list = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


def _authenticator(inbox: Inbox):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def auth(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER
              and auth_data.password.decode() == PASSWORD)
        if ok:
            inbox.logins.append(USER)
        return AuthResult(success=ok, handled=False)

    return auth


@pytest.fixture
def smtp_server(tls_cert):
    """Start an aiosmtpd server: smtp_server(mode) with mode plain | starttls | ssl."""
    from aiosmtpd.controller import Controller

    started = []

    def start(mode: str = "plain"):
        inbox = Inbox()
        port = free_port()
        kwargs: dict = {}
        if mode in ("starttls", "ssl"):
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(*map(str, tls_cert))
            if mode == "starttls":
                kwargs.update(tls_context=ctx, require_starttls=True,
                              authenticator=_authenticator(inbox), auth_require_tls=True)
            else:
                kwargs.update(ssl_context=ctx, authenticator=_authenticator(inbox),
                              auth_require_tls=False)
        ctl = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
        ctl.start()
        started.append(ctl)
        return port, inbox

    yield start
    for ctl in started:
        ctl.stop()


class Receiver:
    """A webhook receiver; ``fail_first`` answers 500 that many times before accepting."""

    def __init__(self, port: int, fail_first: int = 0, status: int = 200) -> None:
        self.port = port
        self.bodies: list[dict] = []
        self.paths: list[str] = []
        self.fail_first = fail_first
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.paths.append(self.path)
                if receiver.fail_first > 0:
                    receiver.fail_first -= 1
                    code = 500
                else:
                    code = receiver.status
                    if code == 200:
                        receiver.bodies.append(json.loads(body))
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_receiver():
    made: list[Receiver] = []

    def start(port: int | None = None, **kw) -> Receiver:
        r = Receiver(port or free_port(), **kw)
        made.append(r)
        return r

    yield start
    for r in made:
        r.stop()


@pytest.fixture
def store(tmp_path):
    from stormguard.store import Store

    with Store.open(f"sqlite:///{tmp_path / 'sg.db'}") as s:
        yield s
