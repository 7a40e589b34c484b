"""The directive's life cycle: proposed versions, their approval, and the version in force.

Section 9: minor changes are made by the communications service and approved by the management
assembly; section 10: a comment is judged by the version in force when it was posted. A version
is stored with its YAML text (so a decision can be replayed with exactly that text), its digest,
its effective date and who proposed it; an approval records who approved it and the assembly's
reference. Only approved versions are ever *in force*.

Two people for a version: whoever proposed it cannot approve it, nor refuse it; a refusal
(``policy_refused``, with the refuser's note) closes the proposal, which can then be neither
approved nor refused again. The effective date is the
file's ``effective_date``; another date needs an explicit reason, recorded in the
``policy_proposed`` event with both dates (``effective_override``).

A moderation run with no approved version in force at a comment's time uses the policy file it
was given, records that file's text as a ``fallback`` version, and marks the decision's
``policy_source`` as ``file``: the gap is visible in the audit, never hidden.

Texts are stored with LF line endings: a file saved on Windows (CRLF) and the same file saved
elsewhere have one digest, and their diff shows only what changed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Select, insert, select
from sqlalchemy.engine import Connection

from vigie.errors import StoreError
from vigie.policy import Policy, parse_policy
from vigie.store.events import EventKind, NewEvent, append_events, lock_chain
from vigie.store.schema import events, policy_approvals, policy_versions
from vigie.store.store import Store

__all__ = [
    "DIRECTIVE_TIMEZONE",
    "PolicyResolver",
    "PolicyVersion",
    "approve",
    "diff",
    "find_version",
    "history",
    "normalise_newlines",
    "propose",
    "record_fallback",
    "refusal",
    "refuse",
]

#: Effective dates are calendar dates in the institution's time zone (Montréal).
DIRECTIVE_TIMEZONE = ZoneInfo("America/Toronto")


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """A stored version of the directive, with its approval if any."""

    digest: str
    policy_id: str
    version: str
    effective_date: dt.date
    origin: str
    proposed_by: str
    proposed_at: dt.datetime
    approved_by: str | None
    reference: str | None
    approved_at: dt.datetime | None
    yaml_text: str

    @property
    def approved(self) -> bool:
        """Whether the version was approved (and so can be in force)."""
        return self.approved_by is not None


def _query() -> Select:  # type: ignore[type-arg]
    return select(policy_versions, policy_approvals.c.approved_by, policy_approvals.c.reference,
                  policy_approvals.c.approved_at).join(
        policy_approvals, policy_approvals.c.digest == policy_versions.c.digest, isouter=True)


def _version(row: object) -> PolicyVersion:
    r = row._mapping  # type: ignore[attr-defined]
    return PolicyVersion(r["digest"], r["policy_id"], r["version"], r["effective_date"],
                         r["origin"], r["proposed_by"], r["proposed_at"], r["approved_by"],
                         r["reference"], r["approved_at"], r["yaml_text"])


def normalise_newlines(text: str) -> str:
    """``text`` with CRLF and CR line endings as LF and no byte-order mark (pure)."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def refusal(conn: Connection, digest: str) -> dict[str, str] | None:
    """Who refused a version, when and why (``{"by", "at", "note"}``), or ``None``."""
    row = conn.execute(select(events.c.actor, events.c.at, events.c.payload).where(
        events.c.kind == EventKind.POLICY_REFUSED.value, events.c.subject_type == "policy",
        events.c.subject_id == digest).order_by(events.c.seq.desc()).limit(1)).first()
    if row is None:
        return None
    note = str(json.loads(row.payload).get("note", ""))
    return {"by": row.actor, "at": row.at.isoformat(), "note": note}


def _open_proposal(conn: Connection, digest: str, by: str, verb: str) -> PolicyVersion:
    """The proposed, undecided version ``digest``, checked against ``by`` (section 9)."""
    version = find_version(conn, digest)
    if version.approved:
        raise StoreError(f"{version.digest} was already approved by {version.approved_by} "
                         f"({version.reference})")
    refused = refusal(conn, version.digest)
    if refused is not None:
        raise StoreError(f"{version.digest} was refused by {refused['by']}: propose a new "
                         "version instead")
    if version.origin != "proposed":
        raise StoreError(f"{version.digest} was only recorded by a moderation run; "
                         "propose it first (vigie policy propose FILE)")
    if by.strip().casefold() == version.proposed_by.strip().casefold():
        raise StoreError(f"{by} proposed {version.digest[:19]}: another person must "
                         f"{verb} it (section 9)")
    return version


