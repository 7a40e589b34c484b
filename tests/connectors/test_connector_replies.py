"""Replies through every platform connector, against each fake platform over loopback HTTP.

One table, one row per platform: where the comment lives on the fake, and what the documented
request that posts a reply looks like. Every row goes through the same contract: the body has
the documented shape and the reply is recorded once; the account's reply is found again
(and another text is not); a 429 is waited out and sent again; a 5xx is not sent again by the
client; an answer lost after the platform posted is found by the sink before anything is sent
again; a comment gone is a failed reply, never an applied one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from fakes.bluesky import FakeBluesky
from fakes.facebook import FakeFacebook
from fakes.instagram import FakeInstagram
from fakes.linkedin import FakeLinkedIn
from fakes.server import FakePlatform, FakeServer, Reply, Request
from fakes.threads import FakeThreads
from fakes.wordpress import FakeWordPress
from fakes.x import FakeX
from fakes.youtube import FakeYouTube
from vigie.connectors.base import Connector, Operation
from vigie.connectors.bluesky import BlueskyConnector, BlueskySession
from vigie.connectors.errors import TransientError
from vigie.connectors.facebook import FacebookConnector
from vigie.connectors.http import RetryPolicy, Secret
from vigie.connectors.instagram import InstagramConnector
from vigie.connectors.linkedin import LinkedInConnector
from vigie.connectors.replies import Replier, ReplyRequest, record_key, same_text
from vigie.connectors.sink import ConnectorSink
from vigie.connectors.threads import ThreadsConnector
from vigie.connectors.wordpress import WordPressConnector, basic_credential
from vigie.connectors.x import XConnector
from vigie.connectors.youtube import YouTubeConnector
from vigie.store.outbox import ActionKind, OutboxAction

TEXT = "Bonjour, merci pour votre question. Nous vous répondons dès que possible."
QUEUED = dt.datetime(2026, 12, 9, 15, 30, 12, 345678, tzinfo=dt.UTC)
RETRY = RetryPolicy(max_attempts=3, base_delay=0.0)


@dataclass
class Seeded:
    """A fake with one comment to answer, and how to build the connector for it."""

    fake: FakePlatform
    comment_id: str  # Vigie's id
    target: str  # what the fake records as the comment replied to
    connect: Callable[[FakeServer], Connector]


def _noop(_: float) -> None:
    pass


def _facebook() -> Seeded:
    fake = FakeFacebook()
    comment = fake.add_comment(fake.add_post("Inscriptions"), "Quand ouvrent les inscriptions?")
    return Seeded(fake, f"fb:{comment}", comment, lambda s: FacebookConnector(
        "poly-fb", "1000", httpx.Client(timeout=5), Secret("page-token"),
        base_url=f"{s.url}/v21.0", sleep=_noop, retry=RETRY))


def _instagram() -> Seeded:
    fake = FakeInstagram()
    comment = fake.add_comment(fake.add_media("Rentrée"), "C'est quand la rentrée?")
    return Seeded(fake, f"ig:{comment}", comment, lambda s: InstagramConnector(
        "poly-ig", fake.ig_user_id, httpx.Client(timeout=5), Secret("ig-token"),
        base_url=f"{s.url}/v21.0", sleep=_noop, retry=RETRY))


def _youtube() -> Seeded:
    fake = FakeYouTube()
    comment = fake.add_comment(fake.add_video("Portes ouvertes"), "Les labos sont ouverts?")
    return Seeded(fake, f"yt:{comment}", comment, lambda s: YouTubeConnector(
        "poly-yt", fake.channel_id, httpx.Client(timeout=5), Secret("yt-token"),
        base_url=f"{s.url}/youtube/v3", sleep=_noop, retry=RETRY))


def _x() -> Seeded:
    fake = FakeX()
    fan = fake.add_user("genie_fan")
    comment = fake.post("C'est ouvert samedi?", author=fan, reply_to=fake.post("Portes ouvertes"))
    return Seeded(fake, f"x:{comment}", comment, lambda s: XConnector(
        "poly-x", fake.user_id, httpx.Client(timeout=5), Secret("x-token"),
        base_url=f"{s.url}/2", sleep=_noop, retry=RETRY))


def _bluesky() -> Seeded:
    fake = FakeBluesky()
    student = fake.add_user("etudiant.bsky.social")
    comment = fake.post("Où trouver l'horaire?", author=student,
                        reply_to=fake.post("Horaire de la session"))

    def connect(s: FakeServer) -> Connector:
        client = httpx.Client(timeout=5)
        session = BlueskySession(client, pds_url=s.url, identifier="polymtl.bsky.social",
                                 password=Secret("app-pass-1234"), account="poly-bsky",
                                 retry=RETRY, sleep=_noop)
        return BlueskyConnector("poly-bsky", session, client, pds_url=s.url, retry=RETRY,
                                sleep=_noop)

    return Seeded(fake, f"bsky:{comment}", comment, connect)


def _threads() -> Seeded:
    fake = FakeThreads()
    comment = fake.post("Et les bourses?", username="etudiant", reply_to=fake.post("Bourses"))
    return Seeded(fake, f"th:{comment}", comment, lambda s: ThreadsConnector(
        "poly-th", fake.user_id, httpx.Client(timeout=5), Secret("th-token"),
        base_url=f"{s.url}/v1.0", sleep=_noop, retry=RETRY))


def _wordpress() -> Seeded:
    fake = FakeWordPress()
    comment = fake.add_comment(fake.add_post("Colloque"), "Le colloque est-il gratuit?")
    return Seeded(fake, f"wp:www.polymtl.ca/{comment}", str(comment), lambda s: WordPressConnector(
        "poly-wp", "https://www.polymtl.ca", httpx.Client(timeout=5),
        basic_credential("vigie", Secret("abcd EFGH 1234 ijkl")),
        base_url=f"{s.url}/wp-json/wp/v2", sleep=_noop, retry=RETRY))


def _linkedin() -> Seeded:
    fake = FakeLinkedIn()
    comment = fake.add_comment(fake.add_post("Offres de stage"), "Les stages sont payés?")
    return Seeded(fake, f"li:{comment}", comment, lambda s: LinkedInConnector(
        "poly-li", "2414183", httpx.Client(timeout=5), Secret("li-token"),
        base_url=f"{s.url}/rest", api_version="202609", sleep=_noop, retry=RETRY))


def _is_reply_call(name: str, seeded: Seeded) -> Callable[[Request], bool]:
    """The one request that posts the reply (Threads: the container; then its publishing)."""
    target = seeded.target
    paths = {
        "facebook": f"/v21.0/{target}/comments", "instagram": f"/v21.0/{target}/replies",
        "youtube": "/youtube/v3/comments", "x": "/2/tweets",
        "bluesky": "/xrpc/com.atproto.repo.createRecord",
        "threads": f"/v1.0/{FakeThreads().user_id}/threads_publish",
        "wordpress": "/wp-json/wp/v2/comments",
        "linkedin": f"/rest/socialActions/{quote(target, safe='')}/comments",
    }
    return lambda r: r.method == "POST" and r.path == paths[name]


def _check_body(name: str, seeded: Seeded) -> None:
    """The documented request shape of each platform's reply."""
    fake, target = seeded.fake, seeded.target
    posts = [r for r in fake.requests if r.method == "POST" and "Session" not in r.path]
    if name in ("facebook", "instagram"):
        assert posts[-1].form() == {"message": TEXT}
    elif name == "youtube":
        assert posts[-1].query == {"part": "snippet"}
        assert posts[-1].json() == {"snippet": {"parentId": target, "textOriginal": TEXT}}
    elif name == "x":
        assert posts[-1].json() == {"text": TEXT, "reply": {"in_reply_to_tweet_id": target}}
    elif name == "bluesky":
        body = posts[-1].json()
        parent = fake.posts[target]  # type: ignore[attr-defined]
        assert body["collection"] == "app.bsky.feed.post" and body["repo"] == "did:plc:polymtl"
        assert body["rkey"] == record_key("reply:k", QUEUED)
        assert body["record"]["text"] == TEXT
        assert body["record"]["createdAt"] == "2026-12-09T15:30:12.345678Z"
        assert body["record"]["reply"] == {
            "root": parent["record"]["reply"]["root"],
            "parent": {"uri": target, "cid": parent["cid"]}}
    elif name == "threads":
        container, publish = posts[-2:]
        assert container.form() == {"media_type": "TEXT", "text": TEXT, "reply_to_id": target}
        assert set(publish.form()) == {"creation_id"}
    elif name == "wordpress":
        assert posts[-1].json() == {"post": 1, "parent": int(target), "content": TEXT}
    else:
        thread = target.removeprefix("urn:li:comment:(").split(",")[0]
        assert posts[-1].json() == {"actor": "urn:li:organization:2414183", "object": thread,
                                    "message": {"text": TEXT}, "parentComment": target}


