"""Tone detector (directive 6.1): criticism of the institution, for the community manager.

Emits ``tone.criticism`` when a comment's negative judgement is aimed at the institution
(named, one of its bodies or services, or the page spoken to) — see
:mod:`vigie.text.tone` for the analysis. The policy lists the signal under
``escalations:``, never under a category of 6.4: criticism stays up (6.2) and goes to the
community manager (6.1). Criticism of anything else (politicians, oil companies, another
commenter) is not this detector's business and scores low.

A reproach that names no one ("vous auriez pu l'annoncer la veille") is read as addressed to
the page when the comment answers the post itself; in a reply to another commenter, "vous" and
"you" may address that commenter, so they count for less.

Cheap: one Aho-Corasick pass over the folded text the pipeline already made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vigie.detectors.base import DetectorInfo, at_most_one_each, parse_options
from vigie.findings import Finding
from vigie.policy import Policy
from vigie.text.prepare import PreparedComment
from vigie.text.tone import ToneLexicon, default_lexicon

__all__ = ["NAME", "SIGNALS", "ToneDetector", "ToneOptions", "create"]

NAME = "vigie.tone.institution.v1"
SIGNALS = ("tone.criticism",)
# Below this the evidence is noise for every policy: not worth a finding.
_FLOOR = 0.2


class ToneOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.tone.institution.v1`` mapping."""

    model_config = ConfigDict(extra="forbid")
    implicit_target: float = Field(
        0.7, ge=0.0, le=1.0,
        description="strength of the page itself as the target of a reproach naming no one")
    event_weight: float = Field(
        0.7, ge=0.0, le=1.0,
        description="factor on negative news words (strike, breach) in a comment")


class ToneDetector:
    """Emits ``tone.criticism`` with the evidence that a comment criticises the institution."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=1)

    def __init__(self, options: ToneOptions, lexicon: ToneLexicon | None = None,
                 names: tuple[str, ...] = ()) -> None:
        """Build the detector; ``names`` are the institution's names and aliases."""
        self.options = options
        self.lexicon = lexicon or default_lexicon(names)

    def _finding(self, item: PreparedComment) -> Finding | None:
        reply = item.comment.parent_id is not None
        analysis = self.lexicon.analyse(item.norm.text, reply=reply,
                                        implicit_target=self.options.implicit_target,
                                        event_weight=self.options.event_weight)
        if analysis.criticism < _FLOOR or analysis.best is None:
            return None
        start, end = analysis.best.span
        span = item.norm.to_original(start, end)
        target = analysis.best_target.phrase if analysis.best_target else "the page"
        return Finding(
            signal="tone.criticism",
            score=min(1.0, analysis.criticism),
            detector=NAME,
            explanation=analysis.explain() if analysis.best_target
            else analysis.explain() + " (addressed to the page)",
            span=span,
            data={"kind": analysis.best.kind, "target": target,
                  "negative": analysis.negative, "positive": analysis.positive},
        )

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return a ``tone.criticism`` finding for each comment that criticises the institution."""
        return at_most_one_each(batch, self._finding)


def create(options: Mapping[str, Any], policy: Policy | None) -> ToneDetector:
    """Factory for the registry: the institution's names come from the policy."""
    names = policy.institution_names if policy is not None else ()
    return ToneDetector(parse_options(ToneOptions, NAME, options), names=names)
