"""Links to an escalated comment: its page in the dashboard, and the comment on its platform.

A comment record carries no address of its own, so the platform's is rebuilt from the ids only
where they name the comment unambiguously and the platform documents the form:

* YouTube: ``https://www.youtube.com/watch?v=VIDEO&lc=COMMENT`` (the video is the post);
* X: ``https://x.com/i/web/status/ID`` (a reply is a post of its own);
* Bluesky: ``https://bsky.app/profile/DID/post/RKEY`` (from the reply's ``at://`` URI).

Elsewhere (Facebook, Instagram, Threads, LinkedIn, WordPress: their addresses need a page
name, a shortcode or a slug that the ids do not hold), and for ids that do not have the
platform's shape (imports, the demo), there is no link rather than a wrong one.
"""

from __future__ import annotations

import re

__all__ = ["consultation_path", "dashboard_url", "escalation_path", "platform_url"]

_YOUTUBE_VIDEO = re.compile(r"^yt:([A-Za-z0-9_-]{11})$")
_YOUTUBE_COMMENT = re.compile(r"^yt:([A-Za-z0-9_-]{20,}(?:\.[A-Za-z0-9_-]+)?)$")
_X_POST = re.compile(r"^x:([0-9]{1,20})$")
_BLUESKY_POST = re.compile(r"^bsky:at://(did:[a-z]+:[A-Za-z0-9._:%-]+)/app\.bsky\.feed\.post/"
                           r"([A-Za-z0-9._~-]+)$")


def escalation_path(escalation_pk: int) -> str:
    """The escalation's page in the dashboard (pure)."""
    return f"/escalations/{int(escalation_pk)}"


def consultation_path(consultation_pk: int) -> str:
    """The dashboard path of a draft put to a supervisor (pure)."""
    return f"/consultations/{int(consultation_pk)}"


def page_request_path(request_pk: int) -> str:
    """The dashboard path of a request to create a page (pure)."""
    return f"/page-requests/{int(request_pk)}"


def dashboard_url(base: str | None, path: str) -> str:
    """``path`` under the dashboard's address, or the path alone when none is known (pure)."""
    return f"{base.rstrip('/')}{path}" if base else path


def platform_url(platform: str, comment_id: str, post_id: str | None = None) -> str | None:
    """The comment's address on its platform, or ``None`` where the ids do not give it (pure).

    Args:
        platform: the comment's platform (``youtube``, ``x``...).
        comment_id: Vigie's comment id (``yt:Ugx...``).
        post_id: Vigie's id of the post it answers, when known.
    """
    if platform == "youtube":
        comment = _YOUTUBE_COMMENT.match(comment_id)
        video = _YOUTUBE_VIDEO.match(post_id or "")
        if comment and video:
            return f"https://www.youtube.com/watch?v={video.group(1)}&lc={comment.group(1)}"
    elif platform == "x":
        found = _X_POST.match(comment_id)
        if found:
            return f"https://x.com/i/web/status/{found.group(1)}"
    elif platform == "bluesky":
        found = _BLUESKY_POST.match(comment_id)
        if found:
            return f"https://bsky.app/profile/{found.group(1)}/post/{found.group(2)}"
    return None
