"""Language detector (directive 6.4 h): comments in a language other than the allowed ones.

Judged per comment, never per page. Short strings fool every identifier ("ok merci", "lol"),
so a Latin-script comment is called foreign only when it is long enough and the identifier
gives the allowed languages little probability; a comment mostly in a non-Latin script is
foreign from a few letters on. A single foreign word in a French or English sentence leaves
enough French or English probability to stay below the evidence floor.

A second identifier (py3langid, BSD-3) votes on the Latin-script comments that fastText would
call foreign or cannot place, and only on those, so it costs little. Where it reads the text as
French or English, the evidence is shaded down (fastText mistakes slang, SMS spelling and
shouting for Dutch or Basque); where fastText is lost but the second vote is sure of a foreign
language, it carries the evidence (the bundled fastText model barely knows Haitian Creole).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vigie.detectors.base import DetectorInfo, at_most_one_each, parse_options
from vigie.findings import Finding
from vigie.policy import Policy
from vigie.text.langid import clean_for_identification
from vigie.text.prepare import PreparedComment

__all__ = ["LanguageDetector", "LanguageOptions"]

NAME = "vigie.language.fasttext.v1"
SIGNALS = ("language.foreign",)
# English-lexifier creole that py3langid calls informal English by (Nigerian Pidgin).
_SECOND_ALIASES = {"pcm": "en"}
# Below this fastText evidence the second vote is not consulted: nothing could come of it.
_CONSULT_FLOOR = 0.25


class LanguageOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.language.fasttext.v1`` mapping."""

    model_config = ConfigDict(extra="forbid")
    min_letters: int = Field(20, ge=1, description="letters needed to judge a Latin-script text")
    min_words: int = Field(4, ge=1, description="words needed to judge a Latin-script text")
    min_letters_non_latin: int = Field(4, ge=1, description="letters for a non-Latin script")
    second_opinion: bool = Field(True, description="consult py3langid on doubtful comments")


class LanguageDetector:
    """Emits ``language.foreign`` with the identifier's probability that the text is foreign."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=1)

    def __init__(self, allowed: Sequence[str], options: LanguageOptions) -> None:
        self.allowed = frozenset(allowed)
        self.options = options
        self._second: Any = None
        if options.second_opinion:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            self._second = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def _second_vote(self, text: str) -> tuple[str, float, float]:
        """``(top language, its probability, probability of the allowed languages)``."""
        ranked = self._second.rank(clean_for_identification(text))
        probs: dict[str, float] = {}
        for lang, prob in ranked:
            lang = _SECOND_ALIASES.get(lang, lang)
            probs[lang] = probs.get(lang, 0.0) + float(prob)
        top = max(probs, key=lambda k: probs[k])
        return top, probs[top], sum(p for lang, p in probs.items() if lang in self.allowed)

    def _latin_score(self, item: PreparedComment, allowed_mass: float) -> tuple[float, str]:
        """Evidence that a Latin-script comment is foreign, and the language named."""
        guess = item.language
        # No foreign evidence from fastText when its best guess is an allowed language.
        score = 0.0 if guess.lang in self.allowed else guess.score * (1.0 - allowed_mass)
        lost = guess.score < 0.5 and allowed_mass <= 0.4
        if self._second is None or (score < _CONSULT_FLOOR and not lost):
            return score, guess.lang
        lang, prob, second_allowed = self._second_vote(item.text)
        if lang == "zxx":
            # "No linguistic content" (keyboard mashing): not a language, so not clause 6.4 h;
            # the off-topic detector judges unintelligible text.
            return score * 0.5, guess.lang
        if lang in self.allowed:
            # The second identifier reads French or English: the two disagree.
            return score * (1.0 - second_allowed) ** 2, guess.lang
        # Both call it foreign; a second vote spread over many languages is a weak agreement.
        agreed = score * (1.0 - second_allowed) * min(1.0, 0.6 + prob)
        if lost and prob >= 0.9:
            return max(agreed, 0.95 * prob * (1.0 - allowed_mass)), lang
        return agreed, guess.lang

    def _finding(self, item: PreparedComment) -> Finding | None:
        guess = item.language
        if guess.letters == 0:
            return None
        allowed_mass = sum(p for lang, p in guess.top if lang in self.allowed)
        # fastText may name French at 0.26 for a Creole text: "lost", not a French verdict.
        if guess.lang in self.allowed and not (guess.score < 0.5 and allowed_mass <= 0.4):
            return None
        lang = guess.lang
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
            score, lang = self._latin_score(item, allowed_mass)
            # Texts near the length floor are less reliable; shade their score.
            if guess.letters < 2 * self.options.min_letters:
                score *= 0.85
            if score < 0.05:
                return None
            why = f"written in {lang} (evidence {score:.2f} from two identifiers)"
        allowed = ", ".join(sorted(self.allowed))
        return Finding(
            signal="language.foreign",
            score=round(min(1.0, max(0.0, score)), 4),
            detector=NAME,
            explanation=f"{why}; allowed languages: {allowed}",
            span=(0, len(item.text)),
            data={"lang": lang, "script": guess.script},
        )

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return a ``language.foreign`` finding for each foreign comment."""
        return at_most_one_each(batch, self._finding)


def create(options: Mapping[str, Any], policy: Policy) -> LanguageDetector:
    """Factory for the registry."""
    return LanguageDetector(policy.allowed_languages, parse_options(LanguageOptions, NAME, options))
