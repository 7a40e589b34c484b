"""Web monitoring: feeds and pages served over loopback, polling, de-duplication, alerts.

A fake publisher serves recorded feeds and pages (``tests/data/monitoring/``) with ETag and
Last-Modified validators: a Québec news RSS feed (with the same article listed twice and a
homonym), a student Atom blog, a feed without dates, a truncated feed, a feed whose server
answers 500, a news page that names the institution in its title only, and an unrelated page.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakes.server import FakePlatform, FakeServer, Reply, Request
from vigie.errors import StoreError
from vigie.monitoring.alerts import send_mention_alerts
from vigie.monitoring.feeds import (
    FeedError,
    FeedItem,
    SourceKind,
    Validators,
    XSearch,
    canonical_url,
    fetch,
    item_key,
    parse_feed,
    parse_page,
)
from vigie.monitoring.poll import add_feed, list_feeds, list_mentions, poll

DATA = Path(__file__).parents[1] / "data" / "monitoring"
LAST_MODIFIED = "Tue, 04 Feb 2025 18:10:00 GMT"


class Publisher(FakePlatform):
    """Recorded feeds and pages, with conditional requests; no authentication."""

    def __init__(self) -> None:
        super().__init__()
        self.files = {
            "/news.rss": ("quebec_news.rss", "application/rss+xml; charset=utf-8"),
            "/campus.atom": ("campus_atom.xml", "application/atom+xml"),
            "/nodates.rss": ("no_dates.rss", "application/rss+xml"),
            "/broken.xml": ("broken.xml", "application/rss+xml"),
            "/article.html": ("article_title_only.html", "text/html; charset=utf-8"),
            "/unrelated.html": ("unrelated.html", "text/html; charset=utf-8"),
        }
        self.version = "v1"
        self.down: set[str] = {"/down.rss"}

    def handle(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            if request.path in self.down:
                return Reply(500, b"<html><body>Internal Server Error</body></html>",
                             {"Content-Type": "text/html"})
            if request.path not in self.files:
                return Reply(404, b"not found", {"Content-Type": "text/plain"})
            name, content_type = self.files[request.path]
            etag = f'"{request.path}-{self.version}"'
            if request.headers.get("if-none-match") == etag:
                return Reply(304, None, {"ETag": etag})
            return Reply(200, (DATA / name).read_bytes(),
                         {"Content-Type": content_type, "ETag": etag,
                          "Last-Modified": LAST_MODIFIED})


@pytest.fixture
def publisher() -> Iterator[tuple[Publisher, str]]:
    fake = Publisher()
    with FakeServer(fake) as server:
        yield fake, server.url


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as http:
        yield http


# -- parsing: recorded documents, no network --------------------------------------------

def test_rss_items_have_links_dates_and_text_without_tags() -> None:
    items = parse_feed((DATA / "quebec_news.rss").read_bytes(), url="https://nouvelles.example/")
    assert len(items) == 5
    first = items[0]
    assert first.title.startswith("Grève des chargés de cours")
    assert "<b>" not in first.summary and "manque de transparence" in first.summary
    assert first.published == dt.datetime(2025, 2, 4, 18, 5, tzinfo=dt.UTC)


def test_atom_relative_links_are_resolved() -> None:
    items = parse_feed((DATA / "campus_atom.xml").read_bytes(), url="https://blog.example/feed")
    assert [i.url for i in items] == ["https://blog.example/billets/bilan-automne",
                                      "https://blog.example/billets/cal-poly"]


def test_feed_without_dates_gives_items_without_dates() -> None:
    items = parse_feed((DATA / "no_dates.rss").read_bytes())
    assert [i.published for i in items] == [None, None]
    assert items[1].url is None  # an item without a link is kept


@pytest.mark.parametrize("content, message", [
    ((DATA / "broken.xml").read_bytes(), "malformed feed"),
    (b"<html><body><h1>503 Service Unavailable</h1></body></html>", "not an RSS or Atom"),
    (b"", "not an RSS or Atom"),
])
def test_documents_that_are_not_feeds_are_refused(content: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(content, content_type="text/html")


def test_empty_but_valid_feed_is_no_news_not_an_error() -> None:
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    assert parse_feed(empty, content_type="application/rss+xml") == []


def test_feed_text_that_looks_like_a_url_is_never_fetched(tmp_path: Path) -> None:
    # feedparser fetches strings that look like URLs or file names; Vigie passes bytes.
    secret = tmp_path / "secret.xml"
    secret.write_text((DATA / "no_dates.rss").read_text("utf-8"), "utf-8")
    with pytest.raises(FeedError):
        parse_feed(str(secret).encode(), content_type="text/plain")


def test_page_keeps_title_and_visible_text_only() -> None:
    [item] = parse_page((DATA / "article_title_only.html").read_bytes(),
                        url="https://quotidien.example/cyber", content_type="text/html")
    assert item.title.startswith("Polytechnique Montréal visée par une cyberattaque")
    assert "tracker" not in item.summary and "Accueil" not in item.summary  # script, nav
    assert "Polytechnique" not in item.summary  # the name is in the title only
    with pytest.raises(FeedError, match="not an HTML page"):
        parse_page(b"%PDF-1.7", content_type="application/pdf")


@pytest.mark.parametrize("a, b", [
    ("https://News.example/a/?utm_source=rss&utm_medium=x#top", "https://news.example/a"),
    ("https://news.example/a?id=3&fbclid=abc", "https://news.example/a?id=3"),
])
def test_canonical_url_drops_tracking(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


def test_item_key_same_link_same_key_and_linkless_items_differ() -> None:
    one = FeedItem("g1", "https://n.example/a?utm_source=x", "T", "S", None)
    two = FeedItem("g2", "https://n.example/a", "T bis", "S bis", None)
    assert item_key(one, "feed-a") == item_key(two, "feed-b")
    bare1 = FeedItem("", None, "Titre un", "", None)
    bare2 = FeedItem("", None, "Titre deux", "", None)
    assert item_key(bare1, "f") != item_key(bare2, "f")


# -- fetching over loopback -------------------------------------------------------------

def test_conditional_request_sends_validators_and_reads_304(
        publisher: tuple[Publisher, str], client: httpx.Client) -> None:
    fake, base = publisher
    first = fetch(client, f"{base}/news.rss", SourceKind.FEED)
    assert first.status == "updated" and len(first.items) == 5
    assert first.validators == Validators('"/news.rss-v1"', LAST_MODIFIED)
    second = fetch(client, f"{base}/news.rss", SourceKind.FEED, first.validators)
    assert second.status == "not_modified" and second.items == ()
    request = fake.calls("GET", "/news.rss")[-1]
    assert request.headers["if-none-match"] == '"/news.rss-v1"'
    assert request.headers["if-modified-since"] == LAST_MODIFIED
    assert "Vigie" in request.headers["user-agent"]


def test_server_error_and_oversized_answers_raise(publisher: tuple[Publisher, str],
                                                   client: httpx.Client) -> None:
    _, base = publisher
    with pytest.raises(FeedError) as error:
        fetch(client, f"{base}/down.rss", SourceKind.FEED)
    assert error.value.status == 500
    with pytest.raises(FeedError, match="larger than"):
        fetch(client, f"{base}/news.rss", SourceKind.FEED, max_bytes=100)


# -- polling into the store ---------------------------------------------------------------

def _register_all(store: Any, base: str) -> None:
    add_feed(store, f"{base}/news.rss", name="Actualités Montréal", interval_minutes=30)
    add_feed(store, f"{base}/campus.atom", name="Blogue étudiant")
    add_feed(store, f"{base}/nodates.rss", name="Diplômés")
    add_feed(store, f"{base}/broken.xml", name="Cassé")
    add_feed(store, f"{base}/down.rss", name="En panne")
    add_feed(store, f"{base}/article.html", name="Le Quotidien", kind=SourceKind.PAGE)
    add_feed(store, f"{base}/unrelated.html", name="Campus News", kind=SourceKind.PAGE)


def test_poll_stores_mentions_once_and_survives_broken_feeds(
        store: Any, store_clock: Any, publisher: tuple[Publisher, str],
        client: httpx.Client) -> None:
    _, base = publisher
    _register_all(store, base)
    report = poll(store, client)
    by_name = {o.name: o for o in report.outcomes}
    # The broken feeds failed and the others were polled all the same.
    assert by_name["Cassé"].status == "failed" and "malformed" in (by_name["Cassé"].error or "")
    assert by_name["En panne"].status == "failed" and report.failed == 2
    assert by_name["Actualités Montréal"].status == "updated"
    mentions = list_mentions(store, about_min=0.5)
    titles = [m["title"] for m in mentions]
    # The article listed twice (once with tracking parameters) is one mention.
    assert sum("Grève des chargés" in (t or "") for t in titles) == 1
    # Homonyms are not mentions of the institution; the weather is not a mention at all.
    assert not any("Palaiseau" in (t or "") or "Cal Poly" in (t or "") for t in titles)
    assert not any("Météo" in (t or "") for t in titles)
    # A page that names the institution in its title only is a mention.
    page = next(m for m in mentions if m["source"] == "Le Quotidien")
    assert page["tone_label"] == "negative" and page["alert_status"] == "pending"
    # A feed without dates: stored without a publication date, seen now.
    undated = [m for m in mentions if m["source"] == "Diplômés"]
    assert len(undated) == 2 and all(m["published_at"] is None for m in undated)
    assert all(m["seen_at"] == store_clock.now for m in undated)
    # Negative mentions are pending alerts; praise is not.
    praise = next(m for m in mentions if "robotique" in (m["title"] or ""))
    assert praise["tone_label"] == "positive" and praise["alert_status"] == "none"
    blog = next(m for m in mentions if m["source"] == "Blogue étudiant")
    assert blog["tone_label"] == "negative" and "Poly" in (blog["snippet"] or "")


def test_failing_feed_backs_off_and_recovers(store: Any, store_clock: Any,
                                             publisher: tuple[Publisher, str],
                                             client: httpx.Client) -> None:
    fake, base = publisher
    add_feed(store, f"{base}/down.rss", name="En panne", interval_minutes=10)
    poll(store, client)
    poll(store, client)  # not due yet: nothing fetched
    assert len(fake.calls("GET", "/down.rss")) == 1
    [row] = list_feeds(store)
    assert row["failures"] == 1 and row["last_status"] == 500
    assert row["next_poll_at"] == store_clock.now + dt.timedelta(minutes=20)
    store_clock.advance(minutes=20)
    poll(store, client)
    [row] = list_feeds(store)
    assert row["failures"] == 2 and row["next_poll_at"] == store_clock.now + dt.timedelta(
        minutes=40)
    fake.down.clear()
    fake.files["/down.rss"] = ("no_dates.rss", "application/rss+xml")
    store_clock.advance(minutes=40)
    report = poll(store, client)
    [row] = list_feeds(store)
    assert report.outcomes[0].status == "updated" and row["failures"] == 0
    assert row["last_error"] is None


def test_second_poll_is_conditional_and_stores_nothing_new(
        store: Any, store_clock: Any, publisher: tuple[Publisher, str],
        client: httpx.Client) -> None:
    fake, base = publisher
    add_feed(store, f"{base}/news.rss", name="Actualités", interval_minutes=30)
    first = poll(store, client)
    assert first.new_mentions == 2  # the strike (once) and the robotics prize
    store_clock.advance(minutes=30)
    second = poll(store, client)
    assert second.outcomes[0].status == "not_modified" and second.new_mentions == 0
    # The publisher changes its ETag but not its items: still nothing new (keys).
    fake.version = "v2"
    store_clock.advance(minutes=30)
    third = poll(store, client)
    assert third.outcomes[0].status == "updated" and third.new_mentions == 0
    assert len(list_mentions(store, about_min=0.0)) == 2


def test_poll_all_ignores_schedule_and_duplicate_source_is_refused(
        store: Any, publisher: tuple[Publisher, str], client: httpx.Client) -> None:
    fake, base = publisher
    add_feed(store, f"{base}/campus.atom", name="Blogue")
    with pytest.raises(StoreError, match="already registered"):
        add_feed(store, f"{base}/campus.atom/")
    with pytest.raises(StoreError, match="at least 5"):
        add_feed(store, f"{base}/other.rss", interval_minutes=1)
    poll(store, client)
    poll(store, client, only_due=False)
    assert len(fake.calls("GET", "/campus.atom")) == 2


# -- X recent search, through an API client like the X connector's -------------------------

class _Api:
    def __init__(self, handler: Any) -> None:
        self.client = httpx.Client(transport=httpx.MockTransport(handler),
                                   base_url="https://api.x.test/2")
        self.calls: list[httpx.Request] = []

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self.client.request(method, path, **kwargs)
        self.calls.append(response.request)
        return response


def test_x_search_source_keeps_since_id(store: Any, client: httpx.Client) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        since = request.url.params.get("since_id")
        data = [] if since == "9" else [
            {"id": "9", "text": "Polytechnique Montréal, c'est inacceptable ces délais",
             "created_at": "2025-03-18T10:00:00.000Z"},
            {"id": "8", "text": "Cal Poly wins again", "created_at": "2025-03-18T09:00:00Z"}]
        return httpx.Response(200, json={"data": data, "meta": {"newest_id": "9"}})

    api = _Api(handler)
    add_feed(store, '"Polytechnique Montréal" OR polymtl', name="X", kind=SourceKind.X_SEARCH)
    poll(store, client, x_search=XSearch(api))
    poll(store, client, x_search=XSearch(api), only_due=False)
    assert api.calls[0].url.params["query"] == '"Polytechnique Montréal" OR polymtl'
    assert api.calls[1].url.params["since_id"] == "9"
    [mention] = list_mentions(store)
    assert mention["url"] == "https://x.com/i/web/status/9"
    assert mention["tone_label"] == "negative"


def test_x_search_source_without_account_fails_alone(store: Any, client: httpx.Client,
                                                     publisher: tuple[Publisher, str]) -> None:
    _, base = publisher
    add_feed(store, "polymtl", name="X", kind=SourceKind.X_SEARCH)
    add_feed(store, f"{base}/news.rss", name="Actualités")
    report = poll(store, client)
    statuses = {o.name: o.status for o in report.outcomes}
    assert statuses == {"X": "failed", "Actualités": "updated"}


# -- alerts ---------------------------------------------------------------------------------

class RecordingNotifier:
    def __init__(self, name: str = "recorder", fail: bool = False) -> None:
        self.name = name
        self.fail = fail
        self.messages: list[tuple[str, list[str]]] = []

    def send(self, subject: str, lines: Sequence[str]) -> None:
        if self.fail:
            raise OSError("relay unreachable")
        self.messages.append((subject, list(lines)))


def test_alerts_digest_links_sources_and_is_sent_once(
        store: Any, publisher: tuple[Publisher, str], client: httpx.Client) -> None:
    _, base = publisher
    _register_all(store, base)
    poll(store, client)
    pending = list_mentions(store, alert="pending")
    assert len(pending) >= 3
    broken = RecordingNotifier("broken", fail=True)
    report = send_mention_alerts(store, [broken], institution="Polytechnique Montréal")
    assert report.sent == 0 and report.errors and "relay unreachable" in report.errors[0]
    assert len(list_mentions(store, alert="pending")) == len(pending)  # kept for next time
    notifier = RecordingNotifier()
    report = send_mention_alerts(store, [notifier], institution="Polytechnique Montréal")
    assert report.sent == len(pending) and report.messages == 1
    subject, lines = notifier.messages[0]
    assert subject.startswith(f"Vigie: {len(pending)} negative mention(s) of Polytechnique")
    assert any(f"{base}/article.html" in line and "[Le Quotidien]" in line for line in lines)
    assert all("negative tone" in line for line in lines)
    again = send_mention_alerts(store, [notifier])
    assert again.sent == 0 and len(notifier.messages) == 1
    assert json.dumps(list_mentions(store, alert="sent")[0]["names"])
