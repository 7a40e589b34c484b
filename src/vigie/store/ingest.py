"""Ingest: store comments (with their authors and posts) before anything else happens to them.

Ingest is idempotent on the platform's comment id: storing a comment twice stores it once and
appends one ``ingested`` event. A connector calls :func:`ingest` as soon as it has fetched a
page of comments (saving its cursor in the same transaction), so a crash later, in
classification or in a platform call, loses nothing.

A comment delivered again with another text is an **edit** (Meta's ``edited`` webhook, a poll
that re-reads a thread): the row takes the new text as its next revision, an ``edited`` event
records the hashes of both texts, and the comment is decided again — a comment allowed, then
edited into abuse, is not left standing. Only the text is compared (a purged text cannot be).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.engine import Connection

from vigie.records import Comment
from vigie.store._bulk import bulk_insert, select_in
from vigie.store.events import EventKind, NewEvent, append_events, lock_chain
from vigie.store.schema import authors, comments, decisions, posts

__all__ = ["Ingested", "KeyCache", "ingest"]


@dataclass(slots=True)
class Ingested:
    """What the store holds for a batch after ingest.

    Attributes:
        comment_pk: the store's key per comment id.
        author_pk: the author's store key per comment id.
        new: comment ids stored by this call (the others were already there).
        edited: comment ids stored before and received now with another text.
        revision: the stored revision per comment id (1, then +1 per edit).
        decided: stored decision bodies (JSON text) of comments whose current revision is
            already decided, by comment id.
    """

    comment_pk: dict[str, int] = field(default_factory=dict)
    author_pk: dict[str, int] = field(default_factory=dict)
    new: set[str] = field(default_factory=set)
    edited: set[str] = field(default_factory=set)
    revision: dict[str, int] = field(default_factory=dict)
    decided: dict[str, str] = field(default_factory=dict)


class KeyCache:
    """Store keys of authors and posts already seen, kept across batches of one process.

    Keys never change once written, so a moderation run need not look up the same post or
    author again on every batch. Bounded: cleared when it grows past ``limit`` entries.
    """

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self.keys: dict[tuple[str, str, str], int] = {}

    def forget(self) -> None:
        """Drop every key (after a rolled-back transaction the new keys may not exist)."""
        self.keys.clear()


def _keys_of(conn: Connection, table: Table, id_column: str,
             keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Store keys of the stored rows among ``keys`` ((platform, id) pairs)."""
    wanted = set(keys)
    # Both columns of the (platform, id) unique index are constrained, so the index is used
    # (an id alone would scan it: a cost that grows with the table).
    rows = select_in(conn, table, ("pk", "platform", id_column), {
        "platform": sorted({p for p, _ in wanted}), id_column: sorted({i for _, i in wanted})})
    return {(platform, ident): pk for pk, platform, ident in rows
            if (platform, ident) in wanted}


def _upsert_keys(conn: Connection, table: Table, id_column: str,
                 wanted: dict[tuple[str, str], Comment],
                 make_row: Callable[[Comment], dict[str, Any]],
                 cache: KeyCache | None = None) -> dict[tuple[str, str], int]:
    """Return store keys for (platform, id) pairs, inserting the missing rows.

    ``make_row`` builds the row to insert from a comment that carries the pair; it is called
    only for pairs neither cached nor stored (serialising a profile costs more than a lookup).
    """
    found: dict[tuple[str, str], int] = {}
    if cache is not None:
        for key in wanted:
            pk = cache.keys.get((table.name, *key))
            if pk is not None:
                found[key] = pk
        if len(found) == len(wanted):
            return found
    found.update(_keys_of(conn, table, id_column, (k for k in wanted if k not in found)))
    missing = [key for key in wanted if key not in found]
    if missing:
        # executemany, then one SELECT for the new keys: much faster than RETURNING in
        # parameter order, which SQLite can only do one row per statement.
        bulk_insert(conn, table, [make_row(wanted[key]) for key in missing])
        found.update(_keys_of(conn, table, id_column, missing))
    if cache is not None:
        if len(cache.keys) > cache.limit:
            cache.forget()
        cache.keys.update({(table.name, *key): pk for key, pk in found.items()})
    return found


