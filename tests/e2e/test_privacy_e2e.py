"""The privacy officer's Law 25 page in Chromium, in French, at 1280 and 390 px: find a person by
handle, see what is held, download the JSON and the CSV (with its BOM), refuse an erasure whose
confirmation is wrong, erase, and find each step in the audit log.

Screenshots go to docs/screenshots/ (shown in docs/dashboard.md). Same skips as
test_web_e2e.py: no /usr/bin/chromium or no playwright package, no test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_web_e2e import CHROMIUM, _login, browser, serve, sync_api
from test_workflows_e2e import _page, no_sideways_scroll, shot

__all__ = ["browser"]  # a fixture, imported for this module

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or sync_api is None,
                                reason="Chromium or playwright absent")

#: One person per width (each test erases its own): Facebook accounts of web_support.records.
PEOPLE = {1280: ("fb:u-4", "@auteur4"), 390: ("fb:u-5", "@auteur5")}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from vigie.store.schema import authors
    from web_support import add_users, make_app, seed

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VIGIE_PSEUDONYM_KEY", "an-e2e-test-key-of-32-characters")
        app = make_app(tmp_path_factory.mktemp("privacy-e2e"))
    add_users(app)
    seed(app, 30)
    with app.state.vigie.store.begin() as conn:
        for author, handle in PEOPLE.values():
            conn.execute(authors.update().where(authors.c.author_id == author)
                         .values(handle=handle))
    yield from serve(app)


@pytest.mark.parametrize("width", sorted(PEOPLE))
def test_privacy_officer_finds_exports_and_erases_a_person(server: str, browser: Any,
                                                           width: int, tmp_path: Path) -> None:
    from web_support import PASSWORDS

    author, handle = PEOPLE[width]
    context, page, errors = _page(browser, width)
    _login(page, server, "privacy_officer", PASSWORDS["privacy_officer"])
    page.click("nav >> text=Renseignements personnels")
    page.wait_for_url("**/privacy")
    assert page.locator("h1").inner_text() == "Renseignements personnels (Loi 25)"
    page.fill("#privacy-q", handle.upper())                  # case and @ do not matter
    page.click("#privacy-find")
    page.wait_for_url("**/privacy?q=**")
    rows = page.locator("#privacy-people tbody tr[data-author]")
    assert rows.count() == 2                                 # Facebook and YouTube accounts
    no_sideways_scroll(page)
    page.locator("#privacy-people a.person-link", has_text=author).first.click()
    page.wait_for_url("**/privacy/authors/*")
    assert page.locator("#person-id").inner_text() == author
    held = int(page.locator("#person-comments").inner_text())
    assert held >= 1 and page.locator("#person-texts").inner_text() == str(held)
    no_sideways_scroll(page)
    shot(page, f"privacy-person-{width}")

    with page.expect_download() as got:
        page.click("#export-json")
    file = json.loads(Path(got.value.path()).read_text("utf-8"))
    assert file["author_id"] == author and len(file["accounts"][0]["comments"]) == held
    with page.expect_download() as got:
        page.click("#export-csv")
    raw = Path(got.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "plateforme,nom,nom d'utilisateur" in raw.decode("utf-8")

    page.fill("#erase-reason", "Demande n° 2026-014 reçue le 3 mars")
    page.fill("#erase-confirm", "fb:u-999")
    page.click("#erase-submit")
    assert "ne correspond pas" in page.locator(".flash.error").inner_text()
    page.fill("#erase-reason", "Demande n° 2026-014 reçue le 3 mars")
    page.fill("#erase-confirm", author)
    page.click("#erase-submit")
    page.wait_for_url("**msg=privacy.done_erased**")
    assert f"Effacement fait : {held} commentaire(s)" in page.locator(
        "#privacy-done").inner_text()
    no_sideways_scroll(page)

    page.goto(f"{server}/audit?actor=privacy_officer")
    kinds = page.locator("#audit-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.kind)")
    assert {"person_viewed", "exported", "erased"} <= set(kinds)
    assert errors == [], errors
    context.close()
