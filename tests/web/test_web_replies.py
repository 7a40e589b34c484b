"""A comment's page and the reply form, over real HTTP on a real database (SQLite, PostgreSQL).

The suggested template is preselected and filled in the author's language; sending queues the
reply under the sender's name (CSRF and the ``reply`` permission checked); the page then shows
it queued, and posted once the outbox has applied it; the history shows each audit event.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from vigie.store.outbox import RecordingSink, run_outbox
from vigie.store.schema import comments, events
from web_support import login, replies_app

COMMENTS = {"fb:q-1": "Bonjour, quand ouvrent les inscriptions au baccalauréat?",
            "fb:q-2": "GRUMBLE la cafétéria est toujours fermée le soir",
            "fb:q-3": "Congratulations to the whole team, what a great result for everyone",
            "fb:q-4": "MAYBEHATE dans ce commentaire"}


@pytest.fixture
def app(tmp_path: Path, db_url: str) -> FastAPI:
    return replies_app(tmp_path, COMMENTS, db_url)


def _pk(app: FastAPI, comment_id: str) -> int:
    with app.state.vigie.store.read() as conn:
        return int(conn.execute(select(comments.c.pk).where(
            comments.c.comment_id == comment_id)).scalar_one())


def _reply_events(app: FastAPI, comment_id: str) -> list[tuple[str, str]]:
    with app.state.vigie.store.read() as conn:
        rows = conn.execute(select(events.c.kind, events.c.actor).where(
            events.c.subject_id == comment_id, events.c.kind.like("reply_%"))
            .order_by(events.c.seq)).all()
    return [(r.kind, r.actor) for r in rows]


def _selected(page: str) -> str:
    found = re.search(r'<option value="([a-z]+)"[^>]*selected>', page)
    assert found, "no template preselected"
    return found.group(1)


def _textarea(page: str) -> str:
    found = re.search(r'<textarea name="text" id="reply-text"[^>]*>([^<]*)</textarea>', page)
    assert found
    return found.group(1)


def test_the_suggested_template_is_preselected_and_filled(app: FastAPI) -> None:
    client = TestClient(app)
    login(client, "community_manager")
    question = client.get(f"/comments/{_pk(app, 'fb:q-1')}")
    assert question.status_code == 200
    assert _selected(question.text) == "question"
    assert _textarea(question.text) == ("Bonjour Sylvie 0, merci pour votre question. La "
                                        "Politique de test : https://example.org/directive")
    assert "suggéré" in question.text and 'maxlength="8000"' in question.text
    assert _selected(client.get(f"/comments/{_pk(app, 'fb:q-2')}").text) == "criticism"
    thanks = client.get(f"/comments/{_pk(app, 'fb:q-3')}")
    assert _selected(thanks.text) == "thanks"
    # The author wrote in English: the reply is preselected in English.
    assert _textarea(thanks.text) == "Thank you Sylvie 2!"
    # Without JavaScript, another template or language comes from the GET form.
    chosen = client.get(f"/comments/{_pk(app, 'fb:q-1')}?template=thanks&lang=en")
    assert _selected(chosen.text) == "thanks" and _textarea(chosen.text) == "Thank you Sylvie 0!"


def test_sending_queues_once_shows_the_status_and_audits(app: FastAPI) -> None:
    client = TestClient(app)
    csrf = login(client, "community_manager")
    pk = _pk(app, "fb:q-1")
    text = "Bonjour Sylvie, les inscriptions ouvrent le 1er février."
    sent = client.post(f"/comments/{pk}/reply", data={
        "csrf_token": csrf, "text": text, "template": "question", "language": "fr"},
        follow_redirects=False)
    assert sent.status_code == 303 and "msg=reply.queued" in sent.headers["location"]
    page = client.get(sent.headers["location"])
    assert "Réponse mise en file" in page.text and 'data-status="pending"' in page.text
    assert text in page.text and ">en file<" in page.text
    again = client.post(f"/comments/{pk}/reply", data={"csrf_token": csrf, "text": text},
                        follow_redirects=False)
    assert "msg=reply.already_queued" in again.headers["location"]
    run = run_outbox(app.state.vigie.store, RecordingSink())
    assert run.applied == 1
    posted = client.get(f"/comments/{pk}")
    assert 'data-status="applied"' in posted.text and ">publiée<" in posted.text
    assert _reply_events(app, "fb:q-1") == [("reply_queued", "community_manager"),
                                            ("reply_sent", "community_manager")]
    assert "réponse mise en file" in posted.text and "réponse publiée sur la plateforme" in (
        posted.text)


def test_only_the_reply_permission_may_send_and_csrf_is_required(app: FastAPI) -> None:
    moderator = TestClient(app)
    csrf = login(moderator, "moderator")
    pk = _pk(app, "fb:q-1")
    page = moderator.get(f"/comments/{pk}")
    assert page.status_code == 200 and 'id="read-only"' in page.text
    assert 'id="reply-form"' not in page.text
    refused = moderator.post(f"/comments/{pk}/reply", data={"csrf_token": csrf, "text": "Oui"},
                             follow_redirects=False)
    assert refused.status_code == 403
    manager = TestClient(app)
    login(manager, "community_manager")
    forged = manager.post(f"/comments/{pk}/reply", data={"text": "Oui"},
                          follow_redirects=False)
    assert forged.status_code == 403
    assert _reply_events(app, "fb:q-1") == []


def test_bad_replies_get_a_clear_answer(app: FastAPI) -> None:
    client = TestClient(app)
    csrf = login(client, "community_manager")
    pk = _pk(app, "fb:q-1")
    long = client.post(f"/comments/{pk}/reply", data={"csrf_token": csrf, "text": "x" * 8001})
    assert long.status_code == 409 and "trop longue pour la plateforme" in long.text
    assert "x" * 8001 in long.text  # the text typed is kept for editing
    empty = client.post(f"/comments/{pk}/reply", data={"csrf_token": csrf, "text": "  "})
    assert empty.status_code == 409 and "La réponse est vide" in empty.text
    unknown = client.post(f"/comments/{pk}/reply", data={
        "csrf_token": csrf, "text": "Oui", "template": "nope"})
    assert unknown.status_code == 409 and "Ce modèle de réponse n&#39;existe pas" in unknown.text
    assert client.get("/comments/999999").status_code == 404
    assert _reply_events(app, "fb:q-1") == []


def test_the_api_queues_and_lists_replies(app: FastAPI) -> None:
    client = TestClient(app)
    csrf = login(client, "community_manager")
    pk = _pk(app, "fb:q-2")
    headers = {"x-csrf-token": csrf}
    body: dict[str, Any] = {"text": "Merci, nous transmettons.", "template": "criticism",
                            "language": "fr"}
    first = client.post(f"/api/v1/comments/{pk}/replies", json=body, headers=headers)
    assert first.status_code == 202 and first.json()["new"] is True
    assert first.json()["platform"] == "facebook"
    second = client.post(f"/api/v1/comments/{pk}/replies", json=body, headers=headers)
    assert second.status_code == 202 and second.json()["new"] is False
    listed = client.get(f"/api/v1/comments/{pk}/replies").json()
    assert [(r["status"], r["template"], r["requested_by"]) for r in listed["replies"]] == [
        ("pending", "criticism", "community_manager")]
    bad = client.post(f"/api/v1/comments/{pk}/replies", json={"text": "x" * 8001},
                      headers=headers)
    assert bad.status_code == 409 and bad.json()["code"] == "too_long"
    missing = client.post("/api/v1/comments/999999/replies", json={"text": "Oui"},
                          headers=headers)
    assert missing.status_code == 404 and missing.json()["code"] == "no_comment"


def test_the_item_page_links_to_the_comment_page(app: FastAPI) -> None:
    client = TestClient(app)
    login(client, "moderator")
    queue = client.get("/queue").text
    item = re.search(r'href="/items/(\d+)"', queue)
    assert item
    page = client.get(f"/items/{item.group(1)}").text
    assert re.search(r'href="/comments/\d+" id="reply-link"', page)
