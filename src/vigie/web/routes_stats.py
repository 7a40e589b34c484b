"""The statistics page, its charts, its CSV and JSON exports and ``GET /api/v1/stats``.

Every one of them reads the same filters (days, period, platform, page, category) and the same
table (:mod:`vigie.web.stats`): the charts draw its rows, the page prints them, the exports
hold them. Charts are separate SVG images (``/stats/charts/NAME.svg``): the page's ``<picture>``
asks for the wide or the narrow one, and Matplotlib's SVG keeps its styles inside the image,
where the page's Content-Security-Policy does not reach.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from vigie.web.auth import Reader
from vigie.web.charts import COLORS, Chart, Series, svg
from vigie.web.context import web_context
from vigie.web.export import csv_response, json_response
from vigie.web.i18n import Translator, translator
from vigie.web.queries import filter_choices
from vigie.web.schemas import error_responses
from vigie.web.service import stats_for
from vigie.web.stats import (
    ACTIONS,
    DIMENSIONS,
    BadStatsQuery,
    StatRow,
    StatsQuery,
    StatsTable,
    make_query,
)
from vigie.web.templating import formats_of, lang_of, render

__all__ = ["CHARTS", "api_router", "router"]

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", responses=error_responses(
    e400="a malformed date, a range backwards or longer than five years"))

#: The page's charts, in order.
CHARTS = ("volume", "removals", "delay", "category", "platform", "page")
#: Pages (posts) drawn in the chart; the table and the exports hold all of them.
TOP_PAGES = 10
#: The SVG's own policy: its inline styles, nothing else (it is only ever an image).
_SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
_COLUMNS = ("dimension", "key", "label", "comments", *ACTIONS, "auto_removals", "restored",
            "restored_rate", "decisions", "median_hours")


def _raw(since: Annotated[str, Query(max_length=10)] = "",
         until: Annotated[str, Query(max_length=10)] = "",
         period: Annotated[str, Query(max_length=8)] = "week",
         platform: Annotated[str, Query(max_length=32)] = "",
         post: Annotated[str, Query(max_length=255)] = "",
         category: Annotated[str, Query(max_length=64)] = "") -> dict[str, str]:
    return {"since": since, "until": until, "period": period, "platform": platform,
            "post": post, "category": category}


Raw = Annotated[dict[str, str], Depends(_raw)]


def _query(request: Request, raw: dict[str, str]) -> StatsQuery:
    """The query, or a 400 with the reason in the reader's language."""
    fmt = formats_of(request)
    today = web_context(request).store.now().astimezone(fmt.tz).date()
    try:
        return make_query(today, zone=fmt.tz.key, **raw)
    except BadStatsQuery as error:
        raise HTTPException(400, translator(lang_of(request))(error.key)) from None


class _Labels:
    """Each row's label in the reader's language."""

    def __init__(self, request: Request, q: StatsQuery) -> None:
        self.t: Translator = translator(lang_of(request))
        self.fmt = formats_of(request)
        self.q = q
        fr = self.t.lang == "fr"
        self.categories = {c.slug: f"{c.clause} {c.label.fr if fr else c.label.en}"
                           for c in web_context(request).policy.categories}

    def __call__(self, row: StatRow) -> str:
        if row.dimension == "period":
            start = dt.date.fromisoformat(row.key)
            if self.q.period == "month":
                return self.fmt.month(start)
            return self.t("stats.week_of", day=self.fmt.day(start))
        if row.dimension == "category":
            return self.categories.get(row.key, row.key) if row.key else self.t(
                "stats.no_category")
        if row.dimension == "page" and not row.key:
            return self.t("stats.no_post")
        return row.key

    def tick(self, row: StatRow, previous: StatRow | None) -> str:
        """A period's axis label: short, with the year when it changes."""
        start = dt.date.fromisoformat(row.key)
        if self.q.period == "month":
            return self.fmt.month(start)
        year = previous is None or previous.key[:4] != row.key[:4]
        return self.fmt.short_day(start) + (f"\n{start.year}" if year else "")


