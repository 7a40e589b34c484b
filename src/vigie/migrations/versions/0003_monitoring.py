# ruff: noqa: E501  (column lists kept one per line for review)
"""Monitoring tables: feeds, mentions, the registry of pages, mandates, impersonation suspects.

Owned by :mod:`vigie.monitoring` (see :mod:`vigie.monitoring.tables`).

Revision ID: 0003_monitoring
Revises: 0002_web
Create Date: 2025-01-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_monitoring"
down_revision = "0002_web"
branch_labels = None
depends_on = None

# Types spelled out here: a migration keeps meaning what it meant when written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the monitoring tables (empty)."""
    op.create_table('monitor_feeds',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False, comment='feed, page or x_search'),
    sa.Column('url', sa.String(length=2048), nullable=False, comment='feed or page URL; for x_search, the query'),
    sa.Column('bias', sa.Float(), nullable=False, comment='log-odds added to the names score'),
    sa.Column('interval_minutes', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('cursor', sa.Text(), nullable=True, comment="source-specific position (X since_id, a page's digest)"),
    sa.Column('last_polled_at', TS, nullable=True),
    sa.Column('next_poll_at', TS, nullable=False),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('added_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_monitor_feeds')),
    sa.UniqueConstraint('url', name=op.f('uq_monitor_feeds_url'))
    )
    op.create_table('monitor_mentions',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False, comment='sha256 of the canonical link'),
    sa.Column('feed_pk', ID, nullable=True),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('snippet', sa.Text(), nullable=True),
    sa.Column('published_at', TS, nullable=True),
    sa.Column('seen_at', TS, nullable=False),
    sa.Column('about', sa.Float(), nullable=False),
    sa.Column('names', sa.Text(), nullable=False, comment='JSON list of the name forms found'),
    sa.Column('tone', sa.Float(), nullable=False),
    sa.Column('tone_label', sa.String(length=16), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('alert_status', sa.String(length=16), nullable=False, comment='none, pending or sent'),
    sa.Column('alert_attempts', sa.Integer(), nullable=False),
    sa.Column('alerted_at', TS, nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['feed_pk'], ['monitor_feeds.pk'], name=op.f('fk_monitor_mentions_feed_pk_monitor_feeds')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_monitor_mentions')),
    sa.UniqueConstraint('key', name=op.f('uq_monitor_mentions_key'))
    )
    op.create_index('ix_monitor_mentions_alert_status', 'monitor_mentions', ['alert_status'], unique=False)
    op.create_index('ix_monitor_mentions_seen_at', 'monitor_mentions', ['seen_at'], unique=False)
    op.create_table('monitor_registry',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False, comment='canonical URL'),
    sa.Column('handle', sa.String(length=255), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('unit', sa.String(length=255), nullable=False, comment='owning unit (department, service)'),
    sa.Column('contact', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False, comment='official, affiliated or pending'),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('added_at', TS, nullable=False),
    sa.Column('updated_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_monitor_registry')),
    sa.UniqueConstraint('url', name=op.f('uq_monitor_registry_url'))
    )
    op.create_index('ix_monitor_registry_handle', 'monitor_registry', ['handle'], unique=False)
    op.create_table('monitor_mandates',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('person', sa.String(length=255), nullable=False, comment='identifier, lower case: e-mail or handle'),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('scope', sa.Text(), nullable=True),
    sa.Column('granted_by', sa.String(length=255), nullable=False),
    sa.Column('expires_at', TS, nullable=True),
    sa.Column('added_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_monitor_mandates')),
    sa.UniqueConstraint('person', name=op.f('uq_monitor_mandates_person'))
    )
    op.create_table('monitor_suspects',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('handle', sa.String(length=255), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False, comment='JSON list of sentences'),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False, comment='new, dismissed or confirmed'),
    sa.Column('first_seen', TS, nullable=False),
    sa.Column('last_seen', TS, nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_monitor_suspects')),
    sa.UniqueConstraint('url', name=op.f('uq_monitor_suspects_url'))
    )


def downgrade() -> None:
    """Drop the monitoring tables (loses feeds, mentions, the registry and mandates)."""
    op.drop_table("monitor_suspects")
    op.drop_table("monitor_mandates")
    op.drop_index("ix_monitor_registry_handle", table_name="monitor_registry")
    op.drop_table("monitor_registry")
    op.drop_index("ix_monitor_mentions_seen_at", table_name="monitor_mentions")
    op.drop_index("ix_monitor_mentions_alert_status", table_name="monitor_mentions")
    op.drop_table("monitor_mentions")
    op.drop_table("monitor_feeds")
