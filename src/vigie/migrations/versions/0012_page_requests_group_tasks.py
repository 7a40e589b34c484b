"""Page requests (6.1) and group-membership tasks (7); the registry's ``kind``.

Staff ask to create a page or a group in the institution's name and the community manager
decides (``monitor_page_requests``); a blocked author whose platform has institution groups
in the registry becomes a task for the community manager to remove them from each group by
hand (``monitor_group_tasks``); registry rows say whether they are a page or a group
(``monitor_registry.kind``, ``page`` for every existing row). Owned by :mod:`vigie.monitoring`
(see :mod:`vigie.monitoring.tables`).

Revision ID: 0012_page_requests_group_tasks
Revises: 0011_replies
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_page_requests_group_tasks"
down_revision = "0011_replies"
branch_labels = None
depends_on = None

# Types spelled out here: a migration keeps meaning what it meant when written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the two tables (empty) and add ``kind`` to the registry."""
    with op.batch_alter_table("monitor_registry") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), server_default="page",
                                   nullable=False,
                                   comment="page (a page or an account) or group"))
    op.create_table(
        "monitor_page_requests",
        sa.Column("pk", ID, autoincrement=True, nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("requested_by", sa.String(length=255), nullable=False,
                  comment="who asked (account or name)"),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="page or group"),
        sa.Column("name", sa.String(length=255), nullable=False, comment="the proposed name"),
        sa.Column("handle", sa.String(length=255), comment="the proposed handle, without @"),
        sa.Column("url", sa.String(length=2048), nullable=False,
                  comment="the proposed address, canonical"),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=255), nullable=False,
                  comment="the unit it will speak for"),
        sa.Column("manager", sa.String(length=255), nullable=False,
                  comment="who will manage it (e-mail)"),
        sa.Column("mandate", sa.Text(), nullable=False,
                  comment="what it may say in the institution's name"),
        sa.Column("reply_to", sa.String(length=255), comment="where the decision is e-mailed"),
        sa.Column("status", sa.String(length=16), nullable=False,
                  comment="pending, approved or refused"),
        sa.Column("decided_by", sa.String(length=255)),
        sa.Column("decided_at", TS),
        sa.Column("note", sa.Text(), comment="the community manager's note"),
        sa.Column("notice", sa.String(length=16), nullable=False,
                  comment="the requester's e-mail: pending, sent, failed or no_channel"),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_monitor_page_requests")),
    )
    op.create_index("ix_monitor_page_requests_status", "monitor_page_requests", ["status"])
    op.create_table(
        "monitor_group_tasks",
        sa.Column("pk", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("block_pk", ID, nullable=False),
        sa.Column("author_pk", ID, nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("group_url", sa.String(length=2048), nullable=False,
                  comment="the group's registry URL"),
        sa.Column("group_name", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, comment="the block's reason"),
        sa.Column("grounds", sa.Text(), nullable=False,
                  comment="JSON: clauses and the decisions (comment ids, numbers) behind the "
                          "block"),
        sa.Column("status", sa.String(length=16), nullable=False,
                  comment="open, done or not_needed"),
        sa.Column("closed_by", sa.String(length=255)),
        sa.Column("closed_at", TS),
        sa.Column("note", sa.Text()),
        sa.ForeignKeyConstraint(["block_pk"], ["blocks.pk"],
                                name=op.f("fk_monitor_group_tasks_block_pk_blocks")),
        sa.ForeignKeyConstraint(["author_pk"], ["authors.pk"],
                                name=op.f("fk_monitor_group_tasks_author_pk_authors")),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_monitor_group_tasks")),
        sa.UniqueConstraint("block_pk", "group_url",
                            name=op.f("uq_monitor_group_tasks_block_pk_group_url")),
    )
    op.create_index("ix_monitor_group_tasks_status", "monitor_group_tasks", ["status"])


def downgrade() -> None:
    """Drop the tables and the column (requests and tasks are lost; the audit keeps events)."""
    op.drop_index("ix_monitor_group_tasks_status", table_name="monitor_group_tasks")
    op.drop_table("monitor_group_tasks")
    op.drop_index("ix_monitor_page_requests_status", table_name="monitor_page_requests")
    op.drop_table("monitor_page_requests")
    with op.batch_alter_table("monitor_registry") as batch:
        batch.drop_column("kind")
