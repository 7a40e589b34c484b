"""Erasure on request (Québec's Law 25, s. 28): a person's data removed, the audit kept.

:func:`erase_author` removes what identifies one author and what they wrote, in one transaction:

* the author row: ``name``, ``handle`` and ``profile`` emptied, ``author_id`` replaced by its
  keyed pseudonym (``anon-…``, HMAC-SHA-256 with ``VIGIE_PSEUDONYM_KEY``), ``erased_at`` set;
* their comments: ``text`` and the raw ``payload`` emptied (``purged_at`` set);
* their decisions: the evidence's explanations and data (which may quote fragments of the text)
  replaced by a note; action, clauses, signals, scores and spans stay, so the decision can still
  be explained by what was found, not by what was written;
* finished outbox rows: the platform's author id replaced by the pseudonym, and the text of
  the replies posted to them (which greet them by name) replaced by a note;
* their link to their accounts on other platforms (:mod:`vigie.store.persons`), so strikes
  stop adding up across them.

Each rewritten decision gets an ``erased`` event carrying the new body's SHA-256, so ``vigie audit
verify`` checks the row against it; one ``erased`` event on the author records who asked and
why. Events never held text or names; the platform ids inside action keys stay in the chain
(an append-only log cannot forget them), which the audit's legal basis covers.

A later comment from the same platform account is a new author: nothing links it back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from vigie.store.events import EventKind, NewEvent, append_events, lock_chain
from vigie.store.outbox import ActionKind
from vigie.store.persons import forget_links
from vigie.store.retention import find_authors, pseudonym
from vigie.store.schema import authors, comments, decisions, outbox
from vigie.store.store import Store

__all__ = ["ERASED_NOTE", "ErasureReport", "erase_author", "redact_decision"]

#: What an erased explanation says, in both languages.
ERASED_NOTE = "effacé sur demande (Loi 25) / erased on request (Law 25)"


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """What an erasure did."""

    accounts: int
    comments: int
    decisions: int
    pseudonyms: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (pure)."""
        return {"accounts": self.accounts, "comments": self.comments,
                "decisions": self.decisions, "pseudonyms": list(self.pseudonyms)}


def redact_decision(body: dict[str, Any]) -> dict[str, Any]:
    """A decision body without what may quote the comment (pure).

    Every evidence item (of the categories and of the escalations) keeps ``signal``,
    ``score``, ``detector`` and ``span``; its ``explanation`` becomes :data:`ERASED_NOTE` and
    its ``data`` is dropped. The decision's own
    explanation, which repeats the evidence (a learned judge names the words that drove it),
    becomes the note too, in each language.
    """
    out = dict(body)
    if isinstance(body.get("explanation"), dict):
        out["explanation"] = {lang: ERASED_NOTE for lang in body["explanation"]}
    categories = []
    for category in body.get("categories") or []:
        category = dict(category)
        category["evidence"] = _redacted(category.get("evidence"))
        categories.append(category)
    out["categories"] = categories
    if isinstance(body.get("escalation_evidence"), dict):
        out["escalation_evidence"] = {slug: _redacted(found) for slug, found
                                      in body["escalation_evidence"].items()}
    out["erased"] = True
    return out


def _redacted(evidence: Any) -> list[dict[str, Any]]:
    return [{**{k: v for k, v in item.items() if k != "data"}, "explanation": ERASED_NOTE}
            for item in evidence or []]


def erase_author(store: Store, author_id: str, *, actor: str, reason: str,
                 platform: str | None = None) -> ErasureReport:
    """Erase one author's data (see the module's docstring); audited.

    Args:
        store: the store.
        author_id: the platform's author id (``fb:u-123``).
        actor: who carries it out (recorded).
        reason: the request it answers (a ticket number, a date; recorded).
        platform: restrict to one platform when the id is ambiguous.

    Raises:
        StoreError: no such author, or no safe pseudonymisation key is configured.
    """
    key = store.settings.require_pseudonym_key()
    now = store.now()
    with store.begin() as conn:
        lock_chain(conn)
        rows = find_authors(conn, author_id, platform)
        new_events: list[NewEvent] = []
        n_comments = n_decisions = 0
        names = []
        for author in rows:
            alias = pseudonym(key, author.platform, author.author_id)
            names.append(alias)
            mine = conn.execute(select(comments.c.pk, comments.c.comment_id)
                                .where(comments.c.author_pk == author.pk)).all()
            pks = [r.pk for r in mine]
            if pks:
                conn.execute(update(comments).where(comments.c.pk.in_(pks)).values(
                    text=None, payload=None, purged_at=now))
            n_comments += len(pks)
            ids = {r.pk: r.comment_id for r in mine}
            for row in conn.execute(select(decisions.c.pk, decisions.c.comment_pk,
                                           decisions.c.body)
                                    .where(decisions.c.comment_pk.in_(pks))).all():
                body = json.dumps(redact_decision(json.loads(row.body)), ensure_ascii=False)
                sha = hashlib.sha256(body.encode("utf-8")).hexdigest()
                conn.execute(update(decisions).where(decisions.c.pk == row.pk).values(
                    body=body, body_sha256=sha))
                new_events.append(NewEvent(EventKind.ERASED, "comment", ids[row.comment_pk],
                                           {"body_sha256": sha}, actor))
                n_decisions += 1
            # A reply not yet sent may name the person ({author}): it is not sent any more.
            waiting = (outbox.c.author_id == author.author_id,
                       outbox.c.platform == author.platform,
                       outbox.c.kind == ActionKind.REPLY_COMMENT.value,
                       outbox.c.status == "pending")
            for reply in conn.execute(select(outbox.c.key, outbox.c.comment_id,
                                             outbox.c.requested_by).where(*waiting)).all():
                new_events.append(NewEvent(EventKind.REPLY_FAILED, "comment",
                                           str(reply.comment_id), {
                    "action": reply.key, "platform": author.platform,
                    "detail": "not sent: the author's data was erased (Law 25)"}, actor))
            conn.execute(update(outbox).where(*waiting).values(
                status="dead", body=ERASED_NOTE,
                last_error="not sent: the author's data was erased (Law 25)"))
            finished = (outbox.c.author_id == author.author_id,
                        outbox.c.platform == author.platform,
                        outbox.c.status.in_(("applied", "dead")))
            conn.execute(update(outbox).where(*finished, outbox.c.body.is_not(None))
                         .values(body=ERASED_NOTE))
            conn.execute(update(outbox).where(*finished).values(author_id=alias))
            # A link to their accounts elsewhere is personal information too (directive 7).
            new_events.extend(forget_links(conn, author.pk, actor=actor, reason=reason))
            conn.execute(update(authors).where(authors.c.pk == author.pk).values(
                author_id=alias, name=None, handle=None, profile=None, erased_at=now))
            new_events.append(NewEvent(EventKind.ERASED, "author", str(author.pk), {
                "pseudonym": alias, "comments": len(pks), "reason": reason[:500]}, actor))
        append_events(conn, new_events, now)
    return ErasureReport(len(rows), n_comments, n_decisions, tuple(names))
