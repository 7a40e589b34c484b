"""The review queue: list, show and resolve review items; appeals.

Each resolution goes through :func:`vigie.store.review.next_status` (the one place the rules
live), then the store writes what it implies in the same transaction as the events: platform
actions in the outbox, strikes voided or recorded, blocks lifted or created, an escalation.
An item's status is re-derived from its events every time, never trusted from the cached row.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from vigie.actions import REMOVING_ACTIONS, Action
from vigie.errors import StoreError
from vigie.policy import Policy, load_policy
from vigie.store.events import (
    EventKind,
    NewEvent,
    StoredEvent,
    append_events,
    iter_events,
    lock_chain,
)
from vigie.store.outbox import ActionKind, insert_planned, plan_action
from vigie.store.persons import (
    Account,
    accounts_of,
    block_linked,
    lift_linked,
    linked_reason,
)
from vigie.store.policy_versions import PolicyResolver
from vigie.store.review import (
    RESOLUTIONS,
    ReviewAction,
    ReviewError,
    ReviewEvent,
    ReviewStatus,
    derive_status,
    next_status,
)
from vigie.store.schema import (
    PLATFORMS,
    authors,
    comments,
    decisions,
    escalations,
    posts,
    review_items,
)
from vigie.store.store import Store
from vigie.store.strikes import (
    StrikeBook,
    active_blocks,
    lift_blocks,
    record_block,
    record_strike,
    void_strike,
)
from vigie.store.workflow import action_key

__all__ = ["ItemView", "appeal", "list_items", "resolve", "review_events", "show_item"]

_REVIEW_KINDS = {EventKind.REVIEW_OPENED.value, EventKind.REVIEWED.value,
                 EventKind.ESCALATED.value, EventKind.APPEALED.value}


def _as_review_event(event: StoredEvent) -> ReviewEvent:
    p = event.payload
    if event.kind == EventKind.REVIEW_OPENED:
        return ReviewEvent(ReviewAction.OPEN, bool(p.get("takedown")),
                           bool(p.get("author_blocked")), bool(p.get("appeal")))
    if event.kind == EventKind.ESCALATED:
        return ReviewEvent(ReviewAction.ESCALATE)
    if event.kind == EventKind.APPEALED:
        return ReviewEvent(ReviewAction.APPEAL)
    return ReviewEvent(ReviewAction(p["action"]))


def review_events(conn: Connection, item_pk: int) -> list[StoredEvent]:
    """The review events of one item, in order."""
    return [e for e in iter_events(conn, subject_type="review", subject_id=str(item_pk))
            if e.kind in _REVIEW_KINDS]


def item_status(conn: Connection, item_pk: int) -> ReviewStatus | None:
    """An item's status, derived from its events (``None``: no such item)."""
    return derive_status(_as_review_event(e) for e in review_events(conn, item_pk))


