"""Input records: comments, their authors and the posts they answer.

The shape follows ``shared/data/FORMAT.md`` (one JSON object per line). Records are validated
at the boundary with pydantic; anything invalid raises :class:`vigie.errors.RecordError` with a
message that names the field.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vigie.errors import RecordError

__all__ = [
    "Attachment",
    "Author",
    "Comment",
    "Platform",
    "Post",
    "parse_comment",
]


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


class Comment(_Record):
    """One comment on an official page.

    ``labels`` and ``note`` exist only in labeled sets; moderation ignores them.
    """

    id: str = Field(min_length=1)
    platform: Platform
    text: str
    created_at: datetime
    author: Author
    post: Post | None = None
    parent_id: str | None = None
    attachments: tuple[Attachment, ...] = ()
    labels: tuple[str, ...] = ()
    note: str | None = None

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("timestamp must carry a time zone (ISO-8601 with Z or an offset)")
        return value


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
