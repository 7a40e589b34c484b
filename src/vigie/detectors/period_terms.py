"""A period's word list (``periods[].terms`` of the policy): whole words, case and accents off.

Enabled only inside a period that lists terms (:func:`vigie.policy.effective_policy` turns it
on with the period's list): a comment containing one of the terms gets ``period.term`` (score
1.0), which the period counts toward one category with a capped action (review by default).
The match is on the folded text (:func:`vigie.text.normalize.normalize`), at word boundaries, so
``Lepine`` matches ``Lépine`` and ``LÉPINE`` but not ``Lepinette``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vigie.detectors.base import DetectorInfo, parse_options
from vigie.findings import Finding
from vigie.policy import PERIOD_TERM_SIGNAL, PERIOD_TERMS_DETECTOR, Policy
from vigie.text.normalize import normalize
from vigie.text.prepare import PreparedComment

__all__ = ["NAME", "SIGNALS", "PeriodTermsDetector", "PeriodTermsOptions", "create"]

NAME = PERIOD_TERMS_DETECTOR
SIGNALS = (PERIOD_TERM_SIGNAL,)


class PeriodTermsOptions(BaseModel):
    """Options, set by the period (``terms``)."""

    model_config = ConfigDict(extra="forbid")
    terms: tuple[str, ...] = Field(default=(), description="words or phrases to flag")


class PeriodTermsDetector:
    """Flags comments that contain one of the period's terms."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=1)

    def __init__(self, options: PeriodTermsOptions) -> None:
        """Compile the folded terms into one pattern (none: the detector finds nothing)."""
        folded = sorted({normalize(t).text.strip() for t in options.terms} - {""},
                        key=len, reverse=True)
        self._pattern = (re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, folded)) + r")(?!\w)")
                         if folded else None)

    def detect(self, batch: Sequence[PreparedComment],
               prior: Sequence[Sequence[Finding]]) -> list[list[Finding]]:
        """One ``period.term`` finding per comment that contains a term."""
        out: list[list[Finding]] = []
        for item in batch:
            match = self._pattern.search(item.norm.text) if self._pattern else None
            if match is None:
                out.append([])
                continue
            span = item.norm.to_original(match.start(), match.end())
            out.append([Finding(PERIOD_TERM_SIGNAL, 1.0, NAME,
                                "a word of the period's list", span=span)])
        return out


def create(options: Mapping[str, Any], policy: Policy) -> PeriodTermsDetector:
    """Factory for the registry."""
    return PeriodTermsDetector(parse_options(PeriodTermsOptions, NAME, options))
