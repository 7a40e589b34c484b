"""An author contests a takedown (6.2, 7): appeal codes, and the appeal that lands in the queue.

What an author has after a takedown is their own name or handle and, when the community
manager answered with the policy's removal notice, that notice. The notice carries an
**appeal code** (``{appeal_code}``, and ``{appeal_url}``: the public page with the code filled
in). A code is the comment's number in base 32 and a 30-bit keyed check (HMAC with the app's
secret key): it names one comment, cannot be made up for another, and needs no storage. The
author gives the code and their name or handle; both must match before anything is said about
the comment, so the page cannot be used to find out which comments exist or were taken down.

An appeal that matches goes through the store's own review functions, like an appeal filed
from the dashboard: :func:`vigie.store.queue.appeal` opens or reopens the comment's review
item (``review_opened``/``appealed`` in the audit trail, by ``author (appeal AP-…)``); where a
review is already open, the author's argument is added to it (a ``comment`` review event).
Every attempt, refused ones included, is kept in ``web_appeals`` for the rate limits; only the
keyed digests of the client address and of the code tried are kept, never the address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, insert, or_, select
from sqlalchemy.engine import Connection

from vigie.store.queue import appeal, resolve
from vigie.store.review import ReviewAction, ReviewError
from vigie.store.schema import authors, comments, review_items
from vigie.web.context import WebContext
from vigie.web.models import web_appeals

__all__ = ["MAX_CHARS", "MIN_CHARS", "AppealOutcome", "appeal_code", "appeal_path",
           "code_digest", "comment_of_code", "file_public_appeal", "throttled"]

MIN_CHARS, MAX_CHARS = 10, 2000
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
_CHECK = 6  # characters of keyed check: 30 bits
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})

Status = Literal["filed", "joined", "unmatched", "nothing", "spam"]


def _base32(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 32)
        digits = _ALPHABET[rest] + digits
        if number == 0:
            return digits


def _check(key: str, comment_pk: int) -> str:
    mac = hmac.new(key.encode(), f"appeal-code:{comment_pk}".encode(), hashlib.sha256).digest()
    return _base32(int.from_bytes(mac[:4]) >> 2).rjust(_CHECK, "0")[-_CHECK:]


def appeal_code(key: str, comment_pk: int) -> str:
    """The comment's appeal code, ``1A-7K3Q9M`` (pure; the same for the same key).

    Args:
        key: the app's secret key (changing it changes every code).
        comment_pk: the comment's number in the store.
    """
    return f"{_base32(comment_pk)}-{_check(key, comment_pk)}"


def appeal_path(key: str, comment_pk: int) -> str:
    """The public page with the comment's code filled in (pure)."""
    return f"/appeal?code={appeal_code(key, comment_pk)}"


def _normal_code(given: str) -> str:
    """The code's characters as written in a notice: a pasted link gives its ``code``."""
    given = given.strip()
    if "code=" in given:
        given = parse_qs(urlsplit(given).query).get("code", [""])[0]
    return "".join(c for c in given.upper() if c.isalnum()).translate(_READ_AS)


def comment_of_code(key: str, given: str) -> int | None:
    """The comment a code names, or ``None`` when the check does not match (pure)."""
    code = _normal_code(given)
    if not _CHECK < len(code) <= _CHECK + 13 or any(c not in _ALPHABET for c in code):
        return None
    number = 0
    for c in code[:-_CHECK]:
        number = number * 32 + _ALPHABET.index(c)
    if number < 1 or not hmac.compare_digest(_check(key, number), code[-_CHECK:]):
        return None
    return number


