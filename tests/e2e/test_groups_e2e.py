"""End-to-end: a campaign of copies (coordination) seen once in the queue, its members
linked, decided together, at 1280 and 390 px. Screenshots in docs/screenshots/."""

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
def campaign_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from web_support import coordination_app

    app = coordination_app(tmp_path_factory.mktemp("groups"))
    yield from serve(app)


@pytest.mark.parametrize("width", WIDTHS)
def test_decide_a_group_at_once(campaign_server: str, browser: Any, width: int) -> None:
    from web_support import PASSWORDS

    server = campaign_server
    context, page, errors = _page(browser, width)
    _login(page, server, "moderator", PASSWORDS["moderator"])
    badge = page.locator("a.group-badge")
    if width == 390:  # the 1280 run decided the open group: look at the closed one
        page.goto(f"{server}/queue?state=closed")
    assert badge.count() == 1 and badge.get_attribute("data-group-size") == "4"
    assert "groupe de 4" in badge.inner_text()
    no_sideways_scroll(page)
    shot(page, f"queue-group-{width}")
    badge.click()
    page.wait_for_url("**/groups/*")
    assert page.locator("#group-members tbody tr[data-item]").count() == 4
    assert page.locator("#group-related li").count() == 1  # the first copy, allowed
    assert "Même texte qu'un autre compte" in page.locator("#group-evidence").inner_text()
    no_sideways_scroll(page)
    shot(page, f"group-{width}")
    if width == 1280:
        page.click("#group-preset-1")  # remove the four, with the clause's reason
        page.wait_for_url("**msg=group.done**")
        assert "chaque membre du groupe" in page.locator(".flash.ok").inner_text()
        page.goto(f"{server}/audit?kind=reviewed")
        assert page.locator("#audit-table tbody tr").count() == 4
    assert errors == [], errors
    context.close()
