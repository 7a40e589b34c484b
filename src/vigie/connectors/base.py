"""The connector port: what every platform connector offers, and how actions map onto it.

A connector does two things: it *fetches* new comments from one account (with an opaque
cursor the store keeps between runs) and it *applies* platform operations (hide, delete,
reject, block...). Platforms differ: YouTube has no hide but can hold a comment for review;
X can hide a reply but cannot block on most plans; Instagram has no block API at all. Each
connector declares its :class:`Capabilities`, and :func:`map_action` turns the policy's action
into the strongest operations the platform allows **without ever exceeding** what the policy
asked for (a hide never becomes a delete), recording any degradation in an
:class:`ActionMapping` that is stored with the decision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from vigie.actions import Action
from vigie.connectors.errors import NotFound
from vigie.connectors.http import ApiClient
from vigie.records import Comment, Platform

__all__ = [
    "ActionMapping",
    "ActionOutcome",
    "Capabilities",
    "ChecksEffects",
    "Connector",
    "FetchResult",
    "OneCallPerAction",
    "Operation",
    "PlatformAction",
    "apply_in_turn",
    "map_action",
    "native_id",
    "vigie_id",
]


class Operation(StrEnum):
    """An operation a platform can perform on a comment or its author.

    ``hold`` puts a comment back into a review queue, off public view (YouTube
    ``heldForReview``); ``reject`` removes it for good (YouTube ``rejected``);
    ``block_author`` blocks or bans the author from the page/channel (Bluesky: a block
    record, or a mute where the account is configured so).
    """

    HIDE = "hide"
    UNHIDE = "unhide"
    HOLD = "hold"
    PUBLISH = "publish"
    DELETE = "delete"
    REJECT = "reject"
    BLOCK_AUTHOR = "block_author"
    UNBLOCK_AUTHOR = "unblock_author"
    #: Report the comment to the platform's moderators (Bluesky: ``createReport``), where the
    #: page cannot take it down network-wide itself. Never chosen by :func:`map_action`.
    REPORT = "report"
    #: Post a public reply under the comment, as the account (:mod:`vigie.connectors.replies`).
    #: Never chosen by :func:`map_action`: a person writes every reply.
    REPLY = "reply"


#: Operations that take the comment off public view.
TAKEDOWN_OPERATIONS = frozenset(
    {Operation.HIDE, Operation.HOLD, Operation.DELETE, Operation.REJECT})


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What one connector can do on its platform.

    Attributes:
        operations: the operations its client implements *and* its account may use.
        remove_as: the operation the policy's ``remove`` means here (Facebook: ``hide`` by
            default, reversible on appeal; YouTube: ``reject``; Instagram: ``delete``).
        push: the platform pushes new comments by webhook (Facebook, Instagram).
        batch_size: most comments one operation call can carry (YouTube: 50; others: 1).
        standalone_block: an author can be blocked on its own; ``False`` where a ban only
            exists together with the removal of one of the author's comments (YouTube's
            ``rejected`` + ``banAuthor``).
    """

    operations: frozenset[Operation]
    remove_as: Operation
    push: bool = False
    batch_size: int = 1
    standalone_block: bool = True

    def __post_init__(self) -> None:
        if self.remove_as not in self.operations:
            raise ValueError(f"remove_as {self.remove_as} is not among {sorted(self.operations)}")

    def supports(self, *operations: Operation) -> bool:
        """Whether every operation of ``operations`` is available."""
        return all(op in self.operations for op in operations)


