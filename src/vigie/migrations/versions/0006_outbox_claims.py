"""Outbox claims: ``outbox.claimed_by``, the worker sending an action.

A worker claims the actions it is about to send (``status = 'sending'``) and names itself
(``host:pid:nonce``), so a worker started after a crash on the same machine sees that the
claimer is dead and takes its actions over at once, as *in doubt*, instead of waiting for the
lease (see :mod:`vigie.store.outbox_claims`). Existing rows are never claimed: null.

Revision ID: 0006_outbox_claims
Revises: 0005_passwords
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_outbox_claims"
down_revision = "0005_passwords"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column (null: no claim)."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(255), nullable=True,
                                   comment="host:pid:nonce of the worker sending it"))
        batch.alter_column("status", existing_type=sa.String(16), existing_nullable=False,
                           comment="pending, sending (claimed), applied or dead",
                           existing_comment="pending, applied or dead")


def downgrade() -> None:
    """Drop the column (claims then wait for their lease)."""
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_by")
        batch.alter_column("status", existing_type=sa.String(16), existing_nullable=False,
                           comment="pending, applied or dead",
                           existing_comment="pending, sending (claimed), applied or dead")
