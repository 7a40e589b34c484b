"""Replies to comments through the outbox: ``outbox.body`` and ``outbox.requested_by``.

A reply is an outbox action like a hide (``kind = 'reply_comment'``), planned with an
idempotency key and applied by ``vigie run``; it needs the text to post and the person who
asked for it, kept with the action so that a restart posts exactly that text, once. Existing
rows are moderation actions: null in both.

Revision ID: 0011_replies
Revises: 0010_supervisor_consultations
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_replies"
down_revision = "0010_supervisor_consultations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two columns (null: not a reply)."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("body", sa.Text(), nullable=True,
                                   comment="the text to post, for a reply"))
        batch.add_column(sa.Column("requested_by", sa.String(255), nullable=True,
                                   comment="who asked for the action, for a reply"))


def downgrade() -> None:
    """Drop the columns (queued replies lose their text: apply or cancel them first)."""
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("requested_by")
        batch.drop_column("body")
