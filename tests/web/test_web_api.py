"""The REST API end to end on a real database: submit, queue, reviewer actions through the
store (landing in the hash-chained audit log under the caller's name), escalations, policy
versions, statistics, audit export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from factories import TEST_POLICY
from vigie.store.events import verify_chain
from web_support import add_users, login, make_app, records, seed


@pytest.fixture
def app(tmp_path: Path):  # type: ignore[no-untyped-def]
    app = make_app(tmp_path)
    add_users(app)
    seed(app, 20)
    return app


def _client(app, role: str) -> tuple[TestClient, dict[str, str]]:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    csrf = login(client, role)
    return client, {"x-csrf-token": csrf}


def test_check_judges_without_storing(app) -> None:  # type: ignore[no-untyped-def]
    client, h = _client(app, "auditor")
    before = client.get("/api/v1/decisions?limit=500").json()["decisions"]
    answer = client.post("/api/v1/check", json={"text": "un HATEWORD ici"}, headers=h)
    assert answer.status_code == 200
    body = answer.json()
    assert body["action"] == "remove" and body["clauses"] == ["1 a"]
    assert body["categories"][0]["evidence"][0]["span"] == [3, 11]
    assert len(client.get("/api/v1/decisions?limit=500").json()["decisions"]) == len(before)


def test_submit_is_idempotent_and_validates_records(app) -> None:  # type: ignore[no-untyped-def]
    client, h = _client(app, "community_manager")
    fresh = records(25)[20:]
    first = client.post("/api/v1/comments", json={"comments": fresh}, headers=h)
    assert first.status_code == 200
    again = client.post("/api/v1/comments", json={"comments": fresh}, headers=h)
    assert again.json() == first.json()  # a comment is never decided twice
    bad = client.post("/api/v1/comments", json={"comments": [{"id": "x"}]}, headers=h)
    assert bad.status_code == 422 and "platform" in bad.json()["message"]


@pytest.mark.parametrize(("filters", "expect"), [
    ("", 4),                          # every MAYBEHATE comment is held for review
    ("category=hate", 4),
    ("category=spam", 0),
    ("platform=youtube", 2),          # ids 0, 15 of the 4 (0, 5, 10, 15) are on YouTube
    ("platform=linkedin", 0),
    ("post=fb:p-0", 2),
    ("age=1h", 4),
    ("age=older", 0),
    ("state=closed", 0),
])
def test_queue_filters(app, filters: str, expect: int) -> None:  # type: ignore[no-untyped-def]
    client, _ = _client(app, "auditor")
    answer = client.get(f"/api/v1/queue?{filters}")
    assert answer.status_code == 200
    assert answer.json()["total"] == expect
    assert len(answer.json()["items"]) == expect


def test_queue_keyset_pagination_visits_each_item_once(app) -> None:  # type: ignore[no-untyped-def]
    client, _ = _client(app, "auditor")
    seen, after = [], None
    while True:
        page = client.get("/api/v1/queue", params={"limit": 3, **({"after": after} if after
                                                                  else {})}).json()
        seen += [i["item"] for i in page["items"]]
        after = page["next_after"]
        if after is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 4


def test_review_action_lands_in_the_audit_chain_with_the_reviewer(app) -> None:  # type: ignore[no-untyped-def]
    client, h = _client(app, "moderator")
    item = client.get("/api/v1/queue").json()["items"][0]["item"]
    answer = client.post(f"/api/v1/queue/{item}/actions",
                         json={"action": "remove", "reason": "insulte"}, headers=h)
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "closed" and answer.json()["takedown"] is True
    again = client.post(f"/api/v1/queue/{item}/actions",
                        json={"action": "approve", "reason": "oops"}, headers=h)
    assert again.status_code == 409 and again.json()["code"] == "invalid_review_action"
    events = client.get("/api/v1/audit?kind=reviewed").json()["events"]
    assert events[0]["actor"] == "moderator"
    assert events[0]["payload"]["reason"] == "insulte"
    history = client.get(f"/api/v1/queue/{item}").json()["history"]
    assert [e["kind"] for e in history][-1] == "reviewed"
    with app.state.vigie.store.read() as conn:
        assert verify_chain(conn).ok


def test_token_actions_are_recorded_as_the_token_owner(app) -> None:  # type: ignore[no-untyped-def]
    client, h = _client(app, "admin")
    secret = client.post("/api/v1/tokens", json={"name": "bot", "role": "moderator"},
                         headers=h).json()["secret"]
    bot = TestClient(app)
    bearer = {"authorization": f"Bearer {secret}"}
    item = bot.get("/api/v1/queue", headers=bearer).json()["items"][0]["item"]
    assert bot.post(f"/api/v1/queue/{item}/actions", headers=bearer,
                    json={"action": "approve", "reason": "fine"}).status_code == 200
    event = client.get("/api/v1/audit?kind=reviewed").json()["events"][0]
    assert event["actor"] == "admin (api token)"


def test_only_the_community_manager_resolves_an_escalation(app) -> None:  # type: ignore[no-untyped-def]
    mod, mh = _client(app, "moderator")
    item = mod.get("/api/v1/queue").json()["items"][0]["item"]
    assert mod.post(f"/api/v1/queue/{item}/actions", headers=mh,
                    json={"action": "escalate", "reason": "sensible"}).status_code == 200
    refused = mod.post(f"/api/v1/queue/{item}/actions", headers=mh,
                       json={"action": "approve", "reason": "ok"})
    assert refused.status_code == 403
    cm, ch = _client(app, "community_manager")
    inbox = cm.get("/api/v1/escalations").json()["escalations"]
    assert any(e["review_pk"] == item for e in inbox)
    assert any(e["review_pk"] is None for e in inbox)  # the policy's own escalations (GRUMBLE)
    assert cm.post(f"/api/v1/queue/{item}/actions", headers=ch,
                   json={"action": "approve", "reason": "ok"}).json()["state"] == "closed"


def test_bulk_applies_each_item_on_its_own(app) -> None:  # type: ignore[no-untyped-def]
    client, h = _client(app, "moderator")
    items = [i["item"] for i in client.get("/api/v1/queue").json()["items"]]
    client.post(f"/api/v1/queue/{items[0]}/actions", headers=h,
                json={"action": "approve", "reason": "ok"})
    answer = client.post("/api/v1/queue/bulk", headers=h, json={
        "items": [*items, 999_999], "action": "approve", "reason": "lot"}).json()
    assert answer["done"] == items[1:]
    assert set(answer["refused"]) == {str(items[0]), "999999"}
    assert client.get("/api/v1/queue").json()["total"] == 0


def test_policy_propose_diff_approve(app) -> None:  # type: ignore[no-untyped-def]
    cm, ch = _client(app, "community_manager")
    first = cm.post("/api/v1/policy/versions", headers=ch, json={"yaml_text": TEST_POLICY})
    assert first.status_code == 200 and first.json()["approved_by"] is None
    changed = TEST_POLICY.replace('version: "1"', 'version: "2"').replace(
        "remove_threshold: 0.9", "remove_threshold: 0.95")
    second = cm.post("/api/v1/policy/versions", headers=ch, json={"yaml_text": changed}).json()
    diff = cm.get("/api/v1/policy/diff", params={"a": first.json()["digest"],
                                                 "b": second["digest"]}).json()["diff"]
    assert "-    remove_threshold: 0.9" in diff and "+    remove_threshold: 0.95" in diff
    refused = cm.post(f"/api/v1/policy/versions/{second['digest']}/approve", headers=ch,
                      json={"reference": "CA-1"})
    assert refused.status_code == 403  # approving is the admin's
    admin, ah = _client(app, "admin")
    approved = admin.post(f"/api/v1/policy/versions/{second['digest']}/approve", headers=ah,
                          json={"reference": "CA-2025-01"}).json()
    assert approved["approved_by"] == "admin" and approved["reference"] == "CA-2025-01"
    bad = cm.post("/api/v1/policy/versions", headers=ch, json={"yaml_text": "nope: 1"})
    assert bad.status_code == 422


def test_audit_csv_is_complete_and_defuses_formulas(app) -> None:  # type: ignore[no-untyped-def]
    client, h = _client(app, "moderator")
    item = client.get("/api/v1/queue").json()["items"][0]["item"]
    client.post(f"/api/v1/queue/{item}/actions", headers=h,
                json={"action": "comment", "reason": "=HYPERLINK(\"http://x\")"})
    answer = client.get("/api/v1/audit.csv")
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith(b"\xef\xbb\xbfseq,")  # a BOM, so Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    total = len(client.get("/api/v1/audit?limit=500").json()["events"])
    assert len(rows) == total
    assert [int(r["seq"]) for r in rows] == sorted(int(r["seq"]) for r in rows)
    assert not any(v.startswith("=") for r in rows for v in r.values())
    only = list(csv.DictReader(io.StringIO(
        client.get("/audit.csv?kind=reviewed").content.decode("utf-8-sig"))))
    assert {r["kind"] for r in only} == {"reviewed"}


def test_stats_count_reversed_removals(app) -> None:  # type: ignore[no-untyped-def]
    from vigie.store.queue import appeal

    client, h = _client(app, "community_manager")
    stats = client.get("/api/v1/stats").json()
    assert stats["total"]["comments"] == 20
    assert {r["key"]: r["comments"] for r in stats["rows"] if r["dimension"] == "category"} == {
        "hate": 8, "spam": 4, "negative": 4, "": 4}
    assert stats["total"]["auto_removals"] == 8 and stats["total"]["restored_rate"] == 0.0
    item = appeal(app.state.vigie.store, "fb:t-1", by="author", reason="je citais")
    client.post(f"/api/v1/queue/{item}/actions", headers=h,
                json={"action": "restore", "reason": "citation"})
    stats = client.get("/api/v1/stats").json()
    assert stats["total"]["restored"] == 1
    assert stats["total"]["restored_rate"] == pytest.approx(1 / 8)
    assert stats["total"]["decisions"] == 0  # an appeal's delay is not a review delay


def test_pages_registry(app) -> None:  # type: ignore[no-untyped-def]
    admin, ah = _client(app, "admin")
    page = {"platform": "facebook", "page_id": "123", "name": "Polytechnique Montréal"}
    assert admin.post("/api/v1/pages", headers=ah, json=page).status_code == 200
    assert admin.post("/api/v1/pages", headers=ah, json=page).status_code == 409
    assert [p["name"] for p in admin.get("/api/v1/pages").json()] == [page["name"]]
