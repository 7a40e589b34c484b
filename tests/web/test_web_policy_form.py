"""The policy form: fields → YAML (comments kept) → the same loader; the replay of a draft;
and section 9 in the dashboard (draft, approval or refusal by another person, date)."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from factories import TEST_POLICY
from vigie.detectors.lexicon import LexiconOptions
from vigie.policy import default_policy_path, parse_policy
from vigie.store.events import iter_events
from vigie.web.i18n import Translator
from vigie.web.policy_form import build_draft, form_values
from vigie.web.policy_yaml import apply_changes
from web_support import login, seeded_app

COMMENTED = TEST_POLICY.replace("categories:\n", "# Section 6.4, as adopted.\ncategories:\n")


def _values(text: str, **changes: str) -> dict[str, str]:
    values = form_values(parse_policy(text))
    values.update(changes)
    return values


def test_form_edits_become_yaml_that_loads_with_its_comments() -> None:
    values = _values(COMMENTED, **{"review.hate": "0,7", "remove.spam": "0.95", "version": "2",
                                   "effective_date": "2026-12-08",
                                   "reasons.hate": "remove: Propos haineux | Hateful remarks"})
    draft, errors = build_draft(COMMENTED, values, Translator("fr"))
    assert errors == {} and draft is not None and draft.kept_layout
    assert "# Section 6.4, as adopted." in draft.text
    policy = parse_policy(draft.text)
    assert policy.thresholds(policy.category("hate")) == (0.7, 0.85)
    assert policy.thresholds(policy.category("spam"))[1] == 0.95
    assert policy.version == "2" and policy.effective_date == dt.date(2026, 12, 8)
    assert policy.category("hate").reasons[0].text.en == "Hateful remarks"
    changed = [line for line in draft.diff if line[:1] in "+-" and line[:3] not in "+++---"]
    # Version and date replaced, one threshold added, one replaced, the reasons added.
    assert len(changed) == 8, changed


def test_words_and_pages_of_the_bundled_policy_keep_its_comments() -> None:
    text = default_policy_path().read_text(encoding="utf-8")
    values = _values(text, words="niaiseux; abuse.insult; medium; fr; niaiseuse, niaiseu",
                     pages="https://www.facebook.com/polymtl/\nx.com/polymtl")
    draft, errors = build_draft(text, values, Translator("en"))
    assert errors == {} and draft is not None and draft.kept_layout
    comments = [line for line in text.splitlines() if line.strip().startswith("#")]
    assert all(c in draft.text for c in comments)
    options = draft.policy.detectors["vigie.lexicon.aho.v1"]
    word = LexiconOptions.model_validate(options).extra_words[0]
    assert (word.term, word.signal, word.severity, word.lang) == (
        "niaiseux", "abuse.insult", "medium", "fr")
    assert word.variants == ("niaiseuse", "niaiseu")
    assert draft.policy.detectors["vigie.links.v1"]["institution_pages"] == [
        "facebook.com/polymtl", "x.com/polymtl"]


@pytest.mark.parametrize(("field", "value", "fr", "en"), [
    ("review.hate", "1,5", "entre 0 et 1", "between 0 and 1"),
    ("review.hate", "0.9", "dépasse le seuil d'action (0.85)", "above the action threshold"),
    ("effective_date", "8 décembre", "AAAA-MM-JJ", "YYYY-MM-DD"),
    ("version", " ", "obligatoire", "required"),
    ("reasons.spam", "effacer: non", "approve, remove", "valid actions"),
])
def test_each_bad_field_gets_its_own_message(field: str, value: str, fr: str, en: str) -> None:
    for lang, words in (("fr", fr), ("en", en)):
        draft, errors = build_draft(TEST_POLICY, _values(TEST_POLICY, **{field: value}),
                                    Translator(lang))
        assert draft is None and list(errors) == [field] and words in errors[field]


def test_bad_word_lines_name_the_line_and_the_valid_choices() -> None:
    text = default_policy_path().read_text(encoding="utf-8")
    _, errors = build_draft(text, _values(text, words="ok; abuse.insult; high\nzut; abuse.insult; "
                                          "fort"), Translator("fr"))
    assert errors["words"].startswith("Ligne 2 : « fort »") and "high, medium, low" in errors[
        "words"]
    _, errors = build_draft(text, _values(text, pages="pas une page"), Translator("en"))
    assert errors["pages"].startswith("Line 1: “pas une page”")
    _, errors = build_draft(text, _values(text), Translator("fr"))
    assert errors == {"_form": "Le brouillon est identique à la version en vigueur."}


def test_a_threshold_below_a_periods_is_refused_on_its_field() -> None:
    # The bundled 6 December period reviews abuse from 0.4: the policy's own cannot go lower.
    text = default_policy_path().read_text(encoding="utf-8")
    _, errors = build_draft(text, _values(text, **{"review.abuse": "0,3"}), Translator("fr"))
    assert list(errors) == ["review.abuse"]
    assert "sous le seuil de la période « Commémoration du 6 décembre » (0.4)" in errors[
        "review.abuse"]


def test_crlf_policy_gives_the_lf_draft() -> None:
    values = _values(TEST_POLICY, **{"review.hate": "0.6"})
    lf, _ = build_draft(TEST_POLICY, values, Translator("fr"))
    crlf, _ = build_draft(TEST_POLICY.replace("\n", "\r\n"), values, Translator("fr"))
    assert lf is not None and crlf is not None
    assert crlf.text == lf.text and crlf.diff == lf.diff and crlf.policy.digest == lf.policy.digest


def test_a_layout_that_cannot_be_patched_is_written_anew() -> None:
    # An alias shares one node between two places: editing it in place would change both.
    text = "a: &x {k: 1}\nb: *x\n"
    out, kept = apply_changes(text, {("b", "k"): 2})
    assert not kept and yaml.safe_load(out) == {"a": {"k": 1}, "b": {"k": 2}}


# -- through the dashboard -------------------------------------------------------------------

@pytest.fixture
def app(tmp_path: Path, db_url: str) -> Any:
    return seeded_app(tmp_path, db_url, n=20)


def _form(client: TestClient, csrf: str, **changes: str) -> dict[str, str]:
    page = client.get("/policy/edit")
    assert page.status_code == 200
    fields = dict(re.findall(r'<input (?:type="date" )?name="([^"]+)" value="([^"]*)"', page.text))
    fields.update(csrf_token=csrf, **changes)
    return fields


def test_preview_replays_stored_comments_then_saves_a_draft(app: Any) -> None:
    client = TestClient(app)
    csrf = login(client, "community_manager")
    # MAYBEHATE scores 0.6: from a review threshold of 0.7, those comments are allowed.
    fields = _form(client, csrf, **{"review.hate": "0,7", "version": "2"})
    preview = client.post("/policy/edit", data={**fields, "step": "preview"})
    assert preview.status_code == 200, preview.text[:500]
    assert "4 commentaire(s) sur 20 changeraient d'action." in html.unescape(preview.text)
    assert len(re.findall(r'<a href="/comments/\d+"', preview.text)) == 4
    assert "+    review_threshold: 0.7" in preview.text
    digest = re.search(r'name="preview_digest" value="([^"]+)"', preview.text)
    assert digest
    # Changed after the preview: not saved, previewed again.
    again = client.post("/policy/edit", data={**fields, "review.hate": "0.8", "step": "save",
                                              "preview_digest": digest.group(1)})
    assert again.status_code == 200 and "changé depuis l'aperçu" in html.unescape(again.text)
    saved = client.post("/policy/edit", data={**fields, "step": "save",
                                              "preview_digest": digest.group(1)},
                        follow_redirects=False)
    assert saved.status_code == 303
    versions = client.get("/api/v1/policy").json()["versions"]
    assert [(v["digest"], v["proposed_by"]) for v in versions if v["origin"] == "proposed"] == [
        (digest.group(1), "community_manager")]


def test_bad_field_is_refused_in_the_readers_language(app: Any) -> None:
    client = TestClient(app)
    csrf = login(client, "community_manager")
    fields = _form(client, csrf, **{"remove.spam": "beaucoup"})
    answer = client.post("/policy/edit", data={**fields, "step": "preview"})
    assert answer.status_code == 422
    assert "« beaucoup » : entrez un nombre entre 0 et 1" in answer.text
    client.cookies.set("vigie_lang", "en")
    answer = client.post("/policy/edit", data={**fields, "step": "preview"})
    assert "“beaucoup”: enter a number between 0 and 1" in answer.text


def _propose(app: Any, by: str, reason: str = "0.7") -> str:
    from vigie.web.policy_edit import active_version
    from vigie.web.service import propose_policy

    ctx = app.state.vigie
    _, text = active_version(ctx)
    draft, _ = build_draft(text, _values(text, **{"review.hate": reason}), Translator("fr"))
    assert draft is not None
    return propose_policy(ctx, draft.text, None, by).digest


def test_nobody_approves_their_own_change_not_even_with_a_token(app: Any) -> None:
    from vigie.web.accounts import create_api_token, user_by_name

    digest = _propose(app, "admin")
    client = TestClient(app)
    csrf = login(client, "admin")
    page = client.get("/policy")
    assert "Vous avez proposé cette version" in page.text
    assert f'action="/policy/{digest}/approve"' not in page.text
    for verb, data in (("approve", {"reference": "ADD-1"}), ("refuse", {"note": "non"})):
        answer = client.post(f"/policy/{digest}/{verb}", data={**data, "csrf_token": csrf})
        assert answer.status_code == 409
        assert "une autre personne doit l'approuver ou la refuser" in html.unescape(answer.text)
    ctx = app.state.vigie
    with ctx.store.begin() as conn:
        admin = user_by_name(conn, "admin")
        assert admin is not None
        token, _ = create_api_token(conn, admin, "ci", ctx.store.now())
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    answer = api.post(f"/api/v1/policy/versions/{digest}/approve", json={"reference": "ADD-1"})
    assert answer.status_code == 409, answer.text
    refused = api.post(f"/api/v1/policy/versions/{digest}/refuse", json={"note": "non"})
    assert refused.status_code == 409, refused.text
    versions = api.get("/api/v1/policy").json()["versions"]
    assert not [v for v in versions if v["approved_by"] or v["refused_by"]]


def test_second_person_approves_and_the_version_is_in_force_at_its_date(app: Any) -> None:
    digest = _propose(app, "community_manager")
    client = TestClient(app)
    csrf = login(client, "admin")
    answer = client.post(f"/policy/{digest}/approve", data={
        "reference": "ADD-600-1", "note": "Vu en assemblée", "csrf_token": csrf},
        follow_redirects=False)
    assert answer.status_code == 303
    overview = client.get("/api/v1/policy").json()
    assert overview["in_force"] == digest  # effective 2020-01-01: in force already
    assert "<td>0,70</td>" in client.get("/policy").text  # the table shows the version in force
    with app.state.vigie.read() as conn:
        steps = [(e.kind, e.actor, e.payload.get("note")) for e in
                 iter_events(conn, subject_type="policy", subject_id=digest)]
    assert steps == [("policy_proposed", "community_manager", None),
                     ("policy_approved", "admin", "Vu en assemblée")]


def test_refusal_with_a_note_closes_the_draft(app: Any) -> None:
    digest = _propose(app, "community_manager")
    client = TestClient(app)
    csrf = login(client, "admin")
    empty = client.post(f"/policy/{digest}/refuse", data={"note": " ", "csrf_token": csrf})
    assert empty.status_code == 409 and "Une note est requise" in empty.text
    answer = client.post(f"/policy/{digest}/refuse", data={
        "note": "Trop strict pour 6.4 b", "csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    page = client.get("/policy")
    assert "Trop strict pour 6.4 b" in page.text and f"/policy/{digest}/approve" not in page.text
    late = client.post(f"/policy/{digest}/approve", data={"reference": "X", "csrf_token": csrf})
    assert late.status_code == 409 and "a été refusée" in late.text
    audit = client.get("/audit?kind=policy_refused")
    assert "directive refusée" in audit.text
    api = client.get(f"/api/v1/policy/versions/{digest}").json()
    assert (api["refused_by"], api["refusal_note"]) == ("admin", "Trop strict pour 6.4 b")
