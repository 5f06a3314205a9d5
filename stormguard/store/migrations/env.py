"""Alembic environment for the stormguard store.

Used two ways: by :meth:`stormguard.store.Store.upgrade` (which hands over an open connection,
already inside the transaction that serialises concurrent upgrades), and by the ``alembic`` CLI
with ``alembic.ini`` in this folder (URL from ``-x url=...``, ``sqlalchemy.url``, or stormguard's
settings).
"""

from __future__ import annotations

from alembic import context

from stormguard.store.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url")
    if not url:
        from stormguard.settings import database_url

        url = database_url()
    return url


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from stormguard.store.core import _make_engine

    engine = _make_engine(_url())
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
