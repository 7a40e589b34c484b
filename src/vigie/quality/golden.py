"""Golden cases: comments with the decision the directive expects.

A folder of YAML files (format in ``golden/README.md``) that is both a regression suite for
developers and a check for policy owners who change thresholds: ``vigie golden --policy FILE``
lists every case whose decision would differ from what the case expects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vigie.actions import Action
from vigie.batch.moderation import Moderates
from vigie.decision import Decision
from vigie.errors import InputError
from vigie.records import Comment, parse_comment

__all__ = ["GoldenCase", "GoldenResult", "load_cases", "run_cases"]

ActionName = Literal["allow", "escalate", "review", "hide", "remove", "block"]


class Expectation(BaseModel):
    """What a case expects; every key given must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    action: ActionName | None = None
    action_at_least: ActionName | None = None
    action_at_most: ActionName | None = None
    clauses: tuple[str, ...] | None = None
    clauses_include: tuple[str, ...] = ()


class GoldenCase(BaseModel):
    """One comment and its expected decision."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1)
    text: str
    post: str = "Une publication officielle de l'établissement."
    links: tuple[str, ...] = ()
    platform: str = "facebook"
    author: dict[str, Any] = Field(default_factory=dict)
    expect: Expectation
    why: str = ""

    def comment(self) -> Comment:
        """The case as a comment record (an ordinary, established author by default)."""
        author = {"id": f"golden:{self.id}", "name": "Golden Case",
                  "created_at": "2015-01-01T00:00:00Z", "followers": 150,
                  "posts_last_24h": 1, "default_avatar": False, **self.author}
        return parse_comment({
            "id": f"golden:{self.id}", "platform": self.platform, "text": self.text,
            "created_at": "2025-11-20T15:00:00Z", "author": author,
            "post": {"id": f"golden:post:{self.id}", "text": self.post, "links": self.links},
        })


@dataclass(frozen=True, slots=True)
class GoldenResult:
    """A case, the decision reached and what did not match (empty: the case passes)."""

    case: GoldenCase
    decision: Decision
    problems: tuple[str, ...]


def load_cases(folder: Path) -> list[GoldenCase]:
    """Read every ``*.yaml`` file of ``folder``, in name order.

    Raises:
        InputError: unreadable file, invalid case, or an id used twice.
    """
    cases: list[GoldenCase] = []
    for file in sorted(folder.glob("*.yaml")):
        try:
            items = yaml.safe_load(file.read_text(encoding="utf-8")) or []
            cases.extend(GoldenCase.model_validate(item) for item in items)
        except (OSError, yaml.YAMLError, ValidationError) as error:
            raise InputError(f"{file}: invalid golden cases: {error}") from None
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise InputError(f"{folder}: golden case id {case.id!r} is used twice")
        seen.add(case.id)
    if not cases:
        raise InputError(f"{folder}: no golden case (*.yaml) found")
    return cases


def _problems(expect: Expectation, decision: Decision) -> tuple[str, ...]:
    got = decision.action
    problems = []
    if expect.action is not None and got is not Action(expect.action):
        problems.append(f"action {got.value}, expected {expect.action}")
    least, most = expect.action_at_least, expect.action_at_most
    if least is not None and got.strength < Action(least).strength:
        problems.append(f"action {got.value}, expected at least {expect.action_at_least}")
    if most is not None and got.strength > Action(most).strength:
        problems.append(f"action {got.value}, expected at most {expect.action_at_most}")
    if expect.clauses is not None and decision.clauses != expect.clauses:
        problems.append(f"clauses {list(decision.clauses)}, expected {list(expect.clauses)}")
    missing = [c for c in expect.clauses_include if c not in decision.clauses]
    if missing:
        problems.append(f"clauses {list(decision.clauses)} lack {missing}")
    return tuple(problems)


def run_cases(pipeline: Moderates, cases: Sequence[GoldenCase]) -> list[GoldenResult]:
    """Decide every case (one batch) and compare with its expectation.

    ``pipeline`` is what the CLI builds (:class:`vigie.routing.PolicyRouter`) or a
    :class:`vigie.pipeline.Pipeline`; cases are dated outside every period.
    """
    decisions = pipeline.moderate([c.comment() for c in cases])
    return [GoldenResult(c, d, _problems(c.expect, d))
            for c, d in zip(cases, decisions, strict=True)]
