"""Directive 6.1 end to end: a staff account answers criticism; the community manager is told.

A fake Bluesky PDS over loopback HTTP, the real connector and run loop, a real store (SQLite
and PostgreSQL), the registry: a critic's reply is escalated (6.1), a registered department
account answers it, and at the end of the round the community manager gets an escalation for
the staff reply and the department a reminder of 6.1, once, even over later rounds.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import pytest

from factories import TEST_POLICY, finding
from fakes.analyser import Evidence
from fakes.bluesky import FakeBluesky
from fakes.server import FakeServer
from vigie.connectors.bluesky import BlueskyConnector, BlueskySession
from vigie.connectors.http import RetryPolicy, Secret
from vigie.connectors.runner import Runner
from vigie.monitoring.registry import (
    Mandate,
    PageStatus,
    RegistryEntry,
    add_mandate,
    load_book,
    upsert_entries,
)
from vigie.monitoring.staff import watch_staff_replies
from vigie.notify.escalation import send_escalations
from vigie.policy import parse_policy
from vigie.records import Comment, parse_comment
from vigie.store.events import EventKind, iter_events
from vigie.store.workflow import StoreModerator
from vigie.web.notices import escalation_composer

POLICY_TEXT = TEST_POLICY + """
escalations:
  - slug: criticism
    clause: "6.1"
    label: {fr: Critique, en: Criticism}
    description: {fr: Critique de l'établissement, en: Criticism of the institution}
    signals: [tone.criticism]
    threshold: 0.4
staff_replies:
  remind: true
  exempt: [bluesky:polymtl.bsky.social]
"""
POLICY = parse_policy(POLICY_TEXT)


class CriticismAnalyser:
    """``frais`` in a comment is criticism of the institution (``tone.criticism`` 0.8)."""

    detector_names = ("test.fake.v1",)

    def analyse(self, batch: Sequence[Comment]) -> list[Evidence]:
        return [Evidence((finding("tone.criticism", 0.8),) if "frais" in c.text else ())
                for c in batch]


class Outbox:
    """Records what a channel would deliver."""

    name = "test"

    def __init__(self) -> None:
        self.sent: list[tuple[str, list[str]]] = []
        self.reminded: list[tuple[str, list[str]]] = []

    def send(self, subject: str, lines: Sequence[str]) -> None:
        self.sent.append((subject, list(lines)))

    def remind(self, to: str, subject: str, lines: Sequence[str]) -> None:
        self.reminded.append((to, list(lines)))


@pytest.fixture
def pds() -> Iterator[tuple[FakeBluesky, FakeServer]]:
    platform = FakeBluesky()
    with FakeServer(platform) as server:
        yield platform, server


def test_a_staff_reply_to_criticism_reaches_the_community_manager_once(
        pds: tuple[FakeBluesky, FakeServer], store: Any) -> None:
    platform, server = pds
    upsert_entries(store, [RegistryEntry(
        platform="bluesky", url="https://bsky.app/profile/genie-meca.bsky.social",
        handle="genie-meca.bsky.social", name="Génie mécanique", unit="Génie mécanique",
        contact="direction.meca@polymtl.ca", status=PageStatus.OFFICIAL)])
    add_mandate(store, Mandate(person="bluesky:porte-parole.bsky.social", name="Porte-parole",
                               granted_by="Direction des communications"))
    root = platform.post("Rentrée d'hiver : inscriptions ouvertes")
    critic = platform.add_user("etudiant.bsky.social")
    staff = platform.add_user("genie-meca.bsky.social")
    other = platform.add_user("curieux.bsky.social")
    complaint = platform.post("Encore des frais cachés, c'est honteux", author=critic,
                              reply_to=root)
    answer = platform.post("Ce n'est pas vrai, lisez le site", author=staff, reply_to=complaint)
    platform.post("Merci pour l'info", author=staff, reply_to=root)  # not a critical thread
    platform.post("Je confirme, frais partout", author=other, reply_to=answer)
    platform.post("La direction répond ici", author=platform.did, reply_to=complaint)  # exempt

    channel = Outbox()
    moderator = StoreModerator(store, POLICY, POLICY_TEXT,
                               pipeline_factory=lambda p: CriticismAnalyser())
    client = httpx.Client(timeout=5)
    session = BlueskySession(client, pds_url=server.url, identifier="polymtl.bsky.social",
                             password=Secret("app-pass-1234"), account="poly-bsky")
    connector = BlueskyConnector("poly-bsky", session, client, pds_url=server.url,
                                 retry=RetryPolicy(max_attempts=1))
    reports: list[Any] = []
    runner = Runner(store, moderator, [connector], after_round=lambda: reports.append(
        watch_staff_replies(store, load_book(store), POLICY, reminders=channel)))
    runner.run_round(force=True)

    found = reports[0].replies
    assert [r.comment_id for r in found] == [f"bsky:{answer}"]
    assert found[0].critical == f"bsky:{complaint}" and found[0].staff == "Génie mécanique"
    assert found[0].reminded == "direction.meca@polymtl.ca"
    assert channel.reminded[0][0] == "direction.meca@polymtl.ca"
    assert "6.1" in channel.reminded[0][1][0] and "community manager" in channel.reminded[0][1][2]

    sent = send_escalations(store, [channel], compose=escalation_composer(POLICY))
    staff_notices = [message for _, message in channel.sent
                     if any("Un membre du personnel (Génie mécanique) a répondu" in line
                            for line in message)]
    assert len(staff_notices) == 1 and f"Commentaire bsky:{answer} (bluesky)" in staff_notices[0]
    assert f"bsky:{complaint}" in " ".join(staff_notices[0])  # the thread it answered
    assert sent.sent == len(channel.sent)  # the critic's escalations and the staff one

    runner.run_round(force=True)  # nothing new: nothing sent or reminded again
    assert reports[1].replies == [] and len(channel.reminded) == 1
    assert watch_staff_replies(store, load_book(store), POLICY, reminders=channel).replies == []
    later = watch_staff_replies(store, load_book(store), POLICY, reminders=channel,
                                after_pk=reports[0].last_pk)
    assert later.replies == [] and later.last_pk == reports[0].last_pk > 0
    with store.read() as conn:
        kinds = [e.kind for e in iter_events(conn)]
    assert kinds.count(EventKind.STAFF_REMINDED) == 1
    runner.close()


def test_without_remind_the_staff_member_is_not_written_to(
        store: Any) -> None:
    add_mandate(store, Mandate(person="bluesky:porte-parole.bsky.social", name="Porte-parole",
                               granted_by="Direction des communications"))
    quiet = parse_policy(POLICY_TEXT.replace("remind: true", "remind: false"))
    moderator = StoreModerator(store, quiet, POLICY_TEXT,
                               pipeline_factory=lambda p: CriticismAnalyser())
    rows = [parse_comment({
        "id": cid, "platform": "bluesky", "text": text, "created_at": "2025-03-18T14:05:42Z",
        "author": {"id": author, "handle": handle}, "parent_id": parent,
        "post": {"id": "bsky:at://did:plc:polymtl/app.bsky.feed.post/1"}})
        for cid, text, author, handle, parent in (
            ("bsky:c1", "Des frais partout", "bsky:did:plc:e1", "e1.bsky.social", None),
            ("bsky:c2", "Faux.", "bsky:did:plc:pp", "porte-parole.bsky.social", "bsky:c1"))]
    moderator.process(rows)
    channel = Outbox()
    report = watch_staff_replies(store, load_book(store), quiet, reminders=channel)
    assert [(r.comment_id, r.staff, r.reminded) for r in report.replies] == [
        ("bsky:c2", "Porte-parole", None)]
    assert channel.reminded == []
