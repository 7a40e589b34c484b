"""One person's accounts on several platforms (directive 7): strikes counted for the person."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import func, select

from vigie.connectors.base import ActionOutcome, Capabilities, Operation, PlatformAction
from vigie.connectors.sink import ConnectorSink
from vigie.errors import StoreError
from vigie.records import Platform
from vigie.store.erasure import erase_author
from vigie.store.events import iter_events
from vigie.store.outbox import run_outbox
from vigie.store.persons import accounts_of, find_account, link_accounts, unlink_account
from vigie.store.queue import appeal, resolve
from vigie.store.schema import blocks, outbox, person_links, review_items
from vigie.store.state_audit import verify_trail

DAY = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _actions(lines: list[str]) -> list[str]:
    return [json.loads(line)["action"] for line in lines]


def _spam(factory: Any, cid: str, author: str, platform: str, days: int) -> Any:
    return factory(cid, "SPAM", author=author, platform=platform, at=DAY + dt.timedelta(days))


def _seen(moderator: Any, factory: Any) -> None:
    """Both accounts exist in the store (a first harmless comment each)."""
    moderator.process([factory("fb:c-0", "Merci", author="fb:u-1", at=DAY),
                       factory("ig:c-0", "Merci", author="ig:u-1", platform="instagram",
                               at=DAY)])


def _blocked(store: Any) -> dict[str, str]:
    with store.read() as conn:
        rows = conn.execute(select(blocks.c.author_pk, blocks.c.reason)).all()
        ids = {pk: a.label() for pk, group in accounts_of(conn, [r.author_pk for r in rows])
               .items() for a in group if a.pk == pk}
        names = {r.author_pk: ids.get(r.author_pk, str(r.author_pk)) for r in rows}
    return {names[r.author_pk]: r.reason for r in rows}


class _Platform:
    """A platform account that records the blocks it applies."""

    name = "test"

    def __init__(self, platform: Platform, operations: set[Operation]) -> None:
        self.platform = platform
        self.capabilities = Capabilities(frozenset(operations), remove_as=Operation.DELETE)
        self.applied: list[tuple[str, tuple[Operation, ...], str | None]] = []

    def apply(self, action: PlatformAction) -> ActionOutcome:
        self.applied.append((action.comment_id, action.operations, action.author_id))
        return ActionOutcome(action.comment_id, done=action.operations)

    def apply_many(self, actions: Sequence[PlatformAction]) -> list[ActionOutcome]:
        return [self.apply(a) for a in actions]

    def fetch(self, cursor: str | None) -> Any:
        raise AssertionError

    def close(self) -> None:
        pass


def test_strikes_add_up_across_linked_accounts_and_the_block_reaches_each(
        store: Any, moderator: Any, comment_factory: Any) -> None:
    _seen(moderator, comment_factory)
    people = link_accounts(store, ["fb:u-1", "ig:u-1"], actor="moderator",
                           reason="same name and photo, says so in a reply")
    assert {a.label() for a in people} == {"facebook/fb:u-1", "instagram/ig:u-1"}
    # Two removals on Facebook, one on Instagram; the policy blocks at three within 90 days.
    assert _actions(moderator.process([_spam(comment_factory, "fb:c-1", "fb:u-1", "facebook", 1),
                                       _spam(comment_factory, "fb:c-2", "fb:u-1", "facebook",
                                             2)])) == ["remove", "remove"]
    third = json.loads(moderator.process([_spam(comment_factory, "ig:c-1", "ig:u-1",
                                                "instagram", 3)])[0])
    assert third["action"] == "block"
    why = "3 strikes within 90 days across 2 linked accounts (section 7)"
    assert _blocked(store) == {"facebook/fb:u-1": why, "instagram/ig:u-1": why}
    # Each block goes through the outbox, on its own platform: Facebook blocks, Instagram
    # offers no block (the sink records why), and the decision's removal is applied.
    facebook = _Platform(Platform.FACEBOOK, {Operation.DELETE, Operation.BLOCK_AUTHOR})
    instagram = _Platform(Platform.INSTAGRAM, {Operation.HIDE, Operation.DELETE})
    run_outbox(store, ConnectorSink([facebook, instagram]))  # type: ignore[list-item]
    assert ("", (Operation.BLOCK_AUTHOR,), "fb:u-1") in facebook.applied
    with store.read() as conn:
        ig_block = conn.execute(select(outbox.c.status, outbox.c.last_error).where(
            outbox.c.kind == "block_author", outbox.c.platform == "instagram")).one()
        assert verify_trail(conn).ok, verify_trail(conn).problems
    assert ig_block.status == "dead" and "offers no block" in ig_block.last_error
    # Where the platform could not block, the account's next comments wait for a human.
    later = moderator.process([comment_factory("fb:c-3", "Merci", author="fb:u-1",
                                               at=DAY + dt.timedelta(4)),
                               comment_factory("ig:c-2", "Merci", author="ig:u-1",
                                               platform="instagram", at=DAY + dt.timedelta(4))])
    assert _actions(later) == ["review", "review"]


def test_unlinked_accounts_count_apart(store: Any, moderator: Any,
                                       comment_factory: Any) -> None:
    _seen(moderator, comment_factory)
    batch = [_spam(comment_factory, "fb:c-1", "fb:u-1", "facebook", 1),
             _spam(comment_factory, "fb:c-2", "fb:u-1", "facebook", 2),
             _spam(comment_factory, "ig:c-1", "ig:u-1", "instagram", 3)]
    assert _actions(moderator.process(batch)) == ["remove", "remove", "remove"]
    assert _blocked(store) == {}


def test_unlinking_stops_the_count_for_later_decisions(store: Any, moderator: Any,
                                                       comment_factory: Any) -> None:
    _seen(moderator, comment_factory)
    link_accounts(store, ["fb:u-1", "ig:u-1"], actor="moderator", reason="same person")
    moderator.process([_spam(comment_factory, "fb:c-1", "fb:u-1", "facebook", 1),
                       _spam(comment_factory, "fb:c-2", "fb:u-1", "facebook", 2)])
    assert unlink_account(store, "instagram/ig:u-1", actor="moderator",
                          reason="not the same person after all") == ()
    assert _actions(moderator.process([_spam(comment_factory, "ig:c-1", "ig:u-1", "instagram",
                                             3)])) == ["remove"]
    assert _blocked(store) == {}
    with store.read() as conn:
        kinds = [(e.kind, e.actor) for e in iter_events(conn) if e.subject_type == "person"]
        assert conn.execute(select(func.count()).select_from(person_links)).scalar_one() == 0
    assert kinds == [("person_linked", "moderator"), ("person_unlinked", "moderator")]


def test_a_reviewers_removal_counts_the_persons_strikes(store: Any, moderator: Any,
                                                       comment_factory: Any) -> None:
    _seen(moderator, comment_factory)
    link_accounts(store, ["fb:u-1", "ig:u-1"], actor="moderator", reason="same person")
    moderator.process([_spam(comment_factory, "fb:c-1", "fb:u-1", "facebook", 1),
                       _spam(comment_factory, "fb:c-2", "fb:u-1", "facebook", 2),
                       comment_factory("ig:c-1", "MAYBE", author="ig:u-1",
                                       platform="instagram", at=DAY + dt.timedelta(3))])
    with store.read() as conn:
        item = conn.execute(select(review_items.c.pk)).scalar_one()
    resolve(store, item, "remove", by="moderator", reason="spam, confirmed",
            fallback_policy=moderator.fallback)
    why = "3 strikes within 90 days across 2 linked accounts (section 7)"
    assert _blocked(store) == {"facebook/fb:u-1": why, "instagram/ig:u-1": why}
    with store.read() as conn:
        platforms = sorted(conn.execute(select(outbox.c.platform).where(
            outbox.c.kind == "block_author")).scalars())
    assert platforms == ["facebook", "instagram"]


def test_restoring_the_comment_that_reached_the_count_lifts_every_block(
        store: Any, moderator: Any, comment_factory: Any) -> None:
    _seen(moderator, comment_factory)
    link_accounts(store, ["fb:u-1", "ig:u-1"], actor="moderator", reason="same person")
    moderator.process([_spam(comment_factory, "fb:c-1", "fb:u-1", "facebook", 1),
                       _spam(comment_factory, "fb:c-2", "fb:u-1", "facebook", 2),
                       _spam(comment_factory, "ig:c-1", "ig:u-1", "instagram", 3)])
    assert len(_blocked(store)) == 2
    item = appeal(store, "ig:c-1", by="the author", reason="it was not spam")
    resolve(store, item, "restore", by="moderator", reason="not spam indeed")
    with store.read() as conn:
        active = conn.execute(select(func.count()).select_from(blocks).where(
            blocks.c.lifted_at.is_(None))).scalar_one()
        unblocks = sorted(conn.execute(select(outbox.c.platform).where(
            outbox.c.kind == "unblock_author")).scalars())
        assert verify_trail(conn).ok, verify_trail(conn).problems
    assert active == 0 and unblocks == ["facebook", "instagram"]


def test_linking_merges_persons_and_refuses_bad_input(store: Any, moderator: Any,
                                                     comment_factory: Any) -> None:
    _seen(moderator, comment_factory)
    moderator.process([comment_factory("x:c-0", "Merci", author="x:u-1", platform="x", at=DAY),
                       comment_factory("yt:c-0", "Merci", author="yt:u-1", platform="youtube",
                                       at=DAY)])
    link_accounts(store, ["fb:u-1", "ig:u-1"], actor="m", reason="r")
    link_accounts(store, ["x:u-1", "yt:u-1"], actor="m", reason="r")
    merged = link_accounts(store, ["ig:u-1", "x:u-1"], actor="m", reason="r")
    assert len(merged) == 4
    with pytest.raises(StoreError, match="no stored author"):
        link_accounts(store, ["fb:u-1", "fb:nobody"], actor="m", reason="r")
    with pytest.raises(StoreError, match="at least two"):
        link_accounts(store, ["fb:u-1", "facebook/fb:u-1"], actor="m", reason="r")
    with pytest.raises(StoreError, match="reason"):
        link_accounts(store, ["fb:u-1", "x:u-1"], actor="m", reason=" ")
    with pytest.raises(StoreError, match="linked to no other"):
        moderator.process([comment_factory("fb:c-9", "Merci", author="fb:u-9", at=DAY)])
        unlink_account(store, "fb:u-9", actor="m", reason="r")


def test_an_id_on_two_platforms_must_be_named_with_its_platform(
        store: Any, moderator: Any, comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-1", "Merci", author="u-1", at=DAY),
                       comment_factory("ig:c-1", "Merci", author="u-1", platform="instagram",
                                       at=DAY)])
    with store.read() as conn:
        with pytest.raises(StoreError, match=r"several platforms.*facebook/u-1"):
            find_account(conn, "u-1")
        assert find_account(conn, "instagram/u-1").platform == "instagram"


def test_erasure_removes_the_persons_links(store: Any, moderator: Any,
                                           comment_factory: Any) -> None:
    from vigie.store.retention import export_author

    _seen(moderator, comment_factory)
    link_accounts(store, ["fb:u-1", "ig:u-1"], actor="moderator", reason="same person")
    # An access request shows the link too: it is held about the person.
    held = export_author(store, "fb:u-1", actor="privacy officer")
    assert [(a["platform"], a["author_id"], a["reason"])
            for a in held["accounts"][0]["linked_accounts"]] == [
        ("instagram", "ig:u-1", "same person")]
    erase_author(store, "fb:u-1", actor="privacy officer", reason="request 12")
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(person_links)).scalar_one() == 0
        unlinked = [e for e in iter_events(conn) if e.kind == "person_unlinked"]
        assert verify_trail(conn).ok, verify_trail(conn).problems
    assert unlinked[0].actor == "privacy officer"
    assert "fb:u-1" not in json.dumps(unlinked[0].payload)
    # Their strikes elsewhere no longer add up with the erased account's.
    moderator.process([_spam(comment_factory, f"ig:c-{i}", "ig:u-1", "instagram", i)
                       for i in (1, 2)])
    assert _blocked(store) == {}


def test_cli_link_show_unlink(store: Any, moderator: Any, comment_factory: Any,
                              db_url: str) -> None:
    from typer.testing import CliRunner

    from vigie.cli.app import app

    _seen(moderator, comment_factory)
    runner = CliRunner()
    ok = runner.invoke(app, ["authors", "link", "fb:u-1", "instagram/ig:u-1", "--db", db_url,
                             "--by", "moderator", "--reason", "same person, says so"])
    assert ok.exit_code == 0, ok.output
    assert "facebook/fb:u-1, instagram/ig:u-1" in ok.output
    shown = runner.invoke(app, ["authors", "show", "ig:u-1", "--db", db_url, "--json"])
    assert shown.exit_code == 0, shown.output
    assert [(a["platform"], a["linked_by"]) for a in json.loads(shown.output)] == [
        ("facebook", "moderator"), ("instagram", "moderator")]
    gone = runner.invoke(app, ["authors", "unlink", "fb:u-1", "--db", db_url, "--by", "m",
                               "--reason", "a mistake"])
    assert gone.exit_code == 0 and "no other link left" in gone.output
    alone = runner.invoke(app, ["authors", "show", "fb:u-1", "--db", db_url])
    assert "linked to no other account" in alone.output


@pytest.mark.parametrize("args, message", [
    (["link", "fb:u-1", "--by", "m", "--reason", "r"], "at least two different accounts"),
    (["link", "fb:u-1", "fb:nobody", "--by", "m", "--reason", "r"], "no stored author"),
    (["link", "fb:u-1", "ig:u-1", "--reason", "r"], "who makes it (--by)"),
    (["unlink", "fb:u-1", "--by", "m", "--reason", "r"], "linked to no other account"),
])
def test_cli_bad_input_is_one_line_without_traceback(tmp_path: Any, args: list[str],
                                                     message: str) -> None:
    import subprocess
    import sys

    from conftest import STORE_POLICY, KeywordAnalyser, make_comment  # type: ignore[attr-defined]
    from vigie.policy import parse_policy
    from vigie.store.store import open_store
    from vigie.store.workflow import StoreModerator

    db = str(tmp_path / "v.sqlite")
    opened = open_store(db)
    StoreModerator(opened, parse_policy(STORE_POLICY), STORE_POLICY,
                   pipeline_factory=KeywordAnalyser).process(  # type: ignore[arg-type]
        [make_comment("fb:c-0", author="fb:u-1"),
         make_comment("ig:c-0", author="ig:u-1", platform="instagram")])
    opened.dispose()
    run = subprocess.run([sys.executable, "-m", "vigie", "authors", *args, "--db", db],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert run.stderr.strip().count("\n") == 0 and message in run.stderr, run.stderr
