"""Undo an automatic action, or file an appeal, from the dashboard.

Both go through the store's public review functions, so every step lands in the hash-chained
audit log under the caller's name: an undo of a takedown nobody has reviewed yet first opens a
review item (:func:`vigie.store.queue.appeal`, recorded as ``appealed``/``review_opened`` with
the caller's reason), then resolves it (``restore`` or ``unblock``), which voids the strike,
lifts the block and plans the platform action in the outbox. Where the platform cannot undo
(:mod:`vigie.web.reversal`), the decision is still reversed in Vigie and the answer says that
the comment stays down there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vigie.errors import StoreError
from vigie.store.queue import appeal
from vigie.web.auth import Principal
from vigie.web.context import WebContext
from vigie.web.reversal import Reversal
from vigie.web.service import apply_review
from vigie.web.takedowns import Takedown, takedown

__all__ = ["UndoRefused", "UndoResult", "file_appeal", "undo_takedown"]


class UndoRefused(StoreError):
    """The undo or appeal cannot be done now; ``key`` names the reason (``undo.*`` i18n key)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True, slots=True)
class UndoResult:
    """What an undo did.

    Attributes:
        item_pk: the review item that records it.
        reversal: whether the platform applies it (through the outbox) and the reason key.
    """

    item_pk: int
    reversal: Reversal


def _load(ctx: WebContext, comment_pk: int) -> Takedown:
    with ctx.read() as conn:
        found = takedown(conn, comment_pk)
    if found is None:
        raise UndoRefused("undo.not_automatic",
                          f"comment {comment_pk} was not hidden, removed or blocked by Vigie")
    return found


def _open_item(ctx: WebContext, t: Takedown, by: str, reason: str) -> int:
    if t.item_pk is not None and t.item_state in ("open", "escalated"):
        return t.item_pk
    return appeal(ctx.store, t.comment_id, by=by, reason=reason)


def undo_takedown(ctx: WebContext, comment_pk: int, kind: Literal["restore", "unblock"],
                  principal: Principal, reason: str) -> UndoResult:
    """Restore the comment (and lift the block that came with it) or only unblock its author.

    Raises:
        UndoRefused: not an automatic action, already undone, or nothing to unblock.
        ReviewError: the store refused the transition (the item moved meanwhile).
        vigie.web.auth.Forbidden: the item is escalated and the caller cannot resolve it.
    """
    if not reason.strip():
        raise UndoRefused("undo.reason_required", "a reason is required")
    t = _load(ctx, comment_pk)
    if kind == "restore" and not t.taken_down:
        raise UndoRefused("undo.already_up", "the comment is already back up")
    if kind == "unblock" and not t.author_blocked:
        raise UndoRefused("undo.not_blocked", "the author is not blocked")
    reversal = t.restore if kind == "restore" else t.unblock
    if reversal is None:
        raise UndoRefused("undo.not_blocked", "this action blocked nobody")
    item_pk = _open_item(ctx, t, principal.actor, reason.strip())
    apply_review(ctx, item_pk, kind, principal, reason.strip())
    return UndoResult(item_pk, reversal)


def file_appeal(ctx: WebContext, comment_pk: int, principal: Principal, reason: str,
                author: str = "") -> int:
    """Appeal an automatic action on the author's behalf; the item lands in the queue.

    Args:
        ctx: the app's context.
        comment_pk: the comment taken down.
        principal: who files it.
        reason: the author's argument, in words.
        author: how the author asked (name, e-mail, message), kept in the audit trail.

    Returns:
        The review item's number.

    Raises:
        UndoRefused: not an automatic action, or already under review.
    """
    if not reason.strip():
        raise UndoRefused("undo.reason_required", "a reason is required")
    t = _load(ctx, comment_pk)
    if t.standing == "review":
        raise UndoRefused("undo.already_review", "the comment is already under review")
    if not (t.taken_down or t.author_blocked):
        raise UndoRefused("undo.already_up", "the comment is already back up")
    by = f"{principal.actor} (for {author.strip()})" if author.strip() else principal.actor
    return appeal(ctx.store, t.comment_id, by=by, reason=reason.strip())
