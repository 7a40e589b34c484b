"""The registry of the institution's pages and accounts, and who may speak in its name.

Directive 6.1: every page created in the institution's name (a department's Facebook page, a
research group's X account) is listed in a registry, and nobody speaks in the institution's
name without a mandate. The registry holds, per page: platform, URL, handle, name, owning
unit, contact and status:

* ``official`` — speaks for the institution (its accounts, its mandated units' pages);
* ``affiliated`` — linked to it (a student association, a chair) but not its voice;
* ``pending`` — declared, not yet approved.

Each entry is a ``page`` (a page or an account) or a ``group`` (a group whose members the
institution administers, such as a Facebook or LinkedIn group): when an author is blocked on
a platform, every registered group of that platform gets a membership task for the community
manager (:mod:`vigie.monitoring.group_tasks`, directive 7). Pages created after a staff
request approved by the community manager are listed here by
:mod:`vigie.monitoring.page_requests`.

Who may speak in the institution's name (:class:`MandateBook`): the registered ``official``
accounts, and the people listed in ``monitor_mandates`` (a spokesperson, the director of
communications), until their mandate expires.

Every page listed here is the institution's own for the link detectors, like the policy's
``vigie.links.v1`` pages (:func:`own_pages`, given by the store workflow): a link to it in a
comment is never spam.

Import and export as CSV (one row per page, the columns of :data:`CSV_FIELDS`) or JSON (a
list of objects with the same keys). Imports are upserts keyed by the canonical URL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from vigie.errors import VigieError
from vigie.monitoring.tables import monitor_mandates, monitor_registry
from vigie.store.store import Store

__all__ = [
    "CSV_FIELDS",
    "EntryKind",
    "Mandate",
    "MandateBook",
    "MandateCheck",
    "PageStatus",
    "RegistryEntry",
    "add_mandate",
    "canonical_page_url",
    "export_entries",
    "list_entries",
    "list_mandates",
    "load_book",
    "own_pages",
    "page_prefixes_of",
    "parse_entries",
    "parse_mandates",
    "remove_entry",
    "revoke_mandate",
    "upsert_entries",
    "upsert_in",
]

CSV_FIELDS = ("platform", "url", "handle", "name", "unit", "contact", "status", "notes", "kind")
# Hosts that are the same site under another name.
_HOST_ALIASES = {"twitter.com": "x.com", "mobile.twitter.com": "x.com", "fb.com": "facebook.com",
                 "m.facebook.com": "facebook.com", "m.youtube.com": "youtube.com",
                 "ca.linkedin.com": "linkedin.com"}
_PLATFORM_HOSTS = {"x.com": "x", "facebook.com": "facebook", "instagram.com": "instagram",
                   "youtube.com": "youtube", "linkedin.com": "linkedin", "tiktok.com": "tiktok",
                   "threads.net": "threads", "bsky.app": "bluesky"}


class PageStatus(StrEnum):
    """Where a page stands in the registry."""

    OFFICIAL = "official"
    AFFILIATED = "affiliated"
    PENDING = "pending"


class EntryKind(StrEnum):
    """What a registry entry is: a page (or an account), or a group with members."""

    PAGE = "page"
    GROUP = "group"


def canonical_page_url(url: str) -> str:
    """``https://host/path`` in lower case, ``www.``/``m.`` and aliases folded (pure).

    ``https://twitter.com/PolyMtl/`` and ``x.com/polymtl`` are one page.

    Raises:
        VigieError: ``url`` has no host.
    """
    raw = url.strip()
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    host = parts.netloc.lower().split("@")[-1].split(":")[0]
    if not host or "." not in host:
        raise VigieError(f"not a page URL: {url!r}")
    host = _HOST_ALIASES.get(host, host)
    if host.startswith("www."):
        host = host[4:]
    host = _HOST_ALIASES.get(host, host)
    path = parts.path.rstrip("/").lower()
    return f"https://{host}{path}"


def _platform_of(url: str) -> str:
    host = urlsplit(url).netloc
    return _PLATFORM_HOSTS.get(host, "web")


def _handle_of(url: str) -> str | None:
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if not parts:
        return None
    prefixed = parts[0] in ("school", "company", "in", "channel", "c", "user")
    return (parts[-1] if prefixed else parts[0]).lstrip("@").lower() or None


class RegistryEntry(BaseModel):
    """One page or account of the registry.

    Attributes:
        platform: ``facebook``, ``instagram``, ``x``, ``youtube``, ``linkedin``, ``web``...
            (derived from the URL when empty).
        url: the page's URL (stored in canonical form).
        handle: the account's handle, without ``@`` (derived from the URL when empty).
        name: the page's display name.
        unit: the owning unit (department, service, chair).
        contact: who answers for it (an e-mail address).
        status: official, affiliated or pending.
        notes: free text.
        kind: ``page`` (default) or ``group``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    platform: str = ""
    url: str = Field(min_length=4)
    handle: str | None = None
    name: str = Field(min_length=1, max_length=255)
    unit: str = Field(min_length=1, max_length=255)
    contact: str = Field(min_length=1, max_length=255)
    status: PageStatus = PageStatus.PENDING
    notes: str | None = None
    kind: EntryKind = EntryKind.PAGE

    @field_validator("url")
    @classmethod
    def _canonical(cls, value: str) -> str:
        try:
            return canonical_page_url(value)
        except VigieError as error:
            raise ValueError(str(error)) from None

    @model_validator(mode="before")
    @classmethod
    def _derive(cls, data: Any) -> Any:
        """Fill the platform and the handle from the URL when they are empty."""
        if not isinstance(data, dict) or not isinstance(data.get("url"), str):
            return data
        try:
            url = canonical_page_url(data["url"])
        except VigieError:
            return data  # the url validator reports it
        handle = str(data.get("handle") or "").strip().lstrip("@").lower() or _handle_of(url)
        return {**data, "platform": data.get("platform") or _platform_of(url), "handle": handle}


