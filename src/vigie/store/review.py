"""The review state machine, written down in one function: :func:`next_status`.

A review item is a comment a human must look at: a decision the engine was unsure of
(``review``), an appeal against a removal or a block, or an item opened by hand. Its status is
*derived* from its events (:func:`derive_status` folds them with :func:`next_status`); the
``review_items`` table only caches the result for fast queue listings, and is updated in the same
transaction as the event.

States::

              escalate
     open ─────────────► escalated
       │ approve/restore/remove/block/unblock │
       └──────────────► closed ◄──────────────┘
                          │ appeal
                          └──────► open

What each resolution means (the store adds the platform actions, strikes and blocks):

* ``approve`` — the comment is acceptable and stays up (only while it is up);
* ``restore`` — a comment that was taken down goes back up; a block that came with the item is
  lifted too: this is how an author is restored on appeal;
* ``remove`` — the comment comes down (or stays down: an appeal rejected) and counts as a strike;
* ``block`` — the comment comes down and the author is blocked;
* ``unblock`` — the author's block is lifted; the comment stays as it is;
* ``escalate`` — handed to the community manager, still to be resolved;
* ``appeal`` — a closed item whose comment is down or whose author is blocked is reopened;
* ``comment`` — a note; changes nothing.

Model: bluesky-social/atproto ``packages/ozone/src/mod-service/status.ts``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from vigie.errors import StoreError

__all__ = [
    "ReviewAction",
    "ReviewError",
    "ReviewEvent",
    "ReviewState",
    "ReviewStatus",
    "derive_status",
    "next_status",
]


class ReviewError(StoreError):
    """A review action that is not valid in the item's current state."""


class ReviewState(StrEnum):
    """Where an item stands in the queue."""

    OPEN = "open"
    ESCALATED = "escalated"
    CLOSED = "closed"


class ReviewAction(StrEnum):
    """What can happen to a review item."""

    OPEN = "open"
    ESCALATE = "escalate"
    APPROVE = "approve"
    RESTORE = "restore"
    REMOVE = "remove"
    BLOCK = "block"
    UNBLOCK = "unblock"
    APPEAL = "appeal"
    COMMENT = "comment"


#: Actions that close an item.
RESOLUTIONS = frozenset({ReviewAction.APPROVE, ReviewAction.RESTORE, ReviewAction.REMOVE,
                         ReviewAction.BLOCK, ReviewAction.UNBLOCK})


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    """One step in an item's life.

    Attributes:
        action: what happened.
        takedown: for ``open`` only: whether the comment is off the page when the item opens.
        author_blocked: for ``open`` only: whether the author is blocked when the item opens.
        appeal: for ``open`` only: the item is opened by an appeal.
    """

    action: ReviewAction
    takedown: bool = False
    author_blocked: bool = False
    appeal: bool = False


@dataclass(frozen=True, slots=True)
class ReviewStatus:
    """The derived status of a review item.

    Attributes:
        state: open, escalated or closed.
        outcome: the last resolution (``None`` while never resolved).
        takedown: the comment is off the page.
        author_blocked: the author is blocked.
        appeals: how many times the item was opened or reopened by an appeal.
    """

    state: ReviewState
    outcome: ReviewAction | None
    takedown: bool
    author_blocked: bool
    appeals: int = 0


def next_status(status: ReviewStatus | None, event: ReviewEvent) -> ReviewStatus:
    """Return the status after ``event`` (pure; the only place the rules live).

    Args:
        status: the current status, ``None`` for an item not yet opened.
        event: what happens.

    Raises:
        ReviewError: the action is not valid now; the message says why and what is valid.
    """
    action = event.action
    if status is None:
        if action is not ReviewAction.OPEN:
            raise ReviewError(f"cannot {action.value} an item that was never opened")
        return ReviewStatus(ReviewState.OPEN, None, event.takedown, event.author_blocked,
                            1 if event.appeal else 0)
    if action is ReviewAction.COMMENT:
        return status
    if action is ReviewAction.OPEN:
        raise ReviewError("the item is already open; to reopen a closed item, appeal")
    if action is ReviewAction.APPEAL:
        if status.state is not ReviewState.CLOSED:
            raise ReviewError(f"the item is {status.state.value}: it is already under review")
        if not (status.takedown or status.author_blocked):
            raise ReviewError("nothing to appeal: the comment is up and the author not blocked")
        return replace(status, state=ReviewState.OPEN, appeals=status.appeals + 1)
    if status.state is ReviewState.CLOSED:
        raise ReviewError(f"cannot {action.value}: the item is closed "
                          f"({status.outcome.value if status.outcome else 'resolved'}); "
                          "appeal to reopen it")
    if action is ReviewAction.ESCALATE:
        if status.state is ReviewState.ESCALATED:
            raise ReviewError("the item is already escalated")
        return replace(status, state=ReviewState.ESCALATED)
    closed = replace(status, state=ReviewState.CLOSED, outcome=action)
    if action is ReviewAction.APPROVE:
        if status.takedown:
            raise ReviewError("the comment is off the page: use restore to put it back")
        return closed
    if action is ReviewAction.RESTORE:
        if not status.takedown:
            raise ReviewError("the comment is up: nothing to restore (approve it instead)")
        return replace(closed, takedown=False, author_blocked=False)
    if action is ReviewAction.REMOVE:
        return replace(closed, takedown=True)
    if action is ReviewAction.BLOCK:
        if status.author_blocked:
            raise ReviewError("the author is already blocked: use remove for this comment")
        return replace(closed, takedown=True, author_blocked=True)
    if action is ReviewAction.UNBLOCK:
        if not status.author_blocked:
            raise ReviewError("the author is not blocked")
        return replace(closed, author_blocked=False)
    raise ReviewError(f"unknown review action {action!r}; valid: "
                      f"{', '.join(a.value for a in ReviewAction)}")  # pragma: no cover


def derive_status(events: Iterable[ReviewEvent]) -> ReviewStatus | None:
    """Fold an item's events into its status (pure); ``None`` when there are none.

    Raises:
        ReviewError: the events are not a valid history.
    """
    status: ReviewStatus | None = None
    for event in events:
        status = next_status(status, event)
    return status
