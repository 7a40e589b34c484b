"""The streaming moderation job: comments in, one decision per comment out.

Input is read in batches so that a file of any size runs in constant memory; bad records go to
a rejects sink with their line number and raw text, and the run goes on: nothing is dropped
silently. This module knows nothing about terminals; the CLI wraps it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, Protocol

from vigie.batch.reader import ReadResult
from vigie.decision import Decision
from vigie.records import Comment

__all__ = ["Moderates", "RunStats", "batched_read", "batched_results", "moderate_stream",
           "write_rejects"]

DEFAULT_BATCH = 256


class Moderates(Protocol):
    """What a run needs: decisions for a batch, in order.

    A :class:`vigie.routing.PolicyRouter` (periods applied by date, what the CLI passes) or a
    :class:`vigie.pipeline.Pipeline` (one policy, whatever the date).
    """

    def moderate(self, comments: Sequence[Comment]) -> list[Decision]:
        """One decision per comment, in order."""
        ...


@dataclass(slots=True)
class RunStats:
    """Counts for one moderation run."""

    read: int = 0
    decided: int = 0
    rejected: int = 0


def batched_read(
    results: Iterable[ReadResult], size: int = DEFAULT_BATCH
) -> Iterator[tuple[list[ReadResult], list[ReadResult]]]:
    """Group read results into batches of up to ``size`` good records, with the bad ones."""
    good: list[ReadResult] = []
    bad: list[ReadResult] = []
    for result in results:
        if result.comment is not None:
            good.append(result)
        else:
            bad.append(result)
        if len(good) >= size:
            yield good, bad
            good, bad = [], []
    if good or bad:
        yield good, bad


def batched_results(
    results: Iterable[ReadResult], size: int = DEFAULT_BATCH
) -> Iterator[tuple[list[Comment], list[ReadResult]]]:
    """Group read results into batches of up to ``size`` good comments, with the bad ones."""
    for good, bad in batched_read(results, size):
        yield [r.comment for r in good if r.comment is not None], bad


def reject_record(result: ReadResult) -> dict[str, Any]:
    """The rejects-file object for a bad record."""
    assert result.error is not None
    return {"line": result.line, "error": str(result.error), "raw": result.error.raw}


def write_rejects(
    bad: Iterable[ReadResult],
    rejects: IO[str] | None,
    on_reject: Callable[[ReadResult], None] | None,
) -> int:
    """Write each bad record to ``rejects`` and report it to ``on_reject``; return the count.

    Args:
        bad: records that failed to parse, in input order.
        rejects: where they go, one :func:`reject_record` JSON object per line (``None``: not
            written).
        on_reject: called for each bad record, after it is written (reporting).
    """
    count = 0
    for result in bad:
        count += 1
        if rejects is not None:
            rejects.write(json.dumps(reject_record(result), ensure_ascii=False) + "\n")
        if on_reject is not None:
            on_reject(result)
    return count


def moderate_stream(
    pipeline: Moderates,
    results: Iterable[ReadResult],
    out: IO[str],
    rejects: IO[str] | None,
    *,
    batch_size: int = DEFAULT_BATCH,
    on_batch: Callable[[list[Comment], list[Decision]], None] | None = None,
    on_reject: Callable[[ReadResult], None] | None = None,
) -> RunStats:
    """Moderate a stream of read results, writing one JSON decision per line to ``out``.

    Args:
        pipeline: what decides (a :class:`Moderates`).
        results: records from :func:`vigie.batch.reader.read_comments`.
        out: where decisions go, one JSON object per line, in input order.
        rejects: where bad records go (line, error, raw), one JSON object per line.
        batch_size: comments per pipeline batch.
        on_batch: called after each batch (progress, store writes).
        on_reject: called for each bad record (reporting).
    """
    stats = RunStats()
    for comments, bad in batched_results(results, batch_size):
        stats.read += len(comments) + len(bad)
        stats.rejected += write_rejects(bad, rejects, on_reject)
        if not comments:
            continue
        decisions = pipeline.moderate(comments)
        for decision in decisions:
            out.write(json.dumps(decision.to_dict(), ensure_ascii=False) + "\n")
        stats.decided += len(decisions)
        if on_batch is not None:
            on_batch(comments, decisions)
    return stats
