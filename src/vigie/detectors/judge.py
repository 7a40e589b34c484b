"""The learned multilingual judge (directive 6.4 a–g, j, k): one calibrated score per category.

Emits ``judge.<head>`` for each head of the bundled judge (``docs/models/judge-v1.md``): the
stacked probability of a character n-gram model and a sentence-encoder model
(USE-multilingual-v3), so evidence adds up instead of the strongest single cue winning. A
cascade keeps it fast: the character stage scores every comment; the encoder judges only
the comments where some head's char-only probability reaches its gate, and always the
comments in a language other than French or English (where character n-grams learned on
French and English know nothing, and the encoder's aligned space still does).

Each finding names the words driving it, found by occlusion (each word removed in turn, the
drop of the score measured), with their spans in the original text (``data["cues"]``), and
its span covers the strongest of them. What a score means (review, removal) is the policy's
call: per category, its ``judge.*`` signal entry carries the thresholds measured on data
never trained on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vigie.detectors._masking import (
    OwnLinks,
    blank,
    blank_folded,
    is_reaction,
    masked_spans,
    own_links,
)
from vigie.detectors.base import DetectorInfo, parse_options
from vigie.findings import Finding
from vigie.models.encoder import embed_prepared, encode
from vigie.models.judge.corpus import HEADS
from vigie.models.judge.model import (
    BUNDLED_JUDGE,
    JudgeModel,
    JudgeModelError,
    Occlusion,
    load_bundled_judge,
    occlusion,
)
from vigie.policy import Policy
from vigie.text.normalize import normalize
from vigie.text.prepare import PreparedComment

__all__ = ["NAME", "SIGNALS", "JudgeDetector", "JudgeOptions"]

NAME = "vigie.judge.v1"
SIGNALS = tuple(f"judge.{head}" for head in HEADS)

_WHAT = {
    "hate": "hateful, racist, sexist or homophobic content, or a death threat",
    "abuse": "aggressive, insulting or coarse language",
    "sexual": "sexual or pornographic content",
    "spam": "advertising, solicitation or junk",
    "political_support": "support for a party or candidate, or a call to vote",
    "org_announcement": "an organisation announcing a meeting, rally, vote or campaign",
    "off_topic": "a comment unrelated to the post",
    "confidential": "confidential data of the institution",
    "privacy": "personal data or reputation of a third person",
}


class JudgeOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.judge.v1`` mapping."""

    model_config = ConfigDict(extra="forbid")
    model: str = Field(BUNDLED_JUDGE, description="name of a judge shipped in vigie/data/models")
    heads: tuple[str, ...] = Field(HEADS, description="heads whose signals are emitted")
    floor: float = Field(0.3, ge=0.0, le=1.0, description="probabilities below are not emitted")
    min_letters: int = Field(2, ge=0, description="comments with fewer letters are not scored")
    cascade: bool = Field(True, description="encoder only where the character stage is unsure")
    settle_above: float = Field(
        0.95, ge=0.0, le=1.0,
        description="char-only probability from which a head is settled without the encoder")
    coverage: float | None = Field(
        None, gt=0.0, lt=1.0,
        description="cascade gates by coverage measured at training (share of the comments "
                    "the judge would send to review that reach the encoder; lower is faster, "
                    "see the quality/speed curve in docs/quality.md); default: the model's")
    native: tuple[str, ...] = Field(("fr", "en"), description="languages of the char stage")
    foreign_confidence: float = Field(0.8, ge=0.0, le=1.0)
    explain: int = Field(3, ge=0, le=10, description="words named per finding (occlusion)")
    skip_reactions: bool = Field(
        False, description="comments made only of reactions ('Subscribed', 'Bravo!') are not "
                           "scored: neither stage can judge them")
    mask_signals: tuple[str, ...] = Field(
        (), description="glob patterns of earlier detectors' signals whose spans are hidden "
                        "from the judge (a third person's phone or a key is no spam cue); the "
                        "institution's own links (vigie.links.v1) are always hidden")
    explain_from: float = Field(
        0.5, ge=0.0, le=1.0,
        description="comments whose highest score is below are not explained (occlusion costs "
                    "one encoder pass per word: a cost setting, not a decision threshold)")


