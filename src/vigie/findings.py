"""Findings: the evidence a detector produces about one comment.

A finding never carries a verdict or a threshold; only the engine turns findings into a
decision, by reading the policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DetectorFailure", "Finding"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of evidence about one comment.

    Attributes:
        signal: dotted signal name, e.g. ``language.foreign`` or ``pii.phone``.
        score: calibrated confidence in [0, 1] that the signal is present.
        detector: versioned detector name, e.g. ``vigie.language.fasttext.v1``.
        explanation: a short sentence in words; never the raw comment text.
        span: ``(start, end)`` character offsets in the *original* comment text, or ``None``
            when the evidence is not a span (account age, thread context).
        data: small JSON-serialisable details (matched lexicon entry id, language code...).
    """

    signal: str
    score: float
    detector: str
    explanation: str
    span: tuple[int, int] | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must be in [0, 1], got {self.score!r} for {self.signal}")
        if self.span is not None and not 0 <= self.span[0] <= self.span[1]:
            raise ValueError(f"span must be (start <= end), got {self.span!r}")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (pure)."""
        out: dict[str, Any] = {
            "signal": self.signal,
            "score": round(self.score, 4),
            "detector": self.detector,
            "explanation": self.explanation,
            "span": list(self.span) if self.span is not None else None,
        }
        if self.data:
            out["data"] = self.data
        return out


@dataclass(frozen=True, slots=True)
class DetectorFailure:
    """A detector that failed or timed out on a comment: recorded, never silent."""

    detector: str
    error: str

    def to_dict(self) -> dict[str, str]:
        """Return a JSON-ready dict (pure)."""
        return {"detector": self.detector, "error": self.error}
