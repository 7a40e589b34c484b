"""The hash-chained event log: appends, verification, and tampering named by row."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update
from typer.testing import CliRunner

from tamper import drop_guard
from vigie.store.events import (
    GENESIS,
    EventKind,
    NewEvent,
    append_events,
    event_hash,
    iter_events,
    verify_chain,
)
from vigie.store.schema import chain_head, decisions, events

T0 = dt.datetime(2025, 3, 18, 12, 0, tzinfo=dt.UTC)


def _append(store: Any, n: int) -> None:
    with store.begin() as conn:
        append_events(conn, [NewEvent(EventKind.INGESTED, "comment", f"fb:c-{i}", {"i": i})
                             for i in range(n)], T0)


def _verify(store: Any) -> Any:
    with store.read() as conn:
        return verify_chain(conn)


def test_chain_links_each_event_to_the_previous(store: Any) -> None:
    _append(store, 3)
    _append(store, 2)
    with store.read() as conn:
        stored = list(iter_events(conn))
    assert [e.seq for e in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(stored))
    first = stored[0]
    assert first.hash == event_hash(GENESIS, 1, T0, "ingested", "comment", "fb:c-0", "vigie",
                                    first.payload_text)
    assert _verify(store).ok


@pytest.mark.parametrize(("tamper", "row", "words"), [
    # An edited payload, an edited actor, an edited kind: the row itself is named.
    (lambda c: c.execute(update(events).where(events.c.seq == 3).values(payload='{"i":99}')),
     3, "does not match its hash"),
    (lambda c: c.execute(update(events).where(events.c.seq == 2).values(actor="mallory")),
     2, "does not match its hash"),
    (lambda c: c.execute(update(events).where(events.c.seq == 4).values(kind="restored")),
     4, "does not match its hash"),
    # A deleted row: the next one is named, with the gap.
    (lambda c: c.execute(delete(events).where(events.c.seq == 3)), 4, "missing"),
])
def test_tampering_is_detected_and_named(store: Any, tamper: Any, row: int,
                                         words: str) -> None:
    _append(store, 5)
    with store.engine.begin() as conn:
        drop_guard(conn)  # an attacker with full rights first drops the append-only guard
        tamper(conn)
    report = _verify(store)
    assert not report.ok
    assert report.problems[0].seq == row and words in report.problems[0].message


def test_rehashing_an_edited_row_still_breaks_the_next_link(store: Any) -> None:
    _append(store, 4)
    with store.engine.begin() as conn:
        drop_guard(conn)
        row = conn.execute(select(events).where(events.c.seq == 2)).one()
        forged = event_hash(row.prev_hash, 2, row.at, row.kind, row.subject_type,
                            row.subject_id, row.actor, '{"i":42}')
        conn.execute(update(events).where(events.c.seq == 2).values(payload='{"i":42}',
                                                                    hash=forged))
    report = _verify(store)
    assert [p.seq for p in report.problems] == [3]
    assert "prev_hash" in report.problems[0].message


def test_truncating_the_end_is_detected(store: Any) -> None:
    _append(store, 4)
    with store.engine.begin() as conn:
        drop_guard(conn)
        conn.execute(delete(events).where(events.c.seq == 4))
    report = _verify(store)
    assert [p.table for p in report.problems] == ["chain_head"]


def test_edited_decision_is_detected(store: Any, moderator: Any, comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-1", "SPAM"), comment_factory("fb:c-2")])
    with store.engine.begin() as conn:
        conn.execute(update(decisions).where(decisions.c.action == "remove").values(
            action="allow", body='{"action":"allow"}'))
    report = _verify(store)
    assert [(p.table, p.seq) for p in report.problems] == [("decisions", "fb:c-1")]


def test_cli_audit_verify_names_the_edited_row(store: Any, moderator: Any,
                                               comment_factory: Any, db_url: str) -> None:
    from vigie.cli.app import app

    moderator.process([comment_factory(f"fb:c-{i}") for i in range(4)])
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--db", db_url])
    assert ok.exit_code == 0, ok.output
    with store.engine.begin() as conn:  # an operator edits a row by hand, in plain SQL
        drop_guard(conn)
        conn.execute(text("UPDATE events SET actor = 'someone' WHERE seq = 5"))
    broken = runner.invoke(app, ["audit", "verify", "--db", db_url])
    assert broken.exit_code == 1
    assert "events row 5" in broken.output and "does not match its hash" in broken.output


def test_head_is_serialised(store: Any) -> None:
    _append(store, 2)
    with store.read() as conn:
        head = conn.execute(select(chain_head.c.seq)).scalar_one()
    assert head == 2
