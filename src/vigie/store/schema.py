"""The store's tables (SQLAlchemy Core), shared by SQLite and PostgreSQL.

The schema is created and evolved only by the Alembic migrations in :mod:`vigie.migrations`;
this module describes the *current* schema for queries, and a test checks that the migrations
produce exactly it.

Design notes (why, not what):

* Core tables, not ORM classes: the store writes thousands of rows per second in
  ``executemany`` batches, and readers (the dashboard) want plain rows.
* JSON is stored as text that Vigie serialises itself, so the bytes hashed into the audit chain
  are the bytes stored, on every database.
* Times are aware UTC datetimes in Python; :class:`UTCDateTime` stores them as naive UTC on SQLite
  (which has no time-zone type) and as ``timestamptz`` on PostgreSQL.
* ``events`` is the audit trail, append-only and hash-chained; every other table is either an
  input record (comments, authors, posts, policy versions) or a projection that the workflow
  updates in the same transaction as the event that explains it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from vigie.records import Platform

__all__ = [
    "PLATFORMS",
    "UTCDateTime",
    "authors",
    "blocks",
    "chain_head",
    "comments",
    "connector_cursors",
    "decisions",
    "escalations",
    "events",
    "metadata",
    "outbox",
    "person_links",
    "policy_approvals",
    "policy_versions",
    "posts",
    "review_items",
    "strikes",
]

# Explicit constraint names, so migrations can alter them on every backend.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime on every backend.

    Naive datetimes are refused on the way in (raises ``ValueError``): a moderation timestamp
    without a zone cannot be placed in a policy window.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Convert an aware datetime to what the backend stores (naive UTC on SQLite)."""
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError(f"the store needs aware datetimes, got {value!r}")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Return an aware UTC datetime whatever the backend stored."""
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


#: Every platform name. A lookup by platform id alone adds ``platform IN PLATFORMS``: the
#: (platform, id) unique indexes then serve it, where the id alone would scan them.
PLATFORMS = tuple(p.value for p in Platform)

Id = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements only INTEGER keys

authors = Table(
    "authors", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("author_id", String(255), nullable=False),
    Column("name", Text),
    Column("handle", Text),
    Column("profile", Text, comment="JSON of the author record as received"),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("erased_at", UTCDateTime),
    UniqueConstraint("platform", "author_id"),
)

posts = Table(
    "posts", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("post_id", String(255), nullable=False),
    Column("text", Text),
    Column("links", Text, comment="JSON list of the post's links"),
    Column("first_seen", UTCDateTime, nullable=False),
    UniqueConstraint("platform", "post_id"),
)

comments = Table(
    "comments", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("comment_id", String(255), nullable=False),
    Column("author_pk", Id, ForeignKey("authors.pk"), nullable=False),
    Column("post_pk", Id, ForeignKey("posts.pk")),
    Column("parent_id", String(255)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("ingested_at", UTCDateTime, nullable=False),
    Column("text", Text, comment="NULL once purged by the retention rules"),
    Column("payload", Text, comment="JSON of the raw record; NULL once purged"),
    Column("purged_at", UTCDateTime),
    Column("revision", Integer, nullable=False, server_default="1",
           comment="1, then +1 per edit received"),
    Column("edited_at", UTCDateTime, comment="when the latest edit was received"),
    UniqueConstraint("platform", "comment_id"),
    Index("ix_comments_author_pk", "author_pk"),
    Index("ix_comments_created_at", "created_at"),
)

decisions = Table(
    "decisions", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("comment_pk", Id, ForeignKey("comments.pk"), nullable=False, unique=True),
    Column("action", String(16), nullable=False),
    Column("strike", Boolean, nullable=False),
    Column("escalate", Boolean, nullable=False),
    Column("policy_digest", String(80), nullable=False),
    Column("policy_source", String(16), nullable=False, comment="store or file"),
    Column("decided_at", UTCDateTime, nullable=False),
    Column("body", Text, nullable=False, comment="JSON of Decision.to_dict()"),
    Column("body_sha256", String(64), nullable=False),
    Column("revision", Integer, nullable=False, server_default="1",
           comment="the comment revision judged"),
    Index("ix_decisions_action", "action"),
)

events = Table(
    "events", metadata,
    Column("seq", Id, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("subject_type", String(16), nullable=False),
    Column("subject_id", String(255), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_events_subject", "subject_type", "subject_id"),
    Index("ix_events_kind", "kind"),
)

chain_head = Table(
    "chain_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Id, nullable=False),
    Column("hash", String(64), nullable=False),
)

review_items = Table(
    "review_items", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("comment_pk", Id, ForeignKey("comments.pk"), nullable=False),
    Column("decision_pk", Id, ForeignKey("decisions.pk")),
    Column("origin", String(16), nullable=False, comment="decision, appeal or manual"),
    Column("state", String(16), nullable=False),
    Column("outcome", String(16)),
    Column("takedown", Boolean, nullable=False),
    Column("author_blocked", Boolean, nullable=False),
    Column("appeals", Integer, nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("last_actor", String(255)),
    Column("last_reason", Text),
    Index("ix_review_items_state", "state"),
    Index("ix_review_items_comment_pk", "comment_pk"),
)

strikes = Table(
    "strikes", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("author_pk", Id, ForeignKey("authors.pk"), nullable=False),
    Column("comment_pk", Id, ForeignKey("comments.pk"), nullable=False, unique=True),
    Column("decision_pk", Id, ForeignKey("decisions.pk")),
    Column("at", UTCDateTime, nullable=False, comment="the comment's created_at"),
    Column("clauses", Text, nullable=False, comment="JSON list of clauses"),
    Column("voided_at", UTCDateTime),
    Column("voided_reason", Text),
    Index("ix_strikes_author_at", "author_pk", "at"),
)

blocks = Table(
    "blocks", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("author_pk", Id, ForeignKey("authors.pk"), nullable=False),
    Column("comment_pk", Id, ForeignKey("comments.pk")),
    Column("decision_pk", Id, ForeignKey("decisions.pk")),
    Column("reason", Text, nullable=False),
    Column("blocked_at", UTCDateTime, nullable=False),
    Column("blocked_by", String(255), nullable=False),
    Column("lifted_at", UTCDateTime),
    Column("lifted_by", String(255)),
    Column("lift_reason", Text),
    Index("ix_blocks_author_pk", "author_pk"),
)

#: Accounts of one person on several platforms (directive 7: strikes counted for the person).
#: Made by an operator, never guessed: no platform API names a commenter across platforms.
person_links = Table(
    "person_links", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("person", String(32), nullable=False, comment="random id shared by the accounts"),
    Column("author_pk", Id, ForeignKey("authors.pk"), nullable=False, unique=True),
    Column("linked_at", UTCDateTime, nullable=False),
    Column("linked_by", String(255), nullable=False),
    Column("reason", Text, nullable=False),
    Index("ix_person_links_person", "person"),
)

escalations = Table(
    "escalations", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("comment_pk", Id, ForeignKey("comments.pk"), nullable=False),
    Column("decision_pk", Id, ForeignKey("decisions.pk")),
    Column("review_pk", Id, ForeignKey("review_items.pk")),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False, comment="pending, sent or failed"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("state", String(16), nullable=False, server_default="open",
           comment="open or closed: the community manager's handling (status: the notice's)"),
    Column("assignee", String(255), comment="the dashboard account handling it"),
    Column("updated_at", UTCDateTime, comment="the latest handling step"),
    Index("ix_escalations_status", "status"),
    Index("ix_escalations_state", "state"),
)

policy_versions = Table(
    "policy_versions", metadata,
    Column("digest", String(80), primary_key=True),
    Column("policy_id", String(255), nullable=False),
    Column("version", String(255), nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("yaml_text", Text, nullable=False),
    Column("origin", String(16), nullable=False, comment="proposed or fallback"),
    Column("proposed_by", String(255), nullable=False),
    Column("proposed_at", UTCDateTime, nullable=False),
)

policy_approvals = Table(
    "policy_approvals", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("digest", String(80), ForeignKey("policy_versions.digest"), nullable=False),
    Column("approved_by", String(255), nullable=False),
    Column("reference", String(255), nullable=False),
    Column("body", Text),
    Column("approved_at", UTCDateTime, nullable=False),
    UniqueConstraint("digest"),
)

connector_cursors = Table(
    "connector_cursors", metadata,
    Column("connector", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

outbox = Table(
    "outbox", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("key", String(255), nullable=False, unique=True, comment="idempotency key"),
    Column("kind", String(32), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("comment_id", String(255)),
    Column("author_id", String(255)),
    Column("post_id", String(255)),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False,
           comment="pending, sending (claimed), applied or dead"),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("applied_at", UTCDateTime),
    Column("last_error", Text),
    Column("result", Text),
    Column("claimed_by", String(255), comment="host:pid:nonce of the worker sending it"),
    Column("body", Text, comment="the text to post, for a reply"),
    Column("requested_by", String(255), comment="who asked for the action, for a reply"),
    Index("ix_outbox_status_due", "status", "next_attempt_at"),
)
