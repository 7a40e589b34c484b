"""The Vigie store: comments, decisions and an audit trail that can be explained years later.

SQLite by default (a file, no set-up), PostgreSQL by URL (``VIGIE_DATABASE_URL``). See
``docs/store.md`` for the tables, the workflow, the review state machine and the retention
rules. Public API::

    store = open_store("vigie.sqlite")               # migrates on open
    moderator = StoreModerator(store, policy, yaml_text, sink=None)
    moderator.process(comments)                      # ingest, decide, record, plan actions
    run_outbox(store, sink)                          # apply planned platform actions
    resolve(store, item, "remove", by=..., reason=...)
    verify_chain(conn)                               # the audit trail is intact?
    state_audit.verify_trail(conn)                   # ...and the strikes, blocks, outbox?
"""

from __future__ import annotations

from vigie.store.events import ChainReport, EventKind, NewEvent, verify_chain
from vigie.store.ingest import Ingested, ingest
from vigie.store.outbox import (
    ActionKind,
    ActionResult,
    ActionSink,
    BatchActionSink,
    JsonlSink,
    OutboxAction,
    RecordingSink,
    resolve_sink,
    run_outbox,
)
from vigie.store.queue import appeal, list_items, resolve, show_item
from vigie.store.review import ReviewAction, ReviewError, ReviewState, ReviewStatus, next_status
from vigie.store.settings import StoreSettings, database_url, load_settings
from vigie.store.store import Store, open_store
from vigie.store.workflow import StoreModerator, moderate_stream_db

__all__ = [
    "ActionKind",
    "ActionResult",
    "ActionSink",
    "BatchActionSink",
    "ChainReport",
    "EventKind",
    "Ingested",
    "JsonlSink",
    "NewEvent",
    "OutboxAction",
    "RecordingSink",
    "ReviewAction",
    "ReviewError",
    "ReviewState",
    "ReviewStatus",
    "Store",
    "StoreModerator",
    "StoreSettings",
    "appeal",
    "database_url",
    "ingest",
    "list_items",
    "load_settings",
    "moderate_stream_db",
    "next_status",
    "open_store",
    "resolve",
    "resolve_sink",
    "run_outbox",
    "show_item",
    "verify_chain",
]
