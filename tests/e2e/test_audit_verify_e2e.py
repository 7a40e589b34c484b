"""The auditor verifies the audit trail in Chromium, at 1280 and 390 px, in French and English:
from the audit log to ``/audit/verify``, run it, and read which rows disagree with the log (a
block lifted and an action put back to pending outside Vigie) and that the run is recorded.

Screenshots (French) go to docs/screenshots/ (shown in docs/dashboard.md). Same skips as
test_web_e2e.py: no /usr/bin/chromium or no playwright package, no test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_web_e2e import CHROMIUM, _login, browser, serve, sync_api
from test_workflows_e2e import _page, no_sideways_scroll, shot

__all__ = ["browser"]  # a fixture, imported for this module

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or sync_api is None,
                                reason="Chromium or playwright absent")

WORDS = {
    "fr": {"nav": "Journal d'audit", "link": "Vérifier l'intégrité du journal",
           "title": "Vérification du journal d'audit", "verdict": "Altéré : 2 problème(s)",
           "blocks": "blocages", "status": "état différent", "event": "journal d'audit vérifié"},
    "en": {"nav": "Audit log", "link": "Verify the log's integrity",
           "title": "Audit log verification", "verdict": "Tampered: 2 problem(s) found.",
           "blocks": "blocks", "status": "status other than", "event": "audit log verified"},
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from sqlalchemy import select, update

    from vigie.store.schema import blocks, outbox
    from web_support import add_users, make_app, seed

    app = make_app(tmp_path_factory.mktemp("audit-verify-e2e"))
    add_users(app)
    seed(app, 40)  # enough for an author's three removals: a block
    store = app.state.vigie.store
    with store.begin() as conn:  # two rows edited by someone with write access to the database
        block = conn.execute(select(blocks.c.pk).order_by(blocks.c.pk)).scalars().first()
        key = conn.execute(select(outbox.c.key).order_by(outbox.c.pk)).scalars().first()
        assert block is not None and key is not None
        conn.execute(update(blocks).where(blocks.c.pk == block).values(lifted_at=store.now()))
        conn.execute(update(outbox).where(outbox.c.key == key).values(status="dead"))
    yield from serve(app)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_auditor_verifies_the_trail_and_sees_the_rows_edited(server: str, browser: Any,
                                                                 width: int, lang: str) -> None:
    from web_support import PASSWORDS

    words = WORDS[lang]
    context, page, errors = _page(browser, width)
    _login(page, server, "auditor", PASSWORDS["auditor"])
    if lang == "en":
        page.click("#lang-en")
    page.click(f"nav >> text={words['nav']}")
    page.wait_for_url("**/audit")
    page.click(f"#audit-verify >> text={words['link']}")
    page.wait_for_url("**/audit/verify")
    assert page.locator("h1").inner_text() == words["title"]
    assert page.locator("#verify-result").count() == 0          # nothing runs by itself
    page.click("#verify-run")
    page.wait_for_selector("#verify-result")
    assert page.locator("#verify-result").get_attribute("data-ok") == "false"
    assert words["verdict"] in page.locator("#verify-verdict").inner_text()
    rows = page.locator("#verify-problems tbody tr")
    assert rows.count() == 2
    assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.table)")) == [
        "blocks", "outbox"]
    blocked = page.locator("#verify-problems tr[data-table='blocks']")
    assert words["blocks"] in blocked.inner_text() and words["status"] in blocked.inner_text()
    assert int(page.locator("#verify-strikes").inner_text()) > 0
    no_sideways_scroll(page)
    if lang == "fr":
        shot(page, f"audit-verify-{width}")

    page.goto(f"{server}/audit?kind=audit_verified&actor=auditor")
    assert words["event"] in page.locator("#audit-table tbody tr").first.inner_text()
    assert errors == [], errors
    context.close()
