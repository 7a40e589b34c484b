"""Escalation handling: ``escalations.state``, ``assignee`` and ``updated_at``.

An escalation (directive 6.1) is handled by the community manager in the dashboard: assigned to
an account, commented or answered, closed with a note and reopened. Each step is an event of
the audit trail (subject ``escalation``); these columns cache where it stands for the lists.
Existing escalations are open and unassigned.

Revision ID: 0009_escalation_handling
Revises: 0008_questions
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_escalation_handling"
down_revision = "0008_questions"
branch_labels = None
depends_on = None

# Types spelled out here: a migration keeps meaning what it meant when written.
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add the columns (every stored escalation is open, unassigned) and the state index."""
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column(
            "state", sa.String(16), server_default="open", nullable=False,
            comment="open or closed: the community manager's handling (status: the notice's)"))
        batch.add_column(sa.Column("assignee", sa.String(255), nullable=True,
                                   comment="the dashboard account handling it"))
        batch.add_column(sa.Column("updated_at", TS, nullable=True,
                                   comment="the latest handling step"))
        batch.create_index("ix_escalations_state", ["state"])


def downgrade() -> None:
    """Drop them (the steps stay in the audit trail)."""
    with op.batch_alter_table("escalations") as batch:
        batch.drop_index("ix_escalations_state")
        batch.drop_column("updated_at")
        batch.drop_column("assignee")
        batch.drop_column("state")
