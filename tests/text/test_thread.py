"""Thread context: parents and the author's recent comments, in a batch and across batches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from vigie.records import Comment, parse_comment
from vigie.text.prepare import prepare_batch
from vigie.text.thread import ThreadIndex


def make(cid: str, at: str, *, author: str = "fb:u-1", parent: str | None = None,
         text: str = "Un commentaire") -> Comment:
    data: dict[str, Any] = {
        "id": cid, "platform": "facebook", "text": text, "created_at": at,
        "author": {"id": author}, "post": {"id": "fb:p-1", "text": "Publication"},
        "parent_id": parent,
    }
    return parse_comment(data)


def test_parent_in_the_same_batch_even_when_it_comes_later() -> None:
    reply = make("c2", "2025-01-01T10:05:00Z", author="fb:u-2", parent="c1")
    first = make("c1", "2025-01-01T10:00:00Z")
    contexts = ThreadIndex().contexts([reply, first])
    assert contexts[0].parent is first
    assert contexts[1].parent is None


def test_parent_from_an_earlier_batch() -> None:
    index = ThreadIndex()
    first = make("c1", "2025-01-01T10:00:00Z")
    index.contexts([first])
    reply = make("c2", "2025-01-01T11:00:00Z", author="fb:u-2", parent="c1")
    assert index.contexts([reply])[0].parent is first


@pytest.mark.parametrize(("parent_id", "found"), [
    ("c1", True),
    ("missing", False),   # a parent never seen: no context, no error
    (None, False),
])
def test_parent_lookup(parent_id: str | None, found: bool) -> None:
    index = ThreadIndex()
    index.add(make("c1", "2025-01-01T10:00:00Z"))
    context = index.context(make("c9", "2025-01-01T10:01:00Z", parent=parent_id))
    assert (context.parent is not None) is found


def test_author_recent_within_24_hours_only_and_never_itself() -> None:
    index = ThreadIndex()
    old = make("a0", "2024-12-30T09:00:00Z")            # 49 h before: outside the window
    earlier = make("a1", "2025-01-01T09:00:00Z")
    other_author = make("b1", "2025-01-01T09:30:00Z", author="fb:u-2")
    current = make("a2", "2025-01-01T10:00:00Z")
    later = make("a3", "2025-01-01T12:00:00Z")          # after the comment: not "recent"
    contexts = index.contexts([old, earlier, other_author, current, later])
    recent = contexts[3].author_recent
    assert [c.id for c in recent] == ["a1"]
    assert contexts[3].author_posts == 2                 # a1 and a2 itself


def test_posts_are_counted_beyond_the_comments_kept() -> None:
    index = ThreadIndex(max_per_author=3, max_counted=100)
    batch = [make(f"a{i}", f"2025-01-01T{i // 60:02d}:{i % 60:02d}:00Z") for i in range(90)]
    last = index.contexts(batch)[-1]
    assert len(last.author_recent) <= 3
    assert last.author_posts == 90


def test_memory_is_bounded() -> None:
    index = ThreadIndex(max_comments=50, max_per_author=2, max_authors=10,
                        author_window=timedelta(hours=1))
    for i in range(1000):
        index.add(make(f"c{i}", "2025-01-01T10:00:00Z", author=f"u{i % 37}"))
    assert len(index) == 50
    assert len(index._by_author) == 10
    assert all(len(d) <= 2 for d in index._by_author.values())
    assert index.get("c0") is None and index.get("c999") is not None


def test_bounds_are_validated() -> None:
    with pytest.raises(ValueError, match=">= 1"):
        ThreadIndex(max_comments=0)


def test_prepare_batch_attaches_context_and_stays_backward_compatible() -> None:
    first = make("c1", "2025-01-01T10:00:00Z", text="Quand est la rentrée?")
    reply = make("c2", "2025-01-01T10:05:00Z", author="fb:u-2", parent="c1",
                 text="Le 2 septembre!")
    prepared = prepare_batch([first, reply])              # old signature: batch only
    assert prepared[1].parent is first
    assert prepared[0].parent is None
    index = ThreadIndex()
    prepare_batch([first], index)
    again = prepare_batch([reply], index)                 # across batches with a shared index
    assert again[0].parent is first
