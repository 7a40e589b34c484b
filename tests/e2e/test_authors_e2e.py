"""Linking one person's accounts from the author page in Chromium, in French, at 1280 and 390
px (directive 7): a moderator links the person's YouTube account with a reason, sees it listed,
a bad id is refused in French, and the link is in the audit log.

Same skips as test_web_e2e.py: no /usr/bin/chromium or no playwright package, no test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_web_e2e import CHROMIUM, _login, browser, serve, sync_api
from test_workflows_e2e import _page, no_sideways_scroll

__all__ = ["browser"]  # a fixture, imported for this module

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or sync_api is None,
                                reason="Chromium or playwright absent")

#: One person per width, on Facebook and YouTube in web_support.records.
PEOPLE = {1280: "fb:u-1", 390: "fb:u-2"}
PKS: dict[tuple[str, str], int] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from sqlalchemy import select

    from vigie.store.schema import authors
    from web_support import add_users, make_app, seed

    app = make_app(tmp_path_factory.mktemp("authors-e2e"))
    add_users(app)
    seed(app, 30)
    with app.state.vigie.store.read() as conn:
        PKS.update({(r.platform, r.author_id): int(r.pk) for r in conn.execute(
            select(authors.c.pk, authors.c.platform, authors.c.author_id))})
    yield from serve(app)


@pytest.mark.parametrize("width", sorted(PEOPLE))
def test_a_moderator_links_a_persons_accounts(server: str, browser: Any, width: int) -> None:
    from web_support import PASSWORDS

    author = PEOPLE[width]
    pk, other = PKS[("facebook", author)], PKS[("youtube", author)]
    context, page, errors = _page(browser, width)
    _login(page, server, "moderator", PASSWORDS["moderator"])
    page.goto(f"{server}/authors/{pk}")
    assert "Lié à aucun autre compte." in page.locator("#person-accounts").inner_text()
    page.fill("#link-account", "fb:u-nobody")
    page.fill("#link-reason", "même photo")
    page.click("#link-submit")
    assert "Aucun auteur enregistré" in page.locator(".flash.error").inner_text()
    page.fill("#link-account", f"youtube/{author}")
    page.fill("#link-reason", "même nom et même photo, le dit dans une réponse")
    page.click("#link-submit")
    page.wait_for_url("**msg=person.linked**")
    assert "comptent ensemble" in page.locator(".flash.ok").inner_text()
    listed = page.locator(f'#person-accounts a[href="/authors/{other}"]')
    assert listed.count() == 1 and "youtube" in listed.inner_text()
    no_sideways_scroll(page)
    page.goto(f"{server}/audit?actor=moderator")
    kinds = page.locator("#audit-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.kind)")
    assert "person_linked" in kinds
    assert errors == [], errors
    context.close()
