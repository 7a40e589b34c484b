"""The REST API, under ``/api/v1``.

Every route names the permission it needs (see :mod:`vigie.web.roles`); reviewer actions go
through the store, which records them in the hash-chained audit log under the caller's name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy import select

from vigie.errors import StoreError
from vigie.records import parse_comment
from vigie.store.schema import comments, decisions
from vigie.web import accounts
from vigie.web.auth import (
    AccountHolder,
    Approver,
    Checker,
    Manager,
    Proposer,
    Reader,
    Submitter,
    set_session_cookie,
)
from vigie.web.auth import Actor as ActorDep
from vigie.web.context import WebContext, web_context
from vigie.web.queries import (
    AuditFilter,
    audit_page,
    author_view,
    escalation_rows,
    item_view,
    iter_audit,
    queue_page,
)
from vigie.web.schemas import (
    MAX_PK,
    ApiError,
    BulkActionIn,
    BulkActionOut,
    CheckIn,
    CommentsIn,
    PageIn,
    PageOut,
    PasswordChangeIn,
    PasswordResetOut,
    PolicyApproveIn,
    PolicyProposeIn,
    PolicyRefuseIn,
    PolicyVersionOut,
    ReviewActionIn,
    SubmitOut,
    TokenCreated,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
)
from vigie.web.search import QueueSearch
from vigie.web.service import (
    add_page,
    apply_review,
    approve_policy,
    bulk_review,
    change_own_password,
    check_text,
    list_pages,
    policy_diff,
    policy_overview,
    policy_version,
    propose_policy,
    refresh_facets,
    refuse_policy,
    reset_user_password,
    submit_comments,
)

__all__ = ["router"]

PathPk = Annotated[int, Path(ge=1, le=MAX_PK)]

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ApiError, "description": "no or invalid credential"},
    403: {"model": ApiError, "description": "the role lacks the permission, or no CSRF token"},
}

router = APIRouter(prefix="/api/v1", responses=_ERRORS)


def _json_safe(value: dict[str, Any]) -> dict[str, Any]:
    # Dates and other values the store returns become JSON strings.
    out: dict[str, Any] = json.loads(json.dumps(value, default=str, ensure_ascii=False))
    return out


@router.get("/me", tags=["accounts"])
def me(principal: Reader) -> dict[str, Any]:
    """The caller's account and role."""
    return {"username": principal.user.username, "display_name": principal.user.display_name,
            "role": principal.role.value, "via": principal.via}


@router.post("/check", tags=["moderation"])
def check(request: Request, body: CheckIn, _: Checker) -> dict[str, Any]:
    """Judge a text under the policy in force, without storing anything."""
    return check_text(web_context(request), body)


@router.post("/comments", tags=["moderation"], response_model=SubmitOut)
def submit(request: Request, body: CommentsIn, principal: Submitter) -> SubmitOut:
    """Store and moderate comments (idempotent on the platform's comment id)."""
    records = [parse_comment(r, line=i + 1) for i, r in enumerate(body.comments)]
    return SubmitOut(decisions=submit_comments(web_context(request), records, principal.actor))


@router.get("/comments/{comment_pk}", tags=["moderation"])
def comment(request: Request, comment_pk: PathPk, _: Reader) -> dict[str, Any]:
    """A stored comment with its decision and its audit history."""
    ctx = web_context(request)
    with ctx.read() as conn:
        row = conn.execute(select(comments.c.pk, comments.c.comment_id, comments.c.platform,
                                  comments.c.text, comments.c.created_at, comments.c.author_pk,
                                  decisions.c.body)
                           .outerjoin(decisions, decisions.c.comment_pk == comments.c.pk)
                           .where(comments.c.pk == comment_pk)).first()
        if row is None:
            raise HTTPException(404, "no such comment")
        from vigie.web.queries import _events_for

        history = _events_for(conn, [("comment", row.comment_id)])
    return _json_safe({"pk": row.pk, "id": row.comment_id, "platform": row.platform,
                       "text": row.text, "created_at": row.created_at,
                       "author_pk": row.author_pk,
                       "decision": json.loads(row.body) if row.body else None,
                       "history": history})


