"""Links to an escalated comment: its page in the dashboard, and the comment on its platform.

The comment's own address comes first: the record's ``url``, as the platform gave it
(Facebook's ``permalink_url``, Threads' ``permalink``, WordPress's ``link``; an import's
``url``). It is used only when it is ``http``/``https`` and on a host of that platform
(:data:`PLATFORM_HOSTS`, or for WordPress the site's own host, which the comment id carries:
``wp:www.polymtl.ca/123``, written by the connector from the account's ``site_url``): a record
that claims ``https://evil.example/...`` gets no link, never a link elsewhere.

Without one, the address is rebuilt from the ids only where they name the comment
unambiguously and the platform documents the form:

* YouTube: ``https://www.youtube.com/watch?v=VIDEO&lc=COMMENT`` (the video is the post);
* X: ``https://x.com/i/web/status/ID`` (a reply is a post of its own);
* Bluesky: ``https://bsky.app/profile/DID/post/RKEY`` (from the reply's ``at://`` URI).

Elsewhere (Instagram and LinkedIn give no comment address; Facebook, Threads and WordPress
addresses need a page name, a shortcode or a slug that the ids do not hold), and for ids that
do not have the platform's shape (imports, the demo), there is no link rather than a wrong one.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from vigie.records import web_address

__all__ = ["PLATFORM_HOSTS", "consultation_path", "dashboard_url", "escalation_path",
           "platform_url"]

#: The hosts (and their subdomains) where each platform shows its comments.
PLATFORM_HOSTS: dict[str, tuple[str, ...]] = {
    "facebook": ("facebook.com",),
    "instagram": ("instagram.com",),
    "threads": ("threads.net", "threads.com"),
    "linkedin": ("linkedin.com",),
    "youtube": ("youtube.com",),
    "x": ("x.com", "twitter.com"),
    "bluesky": ("bsky.app",),
}
_WORDPRESS_ID = re.compile(r"^wp:([^/\s]+)/")

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


def _own_url(platform: str, comment_id: str, url: str | None) -> str | None:
    """``url`` when it is a web address on a host of ``platform``, else ``None`` (pure)."""
    address = web_address(url)
    if address is None:
        return None
    host = (urlsplit(address).hostname or "").lower().rstrip(".")
    if platform == "wordpress":
        site = _WORDPRESS_ID.match(comment_id)
        return address if site and host == site.group(1).lower().split(":")[0] else None
    hosts = PLATFORM_HOSTS.get(platform, ())
    return address if any(host == h or host.endswith(f".{h}") for h in hosts) else None


def platform_url(platform: str, comment_id: str, post_id: str | None = None,
                 url: str | None = None) -> str | None:
    """The comment's address on its platform, or ``None`` where none is known (pure).

    Args:
        platform: the comment's platform (``youtube``, ``x``...).
        comment_id: Vigie's comment id (``yt:Ugx...``).
        post_id: Vigie's id of the post it answers, when known.
        url: the record's own ``url``, when it has one; used only on the platform's host.
    """
    own = _own_url(platform, comment_id, url)
    if own is not None:
        return own
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