@dataclass(frozen=True, slots=True)
class ActionMapping:
    """How a policy action became platform operations; stored with the decision for audit.

    Attributes:
        requested: the policy's action.
        operations: what the connector will do, in order (may be empty).
        degraded: the platform could not do what the policy asked; a weaker equivalent (or
            nothing) was chosen and a human should look.
        note: one sentence saying why, in English.
    """

    requested: Action
    operations: tuple[Operation, ...]
    degraded: bool
    note: str

    @property
    def takes_down(self) -> bool:
        """Whether the operations take the comment off public view."""
        return any(op in TAKEDOWN_OPERATIONS for op in self.operations)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (pure)."""
        return {
            "requested": self.requested.value,
            "operations": [op.value for op in self.operations],
            "degraded": self.degraded,
            "note": self.note,
        }


def _removal_ladder(caps: Capabilities) -> list[tuple[Operation, ...]]:
    # Strongest first, never stronger than a removal: the configured meaning of "remove", then
    # the irreversible removals, then the reversible take-downs.
    ladder: list[tuple[Operation, ...]] = [(caps.remove_as,)]
    for op in (Operation.REJECT, Operation.DELETE, Operation.HIDE, Operation.HOLD):
        if (op,) not in ladder:
            ladder.append((op,))
    return ladder


def _ladder(action: Action, caps: Capabilities) -> list[tuple[Operation, ...]]:
    if action is Action.REVIEW:
        return [(Operation.HOLD,)]
    if action is Action.HIDE:
        # A hide must stay reversible: hold (off view, reversible) is its only substitute.
        return [(Operation.HIDE,), (Operation.HOLD,)]
    removal = _removal_ladder(caps)
    if action is Action.REMOVE:
        return removal
    # BLOCK: a removal plus a block of the author; without a block, the removal alone.
    return [(*step, Operation.BLOCK_AUTHOR) for step in removal] + removal


def map_action(action: Action, caps: Capabilities) -> ActionMapping:
    """Map the policy's ``action`` onto the strongest operations ``caps`` allow (pure).

    Never maps to something stronger than asked: ``hide`` never becomes ``delete``. ``review``
    holds the comment where the platform can (YouTube) and otherwise leaves it up, queued for a
    human in Vigie: removing legitimate speech is a failure too (directive 6.2).
    """
    if action in (Action.ALLOW, Action.ESCALATE):
        note = "nothing to do on the platform" if action is Action.ALLOW else (
            "left up; routed to the community manager")
        return ActionMapping(action, (), False, note)
    ladder = _ladder(action, caps)
    for rank, step in enumerate(ladder):
        if caps.supports(*step):
            degraded = rank > 0
            ops = ", ".join(op.value for op in step)
            note = f"{action.value} applied as {ops}"
            if degraded:
                note += f" (the platform cannot {' + '.join(o.value for o in ladder[0])})"
            return ActionMapping(action, step, degraded, note)
    if action is Action.REVIEW:
        return ActionMapping(action, (), False,
                             "no hold on this platform: left up, queued for human review")
    return ActionMapping(action, (), True,
                         f"the platform allows no equivalent of {action.value}: left up, "
                         "a human must act")


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One step of a fetch.

    Attributes:
        comments: new comments, oldest first where the platform allows.
        cursor: the opaque cursor to store *after* these comments are ingested; passing it to
            the next :meth:`Connector.fetch` resumes right after them.
        more: another page is available now (call again at once rather than waiting).
    """

    comments: tuple[Comment, ...]
    cursor: str | None
    more: bool


