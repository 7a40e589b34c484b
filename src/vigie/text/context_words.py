"""Word lists that say how a comment relates to its context (off-topic and coordination).

Three lists, in ``vigie/data/offtopic/`` (folded: lower case, accents removed, one entry a
line, ``#`` comments):

- ``stopwords.txt``: French and English function words;
- ``reactions.txt``: praise, thanks, congratulations, sympathy: a comment made only of these
  is a reaction that fits any post, and two people writing the same one is no campaign;
- ``institution.txt``: the institution, its studies and campus life; entries ending in ``*``
  are prefixes.

Loaded once per process (the functions are cached); pure afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["WordLists", "content_words", "stem", "tokens", "word_lists"]

_TOKEN = re.compile(r"[a-z0-9]+")
_REPEAT = re.compile(r"([a-z])\1{2,}")
_APOSTROPHES = str.maketrans({"'": " ", "\u2019": " "})


@dataclass(frozen=True, slots=True)
class WordLists:
    """The three lists, as sets (prefixes apart)."""

    stopwords: frozenset[str]
    reactions: frozenset[str]
    institution: frozenset[str]
    institution_prefixes: tuple[str, ...]

    def is_institution(self, word: str) -> bool:
        """Whether ``word`` (folded) names the institution or campus life."""
        return word in self.institution or word.startswith(self.institution_prefixes)


def _read(name: str) -> list[str]:
    path = resources.files("vigie").joinpath(f"data/offtopic/{name}")
    return [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


@cache
def word_lists(names: tuple[str, ...] = ()) -> WordLists:
    """Load the lists (once per process and name set).

    Args:
        names: the institution's names and aliases (from its policy), folded; the first word
            of each joins the institution words ("polytechnique" of "Polytechnique Montréal",
            not the city). The bundled list names no institution.
    """
    institution = _read("institution.txt")
    for name in names:
        words = [w for w in tokens(name.lower()) if len(w) >= 3]
        institution.extend(words[:1])
    return WordLists(
        stopwords=frozenset(_read("stopwords.txt")),
        reactions=frozenset(_read("reactions.txt")),
        institution=frozenset(w for w in institution if not w.endswith("*")),
        institution_prefixes=tuple(w[:-1] for w in institution if w.endswith("*")),
    )


def tokens(folded: str) -> list[str]:
    """Split folded text into words (pure).

    Apostrophes separate words, so elisions come apart ("l'equipe" -> "l", "equipe") and the
    elided article is a one-letter function word. Letters repeated three times or more are cut
    to one ("yesss" -> "yes"), as people stretch words for emphasis.
    """
    return _TOKEN.findall(_REPEAT.sub(r"\1", folded.translate(_APOSTROPHES)))


def stem(word: str) -> str:
    """A crude shared stem for French and English: the first six letters (pure).

    Enough to match "diplomes"/"diplomation" or "research"/"researchers" across a comment and
    its post; never shown to anyone.
    """
    return word[:6]


def content_words(words: list[str]) -> list[str]:
    """Words that are neither function words, numbers nor one letter long (pure)."""
    stop = word_lists().stopwords
    return [w for w in words if len(w) > 1 and w not in stop and not w.isdigit()]
