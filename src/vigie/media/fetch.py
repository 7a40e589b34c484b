"""Fetching a comment's image, safely and without keeping it.

An image URL comes from a commenter, so the fetch assumes the worst:

* only ``http`` and ``https``, no credentials in the URL;
* the host is resolved and every address checked (:class:`~vigie.media.safety.AddressGuard`),
  then the request goes to the *checked address* with the original ``Host`` header and TLS
  server name, so a second DNS answer can never redirect it (DNS rebinding);
* redirects are never followed by the HTTP client: each ``Location`` is checked like a new
  URL, at most ``max_redirects`` times;
* the body is streamed and abandoned past ``max_bytes`` (a declared ``Content-Length`` above
  it is refused before reading); connect, read and whole-fetch time-outs bound a slow server;
* the type must be JPEG, PNG, GIF or WebP, by header *and* by the file's own signature.

Retention: the bytes live only in memory, in the returned :class:`FetchedImage`, for as long
as the caller holds it; nothing is written to disk or to the store (the detector drops the
bytes once the model has seen them). Only the evidence (labels, boxes, host) is kept.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

from vigie.errors import MediaError
from vigie.media.safety import AddressGuard, AddressRefused

__all__ = [
    "ALLOWED_TYPES",
    "FetchError",
    "FetchFailed",
    "FetchRefused",
    "FetchSettings",
    "FetchedImage",
    "ImageFetcher",
    "default_client",
    "read_local_image",
    "sniff_image_type",
]

#: Image types Vigie analyses (a GIF is judged on its first frame).
ALLOWED_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# Servers and CDNs that do not know the type send these; the file signature then decides.
_GENERIC_TYPES = frozenset({"application/octet-stream", "binary/octet-stream"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_SAFE_WORD = re.compile(r"[^a-z0-9/.+\-]")


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """Limits of one image fetch.

    Attributes:
        max_bytes: largest body read, in bytes (decoded, after any content encoding).
        connect_timeout_s: time to open the connection, in seconds.
        read_timeout_s: longest wait for the next chunk, in seconds.
        total_timeout_s: whole fetch, redirects included, in seconds (a server that drips
            one byte a second is cut off here).
        max_redirects: redirects followed (each checked like a new URL).
        allowed_types: accepted MIME types.
        user_agent: the ``User-Agent`` sent.
    """

    max_bytes: int = 8 * 1024 * 1024
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 5.0
    total_timeout_s: float = 10.0
    max_redirects: int = 3
    allowed_types: tuple[str, ...] = ALLOWED_TYPES
    user_agent: str = "Vigie/0.1 (image moderation; no storage)"


class FetchError(MediaError):
    """An image could not be had. ``reason`` is a few words, safe to show in a decision."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FetchRefused(FetchError):
    """Vigie refused to fetch: unsafe address, scheme or redirect."""


class FetchFailed(FetchError):
    """The fetch was tried and failed: HTTP status, time-out, size, type, network."""


@dataclass(frozen=True, slots=True)
class FetchedImage:
    """An image held in memory for analysis, never stored.

    Attributes:
        data: the file's bytes.
        mime: the type read from the file's signature (``image/png``...).
        source: where it came from: the final URL's host, or ``local file``.
    """

    data: bytes
    mime: str
    source: str


