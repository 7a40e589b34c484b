"""Builders shared by the tests: comments, findings and small policies, no model loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vigie.findings import Finding
from vigie.policy import Policy, parse_policy
from vigie.records import Comment, parse_comment

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEV_SET = SHARED_DATA / "dev" / "comments.jsonl"

needs_dev_set = pytest.mark.skipif(
    not DEV_SET.exists(), reason=f"shared data set absent: {DEV_SET} (../shared is not here)"
)


def comment(text: str = "Bonjour", *, cid: str = "fb:c-1", post: str = "Une publication",
            links: tuple[str, ...] = (), **author: Any) -> Comment:
    """A valid comment with sensible defaults."""
    return parse_comment({
        "id": cid, "platform": "facebook", "text": text, "created_at": "2025-03-18T14:05:42Z",
        "author": {"id": "fb:u-1", "name": "Test", **author},
        "post": {"id": "fb:p-1", "text": post, "links": list(links)},
    })


def finding(signal: str, score: float, span: tuple[int, int] | None = (0, 4),
            detector: str = "test.fake.v1") -> Finding:
    """A hand-built finding."""
    return Finding(signal, score, detector, f"fake evidence for {signal}", span)


TEST_POLICY = """
vigie_policy: 1
id: test-policy
institution: Test U
title: {fr: Politique de test, en: Test policy}
version: "1"
effective_date: 2020-01-01
approval: {reference: TEST-1}
allowed_languages: [fr, en]
on_detector_error: review
blocking: {strikes: 3, window_days: 30}
defaults: {review_threshold: 0.5, remove_threshold: 0.85}
detectors:
  test.fake.v1: {}
categories:
  - slug: hate
    clause: "1 a"
    label: {fr: Haine, en: Hate}
    description: {fr: Propos haineux, en: Hateful remarks}
    signals: ["hate.*", threat.death]
    mitigated_by: [context.counter_speech]
    action: remove
  - slug: spam
    clause: "1 b"
    label: {fr: Pourriel, en: Spam}
    description: {fr: Pourriel, en: Spam}
    signals: ["spam.*"]
    review_threshold: 0.6
    remove_threshold: 0.9
    action: hide
  - slug: language
    clause: "1 c"
    label: {fr: Langue, en: Language}
    description: {fr: Langue, en: Language}
    signals: [language.foreign]
    action: hide
    counts_as_strike: false
  - slug: negative
    clause: "2"
    label: {fr: Critique, en: Criticism}
    description: {fr: Critique de l'institution, en: Criticism of the institution}
    signals: [tone.negative]
    action: escalate
    counts_as_strike: false
"""


def make_policy(**replace: str) -> Policy:
    """The small test policy, with optional text replacements ``old=new``."""
    text = TEST_POLICY
    for old, new in replace.items():
        text = text.replace(old, new)
    return parse_policy(text, source="test-policy.yaml")


# A yearly period from 1 to 10 December (Montréal days): stricter hate thresholds, a word list,
# and review held off view (tests/core/test_policy_periods.py, tests/core/test_routing.py).
TEST_PERIOD = """
periods:
  - slug: commemoration
    label: {fr: Commémoration, en: Commemoration}
    description: {fr: Jours sensibles, en: Sensitive days}
    start: 2025-12-01
    end: 2025-12-10
    yearly: true
    timezone: America/Toronto
    hold_for_review: true
    categories:
      - {slug: hate, review_threshold: 0.3, remove_threshold: 0.7}
    terms: [Marc Lépine]
    terms_category: hate
"""
