"""The rows that act (strikes, blocks, outbox) verify against the audit chain, or are named.

An attacker with write access to the database edits the tables Vigie acts from, not the events:
the chain stays intact, and only the cross-check of :func:`verify_trail` can see it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update
from typer.testing import CliRunner

from vigie.store.events import EventKind, NewEvent, append_events, verify_chain
from vigie.store.outbox import RecordingSink, run_outbox
from vigie.store.queue import list_items, resolve
from vigie.store.schema import blocks, outbox, strikes
from vigie.store.state_audit import verify_trail
from vigie.store.strikes import lift_blocks

AT = "2025-03-{:02d}T10:00:00Z"


def _acted(store: Any, moderator: Any, comment_factory: Any) -> None:
    """Three removals block fb:u-1 (applied); a reviewer then removes a doubtful comment
    (its removal still waits in the outbox) and another author is blocked then unblocked."""
    moderator.process([comment_factory(f"fb:c-{i}", "SPAM", at=AT.format(i)) for i in (1, 2, 3)]
                      + [comment_factory("fb:c-4", "MAYBE", author="fb:u-2"),
                         comment_factory("fb:c-5", "THREAT", author="fb:u-3")])
    run_outbox(store, RecordingSink())
    item = next(i for i in list_items(store) if i.comment_id == "fb:c-4")
    resolve(store, item.pk, "remove", by="alice", reason="off topic")
    with store.begin() as conn:
        author = conn.execute(select(blocks.c.author_pk).order_by(blocks.c.pk.desc())).scalar()
        append_events(conn, lift_blocks(conn, author_pk=author, when=store.now(),
                                        reason="appeal", actor="bob"), store.now())


def _problems(store: Any, codes: list[str] | None = None) -> list[tuple[str, Any]]:
    with store.read() as conn:
        report = verify_trail(conn)
    if codes is not None:
        codes.extend(p.code for p in report.problems)
    return [(p.table, p.seq) for p in report.problems]


def test_an_untouched_database_verifies(store: Any, moderator: Any,
                                        comment_factory: Any) -> None:
    _acted(store, moderator, comment_factory)
    with store.read() as conn:
        report = verify_trail(conn)
    assert report.ok, report.problems
    assert (report.strikes, report.blocks) == (5, 2)
    assert report.actions >= 6
    assert report.to_dict()["strikes"] == 5


def _first(store: Any, table: Any, *where: Any) -> Any:
    with store.read() as conn:
        return conn.execute(select(table).where(*where).order_by(table.c.pk)).first()


def _edit(store: Any, statement: Any) -> None:
    with store.begin() as conn:  # plain SQL from someone with write access
        conn.execute(statement)


WHEN = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

# name -> (tampering, expected (table, row)); each returns what it expects to be named.
Tamper = Callable[[Any], tuple[str, Any]]


def _void_strike(store: Any) -> tuple[str, Any]:
    row = _first(store, strikes, strikes.c.voided_at.is_(None))
    _edit(store, update(strikes).where(strikes.c.pk == row.pk).values(
        voided_at=WHEN, voided_reason="x"))
    return "strikes", row.pk


def _move_strike(store: Any) -> tuple[str, Any]:  # out of the policy window
    row = _first(store, strikes)
    _edit(store, update(strikes).where(strikes.c.pk == row.pk).values(at=WHEN))
    return "strikes", row.pk


def _delete_strike(store: Any) -> tuple[str, Any]:
    row = _first(store, strikes)
    _edit(store, delete(strikes).where(strikes.c.pk == row.pk))
    return "strikes", f"comment_pk {row.comment_pk}"


def _delete_block(store: Any) -> tuple[str, Any]:
    row = _first(store, blocks, blocks.c.lifted_at.is_(None))
    _edit(store, delete(blocks).where(blocks.c.pk == row.pk))
    return "blocks", row.pk


def _lift_block(store: Any) -> tuple[str, Any]:
    row = _first(store, blocks, blocks.c.lifted_at.is_(None))
    _edit(store, update(blocks).where(blocks.c.pk == row.pk).values(lifted_at=WHEN))
    return "blocks", row.pk


def _unlift_block(store: Any) -> tuple[str, Any]:
    row = _first(store, blocks, blocks.c.lifted_at.is_not(None))
    _edit(store, update(blocks).where(blocks.c.pk == row.pk).values(lifted_at=None))
    return "blocks", row.pk


def _fake_block(store: Any) -> tuple[str, Any]:
    real = _first(store, blocks)
    with store.begin() as conn:
        pk = conn.execute(insert(blocks).returning(blocks.c.pk), {
            "author_pk": real.author_pk, "reason": "x", "blocked_at": WHEN,
            "blocked_by": "vigie"}).scalar_one()
    return "blocks", pk


def _reset_applied(store: Any) -> tuple[str, Any]:
    row = _first(store, outbox, outbox.c.status == "applied")
    _edit(store, update(outbox).where(outbox.c.pk == row.pk).values(status="pending"))
    return "outbox", row.key


def _applied_by_hand(store: Any) -> tuple[str, Any]:  # a removal that never happens
    row = _first(store, outbox, outbox.c.status == "pending")
    _edit(store, update(outbox).where(outbox.c.pk == row.pk).values(status="applied"))
    return "outbox", row.key


def _retarget_pending(store: Any) -> tuple[str, Any]:
    row = _first(store, outbox, outbox.c.status == "pending")
    _edit(store, update(outbox).where(outbox.c.pk == row.pk).values(comment_id="fb:c-1"))
    return "outbox", row.key


def _fake_action(store: Any) -> tuple[str, Any]:
    row = _first(store, outbox)
    values = {c: getattr(row, c) for c in row._fields if c != "pk"}
    values.update(key="forged", status="pending")
    _edit(store, insert(outbox).values(**values))
    return "outbox", "forged"


def _delete_action(store: Any) -> tuple[str, Any]:
    row = _first(store, outbox, outbox.c.status == "pending")
    _edit(store, delete(outbox).where(outbox.c.pk == row.pk))
    return "outbox", row.key


#: What each tampering is called (the dashboard words it from the code).
CODES = {"_void_strike": "status", "_move_strike": "edited", "_delete_strike": "deleted",
         "_delete_block": "deleted", "_lift_block": "status", "_unlift_block": "status",
         "_fake_block": "unrecorded", "_reset_applied": "status", "_applied_by_hand": "status",
         "_retarget_pending": "edited", "_fake_action": "unrecorded",
         "_delete_action": "deleted"}


@pytest.mark.parametrize("tamper", [
    _void_strike, _move_strike, _delete_strike, _delete_block, _lift_block, _unlift_block,
    _fake_block, _reset_applied, _applied_by_hand, _retarget_pending, _fake_action,
    _delete_action,
], ids=lambda f: f.__name__.strip("_"))
def test_each_edit_of_the_acting_tables_is_named(store: Any, moderator: Any,
                                                 comment_factory: Any, tamper: Tamper) -> None:
    _acted(store, moderator, comment_factory)
    named = tamper(store)
    codes: list[str] = []
    assert _problems(store, codes) == [named]
    assert codes == [CODES[tamper.__name__]]
    with store.read() as conn:  # the chain alone cannot see it
        assert verify_chain(conn).ok


def test_rows_from_before_the_digests_are_checked_on_their_events(store: Any) -> None:
    # Events written by an older Vigie carry no row digest: existence and lifting still count.
    from vigie.store.ingest import ingest
    from vigie.store.schema import authors

    with store.begin() as conn:
        ingest(conn, [_comment()], store.now())
        author = conn.execute(select(authors.c.pk)).scalar_one()
        conn.execute(insert(blocks), {"author_pk": author, "reason": "old",
                                      "blocked_at": WHEN, "blocked_by": "vigie"})
        append_events(conn, [NewEvent(EventKind.BLOCKED, "author", str(author),
                                      {"reason": "old", "comment_pk": None})], store.now())
    assert _problems(store) == []
    row = _first(store, blocks)
    _edit(store, update(blocks).values(lifted_at=WHEN))
    assert _problems(store) == [("blocks", row.pk)]
    with store.begin() as conn:  # lifted by the new code: from now on known by its digest
        conn.execute(update(blocks).values(lifted_at=None))
        append_events(conn, lift_blocks(conn, author_pk=author, when=store.now(),
                                        reason="r", actor="bob"), store.now())
    assert _problems(store) == []
    _edit(store, update(blocks).values(reason="edited"))
    assert _problems(store) == [("blocks", row.pk)]


def _comment() -> Any:
    from vigie.records import parse_comment

    return parse_comment({"id": "fb:c-9", "platform": "facebook", "text": "x",
                          "created_at": "2025-03-18T10:00:00Z",
                          "author": {"id": "fb:u-9", "name": "n"}})


def test_cli_audit_verify_names_a_reset_action(store: Any, moderator: Any,
                                               comment_factory: Any, db_url: str) -> None:
    from vigie.cli.app import app

    _acted(store, moderator, comment_factory)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--db", db_url])
    assert ok.exit_code == 0, ok.output
    assert "5 strikes, 2 blocks" in ok.output, ok.output
    _, key = _reset_applied(store)
    broken = runner.invoke(app, ["audit", "verify", "--db", db_url])
    assert broken.exit_code == 1
    assert f"outbox row {key}" in broken.output and "reset outside Vigie" in broken.output
