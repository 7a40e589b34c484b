"""What the routes do, apart from HTTP.

Each function takes the :class:`WebContext` and works through the store's public functions
(ingest and decide, review actions, policy versions), so every change lands in the
hash-chained audit log with the caller's name.

Both the API and the dashboard call these; neither writes to the store another way.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select

from vigie.errors import StoreError
from vigie.monitoring.registry import own_pages
from vigie.records import Comment, parse_comment
from vigie.store import policy_versions
from vigie.store.policy_versions import PolicyResolver, PolicyVersion
from vigie.store.queue import resolve
from vigie.store.review import ReviewError, ReviewState
from vigie.store.schema import review_items
from vigie.web import accounts
from vigie.web.auth import Principal
from vigie.web.context import WebContext
from vigie.web.facets import pending, sync_facets
from vigie.web.models import web_pages
from vigie.web.queries import languages_seen
from vigie.web.roles import Permission
from vigie.web.schemas import CheckIn, PageIn, PageOut, PolicyVersionOut
from vigie.web.stats import StatsQuery, StatsTable
from vigie.web.stats_read import compute_stats

__all__ = [
    "OwnProposal",
    "add_page",
    "apply_review",
    "approve_policy",
    "bulk_review",
    "change_own_password",
    "check_text",
    "languages",
    "list_pages",
    "open_tasks",
    "policy_diff",
    "policy_overview",
    "policy_version",
    "propose_policy",
    "refresh_facets",
    "refuse_policy",
    "reset_user_password",
    "stats_for",
    "submit_comments",
]


def check_text(ctx: WebContext, body: CheckIn) -> dict[str, Any]:
    """Judge one text with the app's pipeline (a period's, if one is in force), storing nothing.

    Raises:
        StoreError: the app was started without a pipeline (``load_pipeline`` off).
    """
    if ctx.pipelines is None:
        raise StoreError("this server was started without detectors; check is unavailable")
    comment = parse_comment({
        "id": "api:check", "platform": body.platform.value, "text": body.text,
        "created_at": dt.datetime.now(dt.UTC).isoformat(), "author": {"id": "api:author"},
        "post": {"id": "api:post", "text": body.post, "links": body.post_links},
    })
    with ctx.store.read() as conn:
        pages = own_pages(conn)  # the registry's pages are the institution's, as in the store
    with ctx.lock:  # detectors are safe from one thread at a time
        ctx.pipelines.know_own_pages(pages)
        decision = ctx.pipelines.moderate([comment])[0]
    return decision.to_dict()


def _moderator(ctx: WebContext) -> Any:
    from vigie.store.workflow import StoreModerator

    if ctx.pipelines is None:
        raise StoreError("this server was started without detectors; cannot moderate")
    text = (ctx.settings.policy_path.read_text(encoding="utf-8")
            if ctx.settings.policy_path else _bundled_policy_text())
    # The app's pipelines, kept for its life: a stored version's or a period's is built once.
    return StoreModerator(ctx.store, ctx.policy, text, pipeline_factory=ctx.pipelines.pipeline,
                          own_pages=own_pages)


def _bundled_policy_text() -> str:
    from vigie.policy import default_policy_path

    return default_policy_path().read_text(encoding="utf-8")


def submit_comments(ctx: WebContext, records: Sequence[Comment],
                    actor: str) -> list[dict[str, Any]]:
    """Store and moderate comments through the store's workflow; returns their decisions.

    ``actor`` is accepted for symmetry; ingestion is recorded as the system's (``vigie``).
    """
    del actor
    with ctx.lock:
        bodies = _moderator(ctx).process(list(records))
    refresh_facets(ctx)
    open_tasks(ctx)
    return [json.loads(b) for b in bodies]


def open_tasks(ctx: WebContext) -> None:
    """Group-membership tasks for blocks that lack them (directive 7); the manager is told."""
    from vigie.monitoring.group_tasks import open_group_tasks
    from vigie.web.notices import group_tasks_composer

    open_group_tasks(ctx.store, compose=group_tasks_composer(
        ctx.store.settings.escalation.dashboard_url))


def refresh_facets(ctx: WebContext) -> None:
    """Bring the queue's category/language projection up to date (cheap when it is)."""
    with ctx.read() as conn:
        if not pending(conn):
            return
    with ctx.lock, ctx.store.begin() as conn:
        sync_facets(conn)
    ctx.cache.pop("languages", None)


def languages(ctx: WebContext) -> list[str]:
    """Languages in the projection, cached until the projection grows."""
    cached = ctx.cache.get("languages")
    if cached is None:
        with ctx.read() as conn:
            cached = ctx.cache["languages"] = languages_seen(conn)
    return list(cached)


# -- reviewer actions ----------------------------------------------------------------------

