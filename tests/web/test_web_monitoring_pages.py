"""The dashboard's monitoring pages on a real database (SQLite and PostgreSQL): the
pre-publication check (6.1), the registry and suspects, mentions, and flagged images blurred
on the item page."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, update

from vigie.monitoring.impersonation import Candidate, Suspect, save_suspects
from vigie.monitoring.registry import RegistryEntry, upsert_entries
from vigie.monitoring.tables import monitor_mentions
from vigie.store.schema import comments, decisions, review_items
from vigie.web.queries import attachments_of
from web_support import add_users, login, make_app, seed

# The test policy's institution is "Test U": a draft speaks in the names of the policy loaded.
DRAFT = "Au nom de Test U, je dénonce la fermeture de la bibliothèque."


@pytest.fixture
def app(tmp_path: Path, db_url: str):  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, db_url)
    add_users(app)
    seed(app, 6)
    store = app.state.vigie.store
    upsert_entries(store, [
        RegistryEntry(url="https://x.com/polymtl", name="Polytechnique Montréal",
                      unit="Service des communications", contact="comm@polymtl.ca",
                      status="official"),
        RegistryEntry(url="https://www.facebook.com/aep.poly", name="Association étudiante",
                      unit="AEP", contact="aep@example.org", status="affiliated"),
    ])
    save_suspects(store, [Suspect(Candidate("x", "https://x.com/po1ymtl", "po1ymtl",
                                            "Polytechnique Montréal officiel"), 0.91,
                                  ("handle imitates polymtl", "claims to be official"))])
    now = store.now()
    with store.begin() as conn:
        conn.execute(insert(monitor_mentions), [{
            "key": f"{i:064d}", "source": "Le Devoir", "url": f"https://www.ledevoir.com/a/{i}",
            "title": title, "snippet": "Polytechnique Montréal…", "published_at": now,
            "seen_at": now - dt.timedelta(minutes=i), "about": 0.97, "names": '["Polytechnique"]',
            "tone": tone, "tone_label": label, "explanation": "test",
            "alert_status": "none", "alert_attempts": 0,
        } for i, (title, tone, label) in enumerate([
            ("Grève à Polytechnique Montréal", -0.8, "negative"),
            ("Polytechnique inaugure un pavillon", 0.6, "positive"),
        ])])
        conn.execute(insert(monitor_mentions).values(
            key="j" * 64, source="Feed", url="javascript:alert(1)", title="Hostile link",
            seen_at=now, about=0.9, names="[]", tone=0.0, tone_label="neutral",
            explanation="x", alert_status="none", alert_attempts=0))
    return app


def _client(app, role: str) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    return client, login(client, role)


def test_draft_form_flags_speaking_for_the_institution_without_a_mandate(app) -> None:  # type: ignore[no-untyped-def]
    client, csrf = _client(app, "moderator")
    form = client.get("/draft")
    assert form.status_code == 200 and 'id="draft-form"' in form.text
    page = client.post("/draft", data={"text": DRAFT, "speaker": "@jdoe",
                                       "csrf_token": csrf})
    assert page.status_code == 200
    assert 'id="draft-findings"' in page.text
    assert '<td class="clause">6.1</td>' in page.text
    assert "À modifier avant de publier" in page.text
    assert "Parlez en votre nom" in page.text  # the suggestion, in French


def test_draft_form_examples_are_the_policys(app) -> None:  # type: ignore[no-untyped-def]
    # Placeholders name the policy's institution ("Test U"), never the bundled one.
    client, csrf = _client(app, "moderator")
    form = client.get("/draft").text
    assert 'placeholder="@testu"' in form
    checked = client.post("/draft", data={"text": "Bonjour à tous", "speaker": "@jdoe",
                                          "csrf_token": csrf}).text
    assert 'placeholder="nom@example.org"' in checked  # the supervisor to ask (6.3)
    for page in (form, checked):
        assert not re.search(r"polymtl|polytechni", page, re.I)


def test_draft_form_passes_the_registered_official_account(app) -> None:  # type: ignore[no-untyped-def]
    client, csrf = _client(app, "community_manager")
    page = client.post("/draft", data={"text": DRAFT, "speaker": "@polymtl",
                                       "csrf_token": csrf})
    assert page.status_code == 200
    assert "Prêt à publier" in page.text
    assert '<td class="clause">6.1</td>' not in page.text


def test_draft_form_refuses_an_empty_draft_and_a_missing_csrf_token(app) -> None:  # type: ignore[no-untyped-def]
    client, csrf = _client(app, "admin")
    assert client.post("/draft", data={"text": " ", "speaker": "@x",
                                       "csrf_token": csrf}).status_code == 422
    assert client.post("/draft", data={"text": DRAFT, "speaker": "@x"}).status_code == 403


def test_draft_api_returns_the_report(app) -> None:  # type: ignore[no-untyped-def]
    client, csrf = _client(app, "moderator")
    h = {"x-csrf-token": csrf}
    body = client.post("/api/v1/draft", json={"text": DRAFT, "speaker": "@jdoe"}, headers=h)
    assert body.status_code == 200, body.text
    report = body.json()
    assert report["ok"] is False and report["clauses"] == ["6.1"]
    assert report["findings"][0]["topic"] == "mandate"
    assert report["findings"][0]["span"] == [0, len("Au nom de Test U")]
    official = client.post("/api/v1/draft", json={"text": DRAFT, "speaker": "x:polymtl"},
                           headers=h).json()
    assert official["ok"] is True and official["mandated"] is True
    affiliated = client.post("/api/v1/draft", json={"text": DRAFT,
                                                    "speaker": "facebook:aep.poly"},
                             headers=h).json()
    assert affiliated["ok"] is False  # affiliated pages do not speak for the institution
    assert client.post("/api/v1/draft", json={"text": "  ", "speaker": "@x"},
                       headers=h).status_code == 422


def test_draft_sees_a_registry_change_without_a_restart(app) -> None:  # type: ignore[no-untyped-def]
    client, csrf = _client(app, "moderator")
    h = {"x-csrf-token": csrf}
    assert client.post("/api/v1/draft", json={"text": DRAFT, "speaker": "@jdoe"},
                       headers=h).json()["ok"] is False
    upsert_entries(app.state.vigie.store, [RegistryEntry(
        url="https://x.com/jdoe", name="J. Doe", unit="Direction", contact="j@polymtl.ca",
        status="official")])
    assert client.post("/api/v1/draft", json={"text": DRAFT, "speaker": "@jdoe"},
                       headers=h).json()["ok"] is True


def test_registry_page_lists_pages_and_suspects(app) -> None:  # type: ignore[no-untyped-def]
    client, _ = _client(app, "auditor")
    page = client.get("/registry")
    assert page.status_code == 200
    pages = page.text.split('id="registry-pages"')[1].split("</table>")[0]
    assert "https://x.com/polymtl" in pages and "Service des communications" in pages
    assert "officiel" in pages and "affilié" in pages
    suspects = page.text.split('id="registry-suspects"')[1].split("</table>")[0]
    assert "https://x.com/po1ymtl" in suspects and "handle imitates polymtl" in suspects
    assert 'href="/registry"' in page.text and 'href="/mentions"' in page.text  # navigation


def test_mentions_page_lists_mentions_with_tone_and_source_link(app) -> None:  # type: ignore[no-untyped-def]
    client, _ = _client(app, "auditor")
    page = client.get("/mentions")
    assert page.status_code == 200
    assert '<a href="https://www.ledevoir.com/a/0" rel="noopener noreferrer">Grève' in page.text
    assert "négatif" in page.text and "positif" in page.text
    assert 'href="javascript:' not in page.text  # only http(s) sources become links
    negative = client.get("/mentions?tone=negative").text
    assert "Grève" in negative and "pavillon" not in negative
    client.get("/lang/en?next=/mentions")
    assert "negative" in client.get("/mentions").text


def test_auditor_reads_the_pages_and_is_refused_every_write(app) -> None:  # type: ignore[no-untyped-def]
    client, csrf = _client(app, "auditor")
    for path in ("/registry", "/mentions", "/draft"):
        assert client.get(path).status_code == 200, path
    # The draft check writes nothing: the auditor may use it (documented choice).
    assert client.post("/draft", data={"text": DRAFT, "speaker": "@jdoe",
                                       "csrf_token": csrf}).status_code == 200
    writes = [("/items/1/action", {"action": "approve", "reason": "ok"}),
              ("/queue/bulk", {"items": "1", "action": "approve", "reason": "ok"}),
              ("/policy/propose", {"yaml_text": "x"}),
              ("/admin/pages", {"platform": "x", "page_id": "p", "name": "n"})]
    for path, data in writes:
        answer = client.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False)
        assert answer.status_code == 403, path


def _flag_first_item(app: Any) -> int:  # type: ignore[misc]
    """Give the first review item's comment an image and its decision image evidence."""
    store = app.state.vigie.store
    with store.begin() as conn:
        item_pk, comment_pk = conn.execute(select(review_items.c.pk, review_items.c.comment_pk)
                                           .order_by(review_items.c.pk)).first()
        payload = json.loads(conn.execute(select(comments.c.payload).where(
            comments.c.pk == comment_pk)).scalar_one())
        payload["attachments"] = [
            {"type": "image", "url": "https://cdn.example.org/a.jpg"},
            {"type": "image", "url": "https://cdn.example.org/cat.jpg"},
        ]
        body = json.loads(conn.execute(select(decisions.c.body).where(
            decisions.c.comment_pk == comment_pk)).scalar_one())
        body["categories"].append({
            "slug": "sexual", "clause": "6.4 e", "score": 0.95, "action": "remove",
            "mitigated": False, "evidence": [{
                "signal": "sexual.image_explicit", "score": 0.95,
                "detector": "vigie.images.nudenet.v1",
                "explanation": "explicit image 1: exposed genitalia (0.92) at 256,256 128x128 px",
                "span": None, "data": {"attachment": 1, "image_size": [640, 480],
                                       "regions": [{"label": "genitalia_exposed",
                                                    "confidence": 0.92,
                                                    "box": [256, 256, 128, 128]}]}}]})
        conn.execute(update(comments).where(comments.c.pk == comment_pk)
                     .values(payload=json.dumps(payload)))
        conn.execute(update(decisions).where(decisions.c.comment_pk == comment_pk)
                     .values(body=json.dumps(body)))
    return int(item_pk)


