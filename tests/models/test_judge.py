"""The learned judge (vigie.judge.v1): decisions of the whole system on a fixed set of comments.

The comments below are written for these tests (none comes from the dev set, the training
files or the functional suite). Tests on the committed artifact always run; tests that read
../shared/data skip when it is absent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from vigie.actions import Action
from vigie.decision import Decision
from vigie.detectors import judge
from vigie.models.judge.corpus import HEADS, judge_authored, suite_examples
from vigie.models.judge.model import bundled_judge_path, load_bundled_judge
from vigie.pipeline import Pipeline
from vigie.policy import load_policy
from vigie.records import Comment, parse_comment
from vigie.text.prepare import prepare_batch

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "data" / "dev" / "comments.jsonl"


def _comment(text: str, cid: str = "fb:c-1") -> Comment:
    return parse_comment({
        "id": cid, "platform": "facebook", "text": text, "created_at": "2025-03-18T14:05:42Z",
        "author": {"id": "fb:u-1", "name": "Test"},
        "post": {"id": "fb:p-1", "text": "Portes ouvertes de Polytechnique samedi", "links": []},
    })


@cache
def _pipeline() -> Pipeline:
    return Pipeline.from_policy(load_policy(None))


def _decide(*texts: str) -> list[Decision]:
    return _pipeline().moderate([_comment(t, f"fb:c-{i}") for i, t in enumerate(texts)])


def _flagged(decision: Decision) -> set[str]:
    return {v.slug for v in decision.categories}


# -- the artifact ----------------------------------------------------------------------------

def test_artifact_is_small_and_loads() -> None:
    path = bundled_judge_path()
    assert path.stat().st_size < 40e6
    model = load_bundled_judge()
    assert model.heads == HEADS
    assert set(model.meta["sources"]) >= {"fr_hate_superset", "davidson", "conan", "toxigen"}


def test_cascade_gates_are_the_ones_measured_for_each_head() -> None:
    """The gate array is in head order, as the training record of each head says."""
    model = load_bundled_judge()
    for k, head in enumerate(model.heads):
        assert model.gates[k] == pytest.approx(model.meta["heads_meta"][head]["gate"], abs=1e-4)


def test_lower_coverage_gates_send_fewer_comments_to_the_encoder() -> None:
    from vigie.models.judge.model import JudgeModelError

    model = load_bundled_judge()
    strict, loose = model.gates_for(0.8), model.gates_for(0.995)
    assert np.all(strict >= loose - 1e-9)
    assert np.allclose(model.gates_for(None), model.gates)
    with pytest.raises(JudgeModelError, match=r"coverage 0\.42"):
        model.gates_for(0.42)
    texts = ["Bravo à toute l'équipe!", "Les femmes n'ont rien à faire en génie",
             "Is the library open on Sunday?", "Osti de cours plate", "Nice video",
             "Go back to your country", "Votez pour notre candidate!", "Quelle belle photo"]
    batch = prepare_batch([_comment(t, f"fb:c-{i}") for i, t in enumerate(texts)])
    fast = judge.JudgeDetector(judge.JudgeOptions(coverage=0.8))
    full = judge.JudgeDetector(judge.JudgeOptions())
    native = [True] * len(texts)
    raw = [b.text for b in batch]
    folded = [b.norm.text for b in batch]
    from vigie.models.encoder import encode

    few = model.score(raw, folded, native, encode, gates=fast._gates).encoded
    many = model.score(raw, folded, native, encode, gates=full._gates).encoded
    assert few.sum() <= many.sum()
    assert not (few & ~many).any()


def test_inference_never_imports_scikit_learn() -> None:
    code = ("import sys; from vigie.detectors import judge; from vigie.text.prepare import "
            "prepare_batch; from vigie.records import parse_comment; "
            "d = judge.create({}, None); "
            "c = parse_comment({'id': 'fb:c-1', 'platform': 'facebook', 'text': 'Hola amigos', "
            "'created_at': '2025-03-18T14:05:42Z', 'author': {'id': 'fb:u-1', 'name': 'T'}}); "
            "d.detect(prepare_batch([c]), [[]]); "
            "assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules, 'imported'")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]


# -- decisions -------------------------------------------------------------------------------

HATE = [
    "Women are scum",
    "I hate women.",
    "I'm going to stab an immigrant tomorrow",
    "Les immigrés sont des rats, dehors.",
    "Gays are a plague on this campus.",
    "Marc Lépine avait raison, il en faudrait un autre.",
    "W0men are sc*m",
]

FREE = [
    "Calling women scum is disgusting misogyny, please delete that comment.",
    "Je n'ai rien contre les immigrés; ce sont nos voisins.",
    "The administration's handling of the strike was incompetent and slow.",
    "En mémoire des 14 femmes de Polytechnique, plus jamais.",
    "Proud queer engineer here, thank you for the rainbow flag!",
]


@pytest.mark.parametrize("text", HATE)
def test_hate_is_flagged(text: str) -> None:
    (decision,) = _decide(text)
    assert "hate" in _flagged(decision), decision.explanation["en"]


@pytest.mark.parametrize("text", FREE)
def test_free_expression_is_not_removed(text: str) -> None:
    (decision,) = _decide(text)
    assert decision.action not in (Action.REMOVE, Action.BLOCK, Action.HIDE), (
        decision.explanation["en"])
    assert "hate" not in _flagged(decision), decision.explanation["en"]


@pytest.mark.parametrize("text", ["Belle vidéo", "Nice video", "photo", "Superbe photo!"])
def test_praise_is_not_sexual(text: str) -> None:
    (decision,) = _decide(text)
    assert "sexual" not in _flagged(decision), decision.explanation["en"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Las mujeres son inferiores y no deberían estudiar ingeniería.", {"hate", "abuse"}),
    ("Halt's Maul, du dummes Arschloch.", {"abuse", "hate"}),
    ("Gli stranieri sono bestie, vanno cacciati tutti.", {"hate", "abuse"}),
    ("Compre seguidores baratos no meu site, promoção hoje!", {"spam"}),
    # Short: language identification is unsure (es 0.49), both readings are scored.
    ("Eres un imbécil, cállate.", {"abuse", "hate"}),
])
def test_other_languages_are_judged(text: str, expected: set[str]) -> None:
    (decision,) = _decide(text)
    assert _flagged(decision) & expected, decision.explanation["en"]


@pytest.mark.parametrize("text", [
    "Muchas felicidades a todos los estudiantes por este logro.",
    "Vielen Dank für die schöne Zeremonie gestern Abend.",
])
def test_benign_other_languages_are_only_language(text: str) -> None:
    (decision,) = _decide(text)
    assert _flagged(decision) <= {"language"}, decision.explanation["en"]


def test_language_in_doubt_is_read_both_ways() -> None:
    detector = judge.JudgeDetector(judge.JudgeOptions())
    doubtful, french, short = prepare_batch([
        _comment("Halt's Maul, du dummes Arschloch."), _comment("Bravo à toute l'équipe!"),
        _comment("ok merci")])
    assert doubtful.language.lang == "fr"  # what makes it a trap
    assert detector.is_mixed(doubtful)
    assert not detector.is_mixed(french)
    assert not detector.is_mixed(short)


def test_findings_name_the_words_with_spans_in_the_original_text() -> None:
    text = "Honestly, the   Jews are VERMIN and should leave."
    detector = judge.create({}, None)  # type: ignore[arg-type]  # the factory ignores the policy
    (found,) = detector.detect(prepare_batch([_comment(text)]), [[]])
    hate = next(f for f in found if f.signal == "judge.hate")
    cues = hate.data["cues"]
    assert cues, hate.explanation
    for cue in cues:
        start, end = cue["span"]
        assert text[start:end] == cue["word"]
    assert {c["word"].lower() for c in cues} & {"vermin", "jews"}
    assert hate.span == tuple(cues[0]["span"])


def test_cues_are_content_words_named_once() -> None:
    from vigie.models.encoder import encode
    from vigie.models.judge.model import occlusion
    from vigie.text.normalize import normalize

    model = load_bundled_judge()
    text = "Les immigrés sont des rats, oui les immigrés sont des rats"
    (found,) = occlusion(model, [text], [True], [True], lambda t: normalize(t).text, encode)
    tried = {w.casefold() for w, _ in found.words}
    assert not tried & {"les", "sont", "des"}
    assert {"immigrés", "rats"} <= tried
    hate = model.heads.index("hate")
    cues = [w.casefold() for w, _, _ in found.cues(hate, 0.99, limit=3)]
    assert len(cues) == len(set(cues))
    negated = occlusion(model, ["Women are not human"], [True], [True],
                        lambda t: normalize(t).text, encode)[0]
    assert "not" in {w for w, _ in negated.words}  # negations are tried


def test_cascade_changes_no_decision_on_ordinary_comments() -> None:
    texts = ["Bravo à toute l'équipe!", "Is the library open on Sunday?", "Women are scum",
             "Gagnez 500 $ par jour, écrivez-moi", "Quelle belle cérémonie", "Nice video",
             "Les femmes n'ont rien à faire en génie", "Votez pour notre candidate!"]
    batch = prepare_batch([_comment(t, f"fb:c-{i}") for i, t in enumerate(texts)])
    fast = judge.create({}, None).detect(batch, [[] for _ in batch])  # type: ignore[arg-type]
    full = judge.create({"cascade": False}, None).detect(  # type: ignore[arg-type]
        batch, [[] for _ in batch])
    policy = load_policy(None)
    from vigie.engine import decide

    for item, a, b in zip(batch, fast, full, strict=True):
        assert decide(policy, item.comment, a).action == decide(policy, item.comment, b).action


def test_policy_thresholds_follow_the_model_card() -> None:
    """A judge signal may remove only from a score whose measured precision is at least 0.97."""
    from vigie.quality.judge import thresholds_from_policy

    model = load_bundled_judge()
    for head, (review, remove) in thresholds_from_policy(load_policy(None)).items():
        suggested = model.meta["heads_meta"][head]["suggested_remove"]
        assert remove >= suggested, (head, remove, suggested)
        assert review <= remove


# -- the written examples --------------------------------------------------------------------

def test_written_examples_and_suite_do_not_overlap() -> None:
    trained = {e.text.casefold() for e in judge_authored()}
    suite = [e.text.casefold() for e in suite_examples()]
    assert not trained & set(suite)
    assert len({e.extra["function"] for e in suite_examples()}) >= 12


def test_no_written_example_comes_from_the_dev_set() -> None:
    if not DEV.exists():
        pytest.skip(f"{DEV} is absent (shared data not mounted)")
    dev = {json.loads(line)["text"].casefold().strip()
           for line in DEV.read_text(encoding="utf-8").splitlines()}
    written = {e.text.casefold().strip() for e in judge_authored() + suite_examples()}
    assert not dev & written
