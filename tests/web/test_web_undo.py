"""Automatic actions: listed with filters, undone through the outbox where the platform allows,
said plainly where it does not, appealed from the dashboard; every step in the audit chain.

Runs on SQLite and PostgreSQL (``db_url``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from vigie.actions import Action
from vigie.store.events import verify_chain
from vigie.store.schema import events, outbox, strikes
from vigie.web.reversal import reversal_for
from web_support import login, seeded_app


@pytest.fixture
def app(tmp_path: Path, db_url: str):  # type: ignore[no-untyped-def]
    return seeded_app(tmp_path, db_url, 60)


def _client(app: Any, role: str) -> tuple[TestClient, dict[str, str]]:
    client = TestClient(app)
    return client, {"x-csrf-token": login(client, role)}


def _actions(client: TestClient, query: str = "") -> list[dict[str, Any]]:
    answer = client.get(f"/api/v1/actions?limit=500&{query}")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["actions"])


def _one(rows: list[dict[str, Any]], action: str, platform: str) -> dict[str, Any]:
    return next(r for r in rows if r["action"] == action and r["comment"]["platform"] == platform)


def _events_of(app: Any, kinds: set[str]) -> list[Any]:
    with app.state.vigie.store.read() as conn:
        return [r for r in conn.execute(select(events).order_by(events.c.seq)) if r.kind in kinds]


def test_the_list_holds_every_takedown_and_filters(app) -> None:  # type: ignore[no-untyped-def]
    client, _ = _client(app, "auditor")
    rows = _actions(client)
    assert {r["action"] for r in rows} == {"hide", "remove", "block"}
    assert all(r["standing"] == "active" for r in rows)
    assert [r["decision"] for r in rows] == sorted((r["decision"] for r in rows), reverse=True)
    hides = _actions(client, "action=hide")
    assert hides and all(r["action"] == "hide" for r in hides)
    yt = _actions(client, "platform=youtube")
    assert yt and all(r["comment"]["platform"] == "youtube" for r in yt)
    assert len(hides) + len(_actions(client, "action=remove")) + len(
        _actions(client, "action=block")) == len(rows)
    assert _actions(client, "since=2999-01-01") == []
    assert len(_actions(client, "until=2999-01-01&since=2000-01-01")) == len(rows)
    # Keyset pages cover the list once each.
    first = client.get("/api/v1/actions?limit=5").json()
    second = client.get(f"/api/v1/actions?limit=5&before={first['next_before']}").json()
    assert [r["decision"] for r in first["actions"] + second["actions"]] == [
        r["decision"] for r in rows[:10]]
    assert client.get("/actions").status_code == 200


def test_restore_on_facebook_goes_through_the_outbox_and_the_audit_chain(app) -> None:  # type: ignore[no-untyped-def]
    client, h = _client(app, "moderator")
    row = _one(_actions(client), "remove", "facebook")
    assert row["restore"] == {"on_platform": True, "reason": "undo.restore_ok",
                              "operations": ["hide"]}
    answer = client.post(f"/api/v1/actions/{row['comment']['pk']}/undo",
                         json={"kind": "restore", "reason": "faux positif (test)"}, headers=h)
    assert answer.status_code == 200, answer.text
    assert answer.json()["on_platform"] is True
    after = next(r for r in _actions(client) if r["decision"] == row["decision"])
    assert after["standing"] == "undone" and after["taken_down"] is False
    assert after["item"]["outcome"] == "restore"
    store = app.state.vigie.store
    with store.read() as conn:
        kinds = [r.kind for r in conn.execute(select(outbox.c.kind).where(
            outbox.c.comment_id == row["comment"]["id"]))]
        voided = conn.execute(select(strikes.c.voided_at).where(
            strikes.c.comment_pk == row["comment"]["pk"])).scalars().all()
        assert verify_chain(conn).ok
    assert "restore_comment" in kinds
    assert voided and all(v is not None for v in voided)
    mine = [e for e in _events_of(app, {"review_opened", "appealed", "reviewed", "restored",
                                        "action_planned", "strike_voided"})
            if e.actor == "moderator"]
    assert {"review_opened", "reviewed", "restored", "action_planned"} <= {e.kind for e in mine}
    # A second restore is refused, in words the page can translate.
    again = client.post(f"/api/v1/actions/{row['comment']['pk']}/undo",
                        json={"kind": "restore", "reason": "encore"}, headers=h)
    assert again.status_code == 409 and again.json()["code"] == "already_up"


def test_a_youtube_rejection_is_reversed_in_vigie_and_said_final(app) -> None:  # type: ignore[no-untyped-def]
    client, h = _client(app, "community_manager")
    row = _one(_actions(client), "remove", "youtube")
    assert row["restore"]["on_platform"] is False
    assert row["restore"]["reason"] == "undo.final_youtube"
    page = client.get("/actions?platform=youtube&action=remove")
    assert "YouTube ne permet pas de republier un commentaire rejeté" in page.text
    answer = client.post(f"/actions/{row['comment']['pk']}/undo", data={
        "kind": "restore", "reason": "faux positif", "csrf_token": h["x-csrf-token"]},
        follow_redirects=False)
    assert answer.status_code == 303
    assert "msg=undo.done_restore_vigie" in answer.headers["location"]
    assert "note=undo.final_youtube" in answer.headers["location"]
    shown = client.get(answer.headers["location"])
    assert "mais la plateforme ne peut pas remettre le commentaire en ligne" in shown.text
    assert "YouTube ne permet pas" in shown.text
    after = next(r for r in _actions(client) if r["decision"] == row["decision"])
    assert after["standing"] == "undone"


def test_unblock_only_lifts_the_block_and_keeps_the_comment_down(app) -> None:  # type: ignore[no-untyped-def]
    client, h = _client(app, "moderator")
    row = _one(_actions(client), "block", "facebook")
    assert row["author_blocked"] is True and row["unblock"]["on_platform"] is True
    answer = client.post(f"/api/v1/actions/{row['comment']['pk']}/undo",
                         json={"kind": "unblock", "reason": "blocage excessif"}, headers=h)
    assert answer.status_code == 200, answer.text
    after = next(r for r in _actions(client) if r["decision"] == row["decision"])
    assert after["author_blocked"] is False and after["taken_down"] is True
    with app.state.vigie.store.read() as conn:
        kinds = set(conn.execute(select(outbox.c.kind).where(
            outbox.c.author_id.is_not(None), outbox.c.kind == "unblock_author")).scalars())
    assert kinds == {"unblock_author"}


def test_an_appeal_from_the_dashboard_lands_in_the_queue(app) -> None:  # type: ignore[no-untyped-def]
    client, h = _client(app, "moderator")
    row = _one(_actions(client), "hide", "facebook")
    answer = client.post(f"/actions/{row['comment']['pk']}/appeal", data={
        "reason": "Je citais une insulte pour la dénoncer", "author": "Auteur (courriel)",
        "csrf_token": h["x-csrf-token"]}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/items/")
    item = int(answer.headers["location"].split("/")[2].split("?")[0])
    queue = client.get("/api/v1/queue?state=open&limit=200").json()
    assert item in [i["item"] for i in queue["items"]]
    appealed = _events_of(app, {"review_opened"})[-1]
    assert appealed.actor == "moderator (for Auteur (courriel))"
    assert "dénoncer" in appealed.payload
    after = next(r for r in _actions(client) if r["decision"] == row["decision"])
    assert after["standing"] == "review"
    twice = client.post(f"/api/v1/actions/{row['comment']['pk']}/appeal",
                        json={"reason": "encore"}, headers=h)
    assert twice.status_code == 409 and twice.json()["code"] == "already_review"
    # An undo of an item already under review resolves that item, opening no other.
    done = client.post(f"/api/v1/actions/{row['comment']['pk']}/undo",
                       json={"kind": "restore", "reason": "appel accepté"}, headers=h)
    assert done.json()["item"] == item


def test_refusals_are_translated_on_the_page(app) -> None:  # type: ignore[no-untyped-def]
    client, h = _client(app, "moderator")
    row = _one(_actions(client), "hide", "facebook")
    empty = client.post(f"/actions/{row['comment']['pk']}/undo", data={
        "kind": "restore", "reason": " ", "csrf_token": h["x-csrf-token"]})
    assert empty.status_code == 409
    assert "Un motif est requis pour annuler ou faire appel." in empty.text
    not_auto = client.post("/api/v1/actions/999999/undo", json={"reason": "x"}, headers=h)
    assert not_auto.status_code == 409 and not_auto.json()["code"] == "not_automatic"


@pytest.mark.parametrize(("platform", "action", "kind", "applied", "on_platform", "reason"), [
    ("facebook", "hide", "restore", None, True, "undo.restore_ok"),
    ("facebook", "remove", "restore", ("delete",), False, "undo.final"),
    ("instagram", "remove", "restore", None, True, "undo.restore_ok"),
    ("youtube", "hide", "restore", None, True, "undo.restore_ok"),       # held: publish
    ("youtube", "remove", "restore", None, False, "undo.final_youtube"),  # rejected
    ("youtube", "block", "unblock", None, False, "undo.no_unblock_youtube"),
    ("linkedin", "remove", "restore", None, False, "undo.final_linkedin"),
    ("linkedin", "hide", "restore", None, False, "undo.nothing_taken_down"),
    ("instagram", "block", "unblock", None, False, "undo.no_block_applied"),
    ("x", "block", "unblock", None, True, "undo.unblock_ok"),
    ("x", "remove", "restore", ("hide",), True, "undo.restore_ok"),
])
def test_what_each_platform_can_undo(platform: str, action: str, kind: str,
                                     applied: tuple[str, ...] | None, on_platform: bool,
                                     reason: str) -> None:
    r = reversal_for(platform, Action(action), kind, applied)  # type: ignore[arg-type]
    assert (r.on_platform, r.reason) == (on_platform, reason)
