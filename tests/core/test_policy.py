"""Policy loading: the bundled directive, digests, and broken files that must stop start-up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from factories import TEST_POLICY, make_policy
from vigie.errors import PolicyError, RegistryError
from vigie.pipeline import Pipeline
from vigie.policy import default_policy_path, load_policy, parse_policy

SLUGS = ("privacy", "hate", "abuse", "confidential", "sexual", "org_announcement",
         "political_support", "language", "inauthentic", "off_topic", "spam")


def test_bundled_policy_is_the_directive() -> None:
    policy = load_policy()
    assert policy.slugs == SLUGS
    assert [c.clause for c in policy.categories] == [f"6.4 {x}" for x in "abcdefghijk"]
    assert policy.effective_date == dt.date(2012, 11, 27)
    assert policy.approval.reference == "ADD-550-487"
    assert policy.allowed_languages == ("fr", "en")
    assert policy.blocking is not None and policy.blocking.strikes >= 1
    for rule in policy.categories:
        assert rule.label.fr and rule.label.en and rule.description.fr and rule.description.en
        review, remove = policy.thresholds(rule)
        assert 0 < review <= remove <= 1


def test_bundled_policy_is_also_at_repository_root() -> None:
    root_copy = Path(__file__).resolve().parents[2] / "policies" / "polytechnique.yaml"
    assert root_copy.read_text(encoding="utf-8") == default_policy_path().read_text("utf-8")


def test_bundled_policy_builds_a_pipeline() -> None:
    Pipeline.from_policy(load_policy())  # every signal pattern has a provider


def test_digest_ignores_comments_and_key_order_but_not_meaning() -> None:
    base = make_policy()
    reordered = make_policy(**{"vigie_policy: 1\nid: test-policy":
                               "# a comment\nid: test-policy\nvigie_policy: 1"})
    changed = make_policy(**{"review_threshold: 0.6": "review_threshold: 0.61"})
    assert base.digest == reordered.digest
    assert base.digest != changed.digest
    assert len(base.digest) == len("sha256:") + 64


def test_another_institution_can_load_its_own_file(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(TEST_POLICY.replace("Test U", "Université Exemple"), encoding="utf-8")
    policy = load_policy(path)
    assert policy.institution == "Université Exemple"
    assert policy.slugs == ("hate", "spam", "language", "negative")


# (case, replacement old -> new, fragments the message must contain)
BROKEN = [
    ("invalid action lists the valid choices",
     ("    action: hide\n    counts_as_strike: false\n  - slug: negative",
      "    action: delete\n    counts_as_strike: false\n  - slug: negative"),
     ["line 36", "categories[2].action", "'escalate'", "'review'", "'hide'", "'remove'",
      "'block'"]),
    ("typo in a key", ("    mitigated_by:", "    mitigate_by:"),
     ["categories[0].mitigate_by", "unknown key"]),
    ("threshold out of range", ("review_threshold: 0.6", "review_threshold: 1.6"),
     ["categories[1].review_threshold", "less than or equal to 1"]),
    ("review above remove", ("remove_threshold: 0.9", "remove_threshold: 0.55"),
     ["review_threshold 0.6 is above remove_threshold 0.55"]),
    ("duplicate slug", ("- slug: spam", "- slug: hate"), ["unique", "hate"]),
    ("missing clause", ('    clause: "1 b"\n', ""), ["categories[1].clause", "Field required"]),
    ("bad date", ("effective_date: 2020-01-01", "effective_date: someday"),
     ["effective_date"]),
    ("unknown on_detector_error", ("on_detector_error: review", "on_detector_error: ignore"),
     ["on_detector_error", "'allow'", "'review'"]),
    ("unknown format version", ("vigie_policy: 1", "vigie_policy: 2"), ["vigie_policy"]),
    ("not YAML", ("categories:", "categories: [unclosed"), ["not valid YAML"]),
]


@pytest.mark.parametrize(("case", "replace", "fragments"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_policy_names_location_and_choices(case: str, replace: tuple[str, str],
                                                  fragments: list[str]) -> None:
    old, new = replace
    assert old in TEST_POLICY, "the test's replacement must apply"
    with pytest.raises(PolicyError) as raised:
        parse_policy(TEST_POLICY.replace(old, new, 1), source="broken.yaml")
    message = str(raised.value)
    assert message.startswith("broken.yaml")
    for fragment in fragments:
        assert fragment in message, message


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(PolicyError, match="mapping"):
        parse_policy("- just\n- a list\n", source="list.yaml")


def test_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "absent.yaml")


def test_unknown_detector_lists_registered_ones() -> None:
    policy = load_policy()
    data = policy.model_dump(mode="json")
    data["detectors"]["vigie.nope.v1"] = {}
    broken = type(policy).model_validate(data)
    with pytest.raises(RegistryError, match=r"vigie\.language\.fasttext\.v1"):
        Pipeline.from_policy(broken)


def test_signal_without_provider_stops_start_up() -> None:
    text = default_policy_path().read_text("utf-8").replace(
        "signals: [language.foreign]", "signals: [language.foreign, telepathy.*]")
    with pytest.raises(PolicyError, match=r"telepathy\.\*.*provided signals"):
        Pipeline.from_policy(parse_policy(text))


def test_invalid_detector_option_names_it() -> None:
    text = default_policy_path().read_text("utf-8").replace("min_letters: 20",
                                                            "min_letters: many")
    with pytest.raises(PolicyError, match=r"detectors\.vigie\.language\.fasttext\.v1\.min_letters"):
        Pipeline.from_policy(parse_policy(text))