class Mandate(BaseModel):
    """A person allowed to speak in the institution's name.

    Attributes:
        person: identifier (an e-mail address or a handle), compared without case or ``@``.
        name: the person's name.
        scope: what the mandate covers (free text).
        granted_by: who granted it.
        expires_at: when it ends (aware), or ``None``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    person: str = Field(min_length=1, max_length=255)
    name: str = Field(min_length=1, max_length=255)
    scope: str | None = None
    granted_by: str = Field(min_length=1, max_length=255)
    expires_at: dt.datetime | None = None

    @field_validator("person")
    @classmethod
    def _key(cls, value: str) -> str:
        return value.strip().lstrip("@").lower()

    @field_validator("expires_at")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("expires_at needs a time zone (ISO-8601 with Z or an offset)")
        return value


def _describe(error: ValidationError, where: str) -> str:
    return "; ".join(f"{where}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                     for e in error.errors(include_url=False))


def parse_entries(text: str, fmt: Literal["csv", "json"], *, source: str = "<registry>"
                  ) -> list[RegistryEntry]:
    """Read registry entries from CSV (a header row of :data:`CSV_FIELDS`) or JSON (pure).

    Raises:
        VigieError: a row is invalid; the message names the row and the field.
    """
    rows: list[tuple[str, Any]]
    if fmt == "json":
        try:
            data = json.loads(text)
        except ValueError as error:
            raise VigieError(f"{source}: not valid JSON: {error}") from None
        if not isinstance(data, list):
            raise VigieError(f"{source}: expected a JSON list of pages")
        rows = [(f"item {i}", item) for i, item in enumerate(data)]
    else:
        reader = csv.DictReader(io.StringIO(text))
        unknown = set(reader.fieldnames or ()) - set(CSV_FIELDS)
        if unknown:
            raise VigieError(f"{source}: unknown column(s) {sorted(unknown)}; valid: "
                             f"{', '.join(CSV_FIELDS)}")
        rows = [(f"line {i}", {k: (v or None) if k in ("handle", "notes") else (v or "")
                               for k, v in row.items() if k != "kind" or v})
                 for i, row in enumerate(reader, 2)]
    entries = []
    for where, row in rows:
        try:
            entries.append(RegistryEntry.model_validate(row))
        except ValidationError as error:
            raise VigieError(f"{source}: {_describe(error, where)}") from None
    return entries


def export_entries(entries: Iterable[RegistryEntry], fmt: Literal["csv", "json"]) -> str:
    """Write entries as CSV or JSON, in the import format (pure)."""
    if fmt == "json":
        return json.dumps([e.model_dump(mode="json") for e in entries], ensure_ascii=False,
                          indent=2) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        writer.writerow({k: v if v is not None else "" for k, v in
                         entry.model_dump(mode="json").items()})
    return out.getvalue()


def upsert_entries(store: Store, entries: Sequence[RegistryEntry]) -> tuple[int, int]:
    """Insert or update entries, keyed by canonical URL, in one transaction.

    Returns:
        ``(added, updated)``.
    """
    with store.begin() as conn:
        return upsert_in(conn, entries, store.now())


def upsert_in(conn: Connection, entries: Sequence[RegistryEntry], now: dt.datetime
              ) -> tuple[int, int]:
    """:func:`upsert_entries` inside the caller's transaction (an approval lists its page)."""
    added = updated = 0
    for entry in entries:
        values = entry.model_dump(mode="json")
        exists = conn.execute(select(monitor_registry.c.pk).where(
            monitor_registry.c.url == entry.url)).first()
        if exists:
            conn.execute(update(monitor_registry).where(monitor_registry.c.pk == exists.pk)
                         .values(**values, updated_at=now))
            updated += 1
        else:
            conn.execute(insert(monitor_registry).values(**values, added_at=now,
                                                         updated_at=now))
            added += 1
    return added, updated


