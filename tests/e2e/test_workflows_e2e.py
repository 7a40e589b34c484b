"""End-to-end workflows of the community manager's day, in Chromium at 1280 and 390 px:
undo an automatic action (and see where the platform cannot), appeal from the dashboard.

Screenshots go to docs/screenshots/ (shown in docs/dashboard.md). Same skips as
test_web_e2e.py: no /usr/bin/chromium or no playwright package, no test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_web_e2e import CHROMIUM, _login, browser, server, sync_api

__all__ = ["browser", "server"]  # fixtures, imported for this module's own server

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = (1280, 390)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or sync_api is None,
                                reason="Chromium or playwright absent")


def shot(page: Any, name: str) -> None:
    """Write a full-page screenshot into docs/screenshots/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page: Any) -> None:
    """The page is no wider than the window (usable on a phone without scrolling sideways)."""
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{page.url} is {wide}px wider than the window"


def _page(browser: Any, width: int) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-CA",
                                  timezone_id="America/Montreal")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


@pytest.mark.parametrize("width", WIDTHS)
def test_restore_an_automatic_removal(server: str, browser: Any, width: int) -> None:
    from web_support import PASSWORDS

    context, page, errors = _page(browser, width)
    _login(page, server, "moderator", PASSWORDS["moderator"])
    page.click("nav >> text=Actions automatiques")
    page.wait_for_url("**/actions")
    assert page.locator("h1").inner_text() == "Actions automatiques"
    no_sideways_scroll(page)
    page.select_option("#a-platform", "facebook")
    page.select_option("#a-action", "remove")
    page.select_option("#a-standing", "active")
    page.click("#a-apply")
    page.wait_for_url("**standing=active**")
    row = page.locator("#actions-table tbody tr[data-comment]").first
    comment = row.get_attribute("data-comment")
    assert row.locator(".platform-limit").count() == 0  # Facebook can unhide
    if width == 1280:
        shot(page, "actions-1280")
    row.locator("form.undo input[name=reason]").first.fill("Faux positif : critique légitime")
    row.locator("button.restore").click()
    page.wait_for_url("**msg=undo.done_restore**")
    assert "Rétablissement enregistré" in page.locator(".flash.ok").inner_text()
    assert page.locator(f"tr[data-comment='{comment}']").count() == 0  # no longer active
    page.goto(f"{server}/actions?standing=undone")
    assert page.locator(f"tr[data-comment='{comment}']").get_attribute(
        "data-standing") == "undone"
    page.goto(f"{server}/audit?actor=moderator")
    kinds = page.locator("#audit-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.kind)")
    assert {"reviewed", "restored", "action_planned"} <= set(kinds)

    # YouTube: said plainly, before the click, that the comment cannot come back.
    page.goto(f"{server}/actions?platform=youtube&action=remove&standing=active")
    warning = page.locator("#actions-table .platform-limit").first
    assert "YouTube ne permet pas de republier" in warning.inner_text()
    no_sideways_scroll(page)
    shot(page, f"actions-youtube-{width}")
    page.click("#lang-en")
    page.wait_for_url("**/actions**")
    assert page.locator("h1").inner_text() == "Automatic actions"
    assert "YouTube cannot publish a rejected comment" in page.locator(
        "#actions-table .platform-limit").first.inner_text()
    assert errors == [], errors
    context.close()


