"""Structured log lines: text and JSON shapes, and secrets masked whatever the source."""

from __future__ import annotations

import io
import json
import logging

import pytest

from stormguard.daemon.logging import kv, register_secret, scrub, setup_logging


@pytest.fixture
def capture():
    def make(fmt: str) -> io.StringIO:
        buf = io.StringIO()
        handlers.append(setup_logging(fmt, "info", stream=buf))
        return buf

    handlers: list[logging.Handler] = []
    yield make
    for h in handlers:
        logging.getLogger().removeHandler(h)


def test_json_lines_carry_fields(capture) -> None:
    buf = capture("json")
    logging.getLogger("stormguard.pipeline").info("run %d started", 7,
                                                  extra=kv(run=7, job="nightly"))
    logging.getLogger("stormguard.pipeline").debug("not shown at info")
    [line] = buf.getvalue().splitlines()
    doc = json.loads(line)
    assert doc["msg"] == "run 7 started" and doc["run"] == 7 and doc["job"] == "nightly"
    assert doc["level"] == "info" and doc["logger"] == "stormguard.pipeline"
    assert doc["ts"].endswith("Z")


def test_text_lines_are_one_line_with_key_values(capture) -> None:
    buf = capture("text")
    logging.getLogger("stormguard.daemon").warning("sniffer on %s not started", "eth9",
                                                   extra=kv(iface="eth9", why="no such device"))
    [line] = buf.getvalue().splitlines()
    assert " WARNING stormguard.daemon: sniffer on eth9 not started iface=eth9 " in line
    assert line.endswith('why="no such device"')


def test_secrets_never_reach_a_log_line(capture) -> None:
    buf = capture("json")
    secret = "Zq-9!secret-value"
    register_secret(secret)
    log = logging.getLogger("stormguard.collect")
    log.error("login failed with %s", secret, extra=kv(detail=f"pw={secret}"))
    log.error("db at postgresql://sg:hunter22@db.example/sg is down")
    log.error("connect: password=Tr0ub4dor&3 rejected")
    try:
        raise RuntimeError(f"library echoed {secret}")
    except RuntimeError:
        log.exception("collection crashed")
    out = buf.getvalue()
    for s in (secret, "hunter22", "Tr0ub4dor"):
        assert s not in out
    assert out.count("***") >= 4
    assert "Traceback" not in out
    assert scrub("https://user:pw123@host/x") == "https://user:***@host/x"
