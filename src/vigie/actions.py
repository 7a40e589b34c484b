"""The closed set of moderation actions, ordered by strength."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["REMOVING_ACTIONS", "Action", "strongest"]


class Action(StrEnum):
    """What Vigie does with a comment, weakest first.

    ``escalate`` leaves the comment up and routes it to the community manager (directive 6.1);
    ``review`` holds it for a human; ``hide`` and ``remove`` take it down (section 7);
    ``block`` takes it down and blocks the author.
    """

    ALLOW = "allow"
    ESCALATE = "escalate"
    REVIEW = "review"
    HIDE = "hide"
    REMOVE = "remove"
    BLOCK = "block"

    @property
    def strength(self) -> int:
        """Rank of the action, 0 for ``allow`` up to 5 for ``block``."""
        return _ORDER.index(self)


_ORDER = list(Action)

#: Actions that take the comment off the page: what counts as a removal in the false-removal rate.
REMOVING_ACTIONS = frozenset({Action.HIDE, Action.REMOVE, Action.BLOCK})


def strongest(*actions: Action) -> Action:
    """Return the strongest of ``actions`` (``allow`` when none); pure."""
    return max(actions, key=lambda a: a.strength, default=Action.ALLOW)
