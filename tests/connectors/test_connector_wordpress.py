"""WordPress connector against a fake WordPress REST API over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connector_support import drain, serve
from fakes.server import FakeServer, Reply
from fakes.wordpress import FakeWordPress, wp_error
from platform_contract import restart_applies_once
from vigie.actions import Action
from vigie.connectors.base import Operation, PlatformAction, map_action
from vigie.connectors.config import Secrets, parse_config
from vigie.connectors.errors import AuthExpired, PermissionDenied, TransientError
from vigie.connectors.factory import build_connector
from vigie.connectors.http import RetryPolicy, Secret
from vigie.connectors.wordpress import WordPressConnector, basic_credential

PASSWORD = "abcd EFGH 1234 ijkl"
SITE = "https://www.polymtl.ca"


@pytest.fixture
def fake() -> Iterator[tuple[FakeWordPress, FakeServer]]:
    yield from serve(FakeWordPress())


def connector(server: FakeServer, **kwargs: object) -> WordPressConnector:
    sleeps: list[float] = []
    conn = WordPressConnector(
        "poly-wp", SITE, httpx.Client(timeout=5), basic_credential("vigie", Secret(PASSWORD)),
        base_url=f"{server.url}/wp-json/wp/v2", sleep=sleeps.append,
        retry=RetryPolicy(max_attempts=3, base_delay=0.01), **kwargs,  # type: ignore[arg-type]
    )
    conn.sleeps = sleeps  # type: ignore[attr-defined]
    return conn


def wp(cid: int) -> str:
    return f"wp:www.polymtl.ca/{cid}"


def test_read_comments_of_both_statuses(fake: tuple[FakeWordPress, FakeServer]) -> None:
    platform, server = fake
    post = platform.add_post("Nouveau pavillon &amp; laboratoires")
    first = platform.add_comment(post, "Bravo!", name="Sylvie", email="S@example.org")
    held = platform.add_comment(post, "En attente", status="hold", parent=first, user=7)
    ids, _ = drain(connector(server))
    assert sorted(ids) == sorted([wp(first), wp(held)])
    conn = connector(server)
    page = conn.fetch(None)
    got = {c.id: c for c in page.comments + conn.fetch(page.cursor).comments}
    reply = got[wp(held)]
    assert reply.parent_id == wp(first) and reply.author.id == "wp:www.polymtl.ca/user/7"
    top = got[wp(first)]
    assert top.text == "Bravo!" and top.created_at.tzinfo is not None
    assert top.post is not None and top.post.text == "Nouveau pavillon & laboratoires"
    assert top.author.id.startswith("wp:www.polymtl.ca/guest/")
    assert "example.org" not in top.author.id  # the e-mail is digested, never stored
    listing = platform.calls("GET", "/comments")[0]
    assert listing.query["context"] == "edit" and listing.query["orderby"] == "id"
    # The comment's ``link`` (no ``_fields`` cuts it off) is the record's address.
    assert "_fields" not in listing.query or "link" in listing.query["_fields"].split(",")
    assert top.url == f"https://www.polymtl.ca/carrefour/{post}#comment-{first}"
    assert listing.headers["authorization"].startswith("Basic ")


def test_paging_and_restart_read_only_what_is_new(fake: tuple[FakeWordPress, FakeServer]) -> None:
    platform, server = fake
    post = platform.add_post("Portes ouvertes")
    old = [platform.add_comment(post, f"c{i}") for i in range(7)]
    ids, cursor = drain(connector(server, page_size=3, statuses=("approve",)))
    assert sorted(ids) == sorted(wp(c) for c in old) and len(ids) == 7
    pages = [r.query["page"] for r in platform.calls("GET", "/comments")]
    assert pages == ["1", "2", "3"]
    again, cursor = drain(connector(server, page_size=3, statuses=("approve",)), cursor)
    assert again == []
    new = platform.add_comment(post, "nouveau")
    again, _ = drain(connector(server, page_size=3, statuses=("approve",)), cursor)
    assert again == [wp(new)]


@pytest.mark.parametrize(("op", "status"), [
    (Operation.HIDE, "hold"), (Operation.HOLD, "hold"), (Operation.REJECT, "spam"),
    (Operation.DELETE, "trash"), (Operation.PUBLISH, "approved")])
def test_moderation_sets_the_status(fake: tuple[FakeWordPress, FakeServer], op: Operation,
                                    status: str) -> None:
    platform, server = fake
    cid = platform.add_comment(platform.add_post("p"), "x", status="hold"
                               if op is Operation.PUBLISH else "approved")
    outcome = connector(server).apply(PlatformAction(wp(cid), (op,)))
    assert outcome.ok and platform.status_of(cid) == status


def test_trash_twice_and_gone_comments(fake: tuple[FakeWordPress, FakeServer]) -> None:
    platform, server = fake
    cid = platform.add_comment(platform.add_post("p"), "x")
    conn = connector(server)
    assert conn.apply(PlatformAction(wp(cid), (Operation.DELETE,))).ok
    assert conn.apply(PlatformAction(wp(cid), (Operation.DELETE,))).ok  # 410 already trashed
    gone = conn.apply(PlatformAction(wp(9999), (Operation.HIDE,)))
    assert gone.skipped == {"hide": "comment no longer exists (rest_comment_invalid_id)"}


def test_block_degrades_and_other_sites_are_refused(fake: tuple[FakeWordPress, FakeServer]
                                                    ) -> None:
    _, server = fake
    conn = connector(server)
    mapping = map_action(Action.BLOCK, conn.capabilities)
    assert mapping.operations == (Operation.DELETE,) and mapping.degraded
    assert map_action(Action.HIDE, conn.capabilities).operations == (Operation.HIDE,)
    with pytest.raises(PermissionDenied, match=r"not a comment of www\.polymtl\.ca"):
        conn.apply(PlatformAction("wp:blog.example.org/5", (Operation.HIDE,)))


@pytest.mark.parametrize("status", [429, 500, 503])
def test_429_and_5xx_are_retried(fake: tuple[FakeWordPress, FakeServer], status: int) -> None:
    platform, server = fake
    cid = platform.add_comment(platform.add_post("p"), "x")
    platform.fail_next(wp_error(status, "busy", "try later"), times=2)
    conn = connector(server)
    assert conn.apply(PlatformAction(wp(cid), (Operation.HIDE,))).ok
    assert len(conn.sleeps) == 2 and platform.status_of(cid) == "hold"  # type: ignore[attr-defined]


def test_retry_after_is_honoured_and_persisting_5xx_raises(
        fake: tuple[FakeWordPress, FakeServer]) -> None:
    platform, server = fake
    platform.add_comment(platform.add_post("p"), "x")
    platform.fail_next(Reply(429, {"code": "too_many"}, {"Retry-After": "7"}))
    conn = connector(server)
    drain(conn)
    assert conn.sleeps == [7.0]  # type: ignore[attr-defined]
    platform.fail_next(wp_error(502, "bad_gateway", "upstream"), times=10)
    with pytest.raises(TransientError):
        connector(server).fetch(None)


def test_rotated_application_password_is_read_again(fake: tuple[FakeWordPress, FakeServer],
                                                    tmp_path: Path) -> None:
    platform, server = fake
    cid = platform.add_comment(platform.add_post("p"), "x")
    secret = tmp_path / "wp-password"
    secret.write_text(PASSWORD)
    config = parse_config(f"""
