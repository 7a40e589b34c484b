"""Defensive accessors for decoded JSON: platforms omit, null or change fields."""

from __future__ import annotations

from typing import Any

__all__ = ["arr", "obj"]


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (pure)."""
    return value if isinstance(value, dict) else {}


def arr(value: Any) -> list[Any]:
    """``value`` if it is a JSON array, else an empty one (pure)."""
    return value if isinstance(value, list) else []
