"""Privacy, confidential and spam recognizers on the recognizer corpus and the issue's examples.

The corpus (``tests/data/recognizers/corpus.jsonl``) was written for this purpose; the figures
it gives are in ``docs/detectors/recognizer-quality.md`` (``python scripts/recognizer_report.py``).
Here the whole pipeline of the bundled policy runs on it, and the bars of issue 18 are
asserted per category and language: recall at least 0.90 at precision at least 0.95.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vigie.decision import Decision
from vigie.detectors.builtin import register_builtins
from vigie.detectors.registry import Registry
from vigie.pipeline import Pipeline
from vigie.policy import load_policy
from vigie.quality.recognizers import CATEGORIES, SPLITS, flagged, measure, read_corpus
from vigie.records import parse_comment

CORPUS = Path(__file__).resolve().parents[1] / "data" / "recognizers" / "corpus.jsonl"
POLICY = load_policy()


def _pipeline() -> Pipeline:
    registry = Registry()
    register_builtins(registry)
    return Pipeline.from_policy(POLICY, registry)


PIPELINE = _pipeline()


def _decide(texts: list[str]) -> list[Decision]:
    comments = [parse_comment({
        "id": f"fb:c-{i}", "platform": "facebook", "text": t,
        "created_at": "2026-11-18T14:05:42Z", "author": {"id": f"fb:u-{i}", "name": "Alex"},
        "post": {"id": "fb:p-1", "text": "Une publication", "links": []},
    }) for i, t in enumerate(texts)]
    return PIPELINE.moderate(comments)


ROWS = read_corpus(CORPUS)
DECISIONS = _decide([r.text for r in ROWS])
#: The newest blind batch, measured once and kept blind: the bars below hold on the splits
#: whose failures were studied; this one only has a floor under the figures it first gave
#: (docs/detectors/recognizers.md), so a change that loses what it catches fails.
BLIND = "blind4"
RESULT = measure(ROWS, DECISIONS, [s for s in SPLITS if s != BLIND])
BLIND_RESULT = measure(ROWS, DECISIONS, [BLIND])


@pytest.mark.parametrize("slug", CATEGORIES)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_corpus_recall_and_precision(slug: str, lang: str) -> None:
    tally = RESULT["by_category"][(slug, lang)]
    assert tally.recall is not None and tally.recall >= 0.90, tally
    assert tally.precision is not None and tally.precision >= 0.95, tally


@pytest.mark.parametrize(("slug", "recall", "precision"), [
    ("privacy", 0.90, 0.95), ("confidential", 0.75, 0.90), ("spam", 0.75, 0.90)])
def test_blind_batch_does_not_lose_what_it_catches(slug: str, recall: float,
                                                  precision: float) -> None:
    tally = BLIND_RESULT["by_category"][(slug, "all")]
    assert tally.recall is not None and tally.recall >= recall, tally
    assert tally.precision is not None and tally.precision >= precision, tally


def test_corpus_is_balanced_and_well_formed() -> None:
    ids = [r.id for r in ROWS]
    assert len(ids) == len(set(ids))
    for slug in (*CATEGORIES, "none"):
        for lang in ("fr", "en"):
            assert sum(r.category == slug and r.lang == lang for r in ROWS) >= 20, (slug, lang)


# The examples named in issue 18, with their mirror images: what must be flagged (category)
# and what must not (None).
EXAMPLES = [
    ("le mot de passe c'est pass Hiver2026", "confidential"),
    ("AZ_KEY=3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a", "confidential"),
    ("code de la porte 2580*", "confidential"),
    ("the admin password is still P@ssw0rd123", "confidential"),
    ("Les réponses de l'examen final de vendredi : 1-b, 2-d, 3-a", "confidential"),
    ("PV confidentiel du CA : ils ferment le programme de génie minier", "confidential"),
    ("the cameras of building B are off this weekend", "confidential"),
    ("Appelle-la au cinq un quatre, cinq cinq cinq, zéro un six trois", "privacy"),
    ("Everyone should know Ryan Mitchell is gay, his parents have no idea", "privacy"),
    ("Le matricule de Sophie Tremblay c'est 2154873", "privacy"),
    ("Her Facebook is facebook.com/jenna.morrison.31, go tell her", "privacy"),
    ("Best deals on sports gear at heatgear-deals .shop", "spam"),
    ("I invested with Mr James Carter and got $12,000 in profit, contact him on WhatsApp",
     "spam"),
    ("Your page will be disabled, verify here: facebook-support-case.com", "spam"),
    # Not spam, not privacy, not confidential.
    ("If you're struggling, call or text 988, the Suicide Crisis Helpline", None),
    ("CBC covered it: https://www.cbc.ca/news/canada/montreal/research-1.7012345", None),
    ("Subscribed", None),
    ("Abonnée!", None),
    ("Retrouvez-nous sur facebook.com/polymtl et youtube.com/user/polymtlvideos", None),
    ("J'ai oublié mon mot de passe Moodle, comment le réinitialiser?", None),
    ("Il y a des caméras partout dans le pavillon principal, on se sent en sécurité", None),
    ("Le cours INF1005 est au local B-418, 1 249,99 $ pour le portable", None),
    ("Mon frère est gai et fier, merci pour la campagne", None),
    ("My account got hacked last month, Meta's official help center got it back", None),
]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES)
def test_issue_examples(text: str, expected: str | None) -> None:
    [decision] = _decide([text])
    got = {s for s in CATEGORIES if flagged(decision, s)}
    assert got == ({expected} if expected else set()), (text, decision.scores)
