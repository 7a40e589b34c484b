"""The institution's names told apart from homonyms, and the labeled set that measures it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from vigie.errors import VigieError
from vigie.monitoring.mentions import assess
from vigie.monitoring.names import default_matcher, load_names
from vigie.quality.mentions import evaluate_mentions, load_labeled

MATCHER = default_matcher()

ABOUT = [
    "Polytechnique Montréal inaugure un laboratoire",
    "POLYTECHNIQUE MONTRÉAL recrute",  # the logo's wording, in capitals
    "Merci @polymtl pour la belle soirée",
    "L'École Polytechnique de Montréal, devenue Polytechnique Montréal en 2013",
    "Les étudiants de Poly manifestent à Montréal",
    "35 ans après la tuerie de Polytechnique",
    "The Polytechnique massacre changed gun control in Canada",
    "Mon chum étudie à Poly pis il dort pu",
    "Polytechnique Montréal, à ne pas confondre avec l'X en France",
]
HOMONYM = [
    "L'École polytechnique de Palaiseau recrute",
    "Admis à Polytechnique après deux ans de prépa",
    "Polytechnique Hauts-de-France ouvre une formation",
    "L'École polytechnique fédérale de Lausanne présente un robot",
    "École Polytechnique de Bruxelles : journée découverte",
    "Cal Poly wins the championship",
    "Got into Temasek Poly for engineering",
    "I'm poly and my partners are supportive",
    "These shirts are a poly cotton blend",
    "Mon prof de maths à la poly était sévère",
    "Imprime le poly du cours avant le partiel",
    "Les élèves de Polytechnique défilent le 14 juillet",
    "Un diplômé de l'École polytechnique de Palaiseau s'installe à Montréal",
]
NO_NAME = ["Polyester ou coton?", "La polygamie au Québec", "Politecnico di Milano",
           "Polytech Lille recrute", "Hong Kong PolyU researchers"]


@pytest.mark.parametrize("text", ABOUT)
def test_mentions_of_the_institution(text: str) -> None:
    assert MATCHER.score(text).score >= 0.5, MATCHER.score(text).explain()


@pytest.mark.parametrize("text", HOMONYM)
def test_homonyms_are_not_the_institution(text: str) -> None:
    found = MATCHER.score(text)
    assert found.mentions, "a name form should be found"
    assert found.score < 0.5, found.explain()


@pytest.mark.parametrize("text", NO_NAME)
def test_words_that_contain_poly_are_not_names(text: str) -> None:
    assert MATCHER.score(text).mentions == ()


def test_spans_are_in_the_original_text_and_source_bias_counts() -> None:
    text = "Réunion à  POLYTECHNIQUE  Montréal demain"
    [mention] = MATCHER.score(text).mentions
    assert text[mention.span[0]:mention.span[1]] == "POLYTECHNIQUE  Montréal"
    bare = "Polytechnique annonce un nouveau pavillon"
    assert MATCHER.score(bare, bias=-2.0).score < 0.5 < MATCHER.score(bare, bias=1.0).score


def test_explanation_names_the_form_and_cues_not_the_text() -> None:
    found = MATCHER.score("Cal Poly wins the championship")
    assert "poly_title" in found.explain() and "'cal'" in found.explain()
    assert "championship" not in found.explain()


def test_names_file_errors_name_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "names.yaml"
    bad.write_text("version: 1\ninstitution: X\nnames:\n  - {id: a, pattern: '(', prior: 1}\n",
                   "utf-8")
    with pytest.raises(VigieError, match=r"names\.a: invalid pattern"):
        load_names(bad)
    bad.write_text("version: 1\ninstitution: X\nnames: []\n", "utf-8")
    with pytest.raises(VigieError, match="names"):
        load_names(bad)
    with pytest.raises(VigieError, match="cannot read"):
        load_names(tmp_path / "missing.yaml")


def test_another_institution_swaps_the_file(tmp_path: Path) -> None:
    other = tmp_path / "ets.yaml"
    other.write_text(
        "version: 1\ninstitution: ÉTS\nnames:\n"
        "  - {id: full, pattern: \"ecole de technologie superieure\", prior: 5}\n"
        "  - {id: short, pattern: ets, case: upper, prior: 0}\n"
        "document:\n  - {pattern: montreal, weight: 2}\n", "utf-8")
    matcher = load_names(other)
    assert matcher.score("L'École de technologie supérieure innove").score > 0.9
    assert matcher.score("L'ETS à Montréal").score > 0.8
    assert matcher.score("les ets Dupont").mentions == ()  # lower case: not the name


# -- the labeled set ------------------------------------------------------------------------

def test_labeled_set_is_big_balanced_bilingual_and_attributed() -> None:
    rows = load_labeled()
    assert len(rows) >= 200
    about = Counter(r.about for r in rows)
    assert about[True] == about[False]  # half homonyms
    assert {r.lang for r in rows} == {"fr", "en"}
    assert min(Counter(r.lang for r in rows).values()) >= 60
    assert len({r.id for r in rows}) == len(rows)
    assert all(r.tone in ("negative", "neutral", "positive") for r in rows if r.about)
    assert {r.split for r in rows} == {"tune", "test"}
    text = Path(__file__).parents[2].joinpath(
        "src/vigie/data/mentions/labeled.jsonl").read_text("utf-8")
    assert text.count("written by the Vigie project (Apache-2.0)") == len(rows)


def test_evaluation_figures_match_the_readme() -> None:
    report = evaluate_mentions(load_labeled())
    # The figures published in docs/monitoring.md and the README (vigie mentions eval).
    assert (report.about.tp, report.about.fp, report.about.fn) == (114, 9, 1)
    assert report.about.precision >= 0.9 and report.about.recall >= 0.95
    assert report.negative.precision >= 0.95 and report.negative.recall >= 0.9
    assert all(e["id"] for e in report.errors)


def test_assess_combines_names_and_tone() -> None:
    verdict = assess("Cyberattaque : les systèmes de Polytechnique Montréal paralysés")
    assert verdict.about > 0.9 and verdict.label == "negative" and "full_name" in verdict.names
    homonym = assess("Cal Poly cyberattack shuts down campus")
    assert homonym.about < 0.5
