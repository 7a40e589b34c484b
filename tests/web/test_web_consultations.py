"""Asking a supervisor from the draft check page (6.3) on a real database (SQLite and
PostgreSQL): the form, the list, the answer form, roles, refusals and the audit trail."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vigie.store.events import iter_events
from web_support import add_users, login, make_app

# The test policy's institution is "Test U": a draft speaks in the names of the policy loaded.
DRAFT = "Au nom de Test U, je dénonce la fermeture de la bibliothèque."


@pytest.fixture
def app(tmp_path: Path, db_url: str):  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, db_url)
    add_users(app)
    return app


def _client(app: Any, role: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    return client, login(client, role)


def _events(app: Any) -> list[tuple[str, str, str]]:
    with app.state.vigie.store.read() as conn:
        return [(e.kind, e.subject_id, e.actor)
                for e in iter_events(conn, subject_type="consultation")]


def _ask(client: TestClient, csrf: str, supervisor: str = "chef@polymtl.ca") -> Any:
    return client.post("/draft/ask", data={"text": DRAFT, "speaker": "@jdoe",
                                           "platform": "facebook", "supervisor": supervisor,
                                           "csrf_token": csrf}, follow_redirects=False)


def test_ask_from_the_draft_page_then_answer(app: Any) -> None:
    client, csrf = _client(app, "moderator")
    checked = client.post("/draft", data={"text": DRAFT, "speaker": "@jdoe", "csrf_token": csrf})
    assert 'id="ask-form"' in checked.text and "Demander à un·e supérieur·e" in checked.text
    asked = _ask(client, csrf)
    assert asked.status_code == 303 and asked.headers["location"] == (
        "/consultations/1?msg=consult.done_asked")
    page = client.get(asked.headers["location"])
    assert "Demande enregistrée." in page.text and "en attente de réponse" in page.text
    assert '<td class="clause">6.1</td>' in page.text  # the server's findings, stored
    assert "aucun relais de courriel configuré" in page.text
    listing = client.get("/consultations?status=asked")
    assert 'data-consultation="1" data-status="asked"' in listing.text
    answered = client.post("/consultations/1/answer", data={
        "answer": "Publiez-le depuis le compte officiel.", "answered_by": "",
        "csrf_token": csrf}, follow_redirects=False)
    assert answered.status_code == 303
    done = client.get(answered.headers["location"])
    assert "Réponse consignée." in done.text and 'id="answer-form"' not in done.text
    assert re.search(r'id="consultation-answered-by">chef@polymtl.ca<', done.text)
    assert 'data-status="answered"' in client.get("/consultations?status=answered").text
    assert _events(app) == [("supervisor_asked", "1", "moderator"),
                            ("supervisor_answered", "1", "moderator")]


def test_english_pages(app: Any) -> None:
    client, csrf = _client(app, "admin")
    client.get("/lang/en")
    checked = client.post("/draft", data={"text": DRAFT, "speaker": "@jdoe", "csrf_token": csrf})
    assert "Ask a supervisor" in checked.text
    _ask(client, csrf)
    page = client.get("/consultations/1")
    assert "Request no. 1" in page.text and "waiting for an answer" in page.text
    assert "Drafts put to supervisors (6.3)" in client.get("/consultations").text


def test_refusals_write_nothing(app: Any) -> None:
    client, csrf = _client(app, "community_manager")
    bad = _ask(client, csrf, supervisor="chef at polymtl")
    assert bad.status_code == 422 and "pas une adresse courriel" in bad.text
    assert client.post("/draft/ask", data={"text": " ", "speaker": "@j",
                                           "supervisor": "chef@polymtl.ca",
                                           "csrf_token": csrf}).status_code == 422
    assert _ask(client, "").status_code == 403  # no CSRF token
    assert _events(app) == []
    _ask(client, csrf)
    answer = {"answer": "Oui.", "answered_by": "Chef", "csrf_token": csrf}
    assert client.post("/consultations/1/answer", data=answer).status_code == 200
    again = client.post("/consultations/1/answer", data={**answer, "answer": "Non."})
    assert again.status_code == 409 and "a déjà une réponse (Chef)" in again.text
    empty = client.post("/consultations/1/answer", data={**answer, "answer": "  "})
    assert empty.status_code == 422
    assert client.post("/consultations/9/answer", data=answer).status_code == 404
    assert client.get("/consultations/9").status_code == 404
    assert [k for k, _, _ in _events(app)] == ["supervisor_asked", "supervisor_answered"]


def test_the_auditor_reads_but_neither_asks_nor_answers(app: Any) -> None:
    cm, cm_csrf = _client(app, "community_manager")
    _ask(cm, cm_csrf)
    auditor, csrf = _client(app, "auditor")
    assert auditor.get("/consultations/1").status_code == 200
    assert _ask(auditor, csrf).status_code == 403
    assert auditor.post("/consultations/1/answer", data={
        "answer": "Oui.", "csrf_token": csrf}).status_code == 403
    assert [k for k, _, _ in _events(app)] == ["supervisor_asked"]
