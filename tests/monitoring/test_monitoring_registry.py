"""The registry of pages (6.1), mandates, and accounts that use the name without being listed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from vigie.errors import VigieError
from vigie.monitoring.impersonation import (
    Candidate,
    candidates_from_authors,
    find_suspects,
    list_suspects,
    parse_candidates,
    save_suspects,
)
from vigie.monitoring.registry import (
    Mandate,
    MandateBook,
    PageStatus,
    add_mandate,
    canonical_page_url,
    export_entries,
    list_entries,
    load_book,
    parse_entries,
    remove_entry,
    revoke_mandate,
    upsert_entries,
)

NOW = dt.datetime(2025, 3, 18, 12, 0, tzinfo=dt.UTC)

CSV = (Path(__file__).parents[1] / "data" / "monitoring" / "registry.csv").read_text("utf-8")


def _book() -> MandateBook:
    return MandateBook(parse_entries(CSV, "csv"), [
        Mandate(person="Porte.Parole@polymtl.ca", name="Porte-parole", granted_by="Direction",
                scope="relations de presse"),
        Mandate(person="ancien@polymtl.ca", name="Ancien porte-parole", granted_by="Direction",
                expires_at=NOW - dt.timedelta(days=1)),
    ])


@pytest.mark.parametrize("a, b", [
    ("https://twitter.com/PolyMtl/", "x.com/polymtl"),
    ("http://www.facebook.com/polytechniquemontreal", "https://m.facebook.com/polytechniquemontreal/"),
])
def test_canonical_page_url_folds_aliases(a: str, b: str) -> None:
    assert canonical_page_url(a) == canonical_page_url(b)


def test_entries_derive_platform_and_handle_and_refuse_bad_rows() -> None:
    entries = parse_entries(CSV, "csv")
    assert (entries[0].platform, entries[0].url, entries[0].handle) == (
        "x", "https://x.com/polymtl", "polymtl")
    with pytest.raises(VigieError, match=r"line 2: status"):
        parse_entries("url,name,unit,contact,status\nx.com/a,A,U,c,boss\n", "csv")
    with pytest.raises(VigieError, match="unknown column"):
        parse_entries("url,name,colour\nx.com/a,A,red\n", "csv")
    with pytest.raises(VigieError, match=r"item 0: url"):
        parse_entries('[{"url": "nothing", "name": "A", "unit": "U", "contact": "c"}]', "json")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_gives_the_same_registry(fmt: Any) -> None:
    entries = parse_entries(CSV, "csv")
    assert parse_entries(export_entries(entries, fmt), fmt) == entries


@pytest.mark.parametrize("who, mandated, why", [
    ("@polymtl", True, "official account of Communications"),
    ("x:polymtl", True, "official"),
    ("https://twitter.com/polymtl", True, "official"),
    ("instagram:polymtl", True, "official"),
    ("porte.parole@polymtl.ca", True, "mandated by Direction"),
    # hard negatives
    ("facebook:aep.polymtl", False, "affiliated, not official"),
    ("https://facebook.com/genie.civil.poly", False, "pending, not official"),
    ("ancien@polymtl.ca", False, "expired"),
    ("@jdoe", False, "neither"),
    ("youtube:polymtl", False, "neither"),  # same handle, another platform, not registered
])
def test_who_may_speak_for_the_institution(who: str, mandated: bool, why: str) -> None:
    check = _book().check(who, NOW)
    assert check.mandated is mandated and why in check.reason


def test_registry_and_mandates_in_the_store(store: Any, store_clock: Any) -> None:
    entries = parse_entries(CSV, "csv")
    assert upsert_entries(store, entries) == (4, 0)
    changed = entries[2].model_copy(update={"status": PageStatus.OFFICIAL})
    assert upsert_entries(store, [changed]) == (0, 1)
    assert [e.status for e in list_entries(store, PageStatus.OFFICIAL)] == ["official"] * 3
    add_mandate(store, Mandate(person="@Porte.Parole", name="P", granted_by="D"))
    add_mandate(store, Mandate(person="porte.parole", name="P2", granted_by="D"))  # renewal
    book = load_book(store)
    assert book.check("facebook:genie.civil.poly", store_clock.now).mandated
    assert book.check("porte.parole", store_clock.now).mandate.name == "P2"  # type: ignore[union-attr]
    assert revoke_mandate(store, "@porte.parole") and not revoke_mandate(store, "nobody")
    assert remove_entry(store, "https://www.facebook.com/genie.civil.poly/")
    assert len(list_entries(store)) == 3


# -- impersonation --------------------------------------------------------------------------

SUSPECTS = [
    Candidate("x", "", "po1ymtl", "Polytechnique Montréal"),  # confusable handle, same name
    Candidate("instagram", "", "polymtl_bourses", "Bourses Polytechnique Montréal",
              "Compte officiel des bourses, écrivez-nous en DM"),
    Candidate("facebook", "https://facebook.com/genie.mecanique.poly",
              "", "Génie mécanique — Polytechnique Montréal"),  # unregistered unit page
]
NOT_SUSPECTS = [
    Candidate("x", "", "polymtl", "Polytechnique Montréal"),  # the registered account
    Candidate("x", "", "jdoe", "Jane Doe", "Diplômée de Polytechnique Montréal, ingénieure"),
    Candidate("x", "", "calpolynews", "Cal Poly News"),
    Candidate("x", "", "polyamour_qc", "Poly & fier", "Polyamour au Québec"),
    Candidate("instagram", "", "xpalaiseau", "École polytechnique", "Palaiseau, France"),
    Candidate("facebook", "https://facebook.com/fan.poly", "",
              "Fan page Polytechnique Montréal", "Page non officielle des fans"),
]


@pytest.mark.parametrize("candidate", SUSPECTS, ids=lambda c: c.handle or c.url)
def test_accounts_using_the_name_without_registration_are_surfaced(candidate: Candidate) -> None:
    [suspect] = find_suspects([candidate], _book())
    assert suspect.score >= 0.5 and suspect.reasons


@pytest.mark.parametrize("candidate", NOT_SUSPECTS, ids=lambda c: c.handle or c.url)
def test_registered_alumni_homonyms_and_fans_are_not_suspects(candidate: Candidate) -> None:
    assert find_suspects([candidate], _book()) == []


def test_candidates_file_formats_and_errors() -> None:
    csv_text = "platform,url,handle,name,bio\nx,,po1ymtl,Polytechnique Montréal,\n"
    jsonl = '{"platform": "x", "handle": "po1ymtl", "name": "Polytechnique Montréal"}\n'
    assert parse_candidates(csv_text)[0].url == "https://x.com/po1ymtl"
    assert parse_candidates(jsonl)[0].handle == "po1ymtl"
    with pytest.raises(VigieError, match="line 2: needs platform"):
        parse_candidates("platform,url,handle,name,bio\n,,,,\n")


def test_suspects_from_store_authors_are_kept_for_review(store: Any, store_clock: Any,
                                                         moderator: Any,
                                                         comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-1", "Bonjour", author="fb:u-9")])
    with store.begin() as conn:  # the author presents itself as the institution
        from sqlalchemy import update

        from vigie.store.schema import authors
        conn.execute(update(authors).values(name="Polytechnique Montréal", handle="po1ymtl"))
    upsert_entries(store, parse_entries(CSV, "csv"))
    candidates = candidates_from_authors(store)
    suspects = find_suspects(candidates, load_book(store))
    assert [s.candidate.handle for s in suspects] == ["po1ymtl"]
    assert save_suspects(store, suspects) == 1
    store_clock.advance(days=1)
    assert save_suspects(store, suspects) == 0  # seen again: not new
    [row] = list_suspects(store)
    assert row["status"] == "new" and row["last_seen"] == store_clock.now
    assert any("imitates" in r for r in row["reasons"])
