"""The :class:`Store` facade: one database, its settings and its clock.

Every store operation takes a :class:`Store`; functions that must share a transaction take a
``Connection`` instead. The clock is injectable so tests can move time (retention, back-off,
strike windows) without sleeping.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from vigie.errors import StoreError
from vigie.store.db import WalCheckpointer, connect
from vigie.store.schema import connector_cursors
from vigie.store.settings import StoreSettings, database_url, load_settings

__all__ = ["Clock", "Store", "open_store", "utcnow"]

#: Returns the current aware UTC time.
Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC (reads the system clock)."""
    return dt.datetime.now(dt.UTC)


class Store:
    """A migrated database with its settings.

    Attributes:
        engine: the SQLAlchemy engine.
        settings: the validated settings.
        clock: where "now" comes from.
    """

    def __init__(self, engine: Engine, settings: StoreSettings, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.checkpointer = WalCheckpointer.for_engine(engine)
        if self.checkpointer is not None:  # a store dropped without dispose() stops it too
            weakref.finalize(self, self.checkpointer.stop)

    def now(self) -> dt.datetime:
        """Current time from the store's clock (aware UTC)."""
        return self.clock()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction, committed on success, rolled back on error.

        Raises:
            StoreError: the database refused the transaction (the cause is chained).
        """
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as error:
            raise StoreError(f"database error: {error}") from error

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading (a transaction that is never committed)."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as error:
            raise StoreError(f"database error: {error}") from error

    # -- connector cursors (for src/vigie/connectors) ----------------------------------------

    def get_cursor(self, connector: str, key: str) -> str | None:
        """The position a connector saved for ``key`` (a page, a since-id), or ``None``."""
        with self.read() as conn:
            value = conn.execute(
                select(connector_cursors.c.value).where(
                    connector_cursors.c.connector == connector, connector_cursors.c.key == key)
            ).scalar_one_or_none()
        return None if value is None else str(value)

    def set_cursor(self, connector: str, key: str, value: str,
                   conn: Connection | None = None) -> None:
        """Save a connector's position (insert or replace).

        Pass ``conn`` to save it in the same transaction as the comments it covers, so a crash
        cannot leave the cursor ahead of the stored comments.
        """
        if conn is None:
            with self.begin() as own:
                self.set_cursor(connector, key, value, own)
            return
        row = {"connector": connector, "key": key, "value": value, "updated_at": self.now()}
        exists = conn.execute(
            select(connector_cursors.c.key).where(connector_cursors.c.connector == connector,
                                                  connector_cursors.c.key == key)
            .with_for_update()
        ).first()
        if exists:
            conn.execute(connector_cursors.update().where(
                connector_cursors.c.connector == connector, connector_cursors.c.key == key
            ).values(value=value, updated_at=row["updated_at"]))
        else:
            conn.execute(connector_cursors.insert(), row)

    def dispose(self) -> None:
        """Checkpoint the SQLite log (if any) and close the engine's connections."""
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()


def open_store(db: str | None = None, *, settings: StoreSettings | None = None,
               clock: Clock = utcnow) -> Store:
    """Open (and migrate) the store.

    Args:
        db: ``--db`` value (URL or SQLite path); ``None``: settings / ``VIGIE_DATABASE_URL`` /
            ``./vigie.sqlite``.
        settings: settings already loaded (default: :func:`load_settings`).
        clock: the store's clock.

    Raises:
        StoreError: invalid settings, or the database cannot be reached or migrated.
    """
    if settings is None:
        settings = load_settings(database=db)
    elif db is not None:
        # Re-validated, so an explicit --db passes the same safety checks as the settings.
        settings = StoreSettings.model_validate(
            {**settings.model_dump(), "database_url": database_url(db)})
    return Store(connect(database_url(settings.database_url)), settings, clock)