class JudgeDetector:
    """Emits ``judge.<head>`` findings with calibrated probabilities."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=20)

    def __init__(self, options: JudgeOptions, model: JudgeModel | None = None,
                 own: OwnLinks | None = None) -> None:
        """Load the judge once (the bundled one unless ``model`` is given).

        Raises:
            JudgeModelError: the model file is missing, or lacks a requested head.
        """
        self.options = options
        self.model = model if model is not None else load_bundled_judge(options.model)
        missing = sorted(set(options.heads) - set(self.model.heads))
        if missing:
            raise JudgeModelError(f"judge {options.model!r} has no head {missing}; it has: "
                                  f"{', '.join(self.model.heads)}")
        self._columns = [(self.model.heads.index(h), h) for h in options.heads]
        self._native = frozenset(options.native)
        self._own = own or OwnLinks()
        self._gates = self.model.gates_for(options.coverage)

    def know_own_pages(self, pages: Sequence[str]) -> None:
        """Registry pages, hidden from the judge like the policy's own links."""
        self._own.know_own_pages(pages)

    def is_native(self, item: PreparedComment) -> bool:
        """Whether the character stage may judge ``item`` (French, English, or unsure)."""
        guess = item.language
        if guess.non_latin_share > 0.5 and guess.letters >= 2:
            return False
        if guess.lang in self._native:
            return True
        return not (guess.score >= self.options.foreign_confidence and guess.words >= 3)

    def is_mixed(self, item: PreparedComment) -> bool:
        """Whether ``item``'s language is in doubt between a native one and another one.

        Short comments fool language identification ("Halt's Maul, du dummes Arschloch" reads
        as French at 0.61, German second): both readings are then scored.
        """
        guess = item.language
        if guess.words < 3 or guess.non_latin_share > 0.5:
            return False
        others = [(lang, share) for lang, share in guess.top if lang not in self._native]
        if guess.lang not in self._native:
            return not (guess.score >= self.options.foreign_confidence)
        return guess.score < 0.7 and any(share >= 0.15 for _, share in others)

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Score the batch at once; one finding per head at or above the floor."""
        out: list[list[Finding]] = [[] for _ in batch]
        scored = [i for i, item in enumerate(batch)
                  if item.language.letters >= self.options.min_letters
                  and not (self.options.skip_reactions and is_reaction(item))]
        if not scored:
            return out
        native = [self.is_native(batch[i]) for i in scored]
        texts, folded = [], []
        for i in scored:
            spans = masked_spans(batch[i], prior[i] if i < len(prior) else (),
                                 self.options.mask_signals, self._own)
            texts.append(blank(batch[i].text, spans) if spans else batch[i].text)
            folded.append(blank_folded(batch[i], spans) if spans else batch[i].norm.text)
        # Vectors go on the prepared comments: the off-topic detector reads them there.
        owner = {text: batch[i] for text, i in zip(texts, scored, strict=True)}

        def embed(subset: Sequence[str]) -> Any:
            return embed_prepared([owner[t] for t in subset], subset)

        scores = self.model.score(texts, folded, native, embed,
                                  cascade=self.options.cascade,
                                  settle=self.options.settle_above, gates=self._gates,
                                  mixed=[self.is_mixed(batch[i]) for i in scored])
        probabilities = scores.probabilities
        hit_rows = [row for row in range(len(scored))
                    if any(probabilities[row, k] >= self.options.floor for k, _ in self._columns)]
        explained: dict[int, Occlusion] = {}
        cols = [k for k, _ in self._columns]
        explain_rows = [row for row in hit_rows
                        if probabilities[row, cols].max() >= self.options.explain_from]
        if self.options.explain and explain_rows:
            # Only comments with a strong finding are explained, all of them in one pass.
            found = occlusion(self.model, [texts[r] for r in explain_rows],
                              [native[r] for r in explain_rows],
                              [bool(scores.encoded[r]) for r in explain_rows],
                              lambda t: normalize(t).text, encode,
                              vectors=(scores.vectors[explain_rows]
                                       if scores.vectors is not None else None))
            explained = dict(zip(explain_rows, found, strict=True))
        for row in hit_rows:
            i = scored[row]
            for k, head in self._columns:
                p = float(probabilities[row, k])
                if p >= self.options.floor:
                    cues = (explained[row].cues(k, p, self.options.explain)
                            if row in explained else [])
                    out[i].append(self._finding(batch[i], head, p, bool(scores.encoded[row]),
                                                cues))
        return out

    def _finding(self, item: PreparedComment, head: str, p: float, encoded: bool,
                 cues: list[tuple[str, tuple[int, int], float]]) -> Finding:
        stage = "character and sentence models" if encoded else "character model"
        why = f"learned judge ({stage}): {_WHAT[head]} (probability {p:.2f})"
        if cues:
            why += "; driven by " + ", ".join(f"'{w}'" for w, _, _ in cues)
        span = cues[0][1] if cues else (0, len(item.text))
        data: dict[str, Any] = {
            "probability": round(p, 4), "model": self.options.model, "encoder": encoded,
            "cues": [{"word": w, "span": list(s), "drop": round(d, 4)} for w, s, d in cues],
        }
        return Finding(f"judge.{head}", round(p, 4), NAME, why, span, data)


def create(options: Mapping[str, Any], policy: Policy) -> JudgeDetector:
    """Factory for the registry."""
    return JudgeDetector(parse_options(JudgeOptions, NAME, options), own=own_links(policy))
