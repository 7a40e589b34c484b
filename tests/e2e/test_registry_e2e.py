"""End-to-end, in French, at 1280 and 390 px: a member of staff asks for a page in the
institution's name and the community manager approves it (never their own request), the page
appears in the registry (6.1); a block creates a group-membership task that the community
manager closes (7); both leave their events in the audit log. Screenshots in docs/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_web_e2e import CHROMIUM, _login, browser, serve, sync_api
from test_workflows_e2e import WIDTHS, _page, no_sideways_scroll, shot

__all__ = ["browser"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or sync_api is None,
                                reason="Chromium or playwright absent")


@pytest.fixture(scope="module")
def registry_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from vigie.monitoring.registry import EntryKind, PageStatus, RegistryEntry, upsert_entries
    from web_support import add_users, make_app, seed

    app = make_app(tmp_path_factory.mktemp("registry"))
    add_users(app)
    upsert_entries(app.state.vigie.store, [RegistryEntry(
        url="https://facebook.com/groups/poly-alumni", name="Diplômés de Poly",
        unit="Association des diplômés", contact="cm@polymtl.ca", status=PageStatus.OFFICIAL,
        kind=EntryKind.GROUP)])
    seed(app, 30)
    from vigie.records import parse_comment
    from vigie.web.service import submit_comments

    # One comment held for review per run, each from an author of its own, to block.
    submit_comments(app.state.vigie, [parse_comment({
        "id": f"fb:e2e-{w}", "platform": "facebook", "text": f"MAYBEHATE à bloquer {w}",
        "created_at": "2025-03-18T10:00:00Z", "author": {"id": f"fb:e2e-{w}",
                                                         "name": f"Membre {w}"},
        "post": {"id": "fb:p-e2e", "text": "Une publication", "links": []}})
        for w in WIDTHS], "test")
    yield from serve(app)


def _logout(page: Any) -> None:
    page.locator("form[action='/logout'] button").click()
    page.wait_for_url("**/login**")


def _audited(page: Any, server: str, kind: str, subject: str) -> list[str]:
    """The actors of the audit log's ``kind`` events about ``subject`` (shown on the page)."""
    page.goto(f"{server}/audit?kind={kind}")
    rows = page.locator(f"#audit-table tbody tr[data-kind='{kind}']")
    return [r.locator("td.actor").inner_text() for r in rows.all()
            if r.locator("td").nth(3).locator("span").inner_text() == subject]


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_request_approved_by_the_community_manager(registry_server: str, browser: Any,
                                                         width: int) -> None:
    from web_support import PASSWORDS

    server = registry_server
    handle = f"geniechim{width}"
    context, page, errors = _page(browser, width)
    # A member of staff (a moderator account) asks, from the navigation.
    _login(page, server, "moderator", PASSWORDS["moderator"])
    page.click("nav >> text=Demandes de page")
    page.wait_for_url("**/page-requests")
    assert page.locator("h1").inner_text() == "Demandes de page (6.1)"
    page.click("#new-page-request")
    page.wait_for_url("**/page-requests/new")
    page.select_option("#pr-platform", "instagram")
    page.fill("#pr-name", "Génie chimique Poly")
    page.fill("#pr-handle", handle)
    page.fill("#pr-purpose", "Faire connaître les stages du département")
    page.fill("#pr-unit", "Département de génie chimique")
    page.fill("#pr-manager", "jdoe@polymtl.ca")
    page.fill("#pr-mandate", "Annoncer les activités du département")
    no_sideways_scroll(page)
    if width == 1280:
        shot(page, "page-request-form-1280")
    page.click("#pr-submit")
    page.wait_for_url("**/page-requests/*msg=pagereq.done_submitted_quiet")
    assert "prévenez la ou le gestionnaire de communauté vous-même" in page.locator(
        ".flash.ok").inner_text()
    request_url = page.url.split("?")[0]
    assert page.locator("#page-request-status").get_attribute("data-status") == "pending"
    assert "La ou le gestionnaire de communauté" in page.locator(
        "#page-request-waiting").inner_text()  # the moderator cannot decide
    _logout(page)

    # The community manager approves it, with a note.
    _login(page, server, "community_manager", PASSWORDS["community_manager"])
    page.click("nav >> text=Demandes de page")
    page.locator("tr[data-status='pending'] a.page-request-link").first.click()
    page.wait_for_url("**/page-requests/*")
    assert page.url.split("?")[0] == request_url
    no_sideways_scroll(page)
    shot(page, f"page-request-decide-{width}")
    page.fill("#decide-note", "Mandat clair, conforme à la directive")
    page.click("#decide-approve")
    page.wait_for_url("**msg=pagereq.done_approved")
    assert "la page est inscrite au registre" in page.locator(".flash.ok").inner_text()
    assert page.locator("#page-request-decided-by").inner_text() == "community_manager"
    page.click("#page-request-registry")
    page.wait_for_url("**/registry")
    row = page.locator(f"#registry-pages tr[data-url='https://instagram.com/{handle}']")
    assert row.count() == 1 and "officiel" in row.inner_text()
    no_sideways_scroll(page)

    # Their own request: refused, whatever the role.
    page.goto(f"{server}/page-requests/new")
    page.fill("#pr-name", "Page du gestionnaire")
    page.fill("#pr-handle", f"cm-{width}")
    page.fill("#pr-purpose", "Essai")
    page.fill("#pr-unit", "Communications")
    page.fill("#pr-manager", "cm@polymtl.ca")
    page.fill("#pr-mandate", "Aucun")
    page.click("#pr-submit")
    page.wait_for_url("**/page-requests/*msg=pagereq.*")
    assert page.locator("#page-request-own").is_visible()
    assert page.locator("#decide-form").count() == 0  # no buttons for one's own request
    # ... and the server refuses it anyway, sent by hand with the session and its token.
    own = page.url.split("?")[0]
    csrf = page.locator("meta[name=csrf-token]").get_attribute("content")
    answer = page.request.post(f"{own}/decide", form={"decision": "approve",
                                                      "note": "Je m'approuve"},
                               headers={"x-csrf-token": csrf}, max_redirects=0)
    assert answer.status == 409 and "autre en décide" in answer.text()
    page.reload()
    assert page.locator("#page-request-status").get_attribute("data-status") == "pending"
    number = request_url.rsplit("/", 1)[1]
    assert _audited(page, server, "page_requested", number) == ["moderator"]
    assert _audited(page, server, "page_request_approved", number) == ["community_manager"]
    assert errors == [], errors
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_block_creates_a_group_task_the_community_manager_closes(
        registry_server: str, browser: Any, width: int) -> None:
    from web_support import PASSWORDS

    server = registry_server
    context, page, errors = _page(browser, width)
    _login(page, server, "community_manager", PASSWORDS["community_manager"])
    page.goto(f"{server}/queue?platform=facebook")
    page.locator("a.item-link", has_text=f"à bloquer {width}").click()
    page.wait_for_url("**/items/*")
    author = page.locator("#author-link").get_attribute("href")
    page.check("#verb-block")
    page.fill("#reason", "Menaces répétées")
    page.uncheck("#save-next")
    page.click("#action-submit")
    page.wait_for_url("**/items/*msg=item.done")
    page.click("nav >> text=Membres de groupes")
    page.wait_for_url("**/group-tasks")
    assert page.locator("h1").inner_text() == "Membres à retirer des groupes (7)"
    task = page.locator("section.group-task[data-status='open']").filter(
        has=page.locator(f"a[href='{author}']"))
    assert task.count() == 1 and f"Membre {width}" in task.locator(".member").inner_text()
    assert "Diplômés de Poly" in task.locator(".group-name").inner_text()
    assert "Menaces répétées" in task.locator(".reason").inner_text()
    assert task.locator(".grounds li").count() >= 1
    number = task.get_attribute("data-task")
    no_sideways_scroll(page)
    shot(page, f"group-tasks-{width}")
    task.locator("textarea[name=note]").fill("Retiré du groupe des diplômés")
    task.locator("button.close-done").click()
    page.wait_for_url("**msg=grouptask.done_done")
    assert "membre retiré" in page.locator(".flash.ok").inner_text()
    closed = page.locator(f"section.group-task[data-task='{number}']")
    assert closed.get_attribute("data-status") == "done"
    assert "Retiré du groupe des diplômés" in closed.locator(".closed").inner_text()
    no_sideways_scroll(page)
    assert _audited(page, server, "group_task_opened", number) == ["vigie"]
    assert _audited(page, server, "group_task_closed", number) == ["community_manager"]
    page.goto(f"{server}/group-tasks?status=done")
    page.click("#lang-en")
    page.wait_for_url("**/group-tasks**")
    assert page.locator("h1").inner_text() == "Members to remove from groups (7)"
    assert errors == [], errors
    context.close()
