"""The context step: the part of moderation that depends on the order of the stream.

Almost everything the pipeline does to a comment depends on that comment and the other comments
of its batch only. Two things also depend on what came *before* the batch:

- the thread context (:class:`vigie.text.thread.ThreadIndex`): a reply's parent, the author's recent
  comments and how many comments the author posted in the last 24 h;
- *stateful* detectors (:data:`STATEFUL`), which keep a window of earlier comments between
  batches: the coordinated-posting detector compares each comment with the texts of other
  accounts seen recently.

A single process computes both as it goes. Spread over many workers, each worker would see only
part of the stream and decide differently. So the moderation of a stream is split in two steps:

1. :class:`ContextSequencer` — **sequential, cheap**: walks the records in input order, groups
   the good comments into batches exactly as ``vigie moderate`` does (``batch_size`` good
   comments, bad records attached to the batch they were read with), and for each batch
   computes the thread context and runs the stateful detectors — the same code, on the same
   batches, in the same order as the single process. It needs only the folded text of a
   comment and its post (no language identification, no link extraction, no model), about a
   quarter of the work per comment, most of it the coordination step (which workers then skip).
2. :class:`ReplayPipeline` — **parallel, pure per batch**: a full :class:`~vigie.pipeline.Pipeline`
   in which the thread index and the stateful detectors are replaced by replays of what the
   sequencer computed. A batch can then go to any worker, in any order, and comes out exactly
   as the single process decides it.

Byte-for-byte equality also needs each batch to reach the detectors whole (models such as the
sentence encoder give results that differ in the last bits with the other texts of their batch):
a :class:`ContextBatch` is the unit of work and is never split.

A stateful detector may read only ``comment``, ``norm``, ``post_norm`` and the thread context of
a prepared comment (the sequencer does not identify languages or extract links), and may not
``require`` other detectors' signals. Every other detector must give results that depend on its
batch only (``tests/scale/test_ray.py`` checks this for every detector of the bundled policy).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vigie.batch.moderation import DEFAULT_BATCH, batched_results, reject_record
from vigie.batch.reader import ReadResult
from vigie.detectors.base import Detector, DetectorInfo
from vigie.detectors.builtin import default_registry
from vigie.detectors.registry import Registry
from vigie.errors import DetectorError, PolicyError, RegistryError
from vigie.findings import Finding
from vigie.pipeline import Pipeline
from vigie.policy import Policy, effective_policy
from vigie.records import Comment
from vigie.text.prepare import PreparedComment, prepare_light
from vigie.text.thread import ThreadContext, ThreadIndex

__all__ = [
    "STATEFUL",
    "CallOutcome",
    "ContextBatch",
    "ContextSequencer",
    "DetectorReplay",
    "PeriodNotSupportedError",
    "ReplayPipeline",
]

#: Detectors that keep state between batches (their result on a comment depends on earlier
#: batches). They run in the sequencer, never in a parallel worker.
STATEFUL: frozenset[str] = frozenset({"vigie.coordination.minhash.v1"})


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """What one ``detect`` call returned, or what it raised.

    Attributes:
        results: one list of findings per comment of the call, when it returned.
        error: ``(exception class name, message)`` when it raised (or returned a result the
            pipeline refuses: wrong length, undeclared signal).
    """

    results: tuple[tuple[Finding, ...], ...] | None = None
    error: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class DetectorReplay:
    """How a stateful detector's calls on one batch went, to be played back in a worker.

    Attributes:
        batch: the call on the whole batch.
        singles: when the batch call failed, the call on each comment alone (the pipeline's
            fallback), in batch order; empty otherwise.
    """

    batch: CallOutcome
    singles: tuple[CallOutcome, ...] = ()


@dataclass(frozen=True, slots=True)
class ContextBatch:
    """One batch of the stream with its order-dependent context: the unit of parallel work.

    Attributes:
        seq: batch number in the stream, from 0 (one per batch of good comments, and one for a
            trailing run of bad records).
        first: input position of the batch's first good comment among all good comments.
        comments: the batch's good comments, in input order (may be empty: only rejects).
        contexts: their thread contexts, same order.
        replays: per stateful detector name, its calls on this batch.
        rejects: reject records (``line``, ``error``, ``raw``) of the bad records read with
            this batch, in input order, exactly as ``vigie moderate`` writes them.
    """

    seq: int
    first: int
    comments: tuple[Comment, ...]
    contexts: tuple[ThreadContext, ...]
    replays: Mapping[str, DetectorReplay] = field(default_factory=dict)
    rejects: tuple[dict[str, Any], ...] = ()


def _check_result(info: DetectorInfo, size: int, result: Sequence[Sequence[Finding]]) -> None:
    """Refuse what :meth:`vigie.pipeline.Pipeline.analyse` refuses (same messages)."""
    if len(result) != size:
        raise DetectorError(f"{info.name} returned {len(result)} results for {size} comments")
    allowed = set(info.provides)
    for findings in result:
        for finding in findings:
            if not isinstance(finding, Finding) or finding.signal not in allowed:
                raise DetectorError(
                    f"{info.name} emitted an undeclared signal: {finding!r:.120}"
                )


def _call(detector: Detector, batch: Sequence[PreparedComment]) -> CallOutcome:
    try:
        result = detector.detect(batch, [[] for _ in batch])
        _check_result(detector.info, len(batch), result)
    except Exception as error:  # recorded, replayed in the worker
        return CallOutcome(error=(type(error).__name__, str(error)))
    return CallOutcome(results=tuple(tuple(found) for found in result))


class PeriodNotSupportedError(PolicyError):
    """A comment falls in one of the policy's periods, which this engine does not apply."""


