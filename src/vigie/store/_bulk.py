"""Fast bulk inserts: one driver-level ``executemany`` with the columns' own bind processors.

SQLAlchemy's Core ``insert`` with a list of dicts spends most of its time building a parameter
dict per row; for the store's hot path (thousands of rows per second) that overhead is larger
than the database's work. Here the statement is built once per table and column set, each
value goes through the column type's bind processor (so datetimes and booleans are stored
exactly as Core would store them), and the rows go to the driver as tuples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Dialect

from vigie.store.schema import UTCDateTime

__all__ = ["bulk_insert"]

_Plan = tuple[str, tuple[Callable[[Any], Any] | None, ...]]
_plans: dict[tuple[str, str, tuple[str, ...]], _Plan] = {}


def _sqlite_utc(value: dt.datetime) -> str:
    # Exactly the text SQLAlchemy's SQLite DATETIME stores, from an aware datetime.
    if value.tzinfo is None:
        raise ValueError(f"the store needs aware datetimes, got {value!r}")
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _processor(table: Table, column: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    kind = table.c[column].type
    if isinstance(kind, UTCDateTime) and dialect.name == "sqlite":
        return _sqlite_utc
    return kind._cached_bind_processor(dialect)


def _plan(conn: Connection, table: Table, columns: tuple[str, ...]) -> _Plan:
    dialect = conn.dialect
    key = (dialect.name, table.name, columns)
    plan = _plans.get(key)
    if plan is None:
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        preparer = dialect.identifier_preparer
        sql = (f"INSERT INTO {preparer.format_table(table)} "
               f"({', '.join(preparer.quote(c) for c in columns)}) "
               f"VALUES ({', '.join(mark for _ in columns)})")
        processors = tuple(_processor(table, c, dialect) for c in columns)
        plan = _plans[key] = (sql, processors)
    return plan


def bulk_insert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in one ``executemany``.

    Columns not in the rows take their database default (NULL, or the autoincrement key).
    """
    if not rows:
        return
    columns = tuple(rows[0])
    sql, processors = _plan(conn, table, columns)
    get = itemgetter(*columns)
    tuples = [get(row) for row in rows] if len(columns) > 1 else [(get(r),) for r in rows]
    convert = [(i, proc) for i, proc in enumerate(processors) if proc is not None]
    if convert:
        # A batch repeats the same values ("now", a post's time) many times: convert once.
        memo: dict[tuple[int, Any], Any] = {}
        data = []
        for values in tuples:
            out = list(values)
            for i, proc in convert:
                value = out[i]
                if value is not None:
                    key = (i, value)
                    if key not in memo:
                        memo[key] = proc(value)
                    out[i] = memo[key]
            data.append(tuple(out))
    else:
        data = tuples
    conn.exec_driver_sql(sql, data)
