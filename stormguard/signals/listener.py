"""The syslog listener: UDP, TCP and TLS (RFC 5426, 6587, 5425) on asyncio.

``listen`` addresses are URLs: ``udp://0.0.0.0:5514``, ``tcp://[::]:5514``,
``tls://0.0.0.0:6514`` (TLS needs a certificate and key). TCP and TLS streams are framed by
octet counting (``LEN SP MSG``, RFC 6587 3.4.1, what RFC 5425 mandates) or by newline (the
"non-transparent" framing most switches use); the framing is detected per frame, so a sender
may mix them. Memory is bounded: a frame is at most ``max_message`` bytes (a longer one is cut
there and counted as ``oversized``), a connection keeps at most one partial frame, and at most
``max_connections`` connections are served at once.

TCP is lossless by construction: messages are handled in order on the event loop, and while the
handler is busy the kernel's receive window closes, so the sender waits instead of dropping.
UDP cannot be: datagrams that arrive faster than they are handled are dropped by the kernel
(counted by it in /proc/net/udp, not here).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from stormguard.errors import ConfigError
from stormguard.signals import Signal
from stormguard.signals.receiver import Receiver

log = logging.getLogger("stormguard.syslog")

MAX_MESSAGE = 64 * 1024


@dataclass(frozen=True)
class ListenAddress:
    proto: str  # udp | tcp | tls
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.proto}://{host}:{self.port}"


def parse_listen(url: str) -> ListenAddress:
    """``udp://HOST:PORT`` → :class:`ListenAddress`; a one-line error names the bad URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("udp", "tcp", "tls"):
        raise ConfigError(f"syslog listen address {url!r}: the scheme must be udp://, tcp:// or "
                          "tls://")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or not parts.hostname:
        raise ConfigError(f"syslog listen address {url!r}: expected SCHEME://HOST:PORT, e.g. "
                          "udp://0.0.0.0:5514")
    return ListenAddress(parts.scheme, parts.hostname, port)


@dataclass
class ListenerStats:
    frames: int = 0
    oversized: int = 0
    framing_errors: int = 0
    connections: int = 0
    refused_connections: int = 0
    handler_errors: int = 0


class _Framer:
    """Splits one TCP stream into syslog frames (octet counting or newline)."""

    __slots__ = ("buf", "error", "max", "skip_to_newline", "stats")

    def __init__(self, max_message: int, stats: ListenerStats) -> None:
        self.buf = bytearray()
        self.error: str | None = None  # set when the stream cannot be framed any further
        self.max = max_message
        self.skip_to_newline = False
        self.stats = stats

    def feed(self, data: bytes) -> list[bytes]:
        buf = self.buf
        buf += data
        out: list[bytes] = []
        while buf:
            if self.skip_to_newline:
                nl = buf.find(b"\n")
                if nl < 0:
                    buf.clear()
                    break
                del buf[:nl + 1]
                self.skip_to_newline = False
                continue
            first = buf[0]
            if 49 <= first <= 57:  # '1'..'9': octet counting "LEN SP MSG"
                sp = buf.find(b" ", 0, 8)
                if sp < 0:
                    if len(buf) >= 8:  # digits but no length field: newline framing after all
                        if not self._newline_frame(out):
                            break
                        continue
                    break
                digits = bytes(buf[:sp])
                if not digits.isdigit():
                    if not self._newline_frame(out):
                        break
                    continue
                length = int(digits)
                if length > self.max:
                    self.stats.framing_errors += 1
                    self.error = (f"octet-counted frame of {length} bytes exceeds the "
                                  f"{self.max}-byte limit")
                    buf.clear()
                    break
                end = sp + 1 + length
                if len(buf) < end:
                    break
                out.append(bytes(buf[sp + 1:end]))
                del buf[:end]
            elif first in (10, 13, 0):  # stray delimiters between frames
                del buf[:1]
            else:
                if not self._newline_frame(out):
                    break
        return out

    def _newline_frame(self, out: list[bytes]) -> bool:
        buf = self.buf
        nl = buf.find(b"\n")
        if nl < 0:
            nul = buf.find(b"\x00")
            nl = nul
        if nl < 0:
            if len(buf) > self.max:  # cut an endless line at the limit, drop the rest of it
                self.stats.oversized += 1
                out.append(bytes(buf[:self.max]))
                buf.clear()
                self.skip_to_newline = True
            return False
        frame = bytes(buf[:nl]).rstrip(b"\r")
        del buf[:nl + 1]
        if len(frame) > self.max:
            self.stats.oversized += 1
            frame = frame[:self.max]
        if frame:
            out.append(frame)
        return True