def find_version(conn: Connection, digest: str) -> PolicyVersion:
    """Find a version by digest, its hex part, or a unique prefix of at least 6 hex digits.

    Raises:
        StoreError: no version, or several, match (the message lists the stored digests).
    """
    want = digest if digest.startswith("sha256:") else f"sha256:{digest}"
    rows = [_version(r) for r in conn.execute(_query())]
    matches = [v for v in rows if v.digest == want] or (
        [v for v in rows if v.digest.startswith(want)] if len(want) >= 13 else [])
    if len(matches) != 1:
        known = ", ".join(v.digest[7:19] for v in rows) or "(none)"
        what = "matches several versions" if matches else "matches no stored version"
        raise StoreError(f"policy digest {digest!r} {what}; stored: {known}")
    return matches[0]


def propose(store: Store, text: str, *, by: str, effective: dt.date | None = None,
            override_reason: str | None = None, source: str = "<policy>") -> PolicyVersion:
    """Store a proposed version of the directive (idempotent on its digest).

    Args:
        store: the store.
        text: the policy YAML.
        by: who proposes it (the communications service, section 9).
        effective: when it comes into force (default: the file's ``effective_date``).
        override_reason: why ``effective`` differs from the file's date; required then, and
            recorded in the audit with both dates.
        source: file name, for error messages.

    Raises:
        PolicyError: the YAML is not a valid policy.
        StoreError: the same digest is already stored with another effective date, or
            ``effective`` differs from the file's date without ``override_reason``.
    """
    text = normalise_newlines(text)
    policy = parse_policy(text, source=source)
    override: dict[str, str] | None = None
    if effective is not None and effective != policy.effective_date:
        if not (override_reason or "").strip():
            raise StoreError(
                f"the effective date {effective} differs from the file's effective_date "
                f"{policy.effective_date}: edit the file, or give the reason for overriding "
                "it (--override-reason; recorded in the audit)")
        override = {"file_effective_date": policy.effective_date.isoformat(),
                    "reason": str(override_reason).strip()[:500]}
    effective = effective or policy.effective_date
    now = store.now()
    with store.begin() as conn:
        lock_chain(conn)
        existing = conn.execute(select(policy_versions.c.effective_date, policy_versions.c.origin)
                                .where(policy_versions.c.digest == policy.digest)).first()
        if existing is not None and existing.origin == "proposed":
            if existing.effective_date != effective:
                raise StoreError(f"{policy.digest} is already proposed, effective "
                                 f"{existing.effective_date}; propose a new version instead")
        elif existing is not None:  # recorded as a fallback by a moderation run: promote it
            conn.execute(policy_versions.update().where(
                policy_versions.c.digest == policy.digest).values(
                origin="proposed", proposed_by=by, proposed_at=now, effective_date=effective))
        else:
            conn.execute(insert(policy_versions), {
                "digest": policy.digest, "policy_id": policy.id, "version": policy.version,
                "effective_date": effective, "yaml_text": text, "origin": "proposed",
                "proposed_by": by, "proposed_at": now})
        if existing is None or existing.origin != "proposed":
            payload: dict[str, object] = {"policy_id": policy.id, "version": policy.version,
                                          "effective_date": effective.isoformat()}
            if override is not None:
                payload["effective_override"] = override
            append_events(conn, [NewEvent(EventKind.POLICY_PROPOSED, "policy", policy.digest,
                                          payload, by)], now)
        return find_version(conn, policy.digest)


def approve(store: Store, digest: str, *, by: str, reference: str,
            body: str | None = None, note: str | None = None) -> PolicyVersion:
    """Record the approval of a proposed version (section 9).

    Args:
        store: the store.
        digest: the version (full digest or a unique prefix).
        by: who approved it.
        reference: the management assembly's reference (e.g. ``ADD-550-487``).
        body: the approving body, if not the default assembly.
        note: the approver's note, recorded in the ``policy_approved`` event.

    Raises:
        StoreError: unknown digest, already approved or refused, empty ``by`` /
            ``reference``, or ``by`` is who proposed it (section 9: drafted by one, approved
            by another).
    """
    if not by.strip() or not reference.strip():
        raise StoreError("an approval needs who approved it (--by) and the assembly's "
                         "reference (--reference)")
    now = store.now()
    with store.begin() as conn:
        lock_chain(conn)
        version = _open_proposal(conn, digest, by, "approve")
        conn.execute(insert(policy_approvals), {
            "digest": version.digest, "approved_by": by, "reference": reference,
            "body": body, "approved_at": now})
        payload: dict[str, object] = {"reference": reference, "body": body}
        if note and note.strip():
            payload["note"] = note.strip()[:1000]
        append_events(conn, [NewEvent(EventKind.POLICY_APPROVED, "policy", version.digest,
                                      payload, by)], now)
        return find_version(conn, version.digest)


