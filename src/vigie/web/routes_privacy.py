"""The privacy page (Québec's Law 25): find a person, see what is held, export it, erase it.

Every route needs ``privacy`` (the privacy officer and the admin). Opening a person's file, each
export and the erasure are audit events under the officer's name (:mod:`vigie.web.privacy`).
An erasure needs a reason and the person's id typed again: it cannot be undone.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request, Response
from fastapi.responses import RedirectResponse

from vigie.errors import StoreError
from vigie.store.retention import AUTHOR_CSV_FIELDS, author_csv_rows
from vigie.web.auth import PrivacyOfficer
from vigie.web.context import web_context
from vigie.web.export import csv_response
from vigie.web.i18n import translator
from vigie.web.privacy import (
    Person,
    erase_person,
    export_person,
    find_people,
    lookup,
    person,
)
from vigie.web.schemas import MAX_PK
from vigie.web.templating import lang_of, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

AuthorPk = Annotated[int, Path(ge=1, le=MAX_PK)]


@router.get("/privacy")
def privacy_search(request: Request, _: PrivacyOfficer,
                   q: Annotated[str, Query(max_length=255)] = "",
                   msg: Annotated[str, Query(max_length=64,
                                             pattern=r"^(privacy\.[a-z_]+)?$")] = "",
                   n: Annotated[int, Query(ge=0, le=MAX_PK)] = 0,
                   d: Annotated[int, Query(ge=0, le=MAX_PK)] = 0) -> Response:
    """The search form, and the people an author id or a handle names."""
    ctx = web_context(request)
    with ctx.read() as conn:
        people = find_people(conn, q)
    # ``done`` rather than ``msg``: the page words it with the counts.
    return render(request, "privacy.html", {"q": q, "people": people, "done": msg, "n": n,
                                            "d": d})


def _held(request: Request, pk: int) -> Person:
    with web_context(request).read() as conn:
        found = lookup(conn, pk)
    if found is None:
        raise HTTPException(404, "no such person")
    return found


def _found(request: Request, pk: int, actor: str) -> tuple[Person, list[dict[str, object]]]:
    found = person(web_context(request), pk, actor)
    if found is None:
        raise HTTPException(404, "no such person")
    return found


def _file_page(request: Request, pk: int, actor: str, error_text: str = "",
               status_code: int = 200) -> Response:
    who, drafts = _found(request, pk, actor)
    return render(request, "privacy_person.html", {"p": who, "drafts": drafts,
                                                   "error_text": error_text},
                  status_code=status_code)


@router.get("/privacy/authors/{author_pk}")
def privacy_person(request: Request, author_pk: AuthorPk, me: PrivacyOfficer) -> Response:
    """What is held on one person; audited (``person_viewed``)."""
    return _file_page(request, author_pk, me.actor)


@router.get("/privacy/authors/{author_pk}/export.json")
def privacy_export_json(request: Request, author_pk: AuthorPk, me: PrivacyOfficer) -> Response:
    """Everything held on the person (the CLI's JSON file), as a download; audited."""
    who = _held(request, author_pk)
    file = export_person(web_context(request), who, me.actor)
    return Response(json.dumps(file, ensure_ascii=False, indent=2) + "\n",
                    media_type="application/json; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="vigie-person-{author_pk}.json"'})


@router.get("/privacy/authors/{author_pk}/export.csv")
def privacy_export_csv(request: Request, author_pk: AuthorPk, me: PrivacyOfficer) -> Response:
    """The person's comments, one row each, as CSV with a BOM (Excel); audited."""
    who = _held(request, author_pk)
    file = export_person(web_context(request), who, me.actor)
    t = translator(lang_of(request))
    return csv_response(f"vigie-person-{author_pk}.csv",
                        [t(f"privacy.csv_{c}") for c in AUTHOR_CSV_FIELDS],
                        lambda: author_csv_rows(file))


@router.post("/privacy/authors/{author_pk}/erase")
def privacy_erase(request: Request, author_pk: AuthorPk, me: PrivacyOfficer,
                  reason: Annotated[str, Form(max_length=500)] = "",
                  confirm: Annotated[str, Form(max_length=255)] = "") -> Response:
    """Erase the person (names, texts, evidence fragments, drafts naming them); audited."""
    t = translator(lang_of(request))
    who = _held(request, author_pk)
    if who.erased_at is not None:
        return _file_page(request, author_pk, me.actor, t("privacy.error_erased"), 409)
    if not reason.strip():
        return _file_page(request, author_pk, me.actor, t("privacy.error_reason"), 422)
    if confirm.strip() != who.author_id:
        return _file_page(request, author_pk, me.actor,
                          t("privacy.error_confirm", id=who.author_id), 422)
    try:
        report, drafts = erase_person(web_context(request), who, me.actor, reason.strip())
    except StoreError as error:
        return _file_page(request, author_pk, me.actor, str(error), 409)
    return RedirectResponse(f"/privacy?msg=privacy.done_erased&n={report.comments}&d={drafts}",
                            status_code=303)
