"""Cursor state: the small JSON document a connector hands to the store between fetches.

Cursors are opaque to the store (a string), versioned here so that a connector upgrade can
read a cursor written by the previous version or refuse it clearly.
"""

from __future__ import annotations

import json
from typing import Any

from vigie.connectors.errors import ConfigError

__all__ = ["dump_state", "load_state"]

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
