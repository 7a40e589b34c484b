"""Beyond the comment box: web monitoring, the registry of pages, pre-publication checks.

Directive sections 6.1 (negative information goes to the community manager; nobody speaks in
the institution's name without a mandate; every page created in its name is registered),
6.3 (staff do not disclose confidential data) and 7 (the institution monitors the web for
the use of its name). See ``docs/monitoring.md``.

Modules (the pure ones are re-exported here; those that touch the database or the network are
imported by their path, so that the moderation pipeline never loads them):

* :mod:`vigie.monitoring.names` — the institution's names, told apart from homonyms (pure);
* :mod:`vigie.text.tone` — tone toward the institution, French and English (pure);
* :mod:`vigie.monitoring.feeds` — RSS/Atom feeds and news pages, conditional requests;
* :mod:`vigie.monitoring.mentions` — polling, storing, scoring and evaluating mentions;
* :mod:`vigie.monitoring.alerts` — digests of negative mentions to the community manager;
* :mod:`vigie.monitoring.registry` — the registry of pages and the mandates;
* :mod:`vigie.monitoring.impersonation` — accounts that use the name but are not registered;
* :mod:`vigie.monitoring.draft` — the pre-publication check for staff;
* :mod:`vigie.monitoring.tables` — the tables (migration ``0003_monitoring``).
"""

from __future__ import annotations

from vigie.monitoring.names import (
    Mention,
    MentionScore,
    NameMatcher,
    default_matcher,
    load_names,
    matcher_for,
)
from vigie.text.tone import ToneAnalysis, ToneLexicon, default_lexicon, load_lexicon

__all__ = [
    "Mention",
    "MentionScore",
    "NameMatcher",
    "ToneAnalysis",
    "ToneLexicon",
    "default_lexicon",
    "default_matcher",
    "load_lexicon",
    "load_names",
    "matcher_for",
]
