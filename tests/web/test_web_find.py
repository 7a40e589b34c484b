"""Find: the queue and the automatic actions searched by text, author, page, platform,
category, action and date range; every match exported as CSV (UTF-8 with a BOM, headers in the
reader's language) and JSON, all pages together.

API and exports on SQLite and PostgreSQL (``db_url``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vigie.web.export import BOM, safe_cell
from web_support import login, seeded_app


@pytest.fixture
def client(tmp_path: Path, db_url: str) -> TestClient:
    app = seeded_app(tmp_path, db_url, 60)
    client = TestClient(app)
    login(client, "moderator")
    return client


def _items(client: TestClient, query: str) -> list[dict[str, Any]]:
    answer = client.get(f"/api/v1/queue?limit=200&{query}")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def test_search_by_text_author_page_and_action(client: TestClient) -> None:
    everything = _items(client, "state=open")
    assert len([i for i in everything if "MAYBEHATE" in i["comment"]["text"]]) == 12
    one = _items(client, "q=commentaire 25 avec")
    assert [i["comment"]["id"] for i in one] == ["fb:t-25"]
    assert _items(client, "q=COMMENTAIRE 25 AVEC") == one  # case does not matter
    assert _items(client, "q=100%25") == []  # a % is searched, not a wildcard
    by_author = _items(client, "author=auteur 3")
    assert by_author and {i["author"]["name"] for i in by_author} == {"Auteur 3"}
    assert _items(client, "author=fb:u-3") == by_author
    page = _items(client, "post=fb:p-2")
    assert page and {i["comment"]["post_id"] for i in page} == {"fb:p-2"}
    assert len(_items(client, "action=review")) == len(everything)
    assert _items(client, "action=remove") == []
    mixed = _items(client, "platform=youtube&category=hate&q=avec")
    assert mixed and all(i["comment"]["platform"] == "youtube" for i in mixed)


def test_date_range_is_in_the_readers_days(client: TestClient) -> None:
    created = sorted(dt.datetime.fromisoformat(i["comment"]["created_at"])
                     for i in _items(client, "state=open"))
    day = created[0].astimezone(dt.timezone(dt.timedelta(hours=-5))).date()
    later = (day + dt.timedelta(days=1)).isoformat()
    assert len(_items(client, f"since={day.isoformat()}&until={day.isoformat()}")) >= 1
    assert _items(client, f"since={later}&until={later}") == []
    assert len(_items(client, "since=not-a-date")) == len(created)  # ignored, not an error


def test_csv_export_opens_as_utf8_in_a_spreadsheet(client: TestClient) -> None:
    answer = client.get("/queue.csv?state=open&platform=facebook")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="vigie-file.csv"' in answer.headers["content-disposition"]
    raw = answer.content
    assert raw.startswith(BOM.encode("utf-8"))
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "élément" and "écrit le" in rows[0]  # French headers
    expected = _items(client, "state=open&platform=facebook")
    assert [int(r[0]) for r in rows[1:]] == [i["item"] for i in expected]
    assert all("<b>balise</b>" in r[-1] for r in rows[1:])
    client.get("/lang/en?next=/queue")
    assert client.get("/queue.csv").content.decode("utf-8-sig").startswith("item,state")


def test_exports_hold_every_page(client: TestClient) -> None:
    taken = client.get("/api/v1/actions?limit=500").json()["actions"]
    assert len(taken) > 20
    # 60 records: more rows than one page of the page size below.
    data = json.loads(client.get("/actions.json?platform=facebook").content)
    assert [a["decision"] for a in data["actions"]] == [
        a["decision"] for a in taken if a["comment"]["platform"] == "facebook"]
    rows = list(csv.reader(io.StringIO(client.get("/actions.csv?q=HATEWORD").content
                                       .decode("utf-8-sig"))))
    assert len(rows) - 1 == len([a for a in taken if "HATEWORD" in a["comment"]["text"]])
    queue = json.loads(client.get("/queue.json?state=open").content)["items"]
    assert len(queue) == len(_items(client, "state=open"))
    audit = client.get("/audit.csv").content
    assert audit.startswith(BOM.encode("utf-8"))
    events = json.loads(client.get("/audit.json?kind=decided").content)["events"]
    assert len(events) == 60


def test_formula_cells_are_defused() -> None:
    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert safe_cell("-1") == "'-1" and safe_cell("ok") == "ok" and safe_cell(None) == ""
    assert safe_cell({"a": "é"}) == '{"a": "é"}'


def test_the_export_reader_walks_every_page(client: TestClient) -> None:
    from vigie.web.queries import QueueFilter, iter_queue

    ctx = client.app.state.vigie  # type: ignore[attr-defined]
    with ctx.read() as conn:
        paged = [r.item_pk for r in iter_queue(conn, QueueFilter(), ctx.store.now(),
                                               page_size=5)]
        capped = [r.item_pk for r in iter_queue(conn, QueueFilter(), ctx.store.now(), cap=7,
                                                page_size=5)]
    assert paged == [i["item"] for i in _items(client, "state=open")]
    assert capped == paged[:7]
