"""Periods: policy overrides bounded by dates, applied by a comment's ``created_at``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from factories import TEST_PERIOD, TEST_POLICY, comment, finding
from fakes.analyser import Evidence
from vigie.actions import Action
from vigie.detectors.builtin import default_registry
from vigie.detectors.period_terms import PeriodTermsDetector, PeriodTermsOptions
from vigie.engine import decide
from vigie.errors import PolicyError
from vigie.findings import DetectorFailure
from vigie.policy import effective_policy, load_policy, parse_policy
from vigie.records import Comment
from vigie.store.queue import list_items, resolve
from vigie.store.schema import outbox
from vigie.store.store import open_store
from vigie.store.workflow import StoreModerator
from vigie.text.prepare import prepare_batch

PERIOD = TEST_PERIOD
POLICY_TEXT = TEST_POLICY + PERIOD
POLICY = parse_policy(POLICY_TEXT)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize(("when", "inside"), [
    ("2025-12-01T05:00:00+00:00", True),    # 00:00 in Montréal on the first day
    ("2025-12-01T04:59:00+00:00", False),   # still 30 November there
    ("2031-12-06T12:00:00+00:00", True),    # every year
    ("2025-12-11T04:30:00+00:00", True),    # 23:30 on the 10th in Montréal
    ("2025-12-11T05:00:00+00:00", False),
    ("2025-06-06T12:00:00+00:00", False),
])
def test_a_period_covers_its_days_in_its_time_zone(when: str, inside: bool) -> None:
    assert POLICY.periods[0].covers(at(when)) is inside
    assert (effective_policy(POLICY, at(when)).period == "commemoration") is inside


def test_a_yearly_period_may_span_the_new_year() -> None:
    text = PERIOD.replace("2025-12-01", "2025-12-28").replace("2025-12-10", "2025-01-03")
    period = parse_policy(TEST_POLICY + text).periods[0]
    assert period.covers(at("2026-01-02T12:00:00+00:00"))
    assert period.covers(at("2026-12-30T12:00:00+00:00"))
    assert not period.covers(at("2026-01-05T12:00:00+00:00"))
    # The days of the occurrence in force, as the dashboard's banner names them.
    assert period.days(at("2026-01-02T12:00:00+00:00")) == (dt.date(2025, 12, 28),
                                                            dt.date(2026, 1, 3))
    assert period.days(at("2026-12-30T12:00:00+00:00")) == (dt.date(2026, 12, 28),
                                                            dt.date(2027, 1, 3))
    assert POLICY.periods[0].days(at("2031-12-01T05:00:00+00:00")) == (dt.date(2031, 12, 1),
                                                                       dt.date(2031, 12, 10))


def test_stricter_thresholds_and_the_period_recorded_in_the_decision() -> None:
    evidence = [finding("hate.slur", 0.75)]
    before = decide(effective_policy(POLICY, at("2025-11-20T12:00:00+00:00")), comment(),
                    evidence)
    during = decide(effective_policy(POLICY, at("2025-12-06T12:00:00+00:00")), comment(),
                    evidence)
    assert before.action is Action.REVIEW and "period" not in before.policy
    assert during.action is Action.REMOVE
    assert during.policy["period"] == "commemoration"
    assert during.policy["digest"] == POLICY.digest  # the file's digest, and the period
    assert "période : Commémoration" in during.explanation["fr"]


def test_hold_for_review_takes_what_would_be_queued_off_view() -> None:
    evidence = [finding("hate.slur", 0.4)]  # above the period's review threshold only
    during = decide(effective_policy(POLICY, at("2025-12-06T12:00:00+00:00")), comment(),
                    evidence)
    assert during.action is Action.HIDE and not during.strike
    failed = decide(effective_policy(POLICY, at("2025-12-06T12:00:00+00:00")), comment(), [],
                    [DetectorFailure("test.fake.v1", "boom")])
    assert failed.action is Action.HIDE  # on_detector_error: review, held too
    assert decide(POLICY, comment(), evidence).action is Action.ALLOW


def test_the_word_list_is_matched_folded_and_counts_toward_its_category() -> None:
    detector = PeriodTermsDetector(PeriodTermsOptions(terms=("Marc Lépine",)))
    texts = ["Gloire à MARC LEPINE", "marc lépine, encore", "Marc Lépinette", "rien"]
    batch = prepare_batch([comment(t, cid=f"fb:{i}") for i, t in enumerate(texts)])
    found = detector.detect(batch, [[] for _ in batch])
    assert [bool(f) for f in found] == [True, True, False, False]
    assert texts[0][found[0][0].span[0]:found[0][0].span[1]] == "MARC LEPINE"  # type: ignore[index]
    during = effective_policy(POLICY, at("2025-12-06T12:00:00+00:00"))
    assert "vigie.terms.period.v1" in during.detectors
    assert during.category("hate").signals[0].max_action == "review"
    decision = decide(during, comment(), found[0])
    assert decision.action is Action.HIDE  # review at most, held during the period


def test_the_bundled_policy_ships_the_6_december_period() -> None:
    policy = load_policy()
    period = policy.periods[0]
    assert period.slug == "commemoration-6-decembre" and period.hold_for_review
    during = effective_policy(policy, at("2026-12-06T15:00:00+00:00"))
    base, strict = policy.category("hate"), during.category("hate")
    assert during.thresholds(strict) < policy.thresholds(base)
    assert effective_policy(policy, at("2026-12-12T15:00:00+00:00")) is policy
    terms = default_registry().create("vigie.terms.period.v1",
                                      during.detectors["vigie.terms.period.v1"], during)
    found = terms.detect(prepare_batch([comment("Hommage à Lépine ?")]), [[]])
    assert [f.signal for f in found[0]] == ["period.term"]


@pytest.mark.parametrize(("change", "message"), [
    ("remove_threshold: 0.7", "remove_threshold: 0.95"),
    ("slug: hate, review", "slug: nope, review"),
    ("timezone: America/Toronto", "timezone: Mars/Olympus"),
])
def test_invalid_periods_are_refused(change: str, message: str) -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy(POLICY_TEXT.replace(change, message))
    text = str(raised.value)
    assert any(word in text for word in ("only be stricter", "unknown category",
                                         "unknown time zone"))


def test_a_policy_without_periods_keeps_its_digest() -> None:
    plain = parse_policy(TEST_POLICY)
    dump = plain.model_dump(mode="json", exclude={"periods", "period", "staff_replies",
                                                  "replies", "monitoring"})
    canonical = json.dumps(dump, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert plain.digest == "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    assert POLICY.digest != plain.digest


class ScoreAnalyser:
    """``hate 0.75`` in a comment gives ``hate.slur`` at 0.75."""

    detector_names = ("test.fake.v1",)

    def analyse(self, batch: Sequence[Comment]) -> list[Evidence]:
        return [Evidence((finding("hate.slur", 0.75),) if "hate 0.75" in c.text else ())
                for c in batch]


class Weak(ScoreAnalyser):
    """``hate.slur`` at 0.4 on every comment: above the period's review threshold only."""

    def analyse(self, batch: Sequence[Comment]) -> list[Evidence]:
        return [Evidence((finding("hate.slur", 0.4),)) for _ in batch]


