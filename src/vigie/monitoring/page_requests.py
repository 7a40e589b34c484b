"""Requests to create a page in the institution's name, and their approval (directive 6.1).

Directive 6.1: every page created in the institution's name is in a registry, and nobody
speaks in its name without a mandate. A member of staff asks first (:func:`submit_request`):
the platform, a page or a group, the proposed name, handle or address, its purpose, the unit
it will speak for, who will manage it (an e-mail address: the registry's ``contact``) and its
mandate (what it may say in the institution's name). The request is stored in
``monitor_page_requests`` with a ``page_requested`` event.

The community manager approves or refuses it with a note (:func:`decide_request`), never
their own request. Approval lists the page in the registry (``monitor_registry``, status
``official``, its kind, the mandate and purpose in its notes), in the same transaction as the
``page_request_approved`` event, so the impersonation check, the staff-reply watch and the
draft check read it at once; a refusal writes ``page_request_refused``. Events carry the
request's number, platform, kind, address and unit and who acted; never the note.

Notices: the community manager's channels (mail and webhooks) are told of a new request; the
requester is e-mailed the decision at ``reply_to`` through the escalation relay. The caller
words them (:func:`vigie.web.notices.page_request_notice`, ``page_decision_notice``).

Refusals (:class:`RequestError`, a :class:`~vigie.errors.StoreError`) write nothing; each
carries a ``key`` the edges translate (``pagereq.error_<key>``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from vigie.errors import StoreError, VigieError
from vigie.monitoring.consultations import valid_email
from vigie.monitoring.registry import (
    EntryKind,
    PageStatus,
    RegistryEntry,
    canonical_page_url,
    upsert_in,
)
from vigie.monitoring.tables import monitor_page_requests, monitor_registry
from vigie.notify.escalation import Notice, mail_one
from vigie.store.events import EventKind, NewEvent, append_events, lock_chain
from vigie.store.settings import EscalationSettings
from vigie.store.store import Store

__all__ = ["PLATFORMS", "PageRequest", "RequestError", "decide_request", "get_request",
           "list_requests", "notify_requester", "proposed_url", "same_person",
           "submit_request"]

#: Where a handle becomes an address, per platform and kind (the platforms' public URLs).
_ADDRESSES: dict[str, dict[EntryKind, str]] = {
    "facebook": {EntryKind.PAGE: "https://facebook.com/{h}",
                 EntryKind.GROUP: "https://facebook.com/groups/{h}"},
    "instagram": {EntryKind.PAGE: "https://instagram.com/{h}"},
    "x": {EntryKind.PAGE: "https://x.com/{h}"},
    "youtube": {EntryKind.PAGE: "https://youtube.com/@{h}"},
    "linkedin": {EntryKind.PAGE: "https://linkedin.com/company/{h}",
                 EntryKind.GROUP: "https://linkedin.com/groups/{h}"},
    "threads": {EntryKind.PAGE: "https://threads.net/@{h}"},
    "bluesky": {EntryKind.PAGE: "https://bsky.app/profile/{h}"},
    "tiktok": {EntryKind.PAGE: "https://tiktok.com/@{h}"},
}
#: Platforms a request may name (``web`` for a site with its own address).
PLATFORMS = (*_ADDRESSES, "web")
#: Longest free text kept (purpose, mandate, note), in characters.
MAX_TEXT = 5000
_REQUIRED = ("name", "purpose", "unit", "manager", "mandate")


class RequestError(StoreError):
    """A page-request step was refused; nothing was written.

    Attributes:
        key: ``unknown``, ``decided``, ``own``, ``empty_note``, ``missing``, ``bad_platform``,
            ``bad_kind``, ``bad_email``, ``no_address``, ``bad_address``, ``registered``,
            ``duplicate`` or ``too_long``: the edges word it (``pagereq.error_<key>``).
        fields: what the message names (``pk``, ``field``, ``url``...).
    """

    def __init__(self, key: str, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.key = key
        self.fields = fields


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One request, as stored (see ``monitor_page_requests`` for each column)."""

    pk: int
    requested_at: dt.datetime
    requested_by: str
    platform: str
    kind: str
    name: str
    handle: str | None
    url: str
    purpose: str
    unit: str
    manager: str
    mandate: str
    reply_to: str | None
    status: str
    notice: str
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (pure)."""
        out = asdict(self)
        out["requested_at"] = self.requested_at.isoformat()
        out["decided_at"] = self.decided_at.isoformat() if self.decided_at else None
        return out


def same_person(a: str, b: str) -> bool:
    """Whether two audit names are one person: an account and its API token are (pure)."""
    def key(name: str) -> str:
        return name.strip().removesuffix(" (api token)").strip().lower()
    return key(a) == key(b)


def proposed_url(platform: str, kind: str, handle: str | None, url: str | None) -> str:
    """The request's address in canonical form: ``url`` if given, else from the handle (pure).

    Raises:
        RequestError: neither is given (``no_address``), the platform has no address for
            that kind, or ``url`` is not an address (``bad_address``).
    """
    if url and url.strip():
        try:
            return canonical_page_url(url)
        except VigieError:
            raise RequestError("bad_address", f"not a page address: {url!r}",
                               url=url.strip()) from None
    name = (handle or "").strip().lstrip("@")
    if not name:
        raise RequestError("no_address", "give the proposed handle or the address")
    pattern = _ADDRESSES.get(platform, {}).get(EntryKind(kind))
    if pattern is None:
        raise RequestError("bad_address", f"{platform} has no {kind} address for a handle; "
                           "give the address", url=name)
    return canonical_page_url(pattern.format(h=name))


def _row(row: Any) -> PageRequest:
    return PageRequest(int(row.pk), row.requested_at, row.requested_by, row.platform, row.kind,
                       row.name, row.handle, row.url, row.purpose, row.unit, row.manager,
                       row.mandate, row.reply_to, row.status, row.notice, row.decided_by,
                       row.decided_at, row.note)


def _fetch(conn: Connection, pk: int) -> PageRequest | None:
    row = conn.execute(select(monitor_page_requests)
                       .where(monitor_page_requests.c.pk == pk)).one_or_none()
    return _row(row) if row is not None else None


def get_request(store: Store, pk: int) -> PageRequest:
    """Request ``pk``.

    Raises:
        RequestError: no such request (``unknown``).
    """
    with store.read() as conn:
        found = _fetch(conn, pk)
    if found is None:
        raise RequestError("unknown", f"no page request {pk}", pk=pk)
    return found


def list_requests(store: Store, status: str | None = None,
                  limit: int = 200) -> list[PageRequest]:
    """Requests, newest first; only ``pending``, ``approved`` or ``refused`` ones if asked."""
    query = select(monitor_page_requests).order_by(monitor_page_requests.c.pk.desc()).limit(limit)
    if status in ("pending", "approved", "refused"):
        query = query.where(monitor_page_requests.c.status == status)
    with store.read() as conn:
        return [_row(r) for r in conn.execute(query).all()]


def _clean(fields: dict[str, str | None]) -> dict[str, str]:
    out = {k: (v or "").strip() for k, v in fields.items()}
    for name in _REQUIRED:
        if not out[name]:
            raise RequestError("missing", f"{name} is required", field=name)
    for name, value in out.items():
        limit = MAX_TEXT if name in ("purpose", "mandate") else 255
        if len(value) > limit:
            raise RequestError("too_long", f"{name} is over {limit} characters", field=name,
                               n=limit)
    return out


def submit_request(store: Store, *, requested_by: str, platform: str, kind: str = "page",
                   name: str, handle: str | None = None, url: str | None = None,
                   purpose: str, unit: str, manager: str, mandate: str,
                   reply_to: str | None = None) -> PageRequest:
    """Store a request to create a page in the institution's name; append ``page_requested``.

    Args:
        store: the store.
        requested_by: who asks (an account, or a name given on the command line).
        platform: one of :data:`PLATFORMS`.
        kind: ``page`` (a page or an account) or ``group``.
        name: the proposed display name.
        handle: the proposed handle (without ``@``); gives the address when ``url`` is empty.
        url: the proposed address.
        purpose: what the page is for.
        unit: the unit it will speak for.
        manager: who will manage it: an e-mail address (the registry's contact).
        mandate: what it may say in the institution's name.
        reply_to: where to e-mail the decision (default: nobody).

    Raises:
        RequestError: a field missing or too long, an unknown platform or kind, an address
            that is not one, a page already registered (``registered``) or already requested
            and waiting (``duplicate``); nothing is written.
    """
    values = _clean({"name": name, "purpose": purpose, "unit": unit, "manager": manager,
                     "mandate": mandate, "handle": handle, "reply_to": reply_to})
    platform = platform.strip().lower()
    if platform not in PLATFORMS:
        raise RequestError("bad_platform", f"unknown platform {platform!r}; valid: "
                           f"{', '.join(PLATFORMS)}", platform=platform,
                           valid=", ".join(PLATFORMS))
    if kind not in tuple(EntryKind):
        raise RequestError("bad_kind", f"unknown kind {kind!r}; valid: page, group", kind=kind)
    for field in ("manager", "reply_to"):
        if values[field] and not valid_email(values[field]):
            raise RequestError("bad_email", f"{values[field]!r} is not an e-mail address "
                               "(name@example.org)", email=values[field])
    address = proposed_url(platform, kind, values["handle"], url)
    now = store.now()
    with store.begin() as conn:
        head = lock_chain(conn)  # first: two requests for one address are serialised here
        if conn.execute(select(monitor_registry.c.pk)
                        .where(monitor_registry.c.url == address)).first():
            raise RequestError("registered", f"{address} is already in the registry",
                               url=address)
        if conn.execute(select(monitor_page_requests.c.pk).where(
                monitor_page_requests.c.url == address,
                monitor_page_requests.c.status == "pending")).first():
            raise RequestError("duplicate", f"{address} is already requested and waiting",
                               url=address)
        pk = int(conn.execute(insert(monitor_page_requests).values(
            requested_at=now, requested_by=requested_by.strip()[:255] or "?", platform=platform,
            kind=kind, name=values["name"], handle=values["handle"].lstrip("@").lower() or None,
            url=address, purpose=values["purpose"], unit=values["unit"],
            manager=values["manager"], mandate=values["mandate"],
            reply_to=values["reply_to"] or None, status="pending", notice="pending")
            .returning(monitor_page_requests.c.pk)).scalar_one())
        append_events(conn, [NewEvent(EventKind.PAGE_REQUESTED, "page_request", str(pk), {
            "platform": platform, "kind": kind, "url": address, "unit": values["unit"]},
            actor=requested_by.strip()[:255] or "?")], now, head)
        found = _fetch(conn, pk)
    assert found is not None
    return found


def decide_request(store: Store, pk: int, approve: bool, *, decided_by: str,
                   note: str) -> PageRequest:
    """Approve or refuse request ``pk`` with a note; approval lists the page in the registry.

    Args:
        store: the store.
        pk: the request's number.
        approve: approve (list it, ``official``) or refuse.
        decided_by: who decides (the community manager's account, or a name); recorded as
            the audit's actor.
        note: why, in words (required either way).

    Raises:
        RequestError: no such request (``unknown``), already decided (``decided``: a
            decision is never replaced), the requester deciding (``own``), an empty or too
            long note, or, on approval, an address registered since (``registered``);
            nothing is written.
    """
    note = note.strip()
    by = decided_by.strip()[:255]
    if not note:
        raise RequestError("empty_note", "a decision needs a note")
    if len(note) > MAX_TEXT:
        raise RequestError("too_long", f"the note is over {MAX_TEXT} characters", field="note",
                           n=MAX_TEXT)
    now = store.now()
    with store.begin() as conn:
        head = lock_chain(conn)  # first: two decisions at once are serialised here
        found = _fetch(conn, pk)
        if found is None:
            raise RequestError("unknown", f"no page request {pk}", pk=pk)
        if found.status != "pending":
            raise RequestError("decided", f"page request {pk} was already {found.status} by "
                               f"{found.decided_by}", pk=pk, by=found.decided_by,
                               status=found.status)
        if same_person(by, found.requested_by):
            raise RequestError("own", f"{by} asked for page request {pk}: someone else "
                               "decides it", pk=pk)
        payload: dict[str, Any] = {"requested_by": found.requested_by, "url": found.url}
        if approve:
            if conn.execute(select(monitor_registry.c.pk)
                            .where(monitor_registry.c.url == found.url)).first():
                raise RequestError("registered", f"{found.url} is already in the registry",
                                   url=found.url)
            upsert_in(conn, [RegistryEntry(
                platform=found.platform, url=found.url, handle=found.handle, name=found.name,
                unit=found.unit, contact=found.manager, status=PageStatus.OFFICIAL,
                kind=EntryKind(found.kind),
                notes=f"request {pk}: {found.purpose} — mandate: {found.mandate}"[:MAX_TEXT])],
                now)
            payload["registry"] = PageStatus.OFFICIAL.value
        conn.execute(update(monitor_page_requests).where(monitor_page_requests.c.pk == pk)
                     .values(status="approved" if approve else "refused", decided_by=by,
                             decided_at=now, note=note))
        kind = EventKind.PAGE_REQUEST_APPROVED if approve else EventKind.PAGE_REQUEST_REFUSED
        append_events(conn, [NewEvent(kind, "page_request", str(pk), payload, actor=by)], now,
                      head)
        done = _fetch(conn, pk)
    assert done is not None
    return done


def notify_requester(store: Store, item: PageRequest, notice: Notice,
                     settings: EscalationSettings | None = None) -> tuple[str, str]:
    """E-mail the decision to the request's ``reply_to``, if it has one and a relay is set.

    Never raises for the channel: the outcome is kept on the row (``notice``) and returned.

    Returns:
        ``(outcome, detail)``: ``sent``, ``no_channel`` (no address or no relay) or
        ``failed`` (the detail says why).
    """
    outcome, detail = ("no_channel", "") if not item.reply_to else mail_one(
        settings or store.settings.escalation, item.reply_to, notice)
    with store.begin() as conn:
        conn.execute(update(monitor_page_requests)
                     .where(monitor_page_requests.c.pk == item.pk).values(notice=outcome))
    return outcome, detail
