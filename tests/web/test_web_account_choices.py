"""Each account's own language and time zone: kept in the store, audited, followed by every
page once signed in; the FR/EN switch still overrides them in one browser until the next
sign-in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from vigie.store.events import verify_chain
from vigie.store.schema import events
from vigie.web.accounts import user_by_name
from vigie.web.formats import Formats
from web_support import add_users, login, make_app, seed


def _app(tmp_path: Path, db_url: str | None = None) -> Any:
    app = make_app(tmp_path, db_url=db_url)
    add_users(app)
    seed(app, 5)
    return app


def _signed_in(app: Any, username: str) -> tuple[TestClient, str]:
    client = TestClient(app)  # a fresh browser: no language or zone cookie yet
    return client, login(client, username)


def _changes(app: Any) -> list[Any]:
    with app.state.vigie.store.read() as conn:
        return list(conn.execute(select(events).where(
            events.c.kind == "preferences_changed").order_by(events.c.seq)))


def test_english_and_paris_follow_the_account_default_stays_french_montreal(
        tmp_path: Path, db_url: str) -> None:
    app = _app(tmp_path, db_url)
    client, csrf = _signed_in(app, "moderator")
    saved = client.post("/account/preferences", data={
        "lang": "en", "zone": "Europe/Paris", "csrf_token": csrf}, follow_redirects=False)
    assert saved.status_code == 303
    with app.state.vigie.store.read() as conn:
        user = user_by_name(conn, "moderator")
        assert user is not None and (user.lang, user.timezone) == ("en", "Europe/Paris")
        assert verify_chain(conn).ok
    [change] = _changes(app)
    assert change.actor == "moderator" and change.subject_type == "account"
    assert change.subject_id == "moderator"
    assert json.loads(change.payload) == {"lang": "en", "timezone": "Europe/Paris"}

    # Another browser, signed in as the same account: English labels, Paris times.
    other, _ = _signed_in(app, "moderator")
    now = app.state.vigie.store.now()
    page = other.get("/account").text
    assert "Language and time zone" in page and 'value="Europe/Paris" selected' in page
    assert Formats("en", "Europe/Paris").when(now)[:-2] in page  # the minute may turn
    queue = other.get("/queue").text
    assert '<html lang="en">' in queue and '<html lang="fr">' not in queue
    # Without the cookies sign-in wrote (an API client, a cleared browser), the account holds.
    other.cookies.delete("vigie_lang")
    other.cookies.delete("vigie_tz")
    page = other.get("/account").text
    assert "Language and time zone" in page and 'value="Europe/Paris" selected' in page

    # An account that chose nothing: French, Montréal.
    default, _ = _signed_in(app, "auditor")
    page = default.get("/account").text
    assert "Langue et fuseau horaire" in page and 'value="America/Montreal" selected' in page
    assert Formats("fr", "America/Montreal").when(now)[:-2] in page
    assert Formats("fr", "America/Montreal").when(now) != Formats("fr", "Europe/Paris").when(now)


def test_the_switch_overrides_in_one_browser_until_the_next_sign_in(tmp_path: Path) -> None:
    app = _app(tmp_path)
    client, csrf = _signed_in(app, "moderator")
    client.post("/account/preferences", data={"lang": "en", "zone": "Europe/Paris",
                                              "csrf_token": csrf})
    client.get("/lang/fr?next=/account")
    assert "Langue et fuseau horaire" in client.get("/account").text
    assert len(_changes(app)) == 1  # the switch is not the account's choice
    client.post("/logout", data={"csrf_token": csrf})
    login(client, "moderator")
    assert "Language and time zone" in client.get("/account").text


def test_bad_choices_are_refused_with_a_message_and_nothing_changes(tmp_path: Path) -> None:
    app = _app(tmp_path)
    client, csrf = _signed_in(app, "auditor")
    bad_lang = client.post("/account/preferences", data={
        "lang": "de", "zone": "Europe/Paris", "csrf_token": csrf})
    assert bad_lang.status_code == 422 and "Langue inconnue" in bad_lang.text
    bad_zone = client.post("/account/preferences", data={
        "lang": "en", "zone": "Mars/Olympus", "csrf_token": csrf})
    assert bad_zone.status_code == 422 and "Fuseau horaire inconnu" in bad_zone.text
    same = client.post("/account/preferences", data={
        "lang": "fr", "zone": "America/Montreal", "csrf_token": csrf})
    assert same.status_code == 200  # followed to the page; nothing was chosen anew
    # An explicit choice of the defaults is a choice (the account no longer follows them).
    assert json.loads(_changes(app)[0].payload) == {"lang": "fr",
                                                    "timezone": "America/Montreal"}
    client.post("/account/preferences", data={"lang": "fr", "zone": "America/Montreal",
                                              "csrf_token": csrf})
    assert len(_changes(app)) == 1  # the same choice again writes nothing
