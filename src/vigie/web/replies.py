"""A comment's page and the reply form: the policy's templates, one suggested, via the outbox.

The page shows the comment, Vigie's decision, the replies already queued or posted with their
status, and the comment's audit history. The form offers the policy's reply templates
(``replies`` in the policy file), the one matching the comment preselected
(:meth:`~vigie.policy.ReplyTemplates.suggest`: a question, an escalated criticism, a removal...),
in the author's language when it is French or English, else in the reader's. The text is
edited and sent; :func:`send_reply` queues it (:func:`vigie.store.replies.queue_reply`) under
the sender's name, and ``vigie run`` posts it through the platform's API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from vigie.policy import Policy, ReplyTemplate
from vigie.records import stored_url
from vigie.store.replies import REPLY_MAX_CHARS, QueuedReply, ReplyView, queue_reply, replies_for
from vigie.store.schema import authors, comments, decisions, posts
from vigie.web.auth import Principal
from vigie.web.context import WebContext
from vigie.web.permalinks import platform_url

__all__ = ["CommentView", "ReplyChoice", "asks_question", "author_language", "comment_view",
           "reply_choices", "send_reply"]


@dataclass(frozen=True, slots=True)
class CommentView:
    """One stored comment, as its page shows it.

    Attributes:
        pk: the comment's number in the store.
        comment_id: Vigie's id (``fb:...``).
        platform: its platform.
        text: its text (``None`` once purged).
        author_pk: the author's number, for the link to their page.
        author: the author's name, else handle ("" when unknown).
        post_text: the post it answers.
        created_at: when it was posted.
        decision: the stored decision's body (``{}`` when not decided yet).
        replies: the replies queued for it, oldest first.
        history: its audit events (``_events_for`` rows).
        platform_url: the comment on its platform, where its address is known
            (:func:`vigie.web.permalinks.platform_url`).
    """

    pk: int
    comment_id: str
    platform: str
    text: str | None
    author_pk: int
    author: str
    post_text: str | None
    created_at: Any
    decision: dict[str, Any]
    replies: tuple[ReplyView, ...]
    history: tuple[dict[str, Any], ...]
    platform_url: str | None = None

    @property
    def max_chars(self) -> int | None:
        """The longest reply the platform accepts."""
        return REPLY_MAX_CHARS.get(self.platform)


@dataclass(frozen=True, slots=True)
class ReplyChoice:
    """One template as the form offers it: its label, and its text in both languages."""

    slug: str
    label: str
    clause: str | None
    fr: str
    en: str
    suggested: bool


def comment_view(conn: Connection, comment_pk: int) -> CommentView | None:
    """The page's data, or ``None`` when there is no such comment."""
    from vigie.web.queries import _events_for

    row = conn.execute(
        select(comments.c.pk, comments.c.comment_id, comments.c.platform, comments.c.text,
               comments.c.author_pk, comments.c.created_at, authors.c.name, authors.c.handle,
               posts.c.text.label("post_text"), posts.c.post_id, comments.c.payload,
               decisions.c.body)
        .join(authors, authors.c.pk == comments.c.author_pk)
        .outerjoin(posts, posts.c.pk == comments.c.post_pk)
        .outerjoin(decisions, decisions.c.comment_pk == comments.c.pk)
        .where(comments.c.pk == comment_pk)).first()
    if row is None:
        return None
    return CommentView(
        int(row.pk), str(row.comment_id), str(row.platform), row.text, int(row.author_pk),
        str(row.name or row.handle or ""), row.post_text, row.created_at,
        json.loads(row.body) if row.body else {},
        tuple(replies_for(conn, str(row.comment_id))),
        tuple(_events_for(conn, [("comment", str(row.comment_id))])),
        platform_url(str(row.platform), str(row.comment_id), row.post_id,
                     stored_url(row.payload)))


def asks_question(text: str | None) -> bool:
    """Whether a comment asks something: it carries a question mark (pure)."""
    return bool(text) and any(mark in text for mark in ("?", "¿", "？"))  # type: ignore[operator]


def reply_choices(policy: Policy, view: CommentView, lang: str, *, appeal_code: str = "",
                  appeal_url: str = "") -> tuple[list[ReplyChoice], str | None]:
    """The templates with their texts filled in for this comment, and the suggested slug.

    Args:
        policy: the policy in force (its ``replies``; none: no templates, free text only).
        view: the comment.
        lang: the reader's language, for the labels.
        appeal_code: the comment's appeal code (:func:`vigie.web.appeals.appeal_code`).
        appeal_url: the public appeal page with that code filled in.
    """
    if policy.replies is None:
        return [], None
    decision = view.decision
    suggested = policy.replies.suggest(
        action=str(decision.get("action", "allow")),
        categories=[str(c.get("slug")) for c in decision.get("categories", [])],
        escalations=[str(e) for e in decision.get("escalations", [])],
        question=asks_question(view.text))

    url = policy.replies.directive_url or ""

    def filled(template: ReplyTemplate, text_lang: str) -> str:
        return template.render(text_lang, {
            "author": view.author, "institution": policy.institution,
            "directive": policy.title.en if text_lang == "en" else policy.title.fr,
            "directive_url": url, "appeal_code": appeal_code, "appeal_url": appeal_url})

    choices = [ReplyChoice(t.slug, t.label.en if lang == "en" else t.label.fr, t.clause,
                           filled(t, "fr"), filled(t, "en"),
                           suggested is not None and t.slug == suggested.slug)
               for t in policy.replies.templates]
    return choices, suggested.slug if suggested else None


def author_language(view: CommentView, fallback: str) -> str:
    """``fr`` or ``en``: the comment's language when it is one of them, else ``fallback``."""
    if view.text:
        from vigie.web.facets import language_of

        found = language_of([view.text])[0]
        if found in ("fr", "en"):
            return found
    return fallback if fallback in ("fr", "en") else "fr"


def send_reply(ctx: WebContext, comment_pk: int, principal: Principal, text: str, *,
               template: str | None, language: str | None) -> QueuedReply:
    """Queue the reply under ``principal``'s name; ``vigie run`` posts it.

    Raises:
        ReplyError: empty, too long for the platform, an unknown template, or no such comment.
    """
    from vigie.store.replies import ReplyError

    if template and (ctx.policy.replies is None or template not in
                     {t.slug for t in ctx.policy.replies.templates}):
        raise ReplyError("reply.unknown_template", f"unknown reply template {template!r}")
    return queue_reply(ctx.store, comment_pk, text, actor=principal.actor,
                       template=template or None, language=language or None)
