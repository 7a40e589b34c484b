"""Questions about the directive (section 8), over real HTTP: uvicorn on loopback, httpx.

The app is the real one (test policy, keyword detector, SQLite store); a visitor reads the
directive in French or English and asks; the community manager finds the question in the
inbox. Spam (the pipeline's ``spam.*`` signals, a filled honeypot) is kept apart, and a client
that asks too often is refused with 429.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from vigie.web.models import web_questions
from web_support import add_users, csrf_of, login, make_app


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    app = make_app(tmp_path, questions_max_per_client=3)
    add_users(app)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", app
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def form_token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "question form without a CSRF token"
    return found.group(1)


def ask(client: httpx.Client, text: str, **fields: str) -> httpx.Response:
    token = form_token(client.get("/questions").text)
    return client.post("/questions", data={"text": text, "csrf_token": token, **fields},
                       follow_redirects=False)


def stored(app: Any) -> list[dict[str, Any]]:
    with app.state.vigie.store.read() as conn:
        return [dict(r._mapping) for r in conn.execute(
            select(web_questions).order_by(web_questions.c.pk))]


def test_the_directive_in_french_then_english_and_a_question_lands(
        served: tuple[str, Any]) -> None:
    url, app = served
    with httpx.Client(base_url=url, timeout=10) as visitor:
        page = visitor.get("/questions")
        assert page.status_code == 200 and "Questions sur la directive" in page.text
        assert "Politique de test" in page.text and "Propos haineux" in page.text
        assert "1 a — Haine" in page.text
        answer = ask(visitor, "Puis-je publier le lien vers mon projet étudiant ?",
                     name="Camille", email="camille@example.org")
        assert answer.status_code == 303 and answer.headers["location"] == "/questions?sent=1"
        assert 'id="question-sent"' in visitor.get(answer.headers["location"]).text
        visitor.get("/lang/en?next=/questions")
        english = visitor.get("/questions").text
        assert "Questions about the directive" in english and "Test policy" in english
        assert "Hateful remarks" in english
    [row] = stored(app)
    assert row["status"] == "new" and row["lang"] == "fr" and row["email"] == (
        "camille@example.org")
    assert row["spam_score"] == 0.0 and row["client"] != "127.0.0.1"

    with httpx.Client(base_url=url, timeout=10) as manager:
        assert manager.get("/questions/inbox", follow_redirects=False).status_code in (
            303, 401)
        login(manager, "community_manager")  # type: ignore[arg-type]
        inbox = manager.get("/questions/inbox")
        assert "Puis-je publier le lien" in inbox.text
        done = manager.post(f"/questions/{row['pk']}/answered",
                            data={"csrf_token": csrf_of(manager)},  # type: ignore[arg-type]
                            follow_redirects=False)
        assert done.status_code == 303
    assert stored(app)[0]["status"] == "answered"
    assert stored(app)[0]["answered_by"] == "community_manager"


def test_spam_and_honeypot_are_kept_apart_with_the_same_thanks(
        served: tuple[str, Any]) -> None:
    url, app = served
    with httpx.Client(base_url=url, timeout=10) as visitor:
        spam = ask(visitor, "Gagnez gros SPAMLINK cliquez ici maintenant")
        robot = ask(visitor, "Une question tout à fait normale", website="http://x.example")
        assert spam.status_code == robot.status_code == 303
    rows = stored(app)
    assert [r["status"] for r in rows] == ["spam", "spam"]
    assert rows[0]["spam_signals"] == '["spam.link"]' and rows[0]["spam_score"] == 0.95
    assert rows[1]["spam_signals"] == '["honeypot"]'
    with httpx.Client(base_url=url, timeout=10) as manager:
        login(manager, "moderator")  # type: ignore[arg-type]
        assert manager.get("/questions/inbox").status_code == 403  # not the moderator's job
    with httpx.Client(base_url=url, timeout=10) as manager:
        login(manager, "community_manager")  # type: ignore[arg-type]
        assert "SPAMLINK" not in manager.get("/questions/inbox").text
        assert "SPAMLINK" in manager.get("/questions/inbox?status=spam").text


def test_too_many_questions_and_forged_forms_are_refused(served: tuple[str, Any]) -> None:
    url, app = served
    with httpx.Client(base_url=url, timeout=10) as visitor:
        forged = visitor.post("/questions", data={"text": "Une question sans jeton valide",
                                                  "csrf_token": "guess"})
        assert forged.status_code == 403
        short = ask(visitor, "trop?")
        assert short.status_code == 422 and "de 10 à 2000 caractères" in short.text
        # One message, the form's own: not a second, generic "Action refusée" box above it.
        assert short.text.count('role="alert"') == 1, short.text
        for i in range(3):
            assert ask(visitor, f"Question numéro {i} sur la directive").status_code == 303
        refused = ask(visitor, "Une quatrième question dans l'heure")
        assert refused.status_code == 429 and refused.headers["retry-after"] == "3600"
        assert "Trop de questions" in refused.text
    assert len(stored(app)) == 3
