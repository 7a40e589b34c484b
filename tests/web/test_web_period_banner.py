"""The dashboard says when a period is in force: a banner on every signed-in page, FR/EN."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient

from factories import TEST_PERIOD, TEST_POLICY
from web_support import add_users, login, make_app

PAGES = ("/queue", "/actions", "/escalations", "/stats", "/policy", "/audit", "/check",
         "/draft", "/registry", "/mentions", "/account", "/questions")
# 23:30 on 10 December in Montréal (the period's zone), then 00:30 on the 11th.
LAST_EVENING = dt.datetime(2025, 12, 11, 4, 30, tzinfo=dt.UTC)
DAY_AFTER = LAST_EVENING + dt.timedelta(hours=1)


def banner(page: str) -> str | None:
    found = re.search(r'<p class="period-banner" id="period-banner" role="status">(.*?)</p>',
                      page, re.S)
    return re.sub(r"<[^>]+>", "", found[1]).strip() if found else None


def test_every_page_names_the_period_and_its_dates_until_it_ends(tmp_path: Path) -> None:
    policy_file = tmp_path / "period.yaml"
    policy_file.write_text(TEST_POLICY + TEST_PERIOD, encoding="utf-8")
    app = make_app(tmp_path, policy_path=policy_file)
    now = [LAST_EVENING]
    app.state.vigie.store.clock = lambda: now[0]
    add_users(app)
    client = TestClient(app)
    assert banner(client.get("/login").text) is None  # signed-in pages only
    login(client, "moderator")
    for path in PAGES:
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert banner(answer.text) == ("Période en vigueur : Commémoration, du 1 déc. 2025 "
                                       "au 10 déc. 2025. Jours sensibles"), path
    client.get("/lang/en?next=/queue")
    assert banner(client.get("/stats").text) == (
        "Period in force: Commemoration, from Dec 1, 2025 to Dec 10, 2025. Sensitive days")
    now[0] = DAY_AFTER
    assert banner(client.get("/stats").text) is None
    assert banner(client.get("/queue").text) is None


def test_no_banner_under_a_policy_without_periods(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.state.vigie.store.clock = lambda: LAST_EVENING
    add_users(app)
    client = TestClient(app)
    login(client, "admin")
    assert banner(client.get("/queue").text) is None
