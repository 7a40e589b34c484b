"""Tone detector (vigie.tone.institution.v1): criticism aimed at the institution, 6.1.

Positives, obfuscated positives and hard negatives side by side. The escalation threshold is
read from the bundled policy: the detector gives evidence, the policy decides.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from vigie.detectors.tone import NAME, SIGNALS, ToneDetector, ToneOptions, create
from vigie.errors import PolicyError, VigieError
from vigie.policy import load_policy
from vigie.records import parse_comment
from vigie.text.normalize import normalize
from vigie.text.prepare import prepare_batch
from vigie.text.tone import ToneLexicon, default_lexicon

POLICY = load_policy()
THRESHOLD = next(r.threshold for r in POLICY.escalations if r.slug == "criticism")


def _comment(text: str, *, reply: bool = False) -> Any:
    return parse_comment({
        "id": "fb:c-1", "platform": "facebook", "text": text,
        "created_at": dt.datetime(2025, 3, 1, tzinfo=dt.UTC).isoformat(),
        "author": {"id": "fb:u-1"}, "post": {"id": "fb:p-1", "text": "Rentrée d'hiver"},
        "parent_id": "fb:c-0" if reply else None,
    })


def _score(text: str, *, reply: bool = False) -> float:
    detector = ToneDetector(ToneOptions(), names=POLICY.institution_names)
    [found] = detector.detect(prepare_batch([_comment(text, reply=reply)]), [[]])
    return max((f.score for f in found), default=0.0)


ESCALATED = [
    # French, named target
    "Poly est incompétente dans la gestion des inscriptions.",
    "HONTE À POLYTECHNIQUE!! Les étudiants ne sont pas des guichets automatiques!",
    "Franchement décevant de la part de Polytechnique Montréal.",
    "Encore une panne du wifi à Poly pendant les examens finaux, bravo...",
    "Ce n'est pas acceptable que l'administration ne réponde pas aux courriels.",
    "Le registrariat ne répond jamais, c'est ridicule.",
    # French, reproach addressed to the page
    "Vous auriez pu l'annoncer hier soir, c'est pas sérieux.",
    "C'est bien beau une semaine de sensibilisation, mais le service aux étudiants a six "
    "semaines d'attente.",
    # English
    "Shameful: Polytechnique cut the mental health budget again.",
    "You could have announced this the night before. Really disappointing.",
    "The administration is completely out of touch with students.",
    # Obfuscated: no accents, curly apostrophes, zero-width characters, full-width letters
    "poly est incompetente, c'est inacceptable",
    "Vous n’avez toujours pas répondu, c’est inacceptable.",
    "C'est inacc\u200beptable, Polytechnique.",
    "Ｐｏｌｙ, c'est une honte.",
]

NOT_ESCALATED = [
    # criticism of something else
    "Les politiciens sont incompétents.",
    "Oil companies use carbon capture as an excuse to change nothing. Shameful.",
    "Cette compagnie est hypocrite, elle pollue la rivière.",
    # the institution criticising others: it is the agent, not the target
    "Polytechnique dénonce la violence faite aux femmes.",
    "Polytechnique Montreal condemns the attack.",
    # praise, questions, neutral information
    "Bravo Poly, très fiers de vous!",
    "Est-ce que la bibliothèque est ouverte dimanche?",
    "Y aura-t-il des cours pendant la grève?",
    "Infos : https://www.polymtl.ca/greve-info",
    # negation
    "Ce n'est pas décevant du tout, au contraire.",
    "Pas de scandale ici, juste une belle initiative.",
    # no judgement at all
    "Le colloque commence à 9 h au pavillon Lassonde.",
]


@pytest.mark.parametrize("text", ESCALATED)
def test_criticism_of_the_institution_reaches_the_escalation_threshold(text: str) -> None:
    assert _score(text) >= THRESHOLD, text


@pytest.mark.parametrize("text", NOT_ESCALATED)
def test_other_criticism_praise_and_questions_stay_below(text: str) -> None:
    assert _score(text) < THRESHOLD, text


def test_in_a_reply_vous_may_address_another_commenter() -> None:
    text = "Vous auriez pu lire l'annonce avant de commenter."
    assert _score(text) >= THRESHOLD
    assert _score(text, reply=True) < THRESHOLD


def test_finding_names_the_cue_and_target_and_maps_to_the_original_text() -> None:
    text = "Franchement, POLY est incompétente."
    detector = ToneDetector(ToneOptions(), names=POLICY.institution_names)
    [[finding]] = detector.detect(prepare_batch([_comment(text)]), [[]])
    assert finding.signal == "tone.criticism" and finding.detector == NAME
    assert text[finding.span[0]:finding.span[1]] == "incompétente"
    assert "incompeten" in finding.explanation and "poly" in finding.explanation
    assert text not in finding.explanation
    assert finding.data["target"] == "poly"


def test_options_are_validated_and_the_policy_escalates_never_removes() -> None:
    assert SIGNALS == ("tone.criticism",)
    with pytest.raises(PolicyError, match="implicit_target"):
        create({"implicit_target": 2}, POLICY)
    with pytest.raises(PolicyError, match="threshold: Extra inputs"):
        create({"threshold": 0.5}, POLICY)
    assert NAME in POLICY.detectors
    assert not POLICY.categories_for("tone.criticism")  # never a 6.4 category
    rule = next(r for r in POLICY.escalations if r.slug == "criticism")
    assert rule.clause == "6.1" and rule.signals == ("tone.criticism",)


def test_lexicon_rejects_bad_entries() -> None:
    with pytest.raises(VigieError, match="unknown kind"):
        ToneLexicon([("nul", "bad", 0.5)])
    with pytest.raises(VigieError, match="not in"):
        ToneLexicon([("nul", "neg", 1.5)])


@pytest.mark.parametrize("text, label", [
    ("Polytechnique Montréal visée par une cyberattaque", "negative"),
    ("Félicitations à l'équipe de Polytechnique Montréal!", "positive"),
    ("Polytechnique Montréal annonce ses dates d'inscription", "neutral"),
    ("Polytechnique Montreal is not disappointing at all", "neutral"),
    ("Pas génial, Polytechnique Montréal.", "negative"),
])
def test_mention_tone_labels(text: str, label: str) -> None:
    analysis = default_lexicon().analyse(normalize(text).text)
    assert analysis.label(about=True) == label


def test_whole_pipeline_escalates_criticism_and_removes_nothing() -> None:
    from vigie.pipeline import Pipeline

    pipeline = Pipeline.from_policy(POLICY)
    decisions = pipeline.moderate([
        _comment("Vous auriez pu l'annoncer hier soir, c'est pas sérieux."),
        _comment("Bravo à toute l'équipe!"),
    ])
    assert decisions[0].action.value == "escalate" and decisions[0].escalations == ("criticism",)
    assert not decisions[0].categories
    assert decisions[1].action.value == "allow" and not decisions[1].escalate
