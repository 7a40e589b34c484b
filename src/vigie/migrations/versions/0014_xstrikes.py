"""Person links (directive 7): one person's accounts on several platforms, linked by an operator.

Strikes are then counted for the person, across the linked accounts, and a block reaches every
one of them (:mod:`vigie.store.persons`).

Revision ID: 0014_xstrikes
Revises: 0013_appeal
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_xstrikes"
down_revision = "0013_appeal"
branch_labels = None
depends_on = None

# Types spelled out here: a migration keeps meaning what it meant when written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``person_links`` (empty: no account is linked until an operator links it)."""
    op.create_table(
        "person_links",
        sa.Column("pk", ID, autoincrement=True, nullable=False),
        sa.Column("person", sa.String(length=32), nullable=False,
                  comment="random id shared by the accounts"),
        sa.Column("author_pk", ID, nullable=False),
        sa.Column("linked_at", TS, nullable=False),
        sa.Column("linked_by", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["author_pk"], ["authors.pk"],
                                name=op.f("fk_person_links_author_pk_authors")),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_person_links")),
        sa.UniqueConstraint("author_pk", name=op.f("uq_person_links_author_pk")),
    )
    op.create_index("ix_person_links_person", "person_links", ["person"])


def downgrade() -> None:
    """Drop the table (the links are lost; the audit keeps their events)."""
    op.drop_index("ix_person_links_person", table_name="person_links")
    op.drop_table("person_links")
