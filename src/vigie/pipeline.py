"""The moderation pipeline. This file states the order of the stages.

1. **prepare** — once per comment, in one batch: fold the text, identify the language, extract
   links (:mod:`vigie.text.prepare`). Detectors share this work instead of redoing it.
2. **detect** — each detector enabled by the policy, in dependency order (a detector that reads
   another's signals runs after it), cheap ones first; an expensive one (a sentence encoder)
   only on comments whose action it can still change. A detector that raises is retried
   comment by comment so one bad comment cannot sink a batch; what still fails is recorded as a
   :class:`~vigie.findings.DetectorFailure` on that comment, never dropped.
3. **decide** — the pure engine (:func:`vigie.engine.decide`) turns policy + findings into a
   decision. Nothing before this step knows a threshold.

Actions and storage happen after the pipeline, outside it, so the pipeline itself has no side
effect and can run anywhere (a test, a worker, a Ray actor).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from vigie.actions import Action
from vigie.decision import AuthorHistory, Decision
from vigie.detectors.base import Detector, KnowsOwnPages, Remembering
from vigie.detectors.builtin import default_registry
from vigie.detectors.registry import Registry
from vigie.engine import ceiling as engine_ceiling
from vigie.engine import decide
from vigie.errors import DetectorError, RegistryError
from vigie.findings import DetectorFailure, Finding
from vigie.policy import Policy
from vigie.records import Comment
from vigie.text.prepare import PreparedComment, prepare_batch, prepare_light
from vigie.text.thread import ThreadIndex

__all__ = ["EXPENSIVE_COST", "Analysis", "Pipeline", "freeze_heap", "order_detectors"]

log = logging.getLogger(__name__)

#: Detectors at least this costly run only where they can still change the outcome.
EXPENSIVE_COST = 50


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the detectors said about one comment."""

    prepared: PreparedComment
    findings: tuple[Finding, ...]
    failures: tuple[DetectorFailure, ...]


def order_detectors(detectors: Sequence[Detector]) -> list[Detector]:
    """Order detectors so each runs after those whose signals it requires (pure).

    Among detectors free to run, the cheapest goes first (then by name, for determinism).

    Raises:
        RegistryError: a required signal has no provider, or requirements form a cycle.
    """
    provider: dict[str, str] = {}
    for d in detectors:
        for signal in d.info.provides:
            provider[signal] = d.info.name
    pending = {d.info.name: d for d in detectors}
    needs: dict[str, set[str]] = {}
    for d in detectors:
        missing = [s for s in d.info.requires if s not in provider]
        if missing:
            raise RegistryError(
                f"detector {d.info.name!r} requires {missing} but no enabled detector provides "
                f"them; provided: {sorted(provider)}"
            )
        needs[d.info.name] = {provider[s] for s in d.info.requires} - {d.info.name}
    ordered: list[Detector] = []
    done: set[str] = set()
    while pending:
        ready = [d for n, d in pending.items() if needs[n] <= done]
        if not ready:
            raise RegistryError(f"detectors require each other in a cycle: {sorted(pending)}")
        chosen = min(ready, key=lambda d: (d.info.cost, d.info.name))
        ordered.append(chosen)
        done.add(chosen.info.name)
        del pending[chosen.info.name]
    return ordered