def apply_review(ctx: WebContext, item_pk: int, action: str, principal: Principal,
                 reason: str) -> dict[str, Any]:
    """Apply one reviewer action to a queue item, as ``principal``.

    Raises:
        ReviewError: the action is not valid in the item's state (the message says why).
        StoreError: no such item.
        vigie.web.auth.Forbidden: resolving an escalated item without the community
            manager's permission.
    """
    from vigie.web.auth import Forbidden

    with ctx.read() as conn:
        state = conn.execute(select(review_items.c.state)
                             .where(review_items.c.pk == item_pk)).scalar_one_or_none()
    if state is None:
        raise StoreError(f"no review item {item_pk}")
    if (state == ReviewState.ESCALATED and action != "comment"
            and not principal.can(Permission.RESOLVE_ESCALATION)):
        raise Forbidden("role", "an escalated item is resolved by the community manager")
    status = resolve(ctx.store, item_pk, action, by=principal.actor, reason=reason,
                     fallback_policy=ctx.policy)
    if status.author_blocked:
        open_tasks(ctx)
    return {"item": item_pk, "action": action, "state": status.state.value,
            "outcome": status.outcome.value if status.outcome else None,
            "takedown": status.takedown, "author_blocked": status.author_blocked,
            "by": principal.actor}


def bulk_review(ctx: WebContext, items: Sequence[int], action: str, principal: Principal,
                reason: str) -> tuple[list[int], dict[int, str]]:
    """Apply one action to several items; each succeeds or is refused on its own."""
    from vigie.web.auth import Forbidden

    done: list[int] = []
    refused: dict[int, str] = {}
    for pk in dict.fromkeys(items):
        try:
            apply_review(ctx, pk, action, principal, reason)
            done.append(pk)
        except (ReviewError, StoreError, Forbidden) as error:
            refused[pk] = str(error)
    return done, refused


# -- policy --------------------------------------------------------------------------------

def _version_out(v: PolicyVersion, in_force: str | None,
                 refused: dict[str, str] | None = None) -> PolicyVersionOut:
    return PolicyVersionOut(
        digest=v.digest, policy_id=v.policy_id, version=v.version,
        effective_date=v.effective_date, origin=v.origin, proposed_by=v.proposed_by,
        proposed_at=v.proposed_at, approved_by=v.approved_by, reference=v.reference,
        approved_at=v.approved_at, in_force=v.digest == in_force,
        refused_by=refused["by"] if refused else None,
        refusal_note=refused["note"] if refused else None)


def _in_force(ctx: WebContext) -> str | None:
    with ctx.read() as conn:
        found = PolicyResolver(conn).at(ctx.store.now())
    return found[0].digest if found else None


def policy_overview(ctx: WebContext) -> dict[str, Any]:
    """The policy in force (or the file in use when none is approved) and every version."""
    in_force = _in_force(ctx)
    history = list(reversed(policy_versions.history(ctx.store)))
    with ctx.read() as conn:
        refusals = {v.digest: policy_versions.refusal(conn, v.digest) for v in history
                    if v.origin == "proposed" and not v.approved}
    versions = [_version_out(v, in_force, refusals.get(v.digest)).model_dump(mode="json")
                for v in history]
    return {"in_force": in_force, "file_policy": {
        "id": ctx.policy.id, "version": ctx.policy.version, "digest": ctx.policy.digest},
        "versions": versions}


def policy_version(ctx: WebContext, digest: str) -> dict[str, Any]:
    """One stored version with its YAML.

    Raises:
        StoreError: no version (or several) match ``digest``.
    """
    with ctx.read() as conn:
        v = policy_versions.find_version(conn, digest)
        refused = policy_versions.refusal(conn, v.digest)
    return {**_version_out(v, _in_force(ctx), refused).model_dump(mode="json"),
            "yaml_text": v.yaml_text}


def policy_diff(ctx: WebContext, a: str, b: str) -> str:
    """Unified diff of two versions' YAML."""
    return policy_versions.diff(ctx.store, a, b)


def propose_policy(ctx: WebContext, text: str, effective: dt.date | None,
                   actor: str) -> PolicyVersionOut:
    """Propose a version (validated as a policy first).

    Raises:
        PolicyError: the YAML is not a valid policy.
        StoreError: the same version is already proposed with another date.
    """
    v = policy_versions.propose(ctx.store, text, by=actor, effective=effective,
                                source="proposed policy")
    return _version_out(v, _in_force(ctx))


class OwnProposal(StoreError):
    """A person tried to approve or refuse the version they proposed (section 9)."""


def _not_own(ctx: WebContext, digest: str, principal: Principal, verb: str) -> None:
    """Refuse a decision on a version by its author; a token counts as its owner (section 9).

    Raises:
        StoreError: no such version.
        OwnProposal: ``principal``'s account proposed it.
    """
    with ctx.read() as conn:
        version = policy_versions.find_version(conn, digest)
    author = version.proposed_by.strip().removesuffix(" (api token)").strip()
    if author.casefold() == principal.user.username.casefold():
        raise OwnProposal(f"{principal.user.username} proposed {version.digest[:19]}: another "
                         f"person must {verb} it (section 9)")


