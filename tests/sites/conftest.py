"""The store fixtures of tests/store (SQLite, and PostgreSQL in a schema of its own)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "sg_store_conftest", Path(__file__).resolve().parents[1] / "store" / "conftest.py")
assert _spec and _spec.loader
_store_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store_conftest)

db_url = _store_conftest.db_url
store = _store_conftest.store
PG_BASE = _store_conftest.PG_BASE
pg_admin = _store_conftest._pg_admin

