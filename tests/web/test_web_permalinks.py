"""The comment's own address (the record's ``url``) on the dashboard's pages and in the API:
used first, but only on a host of the comment's platform; a record that names another host
gets no link at all."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from vigie.records import parse_comment
from vigie.store.schema import comments, escalations, review_items
from vigie.web.permalinks import platform_url
from vigie.web.service import submit_comments
from web_support import add_users, login, make_app

FB_URL = "https://www.facebook.com/1000/posts/1000_1?comment_id=1000_7"
EVIL = "https://evil.example/1000_7"


@pytest.mark.parametrize(("platform", "comment", "url", "expected"), [
    ("facebook", "fb:1000_7", FB_URL, FB_URL),
    ("facebook", "fb:1000_7", "https://m.facebook.com/story.php?id=7", "https://m.facebook.com/story.php?id=7"),
    ("threads", "th:17890", "https://www.threads.net/@sylvie77/post/C1", "https://www.threads.net/@sylvie77/post/C1"),
    ("threads", "th:17890", "https://www.threads.com/@sylvie77/post/C1", "https://www.threads.com/@sylvie77/post/C1"),
    ("wordpress", "wp:www.polymtl.ca/12", "https://www.polymtl.ca/carrefour/3#comment-12",
     "https://www.polymtl.ca/carrefour/3#comment-12"),
    ("wordpress", "wp:www.polymtl.ca:8443/12", "https://www.polymtl.ca:8443/x#comment-12",
     "https://www.polymtl.ca:8443/x#comment-12"),
    # Hard negatives: no link rather than one elsewhere.
    ("facebook", "fb:1000_7", EVIL, None),
    ("facebook", "fb:1000_7", "https://facebook.com.evil.example/x", None),
    ("facebook", "fb:1000_7", "https://evilfacebook.com/x", None),
    ("facebook", "fb:1000_7", "https://facebook.com@evil.example/x", None),
    ("facebook", "fb:1000_7", "javascript://facebook.com/%0aalert(1)", None),
    ("facebook", "fb:1000_7", "ftp://www.facebook.com/x", None),
    ("threads", "th:17890", FB_URL, None),                              # another platform's host
    ("wordpress", "wp:www.polymtl.ca/12", "https://blog.example/x#comment-12", None),
    ("wordpress", "wp:www.polymtl.ca/12", "https://polymtl.ca.evil.example/x", None),
    ("wordpress", "12", "https://www.polymtl.ca/x", None),              # no site in the id
    ("myspace", "m:1", "https://myspace.com/x", None),                  # no such platform
])
def test_a_records_own_address_only_on_its_platforms_host(platform: str, comment: str,
                                                          url: str, expected: str | None
                                                          ) -> None:
    assert platform_url(platform, comment, None, url) == expected


def test_the_own_address_comes_before_the_ids_and_a_bad_one_keeps_them() -> None:
    ids = ("x", "x:1790012345678901234", None)
    assert platform_url(*ids, "https://x.com/polymtl/status/1790012345678901234") == (
        "https://x.com/polymtl/status/1790012345678901234")
    assert platform_url(*ids, EVIL) == "https://x.com/i/web/status/1790012345678901234"


def _record(cid: str, text: str, url: str | None) -> Any:
    when = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    return parse_comment({
        "id": cid, "platform": "facebook", "text": text, "created_at": when.isoformat(),
        "author": {"id": "fb:u-9", "name": "Sylvie"}, "url": url,
        "post": {"id": "fb:1000_1", "text": "Une publication", "links": []}})


@pytest.fixture
def app(tmp_path: Path, db_url: str) -> Any:
    app = make_app(tmp_path, db_url=db_url)
    add_users(app)
    submit_comments(app.state.vigie, [
        _record("fb:1000_7", "Commentaire GRUMBLE", FB_URL),        # the policy escalates it
        _record("fb:1000_8", "Commentaire GRUMBLE", EVIL),
        _record("fb:1000_9", "Commentaire MAYBEHATE", FB_URL + "9"),  # a review item
    ], "test")
    return app


def _pks(app: Any, cid: str) -> tuple[int, int | None, int | None]:
    with app.state.vigie.store.read() as conn:
        comment = conn.execute(select(comments.c.pk).where(comments.c.comment_id == cid)
                               ).scalar_one()
        escalation = conn.execute(select(escalations.c.pk).where(
            escalations.c.comment_pk == comment)).scalar()
        item = conn.execute(select(review_items.c.pk).where(
            review_items.c.comment_pk == comment)).scalar()
    return comment, escalation, item


def test_the_escalation_page_links_to_the_facebook_comment(app: Any) -> None:
    client = TestClient(app)
    login(client, "community_manager")
    _, escalation, _ = _pks(app, "fb:1000_7")
    assert escalation is not None
    page = client.get(f"/escalations/{escalation}")
    assert page.status_code == 200
    assert f'id="platform-link" href="{html.escape(FB_URL)}"' in page.text
    assert "Voir le commentaire sur la plateforme" in page.text
    client.get("/lang/en?next=/queue")
    assert "See the comment on the platform" in client.get(f"/escalations/{escalation}").text
    api = client.get(f"/api/v1/escalations/{escalation}").json()
    assert api["platform_url"] == FB_URL
    assert "payload" not in api["escalation"]  # the raw record stays in the store

    _, claimed, _ = _pks(app, "fb:1000_8")
    elsewhere = client.get(f"/escalations/{claimed}")
    assert 'id="no-platform-link"' in elsewhere.text and "evil.example" not in elsewhere.text


def test_the_item_and_comment_pages_link_to_the_comment(app: Any) -> None:
    client = TestClient(app)
    login(client, "moderator")
    comment, _, item = _pks(app, "fb:1000_9")
    assert item is not None
    expected = f'id="platform-link" href="{html.escape(FB_URL + "9")}"'
    assert expected in client.get(f"/items/{item}").text
    assert expected in client.get(f"/comments/{comment}").text
    assert client.get(f"/api/v1/queue/{item}").json()["platform_url"] == FB_URL + "9"
    claimed, _, _ = _pks(app, "fb:1000_8")
    assert 'id="platform-link"' not in client.get(f"/comments/{claimed}").text
