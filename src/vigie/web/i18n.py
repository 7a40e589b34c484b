"""The interface's words in French (default) and English.

Catalogues are flat YAML files in :mod:`vigie.web` ``data/i18n/<lang>.yaml`` mapping a key to a
text with optional ``{name}`` fields. They are read once per process. A missing key shows the
key itself (visible in the page, and caught by ``tests/test_web_i18n.py``, which checks that
every catalogue has the same keys and that templates use only known keys).

The chosen language travels in the ``vigie_lang`` cookie; without it the settings' default
(French) applies.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["LANGUAGES", "LANG_COOKIE", "Translator", "catalogue", "translator"]

LANGUAGES = ("fr", "en")
LANG_COOKIE = "vigie_lang"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The catalogue of ``lang`` (read once; raises ``KeyError`` for an unknown language)."""
    if lang not in LANGUAGES:
        raise KeyError(f"unknown interface language {lang!r}; valid: {', '.join(LANGUAGES)}")
    text = resources.files("vigie.web").joinpath(f"data/i18n/{lang}.yaml").read_text("utf-8")
    data = yaml.safe_load(text) or {}
    return {str(k): str(v) for k, v in data.items()}


class Translator:
    """Looks up interface texts in one language.

    Args:
        lang: ``fr`` or ``en``.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else LANGUAGES[0]
        self._texts = catalogue(self.lang)

    def __call__(self, key: str, **fields: Any) -> str:
        """The text for ``key`` with ``fields`` filled in; the key itself when unknown."""
        text = self._texts.get(key, key)
        if fields:
            try:
                return text.format(**fields)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    def has(self, key: str) -> bool:
        """Whether the catalogue defines ``key``."""
        return key in self._texts


def translator(lang: str | None, default: str = "fr") -> Translator:
    """A translator for ``lang`` (a cookie value), falling back to ``default``."""
    return Translator(lang if lang in LANGUAGES else default)
