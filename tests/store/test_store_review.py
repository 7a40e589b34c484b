"""The review state machine (vigie.store.review.next_status): every transition, table-driven."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigie.store.review import (
    ReviewAction,
    ReviewError,
    ReviewEvent,
    ReviewState,
    ReviewStatus,
    derive_status,
    next_status,
)

A = ReviewAction
OPEN_UP = ReviewStatus(ReviewState.OPEN, None, takedown=False, author_blocked=False)
OPEN_DOWN = ReviewStatus(ReviewState.OPEN, None, takedown=True, author_blocked=False)
OPEN_DOWN_BLOCKED = ReviewStatus(ReviewState.OPEN, None, takedown=True, author_blocked=True)
ESCALATED_UP = ReviewStatus(ReviewState.ESCALATED, None, takedown=False, author_blocked=False)
CLOSED_REMOVED = ReviewStatus(ReviewState.CLOSED, A.REMOVE, takedown=True, author_blocked=False)
CLOSED_APPROVED = ReviewStatus(ReviewState.CLOSED, A.APPROVE, takedown=False,
                               author_blocked=False)

# (status before, action, expected state, outcome, takedown, author_blocked)
VALID = [
    (OPEN_UP, A.APPROVE, ReviewState.CLOSED, A.APPROVE, False, False),
    (OPEN_UP, A.REMOVE, ReviewState.CLOSED, A.REMOVE, True, False),
    (OPEN_UP, A.BLOCK, ReviewState.CLOSED, A.BLOCK, True, True),
    (OPEN_UP, A.ESCALATE, ReviewState.ESCALATED, None, False, False),
    (ESCALATED_UP, A.APPROVE, ReviewState.CLOSED, A.APPROVE, False, False),
    (ESCALATED_UP, A.REMOVE, ReviewState.CLOSED, A.REMOVE, True, False),
    (OPEN_DOWN, A.RESTORE, ReviewState.CLOSED, A.RESTORE, False, False),
    (OPEN_DOWN, A.REMOVE, ReviewState.CLOSED, A.REMOVE, True, False),  # appeal rejected
    (OPEN_DOWN_BLOCKED, A.RESTORE, ReviewState.CLOSED, A.RESTORE, False, False),  # restored
    (OPEN_DOWN_BLOCKED, A.UNBLOCK, ReviewState.CLOSED, A.UNBLOCK, True, False),
    (CLOSED_REMOVED, A.APPEAL, ReviewState.OPEN, A.REMOVE, True, False),
    (CLOSED_REMOVED, A.COMMENT, ReviewState.CLOSED, A.REMOVE, True, False),
    (OPEN_UP, A.COMMENT, ReviewState.OPEN, None, False, False),
]

# (status before, action, words the error must contain)
INVALID = [
    (OPEN_DOWN, A.APPROVE, "restore"),            # approving a removed comment: restore it
    (OPEN_UP, A.RESTORE, "nothing to restore"),
    (OPEN_UP, A.UNBLOCK, "not blocked"),
    (OPEN_DOWN_BLOCKED, A.BLOCK, "already blocked"),
    (ESCALATED_UP, A.ESCALATE, "already escalated"),
    (CLOSED_REMOVED, A.REMOVE, "closed"),          # a closed item needs an appeal first
    (CLOSED_REMOVED, A.ESCALATE, "closed"),
    (CLOSED_APPROVED, A.APPEAL, "nothing to appeal"),
    (OPEN_UP, A.APPEAL, "already under review"),
    (OPEN_UP, A.OPEN, "already open"),
    (None, A.APPROVE, "never opened"),
]


@pytest.mark.parametrize(("before", "action", "state", "outcome", "takedown", "blocked"), VALID)
def test_valid_transitions(before: ReviewStatus, action: ReviewAction, state: ReviewState,
                           outcome: ReviewAction | None, takedown: bool, blocked: bool) -> None:
    after = next_status(before, ReviewEvent(action))
    assert (after.state, after.outcome, after.takedown, after.author_blocked) == (
        state, outcome, takedown, blocked)


@pytest.mark.parametrize(("before", "action", "words"), INVALID)
def test_invalid_transitions_say_why(before: ReviewStatus | None, action: ReviewAction,
                                     words: str) -> None:
    with pytest.raises(ReviewError, match=words):
        next_status(before, ReviewEvent(action))


def test_open_takes_the_initial_facts() -> None:
    opened = next_status(None, ReviewEvent(A.OPEN, takedown=True, author_blocked=True,
                                           appeal=True))
    assert opened == ReviewStatus(ReviewState.OPEN, None, True, True, appeals=1)


def test_appeal_counts_and_derivation_folds_events() -> None:
    history = [ReviewEvent(A.OPEN), ReviewEvent(A.REMOVE), ReviewEvent(A.APPEAL),
               ReviewEvent(A.RESTORE)]
    status = derive_status(history)
    assert status == ReviewStatus(ReviewState.CLOSED, A.RESTORE, False, False, appeals=1)
    assert derive_status([]) is None


@given(st.lists(st.sampled_from([a for a in ReviewAction if a is not A.OPEN]), max_size=12),
       st.booleans(), st.booleans())
def test_any_sequence_keeps_the_invariants(actions: list[ReviewAction], takedown: bool,
                                           blocked: bool) -> None:
    status = next_status(None, ReviewEvent(A.OPEN, takedown=takedown, author_blocked=blocked))
    for action in actions:
        try:
            after = next_status(status, ReviewEvent(action))
        except ReviewError:
            continue  # refused: the status must not change (checked by not reassigning)
        if action in (A.APPROVE, A.RESTORE, A.REMOVE, A.BLOCK, A.UNBLOCK):
            assert status.state is not ReviewState.CLOSED
            assert after.state is ReviewState.CLOSED and after.outcome is action
        if after.state is ReviewState.CLOSED and after.outcome is A.APPROVE:
            assert not after.takedown
        if after.outcome in (A.REMOVE, A.BLOCK) and after.state is ReviewState.CLOSED:
            assert after.takedown
        assert after.appeals >= status.appeals
        status = after
