"""Fast bulk statements for the store's hot path, run on the driver.

SQLAlchemy's Core ``insert`` with a list of dicts spends most of its time building a parameter
dict per row, and a Core ``select ... IN`` coerces and renders every listed value on every
call; for the store's hot path (thousands of rows per second) that overhead is larger than the
database's work (measured: 3.5 µs per listed id against 1.0 on the driver).

* :func:`bulk_insert`: the statement is built once per table and column set, each value goes
  through the column type's bind processor (so datetimes and booleans are stored exactly as
  Core would store them), and the rows go to the driver as tuples.
* :func:`select_in`: ``SELECT columns FROM table WHERE a IN (...) AND b IN (...)``, for
  columns whose values the driver returns as Python needs them (keys, ids, text); columns
  with a result processor (datetimes on SQLite) must go through Core.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Dialect

from vigie.store.schema import UTCDateTime

__all__ = ["bulk_insert", "insert_tuples", "select_in"]

_Plan = tuple[str, tuple[Callable[[Any], Any] | None, ...]]
_plans: dict[tuple[str, str, tuple[str, ...]], _Plan] = {}


def _sqlite_utc(value: dt.datetime) -> str:
    # Exactly the text SQLAlchemy's SQLite DATETIME stores, from an aware datetime.
    if value.tzinfo is not dt.UTC:  # most values are UTC already: skip the conversion
        if value.tzinfo is None:
            raise ValueError(f"the store needs aware datetimes, got {value!r}")
        value = value.astimezone(dt.UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


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
    get = itemgetter(*columns)
    insert_tuples(conn, table, columns,
                  [get(row) for row in rows] if len(columns) > 1 else [(get(r),) for r in rows])


def insert_tuples(conn: Connection, table: Table, columns: tuple[str, ...],
                  rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (values in the order of ``columns``) in one ``executemany``.

    For writers that build their rows as tuples (the event log): no dict per row.
    """
    if not rows:
        return
    sql, processors = _plan(conn, table, columns)
    convert = [(i, proc) for i, proc in enumerate(processors) if proc is not None]
    if convert:
        # A batch repeats the same values ("now", a post's time) many times: convert once.
        memo: dict[tuple[int, Any], Any] = {}
        data = []
        for values in rows:
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
        data = [tuple(values) for values in rows]
    conn.exec_driver_sql(sql, data)


def select_in(conn: Connection, table: Table, columns: Sequence[str],
              where_in: Mapping[str, Collection[Any]]) -> list[tuple[Any, ...]]:
    """Rows of ``columns`` from ``table`` whose ``where_in`` columns take one of the values.

    Args:
        conn: a connection.
        table: the table.
        columns: the columns to return, in order; values as the driver returns them.
        where_in: column name to the values it may take (every condition must hold). Put the
            columns of an index first, in its order, so that the database can use it.

    Returns:
        The rows, as tuples; none when a list of values is empty.
    """
    if any(not values for values in where_in.values()):
        return []
    dialect = conn.dialect
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    preparer = dialect.identifier_preparer
    where = " AND ".join(
        f"{preparer.format_column(table.c[name])} IN ({', '.join(mark for _ in values)})"
        for name, values in where_in.items())
    sql = (f"SELECT {', '.join(preparer.format_column(table.c[c]) for c in columns)} "
           f"FROM {preparer.format_table(table)} WHERE {where}")
    params = tuple(value for values in where_in.values() for value in values)
    cursor = conn.connection.cursor()  # the transaction's own connection; plain tuples back
    try:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()

