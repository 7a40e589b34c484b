"""Database engines and migrations.

:func:`connect` opens an engine for a URL and brings the schema to the latest Alembic revision
(``upgrade heads``), so a fresh SQLite file needs no set-up and a PostgreSQL database is migrated
on start. The migrations live inside the package (:mod:`vigie.migrations`); no ``alembic.ini``
is needed.

SQLite is tuned for a single-machine moderation job: WAL journal (readers never block the
writer), ``synchronous=NORMAL`` (a committed batch survives a process crash; only a power cut
can lose the last commits), foreign keys on, and ``BEGIN IMMEDIATE`` transactions so two
processes never interleave appends to the audit chain.
"""

from __future__ import annotations

import threading
from importlib import resources
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from vigie.errors import StoreError

__all__ = ["HEAD_REVISION", "WalCheckpointer", "connect", "current_revision", "head_revisions",
           "migrate"]

#: The newest migration of the one linear chain that the store and the web dashboard share
#: (``0013_appeal``: authors' appeals from the public page, and each account's language and
#: time zone).
#: :func:`migrate` goes to every head the scripts know.
HEAD_REVISION = "0014_xstrikes"

_migrated: set[str] = set()
_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" hook below own the transactions (pysqlite's own handling
    # would defer BEGIN and break transactional DDL).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock now: read-then-append on the chain head cannot race.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def connect(url: str, *, migrate_schema: bool = True, echo: bool = False) -> Engine:
    """Create an engine for ``url`` and migrate its schema to the newest revisions.

    Args:
        url: an SQLAlchemy URL (see :func:`vigie.store.settings.database_url`).
        migrate_schema: run ``upgrade head`` (once per URL and process).
        echo: log SQL statements.

    Raises:
        StoreError: the database cannot be reached or migrated; the message names the URL
            without its password.
    """
    try:
        if url.startswith("sqlite"):
            # Pooled: closing the last connection to a WAL file checkpoints it, which costs
            # more than the transaction itself; a kept connection avoids that per batch.
            engine = create_engine(url, echo=echo)
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = create_engine(url, echo=echo, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError) as error:
        raise StoreError(f"cannot open database {_safe(url)}: {error}") from None
    if migrate_schema:
        migrate(engine)
    return engine


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # only for a message: never fail while reporting a failure
        return "<database>"


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location",
                           str(resources.files("vigie").joinpath("migrations")))
    config.attributes["connection"] = connection
    return config


def current_revision(engine: Engine) -> set[str]:
    """The schema revisions (heads) the database is at; empty when never migrated."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def head_revisions() -> set[str]:
    """Every head revision the bundled migration scripts define."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location",
                           str(resources.files("vigie").joinpath("migrations")))
    return set(ScriptDirectory.from_config(config).get_heads())


def migrate(engine: Engine, revision: str = "heads") -> None:
    """Upgrade the schema to ``revision`` (idempotent; once per URL and process for ``heads``).

    Raises:
        StoreError: a migration failed; the database is left at its previous revision
            (migrations run in one transaction).
    """
    key = engine.url.render_as_string(hide_password=False)
    with _lock:
        if revision == "heads" and key in _migrated:
            return
        try:
            if revision == "heads" and current_revision(engine) == head_revisions():
                _migrated.add(key)
                return
            from alembic import command

            with engine.begin() as conn:
                command.upgrade(_alembic_config(conn), revision)
        except SQLAlchemyError as error:
            raise StoreError(f"cannot migrate database {_safe(key)}: {error}") from None
        if revision == "heads":
            _migrated.add(key)


class WalCheckpointer:
    """Copies an SQLite file's write-ahead log back into the database, beside the writer.

    SQLite checkpoints automatically inside the commit that takes the log past 1,000 pages: the
    writer stops there to copy them (about 3 % of a ``vigie moderate --db`` run, measured with
    ``vigie bench --with store``). With this running, the engine's connections turn that off
    (``wal_autocheckpoint=0``) and a thread of its own runs a PASSIVE checkpoint every
    ``interval`` seconds on its own connection: it never waits for the writer or the readers,
    copies what no reader still needs, and holds no Python lock while SQLite copies, so the
    copy runs on another core. The log stays bounded by what one interval writes; if the thread
    stops, the next connection to close the database checkpoints it, as SQLite always does.
    """

    def __init__(self, path: str, interval: float = 0.5) -> None:
        self.path = path
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"vigie-wal-{path}",
                                        daemon=True)
        self.checkpoints = 0

    @staticmethod
    def for_engine(engine: Engine) -> WalCheckpointer | None:
        """Attach a started checkpointer to a file SQLite engine (``None`` for others)."""
        path = engine.url.database
        if engine.dialect.name != "sqlite" or not path or path == ":memory:" \
                or path.startswith("file:"):
            return None
        event.listen(engine, "connect", _no_autocheckpoint)
        engine.dispose()  # connections opened before (the migration) would still checkpoint
        checkpointer = WalCheckpointer(path)
        checkpointer._thread.start()
        return checkpointer

    def _run(self) -> None:
        import sqlite3

        connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        try:
            while not self._stop.wait(self.interval):
                self.checkpoint(connection)
            self.checkpoint(connection)  # what the last commits wrote
        finally:
            connection.close()

    def checkpoint(self, connection: Any) -> None:
        """One PASSIVE checkpoint (a busy or failed one is retried at the next interval)."""
        import sqlite3

        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1
        except sqlite3.Error:  # the database is being closed or replaced: try again later
            pass

    def stop(self) -> None:
        """Run a last checkpoint and stop the thread (idempotent)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)


def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

