"""Coordinated posting: the same text from several accounts, within a batch and across batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from vigie.bench.coordination import run_coordination_bench
from vigie.detectors.coordination import CoordinationDetector, CoordinationOptions
from vigie.findings import Finding
from vigie.records import Comment, parse_comment
from vigie.text.duplicates import InMemoryWindow, WindowEntry, band_keys, signatures, text_key
from vigie.text.prepare import prepare_batch

START = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
TUITION_POST = "Droits de scolarité 2026-2027 : les nouveaux montants sont en ligne."
GRAD_POST = "Félicitations à nos 1 400 nouveaux diplômés de la Collation des grades!"


def make(text: str, author: str, minutes: float = 0, *, post: str = TUITION_POST,
         post_id: str = "x:p-1", cid: str | None = None) -> Comment:
    data: dict[str, Any] = {
        "id": cid or f"x:c-{author}-{minutes}", "platform": "x", "text": text,
        "created_at": (START + timedelta(minutes=minutes)).isoformat(),
        "author": {"id": author}, "post": {"id": post_id, "text": post},
    }
    return parse_comment(data)


def run(detector: CoordinationDetector, comments: list[Comment]) -> list[list[Finding]]:
    return detector.detect(prepare_batch(comments), [[] for _ in comments])


@pytest.fixture
def detector() -> CoordinationDetector:
    return CoordinationDetector(CoordinationOptions())


SLOGAN = "Les étudiants ne sont pas des guichets automatiques, reculez sur la hausse!"


@pytest.mark.parametrize(("first", "second", "flagged"), [
    # positives: word for word, and near copies (emoji, case, punctuation, one word added)
    (SLOGAN, SLOGAN, True),
    (SLOGAN, "LES ÉTUDIANTS NE SONT PAS DES GUICHETS AUTOMATIQUES!!! reculez sur la hausse 😡",
     True),
    (SLOGAN, SLOGAN + " #GrèveEtudiante", True),
    ("Join our trading group today, we double your crypto every week with signals",
     "Join our trading group today!! we double your crypto every week with signals 🚀", True),
    # hard negatives: short reactions that many people write on their own
    ("Félicitations!", "Félicitations!", False),
    ("Félicitations à tous les diplômés de la promo 2025!",
     "Félicitations à tous les diplômés de la promo 2025!", False),
    ("Congratulations everyone, well done! So proud of you all",
     "Congratulations everyone, well done! So proud of you all", False),
    # a sentence made of the post's own words
    ("Les nouveaux montants des droits de scolarité sont en ligne",
     "Les nouveaux montants des droits de scolarité sont en ligne", False),
    # two different opinions on the same subject
    (SLOGAN, "La hausse est raisonnable vu l'inflation, les autres provinces paient plus.",
     False),
])
def test_pairs_from_two_accounts(detector: CoordinationDetector, first: str, second: str,
                                 flagged: bool) -> None:
    post = GRAD_POST if "Félicitations" in first else TUITION_POST
    results = run(detector, [make(first, "x:u-1", 0, post=post),
                             make(second, "x:u-2", 5, post=post)])
    assert bool(results[0]) is flagged and bool(results[1]) is flagged


def test_two_people_congratulating_on_a_graduation_post(detector: CoordinationDetector) -> None:
    comments = [make("Félicitations!", f"fb:u-{i}", i, post=GRAD_POST) for i in range(5)]
    assert run(detector, comments) == [[]] * 5


def test_same_author_twice_is_not_coordination(detector: CoordinationDetector) -> None:
    assert run(detector, [make(SLOGAN, "x:u-1", 0), make(SLOGAN, "x:u-1", 3)]) == [[], []]


def test_across_batches_and_posts_and_platforms(detector: CoordinationDetector) -> None:
    assert run(detector, [make(SLOGAN, "x:u-1", 0)]) == [[]]   # nothing to compare yet
    later = make(SLOGAN, "x:u-2", 120, post="Autre publication", post_id="x:p-2")
    found = run(detector, [later])[0]
    assert len(found) == 1
    finding = found[0]
    assert finding.signal == "coordination.duplicate" and finding.score >= 0.75
    assert "2 posts" in finding.explanation and "2 h" in finding.explanation
    assert SLOGAN not in finding.explanation
    assert finding.data["matches"] == ["x:c-x:u-1-0"]


def test_more_accounts_more_confidence(detector: CoordinationDetector) -> None:
    comments = [make(SLOGAN, f"x:u-{i}", i) for i in range(4)]
    results = run(detector, comments)
    assert all(r and r[0].data["accounts"] == 3 for r in results)
    pair = CoordinationDetector(CoordinationOptions())
    two = run(pair, comments[:2])
    assert results[0][0].score > two[0][0].score


def test_copies_outside_the_window_are_not_matched() -> None:
    detector = CoordinationDetector(CoordinationOptions(window_hours=24))
    run(detector, [make(SLOGAN, "x:u-1", 0)])
    assert run(detector, [make(SLOGAN, "x:u-2", 25 * 60)]) == [[]]


# -- the window: bounded by time and by entries ----------------------------------------------

def entry(i: int, at: float, words: list[str]) -> WindowEntry:
    sig = signatures([words])[0]
    return WindowEntry(f"c{i}", f"u{i}", at, text_key(words), sig.tobytes(), band_keys(sig),
                       "p", "x")


def test_window_is_bounded_by_entries() -> None:
    window = InMemoryWindow(window_s=1e9, max_entries=100)
    for i in range(2000):
        window.add(entry(i, float(i), [f"w{i}", f"v{i % 7}", "commun"]))
    assert len(window) == 100
    assert len(window._bands) <= 4 * 100
    assert len(window._order) == 100


def test_window_forgets_by_comment_time() -> None:
    window = InMemoryWindow(window_s=60.0, max_entries=1000)
    for i in range(10):
        window.add(entry(i, float(i * 30), ["un", "deux", f"t{i}"]))
    window.evict(now=270.0)
    assert len(window) == 3            # entries at 210, 240, 270 s are within 60 s


def test_signatures_are_stable_and_estimate_similarity() -> None:
    a = signatures([["a", "b", "c", "d", "e", "f"]])[0]
    again = signatures([["f", "e", "d", "c", "b", "a", "a"]])[0]
    other = signatures([["x", "y", "z", "u", "v", "w"]])[0]
    assert np.array_equal(a, again)
    assert band_keys(a) == band_keys(again)
    assert np.count_nonzero(a == other) <= 4
    with pytest.raises(ValueError, match="empty"):
        signatures([[]])


def test_benchmark_memory_stays_bounded_on_a_stream() -> None:
    result = run_coordination_bench(4000, max_entries=500, samples=4)
    assert result["max_window_entries"] <= 500
    assert result["window_entries"] <= 500
    assert result["duplicates_found"] > 0           # the stream's campaigns are found
    assert result["comments_per_s"] > 0 and len(result["rss_mb_samples"]) == 4


# -- after a restart: the window rebuilt from comments already decided ----------------------

def _campaign_stream(n: int, seed: int) -> list[Comment]:
    """Comments mostly unique, a fifth from three campaigns, times a little out of order."""
    import random

    rng = random.Random(seed)
    slogans = [SLOGAN, "Join our trading group today, we double your crypto every week",
               "Signez la pétition contre la fermeture du pavillon Lassonde avant vendredi"]
    words = ["robot", "pont", "béton", "énergie", "thèse", "stage", "bourse", "labo", "drone",
             "réseau", "données", "calcul", "modèle", "atelier", "horaire", "campus", "session",
             "examen", "projet", "équipe"]
    out = []
    for i in range(n):
        if rng.random() < 0.2:
            text = rng.choice(slogans) + rng.choice(["", " !", " 😡", " #campagne"])
        else:
            text = " ".join(rng.choices(words, k=rng.randint(6, 12)))
        minutes = i * 7 + rng.uniform(-90, 90)    # some comments arrive late
        out.append(make(text, f"x:u-{rng.randrange(40)}", minutes, cid=f"x:c-{i}"))
    return out


@pytest.mark.parametrize("max_entries", [100_000, 30], ids=["by-time", "capped"])
def test_remembering_decided_comments_rebuilds_the_window(max_entries: int) -> None:
    """A detector that remembers the first batches at once decides the next ones as an
    uninterrupted one (same findings), and holds the same window (same entries, same order)."""
    options = CoordinationOptions(window_hours=3, max_entries=max_entries)
    stream = _campaign_stream(600, seed=5)
    batches = [stream[i:i + 50] for i in range(0, len(stream), 50)]
    for resume in (1, 4, 7):
        uninterrupted, restarted = CoordinationDetector(options), CoordinationDetector(options)
        for batch in batches[:resume]:
            run(uninterrupted, batch)
        restarted.remember(prepare_batch([c for b in batches[:resume] for c in b]))
        window_a, window_b = uninterrupted.window, restarted.window
        assert isinstance(window_a, InMemoryWindow) and isinstance(window_b, InMemoryWindow)
        assert ([window_a._entries[k] for k in window_a._order]
                == [window_b._entries[k] for k in window_b._order])
        flagged = 0
        for batch in batches[resume:]:
            expected = run(uninterrupted, batch)
            assert run(restarted, batch) == expected
            flagged += sum(bool(found) for found in expected)
        assert flagged > 20          # campaigns run across the resume point


def test_a_fresh_detector_misses_the_copies_posted_before_the_restart() -> None:
    """Why the rebuild matters: without it, the first copy after a restart is not seen."""
    before = [make(SLOGAN, "x:u-1", 0), make(SLOGAN, "x:u-2", 5)]
    after = [make(SLOGAN, "x:u-3", 10)]
    rebuilt = CoordinationDetector(CoordinationOptions())
    rebuilt.remember(prepare_batch(before))
    assert run(rebuilt, after)[0][0].data["accounts"] == 2
    assert run(CoordinationDetector(CoordinationOptions()), after) == [[]]