version: 1
accounts:
  - name: poly-wp
    platform: wordpress
    site_url: {SITE}
    api_base: {server.url}/wp-json/wp/v2
    username: vigie
    app_password: {{file: {secret}}}
""")
    conn = build_connector(config.accounts[0], Secrets(config),
                           retry=RetryPolicy(max_attempts=1))
    assert isinstance(conn, WordPressConnector)
    drain(conn)
    platform.rotate_password("NEW0 pass word 9999")
    secret.write_text("NEW0 pass word 9999")  # the administrator updates the secret
    assert conn.apply(PlatformAction(wp(cid), (Operation.HIDE,))).ok
    platform.rotate_password("revoked and not replaced")
    with pytest.raises(AuthExpired, match="create a new application password"):
        conn.fetch(None)


def test_restart_applies_each_action_once(fake: tuple[FakeWordPress, FakeServer],
                                          tmp_path: Path) -> None:
    platform, server = fake
    post = platform.add_post("Commémoration")
    bad = platform.add_comment(post, "Retourne chez vous HATEWORD")
    platform.add_comment(post, "Pensées pour les familles")
    calls = restart_applies_once(tmp_path, lambda: connector(server),
                                 lambda: len(platform.status_calls))
    assert platform.status_of(bad) == "trash" and calls == 1
