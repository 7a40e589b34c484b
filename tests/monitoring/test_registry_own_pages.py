"""Pages of the registry (6.1) are the institution's own: links to them are never spam (6.4 k).

The policy lists a few pages; the registry lists every page created in the institution's name
(and those approved page requests add). Through the store, a link in a comment to any of them
is the institution's own; without the registry entry, the same link is an unrelated link.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from factories import comment
from vigie.detectors._masking import OwnLinks
from vigie.detectors.links import LinkDetector, LinkOptions
from vigie.monitoring.draft import DraftChecker
from vigie.monitoring.registry import MandateBook, RegistryEntry, own_pages, upsert_entries
from vigie.pipeline import Pipeline
from vigie.policy import parse_policy
from vigie.records import parse_comment
from vigie.store.workflow import StoreModerator
from vigie.text.prepare import prepare_batch

POLICY = """
vigie_policy: 1
id: own-pages-test
institution: Test institution
title: {fr: Directive de test, en: Test directive}
version: "1"
effective_date: 2020-01-01
approval: {reference: ADD-TEST-1}
allowed_languages: [fr, en]
on_detector_error: review
detectors:
  vigie.links.v1:
    institution_domains: [polymtl.ca]
    institution_pages: [facebook.com/polymtl]
  vigie.spam.patterns.v1: {}
categories:
  - slug: spam
    clause: "6.4 k"
    label: {fr: Pourriel, en: Spam}
    description: {fr: Pourriel, en: Spam}
    signals: [link.unrelated, link.lookalike, spam.*]
    # An unknown site the post does not name (0.45) is held for review.
    review_threshold: 0.4
    action: remove
