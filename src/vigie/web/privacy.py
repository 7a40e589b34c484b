"""A person's data under Québec's Law 25, for the dashboard's privacy page (``/privacy``).

The privacy officer (or an admin) finds a person by the platform's author id or by handle, sees
what the store holds on them (accounts, comments and texts still held, decisions, strikes,
blocks, drafts put to a supervisor that name them), exports it (JSON: everything; CSV: one row
per comment) and erases it, as ``vigie privacy export`` and ``erase`` do. Opening a person's file
appends a ``person_viewed`` event, an export an ``exported`` event and an erasure ``erased``
events, each under the officer's name: who looked at whom is on record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from vigie.monitoring.consultation_privacy import consultations_of, erase_consultations_of
from vigie.store.erasure import ErasureReport, erase_author
from vigie.store.events import EventKind, NewEvent, append_events
from vigie.store.retention import export_author
from vigie.store.schema import PLATFORMS, authors, blocks, comments, decisions, strikes
from vigie.web.context import WebContext

__all__ = ["Person", "erase_person", "export_person", "find_people", "lookup", "person",
           "person_names"]

#: People listed for one search at most (an id or a handle names few).
MAX_MATCHES = 50


@dataclass(frozen=True, slots=True)
class Person:
    """One stored author and what the store holds on them.

    Attributes:
        pk: the store's key.
        platform: the platform.
        author_id: the platform's id (a pseudonym once erased).
        name, handle: as received (``None`` once purged or erased).
        first_seen: when first stored.
        erased_at: when erased, if it was.
        comments: comments stored; texts: those whose text is still held.
        decisions: decisions on them; strikes: strikes not voided; blocked: a block in force.
    """

    pk: int
    platform: str
    author_id: str
    name: str | None
    handle: str | None
    first_seen: Any
    erased_at: Any
    comments: int = 0
    texts: int = 0
    decisions: int = 0
    strikes: int = 0
    blocked: bool = False


def _folded(term: str) -> str:
    return term.strip().lstrip("@").lower()


def find_people(conn: Connection, term: str) -> list[Person]:
    """Authors whose id is ``term`` or whose handle is ``term`` (case and ``@`` ignored).

    An empty term finds nobody (the page never lists everyone).
    """
    if not _folded(term):
        return []
    rows = conn.execute(select(authors.c.pk).where(
        authors.c.platform.in_(PLATFORMS),
        or_(authors.c.author_id == term.strip(),
            func.ltrim(func.lower(authors.c.handle), "@") == _folded(term)))
        .order_by(authors.c.pk).limit(MAX_MATCHES)).scalars().all()
    return [found for pk in rows if (found := lookup(conn, int(pk))) is not None]


def _count(conn: Connection, query: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def lookup(conn: Connection, pk: int) -> Person | None:
    """Author ``pk`` and counts of what is held, or ``None`` (not audited; :func:`person` is)."""
    row = conn.execute(select(authors).where(authors.c.pk == pk)).one_or_none()
    if row is None:
        return None
    mine = select(comments.c.pk).where(comments.c.author_pk == pk)
    return Person(
        pk, row.platform, row.author_id, row.name, row.handle, row.first_seen, row.erased_at,
        comments=_count(conn, mine),
        texts=_count(conn, mine.where(comments.c.text.is_not(None))),
        decisions=_count(conn, select(decisions.c.pk).join(
            comments, comments.c.pk == decisions.c.comment_pk).where(comments.c.author_pk == pk)),
        strikes=_count(conn, select(strikes.c.pk).where(strikes.c.author_pk == pk,
                                                        strikes.c.voided_at.is_(None))),
        blocked=_count(conn, select(blocks.c.pk).where(blocks.c.author_pk == pk,
                                                       blocks.c.lifted_at.is_(None))) > 0)


def person_names(found: Person) -> list[str]:
    """The names a person goes by in the drafts put to a supervisor: id and handle (pure)."""
    return [found.author_id, *([found.handle] if found.handle else [])]


def person(ctx: WebContext, pk: int, actor: str) -> tuple[Person, list[dict[str, Any]]] | None:
    """Author ``pk`` and the consultations naming them, or ``None``; audited (``person_viewed``)."""
    store = ctx.store
    with store.begin() as conn:
        found = lookup(conn, pk)
        if found is None:
            return None
        drafts = consultations_of(conn, person_names(found))
        append_events(conn, [NewEvent(EventKind.PERSON_VIEWED, "author", str(pk), {
            "consultations": len(drafts)}, actor)], store.now())
    return found, drafts


def export_person(ctx: WebContext, found: Person, actor: str) -> dict[str, Any]:
    """Everything held on ``found`` (the CLI's JSON file); audited (``exported``)."""
    file = export_author(ctx.store, found.author_id, platform=found.platform, actor=actor)
    with ctx.store.read() as conn:
        file["consultations"] = consultations_of(conn, person_names(found))
    return file


def erase_person(ctx: WebContext, found: Person, actor: str, reason: str
                 ) -> tuple[ErasureReport, int]:
    """Erase ``found`` and the drafts put to a supervisor naming them; audited (``erased``).

    Returns:
        The store's erasure report, and how many drafts were purged.

    Raises:
        StoreError: no such author any more, or no safe pseudonymisation key.
    """
    drafts = erase_consultations_of(ctx.store, person_names(found), actor=actor, reason=reason)
    report = erase_author(ctx.store, found.author_id, actor=actor, reason=reason,
                          platform=found.platform)
    return report, drafts
