"""The off-topic detector's learned relatedness (models/relatedness.py, offtopic_training.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from factories import DEV_SET, SHARED_DATA, comment, needs_dev_set
from vigie.detectors.offtopic import OffTopicDetector, OffTopicOptions
from vigie.errors import DetectorError
from vigie.models.relatedness import FEATURES, features, load_relatedness
from vigie.text.prepare import prepare_batch

RESEARCH = ("Percée en capture du carbone : une équipe du Département de génie chimique publie "
            "dans Nature Energy un procédé qui réduit de 40 % le coût du captage.")
# Written for these tests: nothing here is in the dev set or the public sets.
UNRELATED = ["Who wants to carpool to the cottage this weekend? I have two seats left",
             "Ma tante fait les meilleures tourtières du Lac-Saint-Jean, je vous jure",
             "Anyone know a cheap mechanic for a 2012 Civic? Brakes are squeaking"]
RELATED = ["Est-ce que ce procédé pourrait servir aux cimenteries du Québec?",
           "How does the cost compare with amine scrubbing at industrial scale?"]


def _unrelated(detector: OffTopicDetector, texts: list[str]) -> list[bool]:
    batch = prepare_batch([comment(t, cid=f"fb:c-{i}", post=RESEARCH)
                           for i, t in enumerate(texts)])
    return [any(f.signal == "offtopic.unrelated" and f.score >= 0.625 for f in found)
            for found in detector.detect(batch, [[] for _ in batch])]


def test_bundled_model_loads_with_its_provenance() -> None:
    model = load_relatedness()
    assert len(model.coef) == len(FEATURES)
    assert 0.5 <= model.threshold < 1.0
    assert set(model.meta["sources"]) >= {"olid_en", "sms_spam_uci", "youtube_spam_uci"}
    assert model.meta["rows"]["dev_tune_legit_all"] > 100


def test_unrelated_comments_of_any_topic_are_flagged_and_related_ones_are_not() -> None:
    learned = OffTopicDetector(OffTopicOptions())
    assert all(_unrelated(learned, UNRELATED))
    assert not any(_unrelated(learned, RELATED))
    batch = prepare_batch([comment(t, cid=f"fb:c-{i}", post=RESEARCH)
                           for i, t in enumerate(UNRELATED)])
    threshold = load_relatedness().threshold
    for found in learned.detect(batch, [[] for _ in batch]):
        (finding,) = [f for f in found if f.signal == "offtopic.unrelated"]
        assert finding.data["learned"] >= threshold  # the learned model, not the references
        assert "learned relatedness" in finding.explanation


def test_switching_the_learned_model_off_keeps_the_reference_sentences_only() -> None:
    plain = OffTopicDetector(OffTopicOptions(learned=False))
    batch = prepare_batch([comment(UNRELATED[0], post=RESEARCH)])
    found = plain.detect(batch, [[]])[0]
    assert all("learned" not in f.data for f in found)


def test_features_follow_the_documented_order() -> None:
    row = features(0.2, np.array([0.1, 0.3, 0.2], np.float32), np.array([0.5, 0.4], np.float32),
                   7)
    assert row[:3] == pytest.approx([0.2, 0.3, 0.2])
    assert row[3] == pytest.approx(0.5)
    assert row[5] == pytest.approx(0.5 - 0.3)
    assert row[6] == pytest.approx(np.log(7))


def test_a_broken_weights_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "relatedness.json"
    bad.write_text('{"features": ["x"], "mean": []}', encoding="utf-8")
    with pytest.raises(DetectorError, match="vigie train"):
        load_relatedness(bad)


@pytest.mark.slow
@needs_dev_set
def test_rebuilt_relatedness_decides_like_the_committed_one() -> None:
    pytest.importorskip("sklearn", reason="training needs the 'train' extra (scikit-learn)")
    from vigie.detectors.offtopic_training import train_relatedness

    assert DEV_SET.exists()
    fresh = train_relatedness(SHARED_DATA, log=lambda _: None)
    committed = load_relatedness()
    assert fresh.threshold == pytest.approx(committed.threshold, abs=0.02)
    probe = OffTopicDetector(OffTopicOptions(learned=False))
    batch = prepare_batch([comment(t, cid=f"fb:c-{i}", post=RESEARCH)
                           for i, t in enumerate(UNRELATED + RELATED)])
    _, rows = probe.measure(batch, [5] * len(batch))
    assert ((fresh.probability(rows) >= fresh.threshold)
            == (committed.probability(rows) >= committed.threshold)).all()
