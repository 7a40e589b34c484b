"""The dashboard's pages (server-rendered, French by default).

Every route names its permission; forms carry the CSRF token; actions go through
:mod:`vigie.web.service`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request, Response
from fastapi.responses import RedirectResponse

from vigie.errors import PolicyError, StoreError, VigieError
from vigie.store.review import ReviewError
from vigie.web import accounts
from vigie.web.auth import (
    AccountHolder,
    Approver,
    Checker,
    Forbidden,
    Manager,
    Principal,
    Proposer,
    Reader,
    set_session_cookie,
)
from vigie.web.auth import Actor as ActorDep
from vigie.web.context import web_context
from vigie.web.groups import groups_around
from vigie.web.queries import (
    AGES,
    audit_page,
    event_kinds,
    filter_choices,
    item_view,
    next_open_item,
    queue_counts,
    queue_page,
)
from vigie.web.render import highlight
from vigie.web.roles import Role
from vigie.web.schemas import MAX_PK, CheckIn, PageIn
from vigie.web.search import DECISION_ACTIONS, AuditSearch, QueueSearch
from vigie.web.service import (
    add_page,
    apply_review,
    approve_policy,
    bulk_review,
    change_own_password,
    check_text,
    languages,
    list_pages,
    policy_diff,
    policy_overview,
    propose_policy,
    refresh_facets,
    reset_user_password,
)
from vigie.web.templating import lang_of, render

__all__ = ["policy_page", "router"]

PathPk = Annotated[int, Path(ge=1, le=MAX_PK)]

router = APIRouter(include_in_schema=False)

VERBS = ("approve", "remove", "block", "escalate", "restore", "unblock", "comment")
Verb = Literal["approve", "restore", "remove", "block", "unblock", "escalate", "comment"]


@router.get("/")
def home(_: Reader) -> Response:
    """The queue is the home page."""
    return RedirectResponse("/queue", status_code=303)


@router.get("/queue")
def queue(request: Request, me: Reader, search: QueueSearch,
          msg: Annotated[str, Query(max_length=64)] = "") -> Response:
    """The review queue with its search, filters, bulk actions, exports and pagination."""
    ctx = web_context(request)
    refresh_facets(ctx)
    f = search.filter
    with ctx.read() as conn:
        page = queue_page(conn, f, ctx.store.now())
        counts = queue_counts(conn)
        choices = filter_choices(conn, languages(ctx))
        groups = groups_around(conn, [r.item_pk for r in page.rows], f.state)
    filters = search.raw
    by_item = {pk: g for g in groups for pk in g.items}
    from vigie.web.i18n import translator
    from vigie.web.presets import queue_reasons

    rows = [{"row": r, "text": highlight(r.text or "", []), "group": by_item.get(r.item_pk)}
            for r in page.rows
            if filters["grouped"] == "0" or by_item.get(r.item_pk) is None
            or by_item[r.item_pk].lead == r.item_pk]
    return render(request, "queue.html", {
        "reasons": queue_reasons(ctx.policy, translator(lang_of(request))),
        "page": page, "rows": rows, "filters": filters, "counts": counts, "choices": choices,
        "categories": ctx.policy.categories, "ages": list(AGES), "verbs": VERBS, "msg": msg,
        "actions": DECISION_ACTIONS,
    })


def _item_page(request: Request, item_pk: int, error: str = "", msg: str = "",
               status_code: int = 200) -> Response:
    ctx = web_context(request)
    with ctx.read() as conn:
        view = item_view(conn, item_pk)
    if view is None:
        raise HTTPException(404, "no such review item")
    from vigie.web.i18n import translator
    from vigie.web.presets import presets_for

    rules = {c.slug: c for c in ctx.policy.categories}
    presets = presets_for(ctx.policy, view.decision.get("categories", []),
                          translator(lang_of(request)))
    return render(request, "item.html", {
        "view": view, "text": highlight(view.row.text or "", _marks(request, view.decision,
                                                                    view.row.text or "")),
        "rules": rules,
        "verbs": VERBS, "error": error, "msg": msg, "presets": presets,
        "next_item": _next_item(ctx, item_pk), "related": _related(ctx, view.decision),
    }, status_code=status_code)


def _marks(request: Request, decision: dict[str, Any], text: str) -> list[Any]:
    """Evidence marks whose tooltips name the clause, label and evidence in the reader's words."""
    from vigie.web.explain import evidence_text
    from vigie.web.i18n import translator
    from vigie.web.queries import marks_of

    t = translator(lang_of(request))
    rules = {c.slug: c for c in web_context(request).policy.categories}

    def describe(cat: dict[str, Any], finding: dict[str, Any]) -> str:
        rule = rules.get(str(cat.get("slug")))
        label = (rule.label.fr if t.lang == "fr" else rule.label.en) if rule else cat.get("slug")
        return f"{cat.get('clause')} {label} : {evidence_text(finding, t)}"

    return marks_of(decision, text, describe)


