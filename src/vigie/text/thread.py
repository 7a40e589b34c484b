"""Thread context: what a comment answers and what its author posted just before.

Two clauses of directive 6.4 cannot be judged from a comment's text alone: "non liés au
contenu ou discussion" (j) needs the post *and the parent comment*, and a reviewer judging an
account (i) wants the author's recent comments next to the one held. :class:`ThreadIndex`
remembers recent comments by id and by author, within bounds, so that
:func:`vigie.text.prepare.prepare_batch` can attach to each prepared comment its parent and the
author's recent comments, whether they came in the same batch or in an earlier one.

Memory is bounded whatever the length of the stream: at most ``max_comments`` comments are
remembered (oldest forgotten first), at most ``max_per_author`` per author and at most
``max_authors`` authors. Time never comes from the clock: "recent" is measured between the
comments' own ``created_at`` timestamps, so replaying a file gives the same context.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from vigie.records import Comment

__all__ = ["ThreadContext", "ThreadIndex"]


@dataclass(frozen=True, slots=True)
class ThreadContext:
    """The context of one comment.

    Attributes:
        parent: the comment it replies to, when known (same batch or remembered).
        author_recent: the same author's earlier comments within the window, oldest first,
            the comment itself excluded (at most ``max_per_author`` of them).
        author_posts: how many comments the author posted within the window up to this one,
            this one included, as seen in the stream (counted up to ``max_counted``).
    """

    parent: Comment | None = None
    author_recent: tuple[Comment, ...] = ()
    author_posts: int = 0


class ThreadIndex:
    """A bounded memory of recent comments, by id and by author.

    Not thread-safe: one index per pipeline, used by one thread at a time (as detectors are).
    """

    def __init__(
        self,
        max_comments: int = 20_000,
        max_per_author: int = 20,
        max_authors: int = 20_000,
        author_window: timedelta = timedelta(hours=24),
        max_counted: int = 256,
    ) -> None:
        """Create an empty index.

        Args:
            max_comments: comments remembered by id (oldest evicted first); >= 1.
            max_per_author: comments remembered per author; >= 1.
            max_authors: authors remembered (least recently seen evicted first); >= 1.
            author_window: how far back, in comment time, "recent" reaches.
            max_counted: posting times remembered per author, to count posts in the window
                (a bot posting 400 times a day is counted as 256: enough to judge).

        Raises:
            ValueError: a bound is below 1.
        """
        if min(max_comments, max_per_author, max_authors, max_counted) < 1:
            raise ValueError("ThreadIndex bounds must be >= 1")
        self.max_comments = max_comments
        self.max_per_author = max_per_author
        self.max_authors = max_authors
        self.author_window = author_window
        self.max_counted = max_counted
        self._by_id: OrderedDict[str, Comment] = OrderedDict()
        self._by_author: OrderedDict[str, deque[Comment]] = OrderedDict()
        self._times: dict[str, deque[float]] = {}  # same keys as _by_author

    def __len__(self) -> int:
        """Number of comments remembered by id."""
        return len(self._by_id)

    def add(self, comment: Comment) -> None:
        """Remember ``comment`` (a comment seen twice is remembered once)."""
        if comment.id in self._by_id:
            return
        self._by_id[comment.id] = comment
        if len(self._by_id) > self.max_comments:
            self._by_id.popitem(last=False)
        author = comment.author.id
        recent = self._by_author.get(author)
        if recent is None:
            recent = deque(maxlen=self.max_per_author)
            self._by_author[author] = recent
            self._times[author] = deque(maxlen=self.max_counted)
            if len(self._by_author) > self.max_authors:
                forgotten, _ = self._by_author.popitem(last=False)
                del self._times[forgotten]
        else:
            self._by_author.move_to_end(author)
        recent.append(comment)
        self._times[author].append(comment.created_at.timestamp())

    def get(self, comment_id: str) -> Comment | None:
        """Return the remembered comment with this id, or ``None``."""
        return self._by_id.get(comment_id)

    def context(self, comment: Comment) -> ThreadContext:
        """Return the context of ``comment`` from what is remembered (pure lookup)."""
        parent = self._by_id.get(comment.parent_id) if comment.parent_id else None
        recent: tuple[Comment, ...] = ()
        posts = 0
        remembered = self._by_author.get(comment.author.id)
        if remembered:
            since = comment.created_at - self.author_window
            recent = tuple(
                c for c in remembered
                if c.id != comment.id and since <= c.created_at <= comment.created_at
            )
            now = comment.created_at.timestamp()
            start = now - self.author_window.total_seconds()
            posts = sum(1 for t in self._times[comment.author.id] if start <= t <= now)
        return ThreadContext(parent=parent, author_recent=recent, author_posts=posts)

    def contexts(self, batch: Sequence[Comment]) -> list[ThreadContext]:
        """Remember a batch, then return each comment's context, in order.

        The whole batch is remembered first, so a reply finds a parent that comes later in
        the same batch (files are not always in time order).
        """
        for comment in batch:
            self.add(comment)
        return [self.context(c) for c in batch]
