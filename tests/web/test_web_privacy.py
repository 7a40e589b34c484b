"""The privacy page (Law 25) on a real database (SQLite and PostgreSQL): find a person, see what
is held, export it (JSON, CSV with a BOM), erase it with a reason and a typed confirmation;
every step an audit event under the officer's name; other roles refused."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from vigie.monitoring.consultations import ask_supervisor
from vigie.store.events import iter_events, verify_chain
from vigie.store.schema import authors, comments
from web_support import add_users, login, make_app, seed

AUTHOR = "fb:u-3"   # "Auteur 3" in web_support.records: on Facebook (fb:t-10, -17) and YouTube


@pytest.fixture
def app(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VIGIE_PSEUDONYM_KEY", "a-test-key-of-32-characters-long")
    app = make_app(tmp_path, db_url)
    add_users(app)
    seed(app, 21)
    store = app.state.vigie.store
    with store.begin() as conn:  # a handle, as platforms give one
        conn.execute(authors.update().where(authors.c.author_id == AUTHOR)
                     .values(handle="@Auteur3"))
    ask_supervisor(store, "Brouillon qui parle de @auteur3 et de son adresse.", [
        {"clause": "6.4 a", "topic": "privacy", "severity": "high", "explanation": "an address",
         "suggestion": {"fr": "Retirez l'adresse", "en": "Remove the address"}, "span": [0, 9],
         "score": 0.9}], supervisor="chef@polymtl.ca", asked_by="moderator", speaker="@auteur3")
    ask_supervisor(store, "Un autre brouillon", [], supervisor="chef@polymtl.ca",
                   asked_by="moderator", speaker="@quelquun")
    return app


def _officer(app: Any) -> tuple[TestClient, str]:
    client = TestClient(app)
    return client, login(client, "privacy_officer")


def _author_pk(app: Any) -> int:
    with app.state.vigie.store.read() as conn:
        return int(conn.execute(select(authors.c.pk).where(authors.c.author_id == AUTHOR,
                                                           authors.c.platform == "facebook"))
                   .scalar_one())


def _events(app: Any, kind: str) -> list[tuple[str, str, str]]:
    with app.state.vigie.store.read() as conn:
        return [(e.subject_type, e.subject_id, e.actor) for e in iter_events(conn)
                if e.kind == kind]


def test_find_see_and_export_a_person(app: Any) -> None:
    client, _ = _officer(app)
    pk = _author_pk(app)
    search = client.get("/privacy")
    assert search.status_code == 200 and "Renseignements personnels (Loi 25)" in search.text
    for term in (AUTHOR, "@auteur3", "AUTEUR3"):          # by id, by handle (case, @ ignored)
        found = client.get("/privacy", params={"q": term})
        assert f'data-author="{pk}"' in found.text, term
    nobody = client.get("/privacy", params={"q": "fb:u-nobody"})
    assert 'id="privacy-none"' in nobody.text and "fb:u-nobody" in nobody.text

    page = client.get(f"/privacy/authors/{pk}")
    assert page.status_code == 200
    assert re.search(r'id="person-comments">2<', page.text)    # fb:t-10, -17
    assert re.search(r'id="person-drafts">1<', page.text)      # the draft naming @auteur3
    assert _events(app, "person_viewed") == [("author", str(pk), "privacy_officer")]

    exported = client.get(f"/privacy/authors/{pk}/export.json")
    assert exported.headers["content-disposition"].startswith("attachment;")
    file = exported.json()
    assert [c["comment_id"] for c in file["accounts"][0]["comments"]] == ["fb:t-10", "fb:t-17"]
    assert [c["speaker"] for c in file["consultations"]] == ["@auteur3"]
    table = client.get(f"/privacy/authors/{pk}/export.csv")
    assert table.content.startswith(b"\xef\xbb\xbf")             # a BOM, for Excel
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["plateforme", "nom", "nom d'utilisateur"]    # headers in French
    assert [r[4] for r in rows[1:]] == ["fb:t-10", "fb:t-17"]
    assert _events(app, "exported") == [("author", str(pk), "privacy_officer")] * 2


def test_erase_needs_a_reason_and_the_id_typed_again(app: Any) -> None:
    client, csrf = _officer(app)
    pk = _author_pk(app)
    no_reason = client.post(f"/privacy/authors/{pk}/erase",
                            data={"reason": " ", "confirm": AUTHOR, "csrf_token": csrf})
    assert no_reason.status_code == 422 and "rien n&#39;a été effacé" in no_reason.text
    wrong = client.post(f"/privacy/authors/{pk}/erase",
                        data={"reason": "Demande 2026-014", "confirm": "fb:u-4",
                              "csrf_token": csrf})
    assert wrong.status_code == 422 and "ne correspond pas à fb:u-3" in wrong.text
    assert _events(app, "erased") == []

    done = client.post(f"/privacy/authors/{pk}/erase",
                       data={"reason": "Demande 2026-014", "confirm": AUTHOR,
                             "csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    flash = client.get(done.headers["location"])
    assert "Effacement fait : 2 commentaire(s) et 1 brouillon(s)" in flash.text
    store = app.state.vigie.store
    with store.read() as conn:
        texts = conn.execute(select(comments.c.text).where(comments.c.author_pk == pk)
                             ).scalars().all()
        assert texts == [None, None]
        assert conn.execute(select(authors.c.author_id).where(authors.c.pk == pk)
                            ).scalar_one().startswith("anon-")
        assert verify_chain(conn).ok
    erased = _events(app, "erased")
    assert ("consultation", "1", "privacy_officer") in erased
    assert ("author", str(pk), "privacy_officer") in erased
    draft = client.get("/consultations/1")
    assert "brouillon purgé" in draft.text and "son adresse" not in draft.text
    assert "@auteur3" not in draft.text                          # the speaker is a pseudonym
    assert "Un autre brouillon" in client.get("/consultations/2").text   # others untouched
    again = client.get(f"/privacy/authors/{pk}")
    assert 'id="person-erased"' in again.text and 'id="erase-form"' not in again.text


@pytest.mark.parametrize("role", ["moderator", "community_manager", "auditor"])
def test_other_roles_are_refused(app: Any, role: str) -> None:
    client = TestClient(app)
    csrf = login(client, role)
    pk = _author_pk(app)
    assert client.get("/privacy").status_code == 403
    assert client.get(f"/privacy/authors/{pk}/export.json").status_code == 403
    assert client.post(f"/privacy/authors/{pk}/erase", data={
        "reason": "x", "confirm": AUTHOR, "csrf_token": csrf}).status_code == 403
    assert 'href="/privacy"' not in client.get("/queue").text
    assert _events(app, "erased") == [] and _events(app, "exported") == []


def test_the_admin_may_and_english_is_there(app: Any) -> None:
    client = TestClient(app)
    login(client, "admin")
    client.get("/lang/en")
    page = client.get("/privacy", params={"q": AUTHOR})
    assert page.status_code == 200 and "Personal information (Law 25)" in page.text
    assert json.loads(client.get(f"/privacy/authors/{_author_pk(app)}/export.json").text)[
        "author_id"] == AUTHOR


def test_roles_are_not_a_ladder_for_tokens(app: Any) -> None:
    """A privacy officer's token cannot act on the queue, nor a moderator's reach /privacy."""
    from vigie.web.accounts import AccountError, create_api_token, user_by_name
    from vigie.web.roles import Role

    ctx = app.state.vigie
    with ctx.store.begin() as conn:
        officer, moderator = user_by_name(conn, "privacy_officer"), user_by_name(conn, "moderator")
        assert officer is not None and moderator is not None
        for owner, role in ((officer, Role.MODERATOR), (moderator, Role.PRIVACY_OFFICER)):
            with pytest.raises(AccountError, match="more rights"):
                create_api_token(conn, owner, "x", ctx.store.now(), role=role)
        create_api_token(conn, officer, "read only", ctx.store.now(), role=Role.AUDITOR)
