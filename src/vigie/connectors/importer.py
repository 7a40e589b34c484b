"""Connectors without a platform: a JSONL/CSV file import, and an in-memory replay.

Both speak the :class:`~vigie.connectors.base.Connector` protocol, so the whole run loop
(fetch → ingest → moderate → outbox → apply) can be demonstrated and tested without network:

* :class:`FileImportConnector` reads a comments file (``shared/data/FORMAT.md``) in batches; its
  cursor is the last line consumed, so an interrupted import resumes where it stopped. Applied
  operations are appended to an actions log (JSONL) when one is given.
* :class:`ReplayConnector` replays a list of comments, optionally in time (only comments whose
  ``created_at`` is not after a simulated clock), and keeps the resulting platform state
  (hidden, deleted, held, rejected, blocked) for a test or the demo to inspect.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from vigie.batch.reader import ReadResult, read_comments
from vigie.connectors._cursor import dump_state, load_state
from vigie.connectors.base import (
    ActionOutcome,
    Capabilities,
    FetchResult,
    Operation,
    PlatformAction,
)
from vigie.records import Comment, Platform

__all__ = ["ALL_OPERATIONS", "FileImportConnector", "MemoryPlatform", "ReplayConnector"]

log = logging.getLogger(__name__)

#: Everything a platform could do: the import and replay connectors simulate all of it.
ALL_OPERATIONS = frozenset(Operation)


@dataclass
class MemoryPlatform:
    """The state a simulated platform ends in; also the log of operations applied."""

    hidden: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    held: set[str] = field(default_factory=set)
    rejected: set[str] = field(default_factory=set)
    blocked: set[str] = field(default_factory=set)
    log: list[tuple[str, str]] = field(default_factory=list)  # (operation, target)

    def apply(self, action: PlatformAction) -> ActionOutcome:
        """Apply ``action`` to the state (idempotent, like the real platforms)."""
        cid, done, skipped = action.comment_id, [], {}
        for op in action.operations:
            target = cid
            if op is Operation.HIDE:
                self.hidden.add(cid)
            elif op is Operation.UNHIDE:
                self.hidden.discard(cid)
            elif op is Operation.DELETE:
                self.deleted.add(cid)
            elif op is Operation.HOLD:
                self.held.add(cid)
            elif op is Operation.PUBLISH:
                self.held.discard(cid)
            elif op is Operation.REJECT:
                self.held.discard(cid)
                self.rejected.add(cid)
            elif op in (Operation.BLOCK_AUTHOR, Operation.UNBLOCK_AUTHOR):
                if not action.author_id:
                    skipped[op.value] = "author unknown"
                    continue
                target = action.author_id
                if op is Operation.BLOCK_AUTHOR:
                    self.blocked.add(target)
                else:
                    self.blocked.discard(target)
            self.log.append((op.value, target))
            done.append(op)
        return ActionOutcome(cid, tuple(done), skipped)

    @property
    def taken_down(self) -> set[str]:
        """Comments off public view."""
        return self.hidden | self.deleted | self.held | self.rejected


def _capabilities(remove_as: Operation) -> Capabilities:
    return Capabilities(operations=ALL_OPERATIONS, remove_as=remove_as, batch_size=50)


class ReplayConnector:
    """Replay comments already in memory, as if they arrived from a platform.

    Its records keep their own platform; the outbox sink routes to it the actions of any
    platform that has no real connector (``accepts_any_platform``).
    """

    accepts_any_platform = True

    def __init__(
        self,
        name: str,
        comments: Iterable[Comment],
        *,
        platform: Platform = Platform.FACEBOOK,
        batch_size: int = 100,
        remove_as: Operation = Operation.HIDE,
        clock: Callable[[], datetime] | None = None,
        capabilities: Capabilities | None = None,
    ) -> None:
        """Build a replay.

        Args:
            name: the connector's name (its cursor's key).
            comments: the comments, replayed in ``created_at`` order (stable).
            platform: the platform the replay stands for.
            batch_size: comments per fetch.
            remove_as: what ``remove`` means here.
            clock: simulated time; only comments not after it are fetched (None: all).
            capabilities: override, to simulate a poorer platform.
        """
        self.name = name
        self.platform = platform
        self.comments = sorted(comments, key=lambda c: c.created_at)
        self.batch_size = max(1, batch_size)
        self.capabilities = capabilities or _capabilities(remove_as)
        self.state = MemoryPlatform()
        self._clock = clock

    def fetch(self, cursor: str | None) -> FetchResult:
        """Next batch after the cursor (the index of the next comment)."""
        start = int(load_state(cursor, connector=self.name).get("next", 0))
        limit = self._clock() if self._clock else None
        end = start
        while (end < len(self.comments) and end - start < self.batch_size
               and (limit is None or self.comments[end].created_at <= limit)):
            end += 1
        more = end < len(self.comments) and (
            limit is None or self.comments[end].created_at <= limit)
        return FetchResult(tuple(self.comments[start:end]), dump_state({"next": end}), more)

    def apply(self, action: PlatformAction) -> ActionOutcome:
        """Apply to the in-memory state."""
        return self.state.apply(action)

    def apply_many(self, actions: Sequence[PlatformAction]) -> list[ActionOutcome]:
        """Apply each action."""
        return [self.state.apply(a) for a in actions]

    def close(self) -> None:
        """Nothing to release."""


class FileImportConnector:
    """Import a JSONL or CSV comments file in batches; resumable by line number.

    Records keep their own platform; the outbox sink routes to it the actions of any platform
    that has no real connector (``accepts_any_platform``).
    """

    accepts_any_platform = True

    def __init__(
        self,
        name: str,
        path: Path,
        *,
        batch_size: int = 256,
        remove_as: Operation = Operation.HIDE,
        actions_log: Path | None = None,
    ) -> None:
        """Build an import.

        Args:
            name: the connector's name (its cursor's key).
            path: a ``.jsonl`` or ``.csv`` file in the format of ``shared/data/FORMAT.md``.
            batch_size: comments per fetch.
            remove_as: what ``remove`` means for this import.
            actions_log: where applied operations are appended as JSONL (None: memory only).
        """
        self.name = name
        self.platform = Platform.FACEBOOK  # records carry their own platform
        self.path = path
        self.batch_size = max(1, batch_size)
        self.capabilities = _capabilities(remove_as)
        self.state = MemoryPlatform()
        self.actions_log = actions_log
        self.rejected: list[ReadResult] = []
        self._stream: Iterator[ReadResult] | None = None
        self._position = 0  # line number of the last record the open stream yielded

    def fetch(self, cursor: str | None) -> FetchResult:
        """Next batch of valid records after the cursor's line; bad records are logged.

        Raises:
            InputError: the file cannot be opened or its format is unknown.
        """
        after = int(load_state(cursor, connector=self.name).get("line", 0))
        if self._stream is None or self._position != after:
            # Resuming elsewhere (a restart): reopen and skip what was consumed.
            self._stream, self._position = read_comments(self.path), 0
        batch: list[Comment] = []
        exhausted = True
        for result in self._stream:
            self._position = result.line
            if result.line <= after:
                continue
            if result.comment is None:
                self.rejected.append(result)
                log.warning("%s: line %d rejected: %s", self.name, result.line, result.error)
            else:
                batch.append(result.comment)
            if len(batch) >= self.batch_size:
                exhausted = False
                break
        return FetchResult(tuple(batch), dump_state({"line": self._position or after}),
                           not exhausted)

    def apply(self, action: PlatformAction) -> ActionOutcome:
        """Record the operations (and append them to the actions log)."""
        outcome = self.state.apply(action)
        if self.actions_log is not None and outcome.done:
            record = {"at": datetime.now(UTC).isoformat(), "comment_id": action.comment_id,
                      "author_id": action.author_id,
                      "operations": [op.value for op in outcome.done]}
            with self.actions_log.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return outcome

    def apply_many(self, actions: Sequence[PlatformAction]) -> list[ActionOutcome]:
        """Apply each action."""
        return [self.apply(a) for a in actions]

    def close(self) -> None:
        """Close the open file, if any."""
        if self._stream is not None and hasattr(self._stream, "close"):
            self._stream.close()
        self._stream = None