CASES: dict[str, Callable[[], Seeded]] = {
    "facebook": _facebook, "instagram": _instagram, "youtube": _youtube, "x": _x,
    "bluesky": _bluesky, "threads": _threads, "wordpress": _wordpress, "linkedin": _linkedin}


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> Iterator[tuple[str, Seeded, FakeServer, Connector]]:
    seeded = CASES[request.param]()
    with FakeServer(seeded.fake) as server:
        connector = seeded.connect(server)
        try:
            yield request.param, seeded, server, connector
        finally:
            connector.close()


def _request(comment_id: str, text: str = TEXT) -> ReplyRequest:
    return ReplyRequest(comment_id, text, "reply:k", planned_at=QUEUED)


def _posted(seeded: Seeded) -> list[tuple[Any, ...]]:
    return list(seeded.fake.replies_posted)  # type: ignore[attr-defined]


def test_reply_has_the_documented_shape_and_is_found_again(
        case: tuple[str, Seeded, FakeServer, Connector]) -> None:
    name, seeded, _, connector = case
    assert Operation.REPLY in connector.capabilities.operations
    assert isinstance(connector, Replier)
    reply_id = connector.reply(_request(seeded.comment_id))
    assert reply_id.startswith(seeded.comment_id.split(":", 1)[0] + ":")
    assert [p[:2] for p in _posted(seeded)] == [(seeded.target if name != "wordpress"
                                                 else int(seeded.target), TEXT)]
    _check_body(name, seeded)
    assert connector.find_reply(_request(seeded.comment_id)) == reply_id
    assert connector.find_reply(_request(seeded.comment_id, "Un autre texte")) is None