def list_entries(store: Store, status: PageStatus | None = None,
                 kind: EntryKind | None = None) -> list[RegistryEntry]:
    """Registry entries by platform and name (all statuses and kinds, or one of each)."""
    query = select(monitor_registry)
    if status is not None:
        query = query.where(monitor_registry.c.status == status.value)
    if kind is not None:
        query = query.where(monitor_registry.c.kind == kind.value)
    with store.read() as conn:
        rows = conn.execute(query.order_by(monitor_registry.c.platform, monitor_registry.c.name))
        return [RegistryEntry.model_validate({k: getattr(r, k) for k in CSV_FIELDS})
                for r in rows]


def own_pages(conn: Connection) -> tuple[str, ...]:
    """Every page of the registry as ``host/path`` prefixes, each host's aliases too.

    What the link detectors take as the institution's own pages besides the policy's
    (:meth:`vigie.pipeline.Pipeline.know_own_pages`): a link in a comment to a page the
    institution lists, whatever its status, is never spam.
    """
    return page_prefixes_of(conn.execute(select(monitor_registry.c.url)
                                         .order_by(monitor_registry.c.url)).scalars())


def page_prefixes_of(urls: Iterable[str]) -> tuple[str, ...]:
    """Canonical page URLs as ``host/path`` prefixes, with the hosts' aliases (pure).

    ``https://x.com/polymtl_genie`` gives ``x.com/polymtl_genie`` and
    ``twitter.com/polymtl_genie``.
    """
    out: list[str] = []
    for url in urls:
        rest = url.split("://", 1)[-1]
        host, slash, path = rest.partition("/")
        out.append(rest)
        out.extend(f"{alias}{slash}{path}" for alias, canonical in _HOST_ALIASES.items()
                   if canonical == host)
    return tuple(out)


def remove_entry(store: Store, url: str) -> bool:
    """Remove the page at ``url``; whether there was one."""
    with store.begin() as conn:
        result = conn.execute(delete(monitor_registry).where(
            monitor_registry.c.url == canonical_page_url(url)))
        return bool(result.rowcount)


# -- mandates ------------------------------------------------------------------------------

def parse_mandates(text: str, *, source: str = "<mandates>") -> list[Mandate]:
    """Read mandates from a JSON list of objects (pure).

    Raises:
        VigieError: an item is invalid (its index and field named).
    """
    try:
        data = json.loads(text)
    except ValueError as error:
        raise VigieError(f"{source}: not valid JSON: {error}") from None
    if not isinstance(data, list):
        raise VigieError(f"{source}: expected a JSON list of mandates")
    out = []
    for i, item in enumerate(data):
        try:
            out.append(Mandate.model_validate(item))
        except ValidationError as error:
            raise VigieError(f"{source}: {_describe(error, f'item {i}')}") from None
    return out