def test_the_store_applies_the_period_by_created_at(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "vigie.sqlite"))
    built: list[str | None] = []

    def factory(policy: object) -> ScoreAnalyser:
        built.append(getattr(policy, "period", None))
        return ScoreAnalyser()

    moderator = StoreModerator(store, POLICY, POLICY_TEXT, pipeline_factory=factory)
    rows = []
    for i, when in enumerate(("2025-11-20T12:00:00Z", "2025-12-06T12:00:00Z")):
        rows.append(comment("hate 0.75", cid=f"fb:c-{i}").model_copy(
            update={"created_at": at(when.replace("Z", "+00:00"))}))
    bodies = [json.loads(b) for b in moderator.process(rows)]
    assert [b["action"] for b in bodies] == ["review", "remove"]
    assert "period" not in bodies[0]["policy"]
    assert bodies[1]["policy"] == {"id": "test-policy", "version": "1",
                                   "digest": POLICY.digest, "period": "commemoration"}
    assert sorted(built, key=str) == [None, "commemoration"]  # one pipeline per period
    store.dispose()


def test_a_held_comment_is_hidden_and_queued_until_a_human_restores_it(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "vigie.sqlite"))
    moderator = StoreModerator(store, POLICY, POLICY_TEXT, pipeline_factory=lambda p: Weak())
    held = comment("Pensées", cid="fb:c-9").model_copy(
        update={"created_at": at("2025-12-06T12:00:00+00:00")})
    body = json.loads(moderator.process([held])[0])
    assert body["action"] == "hide"
    items = list_items(store)
    assert [i.comment_id for i in items] == ["fb:c-9"]
    with store.read() as conn:
        planned = conn.execute(select(outbox.c.kind)).scalars().all()
    assert planned == ["hide_comment"]
    status = resolve(store, items[0].pk, "restore", by="cm@polymtl.ca", reason="hommage")
    assert status.takedown is False
    with store.read() as conn:
        kinds = conn.execute(select(outbox.c.kind).order_by(outbox.c.pk)).scalars().all()
    assert kinds == ["hide_comment", "restore_comment"]
    store.dispose()


PREMODERATED = parse_policy(POLICY_TEXT.replace("    hold_for_review: true\n",
                                                "    premoderate: true\n"))


def test_pre_moderation_takes_even_a_clean_comment_off_view_until_a_human_approves() -> None:
    during = effective_policy(PREMODERATED, at("2025-12-06T12:00:00+00:00"))
    clean = decide(during, comment(), [])
    assert clean.action is Action.HIDE and not clean.strike and not clean.categories
    assert "pré-modération" in clean.explanation["fr"]
    assert "pre-moderation" in clean.explanation["en"]
    assert "période : Commémoration" in clean.explanation["fr"]
    # Outside the period nothing changes; a breach keeps its own, stronger action.
    assert decide(effective_policy(PREMODERATED, at("2025-11-20T12:00:00+00:00")),
                  comment(), []).action is Action.ALLOW
    assert decide(during, comment(), [finding("hate.slur", 0.75)]).action is Action.REMOVE


def test_a_pre_moderated_comment_is_queued_and_hidden_on_the_platform(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "vigie.sqlite"))
    moderator = StoreModerator(store, PREMODERATED, POLICY_TEXT, pipeline_factory=lambda p:
                               ScoreAnalyser())
    clean = comment("Merci pour la cérémonie", cid="fb:c-10").model_copy(
        update={"created_at": at("2025-12-06T12:00:00+00:00")})
    assert json.loads(moderator.process([clean])[0])["action"] == "hide"
    items = list_items(store)
    assert [i.comment_id for i in items] == ["fb:c-10"]
    with store.read() as conn:
        assert conn.execute(select(outbox.c.kind)).scalars().all() == ["hide_comment"]
    status = resolve(store, items[0].pk, "restore", by="cm@polymtl.ca", reason="approuvé")
    assert status.takedown is False
    store.dispose()
