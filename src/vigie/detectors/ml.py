"""Learned bilingual classifiers (directive 6.4 b, c, e, f, g, k): hashed n-grams, linear heads.

One model scores every comment of a batch for each head at once (a sparse dot product in
numpy, :mod:`vigie.models.model`) and emits ``ml.<head>`` with the head's calibrated probability.
The model sees what lexicons cannot (hate without a slur, spam in a new disguise) but also
what they would not be fooled by (a slur quoted to condemn it), so its evidence is meant to be
weighed by the policy: there, each ``ml.*`` signal entry can ignore scores below a
``min_score`` and cap what the signal alone may cause (``max_action: review``), so that this
model alone sends a comment to review but never takes it down.

Scores below ``floor`` are not emitted: no policy threshold that low would use them, and they
would only make decisions bigger.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vigie.detectors._masking import OwnLinks, blank_folded, is_reaction, masked_spans, own_links
from vigie.detectors.base import DetectorInfo, parse_options
from vigie.findings import Finding
from vigie.models.corpus import HEADS
from vigie.models.model import BUNDLED, LinearModel, load_bundled
from vigie.policy import Policy
from vigie.text.prepare import PreparedComment

__all__ = ["MlDetector", "MlOptions"]

NAME = "vigie.ml.linear.v1"
SIGNALS = tuple(f"ml.{head}" for head in HEADS)

_WHAT = {
    "hate": "hateful, racist, sexist or homophobic content, or a death threat",
    "abuse": "aggressive, insulting or coarse language",
    "sexual": "sexual or pornographic content",
    "spam": "advertising, solicitation or junk",
    "political_support": "support for a party or candidate, or a call to vote",
    "org_announcement": "an organisation announcing a meeting, rally, vote or campaign",
}


class MlOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.ml.linear.v1`` mapping."""

    model_config = ConfigDict(extra="forbid")
    model: str = Field(BUNDLED, description="name of a model shipped in vigie/data/models")
    heads: tuple[str, ...] = Field(HEADS, description="heads whose signals are emitted")
    floor: float = Field(0.3, ge=0.0, le=1.0, description="probabilities below are not emitted")
    min_letters: int = Field(
        3, ge=0, description="comments with fewer letters are not scored (emoji-only, '!!!')"
    )
    languages: tuple[str, ...] = Field(
        ("fr", "en"),
        description="languages the model was trained on; others are not scored (empty: all)",
    )
    min_words: int = Field(1, ge=1, description="comments with fewer words are not scored")
    skip_reactions: bool = Field(
        False, description="comments made only of reactions ('Subscribed', 'Bravo!', 'Abonnée "
                           "✅') are not scored: a bag of words says nothing about them")
    mask_signals: tuple[str, ...] = Field(
        (), description="glob patterns of earlier detectors' signals whose spans are hidden "
                        "from the model (an IBAN or a key recognised as such is no spam cue); "
                        "a finding that says the data is an organisation's, the writer's own or "
                        "of unknown owner stays visible: a business's WhatsApp line is a cue",
    )
    foreign_confidence: float = Field(
        0.8, ge=0.0, le=1.0,
        description="identifier confidence needed to call a comment another language",
    )

    @field_validator("heads")
    @classmethod
    def _known_heads(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(HEADS))
        if unknown:
            raise ValueError(f"unknown heads {unknown}; valid: {', '.join(HEADS)}")
        return value


class MlDetector:
    """Emits ``ml.<head>`` findings with calibrated probabilities from the linear model."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=5)

    def __init__(self, options: MlOptions, model: LinearModel | None = None,
                 own_links: tuple[str, ...] = ()) -> None:
        """Load the model once (the bundled one unless ``model`` is given).

        Raises:
            vigie.models.model.ModelError: the model file is missing or was built for other
                features.
        """
        self.options = options
        self.model = model if model is not None else load_bundled(options.model)
        missing = sorted(set(options.heads) - set(self.model.heads))
        if missing:
            from vigie.models.model import ModelError

            raise ModelError(f"model {options.model!r} has no head {missing}; "
                             f"it has: {', '.join(self.model.heads)}")
        self._columns = [(self.model.heads.index(h), h, options.floor) for h in options.heads]
        self._languages = frozenset(options.languages)
        # The institution's own domains and pages (host or host/path prefixes): its links are
        # hidden from the model, whose training data taught it that links are spam cues.
        self._own_links = OwnLinks(own_links)

    def know_own_pages(self, pages: Sequence[str]) -> None:
        """Registry pages, hidden from the model like the policy's own links."""
        self._own_links.know_own_pages(pages)

    def _in_domain(self, item: PreparedComment) -> bool:
        """Whether the model can judge ``item``: enough letters, a language it was trained on.

        Outside that domain (an emoji string, a comment in German) a linear model's output is
        noise, and the language and off-topic detectors already speak for such comments.
        """
        guess = item.language
        if guess.letters < self.options.min_letters:
            return False
        if self.options.min_words > 1 and sum(
                any(c.isalpha() for c in w) for w in item.norm.text.split()
        ) < self.options.min_words:
            return False  # words with letters: "Subscribed ✅" is one word
        if self.options.skip_reactions and is_reaction(item):
            return False
        foreign = (bool(self._languages) and guess.lang not in self._languages
                   and guess.score >= self.options.foreign_confidence
                   and guess.words >= 3)
        return not foreign

    def _masked(self, item: PreparedComment, prior: Sequence[Finding]) -> str:
        """The folded text with the spans of ``mask_signals`` findings blanked out (pure)."""
        if not self.options.mask_signals and not (self._own_links.patterns and item.urls):
            return item.norm.text
        spans = masked_spans(item, prior, self.options.mask_signals, self._own_links)
        return blank_folded(item, spans) if spans else item.norm.text

    def _finding(self, item: PreparedComment, head: str, probability: float,
                 cues: Sequence[str]) -> Finding:
        why = f"learned classifier: {_WHAT[head]} (probability {probability:.2f})"
        if cues:
            why += "; strongest cues: " + ", ".join(f"'{c}'" for c in cues)
        return Finding(f"ml.{head}", round(probability, 4), NAME, why, (0, len(item.text)),
                       {"probability": round(probability, 4), "model": self.options.model})

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Score the whole batch at once; one finding per head above the floor."""
        if not batch:
            return []
        scored = [i for i, item in enumerate(batch) if self._in_domain(item)]
        out: list[list[Finding]] = [[] for _ in batch]
        if not scored:
            return out
        texts = [self._masked(batch[i], prior[i] if i < len(prior) else ()) for i in scored]
        probabilities = self.model.predict_proba(texts)
        hits = [
            (i, [(k, head) for k, head, floor in self._columns if probabilities[row, k] >= floor])
            for row, i in enumerate(scored)
        ]
        hits = [(i, heads) for i, heads in hits if heads]
        # Cues only for the comments that get a finding, in one pass for the whole batch.
        text_of = dict(zip(scored, texts, strict=True))
        cues = self.model.cues([text_of[i] for i, _ in hits])
        row_of = {i: row for row, i in enumerate(scored)}
        for (i, heads), words in zip(hits, cues, strict=True):
            out[i] = [
                self._finding(batch[i], head, float(probabilities[row_of[i], k]), words[head])
                for k, head in heads
            ]
        return out


def create(options: Mapping[str, Any], policy: Policy | None) -> MlDetector:
    """Factory for the registry (the institution's own links come from ``vigie.links.v1``)."""
    return MlDetector(parse_options(MlOptions, NAME, options),
                      own_links=own_links(policy).patterns)