def code_digest(key: str, given: str) -> str:
    """A keyed digest of the code tried, for the per-code rate limit (pure)."""
    return hmac.new(key.encode(), f"appeal-tried:{_normal_code(given)}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def _folded(name: str | None) -> str:
    text = unicodedata.normalize("NFKC", name or "").casefold().strip().lstrip("@")
    return " ".join(text.split())


def throttled(conn: Connection, client: str, code: str, now: dt.datetime, *, window_s: int,
              max_per_client: int, max_per_code: int) -> bool:
    """Whether a new attempt is refused: too many from this client, or on this code."""
    since = now - dt.timedelta(seconds=window_s)
    recent = select(func.count()).select_from(web_appeals).where(web_appeals.c.filed_at >= since)
    by_client = conn.execute(recent.where(web_appeals.c.client == client)).scalar_one()
    by_code = conn.execute(recent.where(web_appeals.c.code == code)).scalar_one()
    return bool(by_client >= max_per_client or by_code >= max_per_code)


@dataclass(frozen=True, slots=True)
class AppealOutcome:
    """What became of an attempt.

    Attributes:
        status: ``filed`` (a review item opened or reopened), ``joined`` (added to the review
            already open), ``unmatched`` (the code and the name do not name a comment of
            theirs), ``nothing`` (theirs, but it is up and they are not blocked), ``spam``
            (the honeypot was filled: the visitor is thanked all the same).
        reference: the reference shown to the author (``AP-…``); ``None`` when refused.
        item_pk: the review item reached.
    """

    status: Status
    reference: str | None = None
    item_pk: int | None = None


def _matching_comment(conn: Connection, comment_pk: int, author: str) -> str | None:
    """The platform id of comment ``comment_pk`` when ``author`` is its author's name or handle."""
    row = conn.execute(select(comments.c.comment_id, authors.c.name, authors.c.handle)
                       .join(authors, authors.c.pk == comments.c.author_pk)
                       .where(comments.c.pk == comment_pk)).first()
    given = _folded(author)
    if row is None or not given or given not in {_folded(row.name), _folded(row.handle)} - {""}:
        return None
    return str(row.comment_id)


def _open_item(conn: Connection, comment_pk: int) -> int | None:
    row = conn.execute(select(review_items.c.pk).where(
        review_items.c.comment_pk == comment_pk,
        or_(review_items.c.state == "open", review_items.c.state == "escalated"))
        .order_by(review_items.c.pk.desc())).first()
    return int(row.pk) if row else None


def _reach_queue(ctx: WebContext, comment_pk: int, comment_id: str, by: str,
                 reason: str) -> AppealOutcome:
    with ctx.read() as conn:
        open_item = _open_item(conn, comment_pk)
    if open_item is not None:
        resolve(ctx.store, open_item, ReviewAction.COMMENT, by=by, reason=reason)
        return AppealOutcome("joined", item_pk=open_item)
    try:
        return AppealOutcome("filed", item_pk=appeal(ctx.store, comment_id, by=by,
                                                       reason=reason))
    except ReviewError:  # nothing to appeal: the comment is up, the author not blocked
        return AppealOutcome("nothing")


def file_public_appeal(ctx: WebContext, *, code: str, author: str, reason: str, lang: str,
                       client: str, robot: bool = False) -> AppealOutcome:
    """Record one attempt from the public page; a matching one lands in the review queue.

    The caller has checked the form (CSRF, lengths) and the rate limit (:func:`throttled`).

    Args:
        ctx: the app's context.
        code: the appeal code as typed (or the notice's link).
        author: the name or handle the author gives.
        reason: their argument, in words (stripped, within the length caps).
        lang: the page's language (kept with the attempt).
        client: the keyed digest of the client address.
        robot: the honeypot was filled: recorded as ``spam``, nothing reaches the queue.
    """
    key = ctx.settings.key
    comment_pk = comment_of_code(key, code)
    outcome = AppealOutcome("spam")
    comment_id = None
    if not robot and comment_pk is not None:
        with ctx.read() as conn:
            comment_id = _matching_comment(conn, comment_pk, author)
    reference = f"AP-{secrets.token_hex(4).upper()}"
    if not robot:
        if comment_pk is None or comment_id is None:
            outcome = AppealOutcome("unmatched")
        else:
            outcome = _reach_queue(ctx, comment_pk, comment_id, f"author (appeal {reference})",
                                   reason)
    kept = outcome.status in ("filed", "joined", "spam")
    with ctx.store.begin() as conn:
        conn.execute(insert(web_appeals).values(
            filed_at=ctx.store.now(), lang=lang, client=client,
            code=code_digest(key, code), status=outcome.status,
            reference=reference if kept else None,
            comment_pk=comment_pk if comment_id else None, item_pk=outcome.item_pk,
            reason=reason if outcome.status in ("filed", "joined") else None))
    return AppealOutcome(outcome.status, reference if kept else None, outcome.item_pk)