def refuse(store: Store, digest: str, *, by: str, note: str) -> PolicyVersion:
    """Record the refusal of a proposed version, with the refuser's note (section 9).

    Raises:
        StoreError: unknown digest, already approved or refused, empty ``by`` / ``note``, or
            ``by`` is who proposed it.
    """
    if not by.strip() or not note.strip():
        raise StoreError("a refusal needs who refused it and a note saying why")
    now = store.now()
    with store.begin() as conn:
        lock_chain(conn)
        version = _open_proposal(conn, digest, by, "refuse")
        append_events(conn, [NewEvent(EventKind.POLICY_REFUSED, "policy", version.digest, {
            "note": note.strip()[:1000]}, by)], now)
        return version


def history(store: Store) -> list[PolicyVersion]:
    """Every stored version, by effective date then proposal time."""
    with store.read() as conn:
        rows = [_version(r) for r in conn.execute(_query())]
    return sorted(rows, key=lambda v: (v.effective_date, v.proposed_at))


def diff(store: Store, a: str, b: str) -> str:
    """Unified diff of two stored versions' YAML (pure read).

    Raises:
        StoreError: a digest matches no stored version, or several.
    """
    with store.read() as conn:
        old, new = find_version(conn, a), find_version(conn, b)
    return "".join(difflib.unified_diff(
        normalise_newlines(old.yaml_text).splitlines(keepends=True),
        normalise_newlines(new.yaml_text).splitlines(keepends=True),
        fromfile=f"{old.digest[:19]} ({old.version})", tofile=f"{new.digest[:19]} ({new.version})"))


def record_fallback(conn: Connection, policy: Policy, text: str, now: dt.datetime) -> bool:
    """Store a file policy used for lack of an approved version (once per digest).

    Returns:
        Whether it was newly recorded.
    """
    text = normalise_newlines(text)
    present = conn.execute(select(policy_versions.c.digest)
                           .where(policy_versions.c.digest == policy.digest)).first()
    if present is not None:
        return False
    conn.execute(insert(policy_versions), {
        "digest": policy.digest, "policy_id": policy.id, "version": policy.version,
        "effective_date": policy.effective_date, "yaml_text": text, "origin": "fallback",
        "proposed_by": "vigie moderate --policy", "proposed_at": now})
    append_events(conn, [NewEvent(EventKind.POLICY_RECORDED, "policy", policy.digest, {
        "policy_id": policy.id, "version": policy.version, "reason": "no approved version in "
        "force: the policy file given to the run was used"})], now)
    return True


class PolicyResolver:
    """Which approved version is in force at a given time (section 10).

    Loads the approved versions once; :meth:`at` is then a binary search. Versions are parsed
    lazily and cached by digest.
    """

    def __init__(self, conn: Connection) -> None:
        rows = [_version(r) for r in conn.execute(
            _query().where(policy_approvals.c.approved_by.is_not(None)))]
        # Same effective date: the later approval wins.
        rows.sort(key=lambda v: (v.effective_date, v.approved_at or v.proposed_at))
        self.versions = rows
        self._dates = [v.effective_date for v in rows]
        self._parsed: dict[str, Policy] = {}

    def at(self, when: dt.datetime) -> tuple[Policy, str] | None:
        """The approved policy in force at ``when`` and its YAML, or ``None`` if none was."""
        day = when.astimezone(DIRECTIVE_TIMEZONE).date()
        index = bisect.bisect_right(self._dates, day) - 1
        if index < 0:
            return None
        version = self.versions[index]
        if version.digest not in self._parsed:
            policy = parse_policy(version.yaml_text, source=f"stored policy {version.digest}")
            if policy.digest != version.digest:
                raise StoreError(f"stored policy {version.digest} no longer parses to the same "
                                 f"digest ({policy.digest}): the policy format changed meaning")
            self._parsed[version.digest] = policy
        return self._parsed[version.digest], version.yaml_text
