"""The auditor's verification page: chain, acting state and signed checkpoints, from the browser.

``GET /audit/verify`` says what is checked; ``POST /audit/verify`` runs
:func:`vigie.store.audit_verify.verify_audit` with the configured checkpoints
(``VIGIE_AUDIT_CHECKPOINT_FILE`` and its key) and shows, in the reader's language, after which
checkpoint a rewrite starts and which rows disagree with the events. Both need
``verify_audit`` (the auditor and the admin); each run is an ``audit_verified`` event under the
name of whoever ran it.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response

from vigie.store.audit_verify import AuditVerification, verify_audit
from vigie.store.checkpoints import Checkpoint
from vigie.store.events import EventKind, NewEvent, append_events
from vigie.web.auth import AuditVerifier
from vigie.web.context import WebContext, web_context
from vigie.web.templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _page(request: Request, found: AuditVerification | None) -> Response:
    configured = bool(web_context(request).store.settings.audit_checkpoint_file)
    return render(request, "audit_verify.html", {"found": found, "configured": configured,
                                                 "cp_at": _signed_at})


def _signed_at(checkpoint: Checkpoint | None) -> dt.datetime | None:
    """When a checkpoint was signed, for the page's date format (``None`` if unreadable)."""
    try:
        return dt.datetime.fromisoformat(checkpoint.at) if checkpoint else None
    except ValueError:
        return None


@router.get("/audit/verify")
def audit_verify_page(request: Request, _: AuditVerifier) -> Response:
    """What the verification checks, and the button that runs it."""
    return _page(request, None)


@router.post("/audit/verify")
def audit_verify_run(request: Request, me: AuditVerifier) -> Response:
    """Run the verification (read only), record that it ran, show the result."""
    ctx = web_context(request)
    found = verify_audit(ctx.store, strict=False)
    _record(ctx, found, me.actor)
    return _page(request, found)


def _record(ctx: WebContext, found: AuditVerification, actor: str) -> None:
    signed = found.signed
    checkpoints_ok = False if found.checkpoints_error else (signed.ok if signed else None)
    payload = {"ok": found.ok, "events": found.chain.events,
               "problems": len(found.chain.problems),
               "checkpoints": signed.checked if signed else 0,
               "checkpoints_ok": checkpoints_ok}
    store = ctx.store
    with store.begin() as conn:
        append_events(conn, [NewEvent(EventKind.AUDIT_VERIFIED, "audit", "trail", payload,
                                      actor)], store.now())