@dataclass(frozen=True, slots=True)
class ItemView:
    """A review item with what a reviewer needs to judge it."""

    pk: int
    state: str
    outcome: str | None
    origin: str
    comment_id: str
    platform: str
    created_at: dt.datetime
    text: str | None
    post_text: str | None
    action: str | None
    clauses: tuple[str, ...]
    explanation: str | None
    author_pk: int
    opened_at: dt.datetime
    updated_at: dt.datetime
    events: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (pure)."""
        return {"item": self.pk, "state": self.state, "outcome": self.outcome,
                "origin": self.origin, "comment_id": self.comment_id,
                "platform": self.platform, "created_at": self.created_at.isoformat(),
                "text": self.text, "post_text": self.post_text, "action": self.action,
                "clauses": list(self.clauses), "explanation": self.explanation,
                "author_pk": self.author_pk, "opened_at": self.opened_at.isoformat(),
                "updated_at": self.updated_at.isoformat(), "events": list(self.events)}


def _select_items() -> Any:
    return (select(review_items, comments.c.comment_id, comments.c.platform,
                   comments.c.created_at, comments.c.text, comments.c.author_pk,
                   posts.c.text.label("post_text"), decisions.c.body)
            .join(comments, comments.c.pk == review_items.c.comment_pk)
            .join(posts, posts.c.pk == comments.c.post_pk, isouter=True)
            .join(decisions, decisions.c.comment_pk == comments.c.pk, isouter=True))


def _view(row: Any, events: tuple[dict[str, Any], ...] = ()) -> ItemView:
    body = json.loads(row.body) if row.body else {}
    return ItemView(row.pk, row.state, row.outcome, row.origin, row.comment_id, row.platform,
                    row.created_at, row.text, row.post_text, body.get("action"),
                    tuple(body.get("clauses", ())), body.get("explanation", {}).get("en"),
                    row.author_pk, row.opened_at, row.updated_at, events)


def list_items(store: Store, *, state: str | None = "open", limit: int = 100) -> list[ItemView]:
    """Review items, oldest first; ``state`` ``open`` also lists escalated items.

    Args:
        store: the store.
        state: ``open`` (open and escalated), ``escalated``, ``closed``, or ``None`` for all.
        limit: most items returned.
    """
    query = _select_items().order_by(review_items.c.pk).limit(limit)
    if state == "open":
        query = query.where(review_items.c.state.in_(["open", "escalated"]))
    elif state is not None:
        query = query.where(review_items.c.state == state)
    with store.read() as conn:
        return [_view(r) for r in conn.execute(query)]


def show_item(store: Store, item_pk: int) -> ItemView:
    """One item with its event history.

    Raises:
        StoreError: no such item.
    """
    with store.read() as conn:
        row = conn.execute(_select_items().where(review_items.c.pk == item_pk)).first()
        if row is None:
            raise StoreError(f"no review item {item_pk}")
        events = tuple(e.to_dict() for e in review_events(conn, item_pk))
    return _view(row, events)


@dataclass(frozen=True, slots=True)
class _Subject:
    comment_pk: int
    comment_id: str
    platform: str
    created_at: dt.datetime
    author_pk: int
    author_id: str
    post_id: str | None


def _subject(conn: Connection, comment_pk: int) -> _Subject:
    row = conn.execute(
        select(comments.c.pk, comments.c.comment_id, comments.c.platform, comments.c.created_at,
               comments.c.author_pk, authors.c.author_id, posts.c.post_id)
        .join(authors, authors.c.pk == comments.c.author_pk)
        .join(posts, posts.c.pk == comments.c.post_pk, isouter=True)
        .where(comments.c.pk == comment_pk)).one()
    return _Subject(row.pk, row.comment_id, row.platform, row.created_at, row.author_pk,
                    row.author_id, row.post_id)


def _policy_at(conn: Connection, when: dt.datetime, fallback: Policy | None) -> Policy | None:
    found = PolicyResolver(conn).at(when)
    return found[0] if found is not None else fallback


def resolve(store: Store, item_pk: int, action: ReviewAction | str, *, by: str, reason: str,
            strike: bool = True, fallback_policy: Policy | None = None) -> ReviewStatus:
    """Apply a reviewer's action to an item.

    Args:
        store: the store.
        item_pk: the review item.
        action: ``approve``, ``restore``, ``remove``, ``block``, ``unblock``, ``escalate`` or
            ``comment``.
        by: the reviewer (recorded on every event).
        reason: why, in words (required: an unexplained removal is not defensible).
        strike: whether a ``remove`` or ``block`` counts as a strike.
        fallback_policy: the policy for the blocking rule when no approved version is stored
            (default: the bundled policy).

    Returns:
        The item's new status.

    Raises:
        ReviewError: the action is not valid in the item's state (nothing is written).
        StoreError: no such item, or no reviewer name or reason.
    """
    action = ReviewAction(action)
    if action in (ReviewAction.OPEN, ReviewAction.APPEAL):
        raise ReviewError(f"{action.value} is not a reviewer's resolution; use appeal()")
    if not by.strip() or not reason.strip():
        raise StoreError("a review needs the reviewer's name (--by) and a reason (--reason)")
    now = store.now()
    with store.begin() as conn:
        lock_chain(conn)
        item = conn.execute(select(review_items).where(review_items.c.pk == item_pk)).first()
        if item is None:
            raise StoreError(f"no review item {item_pk}")
        current = item_status(conn, item_pk)
        new = next_status(current, ReviewEvent(action))
        assert current is not None
        subject = _subject(conn, item.comment_pk)
        events: list[NewEvent] = []
        outbox_rows: list[dict[str, Any]] = []
        cause = f"review{item_pk}.{len(review_events(conn, item_pk))}"

        def plan(kind: ActionKind, target: str) -> None:
            plan_action(kind, key=action_key(kind, target, cause), platform=subject.platform,
                        comment_id=subject.comment_id, author_id=subject.author_id,
                        post_id=subject.post_id, reason=f"review by {by}: {reason}",
                        when=now, rows=outbox_rows, events=events, actor=by)

        if action is ReviewAction.RESTORE:
            plan(ActionKind.RESTORE_COMMENT, subject.comment_id)
            events.extend(void_strike(conn, comment_pk=subject.comment_pk,
                                      comment_id=subject.comment_id, when=now, reason=reason,
                                      actor=by))
            events.append(NewEvent(EventKind.RESTORED, "comment", subject.comment_id,
                                   {"item": item_pk, "reason": reason}, by))
            if current.author_blocked:
                events.extend(lift_blocks(conn, author_pk=subject.author_pk, when=now,
                                          reason=f"restored on appeal: {reason}", actor=by))
                plan(ActionKind.UNBLOCK_AUTHOR, subject.author_id)
            # Blocks this comment caused on the person's other accounts lose their grounds.
            lift_linked(conn, comment_pk=subject.comment_pk, author_pk=subject.author_pk,
                        when=now, reason=f"restored on appeal: {reason}", cause=cause,
                        rows=outbox_rows, events=events, actor=by)
        elif action in (ReviewAction.REMOVE, ReviewAction.BLOCK):
            if not current.takedown:
                plan(ActionKind.REMOVE_COMMENT, subject.comment_id)
            decision_pk = item.decision_pk
            if strike:
                events.extend(record_strike(
                    conn, author_pk=subject.author_pk, comment_pk=subject.comment_pk,
                    comment_id=subject.comment_id, decision_pk=decision_pk,
                    at=subject.created_at, clauses=[f"review: {reason}"[:200]], actor=by))
            block_reason = f"blocked by {by}: {reason}" if action is ReviewAction.BLOCK else None
            linked: tuple[Account, ...] = ()
            if block_reason is None and strike:
                block_reason, linked = _strike_block_reason(conn, subject, fallback_policy)
            if block_reason is not None and subject.author_pk not in active_blocks(
                    conn, [subject.author_pk]):
                events.extend(record_block(conn, author_pk=subject.author_pk,
                                           comment_pk=subject.comment_pk,
                                           decision_pk=decision_pk, when=now,
                                           reason=block_reason, actor=by))
                plan(ActionKind.BLOCK_AUTHOR, subject.author_id)
                if action is ReviewAction.REMOVE and not current.author_blocked:
                    # The strike reached the policy's count: the removal becomes a block, and
                    # the event says so, so the derived status shows the block too.
                    action = ReviewAction.BLOCK
                    new = next_status(current, ReviewEvent(action))
            if linked and block_reason is not None:  # the person's count: every account
                block_linked(conn, [a for a in linked if a.pk != subject.author_pk],
                             blocked=active_blocks(conn, [a.pk for a in linked]),
                             comment_pk=subject.comment_pk, comment_id=subject.comment_id,
                             decision_pk=decision_pk, when=now, reason=block_reason,
                             cause=cause, rows=outbox_rows, events=events, actor=by)
        elif action is ReviewAction.UNBLOCK:
            events.extend(lift_blocks(conn, author_pk=subject.author_pk, when=now,
                                      reason=reason, actor=by))
            plan(ActionKind.UNBLOCK_AUTHOR, subject.author_id)
        elif action is ReviewAction.ESCALATE:
            conn.execute(insert(escalations), {
                "comment_pk": subject.comment_pk, "decision_pk": item.decision_pk,
                "review_pk": item_pk, "reason": f"escalated by {by}: {reason}"[:2000],
                "status": "pending", "created_at": now, "attempts": 0})

        kind = EventKind.ESCALATED if action is ReviewAction.ESCALATE else EventKind.REVIEWED
        events.append(NewEvent(kind, "review", str(item_pk), {
            "action": action.value, "reason": reason, "comment_id": subject.comment_id,
            "state": new.state.value, "strike": strike}, by))
        insert_planned(conn, outbox_rows)
        _save(conn, item_pk, new, now, by, reason)
        append_events(conn, events, now)
    return new


def _strike_block_reason(conn: Connection, subject: _Subject, fallback: Policy | None
                         ) -> tuple[str | None, tuple[Account, ...]]:
    """Why the strike blocks (``None``: it does not), and the person's linked accounts."""
    policy = _policy_at(conn, subject.created_at, fallback or load_policy())
    if policy is None or policy.blocking is None:
        return None, ()
    window = policy.blocking.window_days
    linked = accounts_of(conn, [subject.author_pk]).get(subject.author_pk, ())
    pks = [a.pk for a in linked] or [subject.author_pk]
    book = StrikeBook.load(conn, pks, subject.created_at - dt.timedelta(days=window),
                           subject.created_at)
    count = book.count_all(pks, subject.created_at, window)
    if count < policy.blocking.strikes:
        return None, ()
    if linked:
        return linked_reason(count, window, len(linked)), linked
    return f"{count} strikes within {window} days (section 7)", ()


