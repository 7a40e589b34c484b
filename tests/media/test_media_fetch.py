"""Safe image fetching: address checks, redirects, limits, time-outs.

No traffic leaves the machine: hosts resolve through a fixed table, "public" hosts are served
by ``httpx.MockTransport`` (nothing is sent), and real HTTP goes to a server on 127.0.0.1,
reached only when a test sets the allow-list that production never sets.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from vigie.media.fetch import (
    FetchFailed,
    FetchRefused,
    FetchSettings,
    ImageFetcher,
    read_local_image,
    sniff_image_type,
)
from vigie.media.safety import AddressGuard, AddressRefused, IPAddress, is_public_address

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
PUBLIC_IP = "93.184.216.34"


class TableResolver:
    """Resolves names from a table and records every question (a fake, not a patch)."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = {k: list(v) for k, v in table.items()}
        self.asked: list[str] = []

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError("unknown host")
        return [ipaddress.ip_address(a) for a in self.table[host]]


class RebindingResolver(TableResolver):
    """Answers a public address first, then loopback: a DNS-rebinding attacker."""

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        self.asked.append(host)
        first = len(self.asked) == 1
        return [ipaddress.ip_address(PUBLIC_IP if first else "127.0.0.1")]


@dataclass
class Route:
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "image/png"})
    body: bytes = PNG
    delay_s: float = 0.0  # before the answer
    drip_s: float = 0.0  # between bytes of the body
    declare_length: bool = True  # False: no Content-Length, the body ends with the connection


