"""Alert receivers as a stand-alone process, so a test can run them inside a lab namespace.

    python receivers.py webhook|smtp|syslog PORT OUTFILE

Each received alert is appended to OUTFILE as one JSON line; "ready" is printed once listening.
"""

from __future__ import annotations

import json
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

kind, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()


def record(obj: dict) -> None:
    with lock, open(out, "a") as fh:
        fh.write(json.dumps(obj) + "\n")


if kind == "webhook":
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            record({"kind": "webhook", "body": json.loads(body)})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *a: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    server.serve_forever()
elif kind == "syslog":
    class U(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            record({"kind": "syslog", "line": self.request[0].decode("utf-8", "replace")})

    server = socketserver.ThreadingUDPServer(("127.0.0.1", port), U)
    print("ready", flush=True)
    server.serve_forever()
elif kind == "smtp":
    import asyncio
    import email

    from aiosmtpd.controller import Controller

    class H:
        async def handle_DATA(self, server, session, envelope):
            msg = email.message_from_bytes(envelope.content)
            record({"kind": "smtp", "subject": msg["Subject"], "to": envelope.rcpt_tos})
            return "250 OK"

    c = Controller(H(), hostname="127.0.0.1", port=port)
    c.start()
    print("ready", flush=True)
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        c.stop()
else:
    raise SystemExit(f"unknown receiver {kind}")
