"""Every built-in detector, registered in one place.

A golden test (``tests/test_registrations.py``) pins this registry's content: adding, renaming
or re-versioning a detector is a deliberate change to that test too.
"""

from __future__ import annotations

from vigie.detectors import language, links
from vigie.registry import Registry

__all__ = ["register_builtins"]


def register_builtins(registry: Registry) -> None:
    """Register Vigie's built-in detectors in ``registry``."""
    registry.register(language.NAME, language.SIGNALS, language.create)
    registry.register(links.NAME, links.SIGNALS, links.create)
