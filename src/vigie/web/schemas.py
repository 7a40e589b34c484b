"""Request and response models of the REST API, one variant per use (create, read, update).

Inputs are strict (unknown keys refused, bounded lengths), so the OpenAPI schema states the
limits and a malformed request is a ``422`` with a message, never a server error.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vigie.records import Platform

__all__ = [
    "MAX_PK",
    "ApiError",
    "BulkActionIn",
    "BulkActionOut",
    "CheckIn",
    "CommentsIn",
    "DraftIn",
    "PageIn",
    "PageOut",
    "PasswordChangeIn",
    "PasswordResetOut",
    "Pk",
    "PolicyApproveIn",
    "PolicyProposeIn",
    "PolicyRefuseIn",
    "PolicyVersionOut",
    "ReviewActionIn",
    "SubmitOut",
    "TokenCreated",
    "TokenIn",
    "TokenOut",
    "UserIn",
    "UserOut",
]


#: Largest key a database row can have (SQLite and PostgreSQL ``BIGINT``).
MAX_PK = 2**63 - 1

#: A row key in a request: positive and storable.
Pk = Annotated[int, Field(ge=1, le=MAX_PK)]


#: The account roles (:class:`vigie.web.roles.Role`).
RoleName = Literal["auditor", "moderator", "community_manager", "admin", "privacy_officer"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApiError(BaseModel):
    """Every error answer: a stable code and a message in words."""

    code: str
    message: str


def error_responses(**more: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for a router: 401, 403, and each ``e409="why"`` given (pure)."""
    out: dict[int | str, dict[str, Any]] = {
        401: {"model": ApiError, "description": "no or invalid credential"},
        403: {"model": ApiError,
              "description": "the role lacks the permission, or no CSRF token"},
    }
    for key, text in more.items():
        out[int(key.removeprefix("e"))] = {"model": ApiError, "description": text}
    return out


class CheckIn(_In):
    """A text to judge without storing it."""

    text: str = Field(max_length=20_000)
    post: str = Field("", max_length=20_000, description="text of the post it answers")
    post_links: list[str] = Field(default_factory=list, max_length=50)
    platform: Platform = Platform.FACEBOOK


class DraftIn(_In):
    """A draft to check before publishing (6.1, 6.3, 6.4); nothing is stored."""

    text: str = Field(min_length=1, max_length=20_000)
    speaker: str = Field(min_length=1, max_length=255,
                         description="who would publish it: @handle, platform:handle, page "
                                     "URL or e-mail address")
    platform: Platform = Platform.FACEBOOK


class CommentsIn(_In):
    """Comments to store and moderate (records in the format of ``shared/data/FORMAT.md``)."""

    comments: list[dict[str, Any]] = Field(min_length=1, max_length=1000)


class SubmitOut(BaseModel):
    """The decision of each submitted comment, in order."""

    decisions: list[dict[str, Any]]


ReviewVerb = Literal["approve", "restore", "remove", "block", "unblock", "escalate", "comment"]


class ReviewActionIn(_In):
    """A reviewer's action on a queue item."""

    action: ReviewVerb
    reason: str = Field(min_length=1, max_length=2000)


class BulkActionIn(_In):
    """The same action on several queue items."""

    items: list[Pk] = Field(min_length=1, max_length=500)
    action: ReviewVerb
    reason: str = Field(min_length=1, max_length=2000)


class BulkActionOut(BaseModel):
    """Which items were acted on and which were refused (with why)."""

    done: list[int]
    refused: dict[str, str]


class PolicyProposeIn(_In):
    """A new version of the policy file."""

    yaml_text: str = Field(min_length=1, max_length=500_000)
    effective_date: dt.date | None = None


class PolicyApproveIn(_In):
    """The approval of a proposed version (section 9)."""

    reference: str = Field(min_length=1, max_length=255)
    body: str | None = Field(None, max_length=255)


class PolicyRefuseIn(_In):
    """The refusal of a proposed version, with the reason (section 9)."""

    note: str = Field(min_length=1, max_length=1000)


class PolicyVersionOut(BaseModel):
    """A stored policy version."""

    digest: str
    policy_id: str
    version: str
    effective_date: dt.date
    origin: str
    proposed_by: str
    proposed_at: dt.datetime
    approved_by: str | None
    reference: str | None
    approved_at: dt.datetime | None
    in_force: bool = False
    #: Who refused the proposal and why (section 9); ``None`` while it is open or approved.
    refused_by: str | None = None
    refusal_note: str | None = None


class PageIn(_In):
    """An official page to add to the registry."""

    platform: Platform
    page_id: str = Field(min_length=1, max_length=255)
    name: str = Field(min_length=1, max_length=255)
    url: str | None = Field(None, max_length=2000)


class PageOut(BaseModel):
    """An official page of the registry."""

    pk: int
    platform: str
    page_id: str
    name: str
    url: str | None
    active: bool
    added_at: dt.datetime
    added_by: str


class UserIn(_In):
    """A new account."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=10, max_length=1024)
    role: RoleName
    display_name: str | None = Field(None, max_length=255)


class UserOut(BaseModel):
    """An account (never its password hash)."""

    pk: int
    username: str
    display_name: str
    role: str
    active: bool


class TokenIn(_In):
    """A new API token for an integration."""

    name: str = Field(min_length=1, max_length=255)
    role: RoleName | None = None
    expires_at: dt.datetime | None = None


class TokenOut(BaseModel):
    """An API token's metadata."""

    pk: int
    name: str
    prefix: str
    role: str
    user_pk: int
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    """A new token: the secret is shown this once and never again."""

    secret: str


class PasswordChangeIn(_In):
    """A change of the caller's own password (the current one proves it is the holder)."""

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=10, max_length=1024,
                              description="at least 10 characters, not the current one")


class PasswordResetOut(BaseModel):
    """A reset: the temporary password is in this answer only and must be changed at sign-in."""

    username: str
    temporary_password: str
    must_change_password: bool
    sessions_ended: int
