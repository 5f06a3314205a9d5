"""The syslog listener on real sockets (127.0.0.1): UDP and TCP from the system's own `logger`
(util-linux), octet counting and newline framing, TLS with a real certificate, bounded frames."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

from stormguard.signals.catalogue import E
from stormguard.signals.listener import (
    ListenAddress,
    ListenerStats,
    SyslogListener,
    _Framer,
    parse_listen,
)
from stormguard.signals.receiver import Receiver

EXAMPLES = {e.key: e.example for e in E}


def _listener(*protos: str, **kw) -> tuple[SyslogListener, list]:
    got: list = []
    lock = threading.Lock()

    def sink(sig) -> None:
        with lock:
            got.append(sig)

    lst = SyslogListener([ListenAddress(p, "127.0.0.1", 0) for p in protos], Receiver(), sink,
                         **kw)
    lst.start_in_thread()
    return lst, got


def _wait(cond, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def _body(example: str) -> str:
    """The message after the syslog header, for `logger` to wrap in its own header."""
    return example[example.index("%"):] if "%" in example else example.split(": ", 1)[1]


def test_logger_over_udp_and_tcp_reaches_the_catalogue() -> None:
    lst, got = _listener("udp", "tcp")
    try:
        udp, tcp = (next(b for b in lst.bound if b.proto == p) for p in ("udp", "tcp"))
        msg = _body(EXAMPLES["SW_MATM-MACFLAP_NOTIF"])
        subprocess.run(["logger", "-n", "127.0.0.1", "-P", str(udp.port), "-d", "--rfc3164",
                        "-t", "sw1", msg], check=True, timeout=10)
        subprocess.run(["logger", "-n", "127.0.0.1", "-P", str(tcp.port), "-T", "--rfc5424",
                        "--octet-count", "-t", "sw2",
                        _body(EXAMPLES["STORM_CONTROL-SHUTDOWN"])], check=True, timeout=10)
        subprocess.run(["logger", "-n", "127.0.0.1", "-P", str(tcp.port), "-T", "--rfc3164",
                        "-t", "sw3", _body(EXAMPLES["PM-ERR_DISABLE"])], check=True, timeout=10)
        assert _wait(lambda: len(got) == 3), got
        kinds = sorted(s.kind for s in got)
        assert kinds == ["err-disable", "mac-flap", "storm-control"]
        assert all(s.device for s in got)
    finally:
        lst.stop()


def test_tcp_stream_with_mixed_framing_split_anywhere() -> None:
    lst, got = _listener("tcp")
    try:
        port = lst.bound[0].port
        msgs = [EXAMPLES[k].encode() for k in ("SW_MATM-MACFLAP_NOTIF", "L2FM-L2FM_MAC_MOVE",
                                               "LPDT/LPDT_LOOPED", "ETH-HOST_FLAPPING")]
        stream = (b"%d %s" % (len(msgs[0]), msgs[0]) + msgs[1] + b"\n"
                  + b"%d %s" % (len(msgs[2]), msgs[2]) + msgs[3] + b"\r\n")
        with socket.create_connection(("127.0.0.1", port)) as s:
            for i in range(0, len(stream), 7):  # dribble it in 7-byte pieces
                s.sendall(stream[i:i + 7])
                time.sleep(0.001)
        assert _wait(lambda: len(got) == 4)
        assert [s.kind for s in got] == ["mac-flap", "mac-flap", "loop-detect", "mac-flap"]
    finally:
        lst.stop()


def test_last_message_without_newline_is_not_lost() -> None:
    lst, got = _listener("tcp")
    try:
        with socket.create_connection(("127.0.0.1", lst.bound[0].port)) as s:
            s.sendall(EXAMPLES["STP/STP_BPDU_PROTECTION"].encode())
        assert _wait(lambda: len(got) == 1)
    finally:
        lst.stop()


def test_tls_listener(tmp_path: Path) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    lst, got = _listener("tls", tls_cert=str(cert), tls_key=str(key))
    try:
        ctx = ssl.create_default_context(cafile=str(cert))
        ctx.check_hostname = False
        msg = EXAMPLES["FEI_COMM/STORMCTRL_EXCEED"].encode()
        with socket.create_connection(("127.0.0.1", lst.bound[0].port)) as raw, \
                ctx.wrap_socket(raw) as s:
            s.sendall(b"%d %s" % (len(msg), msg))
        assert _wait(lambda: len(got) == 1)
        assert got[0].kind == "storm-control" and got[0].interface == "10GE1/0/5"
    finally:
        lst.stop()


def test_tls_without_a_certificate_is_a_one_line_error() -> None:
    from stormguard.errors import ConfigError

    lst = SyslogListener([ListenAddress("tls", "127.0.0.1", 0)], Receiver(), lambda s: None)
    with pytest.raises(ConfigError, match="tls_cert"):
        lst.start_in_thread()


def test_port_in_use_is_a_one_line_error() -> None:
    from stormguard.errors import ConfigError

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        lst = SyslogListener([ListenAddress("tcp", "127.0.0.1", port)], Receiver(),
                             lambda s: None)
        with pytest.raises(ConfigError, match=f"tcp://127.0.0.1:{port}"):
            lst.start_in_thread()


def test_a_failing_sink_does_not_stop_the_listener() -> None:
    calls: list = []

    def sink(sig) -> None:
        calls.append(sig)
        if len(calls) == 1:
            raise RuntimeError("store down")

    lst = SyslogListener([ListenAddress("udp", "127.0.0.1", 0)], Receiver(), sink)
    lst.start_in_thread()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for _ in range(2):
                s.sendto(EXAMPLES["SW_MATM-MACFLAP_NOTIF"].encode(), ("127.0.0.1",
                                                                     lst.bound[0].port))
        assert _wait(lambda: len(calls) == 2)
        assert lst.stats.handler_errors == 1 and lst.alive
    finally:
        lst.stop()


def test_framer_bounds_memory() -> None:
    stats = ListenerStats()
    f = _Framer(1024, stats)
    # an endless line: cut at the limit, the rest of it dropped, the next line intact
    out = f.feed(b"A" * 5000)
    out += f.feed(b"B" * 5000 + b"\nnext\n")
    assert [len(x) for x in out] == [1024, 4] and out[1] == b"next"
    assert stats.oversized == 1 and len(f.buf) == 0
    # an octet count beyond the limit: the stream cannot be trusted, the connection is closed
    f2 = _Framer(1024, stats)
    assert f2.feed(b"999999 xxx") == [] and f2.error and stats.framing_errors == 1


def test_listen_url_errors() -> None:
    from stormguard.errors import ConfigError

    assert parse_listen("udp://0.0.0.0:5514") == ListenAddress("udp", "0.0.0.0", 5514)
    assert str(parse_listen("tcp://[::1]:6514")) == "tcp://[::1]:6514"
    for bad in ("http://x:1", "udp://:5514", "udp://host", "udp://host:99999"):
        with pytest.raises(ConfigError, match="syslog listen address"):
            parse_listen(bad)
