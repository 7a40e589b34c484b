# ruff: noqa: E501  (column lists kept one per line for review)
"""Web dashboard tables: accounts, sessions, API tokens, login attempts, facets, pages.

Owned by :mod:`vigie.web` (see :mod:`vigie.web.models`).

Revision ID: 0002_web
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_web"
down_revision = "0001"
branch_labels = None
depends_on = None

# Types spelled out here: a migration keeps meaning what it meant when written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the web tables (empty)."""
    op.create_table('web_users',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('password_changed_at', TS, nullable=False),
    sa.Column('last_login_at', TS, nullable=True),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_web_users')),
    sa.UniqueConstraint('username', name=op.f('uq_web_users_username'))
    )
    op.create_table('web_sessions',
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('user_pk', ID, nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('expires_at', TS, nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['user_pk'], ['web_users.pk'], name=op.f('fk_web_sessions_user_pk_web_users')),
    sa.PrimaryKeyConstraint('token_sha256', name=op.f('pk_web_sessions'))
    )
    op.create_index('ix_web_sessions_user_pk', 'web_sessions', ['user_pk'], unique=False)
    op.create_table('web_api_tokens',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('user_pk', ID, nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False, comment='first characters, to recognise it'),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('expires_at', TS, nullable=True),
    sa.Column('last_used_at', TS, nullable=True),
    sa.Column('revoked_at', TS, nullable=True),
    sa.ForeignKeyConstraint(['user_pk'], ['web_users.pk'], name=op.f('fk_web_api_tokens_user_pk_web_users')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_web_api_tokens')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_web_api_tokens_token_sha256'))
    )
    op.create_table('web_login_attempts',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('at', TS, nullable=False),
    sa.Column('success', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_web_login_attempts'))
    )
    op.create_index('ix_web_login_attempts_username_at', 'web_login_attempts', ['username', 'at'], unique=False)
    op.create_index('ix_web_login_attempts_ip_at', 'web_login_attempts', ['ip', 'at'], unique=False)
    op.create_table('web_facets',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('decision_pk', ID, nullable=False),
    sa.Column('comment_pk', ID, nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False, comment="'' when the decision has none"),
    sa.Column('clause', sa.String(length=32), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['comment_pk'], ['comments.pk'], name=op.f('fk_web_facets_comment_pk_comments')),
    sa.ForeignKeyConstraint(['decision_pk'], ['decisions.pk'], name=op.f('fk_web_facets_decision_pk_decisions')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_web_facets')),
    sa.UniqueConstraint('decision_pk', 'category', name=op.f('uq_web_facets_decision_pk_category'))
    )
    op.create_index('ix_web_facets_category_comment_pk', 'web_facets', ['category', 'comment_pk'], unique=False)
    op.create_index('ix_web_facets_language_comment_pk', 'web_facets', ['language', 'comment_pk'], unique=False)
    op.create_index('ix_web_facets_comment_pk', 'web_facets', ['comment_pk'], unique=False)
    op.create_table('web_facet_watermark',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('decision_pk', ID, nullable=False, comment='highest decisions.pk projected'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_facet_watermark'))
    )
    op.create_table('web_pages',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('page_id', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('added_at', TS, nullable=False),
    sa.Column('added_by', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_web_pages')),
    sa.UniqueConstraint('platform', 'page_id', name=op.f('uq_web_pages_platform_page_id'))
    )


def downgrade() -> None:
    """Drop the web tables (loses accounts, sessions and tokens)."""
    op.drop_table("web_pages")
    op.drop_table("web_facet_watermark")
    op.drop_table("web_facets")
    op.drop_table("web_login_attempts")
    op.drop_table("web_api_tokens")
    op.drop_table("web_sessions")
    op.drop_table("web_users")
