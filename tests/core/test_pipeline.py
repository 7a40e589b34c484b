"""The pipeline: detector order, failure isolation, and that failures never pass silently."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from factories import comment, make_policy
from vigie.actions import Action
from vigie.detectors.base import DetectorInfo
from vigie.errors import RegistryError
from vigie.findings import Finding
from vigie.pipeline import Pipeline, order_detectors
from vigie.text.prepare import PreparedComment


class Fake:
    """A detector that records its calls and flags comments containing a word."""

    def __init__(self, name: str = "test.fake.v1", provides: tuple[str, ...] = ("hate.slur",),
                 requires: tuple[str, ...] = (), cost: int = 1, word: str = "bad",
                 explode_on: str | None = None, signal: str | None = None) -> None:
        self.info = DetectorInfo(name, provides, requires, cost)
        self.word, self.explode_on, self.signal = word, explode_on, signal or provides[0]
        self.calls: list[int] = []
        self.seen_prior: list[list[str]] = []

    def detect(self, batch: Sequence[PreparedComment],
               prior: Sequence[Sequence[Finding]]) -> list[list[Finding]]:
        self.calls.append(len(batch))
        self.seen_prior.extend([f.signal for f in p] for p in prior)
        out = []
        for item in batch:
            if self.explode_on and self.explode_on in item.text:
                raise RuntimeError("model crashed")
            hit = item.norm.text.find(self.word)
            out.append([Finding(self.signal, 0.95, self.info.name, "fake word",
                                (hit, hit + len(self.word)))] if hit >= 0 else [])
        return out


POLICY = make_policy()


class Silent:
    """Provides the test policy's other signals, so the policy check passes; finds nothing."""

    info = DetectorInfo("test.silent.v1", ("threat.death", "spam.crypto", "language.foreign",
                                           "tone.negative", "context.counter_speech",
                                           "hate.any"))

    def detect(self, batch: Sequence[PreparedComment],
               prior: Sequence[Sequence[Finding]]) -> list[list[Finding]]:
        return [[] for _ in batch]


def _moderate(detectors: list, texts: list[str]) -> list:
    return Pipeline(POLICY, [*detectors, Silent()]).moderate([comment(t, cid=f"fb:c-{i}")
                                                 for i, t in enumerate(texts)])


def test_findings_become_decisions_in_input_order() -> None:
    decisions = _moderate([Fake()], ["fine", "very bad", "ok"])
    assert [d.comment_id for d in decisions] == ["fb:c-0", "fb:c-1", "fb:c-2"]
    assert [d.action for d in decisions] == [Action.ALLOW, Action.REMOVE, Action.ALLOW]
    assert decisions[1].categories[0].evidence[0].span == (5, 8)


def test_a_batch_goes_to_the_detector_once() -> None:
    fake = Fake()
    _moderate([fake], ["a", "b", "c", "d"])
    assert fake.calls == [4]


def test_failing_comment_is_isolated_and_sent_to_review() -> None:
    fake = Fake(explode_on="boom")
    decisions = _moderate([fake], ["bad", "boom", "fine"])
    assert [d.action for d in decisions] == [Action.REMOVE, Action.REVIEW, Action.ALLOW]
    assert decisions[1].failures[0].detector == "test.fake.v1"
    assert "model crashed" in decisions[1].failures[0].error
    assert decisions[0].failures == () and decisions[2].failures == ()
    assert fake.calls == [3, 1, 1, 1]  # whole batch, then one by one


def test_undeclared_signal_is_a_recorded_failure() -> None:
    liar = Fake(provides=("hate.slur",), signal="spam.crypto")
    [decision] = _moderate([liar], ["bad"])
    assert decision.action is Action.REVIEW
    assert "undeclared signal" in decision.failures[0].error


def test_detectors_run_after_what_they_require() -> None:
    late = Fake("test.late.v1", provides=("hate.generalisation",), requires=("hate.slur",),
                cost=0)
    early = Fake("test.early.v1", provides=("hate.slur",), cost=9)
    ordered = order_detectors([late, early])
    assert [d.info.name for d in ordered] == ["test.early.v1", "test.late.v1"]
    _moderate([late, early], ["bad"])
    assert late.seen_prior == [["hate.slur"]]


def test_cheap_detectors_run_first() -> None:
    costly = Fake("test.costly.v1", provides=("hate.slur",), cost=50)
    cheap = Fake("test.cheap.v1", provides=("spam.crypto",), cost=1)
    assert [d.info.name for d in order_detectors([costly, cheap])] == ["test.cheap.v1",
                                                                      "test.costly.v1"]


def test_missing_requirement_and_cycles_are_refused() -> None:
    with pytest.raises(RegistryError, match="requires"):
        order_detectors([Fake("a.v1", provides=("x.a",), requires=("x.missing",))])
    with pytest.raises(RegistryError, match="cycle"):
        order_detectors([Fake("a.v1", provides=("x.a",), requires=("x.b",)),
                         Fake("b.v1", provides=("x.b",), requires=("x.a",))])


def test_spans_point_into_the_original_text() -> None:
    [decision] = _moderate([Fake(word="tres bad")], ["C'est TRÈS bad"])
    start, end = decision.categories[0].evidence[0].span
    assert "C'est TRÈS bad"[start:end] == "TRÈS bad"


class Ceilinged(Fake):
    """An expensive detector whose signal can at most ask for review under the policy."""

    def __init__(self) -> None:
        super().__init__("test.costly.v1", provides=("spam.crypto",), cost=50, word="crypto")
        self.seen: list[str] = []

    def detect(self, batch: Sequence[PreparedComment],
               prior: Sequence[Sequence[Finding]]) -> list[list[Finding]]:
        self.seen.extend(item.text for item in batch)
        return super().detect(batch, prior)


def test_expensive_detectors_run_only_where_they_can_change_the_outcome() -> None:
    policy = make_policy(**{'signals: ["spam.*"]':
                            'signals: [{pattern: "spam.*", max_action: review}]'})
    costly = Ceilinged()
    decisions = Pipeline(policy, [Fake(), costly, Silent()]).moderate(
        [comment(t, cid=f"fb:c-{i}") for i, t in enumerate(["bad crypto", "crypto", "fine"])])
    # "bad crypto" is already removed for hate: the costly detector cannot change that.
    assert costly.seen == ["crypto", "fine"]
    assert [d.action for d in decisions] == [Action.REMOVE, Action.REVIEW, Action.ALLOW]


def test_expensive_detectors_that_could_remove_always_run() -> None:
    costly = Ceilinged()  # spam's action is hide under the plain test policy
    Pipeline(POLICY, [Fake(), costly, Silent()]).moderate(
        [comment(t, cid=f"fb:c-{i}") for i, t in enumerate(["bad crypto", "fine"])])
    assert costly.seen == ["bad crypto", "fine"]
