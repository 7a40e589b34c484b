"""Edited comments: a comment's revision, and the revision its decision judged.

A platform may deliver a comment again with new text (Meta's ``edited`` webhook, a poll that
re-reads a thread). The comment row then holds the latest text and its revision number; the
decision row is replaced by the decision on that revision, and the event log keeps the history.

Revision ID: 0004_edits
Revises: 0003_monitoring
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_edits"
down_revision = "0003_monitoring"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add the revision columns (every stored comment and decision is revision 1)."""
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), server_default="1",
                                   nullable=False, comment="1, then +1 per edit received"))
        batch.add_column(sa.Column("edited_at", TS, nullable=True,
                                   comment="when the latest edit was received"))
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), server_default="1",
                                   nullable=False, comment="the comment revision judged"))


def downgrade() -> None:
    """Drop the revision columns (the latest text and decision stay)."""
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("revision")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("edited_at")
        batch.drop_column("revision")