class Pipeline:
    """Prepare, detect and decide, for batches of comments, under one policy."""

    def __init__(self, policy: Policy, detectors: Sequence[Detector]) -> None:
        """Build a pipeline from already-built detectors.

        Raises:
            RegistryError: detectors' requirements cannot be ordered.
            PolicyError: the policy uses a signal no detector provides.
        """
        self.policy = policy
        self.detectors = order_detectors(detectors)
        policy.check_signals(s for d in self.detectors for s in d.info.provides)
        self.detector_names = tuple(d.info.name for d in self.detectors)
        # Thread context across batches: a reply finds its parent even in an earlier batch.
        self.thread = ThreadIndex()
        #: Own pages given by a store besides the policy's (:meth:`know_own_pages`).
        self.own_pages: tuple[str, ...] = ()

    @classmethod
    def from_policy(cls, policy: Policy, registry: Registry | None = None) -> Pipeline:
        """Build every detector the policy enables (models load here, once)."""
        registry = registry or default_registry()
        detectors = [
            registry.create(name, options or {}, policy)
            for name, options in policy.detectors.items()
        ]
        return cls(policy, detectors)

    def know_own_pages(self, pages: Sequence[str]) -> None:
        """Give every detector that reads own pages the registry's (``host/path`` prefixes).

        A store knows pages the policy does not list (the page registry, directive 6.1); links
        to them are the institution's own. Each call replaces the previous registry pages.
        """
        pages = tuple(pages)
        if pages == self.own_pages:
            return
        self.own_pages = pages
        for detector in self.detectors:
            if isinstance(detector, KnowsOwnPages):
                detector.know_own_pages(pages)

    def memory_reach(self) -> tuple[float, int]:
        """How much of the past its state reaches: (seconds of comment time, comments).

        The thread index reaches back ``author_window`` and its last ``max_comments``; a
        stateful detector (:class:`~vigie.detectors.base.Remembering`) its ``memory_s``.
        """
        seconds = max([self.thread.author_window.total_seconds()]
                      + [d.memory_s for d in self.detectors if isinstance(d, Remembering)])
        return seconds, self.thread.max_comments

    def remember(self, comments: Sequence[Comment]) -> None:
        """Take comments decided earlier into the state kept between batches, judging nothing.

        After a restart, the comments within :meth:`memory_reach`, in the order the pipeline
        first analysed them, leave the thread index and the stateful detectors as an
        uninterrupted run left them: the next batch is decided the same way. About a quarter
        of the work of :meth:`analyse` (texts are folded, nothing else is computed).
        """
        if not comments:
            return
        contexts = self.thread.contexts(comments)
        stateful = [d for d in self.detectors if isinstance(d, Remembering)]
        if stateful:
            prepared = prepare_light(comments, contexts)
            for detector in stateful:
                detector.remember(prepared)

    def _run_one(
        self, detector: Detector, batch: Sequence[PreparedComment],
        prior: Sequence[Sequence[Finding]],
    ) -> list[list[Finding]]:
        result = detector.detect(batch, prior)
        if len(result) != len(batch):
            raise DetectorError(
                f"{detector.info.name} returned {len(result)} results for {len(batch)} comments"
            )
        allowed = set(detector.info.provides)
        for findings in result:
            for finding in findings:
                if not isinstance(finding, Finding) or finding.signal not in allowed:
                    raise DetectorError(
                        f"{detector.info.name} emitted an undeclared signal: {finding!r:.120}"
                    )
        return result

    def _worth_running(self, detector: Detector, prepared: Sequence[PreparedComment],
                       findings: Sequence[Sequence[Finding]],
                       failures: Sequence[Sequence[DetectorFailure]]) -> list[int]:
        """Indices of the comments on which ``detector`` can still change the outcome.

        Cheap detectors run on everything. An expensive one (``cost >= EXPENSIVE_COST``) is
        skipped where the evidence so far already asks for an action at least as strong as any
        it could cause, and that action cannot grow into a strike (review or less, or block):
        the decision would be the same, at a fraction of the cost.
        """
        everything = list(range(len(prepared)))
        if detector.info.cost < EXPENSIVE_COST:
            return everything
        ceiling = engine_ceiling(self.policy, detector.info.provides)
        keep = []
        for i in everything:
            current = decide(self.policy, prepared[i].comment, findings[i], failures[i]).action
            settled = current.strength >= ceiling.strength and (
                ceiling.strength <= Action.REVIEW.strength or current is Action.BLOCK)
            if not settled:
                keep.append(i)
        return keep

    def analyse(self, comments: Sequence[Comment]) -> list[Analysis]:
        """Prepare the batch and run every detector on it; never raises for a detector."""
        prepared = prepare_batch(comments, self.thread)
        findings: list[list[Finding]] = [[] for _ in prepared]
        failures: list[list[DetectorFailure]] = [[] for _ in prepared]
        for detector in self.detectors:
            chosen = self._worth_running(detector, prepared, findings, failures)
            if not chosen:
                continue
            batch = [prepared[i] for i in chosen]
            try:
                results = self._run_one(detector, batch, [findings[i] for i in chosen])
            except Exception as error:
                log.warning("%s failed on a batch of %d: %s", detector.info.name,
                            len(batch), error)
                results = []
                for i in chosen:
                    try:
                        results.append(self._run_one(detector, [prepared[i]], [findings[i]])[0])
                    except Exception as single:
                        failures[i].append(
                            DetectorFailure(detector.info.name, f"{type(single).__name__}: "
                                            f"{single}"[:300])
                        )
                        results.append([])
            for i, found in zip(chosen, results, strict=True):
                findings[i].extend(found)
        return [
            Analysis(p, tuple(f), tuple(e))
            for p, f, e in zip(prepared, findings, failures, strict=True)
        ]

    def moderate(
        self,
        comments: Sequence[Comment],
        histories: Sequence[AuthorHistory | None] | None = None,
    ) -> list[Decision]:
        """Decide on each comment of the batch, in order.

        Args:
            comments: the batch.
            histories: per comment, the author's history from the store (``None``: no store).
        """
        analyses = self.analyse(comments)
        histories = histories or [None] * len(comments)
        return [
            decide(self.policy, a.prepared.comment, a.findings, a.failures, h,
                   self.detector_names)
            for a, h in zip(analyses, histories, strict=True)
        ]


def freeze_heap() -> None:
    """Exempt every object alive now from the cyclic garbage collector, for the process's life.

    A loaded pipeline holds millions of long-lived objects (lexicons, model tables, caches),
    and every full collection walks all of them: in a ``--db`` run, which allocates many
    short-lived rows, those walks cost about as much as the writes. Commands that build their
    pipelines once and keep them to the end call this right after building them
    (:func:`gc.freeze`); library code and tests do not, so a discarded pipeline is still
    collected.
    """
    gc.freeze()

