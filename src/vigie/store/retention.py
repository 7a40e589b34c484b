"""Privacy by design (Québec's Law 25): retention, pseudonymised exports, an author's file.

* :func:`purge` — the text and raw payload of *allowed* comments are purged after
  ``retention.allowed_text_days``; those of comments taken down (and their evidence) are kept
  ``retention.removed_years`` for appeals and accountability, then purged. Comments under open
  review or with a pending escalation are never purged. Decisions stay: their evidence never
  quotes the text, and the audit chain (which never holds text) stays verifiable. An author
  whose every comment is purged loses name, handle and profile too (the row stays, for the
  strikes and blocks that point at it).
* :func:`export_audit` — decisions and events with authors replaced by keyed pseudonyms
  (HMAC-SHA-256 with ``VIGIE_PSEUDONYM_KEY``), without comment text: safe to hand to an auditor.
* :func:`export_author` — everything the store holds about one author (access requests).

Every purge and export is itself recorded as an event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlalchemy.engine import Connection

from vigie.actions import REMOVING_ACTIONS
from vigie.errors import StoreError
from vigie.store.events import EventKind, NewEvent, append_events, iter_events, lock_chain
from vigie.store.schema import (
    PLATFORMS,
    authors,
    blocks,
    comments,
    decisions,
    escalations,
    outbox,
    person_links,
    posts,
    review_items,
    strikes,
)
from vigie.store.store import Store

__all__ = ["AUTHOR_CSV_FIELDS", "PurgeReport", "author_csv_rows", "export_audit", "export_author",
           "find_authors", "pseudonym", "purge"]

#: Columns of an author's file as CSV: one row per comment (an author without comments: one row).
AUTHOR_CSV_FIELDS = ("platform", "name", "handle", "first_seen", "comment_id", "post_id",
                     "created_at", "text", "purged_at", "action", "clauses", "strikes",
                     "blocked")

_REMOVED = sorted(a.value for a in REMOVING_ACTIONS)


def pseudonym(key: bytes, platform: str, author_id: str) -> str:
    """A stable pseudonym for an author (pure): same key, same author, same pseudonym."""
    mac = hmac.new(key, f"{platform}\x00{author_id}".encode(), hashlib.sha256)
    return "anon-" + mac.hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What a purge did (or would do, in a dry run)."""

    allowed: int
    removed: int
    dry_run: bool
    authors: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (pure)."""
        return {"allowed_purged": self.allowed, "removed_purged": self.removed,
                "authors_purged": self.authors, "dry_run": self.dry_run}


def _years_ago(now: dt.datetime, years: int) -> dt.datetime:
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def purge(store: Store, *, dry_run: bool = False) -> PurgeReport:
    """Apply the retention rules now.

    Args:
        store: the store (its settings give the rules, its clock the date).
        dry_run: count only.

    Returns:
        How many allowed and how many removed comments had their text purged.
    """
    now = store.now()
    rules = store.settings.retention
    allowed_before = now - dt.timedelta(days=rules.allowed_text_days)
    removed_before = _years_ago(now, rules.removed_years)
    held = or_(
        exists().where(review_items.c.comment_pk == comments.c.pk,
                       review_items.c.state != "closed"),
        exists().where(escalations.c.comment_pk == comments.c.pk,
                       escalations.c.status == "pending"),
    )
    taken_down = or_(
        decisions.c.action.in_(_REMOVED),
        exists().where(review_items.c.comment_pk == comments.c.pk,
                       review_items.c.takedown.is_(True)),
    )
    base = (select(comments.c.pk).join(decisions, decisions.c.comment_pk == comments.c.pk)
            .where(comments.c.purged_at.is_(None), ~held))
    allowed_q = base.where(~taken_down, comments.c.created_at < allowed_before)
    removed_q = base.where(taken_down, comments.c.created_at < removed_before)
    with store.begin() as conn:
        lock_chain(conn)
        allowed = [r[0] for r in conn.execute(allowed_q)]
        removed = [r[0] for r in conn.execute(removed_q)]
        if not dry_run:
            for chunk in _chunks(allowed + removed, 500):
                conn.execute(update(comments).where(comments.c.pk.in_(chunk)).values(
                    text=None, payload=None, purged_at=now))
        # Names go with the last text: an author none of whose comments keeps its text.
        nameless = [r[0] for r in conn.execute(select(authors.c.pk).where(
            or_(authors.c.name.is_not(None), authors.c.handle.is_not(None),
                authors.c.profile.is_not(None)),
            exists().where(comments.c.author_pk == authors.c.pk),
            ~exists().where(comments.c.author_pk == authors.c.pk,
                            comments.c.purged_at.is_(None))))]
        if not dry_run and (allowed or removed or nameless):
            for chunk in _chunks(nameless, 500):
                conn.execute(update(authors).where(authors.c.pk.in_(chunk)).values(
                    name=None, handle=None, profile=None))
            append_events(conn, [NewEvent(EventKind.PURGED, "store", "retention", {
                "allowed": len(allowed), "removed": len(removed), "authors": len(nameless),
                "allowed_text_days": rules.allowed_text_days,
                "removed_years": rules.removed_years})], now)
    return PurgeReport(len(allowed), len(removed), dry_run, len(nameless))


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def export_audit(store: Store, *, actor: str = "vigie") -> Iterator[dict[str, Any]]:
    """Yield the audit trail for an auditor: decisions and events, authors pseudonymised.

    Comment text is never included; authors appear as ``anon-…`` pseudonyms.

    Raises:
        StoreError: no safe pseudonymisation key is configured.
    """
    key = store.settings.require_pseudonym_key()
    with store.read() as conn:
        names = {r.pk: pseudonym(key, r.platform, r.author_id)
                 for r in conn.execute(select(authors.c.pk, authors.c.platform,
                                              authors.c.author_id))}
        query = (select(comments.c.comment_id, comments.c.platform, comments.c.created_at,
                        comments.c.author_pk, decisions.c.body, decisions.c.decided_at,
                        decisions.c.policy_source)
                 .join(decisions, decisions.c.comment_pk == comments.c.pk)
                 .order_by(comments.c.pk))
        for row in conn.execute(query):
            yield {"type": "decision", "comment_id": row.comment_id, "platform": row.platform,
                   "created_at": row.created_at.isoformat(), "author": names[row.author_pk],
                   "decided_at": row.decided_at.isoformat(),
                   "policy_source": row.policy_source, "decision": json.loads(row.body)}
        for event in iter_events(conn):
            record = event.to_dict()
            if event.subject_type == "author" and event.subject_id.isdigit():
                record["subject_id"] = names.get(int(event.subject_id), "anon-unknown")
            if "author_pk" in record["payload"]:
                record["payload"] = {**record["payload"],
                                     "author_pk": names.get(record["payload"]["author_pk"])}
            yield {"type": "event", **record}
    with store.begin() as conn:
        append_events(conn, [NewEvent(EventKind.EXPORTED, "store", "audit",
                                      {"pseudonymised": True}, actor)], store.now())


def find_authors(conn: Connection, author_id: str, platform: str | None = None
                 ) -> list[Any]:
    """The author rows of a platform id (one per platform, or only ``platform``'s).

    Raises:
        StoreError: none is stored (never was, or erased: its id is now a pseudonym).
    """
    query = select(authors).where(authors.c.platform.in_(PLATFORMS),
                                  authors.c.author_id == author_id)
    if platform:
        query = query.where(authors.c.platform == platform)
    rows = list(conn.execute(query).all())
    if not rows:
        raise StoreError(f"no stored author {author_id!r} (never seen, or erased)")
    return rows


def export_author(store: Store, author_id: str, *, platform: str | None = None,
                  actor: str = "vigie") -> dict[str, Any]:
    """Everything the store holds about one author (Law 25 access request).

    Args:
        store: the store.
        author_id: the platform's author id (``fb:u-123``).
        platform: restrict to one platform when the id is ambiguous.
        actor: who asked for the export (recorded).

    Raises:
        StoreError: no such author.
    """
    with store.read() as conn:
        rows = find_authors(conn, author_id, platform)
        out: dict[str, Any] = {"author_id": author_id, "accounts": []}
        for author in rows:
            out["accounts"].append(_author_file(conn, author))
    with store.begin() as conn:
        append_events(conn, [NewEvent(EventKind.EXPORTED, "author", str(rows[0].pk),
                                      {"kind": "access request"}, actor)], store.now())
    return out


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _author_file(conn: Connection, author: Any) -> dict[str, Any]:
    pk = author.pk
    profile = json.loads(author.profile) if author.profile else None
    file: dict[str, Any] = {
        "platform": author.platform, "name": author.name, "handle": author.handle,
        "profile": profile, "first_seen": _iso(author.first_seen), "comments": [],
        "strikes": [], "blocks": [], "events": [],
    }
    rows = conn.execute(
        select(comments, posts.c.post_id, decisions.c.body.label("decision"))
        .join(posts, posts.c.pk == comments.c.post_pk, isouter=True)
        .join(decisions, decisions.c.comment_pk == comments.c.pk, isouter=True)
        .where(comments.c.author_pk == pk).order_by(comments.c.created_at))
    comment_ids = []
    for r in rows:
        comment_ids.append(r.comment_id)
        items = conn.execute(select(review_items.c.pk, review_items.c.state,
                                    review_items.c.outcome, review_items.c.origin)
                             .where(review_items.c.comment_pk == r.pk)).all()
        actions = conn.execute(select(outbox.c.kind, outbox.c.status, outbox.c.applied_at)
                               .where(outbox.c.comment_id == r.comment_id)).all()
        file["comments"].append({
            "comment_id": r.comment_id, "post_id": r.post_id, "created_at": _iso(r.created_at),
            "text": r.text, "purged_at": _iso(r.purged_at),
            "decision": json.loads(r.decision) if r.decision else None,
            "reviews": [{"item": i.pk, "state": i.state, "outcome": i.outcome,
                         "origin": i.origin} for i in items],
            "platform_actions": [{"kind": a.kind, "status": a.status,
                                  "applied_at": _iso(a.applied_at)} for a in actions],
        })
    for s in conn.execute(select(strikes).where(strikes.c.author_pk == pk)):
        file["strikes"].append({"at": _iso(s.at), "clauses": json.loads(s.clauses),
                                "voided_at": _iso(s.voided_at),
                                "voided_reason": s.voided_reason})
    for b in conn.execute(select(blocks).where(blocks.c.author_pk == pk)):
        file["blocks"].append({"blocked_at": _iso(b.blocked_at), "reason": b.reason,
                               "blocked_by": b.blocked_by, "lifted_at": _iso(b.lifted_at),
                               "lift_reason": b.lift_reason})
    # The accounts an operator linked to the same person (directive 7): held about them too.
    mine = person_links.alias("mine")
    file["linked_accounts"] = [
        {"platform": r.platform, "author_id": r.author_id, "linked_at": _iso(r.linked_at),
         "linked_by": r.linked_by, "reason": r.reason}
        for r in conn.execute(
            select(authors.c.platform, authors.c.author_id, person_links.c.linked_at,
                   person_links.c.linked_by, person_links.c.reason)
            .join(person_links, person_links.c.author_pk == authors.c.pk)
            .join(mine, mine.c.person == person_links.c.person)
            .where(mine.c.author_pk == pk, authors.c.pk != pk).order_by(authors.c.pk))]
    for e in iter_events(conn, subject_type="author", subject_id=str(pk)):
        file["events"].append(e.to_dict())
    for cid in comment_ids:
        file["events"].extend(e.to_dict() for e in
                              iter_events(conn, subject_type="comment", subject_id=cid))
    file["events"].sort(key=lambda e: e["seq"])
    return file


def author_csv_rows(file: dict[str, Any]) -> Iterator[list[str]]:
    """An author's file (:func:`export_author`) as CSV rows under :data:`AUTHOR_CSV_FIELDS` (pure).

    One row per comment; an account without comments gets one row.
    """
    for account in file["accounts"]:
        person = [account["platform"], account["name"] or "", account["handle"] or "",
                  account["first_seen"] or ""]
        strikes = str(sum(1 for s in account["strikes"] if not s["voided_at"]))
        blocked = "yes" if any(not b["lifted_at"] for b in account["blocks"]) else "no"
        for c in account["comments"] or [None]:
            if c is None:
                yield [*person, "", "", "", "", "", "", "", strikes, blocked]
                continue
            decision = c["decision"] or {}
            yield [*person, c["comment_id"], c["post_id"] or "", c["created_at"] or "",
                   c["text"] or "", c["purged_at"] or "", decision.get("action", ""),
                   " ".join(decision.get("clauses", [])), strikes, blocked]