@dataclass(frozen=True, slots=True)
class PlatformAction:
    """Operations to apply to one comment.

    Attributes:
        comment_id: Vigie's id of the comment (``fb:<graph id>``...).
        operations: from :func:`map_action`, in order.
        author_id: Vigie's id of the author (``fb:<user id>``), needed to block.
        post_id: Vigie's id of the post, needed where the platform asks for it.
    """

    comment_id: str
    operations: tuple[Operation, ...]
    author_id: str | None = None
    post_id: str | None = None


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """What the platform did.

    Attributes:
        comment_id: as in the request.
        done: the operations that succeeded (or were already in effect).
        skipped: operations not applied, with the reason (object gone, not allowed...).
    """

    comment_id: str
    done: tuple[Operation, ...] = ()
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Every requested operation is in effect."""
        return not self.skipped


def apply_in_turn(
    action: PlatformAction, perform: Callable[[Operation], str | None], *, gone: str
) -> ActionOutcome:
    """Apply ``action``'s operations one platform call at a time, in order.

    For platforms that moderate one comment per call (Facebook, Instagram, X). ``perform``
    carries out one operation and returns ``None`` once it is in effect, or the reason it was
    not applied (not supported, author unknown). An object already gone is reported, not
    raised: a :class:`~vigie.connectors.errors.NotFound` from ``perform`` skips that operation
    with the reason ``"<gone> (<error code>)"`` and the next operation is tried.

    Raises:
        ConnectorError: any other error from ``perform``, unchanged (AuthExpired, RateLimited,
            TransientError: the caller retries the whole action later).
    """
    done: list[Operation] = []
    skipped: dict[str, str] = {}
    for op in action.operations:
        try:
            reason = perform(op)
        except NotFound as error:
            skipped[op.value] = f"{gone} ({error.code})"
            continue
        if reason is None:
            done.append(op)
        else:
            skipped[op.value] = reason
    return ActionOutcome(action.comment_id, tuple(done), skipped)


@runtime_checkable
class Connector(Protocol):
    """One platform account: fetch its new comments, apply operations to them.

    Implementations are used from one thread at a time. They never log tokens.
    """

    name: str
    platform: Platform
    capabilities: Capabilities

    def fetch(self, cursor: str | None) -> FetchResult:
        """Fetch the next comments after ``cursor`` (``None``: from the configured start).

        Raises:
            ConnectorError: see :mod:`vigie.connectors.errors`.
        """
        ...

    def apply(self, action: PlatformAction) -> ActionOutcome:
        """Apply ``action``'s operations; idempotent (hiding a hidden comment is a success).

        Raises:
            AuthExpired, RateLimited, TransientError: the action may be retried later.
        """
        ...

    def apply_many(self, actions: Sequence[PlatformAction]) -> list[ActionOutcome]:
        """Apply several actions, batching calls where the platform allows (YouTube)."""
        ...

    def close(self) -> None:
        """Release the HTTP client."""
        ...


@runtime_checkable
class ChecksEffects(Protocol):
    """A connector that can read whether an action's effect is already on the platform.

    The outbox asks before it sends again an action whose earlier attempt was interrupted (a
    crash between the platform call and the record of its answer), so no call is repeated.
    """

    def in_effect(self, action: PlatformAction) -> bool | None:
        """``True``: every operation is in effect; ``False``: not; ``None``: cannot tell.

        Raises:
            ConnectorError: the platform could not be asked (treated as ``None``).
        """
        ...


_PREFIX = {
    Platform.FACEBOOK: "fb",
    Platform.INSTAGRAM: "ig",
    Platform.YOUTUBE: "yt",
    Platform.X: "x",
    Platform.LINKEDIN: "li",
    Platform.WORDPRESS: "wp",
    Platform.BLUESKY: "bsky",
    Platform.THREADS: "th",
}


def vigie_id(platform: Platform, native: str) -> str:
    """Vigie's id for a platform object: ``fb:123_456`` (pure)."""
    return f"{_PREFIX[platform]}:{native}"


def native_id(platform: Platform, vid: str) -> str:
    """The platform's own id from Vigie's id (pure).

    Raises:
        ValueError: ``vid`` does not carry this platform's prefix.
    """
    prefix = _PREFIX[platform] + ":"
    if not vid.startswith(prefix):
        raise ValueError(f"{vid!r} is not a {platform.value} id (expected prefix {prefix!r})")
    return vid[len(prefix):]


class OneCallPerAction:
    """Shared by connectors whose API moderates one comment per call (Graph API, X).

    Subclasses set ``self.api`` and implement ``apply``; a batch is applied one action at a
    time, and closing the connector closes its injected HTTP client.
    """

    api: ApiClient

    def apply(self, action: PlatformAction) -> ActionOutcome:
        """Apply one action (implemented by each connector)."""
        raise NotImplementedError

    def apply_many(self, actions: Sequence[PlatformAction]) -> list[ActionOutcome]:
        """Apply each action with its own call: the platform has no batch moderation call."""
        return [self.apply(a) for a in actions]

    def close(self) -> None:
        """Close the injected HTTP client."""
        self.api.client.close()
