"""What the web app holds for its whole life: settings, store, password hasher, pipeline.

Built once by :func:`vigie.web.app.create_app` and kept on ``app.state.vigie``. Heavy objects
(the detector pipeline and its models) are loaded here, once, never per request.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from vigie.policy import Policy
from vigie.store.store import Store
from vigie.web.accounts import Passwords
from vigie.web.settings import WebSettings

if TYPE_CHECKING:
    from starlette.requests import Request

    from vigie.monitoring.draft import DraftChecker
    from vigie.pipeline import Pipeline
    from vigie.routing import PolicyRouter

__all__ = ["WebContext", "ensure_web_schema", "web_context"]


def ensure_web_schema(engine: Engine) -> None:
    """Bring the schema to the newest migration, the web tables included.

    The store's :func:`vigie.store.db.migrate` stops at its own head revision; this upgrades
    further when the migration scripts know a newer head (ours, ``0002_web``). Idempotent.

    Raises:
        vigie.errors.StoreError: the migration failed.
    """
    from importlib import resources

    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.exc import SQLAlchemyError

    from vigie.errors import StoreError

    config = Config()
    config.set_main_option("script_location", str(resources.files("vigie").joinpath("migrations")))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current == heads:
        return
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "heads")
    except SQLAlchemyError as error:
        raise StoreError(f"cannot migrate the web tables: {error}") from None


def _sqlite_reader_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA query_only=ON")  # this engine can never write, whatever the bug
    cursor.close()


def reader_engine(store: Store) -> Engine:
    """An engine for the dashboard's reads.

    The store's SQLite engine opens every transaction with ``BEGIN IMMEDIATE`` (right for its
    writers: appends to the audit chain never interleave), which also makes every *reader*
    take the write lock, so two page views wait for each other and a reader waits for a
    moderation batch. Under WAL, plain (deferred) read transactions see a consistent snapshot
    without any lock; this engine uses them, read-only. On PostgreSQL the store's engine is
    returned as it is.
    """
    if store.engine.dialect.name != "sqlite":
        return store.engine
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    engine = create_engine(store.engine.url, poolclass=NullPool)
    event.listen(engine, "connect", _sqlite_reader_pragmas)
    return engine


@dataclass
class WebContext:
    """The app's long-lived state.

    Attributes:
        settings: validated web settings.
        store: the opened, migrated store.
        passwords: the Argon2 hasher.
        policy: the policy in force (from the settings' file, or the bundled one).
        pipeline: the detector pipeline, or ``None`` when ``load_pipeline`` is off.
        pipelines: the pipeline of each policy in force (a period's, a stored version's),
            ``pipeline`` among them, built on first use and kept; ``None`` without a pipeline.
        drafts: the pre-publication checker (6.1, 6.3) over the same pipeline, or ``None``
            without a pipeline; its registry and mandates are re-read per check.
        lock: serialises the detectors and the facet projection across request threads.
        cache: small derived values (languages seen), dropped when the data they sum changes.
    """

    settings: WebSettings
    store: Store
    passwords: Passwords
    policy: Policy
    pipeline: Pipeline | None = None
    pipelines: PolicyRouter[Any] | None = None
    drafts: DraftChecker | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    cache: dict[str, Any] = field(default_factory=dict)
    reader: Engine | None = None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only connection that takes no write lock (see :func:`reader_engine`).

        Raises:
            StoreError: the database refused the connection.
        """
        from sqlalchemy.exc import SQLAlchemyError

        from vigie.errors import StoreError

        if self.reader is None:
            self.reader = reader_engine(self.store)
        try:
            with self.reader.connect() as conn:
                yield conn
        except SQLAlchemyError as error:
            raise StoreError(f"database error: {error}") from error


def web_context(request: Request) -> WebContext:
    """The app's :class:`WebContext`, kept on ``app.state.vigie`` by ``create_app`` (pure)."""
    return request.app.state.vigie  # type: ignore[no-any-return]
