"""French first: no English word on any French page.

Every page a community manager uses is rendered in French (the default) with real data:
items in every state, automatic actions undone, an escalation, a refused action, an error
page. The visible text, and the ``title``, ``placeholder`` and ``aria-label`` attributes, are
scanned for English words. Technical data (signal names, ids, hashes, a detector's own English
detail behind "Détail technique") is marked ``translate="no"`` and skipped, as the HTML
standard means it.
"""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from web_support import add_users, login, make_app, seed

# Words that are English and not French (nor names of platforms or roles shown as such).
_WORDS = """
the and with from this that these those is are was were been being has have had not for of
to by or at it its which who what when where why how you your we our they their there here
can cannot could should would will shall must may might does did done yes none all any each
every some more less than then only also into over under after before about between against
without within through during removed hidden blocked approved pending sent failed applied
review reviewed reviewer comment comments author authors breach detected keyword found hate
spam threat link links word words queue item items next previous search filter open closed
escalated escalate escalation restore remove block unblock approve decision decisions reason
reasons policy submit save cancel delete user users password login logout account token
tokens help error errors unknown invalid required missing forbidden allowed empty week weeks
month day days hours ago median count platform post posts settings status
back home show hide new old first last up down off yet still already nothing something please
sorry applied created updated by anyway none
"""
ENGLISH = frozenset(re.findall(r"\w+", _WORDS))
ATTRS = re.compile(r'\b(?:title|placeholder|aria-label)="([^"]*)"')
SKIP = re.compile(r"<(script|style)\b.*?</\1>|<(\w+)\b[^>]*\btranslate=\"no\"[^>]*>.*?</\2>",
                  re.S)


def english_words(page: str) -> list[str]:
    """English words in a page's visible text and labels, with a little context each."""
    body = SKIP.sub(" ", page)
    attrs = " ".join(ATTRS.findall(body))
    text = html.unescape(re.sub(r"<[^>]+>", " ", body) + " " + attrs)
    found = []
    for m in re.finditer(r"[^\W\d_]+", text):
        if m.group(0).lower() in ENGLISH:
            found.append(text[max(0, m.start() - 40):m.end() + 40].replace("\n", " "))
    return found


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    app = make_app(tmp_path_factory.mktemp("fr"))
    add_users(app)
    seed(app, 40)
    client = TestClient(app)
    csrf = login(client, "admin")
    h = {"x-csrf-token": csrf}
    queue = client.get("/api/v1/queue?state=open&limit=50").json()["items"]
    client.post(f"/api/v1/queue/{queue[0]['item']}/actions",
                json={"action": "remove", "reason": "insulte"}, headers=h)
    client.post(f"/api/v1/queue/{queue[1]['item']}/actions",
                json={"action": "escalate", "reason": "à voir"}, headers=h)
    taken = client.get("/api/v1/actions?limit=50").json()["actions"]
    client.post(f"/api/v1/actions/{taken[0]['comment']['pk']}/undo",
                json={"reason": "faux positif"}, headers=h)
    client.csrf = csrf  # type: ignore[attr-defined]
    return client


PAGES = ["/queue", "/queue?state=escalated", "/queue?state=closed", "/items/1", "/items/2",
         "/items/3", "/actions", "/actions?standing=undone", "/actions?platform=youtube",
         "/escalations", "/escalations?state=all", "/escalations/1", "/stats", "/policy",
         "/policy/edit", "/audit", "/check", "/draft", "/consultations", "/registry",
         "/mentions", "/admin", "/account", "/authors/1", "/items/99999", "/nowhere", "/appeal",
         "/appeal?code=1-ABCDEF", "/appeal?sent=AP-0123ABCD", "/comments/1", "/audit/verify"]


