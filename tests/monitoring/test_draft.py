"""The pre-publication check (vigie draft): mandate (6.1), confidential (6.3), privacy, 6.4."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from vigie.errors import VigieError
from vigie.monitoring.draft import DraftChecker, default_speaking_for
from vigie.monitoring.registry import Mandate, MandateBook, RegistryEntry
from vigie.text.normalize import normalize

NOW = dt.datetime(2025, 3, 18, 12, 0, tzinfo=dt.UTC)
BOOK = MandateBook(
    [RegistryEntry(url="https://x.com/polymtl", name="Polytechnique Montréal",
                   unit="Communications", contact="comm@polymtl.ca", status="official"),
     RegistryEntry(url="https://facebook.com/aep.polymtl", name="AEP", unit="AEP",
                   contact="aep@aep.example", status="affiliated")],
    [Mandate(person="porte-parole@polymtl.ca", name="Porte-parole", granted_by="Direction")],
)


@pytest.fixture(scope="module")
def checker() -> DraftChecker:
    from vigie.pipeline import Pipeline
    from vigie.policy import load_policy

    return DraftChecker(Pipeline.from_policy(load_policy()), BOOK, clock=lambda: NOW)


SPEAKS_FOR = [
    "Au nom de Polytechnique, je dénonce la décision du ministère.",
    "Polytechnique considère que cette réforme est une erreur.",
    "La position officielle de Polytechnique Montréal est claire.",
    "Nous, à Polytechnique, condamnons ces propos.",
    "On behalf of Polytechnique Montréal, I want to thank our partners.",
    "Polytechnique Montreal condemns the attack.",
    "We at Polytechnique believe research must stay open.",
    # obfuscated: capitals, no accents, curly apostrophe
    "AU NOM DE POLYTECHNIQUE MONTREAL, nous remercions nos partenaires.",
    "L’école considère que la décision est injuste.",
]
DOES_NOT = [
    "Selon Polytechnique, la rentrée aura lieu le 3 septembre.",  # reported speech
    "Polytechnique a annoncé hier la construction d'un pavillon.",  # past, reported
    "Je pense que cette réforme est une erreur.",  # own name
    "Bienvenue aux nouveaux étudiants de Polytechnique!",
    "According to Polytechnique Montréal, classes resume Monday.",
]


@pytest.mark.parametrize("text", SPEAKS_FOR)
def test_phrases_that_speak_in_the_institution_name(text: str) -> None:
    assert default_speaking_for().find(normalize(text).text), text


@pytest.mark.parametrize("text", DOES_NOT)
def test_reported_speech_and_own_name_do_not(text: str) -> None:
    assert default_speaking_for().find(normalize(text).text) == [], text


def test_unmandated_account_speaking_for_the_institution_is_flagged(
        checker: DraftChecker) -> None:
    text = "Au nom de Polytechnique, je dénonce la décision du ministère."
    report = checker.check(text, "@jdoe")
    assert not report.ok and report.clauses == ("6.1",)
    [finding] = report.findings
    assert finding.topic == "mandate" and finding.severity == "must_change"
    assert text[finding.span[0]:finding.span[1]] == "Au nom de Polytechnique"  # type: ignore[index]
    assert "own name" in finding.suggestion["en"] and "votre nom" in finding.suggestion["fr"]


@pytest.mark.parametrize("speaker", ["@polymtl", "x:polymtl", "https://twitter.com/PolyMtl",
                                     "porte-parole@polymtl.ca"])
def test_same_sentence_from_a_registered_official_account_or_mandate_is_fine(
        checker: DraftChecker, speaker: str) -> None:
    report = checker.check("Au nom de Polytechnique, je dénonce la décision du ministère.",
                           speaker)
    assert report.ok and report.findings == () and report.mandate.mandated


def test_affiliated_page_has_no_mandate(checker: DraftChecker) -> None:
    report = checker.check("Polytechnique considère que cette réforme est une erreur.",
                           "facebook:aep.polymtl")
    assert not report.ok and "affiliated" in report.findings[0].explanation


def test_confidential_data_cites_6_3(checker: DraftChecker) -> None:
    report = checker.check("Le mot de passe du wifi invités est Poly2025!", "@polymtl")
    assert not report.ok
    [finding] = report.findings
    assert finding.clause == "6.3, 6.4 d" and "6.3" in finding.suggestion["en"]


def test_personal_data_suggests_what_to_remove(checker: DraftChecker) -> None:
    report = checker.check("Appelez Marie au 514-555-0199 pour récupérer son portefeuille.",
                           "@polymtl")
    [finding] = report.findings
    assert finding.clause == "6.4 a" and finding.suggestion["en"] == "Remove the phone number."
    assert finding.span is not None


def test_forbidden_content_and_negative_information(checker: DraftChecker) -> None:
    swear = checker.check("On est les meilleurs, tabarnak!", "@polymtl")
    assert not swear.ok and swear.clauses == ("6.4 c",)
    critical = checker.check("Franchement, la gestion des inscriptions à Poly est inacceptable.",
                             "@jdoe")
    assert critical.ok  # advice only: criticism is not forbidden
    [advice] = critical.findings
    assert advice.clause == "6.1" and advice.severity == "advice"
    assert "community manager" in advice.suggestion["en"]


def test_clean_draft_passes_and_report_is_json_ready(checker: DraftChecker) -> None:
    report = checker.check("Bienvenue aux nouveaux étudiants! La rentrée est le 3 septembre.",
                           "@jdoe")
    data: dict[str, Any] = report.to_dict()
    assert data["ok"] and data["findings"] == [] and data["policy"]["digest"].startswith("sha256")
    assert data["mandated"] is False
    with pytest.raises(VigieError, match="empty"):
        checker.check("   ", "@jdoe")