def sniff_image_type(data: bytes) -> str | None:
    """The image type from a file's first bytes, or ``None`` (pure)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _safe(text: str, limit: int = 40) -> str:
    """Server-chosen text reduced to harmless characters for an explanation (pure)."""
    return _SAFE_WORD.sub("", text.lower())[:limit] or "unknown"


def default_client() -> httpx.Client:
    """An HTTP client for image fetches: no proxies from the environment, no redirects."""
    return httpx.Client(trust_env=False, follow_redirects=False,
                        headers={"Accept": ", ".join(ALLOWED_TYPES)})


class ImageFetcher:
    """Fetches one image at a time over an injected ``httpx.Client`` (thread-safe)."""

    def __init__(self, client: httpx.Client, settings: FetchSettings | None = None,
                 guard: AddressGuard | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """Build a fetcher.

        Args:
            client: the HTTP client (tests pass one over ``httpx.MockTransport`` or loopback).
            settings: limits; the defaults suit platform CDNs.
            guard: address checks; the default refuses every non-public address.
            clock: monotonic seconds (tests inject a fake one).
        """
        self.client = client
        self.settings = settings or FetchSettings()
        self.guard = guard or AddressGuard()
        self.clock = clock

    def fetch(self, url: str) -> FetchedImage:
        """Fetch the image at ``url`` (does network I/O; keeps nothing).

        Raises:
            FetchRefused: the URL, one of its addresses or a redirect is not allowed.
            FetchFailed: HTTP error, time-out, too large, not an allowed image type.
        """
        deadline = self.clock() + self.settings.total_timeout_s
        current = url
        for _ in range(self.settings.max_redirects + 1):
            result = self._hop(current, deadline)
            if isinstance(result, FetchedImage):
                return result
            current = result
        raise FetchRefused(f"more than {self.settings.max_redirects} redirects")

    def _hop(self, url: str, deadline: float) -> FetchedImage | str:
        """One request: the image, or the next URL to try (a checked redirect)."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            raise FetchRefused("malformed image address") from None
        if parsed.scheme not in ("http", "https"):
            raise FetchRefused(f"unsupported scheme '{_safe(parsed.scheme, 10)}'")
        if parsed.userinfo:
            raise FetchRefused("credentials in the image address")
        host = parsed.host
        if not host:
            raise FetchRefused("image address without a host")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            address = self.guard.check(host, port)
        except AddressRefused as error:
            raise FetchRefused(str(error)) from None
        # Connect to the checked address; the name travels in Host and in TLS SNI only.
        target = parsed.copy_with(host=str(address))
        host_header = host if parsed.port is None else f"{host}:{parsed.port}"
        headers = {"Host": host_header, "User-Agent": self.settings.user_agent,
                   "Accept": ", ".join(self.settings.allowed_types)}
        extensions = {"sni_hostname": host} if parsed.scheme == "https" else {}
        remaining = deadline - self.clock()
        if remaining <= 0:
            raise FetchFailed("timed out")
        timeout = httpx.Timeout(
            connect=min(self.settings.connect_timeout_s, remaining),
            read=min(self.settings.read_timeout_s, remaining),
            write=min(self.settings.read_timeout_s, remaining),
            pool=min(self.settings.connect_timeout_s, remaining),
        )
        try:
            with self.client.stream("GET", target, headers=headers, extensions=extensions,
                                    timeout=timeout, follow_redirects=False) as response:
                if response.status_code in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchFailed(f"HTTP {response.status_code} without a location")
                    # Relative locations are resolved against the name, not the address.
                    return str(urljoin(url, location))
                if response.status_code != 200:
                    raise FetchFailed(f"HTTP {response.status_code}")
                return self._read(response, host, deadline)
        except httpx.TimeoutException:
            raise FetchFailed("timed out") from None
        except httpx.HTTPError as error:
            raise FetchFailed(f"network error ({type(error).__name__})") from None

    def _read(self, response: httpx.Response, host: str, deadline: float) -> FetchedImage:
        limits = self.settings
        declared = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if declared and declared not in limits.allowed_types and declared not in _GENERIC_TYPES:
            raise FetchFailed(f"not an allowed image type ({_safe(declared)})")
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > limits.max_bytes:
            raise FetchFailed(f"image larger than {limits.max_bytes // 1024} KiB")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():  # as they arrive: the deadline is checked often
            size += len(chunk)
            if size > limits.max_bytes:
                raise FetchFailed(f"image larger than {limits.max_bytes // 1024} KiB")
            if self.clock() > deadline:
                raise FetchFailed("timed out")
            chunks.append(chunk)
        data = b"".join(chunks)
        mime = sniff_image_type(data)
        if mime is None or mime not in limits.allowed_types:
            raise FetchFailed("content is not a JPEG, PNG, GIF or WebP image")
        return FetchedImage(data, mime, host)


def read_local_image(path: str | Path, settings: FetchSettings | None = None) -> FetchedImage:
    """Read an image file named by an imported record's ``path`` (does I/O; keeps nothing).

    Raises:
        FetchFailed: missing or unreadable file, too large, not an allowed image type.
    """
    limits = settings or FetchSettings()
    file = Path(path)
    try:
        if not file.is_file():
            raise FetchFailed("image file not found")
        if file.stat().st_size > limits.max_bytes:
            raise FetchFailed(f"image larger than {limits.max_bytes // 1024} KiB")
        with file.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except OSError as error:
        raise FetchFailed(f"image file unreadable ({type(error).__name__})") from None
    if len(data) > limits.max_bytes:
        raise FetchFailed(f"image larger than {limits.max_bytes // 1024} KiB")
    mime = sniff_image_type(data)
    if mime is None or mime not in limits.allowed_types:
        raise FetchFailed("content is not a JPEG, PNG, GIF or WebP image")
    return FetchedImage(data, mime, "local file")
