"""The engine: findings built by hand, no model loaded (table-driven)."""

from __future__ import annotations

import pytest

from factories import comment, finding, make_policy
from vigie.actions import Action
from vigie.decision import AuthorHistory
from vigie.engine import decide
from vigie.findings import DetectorFailure

POLICY = make_policy()
C = comment("texte")

# (case, findings, expected action, expected categories with their action)
CASES = [
    ("no evidence", [], Action.ALLOW, {}),
    ("below review threshold", [finding("hate.slur", 0.49)], Action.ALLOW, {}),
    ("exactly review threshold", [finding("hate.slur", 0.5)], Action.REVIEW,
     {"hate": Action.REVIEW}),
    ("between thresholds", [finding("hate.slur", 0.7)], Action.REVIEW, {"hate": Action.REVIEW}),
    ("exactly remove threshold", [finding("hate.slur", 0.85)], Action.REMOVE,
     {"hate": Action.REMOVE}),
    ("category's own thresholds", [finding("spam.crypto", 0.55)], Action.ALLOW, {}),
    ("category's own action", [finding("spam.crypto", 0.95)], Action.HIDE,
     {"spam": Action.HIDE}),
    ("exact signal name", [finding("threat.death", 0.9)], Action.REMOVE,
     {"hate": Action.REMOVE}),
    ("unmapped signal is ignored", [finding("pii.phone", 0.99)], Action.ALLOW, {}),
    ("strongest category wins",
     [finding("spam.crypto", 0.95), finding("hate.slur", 0.9)], Action.REMOVE,
     {"hate": Action.REMOVE, "spam": Action.HIDE}),
    ("highest score of a category counts",
     [finding("hate.slur", 0.6), finding("hate.generalisation", 0.9)], Action.REMOVE,
     {"hate": Action.REMOVE}),
    ("counter-speech caps removal at review",
     [finding("hate.slur", 0.95), finding("context.counter_speech", 0.8)], Action.REVIEW,
     {"hate": Action.REVIEW}),
    ("weak counter-speech does not mitigate",
     [finding("hate.slur", 0.95), finding("context.counter_speech", 0.3)], Action.REMOVE,
     {"hate": Action.REMOVE}),
    ("mitigation is per category",
     [finding("spam.crypto", 0.95), finding("context.counter_speech", 0.9)], Action.HIDE,
     {"spam": Action.HIDE}),
    ("escalation leaves the comment up", [finding("tone.negative", 0.9)], Action.ESCALATE,
     {"negative": Action.ESCALATE}),
    ("escalation below remove threshold is review",
     [finding("tone.negative", 0.6)], Action.REVIEW, {"negative": Action.REVIEW}),
]


@pytest.mark.parametrize(("case", "findings", "action", "categories"), CASES,
                         ids=[c[0] for c in CASES])
def test_decide_table(case: str, findings: list, action: Action,
                      categories: dict[str, Action]) -> None:
    decision = decide(POLICY, C, findings)
    assert decision.action is action, decision.explanation["en"]
    assert {v.slug: v.action for v in decision.categories} == categories


def test_clauses_cited_in_policy_order_with_evidence() -> None:
    decision = decide(POLICY, C, [finding("spam.promo", 0.95, (3, 9)),
                                  finding("hate.slur", 0.9, (0, 2))])
    assert decision.clauses == ("1 a", "1 b")
    hate = decision.categories[0]
    assert hate.evidence[0].span == (0, 2)
    assert "1 a Hate" in decision.explanation["en"]
    assert "1 a Haine" in decision.explanation["fr"]


def test_evidence_below_review_threshold_is_not_cited() -> None:
    decision = decide(POLICY, C, [finding("hate.slur", 0.9), finding("hate.insult", 0.2)])
    assert [f.signal for f in decision.categories[0].evidence] == ["hate.slur"]
    assert decision.scores == {"hate": 0.9}


def test_decision_carries_policy_digest_and_detectors() -> None:
    decision = decide(POLICY, C, [], detectors=("test.fake.v1",))
    data = decision.to_dict()
    assert data["policy"] == {"id": "test-policy", "version": "1", "digest": POLICY.digest}
    assert data["policy"]["digest"].startswith("sha256:")
    assert data["detectors"] == ["test.fake.v1"]
    assert data["comment_id"] == C.id


def test_detector_failure_sends_to_review_never_allows() -> None:
    failure = DetectorFailure("test.fake.v1", "RuntimeError: boom")
    decision = decide(POLICY, C, [], failures=[failure])
    assert decision.action is Action.REVIEW
    assert decision.failures == (failure,)
    assert "detector failed" in decision.explanation["en"]


def test_detector_failure_does_not_weaken_a_removal() -> None:
    failure = DetectorFailure("test.fake.v1", "boom")
    decision = decide(POLICY, C, [finding("hate.slur", 0.95)], failures=[failure])
    assert decision.action is Action.REMOVE


@pytest.mark.parametrize(("on_error", "expected"), [("allow", Action.ALLOW),
                                                    ("remove", Action.REMOVE)])
