"""The audit log is append-only: the database refuses UPDATE and DELETE on ``events``.

The hash chain *detects* an edited row; these triggers *refuse* one, so an operator's stray
``UPDATE`` or a compromised dashboard account cannot rewrite history through ordinary SQL. An
attacker with the right to drop triggers can still rewrite rows and recompute the chain: that
is what the signed checkpoints, kept outside the database, catch (:mod:`vigie.store.checkpoints`).

SQLite: two ``BEFORE`` triggers raising ``ABORT``. PostgreSQL: one row trigger for UPDATE and
DELETE, and a statement trigger for TRUNCATE, calling a function that raises.

Revision ID: 0007_audit_append_only
Revises: 0006_outbox_claims
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0007_audit_append_only"
down_revision = "0006_outbox_claims"
branch_labels = None
depends_on = None

_MESSAGE = "audit events are append-only (vigie): UPDATE and DELETE are refused"


def upgrade() -> None:
    """Install the triggers."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION vigie_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$""")
        op.execute("CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
                   "FOR EACH ROW EXECUTE FUNCTION vigie_events_append_only()")
        op.execute("CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
                   "FOR EACH STATEMENT EXECUTE FUNCTION vigie_events_append_only()")
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER events_append_only_{verb.lower()} BEFORE {verb} ON events "
                   f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END")


def downgrade() -> None:
    """Remove the triggers (the chain and the checkpoints still detect edits)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_no_truncate ON events")
        op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
        op.execute("DROP FUNCTION IF EXISTS vigie_events_append_only()")
        return
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS events_append_only_{verb}")
