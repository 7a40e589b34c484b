"""Migrations, the schema they build, connector cursors, and concurrent appends."""

from __future__ import annotations

import threading
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from vigie.store import schema
from vigie.store.db import HEAD_REVISION, current_revision, head_revisions, migrate
from vigie.store.events import EventKind, NewEvent, append_events, verify_chain

STORE_TABLES = {t.name for t in schema.metadata.sorted_tables if not t.name.startswith("web_")}


def test_migrations_build_exactly_the_schema(store: Any) -> None:
    assert current_revision(store.engine) == head_revisions()
    assert HEAD_REVISION in head_revisions()
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)

    def table_of(op: Any) -> str:
        item = op[0] if isinstance(op, list) else op
        for part in item[1:]:
            name = getattr(part, "name", None) if not isinstance(part, str) else part
            table = getattr(part, "table", None)
            if table is not None:
                return str(table.name)
            if isinstance(name, str) and name in STORE_TABLES:
                return name
        return ""

    store_diff = [op for op in diff if table_of(op) in STORE_TABLES]
    assert store_diff == []


def test_migrate_is_idempotent(store: Any) -> None:
    migrate(store.engine)
    migrate(store.engine, "heads")
    assert current_revision(store.engine) == head_revisions()


def test_cursors(store: Any) -> None:
    assert store.get_cursor("facebook", "page-1") is None
    store.set_cursor("facebook", "page-1", '{"after": "abc"}')
    store.set_cursor("facebook", "page-1", '{"after": "def"}')
    store.set_cursor("youtube", "page-1", "x")
    assert store.get_cursor("facebook", "page-1") == '{"after": "def"}'
    with store.begin() as conn:  # saved in the same transaction as the comments it covers
        store.set_cursor("facebook", "page-2", "p2", conn)
    assert store.get_cursor("facebook", "page-2") == "p2"


def test_concurrent_writers_keep_one_chain(store: Any) -> None:
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(15):
                with store.begin() as conn:
                    append_events(conn, [NewEvent(EventKind.INGESTED, "comment",
                                                  f"{name}-{i}-{j}") for j in range(3)],
                                  store.now())
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(f"w{k}",)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.read() as conn:
        report = verify_chain(conn)
    assert report.ok and report.events == 4 * 15 * 3


def test_store_benchmark_runs(db_url: str) -> None:
    from vigie.bench.store import store_throughput

    result = store_throughput(300, db=db_url, batch=100)
    assert result["chain_ok"] and result["decisions"] == 300
    assert result["events"] > 600                     # ingested + decided + consequences


def test_sqlite_log_is_checkpointed_beside_the_writer(tmp_path: Any) -> None:
    """The writer never checkpoints in its commits; the store's own thread does."""
    import sqlite3
    import time

    from vigie.store.store import open_store

    path = tmp_path / "wal.sqlite"
    store = open_store(str(path))
    assert store.checkpointer is not None
    with store.begin() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        for i in range(200):  # a few hundred log pages: past SQLite's automatic threshold
            append_events(conn, [NewEvent(EventKind.EXPORTED, "test", f"s-{i}",
                                          {"blob": "x" * 3000})], store.now())
    before = store.checkpointer.checkpoints
    deadline = time.monotonic() + 10
    while store.checkpointer.checkpoints < before + 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    # The writer's connection is still open (pooled), so nothing else checkpointed: a reader
    # of the database file alone (immutable: the log ignored) sees what the thread copied.
    plain = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    assert plain.execute("SELECT count(*) FROM events").fetchone()[0] == 200
    plain.close()
    store.dispose()
    assert not store.checkpointer._thread.is_alive()


def test_no_checkpointer_for_postgresql_or_memory(db_url: str) -> None:
    from vigie.store.store import open_store

    store = open_store(db_url if db_url.startswith("postgresql") else "sqlite://")
    try:
        assert store.checkpointer is None
    finally:
        store.dispose()