def add_mandate(store: Store, mandate: Mandate) -> None:
    """Grant (or renew) a mandate."""
    now = store.now()
    values = mandate.model_dump()
    with store.begin() as conn:
        exists = conn.execute(select(monitor_mandates.c.pk).where(
            monitor_mandates.c.person == mandate.person)).first()
        if exists:
            conn.execute(update(monitor_mandates).where(monitor_mandates.c.pk == exists.pk)
                         .values(**values))
        else:
            conn.execute(insert(monitor_mandates).values(**values, added_at=now))


def revoke_mandate(store: Store, person: str) -> bool:
    """Revoke ``person``'s mandate; whether there was one."""
    with store.begin() as conn:
        result = conn.execute(delete(monitor_mandates).where(
            monitor_mandates.c.person == person.strip().lstrip("@").lower()))
        return bool(result.rowcount)


def list_mandates(store: Store) -> list[Mandate]:
    """Every mandate, by person."""
    with store.read() as conn:
        rows = conn.execute(select(monitor_mandates).order_by(monitor_mandates.c.person))
        return [Mandate(person=r.person, name=r.name, scope=r.scope, granted_by=r.granted_by,
                        expires_at=r.expires_at) for r in rows]


@dataclass(frozen=True, slots=True)
class MandateCheck:
    """Whether someone may speak in the institution's name, and why.

    Attributes:
        mandated: they may.
        reason: a short sentence (which account or mandate, or why not).
        entry: the registry entry that matched, if any (even a non-official one).
        mandate: the mandate that matched, if any.
    """

    mandated: bool
    reason: str
    entry: RegistryEntry | None = None
    mandate: Mandate | None = None


class MandateBook:
    """The registry and the mandates, in memory, to answer "may X speak for us?" (pure)."""

    def __init__(self, entries: Iterable[RegistryEntry] = (),
                 mandates: Iterable[Mandate] = ()) -> None:
        self.entries = tuple(entries)
        self.mandates = {m.person: m for m in mandates}
        self._by_url = {e.url: e for e in self.entries}
        self._by_handle: dict[str, list[RegistryEntry]] = {}
        for entry in self.entries:
            if entry.handle:
                self._by_handle.setdefault(entry.handle, []).append(entry)

    def find(self, who: str) -> RegistryEntry | None:
        """The registry entry for ``who``: a URL, ``@handle``, ``handle`` or ``platform:handle``."""
        raw = who.strip()
        if "/" in raw and "." in raw:
            try:
                return self._by_url.get(canonical_page_url(raw))
            except VigieError:
                return None
        platform, _, handle = raw.rpartition(":") if re.match(r"^[a-z]+:", raw) else ("", "", raw)
        candidates = self._by_handle.get(handle.lstrip("@").lower(), [])
        if platform:
            candidates = [e for e in candidates if e.platform == platform]
        # An official entry wins over an affiliated one with the same handle elsewhere.
        return min(candidates, key=lambda e: list(PageStatus).index(e.status), default=None)

    def check(self, who: str, now: dt.datetime) -> MandateCheck:
        """Whether ``who`` may speak in the institution's name at ``now`` (pure)."""
        entry = self.find(who)
        if entry is not None and entry.status is PageStatus.OFFICIAL:
            return MandateCheck(True, f"registered official account of {entry.unit} "
                                      f"({entry.platform}: {entry.handle or entry.url})", entry)
        mandate = self.mandates.get(who.strip().lstrip("@").lower())
        if mandate is not None:
            if mandate.expires_at is not None and mandate.expires_at <= now:
                return MandateCheck(False, f"mandate of {mandate.name} expired on "
                                           f"{mandate.expires_at:%Y-%m-%d}", entry, mandate)
            return MandateCheck(True, f"mandated by {mandate.granted_by}"
                                + (f" ({mandate.scope})" if mandate.scope else ""),
                                entry, mandate)
        if entry is not None:
            return MandateCheck(False, f"registered as {entry.status.value}, not official: it "
                                       "does not speak for the institution", entry)
        return MandateCheck(False, "neither a registered official account nor a mandated "
                                   "person")


def load_book(store: Store) -> MandateBook:
    """The registry and the mandates from the store."""
    return MandateBook(list_entries(store), list_mandates(store))
