"""Authors' appeals from the public page (6.2, 7), and each account's language and time zone.

``web_appeals`` keeps every attempt on the public ``/appeal`` page: the ones that reached a
review item (``filed``, ``joined``) and the ones refused (``unmatched``, ``nothing``,
``spam``), because the rate limits count both, per keyed digest of the client address and per
keyed digest of the appeal code (neither the address nor the code is kept).
``web_users.lang`` and ``web_users.timezone`` are an account's own choice (``NULL``: the
settings' default), followed by every page once signed in.

Revision ID: 0013_appeal
Revises: 0012_page_requests_group_tasks
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_appeal"
down_revision = "0012_page_requests_group_tasks"
branch_labels = None
depends_on = None

# Types spelled out here: a migration keeps meaning what it meant when written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``web_appeals``; add the two account columns (``NULL`` for every account)."""
    op.create_table(
        "web_appeals",
        sa.Column("pk", ID, autoincrement=True, nullable=False),
        sa.Column("filed_at", TS, nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False,
                  comment="keyed digest of the client address, for the rate limit only"),
        sa.Column("code", sa.String(length=64), nullable=False,
                  comment="keyed digest of the appeal code given, for the rate limit only"),
        sa.Column("status", sa.String(length=16), nullable=False,
                  comment="filed, joined, unmatched, nothing or spam"),
        sa.Column("reference", sa.String(length=16),
                  comment="the reference shown to the author; NULL when refused"),
        sa.Column("comment_pk", ID),
        sa.Column("item_pk", ID, comment="the review item it reached"),
        sa.Column("reason", sa.Text(), comment="the author's argument; NULL when refused"),
        sa.ForeignKeyConstraint(["comment_pk"], ["comments.pk"],
                                name=op.f("fk_web_appeals_comment_pk_comments")),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_web_appeals")),
        sa.UniqueConstraint("reference", name=op.f("uq_web_appeals_reference")),
    )
    op.create_index("ix_web_appeals_client_filed_at", "web_appeals", ["client", "filed_at"])
    op.create_index("ix_web_appeals_code_filed_at", "web_appeals", ["code", "filed_at"])
    with op.batch_alter_table("web_users") as batch:
        batch.add_column(sa.Column("lang", sa.String(length=8),
                                   comment="fr or en; NULL: the settings' default"))
        batch.add_column(sa.Column("timezone", sa.String(length=64),
                                   comment="IANA zone; NULL: the settings' default"))


def downgrade() -> None:
    """Drop the account columns and ``web_appeals`` (the appeals' records are lost)."""
    with op.batch_alter_table("web_users") as batch:
        batch.drop_column("timezone")
        batch.drop_column("lang")
    op.drop_index("ix_web_appeals_code_filed_at", table_name="web_appeals")
    op.drop_index("ix_web_appeals_client_filed_at", table_name="web_appeals")
    op.drop_table("web_appeals")
