"""Routing: each comment judged by the policy in force at its date, one pipeline per policy."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence

from factories import TEST_PERIOD, TEST_POLICY, comment
from vigie.actions import Action
from vigie.detectors.base import DetectorInfo
from vigie.detectors.builtin import default_registry
from vigie.findings import Finding
from vigie.pipeline import Pipeline
from vigie.policy import PERIOD_TERMS_DETECTOR, Policy, parse_policy
from vigie.records import Comment
from vigie.routing import PolicyRouter
from vigie.text.prepare import PreparedComment

POLICY = parse_policy(TEST_POLICY + TEST_PERIOD, source="period.yaml")
NOVEMBER, DECEMBER = "2025-11-20T15:00:00+00:00", "2025-12-06T15:00:00+00:00"


class ScoredHate:
    """``hate 0.75`` in a comment gives ``hate.slur`` at 0.75; provides the test policy's rest."""

    info = DetectorInfo("test.fake.v1", ("hate.slur", "threat.death", "spam.link",
                                         "language.foreign", "tone.negative",
                                         "context.counter_speech"))

    def detect(self, batch: Sequence[PreparedComment],
               prior: Sequence[Sequence[Finding]]) -> list[list[Finding]]:
        out: list[list[Finding]] = []
        for item in batch:
            found = re.search(r"hate (0\.\d+)", item.comment.text)
            out.append([Finding("hate.slur", float(found[1]), self.info.name, "fake score",
                                found.span())] if found else [])
        return out


class Builds:
    """A pipeline factory that records the policy of every pipeline it builds."""

    def __init__(self) -> None:
        self.built: list[str | None] = []

    def __call__(self, policy: Policy) -> Pipeline:
        self.built.append(policy.period)
        detectors = [ScoredHate()]
        if PERIOD_TERMS_DETECTOR in policy.detectors:  # the period's word list
            detectors.append(default_registry().create(
                PERIOD_TERMS_DETECTOR, policy.detectors[PERIOD_TERMS_DETECTOR], policy))
        return Pipeline(policy, detectors)


def dated(text: str, when: str, cid: str) -> Comment:
    return comment(text, cid=cid).model_copy(update={"created_at": dt.datetime.fromisoformat(
        when)})


def as_json(decisions: Sequence[object]) -> list[str]:
    return [json.dumps(d.to_dict(), ensure_ascii=False) for d in decisions]  # type: ignore[attr-defined]


def test_outside_every_period_decisions_are_the_pipelines_byte_for_byte() -> None:
    batch = [dated(t, NOVEMBER, f"fb:c-{i}") for i, t in enumerate(
        ["hate 0.75", "Bonjour", "hate 0.4", "Marc Lépine"])]
    builds = Builds()
    routed = PolicyRouter(POLICY, builds).moderate(batch)
    assert as_json(routed) == as_json(Builds()(POLICY).moderate(batch))
    assert [d.action for d in routed] == [Action.REVIEW, Action.ALLOW, Action.ALLOW,
                                          Action.ALLOW]
    assert builds.built == [None]  # the period's pipeline is never built


def test_a_batch_across_a_period_is_split_and_decided_in_input_order() -> None:
    texts = [("hate 0.75", NOVEMBER), ("hate 0.75", DECEMBER), ("Marc Lépine", DECEMBER),
             ("Marc Lépine", NOVEMBER), ("hate 0.4", DECEMBER)]
    batch = [dated(t, w, f"fb:c-{i}") for i, (t, w) in enumerate(texts)]
    decisions = PolicyRouter(POLICY, Builds()).moderate(batch)
    assert [d.comment_id for d in decisions] == [c.id for c in batch]
    # The period's thresholds (remove from 0.7, review from 0.3), its word list, review held.
    assert [d.action for d in decisions] == [Action.REVIEW, Action.REMOVE, Action.HIDE,
                                             Action.ALLOW, Action.HIDE]
    assert [d.policy.get("period") for d in decisions] == [
        None, "commemoration", "commemoration", None, "commemoration"]
    assert {d.policy["digest"] for d in decisions} == {POLICY.digest}  # the file's digest
    assert "vigie.terms.period.v1" in decisions[2].detectors
    assert "vigie.terms.period.v1" not in decisions[0].detectors


def test_models_load_once_per_policy_in_force_not_per_batch() -> None:
    builds = Builds()
    router = PolicyRouter(POLICY, builds)
    for n in range(4):
        router.moderate([dated("hate 0.75", NOVEMBER, f"fb:n-{n}")])
    assert builds.built == [None]
    for n in range(3):
        router.moderate([dated("hate 0.75", NOVEMBER, f"fb:m-{n}"),
                         dated("hate 0.75", DECEMBER, f"fb:d-{n}")])
    router.moderate([dated("hate 0.75", "2031-12-02T15:00:00+00:00", "fb:y")])  # every year
    assert builds.built == [None, "commemoration"]


def test_given_policies_override_the_dates() -> None:
    batch = [dated("hate 0.75", DECEMBER, "fb:c-1"), dated("hate 0.75", NOVEMBER, "fb:c-2")]
    router = PolicyRouter(POLICY, Builds())
    found = router.analyse(batch, [POLICY, POLICY])
    assert [e.findings[0].score for e, _ in found] == [0.75, 0.75]
    assert found[0][1] is found[1][1] and found[0][1].policy is POLICY
