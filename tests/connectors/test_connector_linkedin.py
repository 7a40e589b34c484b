"""LinkedIn connector against a fake Community Management API over loopback HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from connector_support import drain, serve
from fakes.linkedin import DAY_LIMIT, FakeLinkedIn, li_error
from fakes.server import FakeServer, Reply
from vigie.actions import Action
from vigie.connectors import linkedin
from vigie.connectors.base import Operation, PlatformAction, map_action
from vigie.connectors.config import LinkedInAccount, Secrets, parse_config
from vigie.connectors.errors import (
    AuthExpired,
    ConfigError,
    PermissionDenied,
    QuotaExhausted,
    RateLimited,
    TransientError,
)
from vigie.connectors.factory import build_connector
from vigie.connectors.http import RetryPolicy, Secret
from vigie.connectors.linkedin import (
    LinkedInConnector,
    comment_from_linkedin,
    parse_comment_urn,
    plain_commentary,
)
from vigie.connectors.sink import ConnectorSink
from vigie.store.outbox import ActionKind, OutboxAction

NOON = datetime(2025, 3, 18, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[tuple[FakeLinkedIn, FakeServer]]:
    yield from serve(FakeLinkedIn())


def connector(server: FakeServer, *, token: str = "li-token", client: httpx.Client | None = None,
              **kwargs: object) -> LinkedInConnector:
    sleeps: list[float] = []
    conn = LinkedInConnector(
        "poly-li", "2414183", client or httpx.Client(timeout=5), Secret(token),
        base_url=f"{server.url}/rest", api_version="202609", sleep=sleeps.append,
        retry=RetryPolicy(max_attempts=3, base_delay=0.01), **kwargs,  # type: ignore[arg-type]
    )
    conn.sleeps = sleeps  # type: ignore[attr-defined]
    return conn


def li(urn: str) -> str:
    return f"li:{urn}"


def edge(urn: str) -> str:
    """The raw path of a target's comments, its URN percent-encoded as Rest.li 2.0 wants."""
    return f"/rest/socialActions/{quote(urn, safe='')}/comments"