class ContextSequencer:
    """Walks a stream in input order and computes each batch's order-dependent context.

    Not thread-safe; one sequencer per stream. Memory is bounded by the thread index's and the
    stateful detectors' own bounds, whatever the length of the stream.
    """

    def __init__(self, policy: Policy, *, batch_size: int = DEFAULT_BATCH,
                 registry: Registry | None = None, refuse_periods: bool = False) -> None:
        """Build the thread index and the policy's stateful detectors (their data loads here).

        Args:
            policy: the policy (its enabled stateful detectors, with their options).
            refuse_periods: raise :class:`PeriodNotSupportedError` on a comment posted during
                one of the policy's periods (the Ray engine: its workers decide by the file's
                policy only).
            batch_size: good comments per batch; must equal the single-process run's
                ``--batch-size`` for the decisions to be the same.
            registry: where detectors come from (default: built-ins and plugins).

        Raises:
            ValueError: ``batch_size`` < 1.
            RegistryError: a stateful detector requires other detectors' signals.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        registry = registry or default_registry()
        self.batch_size = batch_size
        self.thread = ThreadIndex()  # the same bounds as Pipeline's own index
        self.detectors: list[Detector] = [
            registry.create(name, options or {}, policy)
            for name, options in policy.detectors.items() if name in STATEFUL
        ]
        for detector in self.detectors:
            if detector.info.requires:
                raise RegistryError(
                    f"stateful detector {detector.info.name!r} requires "
                    f"{list(detector.info.requires)}: it would need the other detectors' "
                    "findings in the sequencer"
                )
        self.policy = policy
        self.refuse_periods = refuse_periods
        self._seq = 0
        self._first = 0

    def batch(self, comments: Sequence[Comment],
              rejects: Sequence[dict[str, Any]] = ()) -> ContextBatch:
        """Compute the context of the next batch (updates the thread index and the detectors).

        Args:
            comments: the batch's good comments, in input order.
            rejects: reject records read with it.
        """
        if self.refuse_periods and self.policy.periods:
            for comment in comments:
                period = effective_policy(self.policy, comment.created_at).period
                if period is not None:
                    # Never decide silently under the wrong rules (the days around 6 December).
                    raise PeriodNotSupportedError(
                        f"comment {comment.id} was posted during the policy's period "
                        f"{period!r}: the Ray engine does not apply periods yet; run "
                        "`vigie moderate` without --engine ray (the local engine applies "
                        "them) / le moteur Ray n'applique pas encore les périodes : lancez "
                        "`vigie moderate` sans --engine ray")
        contexts = self.thread.contexts(comments) if comments else []
        replays: dict[str, DetectorReplay] = {}
        if comments and self.detectors:
            prepared = prepare_light(comments, contexts)
            for detector in self.detectors:
                whole = _call(detector, prepared)
                singles: tuple[CallOutcome, ...] = ()
                if whole.error is not None:  # the pipeline's fallback: comment by comment
                    singles = tuple(_call(detector, [item]) for item in prepared)
                replays[detector.info.name] = DetectorReplay(whole, singles)
        batch = ContextBatch(self._seq, self._first, tuple(comments), tuple(contexts), replays,
                             tuple(rejects))
        self._seq += 1
        self._first += len(comments)
        return batch

    def stream(self, results: Iterable[ReadResult]) -> Iterator[ContextBatch]:
        """Yield the context batch of each batch of ``results``, as ``vigie moderate`` groups them.

        Args:
            results: records from :func:`vigie.batch.reader.read_comments` (or
                :func:`vigie.scale.io.read_sources`), in input order.
        """
        for comments, bad in batched_results(results, self.batch_size):
            yield self.batch(comments, [reject_record(r) for r in bad])


class _ReplayedError(Exception):
    """Stands for the exception a stateful detector raised in the sequencer."""


def _raise(error: tuple[str, str]) -> None:
    # Same class name and message: the pipeline records f"{type(e).__name__}: {e}".
    raise type(error[0], (_ReplayedError,), {})(error[1])


def _give(outcome: CallOutcome) -> list[list[Finding]]:
    if outcome.error is not None:
        _raise(outcome.error)
    assert outcome.results is not None
    return [list(found) for found in outcome.results]


class _ReplayDetector:
    """Plays back a stateful detector's calls on the current batch (same name, same order)."""

    def __init__(self, info: DetectorInfo) -> None:
        self.info = info
        self._batch: tuple[Comment, ...] = ()
        self._replay: DetectorReplay | None = None
        self._position: dict[str, int] = {}

    def load(self, comments: tuple[Comment, ...], replay: DetectorReplay) -> None:
        self._batch, self._replay = comments, replay
        self._position = {c.id: i for i, c in enumerate(comments)}

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        replay = self._replay
        if replay is None:
            raise DetectorError(f"{self.info.name}: no replay loaded for this batch")
        if len(batch) == len(self._batch) and all(
                p.comment is c for p, c in zip(batch, self._batch, strict=True)):
            return _give(replay.batch)
        if len(batch) == 1 and replay.singles:
            return _give(replay.singles[self._position[batch[0].comment.id]])
        raise DetectorError(f"{self.info.name}: called on a batch the sequencer did not see")


