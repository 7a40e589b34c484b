"""Edit a policy's YAML text in place, keeping its comments and layout.

The dashboard's policy form changes a few values (thresholds, word lists, pages, preset
reasons, the version and its date). Rewriting the whole document would drop the comments that
explain the directive, so each change replaces only the text of the value it touches, found
through PyYAML's node marks; a key that is missing is added on its own line under its mapping.
The result is checked by parsing it again: when it does not read back as the intended
document (an anchor, an odd layout), the whole document is written anew instead and the caller
is told that comments were not kept.

Every function here is pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from vigie.store.policy_versions import normalise_newlines

__all__ = ["Path", "apply_changes"]

#: A place in the document: keys of mappings and indices of sequences.
Path = tuple[str | int, ...]


def _dump(value: Any) -> str:
    """One-line YAML for ``value`` (flow style for collections)."""
    out = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False,
                         width=1 << 30)
    return out.removesuffix("\n").removesuffix("\n...").strip()


def _block_dump(value: Any, column: int) -> str:
    """Block-style YAML for a non-empty collection starting at ``column``."""
    lines = yaml.safe_dump(value, default_flow_style=False, allow_unicode=True,
                           sort_keys=False, width=100).rstrip("\n").split("\n")
    return ("\n" + " " * column).join(lines)


def _end(node: yaml.Node) -> int:
    """Where ``node``'s own text ends (a block collection: at its last item, not after)."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _end(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _end(node.value[-1])
    return int(node.end_mark.index)


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == key), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]  # type: ignore[no-any-return]
    return None


def _unshare(data: Any) -> Any:
    """A copy where no two places share an object (a YAML alias loads as one shared object)."""
    if isinstance(data, dict):
        return {k: _unshare(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_unshare(v) for v in data]
    return data


def _get(data: Any, path: Path) -> Any:
    for key in path:
        data = data[key]
    return data


def _set(data: Any, path: Path, value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {}) if isinstance(data, dict) else data[key]
    data[path[-1]] = value


def _patch_one(text: str, path: Path, value: Any) -> str:
    """``text`` with the value at ``path`` replaced (or added); raises ``ValueError`` if lost."""
    document = yaml.compose(text, Loader=yaml.SafeLoader)
    if document is None:
        raise ValueError("empty document")
    node: yaml.Node = document
    depth = 0
    for depth, key in enumerate(path):  # noqa: B007 (depth is used after the loop)
        found = _child(node, key)
        if found is None:
            break
        node = found
    else:
        start, end = int(node.start_mark.index), _end(node)
        block = (isinstance(node, yaml.SequenceNode | yaml.MappingNode) and not node.flow_style
                 and isinstance(value, list | dict) and value)
        new = _block_dump(value, int(node.start_mark.column)) if block else _dump(value)
        return text[:start] + new + text[end:]
    # ``path[depth]`` is missing under ``node``: add it, with what lies below it.
    if not isinstance(node, yaml.MappingNode):
        raise ValueError(f"cannot add {path[depth]!r} under a {type(node).__name__}")
    nested: Any = value
    for key in reversed(path[depth + 1:]):
        nested = {key: nested}
    if node.flow_style or not node.value:
        whole = yaml.safe_load(text[node.start_mark.index:_end(node)]) or {}
        whole[path[depth]] = nested
        return text[:node.start_mark.index] + _dump(whole) + text[_end(node):]
    column = int(node.value[0][0].start_mark.column)
    end = _end(node.value[-1][1])
    at = end - 1 if text[end - 1:end] == "\n" else text.find("\n", end)
    at = len(text) if at < 0 else at
    return text[:at] + "\n" + " " * column + f"{_dump(path[depth])}: {_dump(nested)}" + text[at:]


def apply_changes(text: str, changes: Mapping[Path, Any]) -> tuple[str, bool]:
    """Apply ``changes`` to a YAML document's text.

    Args:
        text: the document (line endings are normalised first).
        changes: per path, the new value; a value equal to the current one leaves the text
            alone.

    Returns:
        The new text, and whether comments and layout were kept (``False``: the document was
        written anew because the in-place edit did not read back as intended).

    Raises:
        yaml.YAMLError: ``text`` is not YAML.
    """
    text = normalise_newlines(text)
    data = yaml.safe_load(text)
    wanted = _unshare(data)
    out = text
    try:
        for path, value in changes.items():
            try:
                if _get(data, path) == value:
                    continue
            except (KeyError, IndexError, TypeError):
                pass
            _set(wanted, path, value)
            out = _patch_one(out, path, value)
        if yaml.safe_load(out) == wanted:
            return out, True
    except (ValueError, yaml.YAMLError, TypeError, KeyError, IndexError):
        pass
    for path, value in changes.items():
        _set(wanted, path, value)
    return yaml.safe_dump(wanted, allow_unicode=True, sort_keys=False, width=100), False
