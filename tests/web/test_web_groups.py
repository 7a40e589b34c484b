"""Groups: copies of one text from several accounts (coordination) shown once in the queue,
their members linked on the group's page, decided together (each in the audit log).

API and pages on SQLite and PostgreSQL (``db_url``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from vigie.store.schema import events
from web_support import coordination_app, login


@pytest.fixture
def app(tmp_path: Path, db_url: str) -> FastAPI:
    return coordination_app(tmp_path, db_url)


def test_copies_form_one_group_shown_once(app: FastAPI) -> None:
    client = TestClient(app)
    login(client, "moderator")
    groups = client.get("/api/v1/groups").json()["groups"]
    assert len(groups) == 1
    group = groups[0]
    # The first copy names nobody and was allowed (no finding): the four later copies, which
    # name it and each other, are the group in the queue; the first is shown beside it.
    assert sorted(group["comment_ids"]) == [f"fb:c-{i}" for i in range(1, 5)]
    assert group["lead"] == min(group["items"])
    page = client.get("/queue").text
    shown = [int(x) for x in re.findall(r'<tr data-item="(\d+)"', page)]
    assert group["lead"] in shown
    assert not set(group["items"][1:]) & set(shown)  # the other copies are folded in
    assert 'data-group-size="4"' in page
    every = client.get("/queue?grouped=0").text
    assert set(group["items"]) <= {int(x) for x in re.findall(r'<tr data-item="(\d+)"', every)}
    members = client.get(f"/groups/{group['items'][2]}")  # any member leads to the group
    assert members.status_code == 200
    for item in group["items"]:
        assert f'href="/items/{item}"' in members.text
    outside = members.text[members.text.index('id="group-related"'):]
    assert outside.count("<li>") == 1 and "Compte 0" in outside
    assert "Même texte qu&#39;un autre compte" in members.text or \
        "Même texte qu'un autre compte" in members.text
    assert client.get("/groups/1").status_code == 404  # a lone item is in no group


def test_a_group_is_decided_together_and_each_member_audited(app: FastAPI) -> None:
    client = TestClient(app)
    csrf = login(client, "moderator")
    lead = client.get("/api/v1/groups").json()["groups"][0]["lead"]
    answer = client.post(f"/groups/{lead}/action", data={
        "action": "remove", "reason": "Contraire à la clause 3 (Publication coordonnée)",
        "csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303 and "msg=group.done" in answer.headers["location"]
    assert client.get("/api/v1/groups").json()["groups"] == []  # nothing left open
    closed = client.get("/api/v1/groups?state=closed").json()["groups"]
    assert len(closed) == 1 and closed[0]["lead"] == lead
    with app.state.vigie.store.read() as conn:
        reviewed = [r for r in conn.execute(select(events).where(events.c.kind == "reviewed"))]
    assert sorted(int(r.subject_id) for r in reviewed) == closed[0]["items"]
    assert all(r.actor == "moderator" and "clause 3" in r.payload for r in reviewed)


def test_the_group_api_decides_and_reports_each_member(app: FastAPI) -> None:
    client = TestClient(app)
    csrf = login(client, "moderator")
    lead = client.get("/api/v1/groups").json()["groups"][0]["lead"]
    body = client.get(f"/api/v1/groups/{lead}").json()
    assert len(body["items"]) == 4
    answer = client.post(f"/api/v1/groups/{lead}/actions", headers={"x-csrf-token": csrf},
                         json={"action": "approve", "reason": "pétition légitime"})
    assert answer.status_code == 200
    assert sorted(answer.json()["done"]) == sorted(i["item"] for i in body["items"])