def test_on_detector_error_is_read_from_the_policy(on_error: str, expected: Action) -> None:
    policy = make_policy(**{"on_detector_error: review": f"on_detector_error: {on_error}"})
    decision = decide(policy, C, [], failures=[DetectorFailure("x.v1", "boom")])
    assert decision.action is expected


# (prior strikes, findings, expected action, strike recorded)
STRIKES = [
    (0, [finding("hate.slur", 0.9)], Action.REMOVE, True),
    (1, [finding("hate.slur", 0.9)], Action.REMOVE, True),
    (2, [finding("hate.slur", 0.9)], Action.BLOCK, True),   # third removal in the window
    (5, [finding("hate.slur", 0.9)], Action.BLOCK, True),
    (2, [finding("hate.slur", 0.6)], Action.REVIEW, False),  # review is not a strike
    (2, [finding("language.foreign", 0.95)], Action.HIDE, False),  # counts_as_strike: false
    (2, [], Action.ALLOW, False),
]


@pytest.mark.parametrize(("prior", "findings", "action", "strike"), STRIKES)
def test_repeat_authors_are_blocked(prior: int, findings: list, action: Action,
                                    strike: bool) -> None:
    decision = decide(POLICY, C, findings, history=AuthorHistory(strikes=prior))
    assert decision.action is action
    assert decision.strike is strike
    if action is Action.BLOCK:
        assert "blocked" in decision.explanation["en"]


def test_no_blocking_rule_means_no_block() -> None:
    policy = make_policy(**{"blocking: {strikes: 3, window_days: 30}\n": ""})
    decision = decide(policy, C, [finding("hate.slur", 0.9)], history=AuthorHistory(strikes=9))
    assert decision.action is Action.REMOVE


def test_decide_is_pure_and_deterministic() -> None:
    findings = [finding("hate.slur", 0.9), finding("spam.crypto", 0.95)]
    before = list(findings)
    first = decide(POLICY, C, findings).to_dict()
    second = decide(POLICY, C, list(reversed(findings))).to_dict()
    assert first == second
    assert findings == before


ESCALATING = make_policy(**{"\ncategories:\n": """
escalations:
  - slug: criticism
    clause: "6.1"
    label: {fr: Critique, en: Criticism}
    description: {fr: Critique de l'institution, en: Criticism of the institution}
    signals: [tone.criticism]
    threshold: 0.7
categories:
"""})


@pytest.mark.parametrize(("findings", "action", "escalations"), [
    ([finding("tone.criticism", 0.9)], Action.ESCALATE, ("criticism",)),
    ([finding("tone.criticism", 0.6)], Action.ALLOW, ()),
    ([finding("tone.criticism", 0.9), finding("hate.slur", 0.95)], Action.REMOVE,
     ("criticism",)),
])
def test_escalation_rules_route_but_never_remove(findings: list, action: Action,
                                                 escalations: tuple[str, ...]) -> None:
    decision = decide(ESCALATING, C, findings)
    assert decision.action is action
    assert decision.escalations == escalations
    assert decision.escalate is bool(escalations)
    assert decision.to_dict()["escalations"] == list(escalations)


def test_an_escalation_keeps_the_evidence_that_raised_it() -> None:
    weak, strong = finding("tone.criticism", 0.75), finding("tone.criticism", 0.9)
    decision = decide(ESCALATING, C, [weak, strong, finding("tone.criticism", 0.5)])
    assert decision.escalation_evidence == {"criticism": (strong, weak)}  # strongest first
    body = decision.to_dict()
    assert [f["score"] for f in body["escalation_evidence"]["criticism"]] == [0.9, 0.75]
    assert body["escalation_evidence"]["criticism"][0]["explanation"] == strong.explanation
    # Decisions without an escalation keep the body they always had.
    assert "escalation_evidence" not in decide(ESCALATING, C,
                                               [finding("hate.slur", 0.95)]).to_dict()


WEIGHTED = make_policy(**{'signals: ["spam.*"]': """signals:
      - spam.*
      - {pattern: ml.spam, weight: 0.5}
      - {pattern: media.not_analysed, max_action: review}"""})


@pytest.mark.parametrize(("findings", "action", "score"), [
    ([finding("ml.spam", 0.99)], Action.ALLOW, 0.495),        # 0.99 x 0.5 < review 0.6
    ([finding("ml.spam", 0.99), finding("spam.crypto", 0.7)], Action.REVIEW, 0.7),
    ([finding("media.not_analysed", 1.0)], Action.REVIEW, 1.0),  # capped: a human confirms
    ([finding("media.not_analysed", 1.0), finding("spam.crypto", 0.95)], Action.HIDE, 1.0),
])
def test_signal_weight_and_max_action(findings: list, action: Action, score: float) -> None:
    decision = decide(WEIGHTED, C, findings)
    assert decision.action is action
    assert decision.scores["spam"] == pytest.approx(score)


def test_plain_and_expanded_signal_entries_share_a_digest() -> None:
    expanded = make_policy(**{'signals: ["spam.*"]': 'signals: [{pattern: "spam.*"}]'})
    assert expanded.digest == make_policy().digest
