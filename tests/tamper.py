"""What an attacker with full rights on the database does first: drop the append-only guard.

Tests that tamper with the audit log call :func:`drop_guard` so that they test detection (the
hash chain, the signed checkpoints), not the guard itself.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection


def drop_guard(conn: Connection) -> None:
    """Drop the triggers of migration 0007 (``events`` is then writable again)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS events_append_only ON events")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS events_no_truncate ON events")
        return
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS events_append_only_update")
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS events_append_only_delete")