"""
TEXT = "Toutes les photos du gala sont ici : https://www.facebook.com/GenieInfoEtudiants/photos"
TWEET = "Le fil complet : https://twitter.com/cheminsvelo_lab/status/1"


def _entry(url: str) -> RegistryEntry:
    return RegistryEntry(url=url, name="Page", unit="Génie informatique",
                         contact="web@polymtl.ca", status="official")


def _record(cid: str, text: str) -> Any:
    return parse_comment({"id": cid, "platform": "facebook", "text": text,
                          "created_at": "2025-03-18T10:00:00Z",
                          "author": {"id": f"fb:{cid}-author"},
                          "post": {"id": "fb:p-1", "text": "Retour sur le gala de fin d'année",
                                   "links": []}})


def _moderator(store: Any, **kwargs: Any) -> StoreModerator:
    policy = parse_policy(POLICY, source="own-pages.yaml")
    return StoreModerator(store, policy, POLICY, pipeline_factory=Pipeline.from_policy,
                          **kwargs)


def _decided(moderator: StoreModerator, cid: str, text: str) -> dict[str, Any]:
    [body] = moderator.process([_record(cid, text)])
    return dict(json.loads(body))


def test_a_registry_page_link_is_the_institutions_own(store: Any) -> None:
    upsert_entries(store, [_entry("https://facebook.com/genieinfoetudiants"),
                           _entry("https://x.com/cheminsvelo_lab")])
    moderator = _moderator(store, own_pages=own_pages)
    for cid, text in (("c-1", TEXT), ("c-2", TWEET)):  # twitter.com is x.com
        decision = _decided(moderator, cid, text)
        assert decision["action"] == "allow", decision
        assert not decision["categories"]


def test_without_the_registry_entry_the_link_is_unrelated(store: Any) -> None:
    upsert_entries(store, [_entry("https://facebook.com/another_page")])
    decision = _decided(_moderator(store, own_pages=own_pages), "c-1", TEXT)
    assert decision["action"] != "allow"
    assert [c["slug"] for c in decision["categories"]] == ["spam"]


def test_a_store_run_without_the_registry_reader_keeps_the_policy_list(store: Any) -> None:
    upsert_entries(store, [_entry("https://facebook.com/genieinfoetudiants")])
    decision = _decided(_moderator(store), "c-1", TEXT)
    assert decision["action"] != "allow"


def test_a_page_listed_during_a_run_counts_from_the_next_batch(store: Any,
                                                               store_clock: Any) -> None:
    moderator = _moderator(store, own_pages=own_pages)
    assert _decided(moderator, "c-1", TEXT)["action"] != "allow"
    store_clock.advance(minutes=5)
    upsert_entries(store, [_entry("https://www.facebook.com/GenieInfoEtudiants/")])
    assert _decided(moderator, "c-2", TEXT)["action"] == "allow"


def _unrelated(detector: LinkDetector, text: str) -> list[str]:
    [found] = detector.detect(prepare_batch([comment(text)]), [[]])
    return [f.signal for f in found]


def test_the_link_detector_keeps_the_policy_pages_and_replaces_the_registry_ones() -> None:
    detector = LinkDetector(LinkOptions(institution_domains=("polymtl.ca",),
                                        institution_pages=("facebook.com/polymtl",)))
    assert _unrelated(detector, TEXT) == ["link.unrelated"]
    detector.know_own_pages(["facebook.com/genieinfoetudiants"])
    assert _unrelated(detector, TEXT) == []
    assert _unrelated(detector, "Voir facebook.com/polymtl/events") == []
    detector.know_own_pages([])  # the page left the registry
    assert _unrelated(detector, TEXT) == ["link.unrelated"]
    assert _unrelated(detector, "Voir facebook.com/polymtl/events") == []


def test_learned_detectors_hide_registry_links_too() -> None:
    own = OwnLinks(("polymtl.ca",))
    url = "https://www.facebook.com/GenieInfoEtudiants/photos"
    assert url not in own
    own.know_own_pages(["facebook.com/genieinfoetudiants"])
    assert url in own and "https://polymtl.ca/x" in own


def test_own_pages_read_every_registry_page_with_host_aliases(store: Any) -> None:
    upsert_entries(store, [_entry("https://twitter.com/PolyMtl_Genie/"),
                           _entry("https://blog.example.org")])
    with store.read() as conn:
        pages = own_pages(conn)
    assert "x.com/polymtl_genie" in pages and "twitter.com/polymtl_genie" in pages
    assert "blog.example.org" in pages


def _vigie(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vigie", *args], capture_output=True,
                          text=True, timeout=180)


def test_vigie_moderate_db_reads_the_registry_and_plain_moderate_the_policy(
        tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, "utf-8")
    registry = tmp_path / "registry.csv"
    registry.write_text("platform,url,handle,name,unit,contact,status,notes\n"
                        ",https://facebook.com/genieinfoetudiants,,Génie informatique,GIGL,"
                        "gigl@polymtl.ca,official,\n", "utf-8")
    db = str(tmp_path / "v.sqlite")
    assert _vigie("registry", "import", str(registry), "--db", db).returncode == 0
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({
        "id": "fb:c-1", "platform": "facebook", "text": TEXT,
        "created_at": "2025-03-18T10:00:00Z", "author": {"id": "fb:u-1"},
        "post": {"id": "fb:p-1", "text": "Retour sur le gala de fin d'année"}}) + "\n", "utf-8")
    stored = _vigie("moderate", str(source), "--db", db, "--policy", str(policy), "-q")
    assert stored.returncode == 0, stored.stderr
    assert json.loads(stored.stdout)["action"] == "allow"
    plain = _vigie("moderate", str(source), "--policy", str(policy), "-q")  # no store
    assert json.loads(plain.stdout)["action"] == "review"


def test_a_draft_linking_to_a_registered_page_is_not_spam() -> None:
    policy = parse_policy(POLICY, source="own-pages.yaml")
    listed = MandateBook([_entry("https://facebook.com/genieinfoetudiants")])
    clauses = {
        name: [f.clause for f in DraftChecker(Pipeline.from_policy(policy), book)
               .check(TEXT, "@jdoe").findings]
        for name, book in (("listed", listed), ("unlisted", MandateBook()))}
    assert "6.4 k" not in clauses["listed"] and "6.4 k" in clauses["unlisted"]