_EDIT = (update(comments).where(comments.c.pk == bindparam("b_pk"))
         .values(text=bindparam("b_text"), payload=bindparam("b_payload"),
                 revision=bindparam("b_revision"), edited_at=bindparam("b_at")))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stored(conn: Connection, unique: dict[str, Comment], now: dt.datetime, out: Ingested,
            events: list[NewEvent]) -> dict[tuple[str, str], int]:
    """Find the comments of the batch already stored; record edits; collect their decisions.

    Returns the store key per (platform, comment id) of the stored ones; fills
    ``out.revision``, ``out.edited`` and ``out.decided``, and appends ``edited`` events.
    """
    rows = select_in(conn, comments, ("pk", "platform", "comment_id", "text", "revision"), {
        "platform": sorted({c.platform.value for c in unique.values()}),
        "comment_id": sorted(unique)})
    existing: dict[tuple[str, str], int] = {}
    edits: list[dict[str, Any]] = []
    for pk, platform, cid, text, revision in rows:
        c = unique.get(cid)
        if c is None or c.platform.value != platform:
            continue  # the same id on another platform: another comment
        existing[(platform, cid)] = pk
        if text is not None and text != c.text:
            revision += 1
            edits.append({"b_pk": pk, "b_text": c.text, "b_payload": c.model_dump_json(),
                          "b_revision": revision, "b_at": now})
            events.append(NewEvent(EventKind.EDITED, "comment", cid, {
                "revision": revision, "previous_text_sha256": _sha256(text),
                "text_sha256": _sha256(c.text)}))
            out.edited.add(cid)
        out.revision[cid] = revision
    if edits:
        conn.execute(_EDIT, edits)
    if existing:  # a rerun: the decisions on the current revisions stand
        ids = {pk: cid for (_, cid), pk in existing.items()}
        for pk, body, revision in select_in(conn, decisions, ("comment_pk", "body", "revision"),
                                            {"comment_pk": sorted(ids)}):
            if revision >= out.revision[ids[pk]]:
                out.decided[ids[pk]] = body
    return existing


def ingest(conn: Connection, batch: Sequence[Comment], now: dt.datetime,
           cache: KeyCache | None = None) -> Ingested:
    """Store a batch of comments idempotently, in the caller's transaction.

    Args:
        conn: a connection inside a transaction (the chain head is locked until it ends).
        batch: validated comments (duplicates by id are stored once).
        now: the ingest time (aware).
        cache: author and post keys known from earlier batches (forget it if the
            transaction is rolled back).

    Returns:
        Store keys for every comment of the batch, which ones are new, and the decisions
        already stored for the others (a rerun after a crash skips those).
    """
    out = Ingested()
    head = lock_chain(conn)  # first: concurrent ingests must not both insert a comment
    unique: dict[str, Comment] = {}
    for comment in batch:
        unique.setdefault(comment.id, comment)
    if not unique:
        return out
    author_of: dict[tuple[str, str], Comment] = {}
    post_of: dict[tuple[str, str], Comment] = {}
    for c in unique.values():
        platform = c.platform.value
        author_of.setdefault((platform, c.author.id), c)
        if c.post is not None:
            post_of.setdefault((platform, c.post.id), c)

    def author_row(c: Comment) -> dict[str, Any]:
        return {"platform": c.platform.value, "author_id": c.author.id, "name": c.author.name,
                "handle": c.author.handle, "profile": c.author.model_dump_json(),
                "first_seen": now}

    def post_row(c: Comment) -> dict[str, Any]:
        assert c.post is not None  # only comments with a post are in post_of
        return {"platform": c.platform.value, "post_id": c.post.id, "text": c.post.text,
                "links": json.dumps(list(c.post.links), ensure_ascii=False),
                "first_seen": now}

    author_pks = _upsert_keys(conn, authors, "author_id", author_of, author_row, cache)
    post_pks = _upsert_keys(conn, posts, "post_id", post_of, post_row, cache)

    events: list[NewEvent] = []
    existing = _stored(conn, unique, now, out, events)
    fresh: list[dict[str, Any]] = []
    for cid, c in unique.items():
        platform = c.platform.value
        out.author_pk[cid] = author_pks[(platform, c.author.id)]
        if (platform, cid) in existing:
            out.comment_pk[cid] = existing[(platform, cid)]
            continue
        fresh.append({
            "platform": platform, "comment_id": cid, "author_pk": out.author_pk[cid],
            "post_pk": post_pks.get((platform, c.post.id)) if c.post is not None else None,
            "parent_id": c.parent_id, "created_at": c.created_at, "ingested_at": now,
            "text": c.text, "payload": c.model_dump_json(),
        })
    if fresh:
        bulk_insert(conn, comments, fresh)
        for (_, cid), pk in _keys_of(conn, comments, "comment_id",
                                     ((r["platform"], r["comment_id"]) for r in fresh)).items():
            out.comment_pk[cid] = pk
            out.revision[cid] = 1
            out.new.add(cid)
        for new_row in fresh:
            events.append(NewEvent(EventKind.INGESTED, "comment", new_row["comment_id"], {
                "platform": new_row["platform"], "author_pk": new_row["author_pk"],
                "created_at": new_row["created_at"].astimezone(dt.UTC).isoformat()}))
    append_events(conn, events, now, head)
    return out
