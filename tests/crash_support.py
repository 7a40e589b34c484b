"""Helpers of the SIGKILL tests: watch a database another process is writing."""

from __future__ import annotations

from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from vigie.store.schema import decisions


def decided_count(url: str) -> int:
    """Decisions stored so far at ``url`` (0 while the schema is not migrated yet)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(decisions)).scalar_one())
    except SQLAlchemyError:
        return 0
    finally:
        engine.dispose()