def _save(conn: Connection, item_pk: int, status: ReviewStatus, now: dt.datetime, actor: str,
          reason: str | None) -> None:
    conn.execute(update(review_items).where(review_items.c.pk == item_pk).values(
        state=status.state.value, outcome=status.outcome.value if status.outcome else None,
        takedown=status.takedown, author_blocked=status.author_blocked,
        appeals=status.appeals, updated_at=now, last_actor=actor, last_reason=reason))


def appeal(store: Store, comment_id: str, *, by: str, reason: str) -> int:
    """Open (or reopen) review of a comment that was taken down or whose author is blocked.

    Args:
        store: the store.
        comment_id: the platform's comment id.
        by: who files it (the author, or staff on the author's behalf).
        reason: the author's argument, in words.

    Returns:
        The review item's number.

    Raises:
        ReviewError: nothing to appeal, or the comment is already under review.
        StoreError: unknown comment.
    """
    if not by.strip() or not reason.strip():
        raise StoreError("an appeal needs who files it (--by) and a reason (--reason)")
    now = store.now()
    with store.begin() as conn:
        lock_chain(conn)
        row = conn.execute(select(comments.c.pk, comments.c.author_pk, decisions.c.pk.label("d"),
                                  decisions.c.action)
                           .join(decisions, decisions.c.comment_pk == comments.c.pk,
                                 isouter=True)
                           .where(comments.c.platform.in_(PLATFORMS),
                                  comments.c.comment_id == comment_id)).first()
        if row is None:
            raise StoreError(f"no stored comment {comment_id!r}")
        latest = conn.execute(select(review_items.c.pk).where(
            review_items.c.comment_pk == row.pk).order_by(review_items.c.pk.desc())).first()
        payload = {"comment_id": comment_id, "reason": reason}
        if latest is not None:
            item_pk = int(latest.pk)
            status = next_status(item_status(conn, item_pk), ReviewEvent(ReviewAction.APPEAL))
            _save(conn, item_pk, status, now, by, reason)
            append_events(conn, [NewEvent(EventKind.APPEALED, "review", str(item_pk), payload,
                                          by)], now)
            return item_pk
        takedown = row.action is not None and Action(row.action) in REMOVING_ACTIONS
        blocked = row.author_pk in active_blocks(conn, [row.author_pk])
        if not (takedown or blocked):
            raise ReviewError("nothing to appeal: the comment is up and its author not blocked")
        status = next_status(None, ReviewEvent(ReviewAction.OPEN, takedown, blocked, True))
        conn.execute(insert(review_items), {
            "comment_pk": row.pk, "decision_pk": row.d, "origin": "appeal",
            "state": status.state.value, "outcome": None, "takedown": takedown,
            "author_blocked": blocked, "appeals": status.appeals, "opened_at": now,
            "updated_at": now, "last_actor": by, "last_reason": reason})
        item_pk = int(conn.execute(select(review_items.c.pk).where(
            review_items.c.comment_pk == row.pk).order_by(review_items.c.pk.desc())).scalar_one())
        append_events(conn, [NewEvent(EventKind.REVIEW_OPENED, "review", str(item_pk), {
            **payload, "origin": "appeal", "takedown": takedown, "author_blocked": blocked,
            "appeal": True}, by)], now)
        return item_pk


#: Reviewer actions accepted by :func:`resolve`.
REVIEWER_ACTIONS = tuple(sorted(a.value for a in (*RESOLUTIONS, ReviewAction.ESCALATE,
                                                   ReviewAction.COMMENT)))