def test_fetch_maps_posts_comments_and_replies(fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    post = platform.add_post(
        "Percée en capture du carbone \\(CO2\\) {hashtag|\\#|Génie} avec "
        "@[Polytechnique Montréal](urn:li:organization:2414183)",
        article="https://www.polymtl.ca/carrefour/capture-carbone")
    first = platform.add_comment(post, "Bravo à l'équipe!", actor="urn:li:person:Sylvie77")
    reply = platform.add_comment(post, "Merci Sylvie", actor=platform.org, parent=first)
    sent: list[bytes] = []
    client = httpx.Client(timeout=5, event_hooks={"request": [lambda r: sent.append(
        r.url.raw_path)]})
    conn = connector(server, client=client)
    result = conn.fetch(None)
    top = result.comments[0]
    assert top.id == li(first) and top.platform.value == "linkedin"
    assert top.text == "Bravo à l'équipe!" and top.author.id == "li:urn:li:person:Sylvie77"
    created = platform.comments[first]["created"]["time"]
    assert top.created_at == datetime.fromtimestamp(created / 1000, UTC)
    assert top.parent_id is None
    assert top.post is not None and top.post.id == li(post)
    assert top.post.text == ("Percée en capture du carbone (CO2) #Génie avec "
                             "Polytechnique Montréal")
    assert top.post.links == ("https://www.polymtl.ca/carrefour/capture-carbone",)
    assert result.more  # the comment with a reply queued its thread
    replies = conn.fetch(result.cursor)
    assert [c.id for c in replies.comments] == [li(reply)] and not replies.more
    assert replies.comments[0].parent_id == li(first)
    assert replies.comments[0].author.id == li(platform.org)
    assert replies.comments[0].post is not None and replies.comments[0].post.id == li(post)
    # The documented finder, with the URN percent-encoded in the query.
    listing = platform.calls("GET", "/rest/posts")[0]
    assert listing.query == {"author": "urn:li:organization:2414183", "q": "author",
                             "count": "20", "sortBy": "CREATED"}
    assert sent[0].startswith(b"/rest/posts?author=urn%3Ali%3Aorganization%3A2414183&")
    # First-level comments on the post's edge, replies on the parent comment's own edge.
    assert [r.path for r in platform.calls("GET", "/comments")] == [edge(post), edge(first)]
    for request in platform.requests:
        assert request.headers["linkedin-version"] == "202609"
        assert request.headers["x-restli-protocol-version"] == "2.0.0"
        assert request.headers["authorization"] == "Bearer li-token"
        assert "li-token" not in request.path + str(request.query)


def test_paging_with_start_and_count(fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    post = platform.add_post("Portes ouvertes")
    urns = [platform.add_comment(post, f"commentaire {i}") for i in range(7)]
    conn = connector(server, page_size=3)
    ids, _ = drain(conn)
    assert ids == [li(u) for u in urns]
    pages = platform.calls("GET", "/comments")
    assert [(r.query["start"], r.query["count"]) for r in pages] == [
        ("0", "3"), ("3", "3"), ("6", "3")]
    assert len(platform.calls("GET", "/rest/posts")) == 1  # one listing per round


@pytest.mark.parametrize("newest_first", [False, True])
def test_restart_from_cursor_returns_only_what_is_new(
        fake: tuple[FakeLinkedIn, FakeServer], newest_first: bool) -> None:
    platform, server = fake
    platform.newest_first = newest_first  # the order is not documented: neither is assumed
    post = platform.add_post("Remise des diplômes")
    old = [platform.add_comment(post, f"c{i}") for i in range(5)]
    ids, cursor = drain(connector(server, page_size=2))
    assert sorted(ids) == sorted(li(u) for u in old)
    again, cursor = drain(connector(server, page_size=2), cursor)
    assert again == []  # nothing new: nothing repeated
    new_top = platform.add_comment(post, "nouveau")
    late_reply = platform.add_comment(post, "réponse tardive", parent=old[0])
    newer_post = platform.add_post("Nouvelle publication")
    on_new = platform.add_comment(newer_post, "premier!")
    # A restarted connector (new object, same stored cursor) resumes at the same place.
    ids, cursor = drain(connector(server, page_size=2), cursor)
    assert sorted(ids) == sorted(li(u) for u in (new_top, late_reply, on_new))
    assert drain(connector(server, page_size=2), cursor)[0] == []


def test_crash_mid_post_resumes_at_the_next_page(fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    post = platform.add_post("p")
    urns = [platform.add_comment(post, f"c{i}") for i in range(5)]
    first = connector(server, page_size=2).fetch(None)
    assert [c.id for c in first.comments] == [li(u) for u in urns[:2]] and first.more
    # The process dies after the store saved the cursor; a new one picks up at start=2.
    ids, _ = drain(connector(server, page_size=2), first.cursor)
    assert ids == [li(u) for u in urns[2:]]
    assert [r.query["start"] for r in platform.calls("GET", "/comments")] == ["0", "2", "4"]


def test_comments_at_the_same_millisecond_are_not_lost(
        fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    post = platform.add_post("p")
    same = 1_742_400_000_000
    a = platform.add_comment(post, "a", at_ms=same)
    ids, cursor = drain(connector(server))
    assert ids == [li(a)]
    b = platform.add_comment(post, "b", at_ms=same)
    ids, cursor = drain(connector(server), cursor)
    assert ids == [li(b)]
    assert drain(connector(server), cursor)[0] == []  # both remembered at that millisecond


def test_only_comments_with_changed_reply_counts_are_reread(
        fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    post = platform.add_post("p")
    quiet = platform.add_comment(post, "sans réponse")
    busy = platform.add_comment(post, "discuté")
    platform.add_comment(post, "r1", parent=busy)
    _, cursor = drain(connector(server))
    platform.requests.clear()
    _, cursor = drain(connector(server), cursor)
    assert [r.path for r in platform.calls("GET", "/comments")] == [edge(post)]  # no change
    platform.requests.clear()
    late = platform.add_comment(post, "r2", parent=busy)
    ids, _ = drain(connector(server), cursor)
    assert ids == [li(late)]
    # The post's comments, then the one comment whose reply count changed; not ``quiet``.
    assert [r.path for r in platform.calls("GET", "/comments")] == [edge(post), edge(busy)]
    assert edge(quiet) not in [r.path for r in platform.requests]


def test_a_post_deleted_mid_round_does_not_block_the_others(
        fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    gone = platform.add_post("sera supprimée")
    kept = platform.add_post("reste")
    late = platform.add_comment(kept, "toujours là")
    conn = connector(server, post_urns=[gone, kept])
    platform.posts = [p for p in platform.posts if p["id"] != gone]
    ids, _ = drain(conn)
    assert ids == [li(late)]


def test_delete_comment_and_reply_as_the_organization(
        fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    post = platform.add_post("p")
    top = platform.add_comment(post, "vulgaire")
    reply = platform.add_comment(post, "insulte", parent=top)
    conn = connector(server)
    mapping = map_action(Action.REMOVE, conn.capabilities)
    assert mapping.operations == (Operation.DELETE,) and not mapping.degraded
    for urn in (reply, top):
        outcome = conn.apply(PlatformAction(li(urn), mapping.operations, post_id=li(post)))
        assert outcome.ok and outcome.done == (Operation.DELETE,)
    assert platform.deleted == {top, reply}
    call = platform.calls("DELETE")[0]
    thread, cid = parse_comment_urn(reply)
    assert call.path == f"{edge(thread)}/{cid}"
    assert call.query == {"actor": "urn:li:organization:2414183"}
    # Deleting what is already gone is done (its author deleted it meanwhile).
    again = conn.apply(PlatformAction(li(top), (Operation.DELETE,)))
    assert again.ok and platform.delete_calls[top] == 1


def test_hide_and_block_are_not_supported(fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    top = platform.add_comment(platform.add_post("p"), "x")
    conn = connector(server)
    caps = conn.capabilities
    assert caps.operations == frozenset({Operation.DELETE, Operation.REPLY}) and not caps.push
    hide = map_action(Action.HIDE, caps)
    assert hide.operations == () and hide.degraded and "a human must act" in hide.note
    block = map_action(Action.BLOCK, caps)
    assert block.operations == (Operation.DELETE,) and block.degraded
    outcome = conn.apply(PlatformAction(li(top), (Operation.HIDE, Operation.BLOCK_AUTHOR)))
    assert not outcome.done and set(outcome.skipped) == {"hide", "block_author"}
    assert "not supported" in outcome.skipped["hide"]
    assert platform.requests == []  # refused locally, never sent
    # The outbox marks them failed with the mapping, and deletes on remove.
    sink = ConnectorSink([conn])
    results = {kind: sink.apply(OutboxAction(f"{kind.value}:{top}", kind, "linkedin", li(top),
                                             "li:urn:li:person:zLqTygBP8S", None, "6.4"))
               for kind in ActionKind}
    for kind in (ActionKind.HIDE_COMMENT, ActionKind.BLOCK_AUTHOR, ActionKind.RESTORE_COMMENT,
                 ActionKind.UNBLOCK_AUTHOR):
        assert results[kind].status == "failed", kind
        assert '"operations":[]' in results[kind].detail
    assert results[ActionKind.REMOVE_COMMENT].status == "applied"
    assert platform.deleted == {top}


def test_expired_token_stops_without_retry(fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    platform.add_post("p")
    platform.expire_token()
    conn = connector(server)
    with pytest.raises(AuthExpired, match=r"INVALID_ACCESS_TOKEN: Invalid access token") as raised:
        conn.fetch(None)
    assert raised.value.status == 401 and "li-token" not in str(raised.value)
    assert len(platform.requests) == 1  # never retried: retrying a dead token burns quota


def test_missing_permission_is_not_retried(fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    top = platform.add_comment(platform.add_post("p"), "x")
    platform.admin = False  # the member behind the token is not a page administrator
    with pytest.raises(PermissionDenied, match="ACCESS_DENIED"):
        connector(server).apply(PlatformAction(li(top), (Operation.DELETE,)))
    assert len(platform.requests) == 1 and platform.deleted == set()


def test_429_is_retried_with_back_off(fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    platform.add_comment(platform.add_post("p"), "x")
    platform.fail_next(li_error(429, "Resource level throttle limit for calls to this "
                                "resource is reached.", service_code=101), times=2)
    conn = connector(server)
    ids, _ = drain(conn)
    assert len(ids) == 1 and len(conn.sleeps) == 2  # type: ignore[attr-defined]
    assert all(0 <= s <= 0.02 for s in conn.sleeps)  # type: ignore[attr-defined]


def test_429_honours_retry_after_when_given(fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    platform.fail_next(li_error(429, "Too many requests", headers={"Retry-After": "7"}))
    conn = connector(server)
    conn.fetch(None)
    assert conn.sleeps == [7.0]  # type: ignore[attr-defined]


def test_429_that_persists_raises_rate_limited(fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    platform.fail_next(li_error(429, "Too many requests"), times=10)
    with pytest.raises(RateLimited) as raised:
        connector(server).fetch(None)
    assert not isinstance(raised.value, QuotaExhausted) and len(platform.requests) == 3


def test_daily_limit_waits_until_midnight_utc(fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    top = platform.add_comment(platform.add_post("p"), "x")
    platform.fail_next(li_error(429, DAY_LIMIT, service_code=101))
    now = [NOON]
    conn = connector(server, wall_clock=lambda: now[0])
    with pytest.raises(QuotaExhausted) as raised:
        conn.fetch(None)
    assert raised.value.retry_after == 12 * 3600.0  # noon to midnight UTC
    assert len(platform.requests) == 1  # a spent day is not retried
    # Until midnight the connector refuses locally instead of calling LinkedIn again.
    with pytest.raises(QuotaExhausted):
        conn.apply(PlatformAction(li(top), (Operation.DELETE,)))
    assert len(platform.requests) == 1
    now[0] = datetime(2025, 3, 19, 0, 0, 1, tzinfo=UTC)
    assert conn.apply(PlatformAction(li(top), (Operation.DELETE,))).ok


@pytest.mark.parametrize("status", [500, 504])
def test_5xx_is_retried_then_raises_transient(fake: tuple[FakeLinkedIn, FakeServer],
                                              status: int) -> None:
    platform, server = fake
    platform.fail_next(li_error(status, "Internal Server Error"), times=10)
    with pytest.raises(TransientError):
        connector(server).fetch(None)
    assert len(platform.requests) == 3


def test_mapping_tolerates_older_and_partial_shapes() -> None:
    # Older versions name the URN $URN only; some comments come without an actor.
    old = {"$URN": "urn:li:comment:(urn:li:activity:1,2)", "created": {"time": 1_700_000_000_000},
           "message": {"text": "salut"}}
    comment = comment_from_linkedin(old, None)
    assert comment.id == "li:urn:li:comment:(urn:li:activity:1,2)"
    assert comment.author.id == "li:unknown" and comment.text == "salut"
    built = comment_from_linkedin({"object": "urn:li:activity:9", "id": "3",
                                   "created": {"time": 0}, "actor": "urn:li:person:a"}, None,
                                  parent_urn="urn:li:comment:(urn:li:activity:9,1)")
    assert built.id == "li:urn:li:comment:(urn:li:activity:9,3)"
    assert built.parent_id == "li:urn:li:comment:(urn:li:activity:9,1)"
    with pytest.raises(ValueError, match=r"without created\.time"):
        comment_from_linkedin({"commentUrn": "urn:li:comment:(urn:li:activity:1,2)"}, None)
    with pytest.raises(ValueError, match="commentUrn"):
        comment_from_linkedin({"created": {"time": 1}}, None)
    assert plain_commentary(r"1\+1 \_ {hashtag|\#|IA} @[A \[B\]](urn:li:person:x)") == (
        r"1\+1 _ #IA A [B]")


def test_malformed_comment_is_skipped(fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    post = platform.add_post("p")
    bad = platform.add_comment(post, "sans date")
    good = platform.add_comment(post, "ok")
    del platform.comments[bad]["created"]
    ids, _ = drain(connector(server))
    assert ids == [li(good)]


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="organization id"):
        LinkedInConnector("x", "polytechnique", httpx.Client(), Secret("t"))
    with pytest.raises(ValueError, match="YYYYMM"):
        LinkedInConnector("x", "1", httpx.Client(), Secret("t"), api_version="2025-01")


CONFIG = """
version: 1
accounts:
  - name: poly-linkedin
    platform: linkedin
    organization_id: "2414183"
    token: {env: VIGIE_TEST_LI_TOKEN}
    api_version: "202609"
    post_urns: ["urn:li:share:7100000000000000001"]
    max_posts: 10
"""


def test_config_and_factory(tmp_path: Path) -> None:
    config = parse_config(CONFIG, base=tmp_path)
    account = config.accounts[0]
    assert isinstance(account, LinkedInAccount) and account.max_posts == 10
    conn = build_connector(account, Secrets(config, environ={"VIGIE_TEST_LI_TOKEN": "AQV"}))
    assert isinstance(conn, LinkedInConnector)
    assert conn.organization == "urn:li:organization:2414183"
    assert conn.post_urns == ("urn:li:share:7100000000000000001",)
    conn.close()
    for bad, message in [("organization_id: \"2414183\"", "organization_id"),
                         ("api_version: \"202609\"", "api_version"),
                         ("post_urns: [\"urn:li:share:7100000000000000001\"]", "post_urns")]:
        broken = CONFIG.replace(bad, bad.split(":")[0] + ": \"nope\"")
        with pytest.raises(ConfigError, match=message):
            parse_config(broken)
    with pytest.raises(ConfigError, match="linkedin"):
        parse_config(CONFIG.replace("platform: linkedin", "platform: myspace"))


def test_connectors_check_lists_the_linkedin_account(tmp_path: Path) -> None:
    file = tmp_path / "connectors.yaml"
    file.write_text(CONFIG, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "vigie", "connectors", "check", str(file)],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "VIGIE_TEST_LI_TOKEN": "AQV-secret",
                              "COLUMNS": "200"})
    assert run.returncode == 0, run.stderr
    assert "poly-linkedin" in run.stdout and "2414183" in run.stdout
    assert "token ok" in run.stdout and "AQV-secret" not in run.stdout + run.stderr


def test_transient_fault_does_not_move_the_cursor(fake: tuple[FakeLinkedIn, FakeServer]) -> None:
    platform, server = fake
    post = platform.add_post("p")
    urns = [platform.add_comment(post, f"c{i}") for i in range(4)]
    conn = connector(server, page_size=2)
    first = conn.fetch(None)
    platform.fail_next(Reply(503, {"message": "Service Unavailable", "status": 503}), times=5)
    with pytest.raises(TransientError):
        conn.fetch(first.cursor)
    ids, _ = drain(conn, first.cursor)  # the same stored cursor, once LinkedIn is back
    assert ids == [li(u) for u in urns[2:]]


def test_reply_counts_remembered_are_bounded(fake: tuple[FakeLinkedIn, FakeServer],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    platform, server = fake
    monkeypatch.setattr(linkedin, "_TRACKED_THREADS", 2)
    post = platform.add_post("p")
    tops = [platform.add_comment(post, f"c{i}") for i in range(3)]
    for top in tops:
        platform.add_comment(post, "réponse", parent=top)
    ids, cursor = drain(connector(server))
    assert len(ids) == 6
    remembered = json.loads(cursor or "{}")["t"]
    assert list(remembered) == tops[1:]  # the least recently active one is forgotten
    # Forgetting costs a re-read (absorbed by the store's idempotent ingest), never a miss.
    late = platform.add_comment(post, "tardive", parent=tops[0])
    again, _ = drain(connector(server), cursor)
    assert li(late) in again
