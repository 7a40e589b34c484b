"""Alembic environment: runs on the connection that :func:`vigie.store.db.migrate` passes in.

Developers can also run ``alembic`` by hand with ``-x url=...``; users never need to.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from vigie.store.schema import metadata

config = context.config
target_metadata = metadata


def run_migrations_online() -> None:
    """Run the migrations on the injected connection, or on ``-x url=...``."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("pass the database with -x url=sqlite:///vigie.sqlite")
    engine = create_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata,
                          render_as_batch=conn.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
