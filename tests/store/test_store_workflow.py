"""Moderation through the store: ingest, decide with history, record, plan actions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from vigie.store.events import verify_chain
from vigie.store.policy_versions import approve, propose
from vigie.store.schema import (
    blocks,
    comments,
    decisions,
    escalations,
    events,
    outbox,
    review_items,
    strikes,
)
from vigie.store.workflow import StoreModerator


def _count(store: Any, table: Any, *where: Any) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where))
                   .scalar_one())


def _actions(lines: list[str]) -> list[str]:
    return [json.loads(line)["action"] for line in lines]


def test_ingest_decide_and_audit(store: Any, moderator: Any, comment_factory: Any) -> None:
    batch = [comment_factory("fb:c-1", "Merci pour l'info"),
             comment_factory("fb:c-2", "Buy now SPAM", author="fb:u-2"),
             comment_factory("fb:c-3", "Hallo FOREIGN", author="fb:u-3"),
             comment_factory("fb:c-4", "Hmm MAYBE", author="fb:u-4"),
             comment_factory("fb:c-5", "I feel DISTRESS", author="fb:u-5")]
    assert _actions(moderator.process(batch)) == ["allow", "remove", "hide", "review",
                                                   "escalate"]
    assert _count(store, comments) == 5 and _count(store, decisions) == 5
    # Every decision records the policy digest and its source.
    with store.read() as conn:
        sources = set(conn.execute(select(decisions.c.policy_source, decisions.c.policy_digest)))
        assert sources == {("file", moderator.fallback.digest)}
        kinds = [r[0] for r in conn.execute(select(outbox.c.kind).order_by(outbox.c.pk))]
        report = verify_chain(conn)
    assert kinds == ["remove_comment", "hide_comment"]
    assert _count(store, strikes) == 1                       # spam strikes, language does not
    assert _count(store, review_items, review_items.c.state == "open") == 1
    assert _count(store, escalations, escalations.c.status == "pending") == 1
    assert report.ok and report.decisions == 5
    assert _count(store, events, events.c.kind == "ingested") == 5


def test_rerun_is_idempotent(store: Any, moderator: Any, comment_factory: Any,
                             store_policy: Any) -> None:
    batch = [comment_factory(f"fb:c-{i}", "SPAM" if i % 2 else "ok") for i in range(6)]
    first = moderator.process(batch)
    again = StoreModerator(store, *store_policy, pipeline_factory=type(
        moderator.pipeline(moderator.fallback)))
    second = again.process([*batch, batch[0]])            # a duplicate in the batch too
    assert second[:6] == first and second[6] == first[0]
    assert again.pipeline(again.fallback).seen == []      # nothing analysed twice
    assert _count(store, decisions) == 6
    assert _count(store, events, events.c.kind == "ingested") == 6
    assert _count(store, events, events.c.kind == "decided") == 6
    assert _count(store, outbox) == 4                     # 3 removals, the third blocks


def test_strikes_block_within_the_window(store: Any, moderator: Any,
                                         comment_factory: Any) -> None:
    day = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    # Three removals within 90 days of each other: the third blocks the author.
    batch = [comment_factory(f"fb:c-{i}", "SPAM", author="fb:u-9",
                             at=day + dt.timedelta(days=30 * i)) for i in range(3)]
    assert _actions(moderator.process(batch[:2])) == ["remove", "remove"]
    third = json.loads(moderator.process(batch[2:])[0])
    assert third["action"] == "block" and "section 7" in third["explanation"]["en"]
    assert _count(store, blocks) == 1
    with store.read() as conn:
        kinds = sorted(r[0] for r in conn.execute(select(outbox.c.kind)))
    assert kinds.count("block_author") == 1 and kinds.count("remove_comment") == 3


def test_window_is_measured_on_created_at_not_processing_order(moderator: Any,
                                                                comment_factory: Any) -> None:
    day = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    # Strikes 100 days apart never add up, whatever order they are read in.
    late = comment_factory("fb:c-late", "SPAM", author="fb:u-7", at=day + dt.timedelta(200))
    early = [comment_factory(f"fb:c-{i}", "SPAM", author="fb:u-7",
                             at=day + dt.timedelta(days=100 * i)) for i in range(2)]
    assert _actions(moderator.process([late, *early])) == ["remove", "remove", "remove"]


def test_same_batch_strikes_count_in_order(store: Any, moderator: Any,
                                           comment_factory: Any) -> None:
    day = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    batch = [comment_factory(f"fb:c-{i}", "SPAM", author="fb:u-8", at=day + dt.timedelta(i))
             for i in range(4)]
    assert _actions(moderator.process(batch)) == ["remove", "remove", "block", "block"]
    assert _count(store, blocks) == 1 and _count(store, strikes) == 4


def test_strikes_fetched_newest_first_still_block(store: Any, moderator: Any,
                                                 comment_factory: Any) -> None:
    # YouTube and X list newest first: one poll brings an author's three removals in reverse.
    day = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    batch = [comment_factory(f"yt:c-{i}", "SPAM", author="yt:UC-9", at=day + dt.timedelta(i))
             for i in reversed(range(3))]
    assert _actions(moderator.process(batch)) == ["block", "remove", "remove"]  # input order
    assert _count(store, blocks) == 1


def test_a_blocked_author_who_still_posts_is_held_for_review(store: Any, moderator: Any,
                                                            comment_factory: Any) -> None:
    # Instagram has no block API: the block is Vigie's, and the author can still comment.
    assert _actions(moderator.process([comment_factory("ig:c-1", "THREAT", author="ig:u-5")])
                    ) == ["block"]
    later = json.loads(moderator.process([comment_factory("ig:c-2", "Merci",
                                                          author="ig:u-5")])[0])
    assert later["action"] == "review" and "no block available" in later["explanation"]["en"]
    other = json.loads(moderator.process([comment_factory("ig:c-3", "Merci",
                                                          author="ig:u-6")])[0])
    assert other["action"] == "allow"                     # nobody else is held


def test_block_category_blocks_once(store: Any, moderator: Any, comment_factory: Any) -> None:
    batch = [comment_factory("fb:c-1", "THREAT", author="fb:u-5"),
             comment_factory("fb:c-2", "THREAT again", author="fb:u-5")]
    assert _actions(moderator.process(batch)) == ["block", "block"]
    assert _count(store, blocks) == 1                       # already blocked: no second block


def test_version_in_force_at_created_at(store: Any, comment_factory: Any,
                                        store_policy: Any) -> None:
    from conftest import KeywordAnalyser  # type: ignore[import-not-found]

    _, text = store_policy
    strict = text.replace('version: "1"', 'version: "2"').replace(
        "effective_date: 2020-01-01", "effective_date: 2025-01-01").replace(
        "signals: [link.unrelated]", "signals: [link.unrelated]\n    review_threshold: 0.5\n"
        "    remove_threshold: 0.55")
    v1 = propose(store, text, by="comms")
    v2 = propose(store, strict, by="comms")
    unapproved = propose(store, text.replace('version: "1"', 'version: "3"').replace(
        "2020-01-01", "2024-06-01"), by="comms")
    approve(store, v1.digest, by="assembly", reference="ADD-1")
    approve(store, v2.digest, by="assembly", reference="ADD-2")
    moderator = StoreModerator(store, *store_policy, pipeline_factory=KeywordAnalyser)
    old = comment_factory("fb:c-old", "MAYBE", at="2024-12-31T12:00:00Z")
    new = comment_factory("fb:c-new", "MAYBE", at="2025-01-01T12:00:00Z")
    lines = [json.loads(x) for x in moderator.process([old, new])]
    assert [d["action"] for d in lines] == ["review", "remove"]
    assert [d["policy"]["digest"] for d in lines] == [v1.digest, v2.digest]
    assert unapproved.digest not in {d["policy"]["digest"] for d in lines}
    with store.read() as conn:
        assert set(conn.execute(select(decisions.c.policy_source)).scalars()) == {"store"}


def test_fallback_policy_is_recorded(store: Any, moderator: Any, comment_factory: Any) -> None:
    from vigie.store.policy_versions import history

    moderator.process([comment_factory("fb:c-1")])
    (version,) = history(store)
    assert version.origin == "fallback" and not version.approved
    assert _count(store, events, events.c.kind == "policy_recorded") == 1


def test_detector_failure_goes_to_review(store: Any, comment_factory: Any,
                                         store_policy: Any) -> None:
    from vigie.findings import DetectorFailure
    from vigie.pipeline import Analysis

    class Failing:
        detector_names = ("test.failing.v1",)

        def __init__(self, policy: Any) -> None:
            pass

        def analyse(self, batch: Any) -> list[Any]:
            return [Analysis(None, (), (DetectorFailure("test.failing.v1", "boom"),))
                    for _ in batch]

    moderator = StoreModerator(store, *store_policy, pipeline_factory=Failing)
    (line,) = moderator.process([comment_factory("fb:c-1", "SPAM")])
    assert json.loads(line)["action"] == "review"
    assert _count(store, review_items) == 1


@pytest.mark.parametrize("naive", ["2025-03-18T10:00:00"])
def test_records_without_zone_never_reach_the_store(naive: str, comment_factory: Any) -> None:
    from vigie.errors import RecordError

    with pytest.raises(RecordError):
        comment_factory("fb:c-1", at=naive)


def test_moderation_lookups_use_indexes_not_scans(tmp_path: Any, store_policy: Any,
                                                  comment_factory: Any) -> None:
    """Every query of ingest and decide finds its rows through an index.

    A lookup by comment id alone cannot use the (platform, comment id) index and scans it:
    invisible on a small store, a cost that grows with every comment ever stored (checked
    here with SQLite's own query plans of the statements actually run).
    """
    import sqlite3

    from sqlalchemy import event as sa_event

    from conftest import KeywordAnalyser  # type: ignore[import-not-found]
    from vigie.store.store import open_store

    store = open_store(str(tmp_path / "plans.sqlite"))
    store.engine.dispose()
    statements: list[str] = []

    @sa_event.listens_for(store.engine, "connect")
    def trace(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    moderator = StoreModerator(store, *store_policy, pipeline_factory=KeywordAnalyser)
    batch = [comment_factory(f"fb:c-{i}", "SPAM" if i % 3 == 0 else "Merci",
                             author=f"fb:u-{i % 4}", post=f"fb:p-{i % 2}") for i in range(12)]
    moderator.process(batch[:8])
    moderator.process(batch[4:])                        # a rerun of four, eight new
    store.dispose()
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert any("comment_id IN" in s for s in selects)  # the lookups were traced
    big = ("comments", "authors", "posts", "decisions", "events", "strikes", "blocks")
    plans = sqlite3.connect(tmp_path / "plans.sqlite")
    scans = [(s, detail) for s in set(selects)
             for *_, detail in plans.execute(f"EXPLAIN QUERY PLAN {s}")
             if detail.startswith("SCAN") and detail.split()[1] in big]
    assert scans == []


def _row(store: Any, table: Any, *where: Any) -> Any:
    with store.read() as conn:
        return conn.execute(select(table).where(*where)).one()


def _event_kinds(store: Any, subject: str) -> list[str]:
    with store.read() as conn:
        return list(conn.execute(select(events.c.kind).where(events.c.subject_id == subject)
                                 .order_by(events.c.seq)).scalars())


def test_an_edited_comment_is_decided_again(store: Any, moderator: Any,
                                            comment_factory: Any) -> None:
    """Allowed, then edited into spam (Meta's 'edited' webhook): removed, with its history."""
    assert _actions(moderator.process([comment_factory("fb:c-1", "Merci!")])) == ["allow"]
    edited = comment_factory("fb:c-1", "Buy now SPAM")
    assert _actions(moderator.process([edited])) == ["remove"]

    row = _row(store, comments, comments.c.comment_id == "fb:c-1")
    assert (row.text, row.revision) == ("Buy now SPAM", 2) and row.edited_at is not None
    decision = _row(store, decisions, decisions.c.comment_pk == row.pk)  # still one row
    assert (decision.action, decision.revision) == ("remove", 2)
    assert _event_kinds(store, "fb:c-1") == ["ingested", "decided", "edited", "decided",
                                             "strike_recorded"]
    with store.read() as conn:
        keys = list(conn.execute(select(outbox.c.key)).scalars())
        edit_event = conn.execute(select(events.c.payload).where(
            events.c.kind == "edited")).scalar_one()
        report = verify_chain(conn)
    assert keys == ["remove_comment:fb:c-1:decision:r2"]
    assert "Merci" not in edit_event and json.loads(edit_event)["revision"] == 2  # hashes only
    assert report.ok, report.problems                  # the replaced row matches the chain

    # The same edited text again: nothing new (idempotent).
    assert _actions(moderator.process([edited])) == ["remove"]
    assert _count(store, events, events.c.kind == "decided") == 2
    assert _count(store, events, events.c.kind == "edited") == 1


def test_an_edit_of_a_removed_comment_keeps_one_strike(store: Any, moderator: Any,
                                                       comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-1", "SPAM")])
    assert _actions(moderator.process([comment_factory("fb:c-1", "SPAM SPAM")])) == ["remove"]
    assert _count(store, strikes) == 1
    assert _count(store, decisions) == 1


def test_an_edit_stored_before_a_crash_is_decided_on_the_rerun(
        store: Any, moderator: Any, comment_factory: Any) -> None:
    from vigie.store.ingest import ingest

    moderator.process([comment_factory("fb:c-1", "Merci!")])
    edited = comment_factory("fb:c-1", "Buy now SPAM")
    with store.begin() as conn:  # the edit is stored, then the process dies before deciding
        assert ingest(conn, [edited], store.now()).edited == {"fb:c-1"}
    assert _actions(moderator.process([edited])) == ["remove"]


def test_a_purged_text_is_not_taken_for_an_edit(store: Any, moderator: Any,
                                                comment_factory: Any) -> None:
    from sqlalchemy import update

    moderator.process([comment_factory("fb:c-1", "Merci!")])
    with store.begin() as conn:  # the retention rules purged the text
        conn.execute(update(comments).values(text=None, payload=None))
    assert _actions(moderator.process([comment_factory("fb:c-1", "Buy now SPAM")])) == ["allow"]
    assert _count(store, events, events.c.kind == "edited") == 0


def test_webhook_edits_come_back_to_be_decided(store: Any, moderator: Any,
                                               comment_factory: Any) -> None:
    """The webhook path stores first and decides later (`vigie run` picks up `undecided`):
    an edited comment is handed back like a new one."""
    from vigie.connectors.runner import store_ingest, undecided

    moderator.process([comment_factory("fb:c-1", "Merci!"), comment_factory("fb:c-2", "Salut")])
    receive = store_ingest(store)
    assert receive([comment_factory("fb:c-1", "Merci!")]) == 0        # the same: nothing to do
    assert undecided(store) == []
    assert receive([comment_factory("fb:c-1", "Buy now SPAM")]) == 1  # edited
    assert [c.text for c in undecided(store)] == ["Buy now SPAM"]
    assert _actions(moderator.process(undecided(store))) == ["remove"]
    assert undecided(store) == []
