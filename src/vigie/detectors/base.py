"""The detector port.

A detector takes a *batch* of prepared comments and returns one list of findings per comment,
in order. It loads its models and data once, in its constructor, never per call. It holds no
threshold: its scores are evidence, and the policy decides what they mean.

``provides`` lists the exact signal names a detector may emit (the policy is checked against
it at start-up); ``requires`` lists signals of other detectors it reads from ``prior``, which
fixes the order in which the pipeline runs detectors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ValidationError

from vigie.errors import PolicyError
from vigie.findings import Finding
from vigie.text.prepare import PreparedComment

__all__ = [
    "Detector",
    "DetectorInfo",
    "KnowsOwnPages",
    "Remembering",
    "at_most_one_each",
    "parse_options",
]

_T = TypeVar("_T", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class DetectorInfo:
    """What a detector is and declares.

    Attributes:
        name: versioned name, e.g. ``vigie.language.fasttext.v1``.
        provides: exact signal names it may emit.
        requires: signal names it reads from earlier detectors' findings.
        cost: rough relative cost per comment (1 = a regex pass); cheap detectors run first.
    """

    name: str
    provides: tuple[str, ...]
    requires: tuple[str, ...] = ()
    cost: int = 1


@runtime_checkable
class Detector(Protocol):
    """A source of findings. Implementations must be safe to call from one thread at a time."""

    info: DetectorInfo

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return one list of findings per comment of ``batch``, in order.

        Args:
            batch: prepared comments.
            prior: findings of the detectors that ran before, per comment (same order).
        """
        ...


@runtime_checkable
class Remembering(Protocol):
    """A *stateful* detector: its result on a comment depends on comments of earlier batches.

    After a restart, the pipeline gives it the comments already decided (oldest first) through
    :meth:`remember`, so it decides as if the process had never stopped.
    """

    @property
    def memory_s(self) -> float:
        """How far back, in comment time, what it remembers reaches (seconds)."""
        ...

    def remember(self, batch: Sequence[PreparedComment]) -> None:
        """Take ``batch`` into memory as :meth:`Detector.detect` would, judging nothing.

        ``batch`` is prepared by :func:`vigie.text.prepare.prepare_light`: only the comment,
        its folded text, its post's and its thread context may be read.
        """
        ...


@runtime_checkable
class KnowsOwnPages(Protocol):
    """A detector that reads the institution's own pages (its links are never evidence).

    The policy's ``vigie.links.v1`` lists are read at build time; the pages the institution
    lists elsewhere (the page registry of directive 6.1, kept in the store) are given through
    :meth:`know_own_pages` whenever they may have changed.
    """

    def know_own_pages(self, pages: Sequence[str]) -> None:
        """Take ``pages`` (``host/path`` prefixes) as own pages, besides the policy's.

        Each call replaces the pages of the previous call; the policy's lists always stay.
        """
        ...


def at_most_one_each(
    batch: Sequence[PreparedComment], finding_of: Callable[[PreparedComment], Finding | None]
) -> list[list[Finding]]:
    """Findings per comment for a detector that emits at most one finding per comment.

    Returns one list per comment of ``batch``, in order: ``[finding]`` where ``finding_of``
    returned one, ``[]`` where it returned ``None``. Pure when ``finding_of`` is.
    """
    out = []
    for item in batch:
        finding = finding_of(item)
        out.append([finding] if finding is not None else [])
    return out


def parse_options(model: type[_T], name: str, options: Mapping[str, Any]) -> _T:
    """Validate a detector's options from the policy.

    Raises:
        PolicyError: naming ``detectors.<name>.<key>`` and the problem.
    """
    try:
        return model.model_validate(dict(options))
    except ValidationError as error:
        problems = "; ".join(
            f"detectors.{name}.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in error.errors(include_url=False)
        )
        raise PolicyError(f"invalid detector options: {problems}") from None
