"""Review in one or two actions: preset reasons per clause (from the policy, or built from the
clause), save and next, the clause shown on the highlighted evidence, presets for bulk actions.

API and pages on SQLite and PostgreSQL (``db_url``)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from factories import TEST_POLICY, make_policy
from vigie.pipeline import Pipeline
from vigie.policy import parse_policy
from vigie.store.schema import events
from vigie.web import create_app, load_web_settings
from vigie.web.i18n import Translator
from vigie.web.presets import MAX_PRESETS, presets_for
from web_support import KeywordDetector, add_users, login, seed, seeded_app

REASONS = TEST_POLICY.replace(
    "    mitigated_by: [context.counter_speech]\n",
    "    mitigated_by: [context.counter_speech]\n"
    "    reasons:\n"
    "      - {action: remove, text: {fr: Propos haineux visant un groupe, en: Hate at a group}}\n"
    "      - {action: approve, text: {fr: Citation dénoncée, en: A quote denounced}}\n", 1)


@pytest.fixture
def app(tmp_path: Path, db_url: str):  # type: ignore[no-untyped-def]
    return seeded_app(tmp_path, db_url, 20)


def _open_items(client: TestClient) -> list[int]:
    return [i["item"] for i in client.get("/api/v1/queue?state=open&limit=200").json()["items"]]


def _forms(page: str) -> list[dict[str, str]]:
    out = []
    for form in re.findall(r'<form method="post" action="[^"]+" class="preset".*?</form>', page,
                           re.S):
        out.append({k: html.unescape(v)
                    for k, v in re.findall(r'name="(\w+)" value="([^"]*)"', form)})
    return out


def test_one_click_decides_with_the_clause_and_opens_the_next_item(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    csrf = login(client, "moderator")
    first, second = _open_items(client)[:2]
    page = client.get(f"/items/{first}")
    presets = _forms(page.text)
    assert presets[0]["action"] == "remove"
    assert presets[0]["reason"] == "Contraire à la clause 1 a (Haine)"
    assert presets[-1]["reason"] == "Conforme à la directive"
    assert 'id="shortcuts"' in page.text and "<kbd>1</kbd>" in page.text
    assert 'data-clause="1 a"' in page.text  # the clause next to the highlighted words
    answer = client.post(f"/items/{first}/action", data={**presets[0], "csrf_token": csrf},
                         follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/items/{second}?msg=item.done_next&done={first}"
    assert "voici l'élément suivant" in html.unescape(client.get(answer.headers["location"]).text)
    with app.state.vigie.store.read() as conn:
        last = conn.execute(select(events).where(events.c.kind == "reviewed")
                            .order_by(events.c.seq.desc())).first()
    assert last is not None and last.actor == "moderator" and last.subject_id == str(first)
    assert "Contraire à la clause 1 a (Haine)" in last.payload
    # In English, the same presets in English.
    client.get("/lang/en?next=/queue")
    assert _forms(client.get(f"/items/{second}").text)[0]["reason"] == "Breaches clause 1 a (Hate)"


def test_the_last_item_sends_back_to_the_queue(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    csrf = login(client, "moderator")
    items = _open_items(client)
    for pk in items[:-1]:
        client.post(f"/items/{pk}/action", data={"action": "approve", "reason": "ok",
                                                 "csrf_token": csrf})
    last = client.post(f"/items/{items[-1]}/action", data={
        "action": "approve", "reason": "ok", "next": "1", "csrf_token": csrf},
        follow_redirects=False)
    assert last.headers["location"] == "/queue?msg=item.queue_empty"


def test_presets_for_bulk_actions_are_offered_on_the_queue(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    login(client, "moderator")
    page = client.get("/queue").text
    options = re.findall(r'<datalist id="bulk-reasons">(.*?)</datalist>', page, re.S)[0]
    assert 'value="Contraire à la clause 1 b (Pourriel)"' in options


def test_policy_reasons_replace_the_built_ones(tmp_path: Path) -> None:
    policy_file = tmp_path / "reasons.yaml"
    policy_file.write_text(REASONS, encoding="utf-8")
    app = create_app(load_web_settings(
        env={}, mode="test", database_url=str(tmp_path / "r.sqlite"), policy_path=policy_file,
        fast_password_hashing=True),
        pipeline=Pipeline(parse_policy(REASONS, source="r.yaml"), [KeywordDetector()]))
    add_users(app)
    seed(app, 10)
    client = TestClient(app)
    login(client, "moderator")
    item = _open_items(client)[0]
    reasons = [f["reason"] for f in _forms(client.get(f"/items/{item}").text)]
    assert reasons == ["Propos haineux visant un groupe", "Citation dénoncée",
                       "Conforme à la directive"]


def test_an_empty_reasons_list_keeps_the_policy_digest() -> None:
    plain = make_policy()
    assert "reasons" not in plain.model_dump(mode="json")["categories"][0]
    with_reasons = parse_policy(REASONS, source="r.yaml")
    assert with_reasons.digest != plain.digest
    assert with_reasons.categories[0].reasons[0].text.fr == "Propos haineux visant un groupe"


def test_presets_are_capped_deduplicated_and_skip_redundant_escalation() -> None:
    policy = make_policy()
    t = Translator("fr")
    cats: list[dict[str, Any]] = [{"slug": s} for s in ("hate", "spam", "language",
                                                        "negative", "hate")]
    presets = presets_for(policy, cats, t)
    assert len(presets) == MAX_PRESETS
    assert [p.key for p in presets] == [str(i) for i in range(1, MAX_PRESETS + 1)]
    assert len({(p.action, p.text) for p in presets}) == len(presets)
    negative = presets_for(policy, [{"slug": "negative"}], t)
    assert [p.action for p in negative] == ["remove", "approve", "approve"]  # no escalate
    assert [p.text for p in presets_for(policy, [], t)] == ["Conforme à la directive"]
