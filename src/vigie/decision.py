"""The decision: what to do with one comment, why, and under which version of the directive."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vigie.actions import Action
from vigie.findings import DetectorFailure, Finding

__all__ = ["AuthorHistory", "CategoryVerdict", "Decision"]


@dataclass(frozen=True, slots=True)
class AuthorHistory:
    """What the store knows about the author when the comment is judged.

    Attributes:
        strikes: removals counted against the author within the policy's blocking window,
            not counting the comment being judged.
        blocked: whether the author is already blocked.
    """

    strikes: int = 0
    blocked: bool = False


@dataclass(frozen=True, slots=True)
class CategoryVerdict:
    """One category of the directive that the comment reached.

    Attributes:
        slug: category slug, e.g. ``hate``.
        clause: the clause of the directive, e.g. ``6.4 b``.
        score: the highest score among the category's findings, in [0, 1].
        action: ``review`` or the category's action when the remove threshold is reached.
        mitigated: a mitigating signal (counter-speech, quotation) capped the action at review.
        evidence: the findings that support it, strongest first.
    """

    slug: str
    clause: str
    score: float
    action: Action
    mitigated: bool
    evidence: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (pure)."""
        return {
            "slug": self.slug,
            "clause": self.clause,
            "score": round(self.score, 4),
            "action": self.action.value,
            "mitigated": self.mitigated,
            "evidence": [f.to_dict() for f in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's decision on one comment.

    Attributes:
        comment_id: id of the comment judged.
        action: the strongest action over all categories (and detector failures).
        categories: categories at ``review`` or stronger, in policy order.
        escalate: route to the community manager (an escalation rule matched, or a category
            whose action is ``escalate``).
        strike: the decision counts as a strike against the author (section 7).
        failures: detectors that failed on this comment.
        explanation: one sentence per language (``fr``, ``en``) citing the clauses.
        policy: ``{"id", "version", "digest"}`` of the policy applied.
        detectors: versioned names of the detectors that ran.
        scores: every non-zero category score, for audit and threshold tuning.
        escalations: slugs of the policy's escalation rules that matched (directive 6.1).
        escalation_evidence: per matched escalation rule, the findings that reached its
            threshold, strongest first: the community manager is told why, not only that.
    """

    comment_id: str
    action: Action
    categories: tuple[CategoryVerdict, ...]
    escalate: bool
    strike: bool
    failures: tuple[DetectorFailure, ...]
    explanation: dict[str, str]
    policy: dict[str, str]
    detectors: tuple[str, ...]
    scores: dict[str, float] = field(default_factory=dict)
    escalations: tuple[str, ...] = ()
    escalation_evidence: dict[str, tuple[Finding, ...]] = field(default_factory=dict)

    @property
    def clauses(self) -> tuple[str, ...]:
        """Clauses cited, in policy order."""
        return tuple(c.clause for c in self.categories)

    def action_for(self, slug: str) -> Action:
        """The action this decision takes for category ``slug`` (``allow`` when not reached)."""
        for verdict in self.categories:
            if verdict.slug == slug:
                return verdict.action
        return Action.ALLOW

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict with a stable key order (pure).

        ``escalation_evidence`` is written only when an escalation rule matched, so the bodies
        of every other decision stay as they were.
        """
        escalation_evidence = {
            "escalation_evidence": {slug: [f.to_dict() for f in found]
                                    for slug, found in self.escalation_evidence.items()}
        } if self.escalation_evidence else {}
        return {
            "comment_id": self.comment_id,
            "action": self.action.value,
            "clauses": list(self.clauses),
            "categories": [c.to_dict() for c in self.categories],
            "escalate": self.escalate,
            "escalations": list(self.escalations),
            **escalation_evidence,
            "strike": self.strike,
            "failures": [f.to_dict() for f in self.failures],
            "explanation": dict(self.explanation),
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "policy": dict(self.policy),
            "detectors": list(self.detectors),
        }