def _related(ctx: Any, decision: dict[str, Any]) -> list[dict[str, Any]]:
    from vigie.web.groups import related

    with ctx.read() as conn:
        return related(conn, decision)


def _next_item(ctx: Any, item_pk: int) -> int | None:
    with ctx.read() as conn:
        return next_open_item(conn, item_pk)


@router.get("/items/{item_pk}")
def item(request: Request, item_pk: PathPk, _: Reader,
         msg: Annotated[str, Query(max_length=64)] = "") -> Response:
    """One item, with the action form.

    Shows the comment with its evidence highlighted, clauses, scores, post, thread, history and
    the author's record.
    """
    return _item_page(request, item_pk, msg=msg)


@router.post("/items/{item_pk}/action")
def item_action(request: Request, item_pk: PathPk, me: ActorDep,
                action: Annotated[Verb, Form()],
                reason: Annotated[str, Form(max_length=2000)] = "",
                next: Annotated[str, Form(max_length=1)] = "") -> Response:
    """Apply a reviewer action with a reason; then the next open item or this one again."""
    if not reason.strip():
        return _item_page(request, item_pk, error="item.reason_required", status_code=422)
    ctx = web_context(request)
    try:
        apply_review(ctx, item_pk, action, me, reason.strip())
    except (ReviewError, StoreError) as error:
        return _item_page(request, item_pk, error=str(error), status_code=409)
    except Forbidden as error:
        return _item_page(request, item_pk, error=str(error), status_code=403)
    if next == "1":
        following = _next_item(ctx, item_pk)
        if following is None:
            return RedirectResponse("/queue?msg=item.queue_empty", status_code=303)
        return RedirectResponse(f"/items/{following}?msg=item.done_next&done={item_pk}",
                                status_code=303)
    return RedirectResponse(f"/items/{item_pk}?msg=item.done", status_code=303)


@router.post("/queue/bulk")
async def queue_bulk(request: Request, me: ActorDep) -> Response:
    """The same action on the ticked items of the queue page."""
    form = await request.form()
    items = [int(v) for v in form.getlist("items")
             if isinstance(v, str) and v.isdigit() and 0 < int(v) <= MAX_PK]
    action = str(form.get("action") or "")
    reason = str(form.get("reason") or "").strip()[:2000]
    back = str(form.get("back") or "")
    back = back if back.startswith("/queue") and not back.startswith("//") else "/queue"
    if not items or action not in VERBS or not reason:
        sep = "&" if "?" in back else "?"
        return RedirectResponse(f"{back}{sep}msg=queue.bulk_incomplete", status_code=303)
    from starlette.concurrency import run_in_threadpool

    _done, refused = await run_in_threadpool(bulk_review, web_context(request), items[:500], action,
                                            me, reason)
    sep = "&" if "?" in back else "?"
    key = "queue.bulk_done" if not refused else "queue.bulk_partial"
    return RedirectResponse(f"{back}{sep}msg={key}", status_code=303)


