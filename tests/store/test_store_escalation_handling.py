"""The community manager's steps on an escalation: state, assignee and one audit event each,
on SQLite and PostgreSQL; the rules of :func:`next_state`; the migration of older rows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, insert, select

from vigie.errors import StoreError
from vigie.store.escalation_handling import (
    EscalationError,
    EscalationState,
    EscalationStep,
    handle_escalation,
    next_state,
)
from vigie.store.events import iter_events, verify_chain
from vigie.store.queue import resolve
from vigie.store.schema import escalations, review_items

OPEN, CLOSED = EscalationState.OPEN, EscalationState.CLOSED


@pytest.mark.parametrize(("state", "step", "after"), [
    (OPEN, EscalationStep.ASSIGN, OPEN),
    (OPEN, EscalationStep.COMMENT, OPEN),
    (CLOSED, EscalationStep.COMMENT, CLOSED),
    (OPEN, EscalationStep.CLOSE, CLOSED),
    (CLOSED, EscalationStep.REOPEN, OPEN),
])
def test_valid_steps(state: EscalationState, step: EscalationStep,
                     after: EscalationState) -> None:
    assert next_state(state, step) is after


@pytest.mark.parametrize(("state", "step", "waiting", "message"), [
    (CLOSED, EscalationStep.ASSIGN, None, "reopen it before assigning"),
    (CLOSED, EscalationStep.CLOSE, None, "already closed"),
    (OPEN, EscalationStep.REOPEN, None, "nothing to reopen"),
    (OPEN, EscalationStep.CLOSE, 7, "decision on review item 7"),
])
def test_refused_steps_say_why(state: EscalationState, step: EscalationStep,
                               waiting: int | None, message: str) -> None:
    with pytest.raises(EscalationError, match=message):
        next_state(state, step, review_item_waiting=waiting)


def _escalate(moderator: Any, comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-1", "I feel DISTRESS here")])


def _row(store: Any, pk: int) -> Any:
    with store.read() as conn:
        return conn.execute(select(escalations).where(escalations.c.pk == pk)).one()


def _steps(store: Any, pk: int) -> list[Any]:
    with store.read() as conn:
        return list(iter_events(conn, subject_type="escalation", subject_id=str(pk)))


def test_assign_comment_close_reopen_each_stored_and_audited(
        store: Any, moderator: Any, comment_factory: Any, store_clock: Any) -> None:
    import datetime as dt

    _escalate(moderator, comment_factory)
    pk = int(_row(store, 1).pk)
    assert (_row(store, pk).state, _row(store, pk).assignee) == ("open", None)

    done = handle_escalation(store, pk, "assign", by="admin", assignee="gestion")
    assert (done.state, done.assignee) == (OPEN, "gestion")
    store_clock.now += dt.timedelta(minutes=5)
    handle_escalation(store, pk, "comment", by="gestion", note="Réponse publiée sous le fil")
    handle_escalation(store, pk, "close", by="gestion", note="Répondu ; rien d'autre à faire")
    row = _row(store, pk)
    assert (row.state, row.assignee, row.updated_at) == ("closed", "gestion", store_clock.now)
    handle_escalation(store, pk, "reopen", by="admin", note="L'auteur a relancé")
    assert _row(store, pk).state == "open"

    steps = _steps(store, pk)
    assert [(e.kind, e.actor) for e in steps] == [
        ("escalation_assigned", "admin"), ("escalation_commented", "gestion"),
        ("escalation_closed", "gestion"), ("escalation_reopened", "admin")]
    assert steps[0].payload == {"step": "assign", "comment_id": "fb:c-1", "state": "open",
                                "assignee": "gestion", "previous": None}
    assert steps[2].payload["note"] == "Répondu ; rien d'autre à faire"
    assert steps[2].payload["state"] == "closed"
    with store.read() as conn:
        assert verify_chain(conn).ok


def test_refused_steps_write_nothing(store: Any, moderator: Any, comment_factory: Any) -> None:
    _escalate(moderator, comment_factory)
    with pytest.raises(StoreError, match="close needs a note"):
        handle_escalation(store, 1, "close", by="gestion", note="  ")
    with pytest.raises(StoreError, match="unknown escalation step 'delete'"):
        handle_escalation(store, 1, "delete", by="gestion", note="x")
    with pytest.raises(StoreError, match="no escalation 99"):
        handle_escalation(store, 99, "comment", by="gestion", note="x")
    with pytest.raises(EscalationError, match="assigned to nobody already"):
        handle_escalation(store, 1, "assign", by="gestion", assignee="")
    handle_escalation(store, 1, "assign", by="gestion", assignee="gestion")
    with pytest.raises(EscalationError, match="already assigned to gestion"):
        handle_escalation(store, 1, "assign", by="gestion", assignee="gestion")
    handle_escalation(store, 1, "close", by="gestion", note="fait")
    with pytest.raises(EscalationError, match="reopen it before assigning"):
        handle_escalation(store, 1, "assign", by="gestion", assignee="autre")
    assert [e.kind for e in _steps(store, 1)] == ["escalation_assigned", "escalation_closed"]
    assert _row(store, 1).assignee == "gestion"


def test_a_reviewers_escalation_is_decided_in_the_queue_before_it_closes(
        store: Any, moderator: Any, comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-2", "MAYBE this")])  # a review item
    with store.read() as conn:
        item = int(conn.execute(select(review_items.c.pk)).scalar_one())
    resolve(store, item, "escalate", by="moderation", reason="question sensible")
    with store.read() as conn:
        pk = int(conn.execute(select(escalations.c.pk).where(
            escalations.c.review_pk == item)).scalar_one())
    with pytest.raises(EscalationError, match=f"decision on review item {item}"):
        handle_escalation(store, pk, "close", by="gestion", note="vu")
    resolve(store, item, "approve", by="gestion", reason="critique légitime")
    assert handle_escalation(store, pk, "close", by="gestion", note="vu").state is CLOSED


def test_escalations_stored_before_the_migration_are_open(db_url: str) -> None:
    import datetime as dt

    from vigie.store.db import migrate
    from vigie.store.schema import authors, comments

    engine = create_engine(db_url)
    try:
        migrate(engine, "0008_questions")
        now = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
        with engine.begin() as conn:
            conn.execute(insert(authors), {"pk": 1, "platform": "facebook",
                                           "author_id": "fb:u-1", "first_seen": now})
            conn.execute(insert(comments), {"pk": 1, "platform": "facebook",
                                            "comment_id": "fb:c-1", "author_pk": 1,
                                            "created_at": now, "ingested_at": now})
            # Only the columns 0008 knew: the new ones must come from the migration.
            conn.execute(escalations.insert().values(
                comment_pk=1, reason="r", status="pending", created_at=now, attempts=0))
        migrate(engine)
        with engine.connect() as conn:
            row = conn.execute(select(escalations)).one()
        assert (row.state, row.assignee, row.updated_at) == ("open", None, None)
    finally:
        engine.dispose()
