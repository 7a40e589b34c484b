"""The community manager's handling of an escalation (directive 6.1): assign, comment, close.

An escalation is a comment referred to the community manager, by the policy (criticism of the
institution, a category whose action is ``escalate``) or by a reviewer. Its *notification*
(``escalations.status``: pending, sent, failed) is :mod:`vigie.notify`'s business; its
*handling* is written here, one step at a time, each step an event of the audit trail (subject
``escalation``, the escalation's number) appended in the same transaction as the row it
updates. The row's ``state``, ``assignee`` and ``updated_at`` only cache where the steps lead,
for the lists.

States::

            assign, comment              comment
          ┌────────┐                    ┌───────┐
          ▼        │       close        ▼       │
         open ─────┴──────────────────► closed ─┘
           ▲                               │
           └──────────── reopen ───────────┘

The rules live in one pure function, :func:`next_state`:

* ``assign`` — to a dashboard account (or to nobody); only while open;
* ``comment`` — a note or the answer given to the author, in any state;
* ``close`` — with a note saying how it was handled; refused while the comment still waits
  for a decision in the review queue (a reviewer's escalation is decided there first, so no
  queue item is left behind an escalation marked done);
* ``reopen`` — with a note saying why.

Who may take a step (the community manager, an administrator) and who may be assigned is the
dashboard's rule (:mod:`vigie.web.roles`): the store knows no accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update

from vigie.errors import StoreError
from vigie.store.events import EventKind, NewEvent, append_events, lock_chain
from vigie.store.review import ReviewState
from vigie.store.schema import comments, escalations, review_items
from vigie.store.store import Store

__all__ = [
    "EscalationError",
    "EscalationState",
    "EscalationStep",
    "HandledEscalation",
    "handle_escalation",
    "next_state",
]


class EscalationError(StoreError):
    """A handling step that is not valid in the escalation's current state."""


class EscalationState(StrEnum):
    """Where the handling of an escalation stands."""

    OPEN = "open"
    CLOSED = "closed"


class EscalationStep(StrEnum):
    """What the community manager can do with an escalation."""

    ASSIGN = "assign"
    COMMENT = "comment"
    CLOSE = "close"
    REOPEN = "reopen"


_EVENTS = {
    EscalationStep.ASSIGN: EventKind.ESCALATION_ASSIGNED,
    EscalationStep.COMMENT: EventKind.ESCALATION_COMMENTED,
    EscalationStep.CLOSE: EventKind.ESCALATION_CLOSED,
    EscalationStep.REOPEN: EventKind.ESCALATION_REOPENED,
}

#: Steps that must say why, in words.
NOTE_REQUIRED = frozenset({EscalationStep.COMMENT, EscalationStep.CLOSE, EscalationStep.REOPEN})


def next_state(state: EscalationState, step: EscalationStep, *,
               review_item_waiting: int | None = None) -> EscalationState:
    """The state after ``step`` (pure; the only place the rules live).

    Args:
        state: the current state.
        step: what is asked.
        review_item_waiting: the review item of the escalated comment when it is still
            ``escalated`` in the queue (a decision is due there), else ``None``.

    Raises:
        EscalationError: the step is not valid now; the message says why and what is.
    """
    if step is EscalationStep.COMMENT:
        return state
    if step is EscalationStep.ASSIGN:
        if state is EscalationState.CLOSED:
            raise EscalationError("the escalation is closed: reopen it before assigning it")
        return state
    if step is EscalationStep.CLOSE:
        if state is EscalationState.CLOSED:
            raise EscalationError("the escalation is already closed")
        if review_item_waiting is not None:
            raise EscalationError(
                f"the comment still waits for a decision on review item {review_item_waiting}: "
                "decide it there first (approve, remove...), then close the escalation")
        return EscalationState.CLOSED
    if step is EscalationStep.REOPEN:
        if state is EscalationState.OPEN:
            raise EscalationError("the escalation is open: there is nothing to reopen")
        return EscalationState.OPEN
    raise EscalationError(f"unknown step {step!r}; valid: "
                          f"{', '.join(s.value for s in EscalationStep)}")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class HandledEscalation:
    """Where an escalation stands after a step."""

    pk: int
    state: EscalationState
    assignee: str | None
    event_seq: int


def handle_escalation(store: Store, escalation_pk: int, step: EscalationStep | str, *, by: str,
                      note: str = "", assignee: str | None = None) -> HandledEscalation:
    """Take one handling step, recorded as an event by ``by``.

    Args:
        store: the store.
        escalation_pk: the escalation's number.
        step: ``assign``, ``comment``, ``close`` or ``reopen``.
        by: who takes it (recorded on the event).
        note: why, in words (required for comment, close and reopen; at most 2,000
            characters are kept).
        assignee: for ``assign``: the account's name, or ``None`` / ``""`` to unassign.

    Returns:
        The escalation's state afterwards.

    Raises:
        EscalationError: the step is not valid in the escalation's state, or assigns it to
            whom it is already assigned (nothing is written).
        StoreError: no such escalation, an unknown step, or no name or note.
    """
    try:
        step = EscalationStep(step)
    except ValueError:
        raise StoreError(f"unknown escalation step {step!r}; valid: "
                         f"{', '.join(s.value for s in EscalationStep)}") from None
    note = note.strip()[:2000]
    if not by.strip():
        raise StoreError("a handling step needs the name of who takes it")
    if step in NOTE_REQUIRED and not note:
        raise StoreError(f"{step.value} needs a note saying why")
    now = store.now()
    with store.begin() as conn:
        head = lock_chain(conn)
        row = conn.execute(
            select(escalations.c.state, escalations.c.assignee, escalations.c.review_pk,
                   review_items.c.state.label("review_state"), comments.c.comment_id)
            .join(comments, comments.c.pk == escalations.c.comment_pk)
            .outerjoin(review_items, review_items.c.pk == escalations.c.review_pk)
            .where(escalations.c.pk == escalation_pk)).first()
        if row is None:
            raise StoreError(f"no escalation {escalation_pk}")
        waiting = (int(row.review_pk) if row.review_state == ReviewState.ESCALATED.value
                   else None)
        state = next_state(EscalationState(row.state), step, review_item_waiting=waiting)
        who = row.assignee
        if step is EscalationStep.ASSIGN:
            who = (assignee or "").strip() or None
            if who == row.assignee:
                raise EscalationError(f"the escalation is already assigned to {who}" if who
                                      else "the escalation is assigned to nobody already")
        conn.execute(update(escalations).where(escalations.c.pk == escalation_pk).values(
            state=state.value, assignee=who, updated_at=now))
        payload: dict[str, object] = {"step": step.value, "comment_id": row.comment_id,
                                      "state": state.value}
        if note:
            payload["note"] = note
        if step is EscalationStep.ASSIGN:
            payload["assignee"] = who
            payload["previous"] = row.assignee
        seq = append_events(conn, [NewEvent(_EVENTS[step], "escalation", str(escalation_pk),
                                            payload, by)], now, head)
    return HandledEscalation(escalation_pk, state, who, seq)
