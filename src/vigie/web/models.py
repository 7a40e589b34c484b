"""The web layer's own tables: accounts, sessions, API tokens, login attempts, facets, pages.

They live on the store's :data:`vigie.store.schema.metadata` (same naming convention, same
migrations runner); migration ``0002_web`` creates them. Every name starts with ``web_`` so the
store's tables and ours never collide.

Design notes (why, not what):

* Sessions are server-side rows keyed by the SHA-256 of a random token; the cookie carries the
  token, signed. Logging out or disabling an account therefore ends its sessions at once,
  which a purely signed cookie cannot do.
* API tokens are random (256 bits) and stored only as SHA-256: a database leak does not leak
  usable tokens, and a slow hash is not needed for high-entropy secrets.
* ``web_facets`` is a projection of the store's decisions (one row per category reached, plus
  the comment's language) so that the queue can filter by category and language with an index
  instead of parsing JSON; it is rebuilt incrementally from ``decisions.pk``.
* ``web_users.lang`` and ``timezone`` are the account holder's own choice; ``NULL`` follows
  the settings' default (French, ``America/Montreal``), so a new account needs no choice.
* ``web_appeals`` keeps refused attempts too: the public appeal page's rate limits count
  them, per keyed digest of the client address and of the code tried.
* ``web_users.must_change_password`` is set by an administrator's reset (a temporary
  password, shown once): until the account holder picks a new password, its sessions may only
  reach the password form, and the temporary password stops working after a few days
  (measured from ``password_changed_at``), so a forgotten one does not stay usable.
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
    false,
)

from vigie.store.schema import Id, UTCDateTime, metadata

__all__ = [
    "web_api_tokens",
    "web_appeals",
    "web_facet_watermark",
    "web_facets",
    "web_login_attempts",
    "web_pages",
    "web_questions",
    "web_sessions",
    "web_users",
]

web_users = Table(
    "web_users", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(255), nullable=False),
    Column("role", String(32), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("password_changed_at", UTCDateTime, nullable=False),
    Column("last_login_at", UTCDateTime),
    Column("must_change_password", Boolean, nullable=False, server_default=false(),
           comment="set by a reset: the temporary password must be replaced at sign-in"),
    Column("lang", String(8), comment="fr or en; NULL: the settings' default"),
    Column("timezone", String(64), comment="IANA zone; NULL: the settings' default"),
)

web_sessions = Table(
    "web_sessions", metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_pk", Id, ForeignKey("web_users.pk"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("ip", String(64)),
    Column("user_agent", String(255)),
    Index("ix_web_sessions_user_pk", "user_pk"),
)

web_api_tokens = Table(
    "web_api_tokens", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("user_pk", Id, ForeignKey("web_users.pk"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("prefix", String(16), nullable=False, comment="first characters, to recognise it"),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("role", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),
    Column("last_used_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
)

web_login_attempts = Table(
    "web_login_attempts", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("success", Boolean, nullable=False),
    Index("ix_web_login_attempts_username_at", "username", "at"),
    Index("ix_web_login_attempts_ip_at", "ip", "at"),
)

web_facets = Table(
    "web_facets", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("decision_pk", Id, ForeignKey("decisions.pk"), nullable=False),
    Column("comment_pk", Id, ForeignKey("comments.pk"), nullable=False),
    Column("category", String(64), nullable=False, comment="'' when the decision has none"),
    Column("clause", String(32), nullable=False),
    Column("score", Float, nullable=False),
    Column("language", String(16), nullable=False),
    UniqueConstraint("decision_pk", "category"),
    Index("ix_web_facets_category_comment_pk", "category", "comment_pk"),
    Index("ix_web_facets_language_comment_pk", "language", "comment_pk"),
    Index("ix_web_facets_comment_pk", "comment_pk"),
)

web_facet_watermark = Table(
    "web_facet_watermark", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("decision_pk", Id, nullable=False, comment="highest decisions.pk projected"),
)

web_pages = Table(
    "web_pages", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("page_id", String(255), nullable=False),
    Column("name", String(255), nullable=False),
    Column("url", Text),
    Column("active", Boolean, nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Column("added_by", String(255), nullable=False),
    UniqueConstraint("platform", "page_id"),
)

web_questions = Table(
    "web_questions", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("asked_at", UTCDateTime, nullable=False),
    Column("lang", String(8), nullable=False),
    Column("name", String(255), comment="optional, as the visitor gave it"),
    Column("email", String(255), comment="optional: where the answer goes"),
    Column("text", Text, nullable=False),
    Column("client", String(64), nullable=False,
           comment="keyed digest of the client address, for the rate limit only"),
    Column("status", String(16), nullable=False, comment="new, spam or answered"),
    Column("spam_score", Float, comment="the pipeline's strongest spam signal; NULL: unchecked"),
    Column("spam_signals", Text, comment="JSON list of the spam signals found"),
    Column("answered_at", UTCDateTime),
    Column("answered_by", String(255)),
    Index("ix_web_questions_client_asked_at", "client", "asked_at"),
    Index("ix_web_questions_status", "status"),
)

web_appeals = Table(
    "web_appeals", metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("filed_at", UTCDateTime, nullable=False),
    Column("lang", String(8), nullable=False),
    Column("client", String(64), nullable=False,
           comment="keyed digest of the client address, for the rate limit only"),
    Column("code", String(64), nullable=False,
           comment="keyed digest of the appeal code given, for the rate limit only"),
    Column("status", String(16), nullable=False,
           comment="filed, joined, unmatched, nothing or spam"),
    Column("reference", String(16), comment="the reference shown to the author; NULL when refused"),
    Column("comment_pk", Id, ForeignKey("comments.pk")),
    Column("item_pk", Id, comment="the review item it reached"),
    Column("reason", Text, comment="the author's argument; NULL when refused"),
    UniqueConstraint("reference"),
    Index("ix_web_appeals_client_filed_at", "client", "filed_at"),
    Index("ix_web_appeals_code_filed_at", "code", "filed_at"),
)
