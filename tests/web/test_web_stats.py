"""The statistics' table: empty periods as zeros, one median, restored false removals, local
months; the page, its charts and exports on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vigie.web.stats import (
    BadStatsQuery,
    CommentFact,
    ReviewFact,
    StatsQuery,
    aggregate,
    make_query,
    median_hours,
)
from web_support import login, seeded_app

UTC = dt.UTC


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def _comment(at: str, action: str = "allow", *, platform: str = "facebook", post: str = "p1",
             categories: tuple[str, ...] = (), undone: bool = False) -> CommentFact:
    return CommentFact(_at(at), platform, post, categories, action, undone)


def _review(ingested: str, hours: float, platform: str = "facebook") -> ReviewFact:
    start = _at(ingested)
    return ReviewFact(start, start + dt.timedelta(hours=hours), platform, "p1", ())


def test_weeks_without_data_are_zero_rows() -> None:
    q = StatsQuery(dt.date(2026, 11, 2), dt.date(2026, 11, 29))  # four Monday-to-Sunday weeks
    table = aggregate(q, [_comment("2026-11-03T15:00"), _comment("2026-11-27T15:00", "remove")],
                      [])
    weeks = table.of("period")
    assert [r.key for r in weeks] == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
    assert [r.comments for r in weeks] == [1, 0, 0, 1]
    assert weeks[1].actions == dict.fromkeys(weeks[1].actions, 0)
    assert weeks[3].actions["remove"] == 1 and table.total.comments == 2


def test_a_range_starting_midweek_keeps_its_first_and_last_weeks() -> None:
    q = StatsQuery(dt.date(2026, 11, 4), dt.date(2026, 11, 18))  # Wednesday to Wednesday
    table = aggregate(q, [_comment("2026-11-03T15:00"), _comment("2026-11-04T15:00")], [])
    assert [r.key for r in table.of("period")] == ["2026-11-02", "2026-11-09", "2026-11-16"]
    assert table.total.comments == 1  # the Tuesday is before the first day


def test_the_median_has_one_definition_everywhere() -> None:
    q = StatsQuery(dt.date(2026, 11, 2), dt.date(2026, 11, 22))
    reviews = [_review("2026-11-02T14:00", h) for h in (1, 2, 3, 10)]  # week 1: even count
    reviews += [_review("2026-11-16T14:00", h, "youtube") for h in (1, 2, 100)]  # week 3: odd
    table = aggregate(q, [], reviews)
    weeks = table.of("period")
    assert [r.median_hours for r in weeks] == [2.5, None, 2.0]  # no decision → none, not 0
    assert [r.decisions for r in weeks] == [4, 0, 3]
    assert table.total.median_hours == 2.0  # 1 1 2 [2] 3 10 100: the same rule on all seven
    platforms = {r.key: r.median_hours for r in table.of("platform")}
    assert platforms == {"facebook": 2.5, "youtube": 2.0}
    assert median_hours([]) is None and median_hours([4.0, 1.0]) == 2.5


def test_restored_false_removals_are_counted_on_takedowns_only() -> None:
    q = StatsQuery(dt.date(2026, 11, 2), dt.date(2026, 11, 8))
    facts = [_comment("2026-11-03T15:00", "remove", undone=True, categories=("hate",)),
             _comment("2026-11-03T15:00", "hide", undone=True, categories=("spam",)),
             _comment("2026-11-03T15:00", "block"),
             _comment("2026-11-03T15:00", "remove"),
             _comment("2026-11-03T15:00", "review", undone=True)]  # not a takedown
    table = aggregate(q, facts, [])
    assert table.total.auto_removals == 4 and table.total.restored == 2
    assert table.total.restored_rate == 0.5
    categories = {r.key: (r.comments, r.restored) for r in table.of("category")}
    assert categories == {"hate": (1, 1), "spam": (1, 1), "": (3, 0)}


def test_months_are_cut_at_midnight_in_montreal() -> None:
    q = StatsQuery(dt.date(2026, 10, 1), dt.date(2026, 12, 31), period="month")
    facts = [_comment("2026-11-01T03:30"),  # 31 Oct 23:30 EDT → October
             _comment("2026-11-01T04:30"),  # 1 Nov 00:30 EDT → November
             _comment("2026-12-01T04:30"),  # 30 Nov 23:30 EST → November
             _comment("2026-12-01T05:30")]  # 1 Dec 00:30 EST → December
    months = {r.key: r.comments for r in aggregate(q, facts, []).of("period")}
    assert months == {"2026-10-01": 1, "2026-11-01": 2, "2026-12-01": 1}
    utc = {r.key: r.comments for r in aggregate(
        StatsQuery(q.first, q.last, "month", zone="UTC"), facts, []).of("period")}
    assert utc == {"2026-10-01": 0, "2026-11-01": 2, "2026-12-01": 2}


def test_the_range_bounds_are_local_midnights() -> None:
    start, end = StatsQuery(dt.date(2026, 11, 1), dt.date(2026, 11, 30)).bounds()
    assert start == _at("2026-11-01T04:00") and end == _at("2026-12-01T05:00")  # EDT, EST


@pytest.mark.parametrize(("fields", "key"), [
    ({"since": "2026-13-01"}, "stats.bad_since"),
    ({"until": "hier"}, "stats.bad_until"),
    ({"since": "2026-12-01", "until": "2026-11-01"}, "stats.bad_range"),
    ({"since": "2010-01-01", "until": "2026-01-01"}, "stats.too_long"),
    ({"period": "day"}, "stats.bad_period"),
])
def test_bad_filters_are_refused_with_a_reason(fields: dict[str, str], key: str) -> None:
    with pytest.raises(BadStatsQuery) as refused:
        make_query(dt.date(2026, 12, 7), **fields)
    assert refused.value.key == key


def test_default_range_is_twelve_weeks_to_today() -> None:
    q = make_query(dt.date(2026, 12, 7))
    assert (q.first, q.last, q.period) == (dt.date(2026, 9, 15), dt.date(2026, 12, 7), "week")
    assert make_query(dt.date(2026, 12, 7), since="2026-01-05").last == dt.date(2026, 3, 29)


def test_no_chart_label_is_cut_at_either_width() -> None:
    from vigie.web.charts import Chart, Series, figure

    long = ("6.4 b Propos haineux envers un groupe protégé par la Charte québécoise",
            "6.4 k Pollupostage et liens sans rapport", "facebook:page-officielle-123456789")
    charts = [Chart("bars", long, (Series("n", (1234.0, 56.0, 7.0), "#000"),), "commentaires",
                    "rien", "fr"),
              Chart("stacked", tuple(f"{d} nov.\n2026" for d in range(1, 27)), tuple(
                  Series(a, tuple(float(i % 5) for i in range(26)), "#123456")
                  for a in ("permis", "à réviser", "escalade", "masqué", "retiré", "bloqué")),
                  "commentaires", "rien", "fr")]
    for chart in charts:
        for layout in ("wide", "narrow"):
            fig = figure(chart, layout)  # type: ignore[arg-type]
            fig.draw_without_rendering()  # runs the layout, as savefig does
            # Everything drawn (labels, ticks in view, legend), in inches, inside the figure.
            drawn, frame = fig.get_tightbbox(), fig.bbox_inches
            assert drawn.x0 >= frame.x0 - 0.01 and drawn.x1 <= frame.x1 + 0.01, layout
            assert drawn.y0 >= frame.y0 - 0.01 and drawn.y1 <= frame.y1 + 0.01, layout


@pytest.fixture
def client(tmp_path: Path, db_url: str) -> TestClient:
    app = seeded_app(tmp_path, db_url, 20)
    client = TestClient(app)
    client.headers["x-csrf-token"] = login(client, "community_manager")
    return client


def test_page_exports_and_api_show_the_same_table(client: TestClient) -> None:
    from vigie.store.queue import appeal

    store = client.app.state.vigie.store  # type: ignore[attr-defined]
    item = appeal(store, "fb:t-1", by="author", reason="je citais")  # an automatic removal
    client.post(f"/api/v1/queue/{item}/actions", json={"action": "restore", "reason": "citation"})
    queue = client.get("/api/v1/queue?state=open&limit=5").json()["items"]
    client.post(f"/api/v1/queue/{queue[0]['item']}/actions",
                json={"action": "approve", "reason": "correct"})

    api = client.get("/api/v1/stats").json()
    total = api["total"]
    assert (total["comments"], total["restored"], total["decisions"]) == (20, 1, 1)
    assert total["median_hours"] is not None and total["median_hours"] >= 0
    periods = [r for r in api["rows"] if r["dimension"] == "period"]
    assert len(periods) in (12, 13)  # every week of the 84 days, the empty ones too
    assert sum(r["comments"] for r in periods) == 20
    assert sum(r["comments"] == 0 for r in periods) >= len(periods) - 2

    raw = client.get("/stats.csv").content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["dimension", "clé", "libellé", "commentaires"]
    assert len(rows) - 1 == len(api["rows"])
    exported = json.loads(client.get("/stats.json").content)["rows"]
    assert [(r["dimension"], r["key"], r["comments"]) for r in exported] == [
        (r["dimension"], r["key"], r["comments"]) for r in api["rows"]]

    only = client.get("/api/v1/stats?platform=youtube&period=month").json()
    assert only["total"]["comments"] == 7  # records 0, 3, ..., 18
    assert {r["key"] for r in only["rows"] if r["dimension"] == "platform"} == {"youtube"}
    assert all(r["key"].endswith("-01") for r in only["rows"] if r["dimension"] == "period")
    hate = client.get("/api/v1/stats?category=hate").json()["total"]
    assert hate["comments"] == 8 and hate["restored"] == 1

    page = client.get("/stats?period=month")
    assert page.status_code == 200 and 'id="median-definition"' in page.text
    assert "/stats.csv?" in page.text and "period=month" in page.text
    chart = client.get("/stats/charts/volume.svg?size=narrow")
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert chart.text.startswith("<?xml") and "<svg" in chart.text


def test_bad_filters_answer_in_the_readers_language(client: TestClient) -> None:
    page = client.get("/stats?since=2026-12-01&until=2026-11-01")
    assert page.status_code == 400
    assert "La date de fin précède la date de début." in page.text
    assert client.get("/stats.csv?since=demain").status_code == 400
    assert client.get("/api/v1/stats?period=day").status_code == 400
