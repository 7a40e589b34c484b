"""Reviewers' resolutions and appeals, with what each writes (actions, strikes, blocks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from vigie.errors import StoreError
from vigie.store.queue import appeal, item_status, list_items, resolve, show_item
from vigie.store.review import ReviewError, ReviewState
from vigie.store.schema import blocks, escalations, outbox, review_items, strikes


def _kinds(store: Any) -> list[str]:
    with store.read() as conn:
        return list(conn.execute(select(outbox.c.kind).order_by(outbox.c.pk)).scalars())


def _open_item(moderator: Any, comment_factory: Any, cid: str = "fb:c-1",
               author: str = "fb:u-1", **kw: Any) -> int:
    moderator.process([comment_factory(cid, "MAYBE", author=author, **kw)])
    return max(i.pk for i in list_items(moderator.store))


def _strikes(store: Any, *, voided: bool = False) -> int:
    cond = strikes.c.voided_at.is_not(None) if voided else strikes.c.voided_at.is_(None)
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(strikes).where(cond))
                   .scalar_one())


def test_approve_keeps_the_comment_up(store: Any, moderator: Any, comment_factory: Any) -> None:
    item = _open_item(moderator, comment_factory)
    status = resolve(store, item, "approve", by="ana", reason="link is the event page")
    assert status.state is ReviewState.CLOSED and not status.takedown
    assert _kinds(store) == [] and list_items(store) == []
    view = show_item(store, item)
    assert view.state == "closed" and view.outcome == "approve"
    assert [e["kind"] for e in view.events] == ["review_opened", "reviewed"]
    assert view.events[-1]["actor"] == "ana"


def test_remove_plans_the_takedown_and_counts_a_strike(store: Any, moderator: Any,
                                                       comment_factory: Any) -> None:
    item = _open_item(moderator, comment_factory)
    resolve(store, item, "remove", by="ana", reason="advertising")
    assert _kinds(store) == ["remove_comment"] and _strikes(store) == 1


def test_remove_without_strike(store: Any, moderator: Any, comment_factory: Any) -> None:
    item = _open_item(moderator, comment_factory)
    resolve(store, item, "remove", by="ana", reason="off topic, harmless", strike=False)
    assert _strikes(store) == 0


def test_removal_reaching_the_strike_count_blocks(store: Any, moderator: Any,
                                                  comment_factory: Any,
                                                  store_policy: Any) -> None:
    day = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    moderator.process([comment_factory(f"fb:c-s{i}", "SPAM", author="fb:u-4",
                                       at=day + dt.timedelta(days=i)) for i in range(2)])
    item = _open_item(moderator, comment_factory, "fb:c-3", "fb:u-4",
                      at=day + dt.timedelta(days=5))
    status = resolve(store, item, "remove", by="ana", reason="spam again",
                     fallback_policy=store_policy[0])
    assert status.author_blocked and status.outcome.value == "block"
    assert _kinds(store)[-2:] == ["remove_comment", "block_author"]
    with store.read() as conn:
        assert item_status(conn, item) == status           # derived from the events


def test_appeal_restores_the_comment_and_the_author(store: Any, moderator: Any,
                                                    comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-1", "THREAT", author="fb:u-2")])
    assert _strikes(store) == 1
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(blocks)).scalar_one() == 1
    item = appeal(store, "fb:c-1", by="fb:u-2", reason="I was quoting the threat to report it")
    with pytest.raises(ReviewError, match="already under review"):
        appeal(store, "fb:c-1", by="fb:u-2", reason="again")
    status = resolve(store, item, "restore", by="ana", reason="a quotation, condemned")
    assert not status.takedown and not status.author_blocked
    assert _strikes(store) == 0 and _strikes(store, voided=True) == 1
    with store.read() as conn:
        lifted = conn.execute(select(blocks.c.lifted_by, blocks.c.lift_reason)).one()
        assert item_status(conn, item) == status
    assert lifted.lifted_by == "ana" and "appeal" in lifted.lift_reason
    assert _kinds(store)[-2:] == ["restore_comment", "unblock_author"]


def test_appeal_rejected_keeps_the_takedown(store: Any, moderator: Any,
                                            comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-1", "SPAM")])
    item = appeal(store, "fb:c-1", by="fb:u-1", reason="not spam")
    status = resolve(store, item, "remove", by="ana", reason="it is spam")
    assert status.takedown and _kinds(store) == ["remove_comment"]   # no second takedown
    assert _strikes(store) == 1


def test_unblock_lifts_the_block(store: Any, moderator: Any, comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-1", "THREAT", author="fb:u-3")])
    item = appeal(store, "fb:c-1", by="fb:u-3", reason="blocked for one comment")
    status = resolve(store, item, "unblock", by="ana", reason="first offence, comment stays down")
    assert status.takedown and not status.author_blocked
    assert _kinds(store)[-1] == "unblock_author"


def test_escalate_then_resolve(store: Any, moderator: Any, comment_factory: Any) -> None:
    item = _open_item(moderator, comment_factory)
    assert resolve(store, item, "escalate", by="ana", reason="legal question").state is \
        ReviewState.ESCALATED
    assert [i.pk for i in list_items(store)] == [item]      # still in the open queue
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(escalations)).scalar_one() == 1
    resolve(store, item, "approve", by="manager", reason="fine")
    with store.read() as conn:
        assert conn.execute(select(review_items.c.state)).scalar_one() == "closed"


@pytest.mark.parametrize(("action", "by", "reason", "error", "words"), [
    ("restore", "ana", "x", ReviewError, "nothing to restore"),
    ("remove", "", "x", StoreError, "reviewer"),
    ("remove", "ana", " ", StoreError, "reason"),
    ("appeal", "ana", "x", ReviewError, "appeal"),
])
def test_invalid_resolutions_write_nothing(store: Any, moderator: Any, comment_factory: Any,
                                           action: str, by: str, reason: str, error: type,
                                           words: str) -> None:
    item = _open_item(moderator, comment_factory)
    with pytest.raises(error, match=words):
        resolve(store, item, action, by=by, reason=reason)
    assert show_item(store, item).state == "open" and _kinds(store) == []


def test_nothing_to_appeal(store: Any, moderator: Any, comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-1", "Merci")])
    with pytest.raises(ReviewError, match="nothing to appeal"):
        appeal(store, "fb:c-1", by="fb:u-1", reason="?")
    with pytest.raises(StoreError, match="no stored comment"):
        appeal(store, "fb:c-404", by="fb:u-1", reason="?")


def test_queue_cli(store: Any, moderator: Any, comment_factory: Any, db_url: str) -> None:
    from vigie.cli.app import app

    item = _open_item(moderator, comment_factory)
    runner = CliRunner()
    listed = runner.invoke(app, ["queue", "list", "--db", db_url, "--json"])
    assert listed.exit_code == 0 and f'"item": {item}' in listed.output
    bad = runner.invoke(app, ["queue", "resolve", str(item), "restore", "--by", "ana",
                              "--reason", "x", "--db", db_url])
    assert bad.exit_code != 0
    done = runner.invoke(app, ["queue", "resolve", str(item), "approve", "--by", "ana",
                               "--reason", "fine", "--db", db_url])
    assert done.exit_code == 0 and "closed" in done.output
    shown = runner.invoke(app, ["queue", "show", str(item), "--db", db_url])
    assert "reviewed by ana" in shown.output
