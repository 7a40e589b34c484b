"""Language detector (directive 6.4 h): comments in a language other than the allowed ones.

Judged per comment, never per page. Short strings fool every identifier ("ok merci", "lol"),
so a Latin-script comment is called foreign only when it is long enough and the identifier
gives the allowed languages little probability; a comment mostly in a non-Latin script is
foreign from a few letters on. A single foreign word in a French or English sentence leaves
enough French or English probability to stay below the evidence floor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vigie.detectors.base import DetectorInfo
from vigie.findings import Finding
from vigie.policy import Policy
from vigie.prepare import PreparedComment
from vigie.registry import parse_options

__all__ = ["LanguageDetector", "LanguageOptions"]

NAME = "vigie.language.fasttext.v1"
SIGNALS = ("language.foreign",)


class LanguageOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.language.fasttext.v1`` mapping."""

    model_config = ConfigDict(extra="forbid")
    min_letters: int = Field(20, ge=1, description="letters needed to judge a Latin-script text")
    min_words: int = Field(4, ge=1, description="words needed to judge a Latin-script text")
    min_letters_non_latin: int = Field(4, ge=1, description="letters for a non-Latin script")


class LanguageDetector:
    """Emits ``language.foreign`` with the identifier's probability that the text is foreign."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=1)

    def __init__(self, allowed: Sequence[str], options: LanguageOptions) -> None:
        self.allowed = frozenset(allowed)
        self.options = options

    def _finding(self, item: PreparedComment) -> Finding | None:
        guess = item.language
        if guess.lang in self.allowed or guess.letters == 0:
            return None
        allowed_mass = sum(p for lang, p in guess.top if lang in self.allowed)
        non_latin = guess.non_latin_share >= 0.5
        if non_latin:
            if guess.letters < self.options.min_letters_non_latin:
                return None
            # The script alone is strong evidence, whatever language the identifier names.
            score = max(0.9, guess.score) * (1.0 - allowed_mass)
            why = f"written mostly in {guess.script.title()} script (language: {guess.lang})"
        else:
            if guess.letters < self.options.min_letters or guess.words < self.options.min_words:
                return None
            score = guess.score * (1.0 - allowed_mass)
            # Texts near the length floor are less reliable; shade their score.
            if guess.letters < 2 * self.options.min_letters:
                score *= 0.85
            why = f"written in {guess.lang} (identifier confidence {guess.score:.2f})"
        allowed = ", ".join(sorted(self.allowed))
        return Finding(
            signal="language.foreign",
            score=round(min(1.0, max(0.0, score)), 4),
            detector=NAME,
            explanation=f"{why}; allowed languages: {allowed}",
            span=(0, len(item.text)),
            data={"lang": guess.lang, "script": guess.script},
        )

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return a ``language.foreign`` finding for each foreign comment."""
        out = []
        for item in batch:
            finding = self._finding(item)
            out.append([finding] if finding is not None else [])
        return out


def create(options: Mapping[str, Any], policy: Policy) -> LanguageDetector:
    """Factory for the registry."""
    return LanguageDetector(policy.allowed_languages, parse_options(LanguageOptions, NAME, options))
