"""A stand-in pipeline for connector tests: keywords in, findings out, no model loaded.

``HATEWORD`` gives ``hate.slur`` 0.95 (removed by the test policy), ``SPAMWORD`` gives
``spam.link`` 0.95 (hidden). The connector tests are about plumbing, not about detectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from factories import finding
from vigie.findings import DetectorFailure, Finding
from vigie.records import Comment

__all__ = ["KeywordAnalyser"]

_KEYWORDS = {"HATEWORD": "hate.slur", "SPAMWORD": "spam.link"}


@dataclass(frozen=True)
class Evidence:
    findings: tuple[Finding, ...]
    failures: tuple[DetectorFailure, ...] = ()


class KeywordAnalyser:
    detector_names = ("test.fake.v1",)

    def analyse(self, batch: Sequence[Comment]) -> list[Evidence]:
        return [Evidence(tuple(finding(signal, 0.95) for word, signal in _KEYWORDS.items()
                               if word in c.text)) for c in batch]
