"""The policy form and the refusal of a proposed version (section 9).

``/policy/edit`` shows the common edits of the version in force as a form; *Preview* builds the
draft, shows its YAML diff and replays the latest stored comments under both versions; *Save*
proposes it (the communications service). A second person with the approval permission then
approves or refuses it on ``/policy`` with a note; it comes into force on its date. Nobody
decides on their own proposal: the service refuses it, for a session or one of its tokens.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from vigie.errors import PolicyError, StoreError, VigieError
from vigie.web.auth import Approver, Proposer
from vigie.web.context import web_context
from vigie.web.i18n import translator
from vigie.web.policy_edit import active_version, replay_draft
from vigie.web.policy_form import LEXICON, LINKS, build_draft, form_values
from vigie.web.service import propose_policy, refuse_policy
from vigie.web.templating import lang_of, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: How many of the latest stored comments a replay judges, by default and at most.
REPLAY_DEFAULT = 500
REPLAY_MAX = 5000


def _page(request: Request, values: dict[str, str], **extra: Any) -> dict[str, Any]:
    policy, _ = active_version(web_context(request))
    return {"policy": policy, "values": values, "errors": {}, "draft": None, "replay": None,
            "replay_error": "", "has_words": LEXICON in policy.detectors,
            "has_pages": LINKS in policy.detectors, **extra}


@router.get("/policy/edit")
def policy_edit(request: Request, _: Proposer) -> Response:
    """The form, filled from the version in force."""
    policy, _text = active_version(web_context(request))
    values = form_values(policy)
    values.update(replay_limit=str(REPLAY_DEFAULT), since="", until="")
    return render(request, "policy_edit.html", _page(request, values))


def _replay_options(values: dict[str, str], errors: dict[str, str],
                    t: Any) -> tuple[int, dt.date | None, dt.date | None]:
    try:
        limit = int(values.get("replay_limit") or REPLAY_DEFAULT)
        if not 1 <= limit <= REPLAY_MAX:
            raise ValueError
    except ValueError:
        errors["replay_limit"] = t("policyform.err.limit", max=REPLAY_MAX)
        limit = REPLAY_DEFAULT
    days: list[dt.date | None] = []
    for name in ("since", "until"):
        raw = values.get(name, "").strip()
        try:
            days.append(dt.date.fromisoformat(raw) if raw else None)
        except ValueError:
            errors[name] = t("policyform.err.date", value=raw)
            days.append(None)
    return limit, days[0], days[1]


def _submit(request: Request, values: dict[str, str], step: str, actor: str) -> Response:
    ctx = web_context(request)
    t = translator(lang_of(request))
    active, text = active_version(ctx)
    draft, errors = build_draft(text, values, t)
    limit, since, until = _replay_options(values, errors, t)
    if draft is None or errors:
        return render(request, "policy_edit.html", _page(request, values, errors=errors), 422)
    notice: dict[str, str] = {}
    if step == "save" and values.get("preview_digest") != draft.policy.digest:
        # Saved only as previewed: the replay shown is the replay of what is proposed.
        step, notice = "preview", {"_form": t("policyform.saved_changed")}
    if step == "save":
        try:
            propose_policy(ctx, draft.text, None, actor)
        except (PolicyError, StoreError) as error:
            return render(request, "policy_edit.html", _page(
                request, values, draft=draft, errors={"_form": str(error)}), 409)
        return RedirectResponse("/policy?msg=policy.proposed", status_code=303)
    replay, replay_error = None, ""
    try:
        replay = replay_draft(ctx, active, draft.policy, limit=limit, since=since, until=until)
    except VigieError as error:
        replay_error = str(error)
    return render(request, "policy_edit.html", _page(
        request, values, draft=draft, replay=replay, replay_error=replay_error, errors=notice))


@router.post("/policy/edit")
async def policy_edit_submit(request: Request, me: Proposer) -> Response:
    """Preview the draft (diff and replay) or save it as a proposed version."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and len(v) <= 100_000}
    step = "save" if values.get("step") == "save" else "preview"
    return await run_in_threadpool(_submit, request, values, step, me.actor)


@router.post("/policy/{digest}/refuse")
def policy_refuse(request: Request, digest: str, me: Approver,
                  note: Annotated[str, Form(max_length=1000)] = "") -> Response:
    """Refuse a proposed version, with a note saying why."""
    from vigie.web.routes_ui import policy_page

    try:
        refuse_policy(web_context(request), digest, me, note)
    except StoreError as error:
        return policy_page(request, error=str(error), status=409)
    return RedirectResponse("/policy?msg=policy.refused", status_code=303)
