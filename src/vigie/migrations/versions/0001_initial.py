# ruff: noqa: E501  (generated column lists, kept one constraint per line for review)
"""Initial schema: comments, decisions, the audit chain, review, strikes, outbox, policies.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Column types spelled out here, not imported from vigie.store.schema: a migration must keep
# meaning what it meant when it was written, whatever the schema module becomes.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
GENESIS = "0" * 64


def upgrade() -> None:
    """Create every table and the chain-head row (seq 0, genesis hash)."""
    op.create_table('authors',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('author_id', sa.String(length=255), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('handle', sa.Text(), nullable=True),
    sa.Column('profile', sa.Text(), nullable=True, comment='JSON of the author record as received'),
    sa.Column('first_seen', TS, nullable=False),
    sa.Column('erased_at', TS, nullable=True),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_authors')),
    sa.UniqueConstraint('platform', 'author_id', name=op.f('uq_authors_platform_author_id'))
    )
    op.create_table('chain_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', ID, nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chain_head'))
    )
    op.create_table('connector_cursors',
    sa.Column('connector', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('connector', 'key', name=op.f('pk_connector_cursors'))
    )
    op.create_table('events',
    sa.Column('seq', ID, autoincrement=False, nullable=False),
    sa.Column('at', TS, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject_type', sa.String(length=16), nullable=False),
    sa.Column('subject_id', sa.String(length=255), nullable=False),
    sa.Column('actor', sa.String(length=255), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_events'))
    )
    op.create_index('ix_events_kind', 'events', ['kind'], unique=False)
    op.create_index('ix_events_subject', 'events', ['subject_type', 'subject_id'], unique=False)
    op.create_table('outbox',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False, comment='idempotency key'),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('comment_id', sa.String(length=255), nullable=True),
    sa.Column('author_id', sa.String(length=255), nullable=True),
    sa.Column('post_id', sa.String(length=255), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False, comment='pending, applied or dead'),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', TS, nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('applied_at', TS, nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_key'))
    )
    op.create_index('ix_outbox_status_due', 'outbox', ['status', 'next_attempt_at'], unique=False)
    op.create_table('policy_versions',
    sa.Column('digest', sa.String(length=80), nullable=False),
    sa.Column('policy_id', sa.String(length=255), nullable=False),
    sa.Column('version', sa.String(length=255), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('yaml_text', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False, comment='proposed or fallback'),
    sa.Column('proposed_by', sa.String(length=255), nullable=False),
    sa.Column('proposed_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_policy_versions'))
    )
    op.create_table('posts',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('post_id', sa.String(length=255), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('links', sa.Text(), nullable=True, comment="JSON list of the post's links"),
    sa.Column('first_seen', TS, nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_posts')),
    sa.UniqueConstraint('platform', 'post_id', name=op.f('uq_posts_platform_post_id'))
    )
    op.create_table('comments',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('comment_id', sa.String(length=255), nullable=False),
    sa.Column('author_pk', ID, nullable=False),
    sa.Column('post_pk', ID, nullable=True),
    sa.Column('parent_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('ingested_at', TS, nullable=False),
    sa.Column('text', sa.Text(), nullable=True, comment='NULL once purged by the retention rules'),
    sa.Column('payload', sa.Text(), nullable=True, comment='JSON of the raw record; NULL once purged'),
    sa.Column('purged_at', TS, nullable=True),
    sa.ForeignKeyConstraint(['author_pk'], ['authors.pk'], name=op.f('fk_comments_author_pk_authors')),
    sa.ForeignKeyConstraint(['post_pk'], ['posts.pk'], name=op.f('fk_comments_post_pk_posts')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_comments')),
    sa.UniqueConstraint('platform', 'comment_id', name=op.f('uq_comments_platform_comment_id'))
    )
    op.create_index('ix_comments_author_pk', 'comments', ['author_pk'], unique=False)
    op.create_index('ix_comments_created_at', 'comments', ['created_at'], unique=False)
    op.create_table('policy_approvals',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('digest', sa.String(length=80), nullable=False),
    sa.Column('approved_by', sa.String(length=255), nullable=False),
    sa.Column('reference', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('approved_at', TS, nullable=False),
    sa.ForeignKeyConstraint(['digest'], ['policy_versions.digest'], name=op.f('fk_policy_approvals_digest_policy_versions')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_policy_approvals')),
    sa.UniqueConstraint('digest', name=op.f('uq_policy_approvals_digest'))
    )
    op.create_table('decisions',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('comment_pk', ID, nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('strike', sa.Boolean(), nullable=False),
    sa.Column('escalate', sa.Boolean(), nullable=False),
    sa.Column('policy_digest', sa.String(length=80), nullable=False),
    sa.Column('policy_source', sa.String(length=16), nullable=False, comment='store or file'),
    sa.Column('decided_at', TS, nullable=False),
    sa.Column('body', sa.Text(), nullable=False, comment='JSON of Decision.to_dict()'),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['comment_pk'], ['comments.pk'], name=op.f('fk_decisions_comment_pk_comments')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_decisions')),
    sa.UniqueConstraint('comment_pk', name=op.f('uq_decisions_comment_pk'))
    )
    op.create_index('ix_decisions_action', 'decisions', ['action'], unique=False)
    op.create_table('blocks',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('author_pk', ID, nullable=False),
    sa.Column('comment_pk', ID, nullable=True),
    sa.Column('decision_pk', ID, nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('blocked_at', TS, nullable=False),
    sa.Column('blocked_by', sa.String(length=255), nullable=False),
    sa.Column('lifted_at', TS, nullable=True),
    sa.Column('lifted_by', sa.String(length=255), nullable=True),
    sa.Column('lift_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['author_pk'], ['authors.pk'], name=op.f('fk_blocks_author_pk_authors')),
    sa.ForeignKeyConstraint(['comment_pk'], ['comments.pk'], name=op.f('fk_blocks_comment_pk_comments')),
    sa.ForeignKeyConstraint(['decision_pk'], ['decisions.pk'], name=op.f('fk_blocks_decision_pk_decisions')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_blocks'))
    )
    op.create_index('ix_blocks_author_pk', 'blocks', ['author_pk'], unique=False)
    op.create_table('review_items',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('comment_pk', ID, nullable=False),
    sa.Column('decision_pk', ID, nullable=True),
    sa.Column('origin', sa.String(length=16), nullable=False, comment='decision, appeal or manual'),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('takedown', sa.Boolean(), nullable=False),
    sa.Column('author_blocked', sa.Boolean(), nullable=False),
    sa.Column('appeals', sa.Integer(), nullable=False),
    sa.Column('opened_at', TS, nullable=False),
    sa.Column('updated_at', TS, nullable=False),
    sa.Column('last_actor', sa.String(length=255), nullable=True),
    sa.Column('last_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['comment_pk'], ['comments.pk'], name=op.f('fk_review_items_comment_pk_comments')),
    sa.ForeignKeyConstraint(['decision_pk'], ['decisions.pk'], name=op.f('fk_review_items_decision_pk_decisions')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_review_items'))
    )
    op.create_index('ix_review_items_comment_pk', 'review_items', ['comment_pk'], unique=False)
    op.create_index('ix_review_items_state', 'review_items', ['state'], unique=False)
    op.create_table('strikes',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('author_pk', ID, nullable=False),
    sa.Column('comment_pk', ID, nullable=False),
    sa.Column('decision_pk', ID, nullable=True),
    sa.Column('at', TS, nullable=False, comment="the comment's created_at"),
    sa.Column('clauses', sa.Text(), nullable=False, comment='JSON list of clauses'),
    sa.Column('voided_at', TS, nullable=True),
    sa.Column('voided_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['author_pk'], ['authors.pk'], name=op.f('fk_strikes_author_pk_authors')),
    sa.ForeignKeyConstraint(['comment_pk'], ['comments.pk'], name=op.f('fk_strikes_comment_pk_comments')),
    sa.ForeignKeyConstraint(['decision_pk'], ['decisions.pk'], name=op.f('fk_strikes_decision_pk_decisions')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_strikes')),
    sa.UniqueConstraint('comment_pk', name=op.f('uq_strikes_comment_pk'))
    )
    op.create_index('ix_strikes_author_at', 'strikes', ['author_pk', 'at'], unique=False)
    op.create_table('escalations',
    sa.Column('pk', ID, autoincrement=True, nullable=False),
    sa.Column('comment_pk', ID, nullable=False),
    sa.Column('decision_pk', ID, nullable=True),
    sa.Column('review_pk', ID, nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False, comment='pending, sent or failed'),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('sent_at', TS, nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['comment_pk'], ['comments.pk'], name=op.f('fk_escalations_comment_pk_comments')),
    sa.ForeignKeyConstraint(['decision_pk'], ['decisions.pk'], name=op.f('fk_escalations_decision_pk_decisions')),
    sa.ForeignKeyConstraint(['review_pk'], ['review_items.pk'], name=op.f('fk_escalations_review_pk_review_items')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_escalations'))
    )
    op.create_index('ix_escalations_status', 'escalations', ['status'], unique=False)
    head = sa.table("chain_head", sa.column("id", sa.Integer()), sa.column("seq", ID),
                    sa.column("hash", sa.String(64)))
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])


def downgrade() -> None:
    """Drop every table (loses all data)."""
    op.drop_table("escalations")
    op.drop_table("strikes")
    op.drop_table("review_items")
    op.drop_table("blocks")
    op.drop_table("decisions")
    op.drop_table("policy_approvals")
    op.drop_table("comments")
    op.drop_table("posts")
    op.drop_table("policy_versions")
    op.drop_table("outbox")
    op.drop_table("events")
    op.drop_table("connector_cursors")
    op.drop_table("chain_head")
    op.drop_table("authors")