def test_appeal_from_the_dashboard(server: str, browser: Any) -> None:
    from web_support import PASSWORDS

    context, page, errors = _page(browser, 390)
    _login(page, server, "moderator", PASSWORDS["moderator"])
    page.goto(f"{server}/actions?action=hide&standing=active")
    row = page.locator("#actions-table tbody tr[data-comment]").first
    row.locator("details.appeal summary").click()
    row.locator("details.appeal input[name=author]").fill("Auteur 2, par courriel")
    row.locator("details.appeal textarea[name=reason]").fill("Je citais pour dénoncer")
    row.locator("button.file-appeal").click()
    page.wait_for_url("**/items/*msg=undo.appealed")
    assert "Appel enregistré" in page.locator(".flash.ok").inner_text()
    history = page.locator("#history tbody tr").last
    assert "moderator (for Auteur 2, par courriel)" in history.inner_text()
    no_sideways_scroll(page)
    shot(page, "appeal-item-390")
    assert errors == [], errors
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_review_with_a_preset_key_then_the_next_item(server: str, browser: Any,
                                                     width: int) -> None:
    from web_support import PASSWORDS

    context, page, errors = _page(browser, width)
    _login(page, server, "moderator", PASSWORDS["moderator"])
    page.locator("a.item-link").first.click()
    page.wait_for_url("**/items/*")
    first = page.url.split("/items/")[1].split("?")[0]
    shortcuts = page.locator("#shortcuts")
    assert shortcuts.is_visible() and "Raccourcis clavier" in shortcuts.inner_text()
    mark = page.locator("#comment-text mark").first
    assert mark.get_attribute("data-clause") == "1 a"  # the clause shown with the evidence
    preset = page.locator("#preset-1")
    assert "Contraire à la clause 1 a (Haine)" in preset.inner_text()
    no_sideways_scroll(page)
    shot(page, f"review-item-{width}")
    page.keyboard.press("1")  # one key: remove with that reason, then the next item
    page.wait_for_url("**msg=item.done_next**")
    assert page.url.split("/items/")[1].split("?")[0] != first
    assert "voici l'élément suivant" in page.locator(".flash.ok").inner_text()
    page.goto(f"{server}/items/{first}")
    assert page.locator("h1 .badge").get_attribute("data-state") == "closed"
    assert "Contraire à la clause 1 a (Haine)" in page.locator("#history").inner_text()

    assert errors == [], errors
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_search_then_export_for_a_spreadsheet(server: str, browser: Any, width: int) -> None:
    from web_support import PASSWORDS

    context, page, errors = _page(browser, width)
    _login(page, server, "auditor", PASSWORDS["auditor"])
    page.goto(f"{server}/queue?state=closed")
    page.fill("#f-q", "avec MAYBEHATE")
    page.fill("#f-author", "Auteur")
    page.locator("#filters button[type=submit]").click()
    page.wait_for_url("**q=avec+MAYBEHATE**")
    rows = page.locator("#queue-table tbody tr[data-item]")
    assert rows.count() >= 1
    assert all("MAYBEHATE" in t for t in rows.locator("a.item-link").all_inner_texts())
    no_sideways_scroll(page)
    shot(page, f"search-{width}")
    with page.expect_download() as info:
        page.click("#export-csv")
    raw = Path(info.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel opens it as UTF-8
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("élément,état,ouvert le")
    assert len(text.splitlines()) == rows.count() + 1
    with page.expect_download() as info:
        page.click("#export-json")
    import json

    items = json.loads(Path(info.value.path()).read_text("utf-8"))["items"]
    assert len(items) == rows.count()
    assert errors == [], errors
    context.close()


PAGES = ("/queue", "/queue?state=closed", "/items/1", "/actions", "/escalations", "/stats",
         "/policy", "/audit", "/check", "/draft", "/registry", "/mentions", "/admin",
         "/account", "/authors/1")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_width_and_the_navigation_reaches_them(server: str, browser: Any,
                                                                   width: int) -> None:
    from web_support import PASSWORDS

    context, page, errors = _page(browser, width)
    _login(page, server, "admin", PASSWORDS["admin"])
    nav = page.locator("nav a")
    targets = set(nav.evaluate_all("links => links.map(a => a.getAttribute('href'))"))
    assert {"/registry", "/admin", "/actions", "/escalations"} <= targets
    for path in PAGES:
        page.goto(f"{server}{path}")
        assert page.locator("h1").count() >= 1, path
        no_sideways_scroll(page)
    page.goto(f"{server}/escalations")
    warning = page.locator("#no-channel")
    assert warning.is_visible() and "Aucun canal de notification" in warning.inner_text()
    shot(page, f"escalations-{width}")
    assert errors == [], errors
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_escalation_assigned_then_closed_with_a_note(server: str, browser: Any,
                                                     width: int) -> None:
    from web_support import PASSWORDS

    context, page, errors = _page(browser, width)
    _login(page, server, "community_manager", PASSWORDS["community_manager"])
    page.click("nav >> text=Escalades")
    page.wait_for_url("**/escalations")
    # One the policy escalated (no review item waits for a decision first).
    row = page.locator("#escalations tbody tr[data-handling=open]"
                       ":not(:has(a[href^='/items/']))").first
    pk = row.get_attribute("data-escalation")
    row.locator("a.escalation-link").click()
    page.wait_for_url(f"**/escalations/{pk}")
    assert page.locator("h1").inner_text().startswith(f"Escalade {pk}")
    assert page.locator("#handling").get_attribute("data-state") == "open"
    assert "Motif" in page.locator("main").inner_text()

    page.select_option("#assignee-select", "community_manager")
    page.fill("#assign-note", "Je m'en occupe")
    page.click("#assign-submit")
    page.wait_for_url("**msg=escalation.done_assign")
    assert "Assignation enregistrée" in page.locator(".flash.ok").inner_text()
    assert page.locator("#assignee").get_attribute("data-assignee") == "community_manager"

    page.fill("#close-note", "Répondu à l'auteur en message privé ; rien à retirer")
    page.click("#close-submit")
    page.wait_for_url("**msg=escalation.done_close")
    assert "Escalade fermée" in page.locator(".flash.ok").inner_text()
    assert page.locator("#handling").get_attribute("data-state") == "closed"
    steps = page.locator("#steps tbody tr")
    kinds = steps.evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert kinds[-2:] == ["escalation_assigned", "escalation_closed"]
    closing = steps.last.inner_text()
    assert "community_manager" in closing and "rien à retirer" in closing
    assert page.locator("#reopen-form").is_visible()
    no_sideways_scroll(page)
    shot(page, f"escalation-closed-{width}")

    page.goto(f"{server}/audit?kind=escalation_closed")
    audit = page.locator("#audit-table tbody tr").first
    assert audit.get_attribute("data-kind") == "escalation_closed"
    assert "community_manager" in audit.inner_text()
    page.goto(f"{server}/escalations?state=closed")
    assert page.locator(f"tr[data-escalation='{pk}']").count() == 1
    assert errors == [], errors
    context.close()
