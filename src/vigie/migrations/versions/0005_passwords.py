"""Password resets: ``web_users.must_change_password``.

An administrator's reset gives the account a temporary password and sets this flag; the
account holder must choose a new password before using the dashboard (see
:mod:`vigie.web.accounts`). Existing accounts keep their password: the flag starts false.

Revision ID: 0005_passwords
Revises: 0004_edits
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_passwords"
down_revision = "0004_edits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the flag (false for every existing account)."""
    with op.batch_alter_table("web_users") as batch:
        batch.add_column(sa.Column(
            "must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False,
            comment="set by a reset: the temporary password must be replaced at sign-in"))


def downgrade() -> None:
    """Drop the flag (a pending reset then lets the temporary password stand)."""
    with op.batch_alter_table("web_users") as batch:
        batch.drop_column("must_change_password")
