"""The web tables' migration: one linear chain, and it builds exactly vigie.web.models."""

from __future__ import annotations

from importlib import resources

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

import vigie.web.models as models
from vigie.store.store import open_store
from vigie.web.context import ensure_web_schema


def test_migrations_form_one_linear_chain() -> None:
    config = Config()
    config.set_main_option("script_location",
                           str(resources.files("vigie").joinpath("migrations")))
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1, script.get_heads()
    web = script.get_revision("0002_web")
    assert web is not None and web.down_revision is not None


def test_migration_creates_the_modelled_tables(db_url: str) -> None:
    store = open_store(db_url)
    try:
        ensure_web_schema(store.engine)
        ensure_web_schema(store.engine)  # idempotent
        found = inspect(store.engine)
        tables = [t for t in models.metadata.sorted_tables if t.name.startswith("web_")]
        assert {t.name for t in tables} == {n for n in models.__all__}
        for table in tables:
            columns = {c["name"]: c for c in found.get_columns(table.name)}
            assert set(columns) == {c.name for c in table.columns}, table.name
            for column in table.columns:
                assert columns[column.name]["nullable"] == column.nullable, (
                    table.name, column.name)
            indexes = {i["name"] for i in found.get_indexes(table.name)}
            assert {i.name for i in table.indexes} <= indexes, table.name
    finally:
        store.dispose()


def test_an_old_database_is_upgraded_by_the_app(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from vigie.store.db import migrate

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)
    migrate(engine, "0001")  # a database made before the dashboard existed
    assert "web_users" not in inspect(engine).get_table_names()
    ensure_web_schema(engine)
    assert "web_users" in inspect(engine).get_table_names()
    engine.dispose()


def test_existing_accounts_keep_their_password_through_0005(db_url: str) -> None:
    from sqlalchemy import select, text

    from vigie.store.db import current_revision, migrate
    from vigie.web.models import web_users

    engine = create_engine(db_url)
    try:
        migrate(engine, "0004_edits")  # a database made before password resets existed
        assert current_revision(engine) == {"0004_edits"}
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO web_users (username, display_name, role, password_hash, active, "
                "created_at, password_changed_at) VALUES ('old', 'Old', 'admin', 'h', :t, "
                ":now, :now)"), {"t": True, "now": "2025-01-01T00:00:00+00:00"})
        ensure_web_schema(engine)
        with engine.connect() as conn:
            row = conn.execute(select(web_users.c.password_hash,
                                      web_users.c.must_change_password)).one()
        assert (row.password_hash, row.must_change_password) == ("h", False)
    finally:
        engine.dispose()