def _chart(name: str, table: StatsTable, labels: _Labels) -> Chart:
    t, lang = labels.t, labels.t.lang
    periods = table.of("period")
    ticks = tuple(labels.tick(r, periods[i - 1] if i else None) for i, r in enumerate(periods))
    empty = t("stats.empty")
    if name == "volume":
        return Chart("stacked", ticks, tuple(
            Series(t(f"action.{a}"), tuple(float(r.actions[a]) for r in periods), COLORS[a])
            for a in ACTIONS), t("stats.unit_comments"), empty, lang)
    if name == "removals":
        return Chart("grouped", ticks, (
            Series(t("stats.auto_removals"), tuple(float(r.auto_removals) for r in periods),
                   COLORS["removals"]),
            Series(t("stats.restored"), tuple(float(r.restored) for r in periods),
                   COLORS["restored"])), t("stats.unit_comments"), empty, lang)
    if name == "delay":
        return Chart("line", ticks, (Series(t("stats.median"), tuple(
            r.median_hours for r in periods), COLORS["median"]),), t("stats.unit_hours"),
            empty, lang)
    rows = table.of(name)[:TOP_PAGES] if name == "page" else table.of(name)
    return Chart("bars", tuple(labels(r) for r in rows), (Series(
        t("stats.unit_comments"), tuple(float(r.comments) for r in rows),
        COLORS["comments"]),), t("stats.unit_comments"), empty, lang)


@router.get("/stats")
def stats_page(request: Request, _: Reader, raw: Raw) -> Response:
    """The statistics: filters, key figures, charts and the table behind them."""
    ctx = web_context(request)
    error, status = "", 200
    try:
        q = _query(request, raw)
    except HTTPException as refused:
        error, status = str(refused.detail), 400
        q = _query(request, {**raw, "since": "", "until": "", "period": "week"})
    table = stats_for(ctx, q)
    labels = _Labels(request, q)
    with ctx.read() as conn:
        choices = filter_choices(conn, [])
    categories = sorted(labels.categories.items(), key=lambda kv: kv[1])
    return render(request, "stats.html", {
        "table": table, "q": q, "raw": raw, "label": labels, "charts": CHARTS,
        "dimensions": DIMENSIONS, "actions": ACTIONS, "platforms": choices["platforms"],
        "categories": categories, "error_text": error}, status_code=status)


@router.get("/stats/charts/{name}.svg")
def stats_chart(request: Request, _: Reader, raw: Raw,
                name: Literal["volume", "removals", "delay", "category", "platform", "page"],
                size: Literal["wide", "narrow"] = "wide") -> Response:
    """One chart of the page as an SVG image."""
    q = _query(request, raw)
    chart = _chart(name, stats_for(web_context(request), q), _Labels(request, q))
    return Response(svg(chart, size), media_type="image/svg+xml",
                    headers={"Content-Security-Policy": _SVG_CSP})


def _records(request: Request, raw: dict[str, str]) -> tuple[StatsTable, _Labels]:
    q = _query(request, raw)
    return stats_for(web_context(request), q), _Labels(request, q)


def _record(row: StatRow, labels: _Labels) -> dict[str, Any]:
    record = row.to_dict()
    record["label"] = labels(row)
    return {c: record[c] for c in _COLUMNS}


@router.get("/stats.csv")
def stats_csv(request: Request, _: Reader, raw: Raw) -> Response:
    """The page's table as CSV (UTF-8 with a BOM), headers in the reader's language."""
    table, labels = _records(request, raw)
    header = [labels.t(f"stats.col_{c}") for c in _COLUMNS]

    def rows() -> Iterator[list[Any]]:
        for row in table.all_rows():
            record = _record(row, labels)
            yield [record[c] for c in _COLUMNS]

    return csv_response("vigie-statistiques.csv", header, rows)


@router.get("/stats.json")
def stats_json(request: Request, _: Reader, raw: Raw) -> Response:
    """The page's table as JSON: ``{"rows": [...]}``, one object per row of the CSV."""
    table, labels = _records(request, raw)
    return json_response("vigie-statistiques.json", "rows",
                         lambda: (_record(r, labels) for r in table.all_rows()))


@api_router.get("/stats", tags=["statistics"])
def stats_api(request: Request, _: Reader, raw: Raw) -> dict[str, Any]:
    """The statistics' table under the page's filters, with its totals and definitions."""
    table, labels = _records(request, raw)
    return {"query": {**table.query.params(), "zone": table.query.zone},
            "total": table.total.to_dict(),
            "rows": [_record(r, labels) for r in table.all_rows()],
            "median": "hours from ingestion to the human decision, over review items Vigie "
                      "opened and a reviewer closed in the row"}
