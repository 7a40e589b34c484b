"""The monitoring tables: feeds, mentions, the registry of pages, mandates, suspects.

They live on the store's :data:`vigie.store.schema.metadata` (same naming convention, same
migration runner); migration ``0003_monitoring`` creates them. Every name starts with
``monitor_`` so the store's and the dashboard's tables never collide with ours.

Design notes (why, not what):

* A mention's ``key`` is the SHA-256 of its canonical link (or of the feed's item id when it
  has no link): the same article reached through two feeds, or listed twice in one feed, is
  one mention and one alert.
* A feed keeps the validators of its last answer (``etag``, ``last_modified``) so the next
  poll is a conditional request, and its ``failures`` count so a feed that is down backs off
  on its own without holding up the others.
* Mentions keep the title and a short snippet of public web content, never the page: enough
  to judge and to follow the link.
* The registry is the directive's list of pages created in the institution's name (6.1);
  ``monitor_mandates`` lists the people who may speak for it besides its official accounts.
* ``monitor_consultations`` (6.3, "in case of doubt, ask a supervisor"): a draft put to a
  supervisor, with the findings the check gave at the time (JSON, as shown to the asker) and
  the answer. Each ask and answer is also an audit event (``supervisor_asked``,
  ``supervisor_answered``), which never holds the draft's text.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from vigie.store.schema import Id, UTCDateTime, metadata

__all__ = [
    "monitor_consultations",
    "monitor_feeds",
    "monitor_group_tasks",
    "monitor_mandates",
    "monitor_mentions",
    "monitor_page_requests",
    "monitor_registry",
    "monitor_suspects",
]

monitor_feeds = Table(
    "monitor_feeds", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False),
    Column("kind", String(16), nullable=False, comment="feed, page or x_search"),
    Column("url", String(2048), nullable=False, unique=True,
           comment="feed or page URL; for x_search, the query"),
    Column("bias", Float, nullable=False, comment="log-odds added to the names score"),
    Column("interval_minutes", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("cursor", Text, comment="source-specific position (X since_id, a page's digest)"),
    Column("last_polled_at", UTCDateTime),
    Column("next_poll_at", UTCDateTime, nullable=False),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("failures", Integer, nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
)

monitor_mentions = Table(
    "monitor_mentions", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True, comment="sha256 of the canonical link"),
    Column("feed_pk", Id, ForeignKey("monitor_feeds.pk")),
    Column("source", String(255), nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("snippet", Text),
    Column("published_at", UTCDateTime),
    Column("seen_at", UTCDateTime, nullable=False),
    Column("about", Float, nullable=False),
    Column("names", Text, nullable=False, comment="JSON list of the name forms found"),
    Column("tone", Float, nullable=False),
    Column("tone_label", String(16), nullable=False),
    Column("explanation", Text, nullable=False),
    Column("alert_status", String(16), nullable=False, comment="none, pending or sent"),
    Column("alert_attempts", Integer, nullable=False),
    Column("alerted_at", UTCDateTime),
    Column("last_error", Text),
    Index("ix_monitor_mentions_alert_status", "alert_status"),
    Index("ix_monitor_mentions_seen_at", "seen_at"),
)

monitor_registry = Table(
    "monitor_registry", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("url", String(2048), nullable=False, unique=True, comment="canonical URL"),
    Column("handle", String(255)),
    Column("name", String(255), nullable=False),
    Column("unit", String(255), nullable=False, comment="owning unit (department, service)"),
    Column("contact", String(255), nullable=False),
    Column("status", String(16), nullable=False, comment="official, affiliated or pending"),
    Column("notes", Text),
    Column("added_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("kind", String(16), nullable=False, server_default="page",
           comment="page (a page or an account) or group"),
    Index("ix_monitor_registry_handle", "handle"),
)

monitor_mandates = Table(
    "monitor_mandates", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("person", String(255), nullable=False, unique=True,
           comment="identifier, lower case: e-mail or handle"),
    Column("name", String(255), nullable=False),
    Column("scope", Text),
    Column("granted_by", String(255), nullable=False),
    Column("expires_at", UTCDateTime),
    Column("added_at", UTCDateTime, nullable=False),
)

monitor_suspects = Table(
    "monitor_suspects", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("url", String(2048), nullable=False, unique=True),
    Column("handle", String(255)),
    Column("name", String(255)),
    Column("score", Float, nullable=False),
    Column("reasons", Text, nullable=False, comment="JSON list of sentences"),
    Column("source", String(64), nullable=False),
    Column("status", String(16), nullable=False, comment="new, dismissed or confirmed"),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
)

monitor_consultations = Table(
    "monitor_consultations", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("asked_at", UTCDateTime, nullable=False),
    Column("asked_by", String(255), nullable=False, comment="who asked (account or name)"),
    Column("speaker", String(255), nullable=False, comment="who would publish the draft"),
    Column("supervisor", String(255), nullable=False, comment="the supervisor's e-mail address"),
    Column("text", Text, nullable=False, comment="the draft, as checked"),
    Column("findings", Text, nullable=False, comment="JSON list of the draft check's findings"),
    Column("status", String(16), nullable=False, comment="asked or answered"),
    Column("notice", String(16), nullable=False,
           comment="the supervisor's e-mail: pending, sent, failed or no_channel"),
    Column("answer", Text),
    Column("answered_by", String(255)),
    Column("answered_at", UTCDateTime),
    Index("ix_monitor_consultations_status", "status"),
)

monitor_page_requests = Table(
    "monitor_page_requests", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("requested_by", String(255), nullable=False, comment="who asked (account or name)"),
    Column("platform", String(32), nullable=False),
    Column("kind", String(16), nullable=False, comment="page or group"),
    Column("name", String(255), nullable=False, comment="the proposed name"),
    Column("handle", String(255), comment="the proposed handle, without @"),
    Column("url", String(2048), nullable=False, comment="the proposed address, canonical"),
    Column("purpose", Text, nullable=False),
    Column("unit", String(255), nullable=False, comment="the unit it will speak for"),
    Column("manager", String(255), nullable=False, comment="who will manage it (e-mail)"),
    Column("mandate", Text, nullable=False, comment="what it may say in the institution's name"),
    Column("reply_to", String(255), comment="where the decision is e-mailed"),
    Column("status", String(16), nullable=False, comment="pending, approved or refused"),
    Column("decided_by", String(255)),
    Column("decided_at", UTCDateTime),
    Column("note", Text, comment="the community manager's note"),
    Column("notice", String(16), nullable=False,
           comment="the requester's e-mail: pending, sent, failed or no_channel"),
    Index("ix_monitor_page_requests_status", "status"),
)

monitor_group_tasks = Table(
    "monitor_group_tasks", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("block_pk", Id, ForeignKey("blocks.pk"), nullable=False),
    Column("author_pk", Id, ForeignKey("authors.pk"), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("group_url", String(2048), nullable=False, comment="the group's registry URL"),
    Column("group_name", String(255), nullable=False),
    Column("reason", Text, nullable=False, comment="the block's reason"),
    Column("grounds", Text, nullable=False,
           comment="JSON: clauses and the decisions (comment ids, numbers) behind the block"),
    Column("status", String(16), nullable=False, comment="open, done or not_needed"),
    Column("closed_by", String(255)),
    Column("closed_at", UTCDateTime),
    Column("note", Text),
    UniqueConstraint("block_pk", "group_url"),
    Index("ix_monitor_group_tasks_status", "status"),
)
