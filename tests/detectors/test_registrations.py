"""Golden test of the detector registry (spaCy's test_factory_registrations, in spirit).

Adding, renaming or re-versioning a detector, or changing the signals it may emit, must be a
deliberate change: update this table in the same commit.
"""

from __future__ import annotations

import pytest

from vigie.detectors.builtin import default_registry
from vigie.detectors.registry import Registry
from vigie.errors import RegistryError

PINNED = {
    'vigie.accounts.signals.v1': (
        'account.new',
        'account.default_avatar',
        'account.generated_handle',
        'account.few_followers',
        'account.high_rate',
        'account.automation_client',
        'account.inauthentic',
        'authorship.on_behalf',
    ),
    'vigie.confidential.recognizers.v1': (
        'secret.api_key',
        'secret.private_key',
        'secret.password',
        'secret.access_code',
        'confidential.marked',
        'confidential.exam',
        'confidential.internal_figure',
        'confidential.security',
        'confidential.protected_text',
    ),
    'vigie.coordination.minhash.v1': (
        'coordination.duplicate',
    ),
    'vigie.images.nudenet.v1': (
        'sexual.image_explicit',
        'sexual.image_drawing',
        'sexual.image_suggestive',
        'media.not_analysed',
    ),
    'vigie.terms.period.v1': (
        'period.term',
    ),
    'vigie.language.fasttext.v1': (
        'language.foreign',
    ),
    'vigie.lexicon.aho.v1': (
        'abuse.sacre',
        'abuse.vulgarity',
        'abuse.insult',
        'threat.violence',
        'threat.death',
        'hate.slur',
        'hate.generalisation',
        'hate.glorification',
        'hate.defamation',
        'sexual.explicit',
        'sexual.harassment',
        'context.counter_speech',
    ),
    'vigie.links.adult.v1': (
        'sexual.link_adult',
        'sexual.preview_explicit',
    ),
    'vigie.links.v1': (
        'link.unrelated',
        'link.lookalike',
    ),
    'vigie.judge.v1': (
        'judge.hate',
        'judge.abuse',
        'judge.sexual',
        'judge.spam',
        'judge.political_support',
        'judge.org_announcement',
        'judge.confidential',
        'judge.privacy',
    ),
    'vigie.ml.linear.v1': (
        'ml.hate',
        'ml.abuse',
        'ml.sexual',
        'ml.spam',
        'ml.political_support',
        'ml.org_announcement',
    ),
    'vigie.offtopic.context.v1': (
        'offtopic.unintelligible',
        'offtopic.unrelated',
    ),
    'vigie.offtopic.unrelated.v1': (
        'offtopic.unrelated',
    ),
    'vigie.political.gazetteer.v1': (
        'political.support',
        'org.announcement',
        'political.mention',
    ),
    'vigie.privacy.recognizers.v1': (
        'pii.phone',
        'pii.email',
        'pii.address',
        'pii.postal_code',
        'pii.sin',
        'pii.credit_card',
        'pii.ramq',
        'pii.student_id',
        'pii.health',
        'pii.doxxing',
        'pii.reputation',
        'pii.iban',
        'pii.ssn',
        'pii.employee_id',
        'pii.orientation',
        'pii.academic',
    ),
    'vigie.spam.patterns.v1': (
        'spam.solicitation',
        'spam.crypto',
        'spam.income',
        'spam.essay',
        'spam.followers',
        'spam.promo',
        'spam.commercial',
        'spam.dating',
        'spam.phishing',
        'spam.scam',
    ),
    'vigie.tone.institution.v1': (
        'tone.criticism',
    ),
}


def test_registry_content_is_pinned() -> None:
    registry = default_registry()
    assert {name: registry.provides(name) for name in registry.names()} == PINNED


def test_every_name_is_versioned_and_every_signal_dotted() -> None:
    for name, signals in PINNED.items():
        assert name.startswith("vigie.") and name.rsplit(".", 1)[1].startswith("v")
        assert all("." in s for s in signals)


def test_unknown_name_lists_the_registered_ones() -> None:
    with pytest.raises(RegistryError, match=r"vigie\.language\.fasttext\.v1"):
        default_registry().provides("vigie.nope.v1")


def test_names_are_registered_once_and_must_carry_a_version() -> None:
    registry = Registry()
    registry.register("x.test.v1", ("x.a",), lambda options, policy: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(RegistryError, match="already registered"):
        registry.register("x.test.v1", ("x.a",), lambda options, policy: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(RegistryError, match="must end with a version"):
        registry.register("x.test", ("x.a",), lambda options, policy: None)  # type: ignore[arg-type,return-value]
