"""Confidential-data recognizers (directive 6.4 d): the institution's secrets in a comment.

One detector, several recognizers:

- secrets: API keys and tokens in providers' documented formats, private key blocks,
  passwords after "mot de passe / mdp / password / 密码" (Wi-Fi, VPN and server logins
  included), door, alarm and locker codes (``secret.*``);
- leaks: documents stamped "CONFIDENTIEL / usage interne / confidential" whose content is
  disclosed (``confidential.marked``), unreleased exam questions or solutions
  (``confidential.exam``), internal or not-yet-published figures and a named staff member's
  pay (``confidential.internal_figure``), security weaknesses of the premises
  (``confidential.security``);
- protected texts: passages the institution lists in a file (exam questions, draft budgets,
  code names), recognised by hashed word shingles (``confidential.protected_text``).

Mentioning a password ("le lien 'mot de passe oublié' marche pas"), a masked one
("********"), asking for published past exams or saying a file "reste confidentiel" is not a
leak. Explanations describe what kind of secret was found, never the secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vigie.detectors._fingerprints import ProtectedTexts, read_passages
from vigie.detectors._leaks import (
    find_confided,
    find_exam_leaks,
    find_internal_figures,
    find_marked,
    find_minutes,
    find_security_gaps,
)
from vigie.detectors._pii_person import PersonRef, find_people, has_role_person
from vigie.detectors._secrets import (
    find_access_codes,
    find_key_formats,
    find_login_pairs,
    find_passwords,
)
from vigie.detectors.base import DetectorInfo, parse_options
from vigie.findings import Finding
from vigie.policy import Policy
from vigie.text.prepare import PreparedComment

__all__ = ["ConfidentialDetector", "ConfidentialOptions"]

NAME = "vigie.confidential.recognizers.v1"
SIGNALS = (
    "secret.api_key",
    "secret.private_key",
    "secret.password",
    "secret.access_code",
    "confidential.marked",
    "confidential.exam",
    "confidential.internal_figure",
    "confidential.security",
    "confidential.protected_text",
)


_DIGIT = re.compile(r"\d")


class ConfidentialOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.confidential.recognizers.v1`` mapping."""

    model_config = ConfigDict(extra="forbid")
    protected_texts: tuple[str, ...] = Field(
        default=(), description="files of protected passages; 'vigie:' reads from the package"
    )
    shingle_words: int = Field(default=5, ge=3, le=12, description="words per hashed shingle")
    min_shingles: int = Field(default=3, ge=1, le=50,
                              description="shingles a comment must share with a passage")


class ConfidentialDetector:
    """Emits ``secret.*`` and ``confidential.*`` findings."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=2)

    def __init__(self, options: ConfidentialOptions) -> None:
        """Load the protected passages (once).

        Raises:
            PolicyError: a protected-texts file cannot be read.
        """
        self.options = options
        passages = [p for ref in options.protected_texts for p in read_passages(ref)]
        self.protected = ProtectedTexts(passages, options.shingle_words, options.min_shingles)

    def _findings(self, item: PreparedComment) -> list[Finding]:
        norm = item.norm
        folded = norm.text
        text = item.text
        out: list[Finding] = []
        for hit in find_key_formats(text):
            out.append(Finding(hit.signal, hit.score, NAME, hit.what + " disclosed",
                               (hit.start, hit.end), {"format": hit.kind}))
        for hit in [*find_passwords(folded, text, norm.offsets),
                    *find_login_pairs(text),
                    *find_access_codes(folded, norm.offsets)]:
            if any(f.span is not None and f.span[0] <= hit.start < f.span[1] for f in out):
                continue
            out.append(Finding(hit.signal, hit.score, NAME, hit.what, (hit.start, hit.end),
                               {"kind": hit.kind}))
        has_digit = _DIGIT.search(folded) is not None
        leaks = [*find_marked(folded, text), *find_exam_leaks(folded),
                 *find_security_gaps(folded)]
        leaks.extend(find_minutes(folded))
        leaks.extend(find_confided(folded))
        if has_digit:
            people: list[PersonRef] = []

            def person_before(lo: int, hi: int) -> str | None:
                if not people:
                    people.extend(find_people(text, item.comment.author.name))
                o_lo, o_hi = norm.to_original(lo, hi)
                if any(o_lo <= p.start < o_hi and p.kind in ("full", "title", "first")
                       for p in people):
                    return "named"
                return "role" if has_role_person(folded[lo:hi]) else None

            leaks.extend(find_internal_figures(folded, person_before))
        for leak in leaks:
            span = (leak.start, leak.end) if leak.original else norm.to_original(
                leak.start, leak.end)
            out.append(Finding(leak.signal, leak.score, NAME, leak.what, span, {}))
        for match in self.protected.match(folded):
            if match.term:
                score, why = 0.85, f"protected term from '{match.label}'"
            else:
                share = match.matched / match.total
                score = 0.95 if share >= 0.5 else min(0.93, 0.8 + 0.03 * match.matched)
                why = (f"reproduces protected text '{match.label}' "
                       f"({match.matched} of {match.total} word sequences)")
            out.append(Finding("confidential.protected_text", round(score, 4), NAME, why,
                               norm.to_original(match.start, match.end),
                               {"label": match.label}))
        return out

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return the ``secret.*`` and ``confidential.*`` findings of each comment (pure)."""
        return [self._findings(item) for item in batch]


def create(options: Mapping[str, Any], policy: Policy) -> ConfidentialDetector:
    """Factory for the registry."""
    return ConfidentialDetector(parse_options(ConfidentialOptions, NAME, options))