class _ReplayThread(ThreadIndex):
    """A thread index that hands out the contexts the sequencer computed."""

    def __init__(self) -> None:
        super().__init__(max_comments=1, max_per_author=1, max_authors=1)
        self._batch: tuple[Comment, ...] = ()
        self._contexts: tuple[ThreadContext, ...] = ()

    def load(self, comments: tuple[Comment, ...], contexts: tuple[ThreadContext, ...]) -> None:
        self._batch, self._contexts = comments, contexts

    def contexts(self, batch: Sequence[Comment]) -> list[ThreadContext]:
        if len(batch) != len(self._batch) or any(
                a is not b for a, b in zip(batch, self._batch, strict=True)):
            raise DetectorError("thread context requested for a batch the sequencer did not see")
        return list(self._contexts)


class ReplayPipeline:
    """A pipeline that decides context batches, in any order, as the single process would.

    Built once per worker (models load here); then :meth:`moderate` is pure per batch: its
    result does not depend on which batches the worker saw before.
    """

    def __init__(self, policy: Policy, registry: Registry | None = None) -> None:
        """Build every detector the policy enables, and replace the stateful ones by replays.

        Raises:
            RegistryError: as :meth:`vigie.pipeline.Pipeline.from_policy`.
            PolicyError: as :meth:`vigie.pipeline.Pipeline.from_policy`.
        """
        self.pipeline = Pipeline.from_policy(policy, registry)
        self._replays: dict[str, _ReplayDetector] = {}
        for i, detector in enumerate(self.pipeline.detectors):
            if detector.info.name in STATEFUL:
                replay = _ReplayDetector(detector.info)
                self._replays[detector.info.name] = replay
                # Same position in the run order, same name: findings come out in the same order.
                self.pipeline.detectors[i] = replay
        self._thread = _ReplayThread()
        self.pipeline.thread = self._thread

    def moderate(self, batch: ContextBatch) -> list[Any]:
        """Decide each comment of ``batch``, in order (a list of :class:`~vigie.decision.Decision`).

        Raises:
            DetectorError: the batch lacks the replay of a stateful detector of this pipeline
                (sequencer and workers were built from different policies).
        """
        if not batch.comments:
            return []
        for name, replay in self._replays.items():
            if name not in batch.replays:
                raise DetectorError(f"context batch {batch.seq} has no replay of {name}: the "
                                    "sequencer and the workers use different policies")
            replay.load(batch.comments, batch.replays[name])
        self._thread.load(batch.comments, batch.contexts)
        return self.pipeline.moderate(list(batch.comments))
