"""Spam detector (directive 6.4 k): commercial or advertising content and junk.

Pattern families (``vigie/data/spam/patterns.yaml``) each look for one kind of pitch: contact
solicitation ("DM me", WhatsApp numbers, "link in bio"), crypto, easy income, paid coursework,
followers for sale, promo codes and giveaways, advertising, dating bait, account phishing.
They match the folded comment after in-word digits and letter-by-letter spelling are undone
(:mod:`vigie.text.squeeze`), so "h0rny" and "t e l e g r a m" are read as words.

One cue alone is often innocent ("DM me if you have questions about the program"), so each
family reports its own weight, and the strongest family's finding carries the combined
evidence of every family that matched and of the link detector's verdict on the comment's
links (a sales pitch *with* an unrelated link is spam far more often than either alone).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from vigie.detectors.base import DetectorInfo, parse_options
from vigie.findings import Finding
from vigie.policy import Policy
from vigie.text.prefilter import Gate
from vigie.text.prepare import PreparedComment
from vigie.text.squeeze import squeeze

__all__ = ["Family", "SpamDetector", "SpamOptions", "load_families"]

NAME = "vigie.spam.patterns.v1"
SIGNALS = (
    "spam.solicitation",
    "spam.crypto",
    "spam.income",
    "spam.essay",
    "spam.followers",
    "spam.promo",
    "spam.commercial",
    "spam.dating",
    "spam.phishing",
    "spam.scam",
)
#: Signals of the link detector read as corroboration.
LINK_SIGNALS = ("link.unrelated", "link.lookalike")
_QUOTE_MAX = 32


@dataclass(frozen=True, slots=True)
class Pattern:
    """One cue: a compiled pattern, its evidence weight in [0, 1] and what it shows.

    ``alone`` is false for cues (urgency) that only strengthen another cue of their family.
    """

    regex: re.Pattern[str]
    weight: float
    what: str
    alone: bool = True


@dataclass(frozen=True, slots=True)
class Family:
    """A family of cues that share a signal."""

    name: str
    signal: str
    what: str
    patterns: tuple[Pattern, ...]


@cache
def load_families() -> tuple[Family, ...]:
    """Load and compile the bundled spam patterns (once per process).

    Raises:
        OSError: the data file is missing from the installation.
        ValueError: a weight is outside [0, 1] or a signal is not declared in :data:`SIGNALS`.
        re.error: a pattern does not compile.
    """
    path = resources.files("vigie").joinpath("data", "spam", "patterns.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    families = []
    for name, spec in data["families"].items():
        if spec["signal"] not in SIGNALS:
            raise ValueError(f"spam family {name!r}: undeclared signal {spec['signal']!r}")
        patterns = []
        for entry in spec["patterns"]:
            weight = float(entry["w"])
            if not 0.0 <= weight <= 1.0:
                raise ValueError(f"spam family {name!r}: weight {weight} outside [0, 1]")
            patterns.append(Pattern(re.compile(entry["re"]), weight, entry["what"],
                                    bool(entry.get("alone", True))))
        families.append(Family(name, spec["signal"], spec["what"], tuple(patterns)))
    return tuple(families)


class SpamOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.spam.patterns.v1`` mapping.

    Attributes:
        link_weight: how much an unrelated link corroborates a pitch, as a share of the link
            finding's own score, in [0, 1] (0 ignores links).
    """

    model_config = ConfigDict(extra="forbid")
    link_weight: float = Field(0.7, ge=0.0, le=1.0)


@dataclass(slots=True)
class _Hit:
    family: Family
    score: float
    what: str
    quote: str
    span: tuple[int, int]


class SpamDetector:
    """Emits ``spam.*`` findings, one per family of cues found in a comment."""

    info = DetectorInfo(NAME, provides=SIGNALS, requires=LINK_SIGNALS, cost=2)

    def __init__(self, options: SpamOptions) -> None:
        self.options = options
        self.families = load_families()
        # One literal scan tells which of the many patterns can match (speed only).
        self._flat = [(family, pattern) for family in self.families for pattern in family.patterns]
        self._gate = Gate([pattern.regex for _, pattern in self._flat])

    def _hits(self, item: PreparedComment) -> list[_Hit]:
        squeezed = squeeze(item.norm)
        text = squeezed.text
        by_family: dict[str, list[tuple[float, Pattern, re.Match[str]]]] = {}
        for index in sorted(self._gate.candidates(text)):
            family, pattern = self._flat[index]
            found = pattern.regex.search(text)
            if found is not None:
                by_family.setdefault(family.name, []).append((pattern.weight, pattern, found))
        hits = []
        for family in self.families:
            matched = by_family.get(family.name, [])
            if not any(p.alone for _, p, _ in matched):
                continue
            matched.sort(key=lambda m: (not m[1].alone, -m[0]))
            # The strongest cue leads; other cues of the same family add half their weight.
            remaining = 1.0 - matched[0][0]
            for weight, _, _ in matched[1:]:
                remaining *= 1.0 - weight / 2
            _, best, found = matched[0]
            quote = found.group(0).strip()
            if len(quote) > _QUOTE_MAX:
                quote = quote[: _QUOTE_MAX - 1].rstrip() + "…"
            hits.append(_Hit(family, 1.0 - remaining, best.what, quote,
                             squeezed.span(found.start(), found.end())))
        return hits

    def _findings(self, item: PreparedComment, prior: Sequence[Finding]) -> list[Finding]:
        hits = [h for h in self._hits(item) if h.score >= 0.2]
        if not hits:
            return []
        hits.sort(key=lambda h: -h.score)
        link = max((f.score for f in prior if f.signal in LINK_SIGNALS), default=0.0)
        corroboration = link * self.options.link_weight
        remaining = 1.0 - corroboration
        for hit in hits:
            remaining *= 1.0 - hit.score
        combined = min(0.99, 1.0 - remaining)
        others = [h.family.what for h in hits[1:]]
        if corroboration > 0.0:
            others.append("a link unrelated to the post")
        findings = []
        for index, hit in enumerate(hits):
            why = f"{hit.family.what}: {hit.what} ('{hit.quote}')"
            score = hit.score
            if index == 0 and others:
                score = combined
                why += "; together with " + ", ".join(others)
            findings.append(Finding(
                hit.family.signal, round(score, 4), NAME, why, hit.span,
                {"family": hit.family.name, "alone": round(hit.score, 4)},
            ))
        return findings

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return the ``spam.*`` findings of each comment."""
        return [self._findings(item, found) for item, found in zip(batch, prior, strict=True)]


def create(options: Mapping[str, Any], policy: Policy) -> SpamDetector:
    """Factory for the registry."""
    return SpamDetector(parse_options(SpamOptions, NAME, options))