def test_a_429_is_waited_out_and_the_reply_posted_once(
        case: tuple[str, Seeded, FakeServer, Connector]) -> None:
    name, seeded, _, connector = case
    assert isinstance(connector, Replier)
    seeded.fake.fail_next(Reply(429, {"message": "Too Many Requests"}, {"Retry-After": "0"}),
                          when=_is_reply_call(name, seeded))
    connector.reply(_request(seeded.comment_id))
    assert len(_posted(seeded)) == 1
    assert len(seeded.fake.calls("POST")) >= 2  # the throttled call, then the one that posted


def test_a_5xx_is_not_sent_again_by_the_client(
        case: tuple[str, Seeded, FakeServer, Connector]) -> None:
    name, seeded, _, connector = case
    assert isinstance(connector, Replier)
    is_reply = _is_reply_call(name, seeded)
    seeded.fake.fail_next(Reply(503, {"message": "Service Unavailable"}), when=is_reply)
    with pytest.raises(TransientError):
        connector.reply(_request(seeded.comment_id))
    assert _posted(seeded) == []
    assert len([r for r in seeded.fake.requests if is_reply(r)]) == 1


def _action(comment_id: str, attempt: int) -> OutboxAction:
    platform = {"fb": "facebook", "ig": "instagram", "yt": "youtube", "x": "x",
                "bsky": "bluesky", "th": "threads", "wp": "wordpress", "li": "linkedin"}
    return OutboxAction("reply:k", ActionKind.REPLY_COMMENT, platform[comment_id.split(":")[0]],
                        comment_id, None, None, "reply by cm", attempt, body=TEXT,
                        requested_by="cm", planned_at=QUEUED)


