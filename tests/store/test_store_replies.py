"""Replies through the store's outbox, on SQLite and PostgreSQL, to a fake Facebook page.

Queued with their text and who asked; posted once by the outbox worker, whatever happens in
between: the same text queued again adds nothing, an answer lost after the post went up is found
on the page at the next attempt, and an action left in doubt by a crashed worker is confirmed
on the page, not posted again. Each step is an audit event on the comment's history.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from fakes.facebook import FakeFacebook
from fakes.server import FakeServer, Reply
from vigie.connectors.facebook import FacebookConnector
from vigie.connectors.http import RetryPolicy, Secret
from vigie.connectors.replies import ReplyRequest
from vigie.connectors.sink import ConnectorSink
from vigie.store.outbox import run_outbox
from vigie.store.outbox_claims import _HOST
from vigie.store.replies import ReplyError, queue_reply, replies_for
from vigie.store.schema import events, outbox

TEXT = "Bonjour Jean, merci pour votre question. Nous vous répondons dès que possible."


@pytest.fixture
def page() -> Iterator[tuple[FakeFacebook, FakeServer]]:
    fake = FakeFacebook()
    with FakeServer(fake) as server:
        yield fake, server


def _connector(server: FakeServer) -> FacebookConnector:
    return FacebookConnector("poly-fb", "1000", httpx.Client(timeout=5), Secret("page-token"),
                             base_url=f"{server.url}/v21.0", sleep=lambda s: None,
                             retry=RetryPolicy(max_attempts=2, base_delay=0.0))


def _seed(fake: FakeFacebook, moderator: Any, comment_factory: Any) -> str:
    post = fake.add_post("Inscriptions")
    native = fake.add_comment(post, "Quand ouvrent les inscriptions?")
    moderator.process([comment_factory(f"fb:{native}", "Quand ouvrent les inscriptions?",
                                       post=f"fb:{post}")])
    return native


def _reply_events(store: Any, comment_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    with store.read() as conn:
        rows = conn.execute(select(events.c.kind, events.c.actor, events.c.payload).where(
            events.c.subject_type == "comment", events.c.subject_id == comment_id,
            events.c.kind.like("reply_%")).order_by(events.c.seq)).all()
    return [(r.kind, r.actor, json.loads(r.payload)) for r in rows]


def test_a_reply_is_queued_posted_once_and_audited(store: Any, moderator: Any,
                                                    comment_factory: Any,
                                                    page: tuple[FakeFacebook, FakeServer]) -> None:
    fake, server = page
    native = _seed(fake, moderator, comment_factory)
    queued = queue_reply(store, f"fb:{native}", f"  {TEXT}\n", actor="cm@polymtl.ca",
                         template="question", language="fr")
    assert queued.new and queued.platform == "facebook"
    again = queue_reply(store, f"fb:{native}", TEXT, actor="autre@polymtl.ca")
    assert not again.new and again.key == queued.key  # a form sent twice: nothing added
    run = run_outbox(store, ConnectorSink([_connector(server)]))
    assert run.applied == 1 and fake.replies_posted == [(native, TEXT)]
    with store.read() as conn:
        [view] = replies_for(conn, f"fb:{native}")
    assert (view.status, view.text, view.requested_by, view.template, view.language) == (
        "applied", TEXT, "cm@polymtl.ca", "question", "fr")
    assert view.reply_id is not None and view.reply_id.startswith("fb:")
    assert view.reply_id.removeprefix("fb:") in fake.by_id
    kinds = [(k, a) for k, a, _ in _reply_events(store, f"fb:{native}")]
    assert kinds == [("reply_queued", "cm@polymtl.ca"), ("reply_sent", "cm@polymtl.ca")]
    sent = _reply_events(store, f"fb:{native}")[1][2]
    assert sent["reply_id"] == view.reply_id and sent["action"] == queued.key
    # The queued event carries no text (events never do), the outbox row does.
    assert TEXT not in json.dumps(_reply_events(store, f"fb:{native}"), ensure_ascii=False)


def test_an_answer_lost_after_posting_is_not_posted_again(
        store: Any, moderator: Any, comment_factory: Any, store_clock: Any,
        page: tuple[FakeFacebook, FakeServer]) -> None:
    fake, server = page
    native = _seed(fake, moderator, comment_factory)
    queue_reply(store, f"fb:{native}", TEXT, actor="cm")
    fake.fail_next(Reply(502, {"error": {"message": "Bad Gateway", "code": 2}}), after=True,
                   when=lambda r: r.method == "POST" and r.path.endswith("/comments"))
    first = run_outbox(store, ConnectorSink([_connector(server)]))
    assert first.retried == 1 and len(fake.replies_posted) == 1  # up, answer lost
    assert [k for k, _, _ in _reply_events(store, f"fb:{native}")] == ["reply_queued"]
    store_clock.advance(seconds=61)  # the back-off
    restarted = ConnectorSink([_connector(server)])  # a new process, same outbox
    second = run_outbox(store, restarted)
    assert second.applied == 1 and len(fake.replies_posted) == 1
    with store.read() as conn:
        [view] = replies_for(conn, f"fb:{native}")
    assert view.status == "applied" and view.attempts == 2 and view.reply_id


def test_an_action_in_doubt_after_a_crash_is_confirmed_not_posted_again(
        store: Any, moderator: Any, comment_factory: Any,
        page: tuple[FakeFacebook, FakeServer]) -> None:
    fake, server = page
    native = _seed(fake, moderator, comment_factory)
    queued = queue_reply(store, f"fb:{native}", TEXT, actor="cm")
    # The crashed worker had claimed the action and posted it, then died before recording.
    with store.begin() as conn:
        row = conn.execute(select(outbox).where(outbox.c.key == queued.key)).one()
        conn.execute(update(outbox).where(outbox.c.key == queued.key).values(
            status="sending", claimed_by=f"{_HOST}:{2 ** 22 + os.getpid() % 1000}:dead"))
    _connector(server).reply(ReplyRequest(f"fb:{native}", TEXT, queued.key,
                                          planned_at=row.created_at))
    run = run_outbox(store, ConnectorSink([_connector(server)]))
    assert run.applied == 1 and len(fake.replies_posted) == 1
    assert len(fake.calls("POST", f"/{native}/comments")) == 1
    sent = _reply_events(store, f"fb:{native}")[-1]
    assert sent[0] == "reply_sent" and sent[2]["reply_id"].startswith("fb:")


def test_a_reply_the_platform_refuses_ends_failed_and_audited(
        store: Any, moderator: Any, comment_factory: Any,
        page: tuple[FakeFacebook, FakeServer]) -> None:
    fake, server = page
    native = _seed(fake, moderator, comment_factory)
    fake.deleted.add(native)  # its author deleted it meanwhile
    queue_reply(store, f"fb:{native}", TEXT, actor="cm")
    run = run_outbox(store, ConnectorSink([_connector(server)]))
    assert run.dead == 1 and fake.replies_posted == []
    kind, actor, payload = _reply_events(store, f"fb:{native}")[-1]
    assert (kind, actor) == ("reply_failed", "cm") and "no longer exists" in payload["detail"]
    with store.read() as conn:
        [view] = replies_for(conn, f"fb:{native}")
    assert view.status == "dead" and view.error and "no longer exists" in view.error


@pytest.mark.parametrize(("text", "key"), [("   ", "reply.empty"), ("x" * 281, "reply.too_long")])
def test_bad_replies_are_refused_before_anything_is_queued(
        store: Any, moderator: Any, comment_factory: Any, text: str, key: str) -> None:
    moderator.process([comment_factory("x:123", "Question?", platform="x", author="x:9",
                                       post="x:1")])
    with pytest.raises(ReplyError) as raised:
        queue_reply(store, "x:123", text, actor="cm")
    assert raised.value.key == key
    if key == "reply.too_long":
        assert "281 characters; x accepts at most 280" in str(raised.value)
    with pytest.raises(ReplyError, match="no comment 'fb:nope'"):
        queue_reply(store, "fb:nope", "Bonjour", actor="cm")
    with store.read() as conn:
        assert conn.execute(select(outbox.c.pk).where(
            outbox.c.kind == "reply_comment")).first() is None


def test_erasing_the_author_erases_the_replies_that_named_them(
        store: Any, moderator: Any, comment_factory: Any,
        page: tuple[FakeFacebook, FakeServer]) -> None:
    from vigie.store.erasure import ERASED_NOTE, erase_author

    fake, server = page
    native = _seed(fake, moderator, comment_factory)
    queue_reply(store, f"fb:{native}", TEXT, actor="cm")
    assert run_outbox(store, ConnectorSink([_connector(server)])).applied == 1
    erase_author(store, "fb:u-1", actor="dpo", reason="demande 2026-12-09")
    with store.read() as conn:
        [view] = replies_for(conn, f"fb:{native}")
    assert view.text == ERASED_NOTE and view.status == "applied" and view.reply_id


def test_a_reply_not_yet_sent_to_an_erased_author_is_never_sent(
        store: Any, moderator: Any, comment_factory: Any,
        page: tuple[FakeFacebook, FakeServer]) -> None:
    from vigie.store.erasure import ERASED_NOTE, erase_author

    fake, server = page
    native = _seed(fake, moderator, comment_factory)
    queue_reply(store, f"fb:{native}", TEXT, actor="cm")
    erase_author(store, "fb:u-1", actor="dpo", reason="demande 2026-12-09")
    assert run_outbox(store, ConnectorSink([_connector(server)])).applied == 0
    assert fake.replies_posted == []
    with store.read() as conn:
        [view] = replies_for(conn, f"fb:{native}")
        failed = conn.execute(select(events.c.payload).where(
            events.c.kind == "reply_failed")).all()
    assert view.text == ERASED_NOTE and view.status == "dead"
    assert len(failed) == 1 and "erased" in failed[0].payload
