"""The prepared comment: shared work done once per comment, before any detector runs.

Normalising the text, identifying the language and extracting links are done here, in one
batch, and the result is handed to every detector (as presidio hands ``NlpArtifacts`` to each
recognizer). Detectors never redo this work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from vigie.records import Comment
from vigie.text.langid import LanguageGuess, identify
from vigie.text.normalize import Normalized, normalize
from vigie.text.thread import ThreadContext, ThreadIndex
from vigie.text.urls import UrlRef, extract_urls

__all__ = ["NO_GUESS", "PreparedComment", "prepare_batch", "prepare_light"]

#: Stands for the language guess :func:`prepare_light` does not compute.
NO_GUESS = LanguageGuess("und", 0.0, (), 0, 0, 0.0, "LATIN")


@dataclass(frozen=True, slots=True)
class PreparedComment:
    """A comment with its shared analyses.

    Attributes:
        comment: the validated input record.
        norm: the folded text with offsets back to ``comment.text``.
        language: the language identifier's measurement of the comment text.
        urls: links in the comment, defanged ones restored.
        post_urls: links of the post (from ``post.links`` and the post text).
        post_norm: the folded post text (empty when the comment has no post).
        parent: the comment this one replies to, when known (see :mod:`vigie.text.thread`).
        author_recent: the author's earlier comments of the last 24 h, oldest first.
        author_posts: the author's comments of the last 24 h seen in the stream, this one
            included (0 when unknown).
        vectors: sentence embeddings of this comment computed during this batch, keyed by
            encoder and text (see :func:`vigie.models.encoder.embed_prepared`): the
            encoder runs once per comment, whichever detectors ask.
    """

    comment: Comment
    norm: Normalized
    language: LanguageGuess
    urls: tuple[UrlRef, ...]
    post_urls: tuple[UrlRef, ...]
    post_norm: Normalized
    parent: Comment | None = None
    author_recent: tuple[Comment, ...] = ()
    author_posts: int = 0
    vectors: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def text(self) -> str:
        """The comment text as posted."""
        return self.comment.text


def _post_urls(comment: Comment) -> tuple[UrlRef, ...]:
    if comment.post is None:
        return ()
    links = " ".join(comment.post.links)
    return extract_urls(links) + extract_urls(comment.post.text)


def prepare_batch(
    comments: Sequence[Comment], thread: ThreadIndex | None = None
) -> list[PreparedComment]:
    """Prepare a batch of comments (one language-identification pass for the batch).

    Args:
        comments: the batch.
        thread: remembers comments across batches, to find parents and the author's recent
            comments; ``None``: only this batch is searched. The index is updated.
    """
    guesses = identify([c.text for c in comments])
    contexts = (thread if thread is not None else ThreadIndex()).contexts(comments)
    post_cache: dict[str, tuple[Normalized, tuple[UrlRef, ...]]] = {}
    prepared = []
    for comment, guess, context in zip(comments, guesses, contexts, strict=True):
        post_key = comment.post.id if comment.post is not None else ""
        if post_key not in post_cache:  # many comments share a post: fold it once per batch
            post_text = comment.post.text if comment.post is not None else ""
            post_cache[post_key] = (normalize(post_text), _post_urls(comment))
        post_norm, post_urls = post_cache[post_key]
        prepared.append(
            PreparedComment(
                comment=comment,
                norm=normalize(comment.text),
                language=guess,
                urls=extract_urls(comment.text),
                post_urls=post_urls,
                post_norm=post_norm,
                parent=context.parent,
                author_recent=context.author_recent,
                author_posts=context.author_posts,
            )
        )
    return prepared


def prepare_light(
    comments: Sequence[Comment], contexts: Sequence[ThreadContext]
) -> list[PreparedComment]:
    """Prepare comments with only the folded texts and thread context (pure).

    What a *stateful* detector may read (see :mod:`vigie.scale.context`): no language is
    identified (:data:`NO_GUESS`) and no link extracted, about a quarter of the work of
    :func:`prepare_batch`. Used where only such detectors run: the sequencer of the Ray engine,
    and a pipeline rebuilding its memory from the store after a restart.

    Args:
        comments: the comments.
        contexts: their thread contexts, same order.
    """
    posts: dict[str, Normalized] = {}
    out = []
    for comment, context in zip(comments, contexts, strict=True):
        key = comment.post.id if comment.post is not None else ""
        if key not in posts:
            posts[key] = normalize(comment.post.text if comment.post is not None else "")
        out.append(PreparedComment(
            comment=comment, norm=normalize(comment.text), language=NO_GUESS, urls=(),
            post_urls=(), post_norm=posts[key], parent=context.parent,
            author_recent=context.author_recent, author_posts=context.author_posts,
        ))
    return out
