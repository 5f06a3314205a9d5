"""Fixtures for the store tests: the same suite runs on SQLite (a temp file) and on the real
PostgreSQL at 127.0.0.1:5432 (database ``test``), each PostgreSQL test in its own schema so
parallel test runs sharing the database never see each other's tables."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BASE = os.environ.get("STORMGUARD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REPO = Path(__file__).resolve().parents[2]


def _pg_admin(sql: str) -> None:
    import psycopg

    dsn = PG_BASE.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database (no schema yet) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    schema = f"sg_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        _pg_admin(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def store(db_url: str):
    from stormguard.store import Store

    s = Store.open(db_url)
    try:
        yield s
    finally:
        s.close()


def dump_database(store, db_url: str) -> bytes:
    """Everything the database holds, as bytes: pg_dump of the schema on PostgreSQL; on
    SQLite the raw database and WAL files plus an SQL dump (compressed blobs are inflated)."""
    import subprocess
    import zlib
    from urllib.parse import parse_qs, urlsplit

    store.close()
    out = b""
    if db_url.startswith("sqlite"):
        import sqlite3

        path = db_url.split("sqlite:///", 1)[1]
        for suffix in ("", "-wal"):
            p = Path(path + suffix)
            if p.exists():
                out += p.read_bytes()
        con = sqlite3.connect(path)
        out += "\n".join(con.iterdump()).encode()
        for (data,) in con.execute("SELECT data FROM blobs"):
            out += zlib.decompress(data)
        for (state,) in con.execute("SELECT state FROM snapshots WHERE state IS NOT NULL"):
            out += zlib.decompress(state)
        con.close()
        return out
    schema = parse_qs(urlsplit(db_url).query)["options"][0].split("=", 1)[1]
    out += subprocess.run(["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-n", schema, "test"],
                          check=True, capture_output=True).stdout
    import psycopg

    dsn = PG_BASE.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, options=f"-csearch_path={schema}") as conn:
        for (data,) in conn.execute("SELECT data FROM blobs"):
            out += zlib.decompress(data)
        for (state,) in conn.execute("SELECT state FROM snapshots WHERE state IS NOT NULL"):
            out += zlib.decompress(state)
    return out


@pytest.fixture
def db_dump():
    """dump_database(store, db_url) -> bytes (closes the store)."""
    return dump_database
