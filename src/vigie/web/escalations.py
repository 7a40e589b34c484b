"""One escalation for its page and the API, and the community manager's steps on it.

The page shows the comment, why it was escalated (clause, evidence), its notification, where
its handling stands (open or closed, assigned to whom) and every step with who took it and
when, read from the audit trail. Steps go through :func:`vigie.store.escalation_handling
.handle_escalation`, which writes the event; this module adds the dashboard's rule on whom an
escalation may be assigned: an active account whose role resolves escalations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection

from vigie.errors import StoreError
from vigie.records import stored_url
from vigie.store.escalation_handling import EscalationStep, HandledEscalation, handle_escalation
from vigie.store.events import EventKind
from vigie.store.schema import (
    authors,
    comments,
    decisions,
    escalations,
    events,
    posts,
    review_items,
)
from vigie.web.accounts import User, list_users, user_by_name
from vigie.web.auth import Principal
from vigie.web.context import WebContext
from vigie.web.permalinks import platform_url
from vigie.web.roles import Permission, can

__all__ = ["EscalationView", "assignable_accounts", "escalation_view", "take_step"]


@dataclass(frozen=True, slots=True)
class EscalationView:
    """An escalation with its comment, decision and steps.

    Attributes:
        row: the escalation's columns with its comment's, author's, post's and review item's.
        decision: the decision's body (empty when none is stored).
        steps: its events, oldest first: escalated, notified, then each handling step.
        platform_url: the comment on its platform: the record's own address, or one the ids
            give (:func:`vigie.web.permalinks.platform_url`); ``None`` when neither.
    """

    row: dict[str, Any]
    decision: dict[str, Any]
    steps: list[dict[str, Any]]
    platform_url: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (datetimes left to the caller's encoder)."""
        row = {k: v for k, v in self.row.items() if k != "decision_body"}
        return {"escalation": row, "decision": self.decision, "steps": self.steps,
                "platform_url": self.platform_url}


def escalation_view(conn: Connection, escalation_pk: int) -> EscalationView | None:
    """The escalation ``escalation_pk``, or ``None`` when there is none."""
    found = conn.execute(
        select(escalations.c.pk.label("escalation_pk"), escalations.c.reason,
               escalations.c.status.label("notified"), escalations.c.created_at,
               escalations.c.sent_at, escalations.c.attempts, escalations.c.last_error,
               escalations.c.state.label("handling"), escalations.c.assignee,
               escalations.c.updated_at, escalations.c.review_pk,
               review_items.c.state, review_items.c.outcome,
               comments.c.pk.label("comment_pk"), comments.c.platform, comments.c.comment_id,
               comments.c.text, comments.c.created_at.label("comment_at"),
               authors.c.pk.label("author_pk"), authors.c.name.label("author_name"),
               comments.c.payload, posts.c.post_id, posts.c.text.label("post_text"),
               decisions.c.action, decisions.c.body.label("decision_body"))
        .select_from(escalations.join(comments, comments.c.pk == escalations.c.comment_pk)
                     .join(authors, authors.c.pk == comments.c.author_pk)
                     .outerjoin(posts, posts.c.pk == comments.c.post_pk)
                     .outerjoin(decisions, decisions.c.pk == escalations.c.decision_pk)
                     .outerjoin(review_items, review_items.c.pk == escalations.c.review_pk))
        .where(escalations.c.pk == escalation_pk)).first()
    if found is None:
        return None
    row = dict(found._mapping)
    # The raw record stays off the page and the API: only its address is read from it.
    url = stored_url(row.pop("payload"))
    decision = json.loads(row["decision_body"]) if row["decision_body"] else {}
    return EscalationView(row, decision, _steps(conn, row),
                          platform_url(row["platform"], row["comment_id"], row["post_id"], url))


def _steps(conn: Connection, row: dict[str, Any]) -> list[dict[str, Any]]:
    """The escalation's own events, with its creation and its notifications."""
    pk = int(row["escalation_pk"])
    kinds = (EventKind.ESCALATED.value, EventKind.ESCALATION_SENT.value)
    about = [and_(events.c.subject_type == "escalation", events.c.subject_id == str(pk)),
             and_(events.c.subject_type == "comment",
                  events.c.subject_id == row["comment_id"], events.c.kind.in_(kinds))]
    if row["review_pk"] is not None:
        about.append(and_(events.c.subject_type == "review",
                          events.c.subject_id == str(row["review_pk"]),
                          events.c.kind == EventKind.ESCALATED.value))
    out = []
    for e in conn.execute(select(events).where(or_(*about)).order_by(events.c.seq)):
        payload = json.loads(e.payload)
        if e.kind == EventKind.ESCALATION_SENT.value and payload.get("escalation") != pk:
            continue  # another escalation of the same comment
        if (e.kind == EventKind.ESCALATED.value and e.subject_type == "comment"
                and row["review_pk"] is not None):
            continue  # the policy's escalation of this comment, not the reviewer's
        out.append({"seq": e.seq, "at": e.at, "kind": e.kind, "actor": e.actor,
                    "payload": payload})
    return out


def assignable_accounts(conn: Connection) -> list[User]:
    """Active accounts whose role resolves escalations, by username."""
    return [u for u in list_users(conn)
            if u.active and can(u.role, Permission.RESOLVE_ESCALATION)]


def take_step(ctx: WebContext, escalation_pk: int, step: EscalationStep | str,
              principal: Principal, note: str = "",
              assignee: str | None = None) -> HandledEscalation:
    """Take one handling step as ``principal`` (recorded under their name).

    Raises:
        vigie.store.escalation_handling.EscalationError: the step is not valid now.
        StoreError: no such escalation, no note where one is needed, or an assignee that is
            not an active account resolving escalations.
    """
    name = (assignee or "").strip() or None
    if step == EscalationStep.ASSIGN and name is not None:
        with ctx.read() as conn:
            account = user_by_name(conn, name)
        if account is None or not account.active or not can(account.role,
                                                            Permission.RESOLVE_ESCALATION):
            raise StoreError(f"cannot assign the escalation to {name!r}: not an active account "
                             "that resolves escalations (community manager or admin)")
        name = account.username
    return handle_escalation(ctx.store, escalation_pk, step, by=principal.actor, note=note,
                             assignee=name)