@dataclass
class SyslogListener:
    """Listens on `addresses`, feeds every frame to `receiver`, hands signals to `on_signal`."""

    addresses: list[ListenAddress]
    receiver: Receiver
    on_signal: Callable[[Signal], None]
    tls_cert: str | None = None
    tls_key: str | None = None
    max_message: int = MAX_MESSAGE
    max_connections: int = 1024
    stats: ListenerStats = field(default_factory=ListenerStats)
    bound: list[ListenAddress] = field(default_factory=list)
    _servers: list[object] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    _error: BaseException | None = None

    # -- the handler -------------------------------------------------------------------------
    def handle(self, frame: bytes, address: str | None) -> None:
        self.stats.frames += 1
        try:
            sig = self.receiver.feed(frame, address)
            if sig is not None:
                self.on_signal(sig)
        except Exception:  # a bad message or a failing sink must not stop the listener
            self.stats.handler_errors += 1
            if self.stats.handler_errors <= 10 or self.stats.handler_errors % 1000 == 0:
                log.exception("syslog: handling a message from %s failed", address)

    # -- asyncio -----------------------------------------------------------------------------
    async def start(self) -> list[ListenAddress]:
        loop = asyncio.get_running_loop()
        self._loop = loop
        for addr in self.addresses:
            if addr.proto == "udp":
                transport, _ = await loop.create_datagram_endpoint(
                    lambda: _UdpProtocol(self), local_addr=(addr.host, addr.port))
                self._servers.append(transport)
                sockname = transport.get_extra_info("sockname")
            else:
                ctx = self._tls_context() if addr.proto == "tls" else None
                server = await loop.create_server(lambda: _TcpProtocol(self), addr.host,
                                                  addr.port, ssl=ctx, reuse_address=True)
                self._servers.append(server)
                sockname = server.sockets[0].getsockname()
            self.bound.append(ListenAddress(addr.proto, addr.host, sockname[1]))
        return self.bound

    def _tls_context(self) -> ssl.SSLContext:
        if not (self.tls_cert and self.tls_key):
            raise ConfigError("syslog: a tls:// listen address needs tls_cert and tls_key")
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            ctx.load_cert_chain(self.tls_cert, self.tls_key)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"syslog: cannot load the TLS certificate {self.tls_cert}: "
                              f"{exc.__class__.__name__}") from None
        return ctx

    async def close(self) -> None:
        for s in self._servers:
            s.close()  # type: ignore[attr-defined]
            if isinstance(s, asyncio.AbstractServer):
                await s.wait_closed()
        self._servers.clear()

    # -- in a thread (daemon, tests) ---------------------------------------------------------
    def start_in_thread(self, timeout: float = 10.0) -> list[ListenAddress]:
        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:  # bind failure: report it to the caller
                self._error = exc
                self._ready.set()
                loop.close()
                return
            self._ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self.close())
                loop.close()

        self._thread = threading.Thread(target=run, name="syslog-listener", daemon=True)
        self._thread.start()
        self._ready.wait(timeout)
        if self._error is not None:
            err = self._error
            if isinstance(err, OSError):
                raise ConfigError(f"syslog: cannot listen on {', '.join(map(str, self.addresses))}"
                                  f": {err.strerror or err}") from None
            raise err
        return self.bound

    def stop(self, timeout: float = 5.0) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, listener: SyslogListener) -> None:
        self.listener = listener

    def datagram_received(self, data: bytes, addr: tuple) -> None:  # type: ignore[override]
        if len(data) > self.listener.max_message:
            self.listener.stats.oversized += 1
            data = data[:self.listener.max_message]
        self.listener.handle(data, addr[0])


class _TcpProtocol(asyncio.Protocol):
    def __init__(self, listener: SyslogListener) -> None:
        self.listener = listener
        self.framer = _Framer(listener.max_message, listener.stats)
        self.peer: str | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        st = self.listener.stats
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self.peer = peer[0] if peer else None
        if st.connections >= self.listener.max_connections:
            st.refused_connections += 1
            transport.close()
            return
        st.connections += 1

    def connection_lost(self, exc: Exception | None) -> None:
        self.listener.stats.connections = max(0, self.listener.stats.connections - 1)

    def data_received(self, data: bytes) -> None:
        frames = self.framer.feed(data)
        handle = self.listener.handle
        for f in frames:
            handle(f, self.peer)
        if self.framer.error is not None:
            log.warning("syslog: closing the connection from %s: %s", self.peer, self.framer.error)
            if self.transport is not None:
                self.transport.close()

    def eof_received(self) -> bool | None:
        rest = bytes(self.framer.buf).strip(b"\r\n\x00 ")
        if rest:  # a last message without its newline
            self.listener.handle(rest, self.peer)
        self.framer.buf.clear()
        return None