def policy_page(request: Request, msg: str = "", error: str = "",
                status: int = 200) -> Response:
    """The policy page, with a message or an error (also used by :mod:`.routes_policy`)."""
    from vigie.web.policy_edit import active_version

    ctx = web_context(request)
    return render(request, "policy.html", {"o": policy_overview(ctx),
                                           "policy": active_version(ctx)[0],
                                           "msg": msg, "error": error}, status)


@router.get("/policy")
def policy(request: Request, _: Reader,
           msg: Annotated[str, Query(max_length=64)] = "") -> Response:
    """The policy in force, its versions, and (by role) propose / approve / refuse forms."""
    return policy_page(request, msg)


@router.get("/policy/diff")
def policy_compare(request: Request, _: Reader, a: Annotated[str, Query(max_length=80)],
                   b: Annotated[str, Query(max_length=80)]) -> Response:
    """Line-by-line differences between two stored versions."""
    text = policy_diff(web_context(request), a, b)
    return render(request, "policy_diff.html", {"a": a, "b": b, "lines": text.splitlines()})


@router.post("/policy/propose")
def policy_propose(request: Request, me: Proposer,
                   yaml_text: Annotated[str, Form(max_length=500_000)] = "") -> Response:
    """Propose a new version (validated first; CRLF line endings are read as LF)."""
    try:
        propose_policy(web_context(request), yaml_text, None, me.actor)
    except (PolicyError, StoreError) as error:
        return policy_page(request, error=str(error), status=422)
    return RedirectResponse("/policy?msg=policy.proposed", status_code=303)


@router.post("/policy/{digest}/approve")
def policy_approve(request: Request, digest: str, me: Approver,
                   reference: Annotated[str, Form(max_length=255)] = "",
                   note: Annotated[str, Form(max_length=1000)] = "") -> Response:
    """Record the approval of a proposed version, by someone other than its author."""
    try:
        approve_policy(web_context(request), digest, me, reference, None, note)
    except StoreError as error:
        return policy_page(request, error=str(error), status=409)
    return RedirectResponse("/policy?msg=policy.approved", status_code=303)


@router.get("/audit")
def audit(request: Request, _: Reader, f: AuditSearch) -> Response:
    """The audit log, newest first, with search and CSV export."""
    with web_context(request).read() as conn:
        rows, next_before = audit_page(conn, f)
        kinds = event_kinds(conn)
    return render(request, "audit.html", {
        "rows": rows, "next_before": next_before, "kinds": kinds,
        "filters": {"actor": f.actor, "kind": f.kind, "subject": f.subject}})


@router.get("/audit.csv")
def audit_csv(request: Request, _: Reader, f: AuditSearch) -> Response:
    """The matching audit events as a CSV file (every page, oldest first)."""
    from dataclasses import replace

    from vigie.web.routes_api import audit_csv_response

    return audit_csv_response(web_context(request), replace(f, before=None))


@router.get("/check")
def check_form(request: Request, _: Checker) -> Response:
    """Try a text against the policy without storing it."""
    return render(request, "check.html", {"text": "", "post": "", "decision": None,
                                          "marked": None})


@router.post("/check")
def check_submit(request: Request, _: Checker,
                 text: Annotated[str, Form(max_length=20_000)] = "",
                 post: Annotated[str, Form(max_length=20_000)] = "") -> Response:
    """Show the decision for a text, with its evidence highlighted."""
    decision = check_text(web_context(request), CheckIn(text=text, post=post))
    return render(request, "check.html", {
        "text": text, "post": post, "decision": decision,
        "marked": highlight(text, _marks(request, decision, text))})


