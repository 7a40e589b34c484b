"""The policy in force for each comment, and one pipeline per policy in force.

A comment is judged by the policy in force when it was posted: during a period
(:class:`vigie.policy.Period`, e.g. the days around 6 December) by the period's effective
policy (:func:`vigie.policy.effective_policy`), otherwise by the policy itself. A period may
enable detectors the policy does not (its word list), so each effective policy gets its own
pipeline, built on first use and kept: models load once per policy in force, not per batch.

A batch that straddles a period's first or last day is split by policy, each part goes through
its pipeline in input order, and the results come back in input order. Outside every period
there is one group, one pipeline, and the decisions of :meth:`vigie.pipeline.Pipeline.moderate`.

Every path that decides goes through here: the CLI (``vigie check``, ``vigie moderate``,
``vigie demo``, ``vigie eval``) and the store (:mod:`vigie.store.workflow`, which picks the
approved version in force before the period).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar

from vigie.decision import AuthorHistory, Decision
from vigie.detectors.base import KnowsOwnPages
from vigie.engine import decide
from vigie.findings import DetectorFailure, Finding
from vigie.policy import Policy, effective_policy
from vigie.records import Comment

__all__ = ["Analyser", "Evidence", "PolicyRouter"]


class Evidence(Protocol):
    """Findings and failures for one comment (a :class:`vigie.pipeline.Analysis` is one)."""

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding of every detector."""
        ...

    @property
    def failures(self) -> tuple[DetectorFailure, ...]:
        """Detectors that failed on the comment."""
        ...


class Analyser(Protocol):
    """What routing needs from a pipeline: the names of its detectors and the analysis.

    :class:`vigie.pipeline.Pipeline` is one; tests and the store benchmark pass canned ones.
    """

    detector_names: tuple[str, ...]

    def analyse(self, comments: Sequence[Comment]) -> Sequence[Evidence]:
        """Findings and failures per comment, in order."""
        ...


A = TypeVar("A", bound=Analyser)


class PolicyRouter(Generic[A]):
    """Sends each comment to the pipeline of the policy in force when it was posted.

    Args:
        policy: the policy file's policy; its periods apply by each comment's ``created_at``.
        factory: builds the pipeline of one effective policy, called once per digest
            (:meth:`vigie.pipeline.Pipeline.from_policy`, or one that also freezes the heap).
    """

    def __init__(self, policy: Policy, factory: Callable[[Policy], A]) -> None:
        self.policy = policy
        self.factory = factory
        self.built: dict[str, A] = {}
        self.own_pages: tuple[str, ...] = ()

    def know_own_pages(self, pages: Sequence[str]) -> None:
        """Give every pipeline, built or to come, the store's own pages (the page registry).

        See :meth:`vigie.pipeline.Pipeline.know_own_pages`; a canned analyser without the
        method is left as it is.
        """
        self.own_pages = tuple(pages)
        for pipeline in self.built.values():
            if isinstance(pipeline, KnowsOwnPages):
                pipeline.know_own_pages(self.own_pages)

    def policy_at(self, comment: Comment) -> Policy:
        """The policy in force for ``comment``: its period's, if one covers its date (pure)."""
        return effective_policy(self.policy, comment.created_at)

    def pipeline(self, policy: Policy) -> A:
        """The pipeline of ``policy``, built on first use (models load then), then kept.

        Raises:
            RegistryError, PolicyError: as the factory
                (:meth:`vigie.pipeline.Pipeline.from_policy`).
        """
        if policy.digest not in self.built:
            built = self.factory(policy)
            if self.own_pages and isinstance(built, KnowsOwnPages):
                built.know_own_pages(self.own_pages)
            self.built[policy.digest] = built
        return self.built[policy.digest]

    def analyse(self, comments: Sequence[Comment],
                policies: Sequence[Policy] | None = None) -> list[tuple[Evidence, A]]:
        """Each comment's evidence and the pipeline that found it, in input order.

        Args:
            comments: the batch.
            policies: per comment, the policy to judge it by (default: :meth:`policy_at`).
        """
        chosen = list(policies) if policies is not None else [self.policy_at(c) for c in comments]
        groups: dict[str, list[int]] = {}
        for i, policy in enumerate(chosen):
            groups.setdefault(policy.digest, []).append(i)
        out: dict[int, tuple[Evidence, A]] = {}
        for indices in groups.values():
            pipeline = self.pipeline(chosen[indices[0]])
            found = pipeline.analyse([comments[i] for i in indices])
            for i, evidence in zip(indices, found, strict=True):
                out[i] = (evidence, pipeline)
        return [out[i] for i in range(len(comments))]

    def moderate(self, comments: Sequence[Comment],
                 histories: Sequence[AuthorHistory | None] | None = None) -> list[Decision]:
        """Decide on each comment by the policy in force when it was posted, in input order.

        The decision names the period it was taken under (``policy.period``), as
        :func:`vigie.engine.decide` records it.

        Args:
            comments: the batch.
            histories: per comment, the author's history from the store (``None``: no store).
        """
        chosen = [self.policy_at(c) for c in comments]
        histories = histories or [None] * len(comments)
        return [
            decide(policy, comment, evidence.findings, evidence.failures, history,
                   pipeline.detector_names)
            for comment, policy, history, (evidence, pipeline) in zip(
                comments, chosen, histories, self.analyse(comments, chosen), strict=True)
        ]
