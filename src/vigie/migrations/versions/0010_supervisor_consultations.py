"""Drafts put to a supervisor (directive 6.3): ``monitor_consultations``.

"In case of doubt, ask a supervisor": ``vigie draft TEXT --ask EMAIL`` and the draft check page
store the draft, the findings the check gave and the supervisor's address; the answer is
recorded later. Owned by :mod:`vigie.monitoring` (see :mod:`vigie.monitoring.tables`).

Revision ID: 0010_supervisor_consultations
Revises: 0009_escalation_handling
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_supervisor_consultations"
down_revision = "0009_escalation_handling"
branch_labels = None
depends_on = None

# Types spelled out here: a migration keeps meaning what it meant when written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the table (empty)."""
    op.create_table(
        "monitor_consultations",
        sa.Column("pk", ID, autoincrement=True, nullable=False),
        sa.Column("asked_at", TS, nullable=False),
        sa.Column("asked_by", sa.String(length=255), nullable=False,
                  comment="who asked (account or name)"),
        sa.Column("speaker", sa.String(length=255), nullable=False,
                  comment="who would publish the draft"),
        sa.Column("supervisor", sa.String(length=255), nullable=False,
                  comment="the supervisor's e-mail address"),
        sa.Column("text", sa.Text(), nullable=False, comment="the draft, as checked"),
        sa.Column("findings", sa.Text(), nullable=False,
                  comment="JSON list of the draft check's findings"),
        sa.Column("status", sa.String(length=16), nullable=False, comment="asked or answered"),
        sa.Column("notice", sa.String(length=16), nullable=False,
                  comment="the supervisor's e-mail: pending, sent, failed or no_channel"),
        sa.Column("answer", sa.Text()),
        sa.Column("answered_by", sa.String(length=255)),
        sa.Column("answered_at", TS),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_monitor_consultations")),
    )
    op.create_index("ix_monitor_consultations_status", "monitor_consultations", ["status"])


def downgrade() -> None:
    """Drop the table (the consultations and their answers are lost; the audit keeps events)."""
    op.drop_index("ix_monitor_consultations_status", table_name="monitor_consultations")
    op.drop_table("monitor_consultations")
