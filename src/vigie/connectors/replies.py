"""Replying to a comment as the account: the port each platform connector implements.

A reply is the one platform call that is not idempotent: posting it twice shows it twice. So:

* the outbox carries it with an idempotency key and its exact text
  (:mod:`vigie.store.replies`);
* the connector posts it with ``resend=False`` (:meth:`~vigie.connectors.http.ApiClient.request`):
  a 429 is waited out and sent again, since the platform did nothing; a 5xx or a lost answer is
  not, since the reply may be up;
* before posting again an attempt that may have reached the platform (a retry after such an
  error, or an action left *in doubt* by a crash), the sink asks the connector to
  :meth:`Replier.find_reply`: the account's own reply to that comment with that text. Found,
  it is recorded as posted, with its id, and nothing is sent.

Where the platform or the account cannot reply, the connector leaves ``reply`` out of its
capabilities and the outbox records the action as failed with the reason, for a human: never
dropped silently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["Replier", "ReplyRequest", "record_key", "same_text"]


@dataclass(frozen=True, slots=True)
class ReplyRequest:
    """A reply to post.

    Attributes:
        comment_id: Vigie's id of the comment answered (``fb:...``).
        text: the text, exactly as queued.
        key: the outbox idempotency key (Bluesky derives the record key from it).
        post_id: Vigie's id of the post the comment is under, when known.
        planned_at: when the reply was queued (aware; Bluesky's record key and ``createdAt``).
    """

    comment_id: str
    text: str
    key: str
    post_id: str | None = None
    planned_at: dt.datetime | None = None


@runtime_checkable
class Replier(Protocol):
    """A connector that can post a reply under a comment and find one already posted."""

    def reply(self, request: ReplyRequest) -> str:
        """Post the reply; return Vigie's id of the new reply (``fb:<id>``...).

        Raises:
            NotFound: the comment is gone.
            PermissionDenied, ApiError: the platform refuses (hidden comment, no permission).
            AuthExpired, RateLimited, TransientError: try again later (after
                :meth:`find_reply`).
        """
        ...

    def find_reply(self, request: ReplyRequest) -> str | None:
        """Vigie's id of the account's reply to the comment with this text, if posted.

        Raises:
            ConnectorError: the platform could not be asked.
        """
        ...


_SPACES = re.compile(r"\s+")
_URL = re.compile(r"https?://\S+")


def same_text(posted: str, queued: str) -> bool:
    """Whether a reply read back from a platform is the text queued (pure).

    Platforms normalise what they store: Unicode composition, runs of blanks, and (X,
    LinkedIn) links rewritten through a shortener. The comparison ignores those, and nothing
    else.
    """

    def norm(text: str) -> str:
        text = _URL.sub("<url>", unicodedata.normalize("NFC", text))
        return _SPACES.sub(" ", text).strip()

    return norm(posted) == norm(queued)


_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def record_key(key: str, when: dt.datetime) -> str:
    """An AT Protocol record key (a TID) that is the same for every attempt of one reply (pure).

    A TID is 64 bits written in 13 base32-sortable characters: a zero bit, the microseconds
    since the epoch (``when``, the time the reply was queued), and a 10-bit clock id (here
    taken from the idempotency ``key``). Posting with it makes a repeated ``createRecord``
    fail rather than post twice, and lets ``getRecord`` tell whether the reply is up.
    """
    micros = (when - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    clock = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:2], "big") & 0x3FF
    value = ((micros & ((1 << 53) - 1)) << 10) | clock
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))
