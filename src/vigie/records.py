"""Input records: comments, their authors and the posts they answer.

The shape follows ``shared/data/FORMAT.md`` (one JSON object per line). Records are validated
at the boundary with pydantic; anything invalid raises :class:`vigie.errors.RecordError` with a
message that names the field.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vigie.errors import RecordError

__all__ = [
    "Attachment",
    "Author",
    "Comment",
    "Platform",
    "Post",
    "parse_comment",
    "stored_url",
    "web_address",
]

#: Longest comment address accepted (browsers and proxies cut longer ones).
MAX_URL = 2048


class Platform(StrEnum):
    """Platforms Vigie moderates."""

    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    YOUTUBE = "youtube"
    X = "x"
    LINKEDIN = "linkedin"
    WORDPRESS = "wordpress"
    BLUESKY = "bluesky"
    THREADS = "threads"


class _Record(BaseModel):
    # Unknown keys are ignored (platforms add fields), but known keys are strictly typed.
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=False)


class Author(_Record):
    """The account that posted a comment."""

    id: str = Field(min_length=1)
    name: str = ""
    handle: str | None = None
    created_at: datetime | None = None
    verified: bool = False
    default_avatar: bool = False
    followers: int | None = Field(default=None, ge=0)
    posts_last_24h: int | None = Field(default=None, ge=0)
    via: str | None = None


class Post(_Record):
    """The official post a comment answers."""

    id: str = Field(min_length=1)
    text: str = ""
    links: tuple[str, ...] = ()


class Attachment(_Record):
    """An image, video or link preview attached to a comment.

    ``type`` is ``image``, ``gif``, ``sticker``, ``video`` or ``link`` (a link preview with
    the linked page's ``title`` and ``description``); see :mod:`vigie.media.attachments`.
    ``url`` or ``path`` (a local file, for imports) locates the content; ``mime`` is its
    type when the source states it.
    """

    type: str = Field(min_length=1)
    url: str | None = None
    path: str | None = None
    title: str | None = None
    description: str | None = None
    mime: str | None = None


def web_address(value: Any) -> str | None:
    """``value`` when it is an ``http``/``https`` address with a host, else ``None`` (pure).

    At most :data:`MAX_URL` characters, no whitespace or control character, no user name or
    password before the host (``https://facebook.com@evil.example/`` goes to evil.example).
    Connectors pass what the platform gave through it, so a strange value costs the link,
    never the comment.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_URL:
        return None
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host or "@" in parts.netloc:
        return None
    return value


class Comment(_Record):
    """One comment on an official page.

    ``url`` is the comment's address as its platform gives it (Facebook's ``permalink_url``,
    Threads' ``permalink``, WordPress's ``link``), when it gives one; only ``http`` and
    ``https`` addresses are accepted. ``labels`` and ``note`` exist only in labeled sets;
    moderation ignores them.
    """

    id: str = Field(min_length=1)
    platform: Platform
    text: str
    created_at: datetime
    author: Author
    post: Post | None = None
    parent_id: str | None = None
    url: str | None = None
    attachments: tuple[Attachment, ...] = ()
    labels: tuple[str, ...] = ()
    note: str | None = None

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("timestamp must carry a time zone (ISO-8601 with Z or an offset)")
        return value

    @field_validator("url")
    @classmethod
    def _web(cls, value: str | None) -> str | None:
        if value is not None and web_address(value) is None:
            raise ValueError(f"must be an http or https address of at most {MAX_URL} "
                             "characters, without spaces")
        return value


def stored_url(payload: str | None) -> str | None:
    """The ``url`` of a stored record (a :class:`Comment`'s JSON), or ``None`` (pure).

    ``None`` too once the payload is purged (retention, erasure) or when it is not JSON.
    """
    if not payload:
        return None
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    return web_address(data.get("url")) if isinstance(data, dict) else None


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "record"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_comment(data: Any, *, line: int | None = None, raw: str | None = None) -> Comment:
    """Validate one decoded record into a :class:`Comment`.

    Args:
        data: the decoded JSON object (a dict).
        line: 1-based line number, for the error message.
        raw: the raw text, kept on the error so rejects lose nothing.

    Raises:
        RecordError: the record is not an object or a field is missing or invalid.
    """
    if not isinstance(data, dict):
        raise RecordError(
            f"expected a JSON object, got {type(data).__name__}", line=line, raw=raw
        )
    try:
        return Comment.model_validate(data)
    except ValidationError as error:
        raise RecordError(_describe(error), line=line, raw=raw) from None
