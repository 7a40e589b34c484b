"""``vigie reply``: answer a comment through the platform's API, from a template or a text.

The reply is queued in the store's outbox under ``--by`` (an audit event, ``reply_queued``)
and posted by ``vigie run`` (``reply_sent``, or ``reply_failed`` with the platform's words).
Templates come from the policy in force (``replies`` in the policy file); the text is filled
for the comment's author, in ``--lang`` or the comment's own language. Registered on the main
app by :mod:`vigie.cli.app`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from vigie.cli.options import ByOption, DbOption, out_console
from vigie.cli.store import open_store_at
from vigie.errors import InputError, PolicyError, StoreError
from vigie.policy import Policy

__all__ = ["reply_command"]


def _policy(store: Any, policy_file: Path | None) -> Policy:
    from vigie.policy import load_policy
    from vigie.store.policy_versions import PolicyResolver

    if policy_file is not None:
        return load_policy(policy_file)
    with store.read() as conn:
        found = PolicyResolver(conn).at(store.now())
    return found[0] if found else load_policy()


def _comment_pk(store: Any, comment_id: str) -> int:
    from vigie.store.schema import PLATFORMS, comments

    with store.read() as conn:
        pk = conn.execute(select(comments.c.pk).where(
            comments.c.platform.in_(PLATFORMS), comments.c.comment_id == comment_id)).scalar()
    if pk is None:
        raise StoreError(f"no comment {comment_id!r} in the store (ids look like fb:123_456; "
                         "`vigie queue list` shows some)")
    return int(pk)


def _appeal_values(store: Any, pk: int) -> dict[str, str]:
    """The comment's appeal code and link as the dashboard fills them; empty without the key.

    The code is signed with the dashboard's secret key: ``VIGIE_SECRET_KEY``, else the key
    ``vigie serve`` keeps next to an SQLite database in the dev and demo modes.
    """
    import os

    from vigie.cli.web import _sqlite_path
    from vigie.web.appeals import appeal_code, appeal_path
    from vigie.web.permalinks import dashboard_url

    key = os.environ.get("VIGIE_SECRET_KEY")
    path = _sqlite_path(store.engine.url.render_as_string(hide_password=False))
    if not key and path is not None and path.with_name(path.name + ".secret").exists():
        key = path.with_name(path.name + ".secret").read_text(encoding="utf-8").strip()
    if not key:
        return {}
    return {"appeal_code": appeal_code(key, pk), "appeal_url": dashboard_url(
        store.settings.escalation.dashboard_url, appeal_path(key, pk))}


def reply_command(
    comment_id: Annotated[str, typer.Argument(help="The comment's id (e.g. fb:123_456).")],
    by: ByOption,
    template: Annotated[str | None, typer.Option(
        "--template", "-t", help="A reply template of the policy (its slug).")] = None,
    text: Annotated[str | None, typer.Option(
        "--text", help="The reply's text (instead of, or edited from, a template).")] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="The template's language: fr or en (default: the comment's).")] = None,
    db: DbOption = None,
    policy_file: Annotated[Path | None, typer.Option(
        "--policy", "-p", envvar="VIGIE_POLICY",
        help="Policy whose templates to use (default: the one in force, else the bundled "
             "directive).")] = None,
) -> None:
    """Queue a public reply to a comment; `vigie run` posts it through the platform."""
    from vigie.store.replies import queue_reply
    from vigie.web.replies import author_language, comment_view, reply_choices

    if lang not in (None, "fr", "en"):
        raise InputError(f"--lang must be fr or en, not {lang!r}")
    if template is not None and text is not None:
        raise InputError("give --template NAME or --text TEXT, not both")
    store = open_store_at(db)
    pk = _comment_pk(store, comment_id)
    policy = _policy(store, policy_file)
    with store.read() as conn:
        view = comment_view(conn, pk)
    assert view is not None  # found just above
    appeal = _appeal_values(store, pk)
    choices, suggested = reply_choices(policy, view, lang or "fr", **appeal)
    slugs = ", ".join(c.slug for c in choices) or "(the policy has no replies section)"
    if template is None and text is None:
        hint = f" (suggested for this comment: {suggested})" if suggested else ""
        raise InputError(f"give --template NAME or --text TEXT; templates: {slugs}{hint}")
    chosen_lang = lang or author_language(view, "fr")
    if template is not None:
        chosen = next((c for c in choices if c.slug == template), None)
        if chosen is None:
            raise PolicyError(f"unknown reply template {template!r}; valid: {slugs}")
        if not appeal and policy.replies is not None and any(
                "appeal_" in getattr(policy.replies.get(template).text, x) for x in ("fr", "en")):
            raise InputError(f"template {template!r} gives the author an appeal code, signed "
                             "with the dashboard's key: set VIGIE_SECRET_KEY as for vigie serve")
        text = chosen.en if chosen_lang == "en" else chosen.fr
    assert text is not None
    queued = queue_reply(store, pk, text, actor=by, template=template, language=chosen_lang)
    state = "queued" if queued.new else "already queued (posted once)"
    out_console.print(f"reply to {queued.comment_id} {state}: {queued.key}")
    out_console.print(text, highlight=False, markup=False)
    out_console.print(f"[dim]`vigie run` posts it on {queued.platform}; `vigie audit` "
                      "shows reply_queued, then reply_sent or reply_failed.[/]")
