"""End-to-end: Debian's Chromium, driven by Playwright, against the real app served by uvicorn
on the loopback. Log in, triage an item, see its state and the audit log change, see the charts
render, switch language; an auditor sees no action form. Screenshots go to test-artifacts/e2e/.

Skipped, with the reason, when /usr/bin/chromium or the playwright package is absent (CI
installs both: see .ci/run and the dev extra). Playwright's own browser download is never used.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason=f"{CHROMIUM} absent: apt-get install -y chromium")
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the playwright package is not installed (dev extra)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from web_support import add_users, make_app, seed

    app = make_app(tmp_path_factory.mktemp("e2e"))
    add_users(app)
    seed(app, 40)
    yield from serve(app)


def serve(app: Any) -> Iterator[str]:
    """Run ``app`` under uvicorn on a free loopback port; yields its base URL."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _login(page: Any, base: str, user: str, password: str) -> None:
    page.goto(f"{base}/queue")
    assert "/login" in page.url  # anonymous: sent to the login page
    page.fill("#username", user)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url(f"{base}/queue")


def test_moderator_triages_an_item_and_the_audit_log_shows_it(server: str, browser: Any) -> None:
    from web_support import PASSWORDS

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/login")
    _shot(page, "01-login")
    _login(page, server, "moderator", PASSWORDS["moderator"])
    assert page.locator("h1").first.inner_text() == "File de révision"  # French by default
    rows = page.locator("#queue-table tbody tr[data-item]")
    assert rows.count() >= 5
    _shot(page, "02-queue")

    # Filters: category then reset.
    page.select_option("#f-category", "hate")
    page.wait_for_url("**category=hate**")
    assert page.locator("#queue-table tbody tr[data-item]").count() >= 1
    page.goto(f"{server}/queue")

    first = page.locator("a.item-link").first
    first.click()
    page.wait_for_url("**/items/*")
    item_url = page.url
    mark = page.locator("#comment-text mark")
    assert mark.count() == 1 and mark.inner_text() == "MAYBEHATE"  # evidence highlighted
    assert "<b>" in page.locator("#comment-text").inner_text()  # markup shown, not run
    assert page.locator("#evidence tbody tr").count() >= 1
    _shot(page, "03-item")

    page.check("#verb-remove")
    page.uncheck("#save-next")  # stay on this item to see its new state
    page.fill("#reason", "Insulte envers une personne (test e2e)")
    page.click("#action-submit")
    page.wait_for_url("**msg=item.done")
    assert page.url.startswith(item_url)
    state = page.locator("h1 .badge")
    assert state.get_attribute("data-state") == "closed"
    assert "Retirer" in state.inner_text()
    history = page.locator("#history tbody tr").last
    assert "moderator" in history.inner_text()
    _shot(page, "04-item-after")

    page.goto(f"{server}/audit")
    latest = page.locator("#audit-table tbody tr").first
    assert latest.get_attribute("data-kind") == "reviewed"
    assert latest.locator(".actor").inner_text() == "moderator"
    assert "Insulte envers une personne" in latest.inner_text()
    _shot(page, "05-audit")

    page.goto(f"{server}/stats")
    charts = page.locator("figure.stat-chart img")
    assert charts.count() == 6
    first = charts.first
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=first.element_handle())
    box = first.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0  # actually drawn
    _shot(page, "06-stats")

    page.click("#lang-en")
    page.wait_for_url("**/stats")
    assert page.locator("nav a[aria-current=page]").inner_text() == "Statistics"
    page.goto(f"{server}/queue")
    assert page.locator("h1").first.inner_text() == "Review queue"
    _shot(page, "07-queue-en")

    # Bulk: approve the first two remaining open items.
    picks = page.locator("input.pick")
    picks.nth(0).check()
    picks.nth(1).check()
    page.select_option("#bulk-action", "approve")
    page.fill("#bulk-reason", "Critique légitime (test e2e)")
    page.click("#bulk-submit")
    page.wait_for_url("**msg=queue.bulk_done**")
    assert "Action applied" in page.locator(".flash").inner_text()
    _shot(page, "08-bulk")
    assert errors == [], errors
    context.close()


def test_auditor_reads_but_cannot_act(server: str, browser: Any) -> None:
    from web_support import PASSWORDS

    context = browser.new_context()
    page = context.new_page()
    _login(page, server, "auditor", PASSWORDS["auditor"])
    assert page.locator("#select-all").count() == 0
    page.locator("a.item-link").first.click()
    page.wait_for_url("**/items/*")
    assert page.locator("#action-form").count() == 0
    assert page.locator("#read-only").is_visible()
    _shot(page, "09-auditor-item")
    # Even a forged POST from the page's own origin is refused.
    status = page.evaluate("""async () => {
        const csrf = document.querySelector('meta[name=csrf-token]').content;
        const r = await fetch(location.pathname + '/action', {method: 'POST',
            headers: {'Content-Type': 'application/x-www-form-urlencoded'},
            body: 'action=approve&reason=x&csrf_token=' + encodeURIComponent(csrf)});
        return r.status; }""")
    assert status == 403
    context.close()
