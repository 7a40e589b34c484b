"""Every built-in detector, registered in one place.

A golden test (``tests/detectors/test_registrations.py``) pins this registry's content: adding,
renaming or re-versioning a detector is a deliberate change to that test too.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from vigie.detectors import (
    accounts,
    adult_links,
    confidential,
    coordination,
    images,
    judge,
    language,
    lexicon,
    links,
    ml,
    offtopic,
    period_terms,
    political,
    privacy,
    spam,
    tone,
)
from vigie.detectors.registry import Registry

__all__ = ["default_registry", "register_builtins"]


def register_builtins(registry: Registry) -> None:
    """Register Vigie's built-in detectors in ``registry``."""
    registry.register(language.NAME, language.SIGNALS, language.create)
    registry.register(links.NAME, links.SIGNALS, links.create)
    registry.register(spam.NAME, spam.SIGNALS, spam.create)
    registry.register(political.NAME, political.SIGNALS, political.create)
    registry.register(accounts.NAME, accounts.SIGNALS, accounts.create)
    registry.register(coordination.NAME, coordination.SIGNALS, coordination.create)
    registry.register(offtopic.NAME, offtopic.SIGNALS, offtopic.create)
    registry.register(offtopic.UNRELATED_NAME, offtopic.UNRELATED_SIGNALS,
                      offtopic.create_unrelated)
    registry.register(ml.NAME, ml.SIGNALS, ml.create)
    registry.register(judge.NAME, judge.SIGNALS, judge.create)
    registry.register(privacy.NAME, privacy.SIGNALS, privacy.create)
    registry.register(confidential.NAME, confidential.SIGNALS, confidential.create)
    registry.register(lexicon.NAME, lexicon.SIGNALS, lexicon.create)
    registry.register(tone.NAME, tone.SIGNALS, tone.create)
    registry.register(adult_links.NAME, adult_links.SIGNALS, adult_links.create)
    registry.register(images.NAME, images.SIGNALS, images.create)
    registry.register(period_terms.NAME, period_terms.SIGNALS, period_terms.create)


_DEFAULT: Registry | None = None


def default_registry() -> Registry:
    """The registry with built-ins and every installed plugin (built once per process)."""
    global _DEFAULT
    if _DEFAULT is None:
        registry = Registry()
        register_builtins(registry)
        for entry in entry_points(group="vigie.detectors"):
            loaded = entry.load()
            if loaded is not register_builtins:
                loaded(registry)
        _DEFAULT = registry
    return _DEFAULT
