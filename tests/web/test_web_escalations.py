"""Escalations in the dashboard (directive 6.1): the page of one escalation, the community
manager's steps (assign, comment, close with a note, reopen), each stored on the escalation
row and written to the audit trail under the caller's name; the warning when no mail or
webhook channel is configured; links to the comment (dashboard, platform)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from vigie.store.events import iter_events, verify_chain
from vigie.store.schema import escalations
from vigie.web.permalinks import platform_url
from web_support import add_users, login, make_app, seed


@pytest.fixture
def app(tmp_path: Path, db_url: str) -> Any:
    app = make_app(tmp_path, db_url=db_url)
    add_users(app)
    seed(app, 20)  # every 5th record from the 4th says GRUMBLE: the policy escalates it
    return app


def _client(app: Any, role: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    return client, login(client, role)


def _policy_escalation(app: Any) -> int:
    with app.state.vigie.store.read() as conn:
        return int(conn.execute(select(escalations.c.pk).where(
            escalations.c.review_pk.is_(None)).order_by(escalations.c.pk)).scalars().first())


def _row(app: Any, pk: int) -> Any:
    with app.state.vigie.store.read() as conn:
        return conn.execute(select(escalations).where(escalations.c.pk == pk)).one()


def _steps(app: Any, pk: int) -> list[Any]:
    with app.state.vigie.store.read() as conn:
        return list(iter_events(conn, subject_type="escalation", subject_id=str(pk)))


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_assign_comment_close_reopen_from_the_page(app: Any) -> None:
    cm, csrf = _client(app, "community_manager")
    pk = _policy_escalation(app)
    page = cm.get(f"/escalations/{pk}")
    assert page.status_code == 200
    text = _text(page.text)
    assert f"Escalade {pk}" in text and "ouverte" in text
    assert "Ton négatif envers l'établissement (score 0,95)" in text  # the evidence, in French
    assert "Assignée à : personne" in text

    def step(**form: str) -> Any:
        return cm.post(f"/escalations/{pk}/step", data={**form, "csrf_token": csrf},
                       follow_redirects=False)

    answer = step(step="assign", assignee="admin", note="")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/escalations/{pk}?msg=escalation.done_assign"
    assert _row(app, pk).assignee == "admin"
    assert step(step="comment", note="Réponse publiée sous la publication").status_code == 303
    assert step(step="close", note="Répondu à l'auteur ; dossier clos").status_code == 303
    row = _row(app, pk)
    assert (row.state, row.assignee) == ("closed", "admin")

    steps = _steps(app, pk)
    assert [(e.kind, e.actor) for e in steps] == [
        ("escalation_assigned", "community_manager"),
        ("escalation_commented", "community_manager"),
        ("escalation_closed", "community_manager")]
    assert steps[-1].payload["note"] == "Répondu à l'auteur ; dossier clos"

    shown = cm.get(f"/escalations/{pk}?msg=escalation.done_close")
    text = _text(shown.text)
    assert "Escalade fermée." in text and 'data-state="closed"' in shown.text
    history = shown.text[shown.text.index('id="steps"'):]
    for kind in ("escalation_assigned", "escalation_commented", "escalation_closed"):
        assert f'data-kind="{kind}"' in history
    assert "Répondu à l&#39;auteur ; dossier clos" in history
    assert 'id="reopen-form"' in shown.text and 'id="close-form"' not in shown.text

    assert step(step="reopen", note="L'auteur a relancé").status_code == 303
    assert _row(app, pk).state == "open"
    audit = cm.get("/api/v1/audit?kind=escalation_reopened").json()["events"]
    assert audit[0]["subject_type"] == "escalation" and audit[0]["subject_id"] == str(pk)
    assert audit[0]["actor"] == "community_manager"
    with app.state.vigie.store.read() as conn:
        assert verify_chain(conn).ok


def test_refusals_are_shown_in_french_and_write_nothing(app: Any) -> None:
    cm, csrf = _client(app, "community_manager")
    pk = _policy_escalation(app)
    form = {"csrf_token": csrf}
    no_note = cm.post(f"/escalations/{pk}/step", data={**form, "step": "close", "note": " "})
    assert no_note.status_code == 422 and "Une note est requise" in no_note.text
    moderator = cm.post(f"/escalations/{pk}/step",
                        data={**form, "step": "assign", "assignee": "moderator"})
    assert moderator.status_code == 409
    assert "ce compte n&#39;est pas un compte actif qui traite les escalades" in moderator.text
    reopen = cm.post(f"/escalations/{pk}/step", data={**form, "step": "reopen", "note": "x"})
    assert reopen.status_code == 409 and "rien à rouvrir" in html.unescape(reopen.text)
    assert _steps(app, pk) == []
    assert cm.get("/escalations/99999").status_code == 404


def test_only_the_community_manager_and_admin_take_steps(app: Any) -> None:
    pk = _policy_escalation(app)
    for role in ("moderator", "auditor"):
        client, csrf = _client(app, role)
        page = client.get(f"/escalations/{pk}")
        assert page.status_code == 200 and 'id="read-only"' in page.text
        refused = client.post(f"/escalations/{pk}/step", data={
            "csrf_token": csrf, "step": "comment", "note": "vu"})
        assert refused.status_code == 403
    assert _steps(app, pk) == []


def test_a_reviewers_escalation_closes_once_its_item_is_decided(app: Any) -> None:
    mod, mh = _client(app, "moderator")
    item = mod.get("/api/v1/queue").json()["items"][0]["item"]
    mod.post(f"/api/v1/queue/{item}/actions", json={"action": "escalate", "reason": "sensible"},
             headers={"x-csrf-token": mh})
    cm, csrf = _client(app, "community_manager")
    inbox = cm.get("/escalations")
    found = re.search(rf'data-escalation="(\d+)"[^>]*>.*?/items/{item}"', inbox.text, re.S)
    assert found, "the reviewer's escalation is listed with its item"
    pk = int(found.group(1))
    page = cm.get(f"/escalations/{pk}")
    assert 'id="decide-first"' in page.text and f'href="/items/{item}"' in page.text
    early = cm.post(f"/escalations/{pk}/step", data={
        "csrf_token": csrf, "step": "close", "note": "vu"})
    assert early.status_code == 409 and "décidez-en sur la page de l" in html.unescape(early.text)
    cm.post(f"/api/v1/queue/{item}/actions", json={"action": "approve", "reason": "légitime"},
            headers={"x-csrf-token": csrf})
    closed = cm.post(f"/api/v1/escalations/{pk}/steps", headers={"x-csrf-token": csrf},
                     json={"step": "close", "note": "Critique légitime, rien à retirer"})
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "closed" and closed.json()["by"] == "community_manager"
    view = cm.get(f"/api/v1/escalations/{pk}").json()
    assert view["escalation"]["handling"] == "closed"
    kinds = [s["kind"] for s in view["steps"]]
    assert kinds[0] == "escalated" and kinds[-1] == "escalation_closed"
    again = cm.post(f"/api/v1/escalations/{pk}/steps", headers={"x-csrf-token": csrf},
                    json={"step": "close", "note": "encore"})
    assert again.status_code == 409 and again.json()["code"] == "invalid_escalation_step"


def test_the_inbox_lists_open_escalations_by_default(app: Any) -> None:
    cm, csrf = _client(app, "community_manager")
    pk = _policy_escalation(app)
    cm.post(f"/escalations/{pk}/step", data={"csrf_token": csrf, "step": "close",
                                              "note": "fait"})
    assert f'data-escalation="{pk}"' not in cm.get("/escalations").text
    assert f'data-escalation="{pk}"' in cm.get("/escalations?state=closed").text
    assert f'data-escalation="{pk}"' in cm.get("/escalations?state=all").text


def test_the_page_in_english(app: Any) -> None:
    cm, _ = _client(app, "community_manager")
    cm.get("/lang/en?next=/queue")
    text = _text(cm.get(f"/escalations/{_policy_escalation(app)}").text)
    assert "Escalation" in text and "Assigned to: nobody" in text
    assert "test keyword grumble (score 0.95)" in text  # the detector's own sentence
    assert "Close the escalation" in text


@pytest.mark.parametrize("path", ["/escalations", "/escalations/1"])
def test_a_warning_when_no_channel_is_configured(tmp_path: Path, path: str) -> None:
    app = make_app(tmp_path)
    add_users(app)
    seed(app, 5)
    client, _ = _client(app, "community_manager")
    page = client.get(path)
    assert page.status_code == 200
    assert 'id="no-channel"' in page.text
    assert "Aucun canal de notification n&#39;est configuré" in page.text


@pytest.mark.parametrize("path", ["/escalations", "/escalations/1"])
def test_no_warning_once_a_channel_is_configured(tmp_path: Path, path: str) -> None:
    from factories import TEST_POLICY
    from vigie.store.settings import StoreSettings
    from vigie.store.store import open_store
    from vigie.web import create_app, load_web_settings
    from web_support import keyword_pipeline

    store = open_store(settings=StoreSettings(
        database_url=str(tmp_path / "hooked.sqlite"),
        escalation={"webhooks": [{"url": "https://hooks.example/teams", "flavour": "teams"}]}))
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(TEST_POLICY, encoding="utf-8")
    app = create_app(load_web_settings(env={}, mode="test", database_url=store.settings
                                       .database_url, policy_path=policy_file,
                                       fast_password_hashing=True),
                     store=store, pipeline=keyword_pipeline())
    try:
        add_users(app)
        seed(app, 5)
        client, _ = _client(app, "community_manager")
        page = client.get(path)
        assert page.status_code == 200 and "Escalade" in page.text
        assert 'id="no-channel"' not in page.text
    finally:
        store.dispose()


@pytest.mark.parametrize(("platform", "comment", "post", "url"), [
    ("youtube", "yt:UgzD7vKQe3xJ4mT2bW14AaABAg", "yt:dQw4w9WgXcQ",
     "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=UgzD7vKQe3xJ4mT2bW14AaABAg"),
    ("youtube", "yt:UgzD7vKQe3xJ4mT2bW14AaABAg.9xYz_AbC", "yt:dQw4w9WgXcQ",
     "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=UgzD7vKQe3xJ4mT2bW14AaABAg.9xYz_AbC"),
    ("x", "x:1790012345678901234", None, "https://x.com/i/web/status/1790012345678901234"),
    ("bluesky", "bsky:at://did:plc:4xk2abcd/app.bsky.feed.post/3kq2xyzw", "bsky:at://x",
     "https://bsky.app/profile/did:plc:4xk2abcd/post/3kq2xyzw"),
    # Hard negatives: no address rather than a wrong one.
    ("youtube", "yt:UgzD7vKQe3xJ4mT2bW14AaABAg", None, None),     # the video is unknown
    ("youtube", "fb:t-3", "fb:p-0", None),                          # not YouTube ids
    ("x", "x:t-3", None, None),
    ("facebook", "fb:123_456", "fb:123", None),                     # needs the page's name
    ("wordpress", "wp:www.polymtl.ca/12", "wp:www.polymtl.ca/3", None),
])
def test_platform_links_only_where_the_ids_give_one(platform: str, comment: str,
                                                    post: str | None, url: str | None) -> None:
    assert platform_url(platform, comment, post) == url
