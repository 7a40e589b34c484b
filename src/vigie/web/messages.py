"""Refusals shown in the reader's language.

The store and the review state machine say why they refuse in English sentences (they are also
the CLI's and the API's messages). Pages show the catalogue's sentence for the same refusal
instead: each known sentence maps to a key under ``err.``; anything else gets the generic
``err.refused``, never the English text.
"""

from __future__ import annotations

import re

__all__ = ["message_key"]

# (pattern at the start of the English message, i18n key), first match wins.
_KNOWN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), k) for p, k in (
        (r"the escalation is closed: reopen it", "err.esc_closed"),
        (r"the escalation is already closed", "err.esc_already_closed"),
        (r"the comment still waits for a decision on review item", "err.esc_decide_first"),
        (r"the escalation is open: there is nothing to reopen", "err.esc_open"),
        (r"the escalation is already assigned|the escalation is assigned to nobody",
         "err.esc_same_assignee"),
        (r"cannot assign the escalation to", "err.esc_bad_assignee"),
        (r"no escalation \d+|no such escalation", "err.no_escalation"),
        (r"(comment|close|reopen) needs a note", "err.note_required"),
        (r"cannot \w+: the item is closed", "err.closed"),
        (r"the item is already escalated", "err.already_escalated"),
        (r"the item is (open|escalated): it is already under review", "err.under_review"),
        (r"the comment is off the page: use restore", "err.approve_takedown"),
        (r"the comment is up: nothing to restore", "err.nothing_to_restore"),
        (r"the author is already blocked", "err.already_blocked"),
        (r"the author is not blocked", "err.not_blocked"),
        (r"nothing to appeal", "err.nothing_to_appeal"),
        (r"an escalated item is resolved by the community manager", "err.escalated_cm"),
        (r"no review item|no such review item", "err.no_item"),
        (r"no such author", "err.no_author"),
        (r"a link needs at least two", "err.link_two"),
        (r"'[^']*' is an author on several platforms", "err.link_ambiguous"),
        (r"no stored author", "err.link_unknown"),
        (r"'[^']*' was erased \(Law 25\): it cannot be linked", "err.link_erased"),
        (r"'[^']*' is linked to no other account", "err.not_linked"),
        (r"a link needs (who makes it|a reason)", "person.reason_required"),
        (r"no stored comment", "err.no_comment"),
        (r"this server was started without detectors", "err.no_detectors"),
        (r"a review needs|an appeal needs", "err.reason_required"),
        (r"(page \S+ )?is already registered", "err.page_exists"),
        (r"\S+ proposed sha256:\w+: another person must", "err.policy_own"),
        (r"sha256:\w+ was already approved", "err.policy_approved"),
        (r"sha256:\w+ was refused by", "err.policy_refused"),
        (r"a refusal needs", "err.note_required"),
        (r"an approval needs", "err.policy_reference"),
        (r"policy digest .* matches", "err.policy_unknown"),
        (r"invalid policy|not valid YAML|a policy must be a YAML mapping", "err.policy_invalid"),
        (r"Not Found", "err.not_found"),
        (r"Method Not Allowed", "err.method"),
    ))


def message_key(message: str) -> str:
    """The ``err.*`` key for an English refusal (pure); ``err.refused`` when unknown."""
    text = message.strip()
    for pattern, key in _KNOWN:
        if pattern.match(text) or pattern.search(text[:200]):
            return key
    return "err.refused"
