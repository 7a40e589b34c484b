"""The statistics page in Chromium at 1280 and 390 px, in French and English: the charts load
(the narrow drawing on a phone), nothing scrolls sideways, the filters apply, the CSV export
downloads with its BOM. Screenshots go to docs/screenshots/stats-LANG-WIDTH.png.

Same skips as test_web_e2e.py: no /usr/bin/chromium or no playwright package, no test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_web_e2e import CHROMIUM, _login, browser, serve, sync_api
from test_workflows_e2e import no_sideways_scroll, shot

__all__ = ["browser"]  # fixture, imported for this module

WIDTHS = (1280, 390)
CHARTS = ("volume", "removals", "delay", "category", "platform", "page")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or sync_api is None,
                                reason="Chromium or playwright absent")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Comments written over ten weeks, some weeks empty, some review items decided."""
    from fastapi.testclient import TestClient

    from vigie.records import parse_comment
    from vigie.web.service import submit_comments
    from web_support import add_users, login, make_app, records

    app = make_app(tmp_path_factory.mktemp("stats"))
    add_users(app)
    now = dt.datetime.now(dt.UTC)
    batch = []
    for weeks_ago in (1, 2, 5, 8, 9):
        for r in records(12, now - dt.timedelta(weeks=weeks_ago)):
            r["id"] = f"{r['id']}-w{weeks_ago}"
            r["post"]["id"] = f"{r['post']['id']}-w{weeks_ago}"
            batch.append(parse_comment(r))
    submit_comments(app.state.vigie, batch, "test")
    client = TestClient(app)
    headers = {"x-csrf-token": login(client, "community_manager")}
    for item in client.get("/api/v1/queue?state=open&limit=6").json()["items"]:
        client.post(f"/api/v1/queue/{item['item']}/actions", headers=headers,
                    json={"action": "approve", "reason": "conforme"})
    yield from serve(app)


def _charts_drawn(page: Any, width: int) -> None:
    for name in CHARTS:
        img = page.locator(f"#chart-{name} img")
        img.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=img.element_handle())
        assert img.is_visible(), name
        box = img.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, name
        assert box["height"] > 150, (name, box)  # drawn at a readable size, not squeezed
        source = img.evaluate("img => img.currentSrc")
        assert ("size=narrow" in source) == (width < 700), source


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_statistics_fit_the_width_and_export(server: str, browser: Any, width: int,
                                             lang: str) -> None:
    from web_support import PASSWORDS

    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-CA",
                                  timezone_id="America/Montreal", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, server, "auditor", PASSWORDS["auditor"])
    if lang == "en":
        page.click("#lang-en")
    page.goto(f"{server}/stats")
    assert page.locator("h1").inner_text() == ("Statistiques" if lang == "fr" else "Statistics")
    periods = page.locator("#table-period tbody tr")
    assert periods.count() in (12, 13)  # every week, the empty ones as zeros
    zeros = periods.evaluate_all("rows => rows.filter(r => r.cells[1].innerText === '0').length")
    assert zeros >= 5
    _charts_drawn(page, width)
    no_sideways_scroll(page)
    definition = page.locator("#median-definition").inner_text()
    assert ("médiane" in definition) if lang == "fr" else ("median" in definition)
    shot(page, f"stats-{lang}-{width}")

    page.select_option("#s-period", "month")
    page.select_option("#s-platform", "youtube")
    page.click("#s-apply")
    page.wait_for_url("**period=month**")
    months = page.locator("#table-period tbody tr").count()
    assert 3 <= months <= 4
    assert page.locator("#table-platform tbody tr").count() == 1
    _charts_drawn(page, width)
    no_sideways_scroll(page)
    with page.expect_download() as info:
        page.click("#export-csv")
    raw = Path(info.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel opens it as UTF-8
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("dimension,clé,libellé" if lang == "fr" else
                               "dimension,key,label")
    assert sum(line.startswith("period,") for line in lines) == months
    assert all(",youtube," in line for line in lines if line.startswith("platform,"))
    assert errors == [], errors
    context.close()
