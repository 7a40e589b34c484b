"""Helpers shared by the web tests: an app on a real database, accounts per role, logins,
and a fake detector so the queue can be filled without loading models."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from factories import TEST_POLICY, make_policy
from vigie.detectors.base import DetectorInfo
from vigie.findings import Finding
from vigie.pipeline import Pipeline
from vigie.policy import parse_policy
from vigie.records import parse_comment
from vigie.text.prepare import PreparedComment
from vigie.web import create_app, load_web_settings
from vigie.web.accounts import create_user

PASSWORDS = {
    "admin": "admin-password-1",
    "community_manager": "manager-password-1",
    "moderator": "moderator-password-1",
    "auditor": "auditor-password-1",
    "privacy_officer": "privacy-password-1",
}
ROLES = tuple(PASSWORDS)

# Keyword → (signal, score): the fake detector's whole "model".
_KEYWORDS = {
    "HATEWORD": ("hate.slur", 0.95),      # remove
    "MAYBEHATE": ("hate.slur", 0.6),      # review
    "SPAMLINK": ("spam.link", 0.95),      # hide
    "GRUMBLE": ("tone.negative", 0.95),   # escalate
}


class KeywordDetector:
    """Emits a finding on each keyword of :data:`_KEYWORDS`, with its span."""

    info = DetectorInfo("test.fake.v1", ("hate.slur", "spam.link", "tone.negative",
                                         "language.foreign", "threat.death",
                                         "context.counter_speech"))

    def detect(self, batch: Sequence[PreparedComment],
               prior: Sequence[Sequence[Finding]]) -> list[list[Finding]]:
        out: list[list[Finding]] = []
        for item in batch:
            text = item.comment.text
            found = []
            for word, (signal, score) in _KEYWORDS.items():
                at = text.find(word)
                if at >= 0:
                    found.append(Finding(signal, score, self.info.name,
                                         f"test keyword {word.lower()}", (at, at + len(word))))
            out.append(found)
        return out


def keyword_pipeline() -> Pipeline:
    """The small test policy with the keyword detector (no model loaded)."""
    return Pipeline(make_policy(), [KeywordDetector()])


def make_app(tmp_path: Path, db_url: str | None = None, **settings: Any) -> FastAPI:
    """An app on a fresh SQLite file (or ``db_url``) with the test policy and detector."""
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(TEST_POLICY, encoding="utf-8")
    options: dict[str, Any] = {
        "mode": "test", "database_url": db_url or str(tmp_path / "web.sqlite"),
        "policy_path": policy_file, "fast_password_hashing": True,
    }
    options.update(settings)
    return create_app(load_web_settings(env={}, **options), pipeline=keyword_pipeline())


def add_users(app: FastAPI) -> None:
    """One account per role, named after the role."""
    ctx = app.state.vigie
    with ctx.store.begin() as conn:
        for role, password in PASSWORDS.items():
            create_user(conn, ctx.passwords, role, password, role, ctx.store.now())


def login(client: TestClient, username: str, password: str | None = None) -> str:
    """Log ``client`` in through the form; returns the session's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "login form without a CSRF token"
    answer = client.post("/login", data={
        "username": username, "password": password or PASSWORDS[username],
        "csrf_token": token.group(1), "next": "/queue"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:300]
    return csrf_of(client)


def csrf_of(client: TestClient) -> str:
    """The CSRF token of the logged-in session (read from a page's meta tag)."""
    found = re.search(r'name="csrf-token" content="([^"]*)"', client.get("/queue").text)
    assert found
    return found.group(1)


def records(n: int, start: dt.datetime | None = None) -> list[dict[str, Any]]:
    """``n`` comment records cycling through the keywords (every 5th is acceptable)."""
    start = start or dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    words = ["MAYBEHATE", "HATEWORD", "SPAMLINK", "GRUMBLE", "merci"]
    return [{
        "id": f"fb:t-{i}", "platform": "facebook" if i % 3 else "youtube",
        "text": f"Commentaire {i} avec {words[i % len(words)]} & <b>balise</b>",
        "created_at": (start + dt.timedelta(minutes=i)).isoformat(),
        "author": {"id": f"fb:u-{i % 7}", "name": f"Auteur {i % 7}"},
        "post": {"id": f"fb:p-{i // 10}", "text": "Une publication", "links": []},
    } for i in range(n)]


def seed(app: FastAPI, n: int = 20) -> None:
    """Moderate ``n`` records through the store (review items for every MAYBEHATE)."""
    from vigie.web.service import submit_comments

    submit_comments(app.state.vigie, [parse_comment(r) for r in records(n)], "test")


def seeded_app(tmp_path: Path, db_url: str | None, n: int = 20) -> FastAPI:
    """An app on ``db_url`` with one account per role and ``n`` moderated records."""
    app = make_app(tmp_path, db_url=db_url)
    add_users(app)
    seed(app, n)
    return app


COORDINATION_POLICY = TEST_POLICY + """  - slug: coordinated
    clause: "3"
    label: {fr: Publication coordonnée, en: Coordinated posting}
    description: {fr: Même texte que d'autres comptes, en: Same text as other accounts}
    signals: [coordination.duplicate]
    review_threshold: 0.5
    remove_threshold: 0.99
    action: remove
"""
CAMPAIGN = "Signez la pétition CAMPAGNE contre le projet de pavillon"


class CampaignDetector(KeywordDetector):
    """The keywords, plus ``coordination.duplicate`` on the copies of :data:`CAMPAIGN`, naming
    in ``data.matches`` the copies seen *before* each, as the real detector does across
    batches: the first copy names nobody."""

    info = DetectorInfo("test.fake.v1", (*KeywordDetector.info.provides,
                                         "coordination.duplicate"))

    def __init__(self, copies: Sequence[str]) -> None:
        self.copies = list(copies)

    def detect(self, batch: Sequence[PreparedComment],
               prior: Sequence[Sequence[Finding]]) -> list[list[Finding]]:
        out = super().detect(batch, prior)
        for found, item in zip(out, batch, strict=True):
            if CAMPAIGN in item.comment.text and item.comment.id != self.copies[0]:
                others = self.copies[: self.copies.index(item.comment.id)]
                found.append(Finding("coordination.duplicate", 0.8, self.info.name,
                                     "same text as 4 other account(s)", None,
                                     data={"accounts": len(others), "matches": others[:10],
                                           "exact": True}))
        return out


def _campaign(n: int) -> list[dict[str, Any]]:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    return [{"id": f"fb:c-{i}", "platform": "facebook", "text": CAMPAIGN,
             "created_at": (start + dt.timedelta(minutes=i)).isoformat(),
             "author": {"id": f"fb:bot-{i}", "name": f"Compte {i}"},
             "post": {"id": "fb:p-9", "text": "Une publication", "links": []}}
            for i in range(n)]


def coordination_app(tmp_path: Path, db_url: str | None = None) -> FastAPI:
    """An app with a campaign: 5 copies of one text from 5 accounts, the 4 later ones linked
    to the earlier by ``coordination.duplicate`` findings (so held for review), beside 10
    ordinary records; one account per role."""
    from vigie.web.service import submit_comments

    policy_file = tmp_path / "coordination.yaml"
    policy_file.write_text(COORDINATION_POLICY, encoding="utf-8")
    campaign = _campaign(5)
    detector = CampaignDetector([c["id"] for c in campaign])
    app = create_app(load_web_settings(env={}, mode="test",
                                       database_url=db_url or str(tmp_path / "c.sqlite"),
                                       policy_path=policy_file, fast_password_hashing=True),
                     pipeline=Pipeline(parse_policy(COORDINATION_POLICY, source="c.yaml"),
                                       [detector]))
    add_users(app)
    submit_comments(app.state.vigie, [parse_comment(r) for r in records(10) + campaign],
                    "test")
    return app


#: Reply templates for the test policy (question, criticism, thanks).
REPLIES = """
replies:
  directive_url: https://example.org/directive
  templates:
    - slug: question
      clause: "8"
      label: {fr: Réponse à une question, en: Answer to a question}
      text:
        fr: "Bonjour {author}, merci pour votre question. La {directive} : {directive_url}"
        en: "Hello {author}, thank you for your question. The {directive}: {directive_url}"
      suggest_for: {question: true}
    - slug: criticism
      clause: "6.1"
      label: {fr: Critique prise en compte, en: Criticism acknowledged}
      text: {fr: "Merci {author}, nous transmettons.", en: "Thank you {author}, we pass it on."}
      suggest_for: {categories: [negative]}
    - slug: thanks
      label: {fr: Remerciement, en: Thanks}
      text: {fr: "Merci {author} !", en: "Thank you {author}!"}
      suggest_for: {actions: [allow]}
"""
REPLIES_POLICY = TEST_POLICY + REPLIES


def replies_app(tmp_path: Path, texts: dict[str, str], db_url: str | None = None) -> FastAPI:
    """An app whose policy has reply templates, with ``texts`` (Facebook id -> text) moderated
    (authors ``Sylvie 0``, ``Sylvie 1``... in order) and one account per role."""
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(REPLIES_POLICY, encoding="utf-8")
    app = create_app(load_web_settings(env={}, mode="test",
                                       database_url=db_url or str(tmp_path / "r.sqlite"),
                                       policy_path=policy_file, fast_password_hashing=True),
                     pipeline=Pipeline(parse_policy(REPLIES_POLICY, source="policy.yaml"),
                                       [KeywordDetector()]))
    add_users(app)
    from vigie.web.service import submit_comments

    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    submit_comments(app.state.vigie, [parse_comment({
        "id": cid, "platform": "facebook", "text": text,
        "created_at": (start + dt.timedelta(minutes=i)).isoformat(),
        "author": {"id": f"fb:u-{i}", "name": f"Sylvie {i}"},
        "post": {"id": "fb:p-1", "text": "Une publication", "links": []}})
        for i, (cid, text) in enumerate(texts.items())], "test")
    return app
