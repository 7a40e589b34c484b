"""Mentions of the institution found on the web: scoring.

:func:`assess` turns a text (a feed item's title and summary, a page, a public post) into a
:class:`MentionAssessment`: whether it is about the institution (:mod:`vigie.monitoring.names`)
and its tone toward it (:mod:`vigie.text.tone`). Measuring both on a labeled set is
:mod:`vigie.quality.mentions`'s work.

Storing, polling and alerting are in :mod:`vigie.monitoring.poll` and
:mod:`vigie.monitoring.alerts`. Pure functions here.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigie.monitoring.names import MentionScore, NameMatcher, default_matcher
from vigie.text.normalize import normalize
from vigie.text.tone import ToneAnalysis, ToneLabel, ToneLexicon, default_lexicon

__all__ = ["ABOUT_THRESHOLD", "MentionAssessment", "assess"]

#: Default probability from which a text counts as about the institution.
ABOUT_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class MentionAssessment:
    """What a text says about the institution.

    Attributes:
        about: probability in [0, 1] that it is about the institution.
        names: the name forms found (``full_name``, ``poly_title``...).
        tone: tone in [-1, 1] (praise minus negative evidence).
        negative: negative evidence in [0, 1].
        label: ``negative``, ``neutral`` or ``positive``.
        explanation: a short sentence (names and tone cues, never the text).
    """

    about: float
    names: tuple[str, ...]
    tone: float
    negative: float
    label: ToneLabel
    explanation: str


def assess(text: str, *, matcher: NameMatcher | None = None, lexicon: ToneLexicon | None = None,
           bias: float = 0.0) -> MentionAssessment:
    """Score ``text`` for the institution and its tone (pure).

    Args:
        text: title and summary, a page's text, a public post.
        matcher: the names matcher (default: the default policy's,
            :func:`vigie.monitoring.names.matcher_for`).
        lexicon: the tone lexicon (default: the bundled one).
        bias: log-odds added for the source (see :meth:`NameMatcher.score`).
    """
    matcher = matcher or default_matcher()
    lexicon = lexicon or default_lexicon()
    found: MentionScore = matcher.score(text, bias=bias)
    norm = normalize(text)
    spans = [m.folded for m in found.mentions]
    tone: ToneAnalysis = lexicon.analyse(norm.text, extra_targets=spans)
    label = tone.label(about=True)
    why = found.explain()
    if tone.best is not None or tone.negative or tone.positive:
        why += f"; tone {label} ({tone.score:+.2f})"
    return MentionAssessment(found.score, found.names, tone.score, tone.negative, label, why)
