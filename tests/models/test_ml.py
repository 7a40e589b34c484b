"""The learned heads: hashing, the shipped model, the detector (vigie.ml.linear.v1).

Positives, obfuscated positives and hard negatives sit next to each other in each table. The
examples here are written for the tests: none comes from the dev set or the training files.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from factories import comment
from vigie.detectors import ml
from vigie.detectors.builtin import default_registry
from vigie.errors import PolicyError
from vigie.models.corpus import HEADS, authored_examples, dev_split
from vigie.models.features import FEATURE_VERSION, canonical_text, featurize, hash_tokens
from vigie.models.model import ModelError, bundled_model_path, load_bundled, load_model
from vigie.text.normalize import normalize
from vigie.text.prepare import prepare_batch

DEV = Path(__file__).resolve().parents[3] / "shared" / "data" / "dev" / "comments.jsonl"


def _prepared(*texts: str):
    return prepare_batch([comment(t, cid=f"fb:c-{i}") for i, t in enumerate(texts)])


def _detector(**options):
    return ml.create(options, None)  # type: ignore[arg-type]  # the factory ignores the policy


# -- canonical text ---------------------------------------------------------------------------

@pytest.mark.parametrize(("folded", "expected"), [
    ("c'est de la m3rde", "c ' est de la merde"),           # leet between letters
    ("c@lisse h0rny p0rn", "calisse horny porn"),
    ("le 1er mai 2026", "le 1er mai 2026"),                  # ordinals and years untouched
    ("covid19 b2b", "covid19 b2b"),                          # digit at a word's edge untouched
    ("voir https://www.polymtl.ca/admission?x=1 ici", "voir polymtl ici"),  # host words only
    ("👉 hot-dates.xyz/now", "👉 hot dates xyz"),
    ("wow!!! 🔥🔥", "wow ! ! ! 🔥 🔥"),                       # symbols and emoji are tokens
    ("", ""),
])
def test_canonical_text(folded: str, expected: str) -> None:
    assert canonical_text(folded) == expected


# -- hashing ----------------------------------------------------------------------------------

def test_buckets_are_pinned() -> None:
    # Golden values: a change here silently invalidates every shipped model; bump
    # FEATURE_VERSION and retrain (`vigie train`) when it is deliberate.
    assert FEATURE_VERSION == "hash-cwb1-5-w1-2-url-v3"
    assert hash_tokens(["merde", "vote"], 18) == [205158, 10501]
    assert sorted(featurize(["ab"], 18).cols.tolist()) == [
        42278, 48110, 54779, 76463, 99809, 132380, 142408, 236540, 248036]


def test_vectorised_word_hash_equals_horner_loop() -> None:
    # featurize hashes words with prefix sums; hash_tokens with a plain loop: same buckets.
    words = ["tabarnak", "vote", "🍑", "é", "x" * 40]
    batch = featurize([" ".join(words)], 18)
    for bucket in hash_tokens(words, 18):
        assert bucket in set(batch.cols.tolist())


def test_features_do_not_depend_on_the_batch() -> None:
    texts = [normalize(t).text for t in ("Votez QS!", "", "osti de cours", "a")]
    together = featurize(texts, 16)
    for i, text in enumerate(texts):
        alone = featurize([text], 16)
        mask = together.rows == i
        got = sorted(zip(together.cols[mask].tolist(), together.values[mask].tolist(),
                         strict=True))
        want = sorted(zip(alone.cols.tolist(), alone.values.tolist(), strict=True))
        assert got == pytest.approx(want)


def test_empty_text_has_no_features_and_bits_are_checked() -> None:
    assert featurize([""], 18).rows.size == 0
    assert featurize([], 18).n_rows == 0
    with pytest.raises(ValueError, match="bits"):
        featurize(["x"], 40)


def test_each_family_has_unit_norm_when_ngrams_are_distinct() -> None:
    batch = featurize(["abc xyz"], 24)
    # Two families (characters, words), each scaled to unit L2 norm.
    assert float(np.sum(batch.values**2)) == pytest.approx(2.0, rel=0.05)


# -- the shipped model ------------------------------------------------------------------------

def test_bundled_model_loads_with_every_head() -> None:
    model = load_bundled()
    assert model.heads == HEADS
    assert model.meta["feature_version"] == FEATURE_VERSION
    probs = model.predict_proba(["bonjour", "", "vote for them"])
    assert probs.shape == (3, len(HEADS))
    assert np.all((probs >= 0) & (probs <= 1))


def test_model_built_for_other_features_is_refused(tmp_path: Path) -> None:
    source = np.load(bundled_model_path())
    meta = json.loads(str(source["meta"]))
    meta["feature_version"] = "something-else"
    path = tmp_path / "old.npz"
    np.savez(path, **{k: source[k] for k in source.files if k != "meta"},
             meta=np.array(json.dumps(meta)))
    with pytest.raises(ModelError, match="rebuild it with `vigie train`"):
        load_model(path)
    with pytest.raises(ModelError, match="cannot load"):
        load_model(tmp_path / "missing.npz")


# -- the detector: positives, obfuscated positives, hard negatives ----------------------------

CASES = [
    # (text, head, emitted at 0.5 or more?)
    ("Hot local singles want to meet you tonight, naughty pics in my bio 🔞💦", "sexual", True),
    ("Vidéos x gratuites de filles chaudes près de chez toi 🍑 clique sur mon profil",
     "sexual", True),
    ("p.o.r.n gratuit, des n.u.d.e.s toute la nuit 🔞", "sexual", True),
    ("The sex education workshop at the health centre was really informative.", "sexual", False),
    ("Le cocktail des finissants aura lieu au Sacré-Cœur de l'atrium.", "sexual", False),
    ("Le syndicat convoque ses membres en assemblée générale jeudi à midi pour voter la grève",
     "org_announcement", True),
    ("Join the teaching assistants' union rally on Friday at noon in front of the library!",
     "org_announcement", True),
    ("Est-ce que mes cours sont annulés pendant la grève des chargés de cours?",
     "org_announcement", False),
    ("Votez pour notre candidate le 5 octobre, c'est la seule qui défend les étudiants!",
     "political_support", True),
    ("Is there a polling station on campus for the election?", "political_support", False),
    ("Earn $400 a day from home, no experience, DM me now 💸💸", "spam", True),
    ("Gagnez 300 $ par jour en crypto, écrivez-moi en privé 💰", "spam", True),
    ("Where can I buy a used calculus textbook on campus?", "spam", False),
]


@pytest.mark.parametrize(("text", "head", "emitted"), CASES)
def test_detector_table(text: str, head: str, emitted: bool) -> None:
    detector = _detector(floor=0.5)
    [findings] = detector.detect(_prepared(text), [[]])
    signals = {f.signal for f in findings}
    assert (f"ml.{head}" in signals) is emitted


def test_finding_shape_explanation_and_span() -> None:
    text = "Hot singles near campus tonight 🔞 nude pics in my bio 💦"
    [findings] = _detector().detect(_prepared(text), [[]])
    finding = next(f for f in findings if f.signal == "ml.sexual")
    assert finding.detector == "vigie.ml.linear.v1"
    assert finding.span == (0, len(text))
    assert finding.explanation.startswith("learned classifier: sexual")
    assert text not in finding.explanation
    assert 0.0 <= finding.score <= 1.0
    assert finding.data["probability"] == pytest.approx(finding.score, abs=1e-4)


def test_heads_select_what_is_emitted() -> None:
    text = "Hot singles near campus tonight 🔞 nude pics in my bio 💦"
    [findings] = _detector(heads=["spam"], floor=1.0).detect(_prepared(text), [[]])
    assert findings == []
    [findings] = _detector(heads=["sexual"]).detect(_prepared(text), [[]])
    assert {f.signal for f in findings} == {"ml.sexual"}


@pytest.mark.parametrize("text", [
    "🍑🍑🍑",                                                # too few letters to judge
    "Heute Abend gibt es heiße Singles in deiner Nähe, klick auf mein Profil",  # German
    "",
])
def test_out_of_domain_comments_are_not_scored(text: str) -> None:
    [findings] = _detector(floor=0.0).detect(_prepared(text), [[]])
    assert findings == []


def test_batch_results_are_in_order() -> None:
    texts = ["Merci pour l'info!", "Free nude cams, hot girls waiting 🔞💦", "Bravo!"]
    results = _detector().detect(_prepared(*texts), [[], [], []])
    assert len(results) == 3
    assert any(f.signal == "ml.sexual" for f in results[1])
    assert not any(f.signal == "ml.sexual" for f in results[0] + results[2])
    assert _detector().detect([], []) == []


@pytest.mark.parametrize(("options", "message"), [
    ({"unknown": 1}, "detectors.vigie.ml.linear.v1.unknown"),
    ({"heads": ["hate", "gossip"]}, "unknown heads"),
    ({"max_score": {"ml.sexual": 0.5}}, "max_score"),  # thresholds live in the policy
    ({"floor": -0.1}, "floor"),
])
def test_invalid_options_name_the_problem(options: dict, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        _detector(**options)


def test_registered_and_declared() -> None:
    registry = default_registry()
    assert "vigie.ml.linear.v1" in registry.names()
    assert registry.provides("vigie.ml.linear.v1") == tuple(f"ml.{h}" for h in HEADS)


# -- the project's own training examples ------------------------------------------------------

def test_authored_examples_are_complete_and_reproducible() -> None:
    first = authored_examples(seed=13)
    again = authored_examples(seed=13)
    assert [e.text for e in first] == [e.text for e in again]
    assert all("{" not in e.text for e in first), "a template slot was left unfilled"
    assert all(set(e.labels) == set(HEADS) for e in first)
    for head in HEADS:
        positives = sum(e.labels[head] for e in first)
        assert positives >= 30, f"too few authored positives for {head}"
    assert {e.lang for e in first} == {"fr", "fr-qc", "en"}


def test_authored_examples_do_not_copy_the_dev_set() -> None:
    if not DEV.exists():
        pytest.skip(f"{DEV} is absent (shared data not mounted)")
    dev = {json.loads(line)["text"].strip().casefold()
           for line in DEV.read_text(encoding="utf-8").splitlines()}
    folder = resources.files("vigie").joinpath("data", "training")
    for entry in folder.iterdir():
        if entry.name.endswith(".jsonl"):
            for line in entry.read_text(encoding="utf-8").splitlines():
                assert json.loads(line)["text"].strip().casefold() not in dev, entry.name


def test_dev_split_is_fixed_and_balanced() -> None:
    ids = [f"fb:c-{i:04d}" for i in range(1, 401)]
    halves = [dev_split(i) for i in ids]
    assert halves == [dev_split(i) for i in ids]
    assert 150 < halves.count("tune") < 250


def test_empty_language_list_scores_every_language() -> None:
    text = "Heute Abend heiße Singles in deiner Nähe 🔞💦 nackte Fotos in meiner Bio"
    [gated] = _detector(floor=0.0).detect(_prepared(text), [[]])
    [open_] = _detector(floor=0.0, languages=[]).detect(_prepared(text), [[]])
    assert gated == []
    assert open_ != []
