"""End-to-end, in Chromium at 1280 and 390 px, French then English: an author contests the
removal of their comment on the public appeal page, with the link of the removal notice; a
wrong name gets a clear message; the right one a reference; a moderator then finds the appeal
in the review queue with the author's words.

Screenshots go to docs/screenshots/ (shown in docs/dashboard.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from test_web_e2e import CHROMIUM, _login, browser, serve, sync_api
from test_workflows_e2e import WIDTHS, _page, no_sideways_scroll, shot

__all__ = ["browser"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or sync_api is None,
                                reason="Chromium or playwright absent")

# One removed comment per run (HATEWORD → remove), its author's name as the platform shows it.
CASES = {(1280, "fr"): ("fb:t-1", "Auteur 1"), (390, "fr"): ("fb:t-6", "Auteur 6"),
         (1280, "en"): ("fb:t-11", "Auteur 4"), (390, "en"): ("fb:t-16", "Auteur 2")}
REASONS = {"fr": "Je citais ce mot pour dénoncer l'insulte reçue par une amie.",
           "en": "I quoted that word to denounce an insult a friend received."}
TEXTS = {"fr": {"title": "Contester un retrait", "unmatched": "ne correspondent à aucun",
                "sent": "votre contestation a été transmise"},
         "en": {"title": "Contest a removal", "unmatched": "match none of your removed",
                "sent": "your appeal was sent"}}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from web_support import add_users, make_app, seed

    # Every run comes from 127.0.0.1: room for all of them under the per-client limit.
    app = make_app(tmp_path_factory.mktemp("appeal"), appeals_max_per_client=50)
    add_users(app)
    seed(app, 20)
    for base in serve(app):
        yield {"base": base, "app": app}


def _link(app: Any, comment_id: str) -> str:
    from vigie.store.schema import comments
    from vigie.web.appeals import appeal_path

    with app.state.vigie.store.read() as conn:
        pk = conn.execute(select(comments.c.pk).where(comments.c.comment_id == comment_id)
                          ).scalar_one()
    return appeal_path(app.state.vigie.settings.key, int(pk))


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("width", WIDTHS)
def test_an_author_contests_a_removal(world: dict[str, Any], browser: Any, width: int,
                                      lang: str) -> None:
    from web_support import PASSWORDS

    base, app = world["base"], world["app"]
    comment_id, name = CASES[(width, lang)]
    words = TEXTS[lang]
    context, page, errors = _page(browser, width)
    page.goto(f"{base}{_link(app, comment_id)}")  # the removal notice's link
    if lang == "en":
        page.click("#lang-en")
        page.wait_for_load_state()
    assert page.locator("h1").inner_text() == words["title"]
    assert page.locator("#appeal-code").input_value()  # filled in by the link
    page.fill("#appeal-author", "Quelqu'un d'autre")
    page.fill("#appeal-reason", REASONS[lang])
    page.click("#appeal-submit")
    assert words["unmatched"] in page.locator("#appeal-error").inner_text()
    assert page.locator("#appeal-reason").input_value() == REASONS[lang]  # kept for a retry
    no_sideways_scroll(page)
    shot(page, f"appeal-error-{lang}-{width}")
    page.fill("#appeal-author", name)
    page.click("#appeal-submit")
    page.wait_for_url("**/appeal?sent=AP-*")
    assert words["sent"] in page.locator("#appeal-sent").inner_text()
    reference = page.locator("#appeal-reference").inner_text()
    assert reference.startswith("AP-") and reference in page.url
    no_sideways_scroll(page)
    shot(page, f"appeal-sent-{lang}-{width}")
    assert errors == [], errors
    context.close()

    # A moderator finds it in the queue; the audit trail names the reference.
    context, page, errors = _page(browser, width)
    _login(page, base, "moderator", PASSWORDS["moderator"])
    page.goto(f"{base}/audit?actor=author (appeal {reference})")
    assert "review_opened" in page.locator("#audit-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.kind)")
    assert errors == [], errors
    context.close()
