"""What a platform lets Vigie undo: restoring a comment taken down, lifting a block (pure).

An automatic takedown is undone through the outbox like any other platform action, but not
every platform can put a comment back: a YouTube rejection and a LinkedIn deletion are final,
and YouTube offers no unban through its API. The dashboard says so *before* the reviewer
confirms, in the reviewer's language, instead of letting the outbox fail silently later.

What was actually done comes from the outbox row's result (the sink records the operations it
applied); while the action is still pending, the connector's default mapping for that
platform (:func:`vigie.connectors.base.map_action` over the default capabilities) stands in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from vigie.actions import Action
from vigie.connectors.base import Capabilities, Operation, map_action

__all__ = ["DEFAULT_CAPABILITIES", "Reversal", "applied_operations", "reversal_for"]

#: Each connector's capabilities with its default settings (Facebook and Instagram remove as
#: ``hide``, reversible; YouTube rejects; LinkedIn only deletes; X hides replies).
DEFAULT_CAPABILITIES: dict[str, Capabilities] = {
    "facebook": Capabilities(frozenset({Operation.HIDE, Operation.UNHIDE, Operation.DELETE,
                                        Operation.BLOCK_AUTHOR, Operation.UNBLOCK_AUTHOR}),
                             Operation.HIDE),
    "instagram": Capabilities(frozenset({Operation.HIDE, Operation.UNHIDE, Operation.DELETE}),
                              Operation.HIDE),
    "youtube": Capabilities(frozenset({Operation.HOLD, Operation.PUBLISH, Operation.REJECT,
                                       Operation.BLOCK_AUTHOR}), Operation.REJECT,
                            standalone_block=False),
    "x": Capabilities(frozenset({Operation.HIDE, Operation.UNHIDE, Operation.BLOCK_AUTHOR,
                                 Operation.UNBLOCK_AUTHOR}), Operation.HIDE),
    "linkedin": Capabilities(frozenset({Operation.DELETE}), Operation.DELETE),
}

#: Takedowns a platform can reverse, and the operation that reverses each.
_REVERSES = {Operation.HIDE: Operation.UNHIDE, Operation.HOLD: Operation.PUBLISH}
_FINAL = frozenset({Operation.DELETE, Operation.REJECT})
_KNOWN = frozenset(op.value for op in Operation)

Undo = Literal["restore", "unblock"]


@dataclass(frozen=True, slots=True)
class Reversal:
    """Whether an undo reaches the platform, and why not.

    Attributes:
        kind: ``restore`` (the comment goes back up) or ``unblock`` (the author's block ends).
        on_platform: the platform can do it; the outbox will apply it.
        reason: an i18n key under ``undo.`` saying what happens (``undo.final_youtube``...).
        operations: the takedown operations that were (or would be) applied.
    """

    kind: Undo
    on_platform: bool
    reason: str
    operations: tuple[str, ...]


def applied_operations(result: str | None) -> tuple[str, ...] | None:
    """The operations an outbox row's ``result`` says were applied (``None``: not known; pure).

    The sink stores ``{"requested", "operations", "degraded", "note"}``; anything else (an
    older format, an error text) counts as unknown.
    """
    try:
        data = json.loads(result) if result else None
    except ValueError:
        return None
    ops = data.get("operations") if isinstance(data, dict) else None
    if not isinstance(ops, list) or not all(isinstance(o, str) for o in ops):
        return None
    return tuple(ops)


def _takedown_ops(platform: str, action: Action, applied: tuple[str, ...] | None) -> set[str]:
    if applied is not None:
        return {op for op in applied if op in _KNOWN}
    caps = DEFAULT_CAPABILITIES.get(platform)
    if caps is None:
        return set()
    return {op.value for op in map_action(action, caps).operations}


def reversal_for(platform: str, action: Action | str, kind: Undo,
                 applied: tuple[str, ...] | None = None) -> Reversal:
    """What undoing ``action`` on ``platform`` does there (pure).

    Args:
        platform: the comment's platform.
        action: the automatic action (``hide``, ``remove`` or ``block``).
        kind: ``restore`` or ``unblock``.
        applied: operations the outbox applied for the takedown, when known.
    """
    action = Action(action)
    caps = DEFAULT_CAPABILITIES.get(platform)
    ops = _takedown_ops(platform, action, applied)
    if kind == "unblock":
        if Operation.BLOCK_AUTHOR.value not in ops:
            return Reversal(kind, False, "undo.no_block_applied", tuple(sorted(ops)))
        if caps is not None and Operation.UNBLOCK_AUTHOR in caps.operations:
            return Reversal(kind, True, "undo.unblock_ok", tuple(sorted(ops)))
        return Reversal(kind, False, f"undo.no_unblock_{platform}", tuple(sorted(ops)))
    taken = {op for op in ops if op != Operation.BLOCK_AUTHOR.value}
    if not taken:
        return Reversal(kind, False, "undo.nothing_taken_down", tuple(sorted(ops)))
    final = sorted(op for op in taken if Operation(op) in _FINAL)
    if final:
        key = f"undo.final_{platform}" if platform in ("youtube", "linkedin") else "undo.final"
        return Reversal(kind, False, key, tuple(sorted(ops)))
    reversible = all(
        caps is None or _REVERSES[Operation(op)] in caps.operations
        for op in taken if Operation(op) in _REVERSES)
    if reversible:
        return Reversal(kind, True, "undo.restore_ok", tuple(sorted(ops)))
    return Reversal(kind, False, "undo.final", tuple(sorted(ops)))
