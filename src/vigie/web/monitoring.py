"""What the dashboard's monitoring pages need: drafts, the registry, suspects, mentions.

Thin adapters over :mod:`vigie.monitoring` (directive 6.1, 6.3 and 7); nothing here writes.
"""

from __future__ import annotations

from typing import Any

from vigie.errors import StoreError
from vigie.web.context import WebContext

__all__ = ["check_draft", "mentions_view", "registry_view"]

#: Tones the mentions page filters on (``vigie.text.tone`` labels).
TONES = ("negative", "neutral", "positive")


def check_draft(ctx: WebContext, text: str, speaker: str,
                platform: str = "facebook") -> dict[str, Any]:
    """Check a draft before publishing; stores nothing.

    The checker (phrases, pipeline) is the one built at start-up; the registry and the
    mandates are read from the store for each check, so an import or a new mandate counts at
    once without a restart.

    Returns:
        :meth:`vigie.monitoring.draft.DraftReport.to_dict`.

    Raises:
        StoreError: the app was started without a pipeline (``load_pipeline`` off).
        VigieError: the draft is empty.
    """
    from vigie.monitoring.draft import DraftChecker
    from vigie.monitoring.registry import load_book

    base = ctx.drafts
    if base is None:
        raise StoreError("this server was started without detectors; the draft check is "
                         "unavailable")
    checker = DraftChecker(base.pipeline, load_book(ctx.store), speaking=base.speaking,
                           clock=base.clock)
    with ctx.lock:  # detectors are safe from one thread at a time
        report = checker.check(text, speaker.strip() or "?", platform=platform)
    return report.to_dict()


def registry_view(ctx: WebContext) -> dict[str, Any]:
    """The registry's pages (by platform and name), mandates and suspects to review."""
    from vigie.monitoring.impersonation import list_suspects
    from vigie.monitoring.registry import list_entries, list_mandates

    return {"entries": [e.model_dump(mode="json") for e in list_entries(ctx.store)],
            "mandates": [m.model_dump(mode="json") for m in list_mandates(ctx.store)],
            "suspects": list_suspects(ctx.store)}


def mentions_view(ctx: WebContext, tone: str = "", doubtful: bool = False,
                  limit: int = 100) -> list[dict[str, Any]]:
    """Recent mentions of the institution, newest first.

    Args:
        ctx: the app's context.
        tone: only this tone label (one of :data:`TONES`), or every tone when empty.
        doubtful: include mentions probably about a homonym (``about`` below 0.5).
        limit: the most rows returned.
    """
    from vigie.monitoring.poll import list_mentions

    kwargs: dict[str, Any] = {"tone": tone if tone in TONES else None, "limit": limit}
    if doubtful:
        kwargs["about_min"] = 0.0
    return list_mentions(ctx.store, **kwargs)
