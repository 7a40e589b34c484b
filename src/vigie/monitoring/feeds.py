"""Fetching sources of mentions: RSS and Atom feeds, news pages, X recent search.

Every request goes through an injected :class:`httpx.Client` (tests serve recorded feeds over
loopback). Feeds and pages are fetched with conditional requests: the ``ETag`` and
``Last-Modified`` of the last answer are sent back as ``If-None-Match`` and
``If-Modified-Since``, and a ``304 Not Modified`` costs the publisher nothing.

Parsing is lenient where publishers are sloppy and strict where it matters:

* feeds are parsed by ``feedparser`` (BSD-2; RSS 0.9x/1.0/2.0, Atom 0.3/1.0, undefined HTML
  entities, wrong encodings), given the bytes only — never a URL or a file name, which it
  would fetch or open — and with external entities off; a document with no entry and no
  feed element is refused as "not a feed";
* pages are read by the standard library's HTML parser: title, description, headings and
  visible text (scripts and styles skipped); a page is one item, keyed by its URL;
* answers are read up to ``max_bytes`` (5 MB by default): a runaway page cannot fill memory.

Failures raise :class:`FeedError` with the HTTP status when there is one; the poller records
them on the feed and goes on with the others (:mod:`vigie.monitoring.poll`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from vigie.errors import VigieError
from vigie.version import __version__

__all__ = [
    "FeedError",
    "FeedItem",
    "FetchResult",
    "SourceKind",
    "Validators",
    "XSearch",
    "canonical_url",
    "fetch",
    "item_key",
    "parse_feed",
    "parse_page",
]

USER_AGENT = f"Vigie/{__version__} (web monitoring; +https://github.com/vigie)"
MAX_BYTES = 5_000_000
# Tracking parameters that make one article look like several.
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid|igshid|ref|ref_src|cmpid)$")
_SPACE = re.compile(r"\s+")


class SourceKind(StrEnum):
    """What a monitored source is."""

    FEED = "feed"  # RSS or Atom
    PAGE = "page"  # an HTML page (a news article, an organisation's page)
    X_SEARCH = "x_search"  # X recent search through the X connector's API client


class FeedError(VigieError):
    """A source could not be fetched or read.

    Attributes:
        status: the HTTP status, when the server answered.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Validators:
    """The cache validators of the last answer, sent back on the next request."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item of a source.

    Attributes:
        guid: the source's own id for the item (an RSS ``guid``, an Atom ``id``, a post id);
            may be empty.
        url: link to the item, when it has one.
        title: its title (may be empty).
        summary: its text or summary, tags stripped.
        published: when it was published, aware UTC, or ``None`` when the source gives no date.
    """

    guid: str
    url: str | None
    title: str
    summary: str
    published: dt.datetime | None

    @property
    def text(self) -> str:
        """Title and summary, the text that is scored."""
        return f"{self.title}\n{self.summary}".strip()


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one conditional fetch.

    Attributes:
        status: ``updated`` (items parsed) or ``not_modified`` (a 304: nothing to parse).
        items: the items (empty when not modified).
        validators: the validators to send next time (the old ones after a 304).
        http_status: the final HTTP status.
        url: the final URL, after redirects.
    """

    status: Literal["updated", "not_modified"]
    items: tuple[FeedItem, ...]
    validators: Validators
    http_status: int
    url: str


def canonical_url(url: str) -> str:
    """The URL with a lower-case scheme and host, no fragment, no tracking parameters (pure)."""
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _TRACKING.match(k.lower())])
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def item_key(item: FeedItem, source: str) -> str:
    """The item's identity: SHA-256 of its canonical link, else of ``source`` and its id (pure).

    The same article listed twice, or reached through two feeds, has one key.
    """
    if item.url:
        basis = canonical_url(item.url)
    else:
        basis = f"{source}\n{item.guid or item.title}\n{item.summary[:200]}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FeedError(f"answer larger than {max_bytes:,} bytes", response.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(client: httpx.Client, url: str, kind: SourceKind, validators: Validators = Validators(),
          *, max_bytes: int = MAX_BYTES) -> FetchResult:
    """Fetch a feed or a page with a conditional request, and parse it.

    Args:
        client: the injected HTTP client (its timeouts apply).
        url: the feed's or page's URL.
        kind: :attr:`SourceKind.FEED` or :attr:`SourceKind.PAGE`.
        validators: those of the last answer (none: an unconditional request).
        max_bytes: the most bytes read from one answer.

    Raises:
        FeedError: network failure, an HTTP error status, an answer too large, or a document
            that is not a feed (or not HTML).
    """
    headers = {"User-Agent": USER_AGENT,
               "Accept": ("application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                          "text/xml;q=0.9, */*;q=0.5") if kind is SourceKind.FEED
               else "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    try:
        with client.stream("GET", url, headers=headers, follow_redirects=True) as response:
            if response.status_code == 304:
                return FetchResult("not_modified", (), validators, 304, str(response.url))
            if response.status_code >= 400:
                raise FeedError(f"HTTP {response.status_code} from {url}", response.status_code)
            content = _read_limited(response, max_bytes)
            final_url = str(response.url)
            new = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))
            content_type = response.headers.get("Content-Type", "")
            status = response.status_code
    except httpx.HTTPError as error:
        raise FeedError(f"cannot fetch {url}: {type(error).__name__}: {error}") from None
    if kind is SourceKind.FEED:
        items = parse_feed(content, url=final_url, content_type=content_type)
    else:
        items = parse_page(content, url=final_url, content_type=content_type)
    return FetchResult("updated", tuple(items), new, status, final_url)


# -- feeds -------------------------------------------------------------------------------


def _struct_to_datetime(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def parse_feed(content: bytes, *, url: str = "", content_type: str = "") -> list[FeedItem]:
    """Parse an RSS or Atom document (pure: no network, no file).

    Args:
        content: the raw bytes.
        url: where it came from (relative links are resolved against it).
        content_type: the ``Content-Type`` header (its charset helps decoding).

    Raises:
        FeedError: the document is neither RSS nor Atom.
    """
    import feedparser  # type: ignore[import-untyped]

    headers: dict[str, str] = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # A stream, never a string: feedparser would fetch a string that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(content), response_headers=headers,
                              resolve_relative_uris=True, sanitize_html=True)
    useful = [e for e in parsed.entries if e.get("title") or e.get("link") or e.get("summary")]
    if not useful:
        # An empty but well-formed feed is fine; an HTML error page or a truncated document
        # is a failure to report, not "no news".
        reason = parsed.get("bozo_exception")
        soft = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
        if parsed.get("bozo") and not isinstance(reason, soft):
            raise FeedError(f"malformed feed: {reason}")
        if not parsed.get("version"):
            raise FeedError("not an RSS or Atom feed")
    items = []
    for entry in useful:
        link = entry.get("link") or None
        summary = entry.get("summary") or ""
        if not summary and entry.get("content"):
            summary = " ".join(str(c.get("value", "")) for c in entry.get("content", []))
        published = _struct_to_datetime(entry.get("published_parsed")
                                        or entry.get("updated_parsed"))
        items.append(FeedItem(
            guid=str(entry.get("id") or ""),
            url=str(link) if link else None,
            title=html_to_text(str(entry.get("title") or "")),
            summary=html_to_text(str(summary))[:4000],
            published=published,
        ))
    return items


# -- pages -------------------------------------------------------------------------------


class _PageParser(HTMLParser):
    """Collects a page's title, meta description and visible text."""

    # Scripts and styles are not text; navigation and footers repeat on every page of a site.
    _SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head", "nav",
                       "footer", "aside"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title_parts: list[str] = []
        self.meta: dict[str, str] = {}
        self.text_parts: list[str] = []
        self._stack: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            key = (values.get("name") or values.get("property") or "").lower()
            if key in ("description", "og:description", "og:title", "twitter:title"):
                self.meta.setdefault(key, values.get("content", ""))
        if tag in self._SKIP:
            self._stack.append(tag)
        if tag in ("p", "br", "div", "li", "h1", "h2", "h3", "article", "section"):
            self.text_parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._stack:
            self.text_parts.append(data)


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed (pure)."""
    if "<" not in fragment and "&" not in fragment:
        return _SPACE.sub(" ", fragment).strip()
    parser = _PageParser()
    parser.feed(fragment)
    parser.close()
    return _SPACE.sub(" ", "".join(parser.text_parts)).strip()


def _decode(content: bytes, content_type: str) -> str:
    header = re.search(r"charset=([\w-]+)", content_type, re.I)
    if header is None:
        meta = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", content[:2048], re.I)
        charset = meta.group(1).decode("ascii", "replace") if meta else "utf-8"
    else:
        charset = header.group(1)
    try:
        return content.decode(charset, errors="replace")
    except LookupError:
        return content.decode("utf-8", errors="replace")


def parse_page(content: bytes, *, url: str = "", content_type: str = "") -> list[FeedItem]:
    """Read an HTML page as one item: title, description and visible text (pure).

    Raises:
        FeedError: the answer is not HTML.
    """
    if content_type and not re.search(r"html|xml", content_type, re.I):
        raise FeedError(f"not an HTML page ({content_type.split(';')[0]})")
    parser = _PageParser()
    parser.feed(_decode(content, content_type))
    parser.close()
    title = _SPACE.sub(" ", "".join(parser.title_parts)).strip() or parser.meta.get(
        "og:title", "")
    description = parser.meta.get("description") or parser.meta.get("og:description", "")
    body = _SPACE.sub(" ", "".join(parser.text_parts)).strip()
    summary = (description + "\n" + body).strip() if description else body
    return [FeedItem(guid=url, url=url or None, title=title, summary=summary[:20000],
                     published=None)]


# -- X recent search ---------------------------------------------------------------------


class XSearch:
    """Public posts naming the institution, through X's recent search (last seven days).

    Uses the X connector's API client (:class:`vigie.connectors.http.ApiClient`), so the
    token, retries and error mapping are the connector's. Only where the account's plan
    includes recent search.
    """

    def __init__(self, api: Any) -> None:
        """Wrap ``api``, an :class:`~vigie.connectors.http.ApiClient` for ``api.x.com/2``."""
        self.api = api

    def search(self, query: str, since_id: str | None = None) -> tuple[list[FeedItem], str | None]:
        """One page of posts matching ``query``, newer than ``since_id``.

        Returns:
            The items, and the newest id to pass as ``since_id`` next time.

        Raises:
            vigie.connectors.errors.ConnectorError: from the API client.
        """
        params: dict[str, Any] = {"query": query, "max_results": 100,
                                  "tweet.fields": "created_at,author_id,lang"}
        if since_id:
            params["since_id"] = since_id
        body: Mapping[str, Any] = self.api.request("GET", "/tweets/search/recent",
                                                   params=params).json()
        items = []
        for tweet in body.get("data", []) or []:
            created = tweet.get("created_at")
            published = None
            if created:
                try:
                    published = dt.datetime.fromisoformat(str(created).replace("Z", "+00:00"))
                except ValueError:
                    published = None
            items.append(FeedItem(guid=str(tweet["id"]),
                                  url=f"https://x.com/i/web/status/{tweet['id']}",
                                  title="", summary=str(tweet.get("text") or ""),
                                  published=published))
        newest = (body.get("meta") or {}).get("newest_id") or since_id
        return items, newest
