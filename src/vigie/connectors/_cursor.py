"""Cursor state: the small JSON document a connector hands to the store between fetches.

Cursors are opaque to the store (a string), versioned here so that a connector upgrade can
read a cursor written by the previous version or refuse it clearly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from vigie.connectors.errors import ConfigError

__all__ = ["dump_state", "load_state", "pass_state"]

_VERSION = 1


def load_state(cursor: str | None, *, connector: str) -> dict[str, Any]:
    """Decode a cursor written by :func:`dump_state` (``None``: a fresh, empty state); pure.

    Raises:
        ConfigError: the cursor is not one of ours (corrupted, or from an unknown version).
    """
    if cursor is None or cursor == "":
        return {}
    try:
        state = json.loads(cursor)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{connector}: stored cursor is not valid JSON ({error.msg}); "
                          "reset it to start over") from None
    if not isinstance(state, dict) or state.get("v") != _VERSION:
        raise ConfigError(f"{connector}: stored cursor has an unknown version; reset it to "
                          "start over")
    return state


def dump_state(state: dict[str, Any]) -> str:
    """Encode ``state`` as a compact, key-sorted cursor string (pure)."""
    return json.dumps({**state, "v": _VERSION}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


def pass_state(state: dict[str, Any], key: str, targets: Callable[[], Sequence[str]]
               ) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The per-target watermarks under ``key`` and the queue of targets of the current pass.

    An empty queue starts a new pass: ``targets()`` lists them (the connector's own posts or
    conversations), and the watermarks of targets no longer listed are dropped (old posts
    leave the window). The returned queue is empty only when there is nothing to read.
    """
    marks: dict[str, dict[str, Any]] = {k: dict(v) for k, v in state.get(key, {}).items()}
    queue: list[str] = list(state.get("queue", []))
    if not queue:
        queue = list(targets())
        marks = {k: v for k, v in marks.items() if k in queue}
    return marks, queue