def approve_policy(ctx: WebContext, digest: str, principal: Principal, reference: str,
                   body: str | None, note: str | None = None) -> PolicyVersionOut:
    """Approve a proposed version, as a person other than its author.

    Raises:
        StoreError: unknown digest, already approved or refused, only recorded as a fallback,
            or proposed by ``principal``'s account (through a session or one of its tokens).
    """
    _not_own(ctx, digest, principal, "approve")
    v = policy_versions.approve(ctx.store, digest, by=principal.actor, reference=reference,
                                body=body, note=note)
    return _version_out(v, _in_force(ctx))


def refuse_policy(ctx: WebContext, digest: str, principal: Principal,
                  note: str) -> PolicyVersionOut:
    """Refuse a proposed version with a note, as a person other than its author.

    Raises:
        StoreError: as :func:`approve_policy`, or an empty note.
    """
    _not_own(ctx, digest, principal, "refuse")
    v = policy_versions.refuse(ctx.store, digest, by=principal.actor, note=note)
    with ctx.read() as conn:
        refused = policy_versions.refusal(conn, v.digest)
    return _version_out(v, _in_force(ctx), refused)


# -- passwords ------------------------------------------------------------------------------

def change_own_password(ctx: WebContext, principal: Principal, current: str, new: str,
                        ip: str, user_agent: str | None = None) -> str | None:
    """Change the caller's password, proven by the current one, throttled like a login.

    Every session of the account ends; a caller that came with a session gets a new one (the
    old cookie, wherever a copy of it is, dies too). API tokens are kept.

    Returns:
        The new session's raw token for a session caller (to set in the cookie); ``None`` for
        an API token caller.

    Raises:
        TooManyAttempts: too many wrong passwords recently for this account or address.
        WrongPassword: ``current`` is wrong (the failure is recorded for throttling).
        AccountError: ``new`` is too weak or equal to the current password.
    """
    s = ctx.settings
    now = ctx.store.now()
    user = principal.user
    # Refused before the current password is tried: a weak choice costs no attempt.
    accounts.check_password_strength(new)
    with ctx.store.begin() as conn:
        if accounts.login_throttled(conn, user.username, ip, now, window_s=s.login_window_s,
                                    max_per_user=s.login_max_failures,
                                    max_per_ip=s.login_max_failures_per_ip):
            raise accounts.TooManyAttempts("too many wrong passwords; try again later",
                                           s.login_window_s)
        changed = accounts.change_password(conn, ctx.passwords, user, current, new, now,
                                           actor=principal.actor)
        accounts.record_login(conn, user.username, ip, changed, now)
        token = (accounts.create_session(conn, user, now, s.session_ttl_s, ip, user_agent)
                 if changed and principal.via == "session" else None)
    # Raised after the commit, so the failed attempt stays recorded.
    if not changed:
        raise accounts.WrongPassword("the current password is wrong")
    return token


def reset_user_password(ctx: WebContext, user_pk: int,
                        principal: Principal) -> accounts.TemporaryPassword:
    """Reset another account's password to a temporary one, as ``principal`` (an admin).

    Raises:
        StoreError: no account ``user_pk``.
        AccountError: ``principal`` tried to reset its own password.
    """
    with ctx.store.begin() as conn:
        user = accounts.user_by_pk(conn, user_pk)
        if user is None:
            raise StoreError(f"no account {user_pk}")
        return accounts.reset_password(conn, ctx.passwords, user, ctx.store.now(),
                                       by=principal.actor, by_user_pk=principal.user.pk)


# -- pages and statistics ------------------------------------------------------------------

def list_pages(ctx: WebContext) -> list[PageOut]:
    """The page registry, by platform and name."""
    with ctx.read() as conn:
        rows = conn.execute(select(web_pages).order_by(web_pages.c.platform, web_pages.c.name))
        return [PageOut(**dict(r._mapping)) for r in rows]


def add_page(ctx: WebContext, page: PageIn, actor: str) -> PageOut:
    """Register an official page.

    Raises:
        StoreError: the page is already registered.
    """
    now = ctx.store.now()
    with ctx.store.begin() as conn:
        exists = conn.execute(select(web_pages.c.pk).where(
            web_pages.c.platform == page.platform.value,
            web_pages.c.page_id == page.page_id)).first()
        if exists:
            raise StoreError(f"page {page.platform.value}:{page.page_id} is already registered")
        pk = conn.execute(insert(web_pages).values(
            platform=page.platform.value, page_id=page.page_id, name=page.name, url=page.url,
            active=True, added_at=now, added_by=actor)).inserted_primary_key
        assert pk is not None
    return PageOut(pk=int(pk[0]), platform=page.platform.value, page_id=page.page_id,
                   name=page.name, url=page.url, active=True, added_at=now, added_by=actor)


def stats_for(ctx: WebContext, query: StatsQuery) -> StatsTable:
    """The statistics' table under ``query`` (facets refreshed first)."""
    refresh_facets(ctx)
    with ctx.read() as conn:
        return compute_stats(conn, query)
