"""End-to-end, in Chromium at 1280 and 390 px, in French: the community manager answers a
question from the dashboard. She opens the comment, keeps the suggested template, edits it,
sends it; the page shows it queued; the outbox worker (what ``vigie run`` does each round)
posts it to a fake Facebook page over loopback HTTP; the page shows it posted with the
platform's id, and the audit log shows who queued it and that it was sent.

Screenshots go to docs/screenshots/ (shown in docs/dashboard.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from test_web_e2e import CHROMIUM, _login, browser, serve, sync_api
from test_workflows_e2e import WIDTHS, _page, no_sideways_scroll, shot

from fakes.facebook import FakeFacebook
from fakes.server import FakeServer

__all__ = ["browser"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or sync_api is None,
                                reason="Chromium or playwright absent")

QUESTIONS = {1280: "Bonjour, quand ouvrent les inscriptions au baccalauréat?",
             390: "Est-ce que la bibliothèque est ouverte pendant les fêtes?"}


@pytest.fixture(scope="module")
def reply_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from web_support import replies_app

    fake = FakeFacebook()
    post = fake.add_post("Une publication")
    ids = {width: fake.add_comment(post, text) for width, text in QUESTIONS.items()}
    app = replies_app(tmp_path_factory.mktemp("replies"),
                      {f"fb:{ids[w]}": QUESTIONS[w] for w in WIDTHS})
    with FakeServer(fake) as platform:
        for base in serve(app):
            yield {"base": base, "app": app, "fake": fake, "platform": platform, "ids": ids}


def _vigie_run_applies(world: dict[str, Any]) -> None:
    """One outbox pass through the Facebook connector, as a round of ``vigie run`` does."""
    from vigie.connectors.facebook import FacebookConnector
    from vigie.connectors.http import Secret
    from vigie.connectors.sink import ConnectorSink
    from vigie.store.outbox import run_outbox

    connector = FacebookConnector("poly-fb", "1000", httpx.Client(timeout=5),
                                  Secret("page-token"),
                                  base_url=f"{world['platform'].url}/v21.0")
    try:
        assert run_outbox(world["app"].state.vigie.store, ConnectorSink([connector])).applied == 1
    finally:
        connector.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_answer_a_question_from_the_dashboard(reply_world: dict[str, Any], browser: Any,
                                              width: int) -> None:
    from web_support import PASSWORDS

    base, fake = reply_world["base"], reply_world["fake"]
    native = reply_world["ids"][width]
    context, page, errors = _page(browser, width)
    _login(page, base, "community_manager", PASSWORDS["community_manager"])
    pk = 1 if width == 1280 else 2  # comments in the order they were moderated
    page.goto(f"{base}/comments/{pk}")
    assert page.locator("h1").inner_text() == "Commentaire"
    assert QUESTIONS[width] in page.locator("#comment-text").inner_text()
    picked = page.locator("#reply-template option:checked")
    assert picked.get_attribute("value") == "question"  # suggested: the comment asks
    assert "suggéré" in picked.inner_text()
    text = page.locator("#reply-text")
    assert text.input_value().startswith(f"Bonjour Sylvie {pk - 1}, merci pour votre question")
    # Another template fills the text; the suggested one is picked again, then edited.
    page.select_option("#reply-template", "thanks")
    assert text.input_value() == f"Merci Sylvie {pk - 1} !"
    page.select_option("#reply-template", "question")
    text.fill(text.input_value() + " Réponse : le 1er février.")
    sent = text.input_value()
    no_sideways_scroll(page)
    shot(page, f"reply-form-{width}")
    page.click("#reply-submit")
    page.wait_for_url("**msg=reply.queued**")
    assert "Réponse mise en file" in page.locator(".flash.ok").inner_text()
    row = page.locator("#reply-list li.reply-row").first
    assert row.get_attribute("data-status") == "pending"
    assert row.locator(".badge").inner_text() == "en file"
    assert sent in row.locator(".reply-text").inner_text()
    assert fake.replies_posted.count((native, sent)) == 0  # not yet: vigie run posts it

    _vigie_run_applies(reply_world)
    page.reload()
    row = page.locator("#reply-list li.reply-row").first
    assert row.get_attribute("data-status") == "applied"
    assert row.locator(".badge").inner_text() == "publiée"
    assert "fb:" in row.locator("code").inner_text()
    assert fake.replies_posted.count((native, sent)) == 1
    kinds = page.locator("#history tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.kind)")
    assert kinds[-2:] == ["reply_queued", "reply_sent"]
    no_sideways_scroll(page)
    shot(page, f"reply-sent-{width}")
    page.goto(f"{base}/audit?actor=community_manager")
    audit = page.locator("#audit-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.kind)")
    assert {"reply_queued", "reply_sent"} <= set(audit)
    assert "réponse publiée sur la plateforme" in page.locator("#audit-table").inner_text()
    assert errors == [], errors
    context.close()