class LocalImageHost:
    """A real HTTP server on 127.0.0.1 serving routes; records the paths it was asked."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[str] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                host.seen.append(self.path)
                route = host.routes.get(self.path, Route(404, {}, b""))
                time.sleep(route.delay_s)
                self.send_response(route.status)
                for key, value in route.headers.items():
                    self.send_header(key, value)
                try:
                    if route.drip_s or not route.declare_length:
                        self.send_header("Connection", "close")
                        self.end_headers()
                        self.close_connection = True
                        step = 1 if route.drip_s else 512
                        for start in range(0, len(route.body), step):
                            self.wfile.write(route.body[start:start + step])
                            self.wfile.flush()
                            time.sleep(route.drip_s)
                        return
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,),
                                       daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
def local() -> Iterator[LocalImageHost]:
    server = LocalImageHost()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def mock_client(handler: Callable[[httpx.Request], httpx.Response],
                sent: list[httpx.Request]) -> httpx.Client:
    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return handler(request)
    return httpx.Client(transport=httpx.MockTransport(record))


def public_fetcher(handler: Callable[[httpx.Request], httpx.Response], sent: list[httpx.Request],
                   resolver: TableResolver | None = None, **settings: Any) -> ImageFetcher:
    guard = AddressGuard(resolver or TableResolver({"cdn.example": [PUBLIC_IP]}))
    return ImageFetcher(mock_client(handler, sent), FetchSettings(**settings), guard)


# -- address checks ---------------------------------------------------------------------------

@pytest.mark.parametrize(("address", "public"), [
    ("93.184.216.34", True),
    ("8.8.8.8", True),
    ("2001:4860:4860::8888", True),
    ("127.0.0.1", False),           # loopback
    ("10.0.0.5", False),            # RFC 1918
    ("172.16.3.4", False),
    ("192.168.1.10", False),
    ("169.254.169.254", False),     # cloud metadata (link-local)
    ("100.64.0.1", False),          # CGNAT
    ("0.0.0.0", False),
    ("224.0.0.1", False),           # multicast, although Python calls it global
    ("240.0.0.1", False),           # reserved
    ("255.255.255.255", False),
    ("192.0.0.8", False),           # IETF protocol assignments
    ("::1", False),
    ("fe80::1", False),
    ("fc00::1", False),
    ("ff02::1", False),
    ("2001:db8::1", False),         # documentation
    ("::ffff:127.0.0.1", False),    # IPv4-mapped loopback
    ("::ffff:93.184.216.34", True),
    ("2002:7f00:1::1", False),      # 6to4 wrapping 127.0.0.1
    ("64:ff9b::a00:5", False),      # NAT64 wrapping 10.0.0.5
])
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


def test_guard_refuses_a_name_with_any_private_address() -> None:
    guard = AddressGuard(TableResolver({"mixed.example": [PUBLIC_IP, "10.0.0.5"]}))
    with pytest.raises(AddressRefused, match="non-public"):
        guard.check("mixed.example", 443)


def test_guard_refuses_unresolvable_names_and_private_literals() -> None:
    guard = AddressGuard(TableResolver({}))
    with pytest.raises(AddressRefused, match="does not resolve"):
        guard.check("nowhere.example", 80)
    with pytest.raises(AddressRefused, match="loopback"):
        guard.check("127.0.0.1", 80)
    with pytest.raises(AddressRefused, match="IPv4"):
        guard.check("::ffff:10.0.0.1", 80)


def test_guard_allow_list_is_explicit() -> None:
    guard = AddressGuard.with_allowed(["127.0.0.0/8"], TableResolver({}))
    assert guard.check("127.0.0.1", 80) == ipaddress.ip_address("127.0.0.1")
    with pytest.raises(AddressRefused):
        guard.check("10.0.0.5", 80)


# -- file signatures -------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "mime"), [
    (PNG, "image/png"),
    (JPEG, "image/jpeg"),
    (GIF, "image/gif"),
    (b"GIF87a" + b"\x00" * 8, "image/gif"),
    (WEBP, "image/webp"),
    (b"<html><body>not an image</body></html>", None),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),  # RIFF, but audio
    (b"%PDF-1.7", None),
    (b"", None),
])
def test_sniff_image_type(data: bytes, mime: str | None) -> None:
    assert sniff_image_type(data) == mime


# -- fetching from a "public" host (MockTransport: nothing is sent) --------------------------

def test_connects_to_the_checked_address_with_the_name_in_host_and_sni() -> None:
    sent: list[httpx.Request] = []
    resolver = TableResolver({"cdn.example": [PUBLIC_IP]})
    fetcher = public_fetcher(lambda r: httpx.Response(200, headers={"Content-Type": "image/png"},
                                                      content=PNG), sent, resolver)
    image = fetcher.fetch("https://cdn.example/photos/a.png?size=large")
    assert (image.mime, image.source, image.data) == ("image/png", "cdn.example", PNG)
    (request,) = sent
    assert request.url.host == PUBLIC_IP
    assert request.url.raw_path == b"/photos/a.png?size=large"
    assert request.headers["host"] == "cdn.example"
    assert request.extensions["sni_hostname"] == "cdn.example"
    assert resolver.asked == ["cdn.example"]


def test_dns_rebinding_cannot_redirect_the_connection() -> None:
    sent: list[httpx.Request] = []
    resolver = RebindingResolver({})
    fetcher = public_fetcher(lambda r: httpx.Response(200, headers={"Content-Type": "image/png"},
                                                      content=PNG), sent, resolver)
    fetcher.fetch("http://rebind.example/a.png")
    # Resolved once, and the connection went to that answer, never to the second one.
    assert resolver.asked == ["rebind.example"]
    assert [r.url.host for r in sent] == [PUBLIC_IP]


@pytest.mark.parametrize(("url", "reason"), [
    ("file:///etc/passwd", "unsupported scheme"),
    ("ftp://cdn.example/a.png", "unsupported scheme"),
    ("gopher://cdn.example/", "unsupported scheme"),
    ("https://user:secret@cdn.example/a.png", "credentials"),
    ("http://127.0.0.1/a.png", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[::1]/a.png", "loopback"),
    ("http://10.0.0.5/a.png", "private"),
    ("http://unknown.example/a.png", "does not resolve"),
])
def test_refused_before_any_request(url: str, reason: str) -> None:
    sent: list[httpx.Request] = []
    fetcher = public_fetcher(lambda r: httpx.Response(200, content=PNG), sent)
    with pytest.raises(FetchRefused, match=reason):
        fetcher.fetch(url)
    assert sent == []


@pytest.mark.parametrize(("location", "reason"), [
    ("http://10.0.0.5/a.png", "private"),
    ("http://169.254.169.254/latest/meta-data/iam", "link-local"),
    ("http://[fc00::1]/a.png", "private"),
    ("file:///etc/passwd", "unsupported scheme"),
])
def test_redirects_to_private_addresses_are_refused(location: str, reason: str) -> None:
    sent: list[httpx.Request] = []
    fetcher = public_fetcher(lambda r: httpx.Response(302, headers={"Location": location}), sent)
    with pytest.raises(FetchRefused, match=reason):
        fetcher.fetch("https://cdn.example/a.png")
    assert [r.url.host for r in sent] == [PUBLIC_IP]  # only the first hop was requested


def test_redirect_to_loopback_refused_without_allow_list(local: LocalImageHost) -> None:
    local.routes["/secret.png"] = Route()
    sent: list[httpx.Request] = []
    fetcher = public_fetcher(
        lambda r: httpx.Response(302, headers={"Location": local.url("/secret.png")}), sent)
    with pytest.raises(FetchRefused, match="loopback"):
        fetcher.fetch("https://cdn.example/a.png")
    assert local.seen == []  # the loopback server was never contacted


def test_same_redirect_followed_when_loopback_is_allow_listed(local: LocalImageHost) -> None:
    # The control for the test above: with the tests-only allow-list, the hop is made.
    local.routes["/secret.png"] = Route()
    sent: list[httpx.Request] = []
    guard = AddressGuard.with_allowed(["127.0.0.1/32"],
                                      TableResolver({"cdn.example": [PUBLIC_IP]}))
    def redirect(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(302, headers={"Location": local.url("/secret.png")})

    transport = httpx.MockTransport(redirect)
    # Public hops go to the mock, loopback hops to the real local server.
    client = httpx.Client(mounts={f"http://{PUBLIC_IP}": transport,
                                  f"https://{PUBLIC_IP}": transport})
    fetcher = ImageFetcher(client, FetchSettings(), guard)
    assert fetcher.fetch("https://cdn.example/a.png").data == PNG
    assert local.seen == ["/secret.png"]


def test_relative_redirect_is_resolved_against_the_name_and_checked_again() -> None:
    sent: list[httpx.Request] = []
    resolver = TableResolver({"cdn.example": [PUBLIC_IP]})

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old.png":
            return httpx.Response(301, headers={"Location": "/new.png"})
        return httpx.Response(200, headers={"Content-Type": "image/png"}, content=PNG)

    fetcher = public_fetcher(handler, sent, resolver)
    assert fetcher.fetch("https://cdn.example/old.png").data == PNG
    assert [(r.url.path, r.headers["host"]) for r in sent] == [
        ("/old.png", "cdn.example"), ("/new.png", "cdn.example")]
    assert resolver.asked == ["cdn.example", "cdn.example"]


def test_redirect_chain_is_bounded() -> None:
    sent: list[httpx.Request] = []
    fetcher = public_fetcher(
        lambda r: httpx.Response(302, headers={"Location": "https://cdn.example/loop"}), sent,
        max_redirects=2)
    with pytest.raises(FetchRefused, match="more than 2 redirects"):
        fetcher.fetch("https://cdn.example/loop")
    assert len(sent) == 3


@pytest.mark.parametrize(("response", "reason"), [
    (httpx.Response(404), "HTTP 404"),
    (httpx.Response(500), "HTTP 500"),
    (httpx.Response(302), "without a location"),
    (httpx.Response(200, headers={"Content-Type": "text/html"}, content=b"<html>"),
     "not an allowed image type"),
    (httpx.Response(200, headers={"Content-Type": "image/svg+xml"}, content=b"<svg/>"),
     "not an allowed image type"),
    # The header says PNG, the bytes say HTML: the signature decides.
    (httpx.Response(200, headers={"Content-Type": "image/png"}, content=b"<html>hi</html>"),
     "not a JPEG, PNG, GIF or WebP"),
    (httpx.Response(200, headers={"Content-Type": "image/png", "Content-Length": "99999999"},
                    content=PNG), "larger than"),
])
def test_failed_fetches(response: httpx.Response, reason: str) -> None:
    sent: list[httpx.Request] = []
    fetcher = public_fetcher(lambda r: response, sent)
    with pytest.raises(FetchFailed, match=reason):
        fetcher.fetch("https://cdn.example/a.png")


@pytest.mark.parametrize(("content_type", "body", "mime"), [
    ("application/octet-stream", JPEG, "image/jpeg"),  # CDN that does not know the type
    ("", GIF, "image/gif"),
    ("image/webp; charset=binary", WEBP, "image/webp"),
])
def test_generic_types_are_judged_by_signature(content_type: str, body: bytes,
                                               mime: str) -> None:
    sent: list[httpx.Request] = []
    headers = {"Content-Type": content_type} if content_type else {}
    fetcher = public_fetcher(lambda r: httpx.Response(200, headers=headers, content=body), sent)
    assert fetcher.fetch("https://cdn.example/a").mime == mime


def test_network_errors_become_fetch_failures() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(FetchFailed, match="network error"):
        public_fetcher(refuse, []).fetch("https://cdn.example/a.png")


# -- limits on a real connection (loopback, allow-listed) ------------------------------------

def loopback_fetcher(**settings: Any) -> ImageFetcher:
    guard = AddressGuard.with_allowed(["127.0.0.1/32"],
                                      TableResolver({"images.test": ["127.0.0.1"]}))
    return ImageFetcher(httpx.Client(), FetchSettings(**settings), guard)


def test_loopback_fetch_by_name(local: LocalImageHost) -> None:
    local.routes["/a.png"] = Route()
    image = loopback_fetcher().fetch(local.url("/a.png", host="images.test"))
    assert (image.data, image.source) == (PNG, "images.test")


def test_streamed_body_is_cut_at_max_bytes(local: LocalImageHost) -> None:
    # No Content-Length: the limit is enforced while reading.
    local.routes["/big.png"] = Route(body=PNG + b"\x00" * 50_000, declare_length=False)
    fetcher = loopback_fetcher(max_bytes=1024)
    with pytest.raises(FetchFailed, match="larger than 1 KiB"):
        fetcher.fetch(local.url("/big.png"))


def test_slow_server_hits_the_read_timeout(local: LocalImageHost) -> None:
    local.routes["/slow.png"] = Route(delay_s=1.5)
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="timed out"):
        loopback_fetcher(read_timeout_s=0.3, total_timeout_s=5).fetch(local.url("/slow.png"))
    assert time.monotonic() - started < 1.4


def test_dripping_server_hits_the_total_timeout(local: LocalImageHost) -> None:
    # Each byte arrives well within the read time-out; the whole fetch is what is bounded.
    local.routes["/drip.png"] = Route(body=PNG, drip_s=0.05)
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="timed out"):
        loopback_fetcher(read_timeout_s=1.0, total_timeout_s=0.5).fetch(local.url("/drip.png"))
    assert time.monotonic() - started < 2.5


# -- local files --------------------------------------------------------------------------

def test_read_local_image(tmp_path: Path) -> None:
    good = tmp_path / "a.png"
    good.write_bytes(PNG)
    html = tmp_path / "a.html"
    html.write_bytes(b"<html></html>")
    big = tmp_path / "big.png"
    big.write_bytes(PNG + b"\x00" * 4096)
    assert read_local_image(good).mime == "image/png"
    with pytest.raises(FetchFailed, match="not a JPEG"):
        read_local_image(html)
    with pytest.raises(FetchFailed, match="larger than"):
        read_local_image(big, FetchSettings(max_bytes=1024))
    with pytest.raises(FetchFailed, match="not found"):
        read_local_image(tmp_path / "missing.png")