@pytest.mark.parametrize("path", PAGES)
def test_french_pages_hold_no_english_word(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code in (200, 404), (path, page.status_code)
    assert '<html lang="fr">' in page.text
    assert english_words(page.text) == []


def test_policy_preview_and_its_replay_are_french(client: TestClient) -> None:
    page = client.get("/policy/edit").text
    fields = dict(re.findall(r'<input (?:type="date" )?name="([^"]+)" value="([^"]*)"', page))
    fields.update({"review.hate": "0,7", "step": "preview",
                   "csrf_token": client.csrf})  # type: ignore[attr-defined]
    preview = client.post("/policy/edit", data=fields)
    assert preview.status_code == 200 and 'id="replay-changes"' in preview.text
    assert english_words(preview.text) == []


def test_refusals_and_results_are_french_too(client: TestClient) -> None:
    closed = client.get("/api/v1/queue?state=closed&limit=5").json()["items"][0]["item"]
    refused = client.post(f"/items/{closed}/action", data={
        "action": "approve", "reason": "ok", "csrf_token": client.csrf})  # type: ignore[attr-defined]
    assert refused.status_code == 409
    assert "L'élément est fermé" in html.unescape(refused.text)
    assert english_words(refused.text) == []
    checked = client.post("/check", data={"text": "un HATEWORD ici",
                                          "csrf_token": client.csrf})  # type: ignore[attr-defined]
    assert english_words(checked.text) == []
    draft = client.post("/draft", data={
        "text": "un HATEWORD ici", "speaker": "@quelqun", "platform": "facebook",
        "csrf_token": client.csrf})  # type: ignore[attr-defined]
    assert draft.status_code == 200 and "draft-findings" in draft.text
    assert english_words(draft.text) == []


def test_the_scanner_catches_english(client: TestClient) -> None:
    assert english_words("<p>No breach of the directive detected.</p>")
    assert english_words('<input placeholder="Your reason">')
    assert english_words('<span translate="no">hate.slur</span>') == []


def test_dates_and_numbers_are_french(client: TestClient) -> None:
    page = client.get("/items/1").text
    assert re.search(r"\d{1,2} (janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)\.? "
                     r"\d{4} \d{2} h \d{2}", page)
    assert "UTC" not in re.sub(r'translate="no"[^>]*>[^<]*', "", page)
    assert re.search(r"\b0,\d\d\b", page)  # decimal comma


def test_the_time_zone_is_a_reader_choice(client: TestClient) -> None:
    from vigie.web.formats import Formats

    default = client.get("/account").text
    assert 'value="America/Montreal" selected' in default
    bad = client.post("/account/zone", data={"zone": "Mars/Olympus",
                                             "csrf_token": client.csrf})  # type: ignore[attr-defined]
    assert bad.status_code == 422 and "Fuseau horaire inconnu" in bad.text
    moved = client.post("/account/zone", data={"zone": "Asia/Tokyo",
                                               "csrf_token": client.csrf},  # type: ignore[attr-defined]
                        follow_redirects=False)
    assert moved.status_code == 303
    page = client.get("/account").text
    assert 'value="Asia/Tokyo" selected' in page
    now = client.app.state.vigie.store.now()  # type: ignore[attr-defined]
    tokyo, montreal = Formats("fr", "Asia/Tokyo"), Formats("fr")
    assert tokyo.when(now)[:-2] in page  # the minute may turn between page and clock
    assert tokyo.when(now) != montreal.when(now)  # 13 or 14 hours apart
    client.cookies.delete("vigie_tz")


def test_chart_values_use_the_readers_decimals() -> None:
    from vigie.web.charts import Chart, Series, svg

    def drawn(lang: str) -> str:
        return svg(Chart("bars", ("a", "b"), (Series("n", (1.25, 1234.0), "#000"),),
                         "commentaires", "rien", lang), "wide")

    fr, en = drawn("fr"), drawn("en")
    # Matplotlib writes each label's text as a comment beside its outline.
    assert "<!-- 1,2 -->" in fr and "<!-- 1.2 -->" in en
    assert "<!-- 1\u202f234 -->" in fr or "<!-- 1\xa0234 -->" in fr  # French thousands
    assert "<!-- 1,234 -->" in en