def test_an_answer_lost_after_posting_is_found_not_posted_again(
        case: tuple[str, Seeded, FakeServer, Connector]) -> None:
    name, seeded, _, connector = case
    is_reply = _is_reply_call(name, seeded)
    seeded.fake.fail_next(Reply(502, {"message": "Bad Gateway"}), when=is_reply, after=True)
    sink = ConnectorSink([connector])
    first = sink.apply(_action(seeded.comment_id, 1))
    assert first.status == "retry" and len(_posted(seeded)) == 1  # up, but the answer lost
    again = sink.apply(_action(seeded.comment_id, 2))
    assert again.status == "applied" and "already on the platform" in again.detail
    assert again.platform_ref and again.platform_ref.startswith(seeded.comment_id.split(":")[0])
    assert len(_posted(seeded)) == 1
    assert len([r for r in seeded.fake.requests if is_reply(r)]) == 1
    # An action left in doubt by a crash is confirmed the same way, without a call.
    assert sink.confirm(_action(seeded.comment_id, 1)) == again


def test_the_sink_records_the_posted_reply_id(
        case: tuple[str, Seeded, FakeServer, Connector]) -> None:
    _, seeded, _, connector = case
    result = ConnectorSink([connector]).apply(_action(seeded.comment_id, 1))
    assert result.status == "applied" and result.platform_ref
    assert f'"reply_id":"{result.platform_ref}"' in result.detail
    assert len(_posted(seeded)) == 1


def test_same_text_ignores_what_platforms_rewrite() -> None:
    assert same_text("Voir  https://t.co/abc\n", "Voir https://www.polymtl.ca/directive")
    assert same_text("Cafe\u0301", "Café")
    assert not same_text("Merci !", "Merci")


def test_a_record_key_is_a_stable_tid() -> None:
    key = record_key("reply:bsky:at://x:1", QUEUED)
    assert key == record_key("reply:bsky:at://x:1", QUEUED) and len(key) == 13
    assert key[0] in "234567abcdefghij" and set(key) <= set("234567abcdefghijklmnopqrstuvwxyz")
    assert key != record_key("reply:bsky:at://x:2", QUEUED)
    later = record_key("reply:bsky:at://x:1", QUEUED + dt.timedelta(seconds=1))
    assert later > key  # sortable by time, as TIDs are


def test_an_expired_token_is_renewed_and_the_reply_posted_once() -> None:
    seeded = _bluesky()
    fake = seeded.fake
    assert isinstance(fake, FakeBluesky)
    with FakeServer(fake) as server:
        connector = seeded.connect(server)
        assert isinstance(connector, Replier)
        connector.find_reply(_request(seeded.comment_id))  # signs in
        fake.expire_token()  # the two hours are over
        connector.reply(_request(seeded.comment_id))
        assert len(_posted(seeded)) == 1 and fake.sessions >= 1
        assert [r.path for r in fake.calls("POST", "refreshSession")]


def test_a_comment_gone_is_a_failed_reply_not_an_applied_one() -> None:
    seeded = _facebook()
    fake = seeded.fake
    assert isinstance(fake, FakeFacebook)
    fake.deleted.add(seeded.target)
    with FakeServer(fake) as server:
        result = ConnectorSink([seeded.connect(server)]).apply(_action(seeded.comment_id, 1))
    assert result.status == "failed" and "no longer exists" in result.detail
    assert _posted(seeded) == []


def test_an_account_that_cannot_reply_says_so() -> None:
    seeded = _x()
    with FakeServer(seeded.fake) as server:
        connector = XConnector("poly-x", "1500000000", httpx.Client(timeout=5),
                               Secret("x-token"), base_url=f"{server.url}/2", can_reply=False)
        result = ConnectorSink([connector]).apply(_action(seeded.comment_id, 1))
    assert result.status == "failed"
    assert "cannot reply through the platform's API: reply by hand" in result.detail
    assert _posted(seeded) == []
