"""The author page's person links (directive 7), on a real database (SQLite and PostgreSQL):
a moderator links an account on another platform with a reason, sees it, unlinks it; each
step an audit event under their name; bad input answered in French, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from vigie.store.events import iter_events
from vigie.store.schema import authors
from web_support import add_users, login, make_app, seed


@pytest.fixture
def app(tmp_path: Path, db_url: str):  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, db_url)
    add_users(app)
    seed(app, 21)        # fb:u-1 comments on Facebook and on YouTube (web_support.records)
    return app


def _pk(app: Any, platform: str, author_id: str) -> int:
    with app.state.vigie.store.read() as conn:
        return int(conn.execute(select(authors.c.pk).where(
            authors.c.platform == platform, authors.c.author_id == author_id)).scalar_one())


def _person_events(app: Any) -> list[tuple[str, str]]:
    with app.state.vigie.store.read() as conn:
        return [(e.kind, e.actor) for e in iter_events(conn) if e.subject_type == "person"]


def test_link_then_unlink_from_the_author_page(app: Any) -> None:
    client = TestClient(app)
    csrf = login(client, "moderator")
    pk, other = _pk(app, "facebook", "fb:u-1"), _pk(app, "youtube", "fb:u-1")
    page = client.get(f"/authors/{pk}")
    assert page.status_code == 200 and "Lié à aucun autre compte." in page.text
    done = client.post(f"/authors/{pk}/link", data={
        "account": "youtube/fb:u-1", "reason": "même nom et même photo", "csrf_token": csrf},
        follow_redirects=False)
    assert done.status_code == 303
    shown = client.get(done.headers["location"])
    assert "leurs avertissements comptent ensemble" in shown.text
    assert f'href="/authors/{other}"' in shown.text and "lié par moderator" in shown.text
    back = client.get(f"/authors/{other}")                  # seen from the other account too
    assert f'href="/authors/{pk}"' in back.text
    gone = client.post(f"/authors/{pk}/unlink", data={
        "account_pk": str(other), "reason": "erreur", "csrf_token": csrf},
        follow_redirects=False)
    assert gone.status_code == 303
    assert "Lié à aucun autre compte." in client.get(f"/authors/{pk}").text
    assert _person_events(app) == [("person_linked", "moderator"),
                                   ("person_unlinked", "moderator")]


def test_bad_links_are_refused_in_french(app: Any) -> None:
    client = TestClient(app)
    csrf = login(client, "moderator")
    pk = _pk(app, "facebook", "fb:u-1")
    for account, reason, status, words in (
            ("fb:u-3", "r", 409, "existe sur plusieurs plateformes"),   # Facebook and YouTube
            ("fb:u-nobody", "r", 409, "Aucun auteur enregistré"),
            ("facebook/fb:u-1", "r", 409, "au moins deux comptes différents"),
            ("youtube/fb:u-1", " ", 422, "Un motif est requis")):
        answer = client.post(f"/authors/{pk}/link", data={
            "account": account, "reason": reason, "csrf_token": csrf})
        assert answer.status_code == status and words in answer.text, account
        assert "Traceback" not in answer.text
    refused = client.post(f"/authors/{pk}/unlink", data={
        "account_pk": str(pk), "reason": "r", "csrf_token": csrf})
    assert refused.status_code == 409 and "lié à aucun autre" in refused.text
    assert _person_events(app) == []


def test_an_auditor_sees_no_link_form(app: Any) -> None:
    client = TestClient(app)
    login(client, "auditor")
    page = client.get(f"/authors/{_pk(app, 'facebook', 'fb:u-1')}")
    assert page.status_code == 200 and "/link" not in page.text
