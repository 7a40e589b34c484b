"""A policy belongs to the institution that loads it: no Polytechnique name or page leaks.

The second example policy (``examples/policies/northfield.yaml``, a fictional English-only
institute) must get its own names, pages, contacts, gazetteer entries and words, and none of
Polytechnique Montréal's; the bundled policy the reverse. Each row is run under both
policies, so every positive has its mirror image as a hard negative.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from factories import comment
from vigie.decision import Decision
from vigie.detectors.builtin import register_builtins
from vigie.detectors.registry import Registry
from vigie.errors import PolicyError, VigieError
from vigie.findings import Finding
from vigie.monitoring.draft import speaking_for
from vigie.monitoring.impersonation import Candidate, score_candidate
from vigie.monitoring.names import matcher_for
from vigie.monitoring.registry import MandateBook
from vigie.pipeline import Analysis, Pipeline
from vigie.policy import load_policy, parse_policy
from vigie.text.normalize import normalize

ROOT = Path(__file__).resolve().parents[2]
NORTHFIELD_FILE = ROOT / "examples" / "policies" / "northfield.yaml"
POLY = load_policy()
NORTH = load_policy(NORTHFIELD_FILE)


def _pipeline(policy_name: str) -> Pipeline:
    registry = Registry()
    register_builtins(registry)  # built-ins only: an installed plugin must not change this
    return Pipeline.from_policy(POLY if policy_name == "poly" else NORTH, registry)


PIPELINES = {"poly": _pipeline("poly"), "north": _pipeline("north")}


def _run(policy_name: str, text: str) -> tuple[Analysis, Decision]:
    pipeline = PIPELINES[policy_name]
    [analysis] = pipeline.analyse([comment(text)])
    [decision] = pipeline.moderate([comment(text)])
    return analysis, decision


def _signals(findings: tuple[Finding, ...], prefix: str) -> list[Finding]:
    return [f for f in findings if f.signal.startswith(prefix)]


# (text, signal prefix, which policy must see it: "poly", "north")
MIRRORED = [
    # Criticism aimed at the institution by name goes to its community manager only.
    ("Honte à Polytechnique!", "tone.criticism", "poly"),
    ("Polytechnique is a disgrace.", "tone.criticism", "poly"),
    ("Northfield Tech is a disgrace.", "tone.criticism", "north"),
    ("Shame on NIT, honestly.", "tone.criticism", "north"),
    # Its own student associations are in its gazetteer, not the other's.
    ("L'AEP convoque une AG extraordinaire le 26 mars à 12 h pour voter un mandat de grève.",
     "org.announcement", "poly"),
    ("The NSU is holding a general assembly on March 26 to vote on a strike mandate.",
     "org.announcement", "north"),
    # Its words per category.
    ("you're such a nitwit", "abuse.insult", "north"),
    # A bomb threat names the institution by the policy's names (`@institution` in threats.tsv).
    ("Je vais faire sauter Poly demain matin", "threat.death", "poly"),
    ("Je vais poser une bombe à Northfield Tech demain", "threat.death", "north"),
]


@pytest.mark.parametrize(("text", "prefix", "owner"), MIRRORED)
def test_names_and_lists_belong_to_the_policy(text: str, prefix: str, owner: str) -> None:
    other = "north" if owner == "poly" else "poly"
    assert _signals(_run(owner, text)[0].findings, prefix), (owner, text)
    assert not _signals(_run(other, text)[0].findings, prefix), (other, text)


# Links to an institution's own pages are never evidence under its policy; under another
# institution's policy they are ordinary links.
PAGES = [
    ("Suivez facebook.com/polymtl pour les nouvelles", "poly"),
    ("La conférence est sur youtube.com/user/polymtlvideos", "poly"),
    ("Details on twitter.com/polymtl", "poly"),
    ("Follow facebook.com/northfieldtech for updates", "north"),
    ("Registration help: https://www.northfieldtech.edu/registrar", "north"),
]


@pytest.mark.parametrize(("text", "owner"), PAGES)
def test_own_pages_never_count_as_links(text: str, owner: str) -> None:
    other = "north" if owner == "poly" else "poly"
    own, decision = _run(owner, text)
    assert not _signals(own.findings, "link.")
    assert "spam" not in {c.slug for c in decision.categories}
    assert _signals(_run(other, text)[0].findings, "link.")


CONTACTS = [
    ("Pour toute question, appelez le 514-340-4711", "poly"),
    ("Écrivez à jean.roy@polymtl.ca pour les stages", "poly"),
    ("Call the switchboard at 613-555-0100", "north"),
    ("Write to jean.roy@northfieldtech.edu about internships", "north"),
]


@pytest.mark.parametrize(("text", "owner"), CONTACTS)
def test_public_contacts_are_the_institutions_own(text: str, owner: str) -> None:
    other = "north" if owner == "poly" else "poly"
    assert not _signals(_run(owner, text)[0].findings, "pii.")
    assert _signals(_run(other, text)[0].findings, "pii.")


def test_decisions_under_the_other_policy_never_name_polytechnique() -> None:
    texts = ["Polytechnique Montréal est nulle", "Bravo à Poly!", "Call 514-340-4711",
             "Northfield Tech is a disgrace.", "facebook.com/polymtl"]
    for text in texts:
        _, decision = _run("north", text)
        words = " ".join([*decision.explanation.values(), decision.policy["id"],
                          *(c.slug for c in decision.categories)])
        assert not re.search(r"polytechni|polymtl", words, re.IGNORECASE), (text, words)


def test_texts_only_in_the_policys_languages() -> None:
    # English only: every label is English, and the French screens fall back to it.
    assert NORTH.allowed_languages == ("en",)
    rule = NORTH.category("privacy")
    assert rule.label.fr == rule.label.en
    assert NORTH.title.fr == NORTH.title.en


def test_a_missing_text_in_one_of_the_languages_names_the_place() -> None:
    text = NORTHFIELD_FILE.read_text(encoding="utf-8").replace(
        "allowed_languages: [en]", "allowed_languages: [fr, en]")
    with pytest.raises(PolicyError, match=r"title: no text in fr.*allowed_languages \(fr, en\)"):
        parse_policy(text, source="northfield-bilingual.yaml")


def test_the_bundled_data_names_no_institution() -> None:
    # Institution names live in policies; the data files every policy loads name none.
    files = ["data/tone/targets.tsv", "data/offtopic/institution.txt",
             "data/political/gazetteer.yaml", "data/mentions/speaking_for.yaml"]
    for name in files:
        body = resources.files("vigie").joinpath(name).read_text(encoding="utf-8")
        lines = [line for line in body.splitlines() if not line.lstrip().startswith("#")]
        hits = [line for line in lines if re.search(r"polytechni|polymtl", line, re.I)]
        assert not hits, (name, hits[:3])


def test_the_example_policy_names_no_polytechnique_page_or_domain() -> None:
    body = NORTHFIELD_FILE.read_text(encoding="utf-8")
    lines = [line for line in body.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in lines if re.search(r"polytechni|polymtl", line, re.I)]


# Directive 7: the web monitoring of the institution's name reads the names of the policy
# loaded (its names file, or its institution and aliases), and no other institution's.
POLICIES = {"poly": POLY, "north": NORTH}


def _mine_and_other(owner: str) -> tuple[Any, Any]:
    """The owner's policy and the other institution's."""
    return POLICIES[owner], POLICIES["north" if owner == "poly" else "poly"]


MENTIONS = [
    ("Polytechnique Montréal annonce un nouveau programme en génie", "poly"),
    ("Suivez @polymtl pour les nouvelles du campus", "poly"),
    ("Northfield Institute of Technology opens a new robotics lab", "north"),
    ("Follow @northfieldtech for the convocation schedule", "north"),
    ("Northfield Tech students win the national design award", "north"),
]


@pytest.mark.parametrize(("text", "owner"), MENTIONS)
def test_monitoring_finds_only_the_policys_names(text: str, owner: str) -> None:
    mine, other = _mine_and_other(owner)
    assert matcher_for(mine).score(text).score >= 0.5, (owner, text)
    assert matcher_for(other).score(text).mentions == (), (owner, text)


def test_the_other_policys_matcher_holds_no_polytechnique_name() -> None:
    matcher = matcher_for(NORTH)
    assert matcher.institution == "Northfield Institute of Technology"
    assert not re.search(r"polytechni|polymtl", matcher.file.model_dump_json(), re.I)
    for text in ("Polytechnique Montréal", "polymtl", "Poly", "École polytechnique"):
        assert matcher.score(text).score == 0.0, text
    assert matcher_for(POLY).score("Northfield Institute of Technology").score == 0.0


SPEAKING = [
    ("Au nom de Polytechnique, je dénonce cette décision.", "poly"),
    ("Polytechnique condamne fermement ces propos.", "poly"),
    ("On behalf of Northfield Tech, I condemn this decision.", "north"),
    ("NIT condemns these remarks.", "north"),
]


@pytest.mark.parametrize(("text", "owner"), SPEAKING)
def test_drafts_speak_only_in_the_policys_names(text: str, owner: str) -> None:
    mine, other = _mine_and_other(owner)
    folded = normalize(text).text
    assert speaking_for(mine).find(folded), (owner, text)
    assert not speaking_for(other).find(folded), (owner, text)


IMITATIONS = [
    (Candidate("x", "https://x.com/polymtl_officiel", "polymtl_officiel",
               "Polytechnique Montréal officiel"), "poly"),
    (Candidate("x", "https://x.com/northfieldtech_help", "northfieldtech_help",
               "Northfield Tech Help Desk"), "north"),
]


@pytest.mark.parametrize(("candidate", "owner"), IMITATIONS)
def test_look_alike_accounts_imitate_the_policys_names(candidate: Candidate, owner: str
                                                       ) -> None:
    mine, other = _mine_and_other(owner)
    suspect = score_candidate(candidate, MandateBook(), matcher_for(mine))
    assert suspect is not None and suspect.score >= 0.5, (owner, suspect)
    assert score_candidate(candidate, MandateBook(), matcher_for(other)) is None


def test_a_names_file_of_another_institution_is_refused() -> None:
    text = NORTHFIELD_FILE.read_text(encoding="utf-8") + (
        "\nmonitoring:\n  names_file: vigie:policies/polytechnique-names.yaml\n")
    policy = parse_policy(text, source="northfield-names.yaml")
    with pytest.raises(VigieError, match="names file of 'Polytechnique Montréal'"):
        matcher_for(policy)
