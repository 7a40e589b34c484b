"""Questions about the directive (section 8): ``web_questions``.

The public page ``/questions`` shows the directive in force and takes questions for the
community manager; each lands here (spam-checked, rate-limited per keyed digest of the client
address: the address itself is not kept).

Revision ID: 0008_questions
Revises: 0007_audit_append_only
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_questions"
down_revision = "0007_audit_append_only"
branch_labels = None
depends_on = None

# Types spelled out here: a migration keeps meaning what it meant when written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the table."""
    op.create_table(
        "web_questions",
        sa.Column("pk", ID, autoincrement=True, nullable=False),
        sa.Column("asked_at", TS, nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=255), comment="optional, as the visitor gave it"),
        sa.Column("email", sa.String(length=255), comment="optional: where the answer goes"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False,
                  comment="keyed digest of the client address, for the rate limit only"),
        sa.Column("status", sa.String(length=16), nullable=False,
                  comment="new, spam or answered"),
        sa.Column("spam_score", sa.Float(),
                  comment="the pipeline's strongest spam signal; NULL: unchecked"),
        sa.Column("spam_signals", sa.Text(), comment="JSON list of the spam signals found"),
        sa.Column("answered_at", TS),
        sa.Column("answered_by", sa.String(length=255)),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_web_questions")),
    )
    op.create_index("ix_web_questions_client_asked_at", "web_questions", ["client", "asked_at"])
    op.create_index("ix_web_questions_status", "web_questions", ["status"])


def downgrade() -> None:
    """Drop the table (the questions asked are lost)."""
    op.drop_index("ix_web_questions_status", table_name="web_questions")
    op.drop_index("ix_web_questions_client_asked_at", table_name="web_questions")
    op.drop_table("web_questions")