def test_item_page_blurs_a_flagged_image_until_revealed(app) -> None:  # type: ignore[no-untyped-def]
    item_pk = _flag_first_item(app)
    client, _ = _client(app, "moderator")
    html = client.get(f"/items/{item_pk}").text
    first = re.search(r'<figure class="([^"]*)" id="attachment-1"', html)
    second = re.search(r'<figure class="([^"]*)" id="attachment-2"', html)
    assert first and "media-blurred" in first.group(1)
    assert second and "media-blurred" not in second.group(1)
    assert 'class="reveal"' in html
    assert '<rect class="media-region" x="256" y="256" width="128" height="128">' in html
    assert "<img" not in html  # never hot-linked: the URL is shown as text only
    assert "<code>https://cdn.example.org/a.jpg</code>" in html
    css = client.get("/static/vigie.css").text
    assert ".media-blurred .media-body { filter: blur(24px); }" in css
    assert "revealed" in client.get("/static/vigie.js").text


@pytest.mark.parametrize(("signal", "data", "expect"), [
    ("sexual.image_explicit", {"attachment": 2}, [False, True]),
    ("sexual.image_suggestive", {}, [True, True]),        # no number: every image
    ("media.not_analysed", {"attachment": 1}, [True, False]),
    ("hate.slur", {"attachment": 1}, [False, False]),      # not image evidence
])
def test_attachments_of_flags_by_attachment_number(signal: str, data: dict[str, Any],
                                                   expect: list[bool]) -> None:
    payload = json.dumps({"attachments": [{"type": "image", "url": "https://a/1.png"},
                                          {"type": "gif", "url": "https://a/2.gif"}]})
    decision = {"categories": [{"evidence": [{"signal": signal, "data": data}]}]}
    assert [a["flagged"] for a in attachments_of(payload, decision)] == expect


def test_attachments_of_a_purged_comment_is_empty() -> None:
    assert attachments_of(None, {}) == []
    assert attachments_of("not json", {}) == []
