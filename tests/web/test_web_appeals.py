"""The public appeal page (6.2, 7): an author contests a takedown with the notice's code.

The app is the real one (test policy, keyword detector, SQLite or PostgreSQL store). An
author whose comment was removed gives the code and their name: the appeal lands in the
review queue, linked to the decision, in the audit chain; a wrong code or name, bad input and
too many attempts get clear French or English messages and reach nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from vigie.store.events import verify_chain
from vigie.store.schema import comments, decisions, events, review_items
from vigie.web.appeals import appeal_code, comment_of_code
from vigie.web.models import web_appeals
from web_support import add_users, login, make_app, seed


def _app(tmp_path: Path, db_url: str | None = None, **settings: Any) -> Any:
    app = make_app(tmp_path, db_url=db_url, **settings)
    add_users(app)
    seed(app, 20)  # fb:t-1, fb:t-6... removed (HATEWORD); fb:t-4... allowed; "Auteur {i % 7}"
    return app


def _pk(app: Any, comment_id: str) -> int:
    with app.state.vigie.store.read() as conn:
        return int(conn.execute(select(comments.c.pk).where(
            comments.c.comment_id == comment_id)).scalar_one())


def _code(app: Any, comment_id: str) -> str:
    return appeal_code(app.state.vigie.settings.key, _pk(app, comment_id))


def _send(client: TestClient, code: str, author: str, reason: str, **extra: str) -> Any:
    page = client.get(f"/appeal?code={code}")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "appeal form without a CSRF token"
    return client.post("/appeal", data={"code": code, "author": author, "reason": reason,
                                        "csrf_token": token.group(1), **extra},
                       follow_redirects=False)


def _rows(app: Any) -> list[dict[str, Any]]:
    with app.state.vigie.store.read() as conn:
        return [dict(r._mapping) for r in conn.execute(
            select(web_appeals).order_by(web_appeals.c.pk))]


def _events(app: Any, kind: str) -> list[Any]:
    with app.state.vigie.store.read() as conn:
        return list(conn.execute(select(events).where(events.c.kind == kind)
                                 .order_by(events.c.seq)))


def test_codes_name_one_comment_and_cannot_be_made_up() -> None:
    key = "k" * 40
    for pk in (1, 42, 10**9):
        code = appeal_code(key, pk)
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]+-[0-9A-HJKMNP-TV-Z]{6}", code)
        assert comment_of_code(key, code) == pk
        assert comment_of_code(key, code.lower().replace("-", " ")) == pk  # as typed
        assert comment_of_code(key, f"https://d.example/appeal?code={code}") == pk  # pasted link
        assert comment_of_code("x" * 40, code) is None  # another key
    head, check = appeal_code(key, 42).split("-")
    assert comment_of_code(key, f"{head}-{'0' * 6}") is None
    assert comment_of_code(key, f"1B-{check}") is None  # the check is for 42 only
    assert comment_of_code(key, "") is None and comment_of_code(key, "<script>") is None


def test_an_appeal_lands_in_the_queue_linked_to_the_decision_and_audited(
        tmp_path: Path, db_url: str) -> None:
    app = _app(tmp_path, db_url)
    author = TestClient(app)
    code = _code(app, "fb:t-1")
    form = author.get(f"/appeal?code={code}")
    assert "Contester un retrait" in form.text and f'value="{code}"' in form.text  # prefilled
    answer = _send(author, code, "  auteur 1 ", "Mon commentaire citait une insulte pour la "
                   "dénoncer, pas pour insulter.")
    assert answer.status_code == 303, answer.text[:500]
    reference = answer.headers["location"].removeprefix("/appeal?sent=")
    assert re.fullmatch(r"AP-[0-9A-F]{8}", reference)
    done = author.get(answer.headers["location"]).text
    assert 'id="appeal-sent"' in done and reference in done and "appeal-form" not in done

    pk = _pk(app, "fb:t-1")
    with app.state.vigie.store.read() as conn:
        item = conn.execute(select(review_items).where(review_items.c.comment_pk == pk)).one()
        decision_pk = conn.execute(select(decisions.c.pk).where(
            decisions.c.comment_pk == pk)).scalar_one()
        assert verify_chain(conn).ok
    assert item.origin == "appeal" and item.state == "open" and item.takedown
    assert item.decision_pk == decision_pk
    [opened] = [e for e in _events(app, "review_opened") if e.subject_id == str(item.pk)]
    assert opened.actor == f"author (appeal {reference})"
    assert json.loads(opened.payload)["reason"].startswith("Mon commentaire citait")
    [row] = _rows(app)
    assert row["status"] == "filed" and row["reference"] == reference
    assert row["comment_pk"] == pk and row["item_pk"] == item.pk
    assert row["client"] != "testclient" and code not in row["code"]

    # The moderator finds it in the queue with the author's words.
    moderator = TestClient(app)
    login(moderator, "moderator")
    assert f"/items/{item.pk}" in moderator.get("/queue").text
    assert "citait une insulte pour la" in moderator.get(f"/items/{item.pk}").text

    # A second appeal while the review is open joins it, audited too.
    again = _send(author, code, "Auteur 1", "J'ajoute : le contexte était un cours d'histoire.")
    assert again.status_code == 303
    with app.state.vigie.store.read() as conn:
        assert len(conn.execute(select(review_items).where(
            review_items.c.comment_pk == pk)).all()) == 1
    added = [e for e in _events(app, "reviewed") if e.subject_id == str(item.pk)]
    assert added and json.loads(added[-1].payload)["action"] == "comment"
    assert added[-1].actor.startswith("author (appeal AP-")
    assert [r["status"] for r in _rows(app)] == ["filed", "joined"]


def test_wrong_code_or_name_says_the_same_and_reaches_nothing(tmp_path: Path) -> None:
    app = _app(tmp_path)
    client = TestClient(app)
    code = _code(app, "fb:t-1")
    reason = "Je conteste cette décision, elle est injuste."
    wrong_name = _send(client, code, "Auteur 2", reason)
    made_up = _send(client, "1-ABCDEF", "Auteur 1", reason)
    assert wrong_name.status_code == made_up.status_code == 422
    message = "Ce code et ce nom ne correspondent à aucun de vos commentaires retirés."
    assert message in wrong_name.text and message in made_up.text
    assert "fb:t-1" not in wrong_name.text and "HATEWORD" not in wrong_name.text
    up = _send(client, _code(app, "fb:t-4"), "Auteur 4", reason)  # allowed: nothing to contest
    assert up.status_code == 409 and "Rien à contester" in up.text
    short = _send(client, code, "Auteur 1", "non")
    assert short.status_code == 422 and "de 10 à 2000 caractères" in short.text
    empty = _send(client, "", "Auteur 1", reason)
    assert empty.status_code == 422 and "Donnez le code de contestation" in empty.text
    forged = client.post("/appeal", data={"code": code, "author": "Auteur 1",
                                          "reason": reason, "csrf_token": "guess"})
    assert forged.status_code == 403 and "Le formulaire a expiré" in forged.text
    client.get("/lang/en?next=/appeal")
    english = _send(client, code, "Someone else", reason)
    assert english.status_code == 422
    assert "This code and this name match none of your removed comments." in english.text
    robot = _send(client, code, "Auteur 1", reason, website="http://spam.example")
    assert robot.status_code == 303  # thanked like a person
    with app.state.vigie.store.read() as conn:
        assert conn.execute(select(review_items).where(
            review_items.c.origin == "appeal")).all() == []
    assert [r["status"] for r in _rows(app)] == ["unmatched", "unmatched", "nothing",
                                                 "unmatched", "spam"]
    assert all(r["reason"] is None and r["reference"] is None for r in _rows(app)[:4])
    assert [r["comment_pk"] for r in _rows(app)] == [None, None, _pk(app, "fb:t-4"), None, None]


def test_too_many_attempts_per_client_and_per_code_get_429(tmp_path: Path) -> None:
    app = _app(tmp_path, appeals_max_per_client=3, appeals_max_per_code=2)
    first = TestClient(app, client=("198.51.100.7", 50000))
    reason = "Je conteste cette décision, elle est injuste."
    for name in ("Nobody 1", "Nobody 2"):
        assert _send(first, _code(app, "fb:t-1"), name, reason).status_code == 422
    # Another client, same code: the code's limit holds (guessing a name is bounded).
    second = TestClient(app, client=("203.0.113.9", 50000))
    refused = _send(second, _code(app, "fb:t-1"), "Auteur 1", reason)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "3600"
    assert "Trop de contestations envoyées" in refused.text
    # The first client's own limit: a third attempt, then none, whatever the code.
    assert _send(first, _code(app, "fb:t-6"), "Auteur 6", reason).status_code == 303
    first.get("/lang/en?next=/appeal")
    english = _send(first, _code(app, "fb:t-11"), "Auteur 4", reason)
    assert english.status_code == 429 and "Too many appeals sent" in english.text
    assert len(_rows(app)) == 3  # refused attempts past the limit are not even kept


def test_the_comment_page_and_the_removal_notice_give_the_code(tmp_path: Path) -> None:
    from vigie.policy import load_policy
    from vigie.web.replies import comment_view, reply_choices

    app = _app(tmp_path)
    client = TestClient(app)
    login(client, "community_manager")
    pk = _pk(app, "fb:t-1")
    page = client.get(f"/comments/{pk}").text
    code = _code(app, "fb:t-1")
    assert f'<code id="appeal-code" translate="no">{code}</code>' in page
    assert f"/appeal?code={code}" in page
    # The bundled directive's removal notice carries the code and the link.
    with app.state.vigie.store.read() as conn:
        view = comment_view(conn, pk)
    assert view is not None
    choices, _ = reply_choices(load_policy(), view, "fr", appeal_code=code,
                               appeal_url=f"https://vigie.example/appeal?code={code}")
    removal = next(c for c in choices if c.slug == "removal")
    assert removal.fr.endswith(f"Pour contester : https://vigie.example/appeal?code={code}")
    assert removal.en.endswith(f"To contest it: https://vigie.example/appeal?code={code}")


@pytest.mark.parametrize("field", ["code", "author", "reason"])
def test_oversized_fields_are_refused_without_a_traceback(tmp_path: Path, field: str) -> None:
    app = _app(tmp_path)
    client = TestClient(app)
    data = {"code": _code(app, "fb:t-1"), "author": "Auteur 1",
            "reason": "Je conteste cette décision.", "csrf_token": "x"}
    data[field] = "x" * 5000
    answer = client.post("/appeal", data=data)
    assert answer.status_code in (403, 422) and "Traceback" not in answer.text