@router.get("/admin")
def admin(request: Request, _: Manager,
          msg: Annotated[str, Query(max_length=64)] = "") -> Response:
    """Accounts, API tokens and the page registry."""
    ctx = web_context(request)
    with ctx.read() as conn:
        users = accounts.list_users(conn)
        tokens = accounts.list_tokens(conn)
    return render(request, "admin.html", {"users": users, "tokens": tokens,
                                          "pages": list_pages(ctx), "roles": list(Role),
                                          "msg": msg, "error": "", "secret": "",
                                          "temporary": None})


def _admin_error(request: Request, error: str, secret: str = "",
                 status_code: int = 422,
                 temporary: accounts.TemporaryPassword | None = None) -> Response:
    ctx = web_context(request)
    with ctx.read() as conn:
        users = accounts.list_users(conn)
        tokens = accounts.list_tokens(conn)
    return render(request, "admin.html", {"users": users, "tokens": tokens,
                                          "pages": list_pages(ctx), "roles": list(Role),
                                          "msg": "", "error": error, "secret": secret,
                                          "temporary": temporary, "temporary_days":
                                          accounts.TEMPORARY_PASSWORD_TTL_S // 86400},
                  status_code=status_code)


@router.post("/admin/users")
def admin_user(request: Request, _: Manager,
               username: Annotated[str, Form(max_length=64)] = "",
               password: Annotated[str, Form(max_length=1024)] = "",
               role: Annotated[str, Form(max_length=32)] = "") -> Response:
    """Create an account."""
    ctx = web_context(request)
    try:
        with ctx.store.begin() as conn:
            accounts.create_user(conn, ctx.passwords, username, password, role,
                                 ctx.store.now())
    except accounts.AccountError as error:
        return _admin_error(request, str(error))
    return RedirectResponse("/admin?msg=admin.user_created", status_code=303)


@router.post("/admin/users/{user_pk}/reset-password")
def admin_reset_password(request: Request, user_pk: PathPk, me: Manager) -> Response:
    """Reset another account's password; the temporary one is shown on this page once."""
    try:
        reset = reset_user_password(web_context(request), user_pk, me)
    except StoreError:
        raise HTTPException(404, "no such account") from None
    except accounts.AccountError:
        return _admin_error(request, "admin.reset_self")
    return _admin_error(request, "", temporary=reset, status_code=200)


@router.post("/admin/tokens")
def admin_token(request: Request, me: Manager,
                name: Annotated[str, Form(max_length=255)] = "",
                role: Annotated[str, Form(max_length=32)] = "") -> Response:
    """Create an API token; its secret is shown on this page once."""
    ctx = web_context(request)
    try:
        chosen = Role(role) if role else None
        with ctx.store.begin() as conn:
            secret, _t = accounts.create_api_token(conn, me.user, name, ctx.store.now(), chosen)
    except (accounts.AccountError, ValueError) as error:
        return _admin_error(request, str(error))
    return _admin_error(request, "", secret=secret, status_code=201)


@router.post("/admin/tokens/{token_pk}/revoke")
def admin_revoke(request: Request, token_pk: PathPk, _: Manager) -> Response:
    """Revoke an API token."""
    ctx = web_context(request)
    with ctx.store.begin() as conn:
        accounts.revoke_token(conn, token_pk, ctx.store.now())
    return RedirectResponse("/admin?msg=admin.token_revoked", status_code=303)


@router.post("/admin/pages")
def admin_page(request: Request, me: Manager,
               platform: Annotated[str, Form(max_length=32)] = "",
               page_id: Annotated[str, Form(max_length=255)] = "",
               name: Annotated[str, Form(max_length=255)] = "",
               url: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Add an official page to the registry."""
    try:
        add_page(web_context(request), PageIn.model_validate(
            {"platform": platform, "page_id": page_id, "name": name, "url": url or None}),
            me.actor)
    except (VigieError, ValueError) as error:
        return _admin_error(request, str(error))
    return RedirectResponse("/admin?msg=admin.page_added", status_code=303)


# -- one's own account ---------------------------------------------------------------------

def _account_page(request: Request, error: str = "", status_code: int = 200,
                  msg: str = "") -> Response:
    from vigie.web.i18n import translator

    # Translated here because the weak-password text has a field (base.html shows it as is).
    text = translator(lang_of(request))(error, n=accounts.MIN_PASSWORD) if error else ""
    from vigie.web.formats import zones
    from vigie.web.templating import zone_of

    return render(request, "account.html", {"error_text": text, "msg": msg,
                                            "min_length": accounts.MIN_PASSWORD,
                                            "zone": zone_of(request), "zones": zones(),
                                            "chosen_lang": lang_of(request),
                                            "now": web_context(request).store.now()},
                  status_code=status_code)


@router.get("/account")
def account(request: Request, _: AccountHolder,
            msg: Annotated[str, Query(max_length=64)] = "") -> Response:
    """The caller's account and the password form (the only page while a change is due)."""
    return _account_page(request, msg=msg)


@router.post("/account/password")
def account_password(request: Request, me: AccountHolder,
                     current_password: Annotated[str, Form(max_length=1024)] = "",
                     new_password: Annotated[str, Form(max_length=1024)] = "",
                     confirm_password: Annotated[str, Form(max_length=1024)] = "") -> Response:
    """Change one's own password; other sessions end and this one gets a fresh cookie."""
    if not (current_password and new_password and confirm_password):
        return _account_page(request, "account.incomplete", 422)
    if new_password != confirm_password:
        return _account_page(request, "account.mismatch", 422)
    if len(new_password) < accounts.MIN_PASSWORD:
        return _account_page(request, "account.weak", 422)
    if new_password == current_password:
        return _account_page(request, "account.same", 422)
    ctx = web_context(request)
    try:
        token = change_own_password(ctx, me, current_password, new_password,
                                    request.client.host if request.client else "unknown",
                                    request.headers.get("user-agent"))
    except accounts.TooManyAttempts as error:
        response = _account_page(request, "login.throttled", 429)
        response.headers["Retry-After"] = str(error.retry_after_s)
        return response
    except accounts.WrongPassword:
        return _account_page(request, "account.wrong_current", 400)
    except accounts.AccountError:  # the same rules as above, enforced again by the domain
        return _account_page(request, "account.weak", 422)
    response = RedirectResponse("/account?msg=account.changed", status_code=303)
    if token is not None:
        set_session_cookie(response, ctx.settings, token)
    return response


def _save_choices(request: Request, me: Principal, lang: str | None, zone: str) -> Response:
    """Keep the account's language and time zone (audited) and this browser's cookies."""
    from vigie.web.formats import valid_zone
    from vigie.web.templating import remember_choices

    if not valid_zone(zone):
        return _account_page(request, "account.bad_zone", 422)
    if lang is not None and lang not in ("fr", "en"):
        return _account_page(request, "account.bad_lang", 422)
    ctx = web_context(request)
    with ctx.store.begin() as conn:
        accounts.set_preferences(conn, me.user, ctx.store.now(), actor=me.actor, lang=lang,
                                 timezone=zone)
    saved = "account.zone_saved" if lang is None else "account.choices_saved"
    response = RedirectResponse(f"/account?msg={saved}", status_code=303)
    remember_choices(response, ctx.settings.secure_cookies, lang=lang, zone=zone)
    return response


@router.post("/account/zone")
def account_zone(request: Request, me: AccountHolder,
                 zone: Annotated[str, Form(max_length=64)] = "") -> Response:
    """Keep the account's time zone (dates and times are shown in it)."""
    return _save_choices(request, me, None, zone)


@router.post("/account/preferences")
def account_preferences(request: Request, me: AccountHolder,
                        lang: Annotated[str, Form(max_length=8)] = "",
                        zone: Annotated[str, Form(max_length=64)] = "") -> Response:
    """Keep the account's language and time zone; every page follows them once signed in."""
    return _save_choices(request, me, lang, zone)