@router.get("/decisions", tags=["moderation"])
def list_decisions(
    request: Request, _: Reader,
    action: Annotated[Literal["allow", "escalate", "review", "hide", "remove", "block"] | None,
                      Query()] = None,
    before: Annotated[int | None, Query(ge=1, le=MAX_PK)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Decisions, newest first, optionally of one action (keyset pagination on ``before``)."""
    ctx = web_context(request)
    query = select(decisions.c.pk, decisions.c.comment_pk, decisions.c.action,
                   decisions.c.decided_at, decisions.c.policy_digest, decisions.c.body)
    if action:
        query = query.where(decisions.c.action == action)
    if before:
        query = query.where(decisions.c.pk < before)
    with ctx.read() as conn:
        rows = conn.execute(query.order_by(decisions.c.pk.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return _json_safe({
        "decisions": [{"pk": r.pk, "comment_pk": r.comment_pk, "action": r.action,
                       "decided_at": r.decided_at, "policy": r.policy_digest,
                       "decision": json.loads(r.body)} for r in rows],
        "next_before": rows[-1].pk if more and rows else None,
    })


QueueState = Literal["open", "escalated", "closed"]


@router.get("/queue", tags=["review"])
def queue(request: Request, _: Reader, search: QueueSearch) -> dict[str, Any]:
    """The review queue, searched, filtered and paginated (pass ``next_after`` as ``after``).

    ``q`` searches the text, ``author`` the author's name, handle or id; ``since`` and
    ``until`` are days (``YYYY-MM-DD``) of the comments, in the server's time zone.
    """
    ctx = web_context(request)
    refresh_facets(ctx)
    f = search.filter
    with ctx.read() as conn:
        page = queue_page(conn, f, ctx.store.now())
    return {"items": [r.to_dict() for r in page.rows], "next_after": page.next_after,
            "total": page.total, "total_is_lower_bound": page.more_than}


@router.get("/queue/{item_pk}", tags=["review"])
def queue_item(request: Request, item_pk: PathPk, _: Reader) -> dict[str, Any]:
    """One queue item: comment, decision with evidence, post, thread, history, author.

    ``platform_url`` is the comment's address on its platform, where it is known.
    """
    ctx = web_context(request)
    with ctx.read() as conn:
        view = item_view(conn, item_pk)
    if view is None:
        raise HTTPException(404, "no such review item")
    return _json_safe({"item": view.row.to_dict(), "decision": view.decision,
                       "post_text": view.post_text, "thread": view.thread,
                       "history": view.events, "author": view.author,
                       "platform_url": view.platform_url})


@router.post("/queue/{item_pk}/actions", tags=["review"])
def act(request: Request, item_pk: PathPk, body: ReviewActionIn,
        principal: ActorDep) -> dict[str, Any]:
    """Approve, restore, remove, block, unblock, escalate or comment on an item, with a reason.

    Resolving an escalated item needs the community manager's permission.
    """
    return _json_safe(apply_review(web_context(request), item_pk, body.action, principal,
                                   body.reason))


@router.post("/queue/bulk", tags=["review"], response_model=BulkActionOut)
def bulk(request: Request, body: BulkActionIn, principal: ActorDep) -> BulkActionOut:
    """The same action on several items; each is applied or refused on its own."""
    done, refused = bulk_review(web_context(request), body.items, body.action, principal,
                                body.reason)
    return BulkActionOut(done=done, refused={str(k): v for k, v in refused.items()})


@router.get("/authors/{author_pk}", tags=["review"])
def author(request: Request, author_pk: PathPk, _: Reader) -> dict[str, Any]:
    """An author's comments, decisions, strikes and blocks."""
    with web_context(request).read() as conn:
        view = author_view(conn, author_pk)
    if view is None:
        raise HTTPException(404, "no such author")
    return _json_safe(view)


@router.get("/escalations", tags=["review"])
def escalation_list(request: Request, _: Reader) -> dict[str, Any]:
    """Escalated items awaiting the community manager, oldest first."""
    with web_context(request).read() as conn:
        return _json_safe({"escalations": escalation_rows(conn)})


@router.get("/policy", tags=["policy"])
def policy(request: Request, _: Reader) -> dict[str, Any]:
    """The policy in force and the stored versions."""
    return _json_safe(policy_overview(web_context(request)))


@router.get("/policy/versions/{digest}", tags=["policy"])
def policy_get(request: Request, digest: Annotated[str, Path(max_length=80)],
               _: Reader) -> dict[str, Any]:
    """One stored version, with its YAML text."""
    return _json_safe(policy_version(web_context(request), digest))


@router.get("/policy/diff", tags=["policy"])
def policy_compare(request: Request, _: Reader, a: Annotated[str, Query(max_length=80)],
                   b: Annotated[str, Query(max_length=80)]) -> dict[str, str]:
    """Unified diff of two stored versions' YAML."""
    return {"diff": policy_diff(web_context(request), a, b)}


@router.post("/policy/versions", tags=["policy"], response_model=PolicyVersionOut)
def policy_propose(request: Request, body: PolicyProposeIn,
                   principal: Proposer) -> PolicyVersionOut:
    """Propose a new version of the policy (it is not in force until approved)."""
    return propose_policy(web_context(request), body.yaml_text, body.effective_date,
                          principal.actor)


@router.post("/policy/versions/{digest}/approve", tags=["policy"],
             response_model=PolicyVersionOut)
def policy_approve(request: Request, digest: str, body: PolicyApproveIn,
                   principal: Approver) -> PolicyVersionOut:
    """Record the approval of a proposed version (section 9)."""
    return approve_policy(web_context(request), digest, principal, body.reference, body.body)


@router.post("/policy/versions/{digest}/refuse", tags=["policy"],
             response_model=PolicyVersionOut)
def policy_refuse(request: Request, digest: str, body: PolicyRefuseIn,
                  principal: Approver) -> PolicyVersionOut:
    """Refuse a proposed version with a note (section 9); never one's own."""
    return refuse_policy(web_context(request), digest, principal, body.note)


@router.get("/pages", tags=["pages"], response_model=list[PageOut])
def pages(request: Request, _: Reader) -> list[PageOut]:
    """The registry of official pages Vigie moderates."""
    return list_pages(web_context(request))


@router.post("/pages", tags=["pages"], response_model=PageOut)
def page_add(request: Request, body: PageIn, principal: Manager) -> PageOut:
    """Add an official page to the registry."""
    return add_page(web_context(request), body, principal.actor)


@router.get("/audit", tags=["audit"])
def audit(
    request: Request, _: Reader,
    actor: Annotated[str, Query(max_length=255)] = "",
    kind: Annotated[str, Query(max_length=32)] = "",
    subject: Annotated[str, Query(max_length=255)] = "",
    before: Annotated[int | None, Query(ge=1, le=MAX_PK)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The audit log, newest first, searchable by actor, kind and subject."""
    with web_context(request).read() as conn:
        rows, next_before = audit_page(conn, AuditFilter(actor, kind, subject, before, limit))
    return _json_safe({"events": rows, "next_before": next_before})


_CSV_FIELDS = ("seq", "at", "kind", "subject_type", "subject_id", "actor", "payload", "hash")


def audit_csv_response(ctx: WebContext, f: AuditFilter) -> StreamingResponse:
    """Stream the matching audit events as CSV (oldest first; UTF-8 with a BOM)."""
    from vigie.web.export import csv_response

    def rows() -> Iterator[list[Any]]:
        with ctx.read() as conn:
            for event in iter_audit(conn, f):
                event = {**event, "at": event["at"].isoformat()}
                yield [event[k] for k in _CSV_FIELDS]

    return csv_response("vigie-audit.csv", _CSV_FIELDS, rows)


@router.get("/audit.csv", tags=["audit"], response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def audit_csv(
    request: Request, _: Reader,
    actor: Annotated[str, Query(max_length=255)] = "",
    kind: Annotated[str, Query(max_length=32)] = "",
    subject: Annotated[str, Query(max_length=255)] = "",
) -> Response:
    """The audit log as CSV (every matching event, oldest first)."""
    return audit_csv_response(web_context(request), AuditFilter(actor, kind, subject))


@router.get("/users", tags=["accounts"], response_model=list[UserOut])
def users(request: Request, _: Manager) -> list[UserOut]:
    """Every account."""
    with web_context(request).read() as conn:
        return [UserOut(pk=u.pk, username=u.username, display_name=u.display_name,
                        role=u.role.value, active=u.active) for u in accounts.list_users(conn)]


@router.post("/users", tags=["accounts"], response_model=UserOut, status_code=201)
def user_add(request: Request, body: UserIn, _: Manager) -> UserOut:
    """Create an account."""
    ctx = web_context(request)
    with ctx.store.begin() as conn:
        u = accounts.create_user(conn, ctx.passwords, body.username, body.password, body.role,
                                 ctx.store.now(), body.display_name)
    return UserOut(pk=u.pk, username=u.username, display_name=u.display_name,
                   role=u.role.value, active=u.active)


@router.post("/me/password", tags=["accounts"], status_code=204, responses={
    400: {"model": ApiError, "description": "the current password is wrong"},
    422: {"model": ApiError, "description": "the new password is too weak or unchanged"},
    429: {"model": ApiError, "description": "too many wrong passwords; see Retry-After"}})
def password_change(request: Request, body: PasswordChangeIn,
                    principal: AccountHolder) -> Response:
    """Change the caller's own password; the current one is required.

    Every session of the account ends; a caller with a session cookie gets a new cookie in
    this answer. API tokens stay valid. Wrong current passwords count as failed logins.
    """
    ctx = web_context(request)
    try:
        token = change_own_password(ctx, principal, body.current_password, body.new_password,
                                    request.client.host if request.client else "unknown",
                                    request.headers.get("user-agent"))
    except accounts.TooManyAttempts as error:
        return JSONResponse({"code": "throttled", "message": str(error)}, status_code=429,
                            headers={"Retry-After": str(error.retry_after_s)})
    except accounts.WrongPassword as error:
        return JSONResponse({"code": "wrong_password", "message": str(error)}, status_code=400)
    response = Response(status_code=204)
    if token is not None:
        set_session_cookie(response, ctx.settings, token)
    return response


@router.post("/users/{user_pk}/password-reset", tags=["accounts"],
             response_model=PasswordResetOut, responses={
                 404: {"model": ApiError, "description": "no such account"},
                 422: {"model": ApiError, "description": "one's own password is changed, "
                                                         "not reset"}})
def password_reset(request: Request, user_pk: PathPk, principal: Manager) -> PasswordResetOut:
    """Give another account a random temporary password (in this answer only).

    The holder must replace it at the next sign-in; it stops working after three days. The
    account's sessions end; its API tokens stay valid (revoke them with ``DELETE /tokens``).
    """
    try:
        reset = reset_user_password(web_context(request), user_pk, principal)
    except StoreError:
        raise HTTPException(404, "no such account") from None
    return PasswordResetOut(username=reset.user.username, temporary_password=reset.password,
                            must_change_password=True, sessions_ended=reset.sessions_ended)


def _token_out(t: accounts.ApiToken) -> dict[str, Any]:
    return {"pk": t.pk, "name": t.name, "prefix": t.prefix, "role": t.role.value,
            "user_pk": t.user_pk, "created_at": t.created_at, "expires_at": t.expires_at,
            "last_used_at": t.last_used_at, "revoked_at": t.revoked_at}


@router.get("/tokens", tags=["accounts"], response_model=list[TokenOut])
def tokens(request: Request, _: Manager) -> list[TokenOut]:
    """Every API token's metadata (never the secrets)."""
    with web_context(request).read() as conn:
        return [TokenOut(**_token_out(t)) for t in accounts.list_tokens(conn)]


@router.post("/tokens", tags=["accounts"], response_model=TokenCreated, status_code=201)
def token_add(request: Request, body: TokenIn, principal: Manager) -> TokenCreated:
    """Create an API token acting as the caller; the secret is in this answer only."""
    ctx = web_context(request)
    from vigie.web.roles import Role

    with ctx.store.begin() as conn:
        secret, t = accounts.create_api_token(
            conn, principal.user, body.name, ctx.store.now(),
            Role(body.role) if body.role else None, body.expires_at)
    return TokenCreated(secret=secret, **_token_out(t))


@router.delete("/tokens/{token_pk}", tags=["accounts"], status_code=204)
def token_revoke(request: Request, token_pk: PathPk, _: Manager) -> Response:
    """Revoke an API token."""
    ctx = web_context(request)
    with ctx.store.begin() as conn:
        if not accounts.revoke_token(conn, token_pk, ctx.store.now()):
            raise HTTPException(404, "no such live token")
    return Response(status_code=204)
